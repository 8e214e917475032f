"""The app's own figures: start-up time to the first screen, CPU use at 1x, event-to-screen latency.

* start-up: a fresh interpreter opens the demo headless (Textual's test driver, 80x24) and
  the clock stops when the live screen has drawn its first snapshot. Measured from outside,
  so it includes Python's start and every import. Median of 5.
* CPU at 1x: the demo workout for ``--cpu-seconds`` of real time (default 60), in one process
  with the virtual treadmill it talks to over Bumble's virtual radio; the same session
  recorded without the screen (``treadmill record``'s path) is run side by side, so the
  screen's own share shows.
* latency: each coach event (cue, warning, message) from the moment the coach says it to the
  moment its banner is updated, over a whole built-in workout at 20x.

Run: ``python -m bench.tui_bench [--cpu-seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

from textual.pilot import Pilot

from treadmill.session.live import open_live_session
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.storage.history import History
from treadmill.workout.builtin import builtin_plans
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest
from tui.screens.live import LiveScreen
from tui.screens.summary import SummaryScreen

PROBE = """
import asyncio, os, sys, time
from pathlib import Path
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest
from tui.screens.live import LiveScreen

async def main():
    options = SessionOptions(SourceOptions(virtual=VirtualOptions()), time_scale=4.0, duration_s=60)
    app = TreadmillApp(AppRequest(AppMode.DEMO, options, plan_id="first-steps-backward"))
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, LiveScreen) and app.screen._ticks > 0):
            await pilot.pause(0.005)
        print("first-screen", flush=True)
        while app.screen.runner.actions is None:  # leave the way a user does: connected, s
            await pilot.pause(0.05)
        await pilot.press("s")
        while app.screen.__class__.__name__ != "SummaryScreen":
            await pilot.pause(0.05)
        app.exit()

asyncio.run(main())
"""


def startup_s() -> float:
    started = time.perf_counter()
    # stderr is dropped: the virtual radio's teardown chatter is not what is measured here.
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", PROBE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.wait(timeout=60)
    if line.strip() != "first-screen":
        raise RuntimeError("the probe did not reach the first screen")
    return elapsed


def demo_options(time_scale: float, duration_s: float) -> SessionOptions:
    """The demo's session: the virtual treadmill (the app adds the workout)."""
    return SessionOptions(
        SourceOptions(virtual=VirtualOptions()), time_scale=time_scale, duration_s=duration_s
    )


async def app_cpu(seconds: float) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the app running the demo at 1x for ``seconds``."""
    request = AppRequest(AppMode.DEMO, demo_options(1.0, seconds + 60), plan_id="first-steps-backward")
    app = TreadmillApp(request)
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, LiveScreen) or app.screen.runner.now() < 1.0:
            await pilot.pause(0.05)
        cpu, wall = time.process_time(), time.perf_counter()
        await pilot.pause(seconds)
        used = time.process_time() - cpu, time.perf_counter() - wall
        await stop_and_wait(pilot)
    return used


async def stop_and_wait(pilot: Pilot[int]) -> None:
    """End the session the way the user does (s), and leave from its summary."""
    await pilot.press("s")
    while not isinstance(pilot.app.screen, SummaryScreen):
        await pilot.pause(0.05)
    pilot.app.exit()


async def headless_cpu(seconds: float) -> tuple[float, float]:
    """The same session and workout without the screen."""
    plan = builtin_plans()["first-steps-backward"]
    options = replace(demo_options(1.0, seconds + 1.0), workout=WorkoutOptions(plan))
    cpu, wall = time.process_time(), time.perf_counter()
    async with open_live_session(options) as live:
        await live.wait()
    return time.process_time() - cpu, time.perf_counter() - wall


async def latencies() -> list[float]:
    """Event-to-banner seconds over a whole first-steps-backward workout at 20x."""
    plan = builtin_plans()["first-steps-backward"]
    options = demo_options(20.0, (plan.duration_s or 0.0) + 30.0)
    app = TreadmillApp(AppRequest(AppMode.DEMO, options, plan_id="first-steps-backward"))
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, LiveScreen):
            await pilot.pause(0.05)
        live = app.screen
        while not isinstance(app.screen, SummaryScreen):
            await pilot.pause(0.2)
        app.exit()
    return live.latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cpu-seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["TREADMILL_DATA_DIR"] = home
        os.environ["TREADMILL_CONFIG_DIR"] = home
        starts = [startup_s() for _ in range(5)]
        print(
            f"start-up to the first live screen: median {statistics.median(starts):.2f} s "
            f"(min {min(starts):.2f}, max {max(starts):.2f}; fresh interpreter, headless 80x24)"
        )
        cpu, wall = asyncio.run(app_cpu(args.cpu_seconds))
        base_cpu, base_wall = asyncio.run(headless_cpu(args.cpu_seconds))
        app_pct, base_pct = 100 * cpu / wall, 100 * base_cpu / base_wall
        print(
            f"CPU at 1x over {wall:.0f} s: app {app_pct:.1f} % of one core (with the virtual treadmill "
            f"in-process); without the screen {base_pct:.1f} %; the screen's share {app_pct - base_pct:.1f} %"
        )
        seen = sorted(asyncio.run(latencies()))
        p95 = seen[int(0.95 * (len(seen) - 1))]
        print(
            f"event-to-screen over a whole workout at 20x: {len(seen)} events, median "
            f"{1000 * statistics.median(seen):.2f} ms, p95 {1000 * p95:.2f} ms, max {1000 * seen[-1]:.2f} ms "
            "(refresh period 250 ms)"
        )
        sessions = len(History().records())
        print(f"({sessions} sessions recorded to a temporary history on the way)")


if __name__ == "__main__":
    main()

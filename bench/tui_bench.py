"""The app's figures, measured the way a person runs it: the real command in a real terminal.

Each run is ``treadmill demo`` (the virtual treadmill through the real Bluetooth client over
Bumble's virtual radio, in the same process) inside tmux at a given size, with its own
temporary history. CPU time is read from ``/proc/PID/stat`` of that process, so it includes
everything the app does: the screen, the session, the coach, the virtual treadmill.

* **CPU over a whole workout at 1x**, at 80x24, 120x40 and 200x60 side by side, from the
  first frame to the summary screen, sampled every 30 s so the turns show. The peer, run
  beside them: the same workout recorded without a screen (``treadmill record --plan``,
  the same session stack, cues printed as lines). The screen's cost is the difference.
* **Start to first frame**: from launching the command in tmux to the live screen's title
  showing in the pane (median of 5, 80x24).
* **The command palette** at 200x60: from ctrl+p to the palette showing (median of 3).
* **Event to screen**: each coach event (cue, warning, message) from the moment the coach
  says it to the moment the screen has been refreshed with it, over a whole workout at 20x
  (in-process, through Textual's own refresh; the timer ticks at 4 Hz and are not involved).
* **``treadmill --version``**: a fresh process, median of 10.

Run: ``python -m bench.tui_bench`` (about 17 minutes: the workout runs at 1x), or with
``--time-scale 4`` for a quick look (not the figure). Needs tmux.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.terminal import Tmux, wait_for
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions
from treadmill.workout.builtin import builtin_plans
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest
from tui.screens.live import LiveScreen
from tui.screens.summary import SummaryScreen

TREADMILL = str(Path(sys.executable).parent / "treadmill")
PLAN = "first-steps-backward"
SIZES = ((80, 24), (120, 40), (200, 60))
TICK_S = os.sysconf("SC_CLK_TCK")
TARGET_CPU_PCT = 5.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used by process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


@contextlib.contextmanager
def session_env() -> Iterator[dict[str, str]]:
    """A fresh history and config for each run (nothing of the person's own is touched)."""
    with tempfile.TemporaryDirectory() as home:
        yield {"TREADMILL_DATA_DIR": home, "TREADMILL_CONFIG_DIR": home, "TERM": "xterm-256color"}


@dataclass
class Run:
    """One app (or peer) process followed over the workout."""

    name: str
    pid: int
    samples: list[tuple[float, float]] = field(default_factory=list)
    """(wall seconds, CPU seconds) from the first frame on."""

    def sample(self) -> None:
        self.samples.append((time.perf_counter(), cpu_s(self.pid)))

    def percent(self, start: int = 0) -> float:
        (w0, c0), (w1, c1) = self.samples[start], self.samples[-1]
        return 100 * (c1 - c0) / (w1 - w0)

    def windows(self) -> list[float]:
        """CPU % in each sampling window."""
        pairs = zip(self.samples, self.samples[1:], strict=False)
        return [100 * (c1 - c0) / (w1 - w0) for (w0, c0), (w1, c1) in pairs]


def whole_workout(time_scale: float, sample_s: float) -> None:
    """The three sizes and the peer side by side, over the whole workout."""
    tmux = Tmux()
    plan = builtin_plans()[PLAN]
    runs: list[Run] = []
    with contextlib.ExitStack() as stack:
        stack.callback(tmux.kill)
        scale = ["--time-scale", f"{time_scale:g}"]
        for cols, rows in SIZES:
            env = stack.enter_context(session_env())
            name = f"{cols}x{rows}"
            pid = tmux.start(name, (cols, rows), [TREADMILL, "demo", "--plan", PLAN, *scale], env)
            runs.append(Run(name, pid))
        env = stack.enter_context(session_env())
        out = Path(env["TREADMILL_DATA_DIR"]) / "peer.jsonl"
        peer_command = [TREADMILL, "record", "--virtual", "--plan", PLAN, *scale, "--out", str(out)]
        peer = Run("peer", tmux.start("peer", (80, 24), peer_command, env))
        for run in runs:
            wait_for(tmux, run.name, "First steps backward", 30)
        for run in [*runs, peer]:
            run.sample()
        first_turn_s = next(t for t, _cue in plan.cue_lines()) / time_scale
        started = time.perf_counter()
        turn_index: int | None = None
        while not all("session over" in tmux.screen(r.name) for r in runs):
            time.sleep(sample_s)
            for run in [*runs, peer]:
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # the peer ends first
                    run.sample()
            if turn_index is None and time.perf_counter() - started >= first_turn_s:
                turn_index = len(runs[0].samples) - 1
            if time.perf_counter() - started > (plan.duration_s or 0) / time_scale + 180:
                raise TimeoutError("the workout did not end")
    wall = runs[0].samples[-1][0] - runs[0].samples[0][0]
    turns = len(plan.cue_lines()) - 1
    print(f"CPU over a whole '{PLAN}' workout at {time_scale:g}x ({wall / 60:.1f} min, {turns} turns):")
    peer_pct = peer.percent()
    for run in runs:
        windows = run.windows()
        after = run.percent(turn_index or 0)
        verdict = "meets" if run.percent() <= TARGET_CPU_PCT else "MISSES"
        print(
            f"  {run.name:>7}: {run.percent():4.1f} % of one core on average "
            f"({verdict} the {TARGET_CPU_PCT:g} % target); from the first turn on {after:.1f} %; "
            f"{sample_s:g}-s windows {min(windows):.1f}-{max(windows):.1f} %; "
            f"{run.percent() / max(peer_pct, 0.01):.1f}x the peer"
        )
    print(f"     peer: {peer_pct:4.1f} % (treadmill record --plan: the same session without a screen)")


def first_frame_s(repeats: int) -> list[float]:
    """Launch to the live screen's title in the pane, 80x24."""
    out = []
    for index in range(repeats):
        tmux = Tmux()
        with session_env() as env:
            try:
                started = time.perf_counter()
                tmux.start(f"start{index}", (80, 24), [TREADMILL, "demo", "--plan", PLAN], env)
                wait_for(tmux, f"start{index}", "First steps backward", 30, every_s=0.005)
                out.append(time.perf_counter() - started)
            finally:
                tmux.kill()
    return out


def palette_s(repeats: int) -> list[float]:
    """ctrl+p to the palette showing, 200x60, during a workout."""
    out = []
    tmux = Tmux()
    with session_env() as env:
        try:
            tmux.start("palette", (200, 60), [TREADMILL, "demo", "--plan", PLAN], env)
            wait_for(tmux, "palette", "Each change is announced", 60)
            for _ in range(repeats):
                started = time.perf_counter()
                tmux.keys("palette", "C-p")
                wait_for(tmux, "palette", "Search for commands", 30, every_s=0.005)
                out.append(time.perf_counter() - started)
                tmux.keys("palette", "Escape")
                time.sleep(1.0)
        finally:
            tmux.kill()
    return out


async def latencies() -> list[float]:
    """Event-to-screen seconds over a whole workout at 20x (in-process)."""
    plan = builtin_plans()[PLAN]
    options = SessionOptions(
        SourceOptions(virtual=VirtualOptions()), time_scale=20.0, duration_s=(plan.duration_s or 0.0) + 30.0
    )
    app = TreadmillApp(AppRequest(AppMode.DEMO, options, plan_id=PLAN))
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, LiveScreen):
            await pilot.pause(0.05)
        live = app.screen
        while not isinstance(app.screen, SummaryScreen):
            await pilot.pause(0.2)
        app.exit()
    return live.latencies


def version_s(repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([TREADMILL, "--version"], check=True, capture_output=True)
        out.append(time.perf_counter() - started)
    return out


def _spread(values: list[float], unit: float = 1.0, digits: int = 2) -> str:
    scaled = [v * unit for v in values]
    return (
        f"median {statistics.median(scaled):.{digits}f} (min {min(scaled):.{digits}f}, "
        f"max {max(scaled):.{digits}f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--time-scale", type=float, default=1.0, help="the CPU run's speed (1: the figure)")
    parser.add_argument("--sample-s", type=float, default=30.0, help="CPU sampling window, wall seconds")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tui_bench: tmux is not installed (apt-get install tmux); nothing measured")
        return
    versions = version_s(10)
    print(f"treadmill --version: {_spread(versions)} s (target 0.3 s)")
    starts = first_frame_s(5)
    print(f"start to first frame, tmux 80x24: {_spread(starts)} s (target 1.5 s)")
    opened = palette_s(3)
    print(f"command palette at 200x60, ctrl+p to shown: {_spread(opened)} s")
    with session_env() as env:
        os.environ.update(env)
        seen = sorted(asyncio.run(latencies()))
    p95 = seen[int(0.95 * (len(seen) - 1))]
    print(
        f"event to screen over a whole workout at 20x: {len(seen)} events, median "
        f"{1000 * statistics.median(seen):.1f} ms, p95 {1000 * p95:.1f} ms, max {1000 * seen[-1]:.1f} ms "
        "(target 100 ms)"
    )
    whole_workout(
        args.time_scale, args.sample_s if args.time_scale == 1.0 else args.sample_s / args.time_scale
    )


if __name__ == "__main__":
    main()

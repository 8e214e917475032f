"""Replay-and-analyse throughput, headless, and peak memory for a 3-hour session.

The session is written straight from the virtual world (no Bluetooth: 3 h at 1 Hz with a
strap and a footpod, ~32,000 lines), then read, replayed as fast as possible through the
session engine, decoded and summarised, exactly as ``treadmill replay --headless`` does.
Target (issue 4): a 3-hour session in under 1 s.

Run: ``python -m bench.replay_bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

from treadmill.ftms.uuids import HEART_RATE_MEASUREMENT, MACHINE_STATUS, RSC_MEASUREMENT, TREADMILL_DATA
from treadmill.model import Frame, Sensor
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import FixtureWriter, read_fixture
from treadmill.virtual.runner import RunnerPlan
from treadmill.virtual.world import VirtualWorld


def write_session(path: Path, hours: float, seed: int) -> int:
    """A long virtual session, tick by tick, as a fixture; returns its line count."""
    plan = RunnerPlan.demo(rounds=int(hours * 24))
    world = VirtualWorld(seed=seed, plan=plan, duration_s=hours * 3600)
    with FixtureWriter.create(path, device={"name": "bench"}) as out:
        for _ in range(int(hours * 3600)):
            tick = world.step(1.0)
            if tick.truth_changed:
                out.truth(tick.t, tick.truth)
            for status in tick.statuses:
                out.frame(Frame(tick.t, MACHINE_STATUS, bytes(status)))
            out.frame(Frame(tick.t, TREADMILL_DATA, bytes(tick.treadmill)))
            out.frame(Frame(tick.t + 0.01, HEART_RATE_MEASUREMENT, bytes(tick.heart_rate), Sensor.HEART_RATE))
            out.frame(Frame(tick.t + 0.02, RSC_MEASUREMENT, bytes(tick.footpod), Sensor.FOOTPOD))
        return out.lines


async def replay(path: Path) -> tuple[int, dict[str, object]]:
    result = await Session(ReplaySource(read_fixture(path), speed=None)).run()
    return len(result.samples), result.board.pipeline.summary().to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.jsonl"
        lines = write_session(path, args.hours, seed=1)
        size_mb = path.stat().st_size / 1e6
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            samples, _ = asyncio.run(replay(path))
            best = min(best, time.perf_counter() - started)
        tracemalloc.start()
        asyncio.run(replay(path))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"session: {args.hours:g} h, {lines:,} lines ({size_mb:.1f} MB), {samples:,} samples")
    print(f"replay + decode + analyse, headless: {best:.2f} s (best of {args.repeat}); target < 1 s")
    print(f"throughput: {args.hours / best:.1f} session-hours per second")
    print(f"peak memory (Python allocations, tracemalloc): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

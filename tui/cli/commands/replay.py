"""``treadmill replay``: a recording in the app, or its summary with ``--headless`` / ``--json``."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from treadmill.inputs import printable
from treadmill.model import Direction
from tui.cli import setup
from tui.cli.parsers import EXIT_OK
from tui.request import AppMode, AppRequest


def _in_app(args: argparse.Namespace) -> int:
    from tui.app import run_app  # noqa: PLC0415 (Textual only once the recording reads)

    setup.read(args.fixture, tolerant=args.tolerant)  # a bad recording is refused before the screen opens
    speed = 1.0 if args.speed is None else None if math.isinf(args.speed) else args.speed
    request = AppRequest(
        AppMode.REPLAY,
        fixture=Path(args.fixture),
        replay_speed=speed,
        tolerant=args.tolerant,
        mqtt=setup.mqtt_settings(args.mqtt),
    )
    return run_app(request)


def run(args: argparse.Namespace) -> int:
    """Replay in the app, or print the summary."""
    if not (args.headless or args.json):
        return _in_app(args)
    fixture = setup.read(args.fixture, tolerant=args.tolerant)
    result = setup.replayed(fixture, setup.profile("replay"))
    summary = result.pipeline.summary()
    frames = sum(result.decode.frames.values())
    bad = sum(result.decode.bad_frames.values())
    if args.json:
        out = {
            "fixture": str(fixture.path),
            "samples": len(result.samples),
            "frames": frames,
            "bad_frames": bad,
            "skipped_lines": fixture.skipped_count,
            "direction_source": "detector",
            **summary.to_dict(),
        }
        print(json.dumps(out))
        return EXIT_OK
    name = printable(fixture.path.name)
    undecodable = f", {bad} undecodable frames" if bad else ""
    length = setup.clock_text(summary.duration_s)
    print(f"{name}: {length} of session, {len(result.samples)} samples{undecodable}")
    print("direction: as the live detector saw it (evidence: cues, speed, and footpod/strap when present)")
    print(f"{'':9}{'time':>9}{'distance':>11}  kcal (range)")
    for direction, totals in summary.totals.items():
        moving = direction is not Direction.STOPPED
        kcal = f"{totals.kcal:5.0f} ({totals.kcal_low:.0f}-{totals.kcal_high:.0f})" if moving else ""
        distance = f"{totals.distance_m:8.0f} m" if moving else ""
        print(f"{direction.value:9}{setup.clock_text(totals.time_s):>9}{distance:>11}  {kcal}")
    print("intervals:")
    for interval in summary.intervals:
        span = f"{setup.clock_text(interval.start_s)} - {setup.clock_text(interval.end_s)}"
        print(f"  {span}  {interval.direction.value}")
    return EXIT_OK

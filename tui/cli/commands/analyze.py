"""``treadmill analyze``: the live direction detector over a recording (docs/detection.md)."""

from __future__ import annotations

import argparse
import json
import sys

from treadmill.core.analysis import Analysis
from treadmill.inputs import printable
from treadmill.model import Facing, LinkEventKind
from treadmill.storage.profile import LabelledExample, save_profile
from tui.cli import setup
from tui.cli.parsers import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Analyse and print."""
    fixture = setup.read(args.fixture, tolerant=args.tolerant)
    person = setup.profile("analyze")
    result = setup.replayed(fixture, person)
    analysis = Analysis.of(result.pipeline)
    if args.learn:
        marks = [e for e in result.events if e.kind is LinkEventKind.MARKED]
        person.examples += [LabelledExample(fixture.path.name, e.t, Facing(e.detail)) for e in marks]
        learned = result.pipeline.detector.learned()
        if learned.walk_samples or learned.run_samples:  # what this session's footpod taught
            person.detector = learned
        print(f"profile updated: {printable(str(save_profile(person)))}", file=sys.stderr)
    if args.json:
        out = analysis.to_dict()
        if args.stats:
            out.update(analysis.stats())
        if args.offline:
            out["offline_intervals"] = analysis.offline_intervals()
        print(json.dumps(out))
        return EXIT_OK
    stats = analysis.stats()["interval_stats"] if args.stats else None
    for index, interval in enumerate(analysis.intervals):
        line = (
            f"{setup.clock_text(interval.start_s)} - {setup.clock_text(interval.end_s)}"
            f"  {interval.direction.value:8}  seen at {setup.clock_text(interval.detected_at_s)}"
            f"  confidence {interval.confidence:.2f}"
        )
        if isinstance(stats, list):
            item = stats[index]
            line += f"  {item['distance_m']:6.0f} m  {item['kcal']:5.1f} kcal"
        print(line)
    return EXIT_OK

"""The detector on real forward-only treadmill sessions that other people recorded.

Nobody ran backward in them, so every backward label is a false alarm: the figures are
backward intervals per hour of moving time, the share of moving time labelled backward
(and unsure), and the worst session. The sessions are read from ../shared/real-sessions
(see its README for where each came from); the project commits none of them.

Run on its own: ``python -m bench.real_sessions [FOLDER]``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from treadmill.core.analysis import analyze
from treadmill.core.timeline import CODE
from treadmill.model import MOVING_FROM_KMH, Cue, Direction, Sample
from treadmill.session.decoding import SampleDecoder
from treadmill.storage.fixtures import read_fixture

__all__ = ["REAL", "RealScore", "evaluate_real", "score_real"]

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real-sessions"


@dataclass(frozen=True, slots=True)
class RealScore:
    """One real session's false alarms."""

    name: str
    moving_h: float
    backward_intervals: int
    backward_share: float
    unsure_share: float
    asks: int
    """Times the app would have asked "Did you turn?"."""


def samples_of(path: Path) -> tuple[list[Sample], list[Cue]]:
    """A recording's samples through the real decoder, and its cue lines."""
    fixture = read_fixture(path, tolerant=True)
    decoder = SampleDecoder()
    samples = [s for frame in fixture.frames if isinstance(s := decoder.feed(frame), Sample)]
    return samples, list(fixture.cues)


def score_real(path: Path) -> RealScore:
    """The live detector over one real session."""
    samples, cues = samples_of(path)
    analysis = analyze(samples, cues, keep_trace=False)
    timeline = analysis.timeline
    seconds = timeline.step_seconds(10.0)
    moving = np.nan_to_num(timeline.speed_kmh) >= MOVING_FROM_KMH
    labels = timeline.labels
    backward = labels == CODE[Direction.REVERSE]
    unsure = labels == CODE[Direction.UNSURE]
    moving_s = float(seconds[moving].sum())
    runs = int(np.sum(backward[1:] & ~backward[:-1]) + (backward[0] if len(backward) else 0))
    asking = np.array([v.asking for v in analysis.verdicts], dtype=bool)
    asks = int(np.sum(asking[1:] & ~asking[:-1]) + (asking[0] if len(asking) else 0))
    return RealScore(
        path.name,
        moving_s / 3600.0,
        runs,
        float(seconds[backward & moving].sum()) / moving_s if moving_s else 0.0,
        float(seconds[unsure & moving].sum()) / moving_s if moving_s else 0.0,
        asks,
    )


def evaluate_real(folder: Path) -> list[RealScore]:
    """Score every session in ``folder`` and print the figures."""
    scores = [score_real(path) for path in sorted(folder.glob("*.jsonl"))]
    hours = sum(s.moving_h for s in scores)
    runs = sum(s.backward_intervals for s in scores)
    backward = sum(s.backward_share * s.moving_h for s in scores) / hours if hours else 0.0
    unsure = sum(s.unsure_share * s.moving_h for s in scores) / hours if hours else 0.0
    worst = max(scores, key=lambda s: s.backward_share)
    asks = sum(s.asks for s in scores)
    label = folder.name if folder.name != "real-sessions" else "speed only"
    print(
        f"\nreal forward-only sessions ({label}): {len(scores)} sessions, {hours:.1f} h moving: "
        f"{runs / hours if hours else 0:.2f} backward intervals/h (target <= 0.3), "
        f"{100 * backward:.2f} % of moving time backward (target <= 1 %), {100 * unsure:.2f} % unsure, "
        f"{asks / hours if hours else 0:.2f} asks/h (target <= 4); "
        f"worst {worst.name[:40]} {100 * worst.backward_share:.1f} % (target <= 5 %)"
    )
    for s in scores:
        if s.backward_intervals or s.unsure_share > 0.02:
            print(
                f"  {s.name[:48]:48} {s.moving_h * 60:5.1f} min: {s.backward_intervals} backward, "
                f"{100 * s.backward_share:.1f} % backward, {100 * s.unsure_share:.1f} % unsure"
            )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=REAL)
    args = parser.parse_args()
    evaluate_real(args.folder)


if __name__ == "__main__":
    main()

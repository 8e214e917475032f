"""The detector on real forward-only treadmill sessions that other people recorded.

Nobody ran backward in them, so every backward label is a false alarm: the figures are
backward intervals per hour of moving time, the share of moving time labelled backward
(and unsure), and the worst session. The sessions are read from ../shared/real-sessions
(see its README for where each came from); the project commits none of them.

Run on its own: ``python -m bench.real_sessions [FOLDER]``.
"""

from __future__ import annotations

import argparse
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from treadmill.core.analysis import analyze
from treadmill.core.timeline import CODE
from treadmill.model import MOVING_FROM_KMH, Cue, Direction, Frame, Sample
from treadmill.session.decoding import SampleDecoder
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.phone import PHONE_RATE_HZ, BodyPhone

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


def samples_of(path: Path, *, phone: bool = False) -> tuple[list[Sample], list[Cue]]:
    """A recording's samples through the real decoder, and its cue lines.

    ``phone``: with a pocket phone that never turns (taken out now and then), its readings
    at 20 Hz from the runner's speed and step rate as recorded (the typical step rate at that
    speed where the recording has none) merged in.
    """
    fixture = read_fixture(path, tolerant=True)
    frames = list(fixture.frames)
    if phone:
        frames = sorted(frames + pocket_frames(path.name, frames), key=lambda f: f.t)
    decoder = SampleDecoder()
    samples = [s for frame in frames if isinstance(s := decoder.feed(frame), Sample)]
    return samples, list(fixture.cues)


def pocket_frames(name: str, frames: list[Frame]) -> list[Frame]:
    """A pocket phone's readings over a recorded session: it never turns."""
    decoder = SampleDecoder()
    track = [
        (s.t, s.speed_kmh or 0.0, s.cadence_per_min)
        for f in frames
        if isinstance(s := decoder.feed(f), Sample)
    ]
    if not track:
        return []
    pocket = BodyPhone.drawn(zlib.crc32(name.encode()), track[-1][0], taken_out=True)
    out, k = [], 0
    for step in range(int(track[-1][0] * PHONE_RATE_HZ)):
        t = step / PHONE_RATE_HZ
        while k + 1 < len(track) and track[k + 1][0] <= t:
            k += 1
        _, kmh, cadence = track[k]
        steps = float(cadence) if cadence else (0.0 if kmh < MOVING_FROM_KMH else typical_steps(kmh))
        out.append(pocket.reading(t, 0.0, steps, kmh).frame(t))
    return out


def typical_steps(kmh: float) -> float:
    """Steps a minute at a belt speed: the walking and running curves the virtual runner uses."""
    return 80.0 + 6.5 * kmh if kmh < 7.5 else 150.0 + 2.5 * kmh


def score_real(path: Path, *, phone: bool = False) -> RealScore:
    """The live detector over one real session."""
    samples, cues = samples_of(path, phone=phone)
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


def evaluate_real(folder: Path, *, phone: bool = False) -> list[RealScore]:
    """Score every session in ``folder`` and print the figures (``phone``: with a pocket phone)."""
    scores = [score_real(path, phone=phone) for path in sorted(folder.glob("*.jsonl"))]
    hours = sum(s.moving_h for s in scores)
    runs = sum(s.backward_intervals for s in scores)
    backward = sum(s.backward_share * s.moving_h for s in scores) / hours if hours else 0.0
    unsure = sum(s.unsure_share * s.moving_h for s in scores) / hours if hours else 0.0
    worst = max(scores, key=lambda s: s.backward_share)
    asks = sum(s.asks for s in scores)
    label = folder.name if folder.name != "real-sessions" else "speed only"
    label += ", a pocket phone that never turns" if phone else ""
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

"""A session through the live detector: intervals as the app saw them, and the summary.

Directions are the ones the live (causal) detector committed, sample by sample. Each
interval's ``start_s`` is then moved back to the detector's estimate of when the switch
really happened (contracts.md §4); ``detected_at_s`` keeps the moment it was committed,
what the app showed the user then. Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from treadmill.core.detector import DetectorParams, DetectorState, Step, TraceStep, detect, smooth
from treadmill.core.intervals import DIRECTIONS, SessionSummary, summarize
from treadmill.core.metrics import Body, direction_stats, interval_stats
from treadmill.core.timeline import Timeline
from treadmill.session.decoding import Sample

__all__ = ["Analysis", "DetectedInterval", "analyze"]

_CODE = {name: code for code, name in enumerate(DIRECTIONS)}


@dataclass(frozen=True, slots=True)
class DetectedInterval:
    """One interval of one direction (contracts.md §4)."""

    start_s: float
    end_s: float
    direction: str
    detected_at_s: float
    confidence: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "direction": self.direction,
            "detected_at_s": round(self.detected_at_s, 3),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """The detector's view of a session."""

    steps: list[Step]
    labels: np.ndarray
    """Per sample, after the boundary revision: 0 stopped, 1 forward, 2 reverse."""
    intervals: list[DetectedInterval]
    summary: SessionSummary
    timeline: Timeline
    trace: list[TraceStep]

    def interval_bounds(self) -> list[tuple[int, int]]:
        """Each interval as a [begin, end) range of sample indices."""
        starts = [0, *[k for k in range(1, len(self.labels)) if self.labels[k] != self.labels[k - 1]]]
        return list(zip(starts, [*starts[1:], len(self.labels)], strict=True))

    def stats(self, body: Body) -> dict[str, object]:
        """Per-interval and per-direction metrics (time, distance, elevation, pace, energy, zones)."""
        per_interval = interval_stats(self.timeline, self.labels, self.interval_bounds(), body)
        per_direction = direction_stats(self.timeline, self.labels, body)
        return {
            "interval_stats": [s.to_dict() for s in per_interval],
            "direction_stats": {name: s.to_dict() for name, s in per_direction.items()},
        }

    def offline_labels(self) -> np.ndarray:
        """Directions given the whole session (forward-backward smoothing), for replay and history.

        A turning state still faces where it came from: the new direction starts when the turn ends.
        """
        if not self.trace:
            return self.labels.copy()
        smoothed = smooth(self.trace)
        facing_reverse = np.array([g[1] + g[3] > g[0] + g[2] for g in smoothed])
        stopped = self.labels == _CODE["stopped"]
        return np.where(
            stopped, _CODE["stopped"], np.where(facing_reverse, _CODE["reverse"], _CODE["forward"])
        ).astype(np.int8)

    def offline_intervals(self) -> list[dict[str, object]]:
        """The smoothed intervals (no ``detected_at_s``: they are not what the app showed live)."""
        labels = self.offline_labels()
        t = self.timeline.t
        starts = [0, *[k for k in range(1, len(labels)) if labels[k] != labels[k - 1]]]
        ends = [*starts[1:], len(labels)]
        return [
            {
                "start_s": round(float(t[b]), 3),
                "end_s": round(float(t[e] if e < len(t) else t[-1]), 3),
                "direction": DIRECTIONS[labels[b]],
            }
            for b, e in zip(starts, ends, strict=True)
        ]

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill analyze --json`` object."""
        summary = {
            name: {
                "time_s": t.to_dict()["time_s"],
                "distance_m": t.to_dict()["distance_m"],
                "kcal": t.to_dict()["kcal"],
                "kcal_low": t.to_dict()["kcal_low"],
                "kcal_high": t.to_dict()["kcal_high"],
            }
            for name, t in self.summary.totals.items()
        }
        return {"intervals": [i.to_dict() for i in self.intervals], "summary": summary}


def _labels(steps: Sequence[Step]) -> np.ndarray:
    """Committed directions, with each switch moved back to its estimated boundary."""
    labels = np.array([_CODE[s.direction] for s in steps], dtype=np.int8)
    times = np.array([s.t for s in steps])
    for k, step in enumerate(steps):
        if step.switched:
            back = (times >= step.boundary_s) & (np.arange(len(steps)) < k) & (labels != _CODE["stopped"])
            labels[back] = _CODE[step.direction] if step.direction != "stopped" else labels[back]
    return labels


def _intervals(steps: Sequence[Step], labels: np.ndarray) -> list[DetectedInterval]:
    if not steps:
        return []
    times = [s.t for s in steps]
    starts = [0, *[k for k in range(1, len(steps)) if labels[k] != labels[k - 1]]]
    out = []
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(steps)
        direction = DIRECTIONS[labels[begin]]
        # When the app first showed this direction: the commit, never before the interval starts.
        inside = steps[begin:end]
        shown = next((s.t for s in inside if s.direction == direction), times[begin])
        detected = next((s.t for s in inside if s.switched and s.direction == direction), shown)
        confidence = float(np.mean([s.confidence for s in steps[begin:end]]))
        end_s = times[end] if end < len(steps) else times[-1]
        out.append(DetectedInterval(times[begin], end_s, direction, detected, confidence))
    return out


def analyze(
    samples: Sequence[Sample],
    cues: Sequence[tuple[float, str]] = (),
    marks: Sequence[tuple[float, str]] = (),
    *,
    params: DetectorParams | None = None,
    state: DetectorState | None = None,
    mass_kg: float = 70.0,
) -> Analysis:
    """Run the live detector over ``samples`` (in time order) and summarise."""
    nan = math.nan
    trace: list[TraceStep] = []
    steps = detect(
        [s.t for s in samples],
        [nan if s.speed_kmh is None else s.speed_kmh for s in samples],
        [nan if s.cadence_per_min is None else float(s.cadence_per_min) for s in samples],
        [nan if s.heart_rate_bpm is None else float(s.heart_rate_bpm) for s in samples],
        cues=cues,
        marks=marks,
        params=params,
        state=state,
        trace=trace,
    )
    labels = _labels(steps)
    timeline = Timeline.from_samples(samples)
    summary = summarize(timeline, labels, mass_kg=mass_kg)
    return Analysis(steps, labels, _intervals(steps, labels), summary, timeline, trace)

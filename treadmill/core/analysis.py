"""A session through the live detector: intervals as the app saw them, and the summary.

Directions are the ones the live (causal) detector committed, sample by sample. Each
interval's ``start_s`` is then moved back to the detector's estimate of when the switch
really happened (docs/detection.md); ``detected_at_s`` keeps the moment it was committed,
what the app showed the person then. :func:`analyze` feeds a :class:`~treadmill.core.pipeline.Pipeline`
in time order, exactly as a live session does. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from treadmill.core.body import Body
from treadmill.core.detector import DetectorParams, DetectorState, DirectionDetector, Segment, Verdict, smooth
from treadmill.core.intervals import SessionSummary, run_starts
from treadmill.core.metrics import direction_stats, interval_stats
from treadmill.core.pipeline import Pipeline
from treadmill.core.timeline import CODE, DIRECTIONS, LabelArray, Timeline
from treadmill.model import Cue, CueDirection, Direction, Facing, Sample

__all__ = ["Analysis", "DetectedInterval", "analyze"]

UNSURE_BELOW = DetectorParams().unsure_below


@dataclass(frozen=True, slots=True)
class DetectedInterval:
    """One interval of one direction, as ``analyze --json`` prints it."""

    start_s: float
    end_s: float
    direction: Direction
    detected_at_s: float
    confidence: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "direction": self.direction.value,
            "detected_at_s": round(self.detected_at_s, 3),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """The detector's view of a session."""

    verdicts: list[Verdict]
    timeline: Timeline
    summary: SessionSummary
    segments: list[Segment]
    body: Body

    @property
    def labels(self) -> LabelArray:
        """Per sample, after the boundary revision: a direction code (see ``timeline.CODE``)."""
        return self.timeline.labels

    @classmethod
    def of(cls, pipeline: Pipeline) -> Analysis:
        """What ``pipeline`` has seen so far."""
        return cls(
            list(pipeline.verdicts),
            pipeline.timeline,
            pipeline.summary(),
            list(pipeline.segments),
            pipeline.body,
        )

    def interval_bounds(self) -> list[tuple[int, int]]:
        """Each interval as a [begin, end) range of sample indices."""
        starts = run_starts(self.labels)
        return list(zip(starts, [*starts[1:], len(self.labels)], strict=True))

    @property
    def intervals(self) -> list[DetectedInterval]:
        """The intervals with when each was first shown, and the mean confidence over it."""
        out = []
        times = self.timeline.t
        for begin, end in self.interval_bounds():
            direction = DIRECTIONS[self.labels[begin]]
            inside = self.verdicts[begin:end]
            shown = next((s.t for s in inside if s.direction is direction), float(times[begin]))
            detected = next((s.t for s in inside if s.switched and s.direction is direction), shown)
            end_s = float(times[end]) if end < len(times) else float(times[-1])
            confidence = float(np.mean([s.confidence for s in inside]))
            out.append(DetectedInterval(float(times[begin]), end_s, direction, detected, confidence))
        return out

    def stats(self) -> dict[str, object]:
        """Per-interval and per-direction metrics (time, distance, elevation, pace, energy, zones)."""
        per_interval = interval_stats(self.timeline, self.interval_bounds(), self.body)
        return {
            "interval_stats": [s.to_dict() for s in per_interval],
            "direction_stats": {
                name: s.to_dict() for name, s in direction_stats(self.timeline, self.body).items()
            },
        }

    def offline_labels(self) -> LabelArray:
        """Directions given the whole session (forward-backward over the plateaus), for replay and history.

        The live labels stand for what the plateaus do not cover (the start, the transitions);
        a plateau whose facing stays unsure in hindsight too is labelled unsure.
        """
        labels = self.labels.copy()
        if not self.segments:
            return labels
        p_reverse = np.array(smooth(self.segments))
        starts = np.array([segment.t_start for segment in self.segments])
        t = self.timeline.t
        which = np.searchsorted(starts, t, side="right") - 1
        inside = (which >= 0) & (labels != CODE[Direction.STOPPED])
        p = p_reverse[np.clip(which, 0, len(starts) - 1)]
        sure = np.abs(p - 0.5) >= UNSURE_BELOW - 0.5
        moving = np.where(p > 0.5, CODE[Direction.REVERSE], CODE[Direction.FORWARD])
        labels[inside] = np.where(sure, moving, CODE[Direction.UNSURE])[inside]
        return labels.astype(np.int8)

    def offline_intervals(self) -> list[dict[str, object]]:
        """The smoothed intervals (no ``detected_at_s``: they are not what the app showed live)."""
        labels = self.offline_labels()
        t = self.timeline.t
        starts = run_starts(labels)
        ends = [*starts[1:], len(labels)]
        return [
            {
                "start_s": round(float(t[b]), 3),
                "end_s": round(float(t[e] if e < len(t) else t[-1]), 3),
                "direction": DIRECTIONS[labels[b]].value,
            }
            for b, e in zip(starts, ends, strict=True)
        ]

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill analyze --json`` object."""
        return {
            "intervals": [i.to_dict() for i in self.intervals],
            "summary": {name.value: totals.to_dict() for name, totals in self.summary.totals.items()},
        }


def analyze(
    samples: Sequence[Sample],
    cues: Sequence[Cue] = (),
    marks: Sequence[tuple[float, Facing]] = (),
    *,
    params: DetectorParams | None = None,
    state: DetectorState | None = None,
    body: Body | None = None,
    keep_trace: bool = True,
) -> Analysis:
    """Run ``samples`` (in time order) through a fresh pipeline, cues and marks as they happened."""
    detector = DirectionDetector(params or DetectorParams(), state or DetectorState())
    pipeline = Pipeline(body or Body(), detector, keep_trace=keep_trace)
    events: list[tuple[float, int, Cue | tuple[float, Facing]]] = [(c.t, 0, c) for c in cues]
    events += [(m[0], 1, m) for m in marks]
    events.sort(key=lambda e: (e[0], e[1]))
    # The plan's turns, as the app knew them ahead: the cue lines that turn.
    turns = [(c.t, Facing(c.direction.value)) for c in cues if c.direction is not CueDirection.STOP]
    k = next_turn = 0
    for sample in samples:
        while k < len(events) and events[k][0] <= sample.t:
            item = events[k][2]
            if isinstance(item, Cue):
                pipeline.cue(item)
            else:
                pipeline.mark(*item)
            k += 1
        while next_turn < len(turns) and turns[next_turn][0] <= sample.t:
            next_turn += 1
        pipeline.expect(turns[next_turn] if next_turn < len(turns) else None)
        pipeline.label(sample)
    return Analysis.of(pipeline)

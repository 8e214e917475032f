"""Scoring direction detection against truth.

Metrics (van den Burg & Williams 2020 for event F1 with a margin; Ward, Lukowicz &
Gellersen 2011 for why frame accuracy alone hides fragmented and merged events):

* event F1 on forward<->reverse switches at +-5 s and +-10 s (one-to-one matching of the
  detector's boundary estimates to the true switch times);
* detection latency of matched switches: when the app showed it minus when it happened;
* false switches per hour (detections matching no true switch at +-10 s);
* per-second accuracy over moving samples, ``unsure`` counting as wrong; per session too,
  so a detector right on average but wrong for a whole session shows;
* on forward-only sessions: backward intervals per hour and the share of moving time
  labelled backward;
* a reliability table: reported confidence against how often it was right.

Always beside the "trust the plan" baseline on guided sessions (switch exactly at each cue).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.population import Session
from treadmill.core.analysis import Analysis, analyze
from treadmill.core.detector import DetectorParams, Step
from treadmill.core.timeline import DIRECTIONS
from treadmill.model import MOVING_FROM_KMH, Cue, CueDirection, Direction

__all__ = [
    "Scores",
    "median_p95",
    "run_detector",
    "score",
    "switch_times",
    "truth_at",
]


def switch_times(truth: Sequence[tuple[float, Direction]]) -> list[tuple[float, Direction]]:
    """When the moving direction really changed (forward <-> reverse), ignoring stops between."""
    out: list[tuple[float, Direction]] = []
    last = None
    for t, label in truth:
        if label in (Direction.FORWARD, Direction.REVERSE):
            if last is not None and label != last:
                out.append((t, label))
            last = label
    return out


def truth_at(truth: Sequence[tuple[float, Direction]], times: Sequence[float]) -> list[Direction]:
    """The true label at each of ``times``."""
    keys = [t for t, _ in truth]
    return [truth[max(bisect.bisect_right(keys, t) - 1, 0)][1] for t in times]


def _match(true: Sequence[float], found: Sequence[float], margin: float) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of found to true times within ``margin``, closest first."""
    pairs = sorted(
        ((abs(f - t), i, j) for i, t in enumerate(true) for j, f in enumerate(found) if abs(f - t) <= margin)
    )
    used_true: set[int] = set()
    used_found: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_true and j not in used_found:
            used_true.add(i)
            used_found.add(j)
            out.append((i, j))
    return out


@dataclass(frozen=True, slots=True)
class SessionScore:
    """One session's figures."""

    person_id: int
    regime: str
    kind: str
    accuracy: float
    """Share of moving time labelled the true direction (unsure counts as wrong)."""
    backward_share: float
    """Share of moving time labelled backward."""
    unsure_share: float
    backward_intervals: int
    hours: float


@dataclass(slots=True)
class Scores:
    """Totals over sessions; read the properties."""

    true_switches: int = 0
    found: dict[float, int] = field(default_factory=lambda: {5.0: 0, 10.0: 0})
    matched: dict[float, int] = field(default_factory=lambda: {5.0: 0, 10.0: 0})
    detections: int = 0
    false_switches: int = 0
    hours: float = 0.0
    latencies: list[float] = field(default_factory=list)
    correct_samples: int = 0
    moving_samples: int = 0
    reliability: dict[int, list[int]] = field(default_factory=dict)
    """Confidence decile -> [right, total] over moving samples."""
    confidence_sums: dict[int, float] = field(default_factory=dict)
    sessions: list[SessionScore] = field(default_factory=list)

    def f1(self, margin: float) -> float:
        """Event F1 at +-margin seconds."""
        precision = (
            self.matched[margin] / self.detections
            if self.detections
            else (1.0 if not self.true_switches else 0.0)
        )
        recall = self.matched[margin] / self.true_switches if self.true_switches else 1.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def accuracy(self) -> float:
        """Share of moving samples whose committed direction was the true one."""
        return self.correct_samples / self.moving_samples if self.moving_samples else 1.0

    @property
    def false_per_hour(self) -> float:
        """Unmatched detections (at +-10 s) per hour of session."""
        return self.false_switches / self.hours if self.hours else 0.0

    @property
    def calibration_error(self) -> float:
        """Expected calibration error: the sample-weighted gap between confidence and accuracy per decile."""
        total = sum(cell[1] for cell in self.reliability.values())
        if not total:
            return 0.0
        gap = 0.0
        for decile, (right, count) in self.reliability.items():
            mean_confidence = self.confidence_sums.get(decile, 0.0) / count
            gap += count * abs(right / count - mean_confidence)
        return gap / total

    def latency(self, q: float) -> float:
        """Latency quantile (0.5: median), seconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def add(
        self,
        truth: Sequence[tuple[float, Direction]],
        switches: Sequence[tuple[float, float]],
        duration_s: float,
    ) -> None:
        """One session's switches: (boundary estimate, commit time) per detected switch."""
        true = [t for t, _ in switch_times(truth)]
        boundaries = [b for b, _ in switches]
        self.true_switches += len(true)
        self.detections += len(switches)
        self.hours += duration_s / 3600.0
        for margin in (5.0, 10.0):
            pairs = _match(true, boundaries, margin)
            self.matched[margin] += len(pairs)
            if margin == 10.0:
                self.false_switches += len(switches) - len(pairs)
                self.latencies += [switches[j][1] - true[i] for i, j in pairs]

    def add_samples(
        self, truth: Sequence[tuple[float, Direction]], steps: Sequence[Step], session: Session
    ) -> None:
        """Per-second accuracy (unsure counts as wrong), overall and for this session.

        ``steps`` carry the labels to score (the revised ones, see :func:`score`).
        """
        labels = truth_at(truth, [s.t for s in steps])
        times = [s.t for s in steps]
        weights = [
            min(max(b - a, 0.0), 5.0)
            for a, b in zip(times, [*times[1:], times[-1] if times else 0.0], strict=True)
        ]
        right_s = moving_s = backward_s = unsure_s = 0.0
        backward_runs, previous = 0, None
        for step, label, weight in zip(steps, labels, weights, strict=True):
            if step.direction is Direction.STOPPED or label not in (Direction.FORWARD, Direction.REVERSE):
                continue
            if step.direction is Direction.REVERSE and previous is not Direction.REVERSE:
                backward_runs += 1
            previous = step.direction
            right = step.direction is label
            moving_s += weight
            right_s += weight * right
            backward_s += weight * (step.direction is Direction.REVERSE)
            unsure_s += weight * (step.direction is Direction.UNSURE)
            self.moving_samples += 1
            self.correct_samples += right
        self.sessions.append(
            SessionScore(
                session.person_id,
                session.regime.value,
                session.kind.value,
                right_s / moving_s if moving_s else 1.0,
                backward_s / moving_s if moving_s else 0.0,
                unsure_s / moving_s if moving_s else 0.0,
                backward_runs,
                (times[-1] - times[0]) / 3600.0 if times else 0.0,
            )
        )

    def add_reliability(self, truth: Sequence[tuple[float, Direction]], steps: Sequence[Step]) -> None:
        """The reliability table: each moving sample the app showed as forward or backward, live,
        by the confidence it showed beside it (unsure ones say no direction: they are counted
        in the unsure share instead)."""
        labels = truth_at(truth, [s.t for s in steps])
        for step, label in zip(steps, labels, strict=True):
            if step.direction not in (Direction.FORWARD, Direction.REVERSE) or label is Direction.STOPPED:
                continue
            decile = min(int(step.confidence * 10), 9)
            cell = self.reliability.setdefault(decile, [0, 0])
            cell[0] += step.direction is label
            cell[1] += 1
            self.confidence_sums[decile] = self.confidence_sums.get(decile, 0.0) + step.confidence


def plan_steps(session: Session) -> list[Step]:
    """Trust the plan: the cued direction at every sample (forward before any cue), stopped with the belt."""
    out = []
    facing, k = Direction.FORWARD, 0
    for sample in session.samples:
        while k < len(session.cues) and session.cues[k][0] <= sample.t:
            facing = Direction.facing(session.cues[k][1])
            k += 1
        moving = (sample.speed_kmh or 0.0) >= MOVING_FROM_KMH
        direction = facing if moving else Direction.STOPPED
        out.append(
            Step(
                sample.t,
                direction,
                1.0,
                float(direction is Direction.REVERSE),
                switched=False,
                boundary_s=0.0,
            )
        )
    return out


def run_detector(session: Session, params: DetectorParams | None = None) -> Analysis:
    """The live detector over one session, as the shipped pipeline runs it."""
    cues = [Cue(t, CueDirection(facing.value)) for t, facing in session.cues]
    return analyze(session.samples, cues, params=params, keep_trace=False)


def revised_steps(analysis: Analysis) -> list[Step]:
    """The live steps with the labels as the session keeps them: each switch moved back to its turn
    (what the summary, the history and the exports hold; the live labels' delay is the latency)."""
    return [
        step._replace(direction=DIRECTIONS[code])
        for step, code in zip(analysis.steps, analysis.labels.tolist(), strict=True)
    ]


def score(sessions: Iterable[Session], params: DetectorParams | None = None) -> tuple[Scores, Scores]:
    """(detector scores, trust-the-plan baseline scores) over ``sessions``."""
    detector, baseline = Scores(), Scores()
    for session in sessions:
        analysis = run_detector(session, params)
        steps = analysis.steps
        duration = session.samples[-1].t - session.samples[0].t if session.samples else 0.0
        detector.add(session.truth, [(s.boundary_s, s.t) for s in steps if s.switched], duration)
        detector.add_samples(session.truth, revised_steps(analysis), session)
        detector.add_reliability(session.truth, steps)
        plan = [(t, Direction.facing(f)) for t, f in session.cues]
        plan_switches = [(t, t) for t, _ in switch_times([(0.0, Direction.FORWARD), *plan])]
        baseline.add(session.truth, plan_switches, duration)
        baseline.add_samples(session.truth, plan_steps(session), session)
        baseline.add_reliability(session.truth, plan_steps(session))
    return detector, baseline


def median_p95(values: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank); NaN for no values."""
    if not values:
        return float("nan"), float("nan")
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summarize_latency(values: Sequence[float]) -> str:
    """Median and p95 of latencies, seconds."""
    if not values:
        return "n/a"
    median, p95 = median_p95(values)
    return f"{median:.1f} / {p95:.1f} s"

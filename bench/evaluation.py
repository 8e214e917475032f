"""Scoring direction detection against truth.

Metrics (van den Burg & Williams 2020 for event F1 with a margin; Ward, Lukowicz &
Gellersen 2011 for why frame accuracy alone hides fragmented and merged events):

* event F1 on forward<->reverse switches at +-5 s and +-10 s (one-to-one matching of the
  detector's boundary estimates to the true switch times);
* detection latency of matched switches: when the app showed it minus when it happened;
* false switches per hour (detections matching no true switch at +-10 s);
* per-second accuracy over moving samples, ``unsure`` counting as wrong; per session too,
  so a detector right on average but wrong for a whole session shows;
* what was **stated wrongly**: moving time shown live as forward or backward when the other
  way was true (a missed turn makes no false switch to count, but it shows here), and the
  share of backward time shown as forward (the dangerous way to be wrong);
* unsure time, and how often the app would have asked "Did you turn?";
* on forward-only sessions: backward intervals per hour and the share of moving time
  labelled backward;
* the calibration table: the confidence stated beside each live label against how often
  that label was right, in bins of 0.05 (Guo et al. 2017 for reliability diagrams).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.population import Session
from treadmill.core.analysis import Analysis, analyze
from treadmill.core.detector import DetectorParams, Verdict
from treadmill.core.timeline import DIRECTIONS
from treadmill.model import Cue, CueDirection, Direction

__all__ = [
    "CALIBRATION_BINS",
    "Scores",
    "SessionScore",
    "median_p95",
    "run_detector",
    "score",
    "score_session",
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


@dataclass(slots=True)
class SessionScore:
    """One session's figures (shares of moving time)."""

    person_id: int
    regime: str
    kind: str
    accuracy: float
    """Labelled the true direction, as the session keeps them (unsure counts as wrong)."""
    stated_wrong: float
    """Shown live as forward or backward, and the other way was true."""
    backward_as_forward: float
    """Of the time really backward: shown live as forward."""
    backward_share: float
    """Shown live as backward."""
    unsure_share: float
    backward_intervals: int
    asks: int
    """Times the app would have asked "Did you turn?"."""
    hours: float
    false_danger_s: float = 0.0
    """Seconds a danger warning about facing backward was up while the person faced forward."""
    longest_false_danger_s: float = 0.0


CALIBRATION_BINS = tuple(0.5 + 0.05 * k for k in range(10))
"""Lower edges of the confidence bins of the calibration table."""


@dataclass(slots=True)
class Scores:
    """Totals over sessions; read the properties."""

    true_switches: int = 0
    matched: dict[float, int] = field(default_factory=lambda: {5.0: 0, 10.0: 0})
    detections: int = 0
    false_switches: int = 0
    hours: float = 0.0
    latencies: list[float] = field(default_factory=list)
    calibration: dict[int, list[float]] = field(default_factory=dict)
    """Confidence bin -> [stated confidence summed, right, total] over moving samples shown as a way."""
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

    def share(self, name: str) -> float:
        """A per-session share (an attribute of :class:`SessionScore`), weighted by session length."""
        hours = sum(s.hours for s in self.sessions)
        return sum(getattr(s, name) * s.hours for s in self.sessions) / hours if hours else 0.0

    @property
    def false_per_hour(self) -> float:
        """Unmatched detections (at +-10 s) per hour of session."""
        return self.false_switches / self.hours if self.hours else 0.0

    @property
    def asks_per_hour(self) -> float:
        hours = sum(s.hours for s in self.sessions)
        return sum(s.asks for s in self.sessions) / hours if hours else 0.0

    def calibration_rows(self, min_share: float = 0.02) -> list[tuple[float, float, float, int, bool]]:
        """(bin lower edge, mean stated, observed right, samples, holds >= ``min_share`` of them) per bin."""
        total = sum(cell[2] for cell in self.calibration.values())
        rows = []
        for k in sorted(self.calibration):
            stated, right, count = self.calibration[k]
            rows.append(
                (CALIBRATION_BINS[k], stated / count, right / count, int(count), count >= min_share * total)
            )
        return rows

    @property
    def calibration_gap(self) -> float:
        """The largest |stated - observed| over bins holding at least 2 % of the samples."""
        return max((abs(s - r) for _, s, r, _, big in self.calibration_rows() if big), default=0.0)

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

    def add_session(
        self,
        truth: Sequence[tuple[float, Direction]],
        live: Sequence[Verdict],
        kept: Sequence[Direction],
        session: Session,
    ) -> SessionScore:
        """One session's per-second figures.

        ``live``: the labels as the app showed them; ``kept``: as the session keeps them.
        """
        times = [v.t for v in live]
        labels = truth_at(truth, times)
        weights = [
            min(max(b - a, 0.0), 10.0)
            for a, b in zip(times, [*times[1:], times[-1] if times else 0.0], strict=True)
        ]
        moving = right = wrong = backward = unsure = true_backward = backward_forward = 0.0
        runs, previous, asks, asking = 0, None, 0, False
        for verdict, kept_label, label, weight in zip(live, kept, labels, weights, strict=True):
            if verdict.asking and not asking:
                asks += 1
            asking = verdict.asking
            shown = verdict.direction
            if shown is Direction.STOPPED or label not in (Direction.FORWARD, Direction.REVERSE):
                continue
            if shown is Direction.REVERSE and previous is not Direction.REVERSE:
                runs += 1
            previous = shown
            moving += weight
            right += weight * (kept_label is label)
            stated = shown in (Direction.FORWARD, Direction.REVERSE)
            wrong += weight * (stated and shown is not label)
            backward += weight * (shown is Direction.REVERSE)
            unsure += weight * (shown is Direction.UNSURE)
            if label is Direction.REVERSE:
                true_backward += weight
                backward_forward += weight * (shown is Direction.FORWARD)
            if stated:
                k = min(max(int((verdict.confidence - 0.5) / 0.05), 0), len(CALIBRATION_BINS) - 1)
                cell = self.calibration.setdefault(k, [0.0, 0.0, 0.0])
                cell[0] += verdict.confidence
                cell[1] += shown is label
                cell[2] += 1
        score = SessionScore(
            session.person_id,
            session.regime.value,
            session.kind.value,
            right / moving if moving else 1.0,
            wrong / moving if moving else 0.0,
            backward_forward / true_backward if true_backward else 0.0,
            backward / moving if moving else 0.0,
            unsure / moving if moving else 0.0,
            runs,
            asks,
            (times[-1] - times[0]) / 3600.0 if times else 0.0,
        )
        self.sessions.append(score)
        return score


def run_detector(session: Session, params: DetectorParams | None = None) -> Analysis:
    """The live detector over one session, as the shipped pipeline runs it."""
    cues = [Cue(t, CueDirection(facing.value)) for t, facing in session.cues]
    return analyze(session.samples, cues, params=params, keep_trace=False)


def score_session(scores: Scores, session: Session, analysis: Analysis) -> SessionScore:
    """Add one session the detector has run over to ``scores``; its own figures."""
    live = analysis.verdicts
    duration = session.samples[-1].t - session.samples[0].t if session.samples else 0.0
    scores.add(session.truth, [(v.boundary_s, v.t) for v in live if v.switched], duration)
    kept = [DIRECTIONS[code] for code in analysis.labels.tolist()]
    return scores.add_session(session.truth, live, kept, session)


def score(sessions: Iterable[Session], params: DetectorParams | None = None) -> Scores:
    """The detector's scores over ``sessions``."""
    scores = Scores()
    for session in sessions:
        score_session(scores, session, run_detector(session, params))
    return scores


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

"""Scoring direction detection against truth (reverse-running.md §5).

Sessions come from the runner model with varied people and treadmills, through the real
frame encoders and the real decoder (no Bluetooth needed), or from fixtures with truth
lines. Metrics: event F1 on forward<->reverse switches at +-5 s and +-10 s (one-to-one
matching), detection latency of matched switches (commit time minus true time), false
switches per hour, per-sample accuracy, and a reliability table for the confidence; always
beside the "trust the plan" baseline (switch exactly at each cue).
"""

from __future__ import annotations

import bisect
import random
import statistics
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from treadmill.core.analysis import analyze
from treadmill.core.detector import DetectorParams, Step
from treadmill.ftms.assembler import split_record
from treadmill.model import MOVING_FROM_KMH, Cue, CueDirection, Direction, Frame, Sample, Sensor
from treadmill.session.decoding import SampleDecoder
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.runner import Person, Runner, RunnerPlan
from treadmill.virtual.world import VirtualWorld

__all__ = [
    "EvalSession",
    "Scores",
    "isotonic",
    "median_p95",
    "score",
    "simulate_session",
    "switch_times",
    "truth_at",
]

REGIMES = ("guided", "free", "free_footpod", "free_hr")


@dataclass(slots=True)
class EvalSession:
    """One session ready to score: samples, cues, and the truth."""

    person_id: int
    regime: str
    samples: list[Sample]
    cues: list[tuple[float, CueDirection]]
    truth: list[tuple[float, Direction]]
    treadmill: str = ""


def switch_times(truth: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    """When the moving direction really changed (forward <-> reverse), ignoring stops between."""
    out, last = [], None
    for t, label in truth:
        if label in ("forward", "reverse"):
            if last is not None and label != last:
                out.append((t, label))
            last = label
    return out


def truth_at(truth: Sequence[tuple[float, str]], times: Sequence[float]) -> list[str]:
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
        self, truth: Sequence[tuple[float, str]], switches: Sequence[tuple[float, float]], duration_s: float
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

    def add_samples(self, truth: Sequence[tuple[float, str]], steps: Sequence[Step]) -> None:
        """Per-sample accuracy and the reliability table."""
        labels = truth_at(truth, [s.t for s in steps])
        for step, label in zip(steps, labels, strict=True):
            if label not in ("forward", "reverse") or step.direction == "stopped":
                continue
            right = step.direction == label
            self.moving_samples += 1
            self.correct_samples += right
            decile = min(int(step.confidence * 10), 9)
            cell = self.reliability.setdefault(decile, [0, 0])
            cell[0] += right
            cell[1] += 1
            self.confidence_sums[decile] = self.confidence_sums.get(decile, 0.0) + step.confidence


def plan_directions(
    t: NDArray[np.float64], speed_kmh: NDArray[np.float64], cues: Sequence[tuple[float, CueDirection]]
) -> list[Direction]:
    """Trust the plan: the cued direction at each time (forward before any cue), stopped with the belt."""
    out = []
    facing = Direction.FORWARD
    k = 0
    for ti, speed in zip(t.tolist(), np.nan_to_num(speed_kmh).tolist(), strict=True):
        while k < len(cues) and cues[k][0] <= ti:
            target = cues[k][1].facing
            facing = facing if target is None else Direction.facing(target)
            k += 1
        out.append(facing if speed >= MOVING_FROM_KMH else Direction.STOPPED)
    return out


def _plan_steps(session: EvalSession) -> list[Step]:
    """Trust the plan: the cued direction at every sample, stopped when the belt is."""
    t = np.array([s.t for s in session.samples])
    speed = np.array([np.nan if s.speed_kmh is None else s.speed_kmh for s in session.samples])
    labels = plan_directions(t, speed, session.cues)
    return [
        Step(float(ti), d, 1.0, float(d is Direction.REVERSE), switched=False, boundary_s=0.0)
        for ti, d in zip(t, labels, strict=True)
    ]


def run_detector(session: EvalSession, params: DetectorParams | None = None) -> list[Step]:
    """The live detector over one session, with the evidence its regime allows (the shipped pipeline)."""
    cues = [Cue(t, d) for t, d in session.cues]
    return analyze(session.samples, cues, params=params, keep_trace=False).steps


def score(sessions: Iterable[EvalSession], params: DetectorParams | None = None) -> tuple[Scores, Scores]:
    """(detector scores, trust-the-plan baseline scores) over ``sessions``."""
    detector, baseline = Scores(), Scores()
    for session in sessions:
        steps = run_detector(session, params)
        duration = session.samples[-1].t - session.samples[0].t if session.samples else 0.0
        detector.add(session.truth, [(s.boundary_s, s.t) for s in steps if s.switched], duration)
        detector.add_samples(session.truth, steps)
        plan_switches = [(t, t) for t, _ in switch_times([(0.0, "forward"), *session.cues])]
        baseline.add(session.truth, plan_switches, duration)
        baseline.add_samples(session.truth, _plan_steps(session))
    return detector, baseline


@dataclass(frozen=True, slots=True)
class _Treadmill:
    notify_hz: float
    resolution: float
    split: int | None
    drop: float
    duplicate: float

    def describe(self) -> str:
        split = f", split at {self.split}" if self.split else ""
        drops = f"drop {self.drop:.0%}, dup {self.duplicate:.0%}"
        return f"{self.notify_hz:g} Hz, {self.resolution:g} km/h, {drops}{split}"


def _treadmill(rng: random.Random) -> _Treadmill:
    return _Treadmill(
        notify_hz=rng.choice((0.5, 1.0, 1.0, 2.0)),
        resolution=rng.choice((0.1, 0.01)),
        split=rng.choice((None, None, 12)),
        drop=rng.choice((0.0, 0.01, 0.05)),
        duplicate=rng.choice((0.0, 0.0, 0.02)),
    )


def simulate_session(
    person_id: int, regime: str, *, duration_s: float = 1200.0, seed: int = 0
) -> EvalSession:
    """One session of ``person_id`` (the same person in every regime) on a randomly drawn treadmill."""
    person = Person.sample(random.Random(person_id * 7919 + 1))
    rng = random.Random(
        zlib.crc32(f"{person_id}:{regime}:{seed}".encode())
    )  # hash() of str varies per process
    machine = _treadmill(rng)
    guided = regime == "guided"
    plan = RunnerPlan.intervals_demo(rounds=int(duration_s // 150) + 1) if guided else None
    world = VirtualWorld(
        seed=rng.randrange(1 << 30),
        plan=plan,
        person=person,
        spec=MachineSpec(speed_resolution_kmh=machine.resolution),
        duration_s=duration_s,
    )
    decoder = SampleDecoder()
    samples: list[Sample] = []
    truth: list[tuple[float, Direction]] = [(0.0, Direction.STOPPED)]
    dt = 1.0 / machine.notify_hz

    def deliver(frame: Frame) -> None:
        if rng.random() < machine.drop:
            return
        for _ in range(2 if rng.random() < machine.duplicate else 1):
            sample = decoder.feed(frame)
            if isinstance(sample, Sample):
                samples.append(sample)

    sensors = {"free_hr": ("2a37", Sensor.HEART_RATE), "free_footpod": ("2a53", Sensor.FOOTPOD)}
    while world.t < duration_s:
        tick = world.step(dt)
        if tick.truth_changed:
            truth.append((tick.t, tick.truth))
        if regime in sensors:
            char, src = sensors[regime]
            payload = bytes(tick.heart_rate if src is Sensor.HEART_RATE else tick.footpod)
            deliver(Frame(tick.t - 0.2, char, payload, src))
        parts = [tick.treadmill] if machine.split is None else split_record(tick.treadmill, machine.split)
        for k, part in enumerate(parts):
            deliver(Frame(tick.t + 0.01 * k, "2acd", bytes(part)))
    cues = [] if plan is None else [c for c in plan.cues(Runner.START_DELAY_S) if c[0] < duration_s]
    return EvalSession(person_id, regime, samples, cues, truth, machine.describe())


def isotonic(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Pool-adjacent-violators on (x, y) sorted by x; returns non-decreasing (x, y) knots."""
    blocks: list[list[float]] = []  # [sum_x, sum_y, count]
    for x, y in points:
        blocks.append([x, y, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] > blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            for k in range(3):
                blocks[-1][k] += last[k]
    return [(b[0] / b[2], b[1] / b[2]) for b in blocks]


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

"""What each sample adds up to, the intervals, and the per-direction totals: one set of rules.

The live screen, MQTT, the summary, ``analyze`` and every export read their numbers from
here, so they agree:

* **time**: each sample stands for the time until the next one, at most :data:`MAX_GAP_S`
  (a longer gap is a lost link, not exercise); the last sample stands for none yet;
* **distance**: the treadmill's own counter step to the next sample where it is sane (not
  negative, not beyond three times what the belt speed covers plus 5 m) and where, over the
  sane steps so far (at least :data:`TRUST_AFTER_M` of them), the counter agrees with the
  integrated belt speed within 25 % + 5 m; otherwise the belt speed times the time. Some
  pads freeze their counter, others count in other units: they fail the agreement. The rule
  is causal, so a sample's distance never changes once the next one has arrived. A stopped
  belt covers no distance;
* **energy**: ACSM with the backward multiplier (:mod:`treadmill.core.energy`), or Keytel's
  heart-rate formula where there is a heart rate, which then also widens the range. An
  unsure sample's range spans both directions. A stopped belt (a pause, a rest) adds none:
  energy, like time on the live screen and distance, counts the exercise, not a heart rate
  still high while standing (Keytel's formula was fitted on people exercising).

Pure numpy over a :class:`~treadmill.core.timeline.Timeline`: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from treadmill.core.body import Body
from treadmill.core.energy import kcal_per_min, keytel_kcal_per_min
from treadmill.core.timeline import CODE, DIRECTIONS, FloatArray, LabelArray, Timeline
from treadmill.model import Direction

__all__ = [
    "MAX_GAP_S",
    "DirectionTotals",
    "Interval",
    "PerSample",
    "SessionSummary",
    "intervals",
    "per_sample",
    "summarize",
]

MAX_GAP_S = 5.0
"""Longer than this between samples is a gap (a lost link): it counts as no time and no distance."""
_AGREE_FRACTION, _AGREE_SLACK_M = 0.25, 5.0
TRUST_AFTER_M = 20.0
"""Belt travel before a treadmill's own distance counter can be checked, and so trusted."""
_STOPPED, _REVERSE, _UNSURE = CODE[Direction.STOPPED], CODE[Direction.REVERSE], CODE[Direction.UNSURE]


@dataclass(frozen=True, slots=True)
class PerSample:
    """What each sample adds: seconds, metres and a kcal range, each of shape (n,)."""

    dt: FloatArray
    metres: FloatArray
    kcal_low: FloatArray
    kcal_mid: FloatArray
    kcal_high: FloatArray


def _metres(timeline: Timeline, dt: FloatArray) -> FloatArray:
    integrated = np.nan_to_num(timeline.speed_kmh, nan=0.0) / 3.6 * dt
    counter = np.diff(timeline.distance_m, append=np.nan)
    sane = np.isfinite(counter) & (counter >= 0) & (counter <= 3.0 * integrated + 5.0)
    counted = np.cumsum(np.where(sane, counter, 0.0))
    expected = np.cumsum(np.where(sane, integrated, 0.0))
    agrees = (expected >= TRUST_AFTER_M) & (
        np.abs(counted - expected) <= _AGREE_FRACTION * expected + _AGREE_SLACK_M
    )
    metres = np.where(sane & agrees, counter, integrated)
    return np.where(timeline.labels == _STOPPED, 0.0, metres)


def per_sample(timeline: Timeline, body: Body, handrail: np.ndarray | None = None) -> PerSample:
    """Every sample's contribution under the rules in the module docstring."""
    dt = timeline.step_seconds(MAX_GAP_S)
    labels = timeline.labels
    speed, incline = timeline.speed_kmh, timeline.incline_pct
    forward = kcal_per_min(speed, incline, np.zeros(len(dt), bool), body.mass_kg, handrail)
    backward = kcal_per_min(speed, incline, np.ones(len(dt), bool), body.mass_kg, handrail)
    reverse, unsure = labels == _REVERSE, labels == _UNSURE
    low = np.where(reverse, backward.low, forward.low)
    mid = np.where(reverse, backward.mid, np.where(unsure, (forward.mid + backward.mid) / 2, forward.mid))
    high = np.where(reverse | unsure, backward.high, forward.high)
    keytel = keytel_kcal_per_min(timeline.heart_rate_bpm, body.mass_kg, body.age, body.sex)
    has_hr = np.isfinite(keytel)
    low, high = (
        np.where(has_hr, np.minimum(low, keytel), low),
        np.where(has_hr, np.maximum(high, keytel), high),
    )
    mid = np.where(has_hr, keytel, mid)
    minutes = np.where(labels == _STOPPED, 0.0, dt / 60.0)
    return PerSample(dt, _metres(timeline, dt), low * minutes, mid * minutes, high * minutes)


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of one direction."""

    start_s: float
    end_s: float
    direction: Direction

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "direction": self.direction.value,
        }


def run_starts(labels: LabelArray) -> list[int]:
    """Index of the first sample of each run of equal labels."""
    if len(labels) == 0:
        return []
    return np.flatnonzero(np.diff(labels, prepend=labels[0] - 1)).tolist()


def intervals(timeline: Timeline) -> list[Interval]:
    """Runs of equal labels, covering the first sample's time to the last's with no gaps."""
    t = timeline.t
    if len(t) == 0:
        return []
    starts = run_starts(timeline.labels)
    ends = [*(float(t[k]) for k in starts[1:]), float(t[-1]) if len(t) else 0.0]
    return [
        Interval(float(t[s]), e, DIRECTIONS[timeline.labels[s]]) for s, e in zip(starts, ends, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class DirectionTotals:
    """Time, distance and energy spent in one direction."""

    time_s: float = 0.0
    distance_m: float = 0.0
    kcal: float = 0.0
    kcal_low: float = 0.0
    kcal_high: float = 0.0

    def to_dict(self) -> dict[str, float]:
        """JSON-ready form."""
        return {
            "time_s": round(self.time_s, 1),
            "distance_m": round(self.distance_m, 1),
            "kcal": round(self.kcal, 1),
            "kcal_low": round(self.kcal_low, 1),
            "kcal_high": round(self.kcal_high, 1),
        }


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Per-direction totals and the intervals of a session."""

    totals: dict[Direction, DirectionTotals]
    """Forward, reverse and stopped always; unsure only when some time was unsure."""
    intervals: list[Interval]
    duration_s: float

    @property
    def distance_m(self) -> float:
        """Metres in all."""
        return sum(t.distance_m for t in self.totals.values())

    @property
    def kcal(self) -> float:
        """Best estimate of the energy in all."""
        return sum(t.kcal for t in self.totals.values())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the shape ``analyze --json`` and ``replay --json`` print)."""
        return {
            "duration_s": round(self.duration_s, 1),
            "intervals": [i.to_dict() for i in self.intervals],
            "summary": {name.value: totals.to_dict() for name, totals in self.totals.items()},
        }


def summarize(timeline: Timeline, body: Body, costs: PerSample | None = None) -> SessionSummary:
    """Totals per direction and the intervals (``costs``: :func:`per_sample` when already computed)."""
    costs = costs or per_sample(timeline, body)
    totals: dict[Direction, DirectionTotals] = {}
    for direction in (Direction.FORWARD, Direction.REVERSE, Direction.STOPPED, Direction.UNSURE):
        mask = timeline.labels == CODE[direction]
        if direction is Direction.UNSURE and not (mask & (costs.dt > 0)).any():
            continue
        totals[direction] = DirectionTotals(
            time_s=float(costs.dt[mask].sum()),
            distance_m=float(costs.metres[mask].sum()),
            kcal=float(costs.kcal_mid[mask].sum()),
            kcal_low=float(costs.kcal_low[mask].sum()),
            kcal_high=float(costs.kcal_high[mask].sum()),
        )
    duration = float(timeline.t[-1] - timeline.t[0]) if len(timeline) else 0.0
    return SessionSummary(totals, intervals(timeline), duration)

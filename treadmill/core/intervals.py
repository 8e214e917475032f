"""Directions per sample, intervals, and the per-direction summary.

Direction codes are small integers so that a whole session is one int8 array:
``STOPPED = 0``, ``FORWARD = 1``, ``REVERSE = 2``.

:func:`plan_directions` is the "trust the plan" labelling: after each cue the user is taken to
move the cued way, and a belt below walking speed is stopped. It is what the app believes
before any evidence, and the baseline every detector is measured against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from treadmill.core.energy import kcal_per_min
from treadmill.core.timeline import Timeline

__all__ = [
    "DIRECTIONS",
    "FORWARD",
    "REVERSE",
    "STOPPED",
    "DirectionTotals",
    "Interval",
    "SessionSummary",
    "intervals",
    "plan_directions",
    "summarize",
]

STOPPED, FORWARD, REVERSE = 0, 1, 2
DIRECTIONS = ("stopped", "forward", "reverse")
MOVING_FROM_KMH = 0.3
"""Below this belt speed nobody is walking (the slowest treadmills start at 0.5 km/h)."""
_CUE_CODES = {"forward": FORWARD, "reverse": REVERSE, "stop": STOPPED}


def plan_directions(
    t: NDArray[np.float64], speed_kmh: NDArray[np.float64], cues: Sequence[tuple[float, str]]
) -> NDArray[np.int8]:
    """The cued direction at each time (forward before the first cue), stopped when the belt is."""
    labels = np.full(len(t), FORWARD, dtype=np.int8)
    known = [(ct, _CUE_CODES[c]) for ct, c in cues if c in _CUE_CODES]
    if known:
        cue_t = np.array([ct for ct, _ in known])
        cue_code = np.array([code for _, code in known], dtype=np.int8)
        index = np.searchsorted(cue_t, t, side="right") - 1
        labels = np.where(index >= 0, cue_code[np.clip(index, 0, None)], FORWARD).astype(np.int8)
    moving = np.nan_to_num(speed_kmh, nan=0.0) >= MOVING_FROM_KMH
    return np.where(moving, labels, STOPPED).astype(np.int8)


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of one direction."""

    start_s: float
    end_s: float
    direction: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "direction": self.direction}


def intervals(t: NDArray[np.float64], labels: NDArray[np.int8], end_s: float | None = None) -> list[Interval]:
    """Runs of equal labels, covering ``t[0]`` to ``end_s`` (default: the last time) with no gaps."""
    if len(t) == 0:
        return []
    starts = np.flatnonzero(np.diff(labels, prepend=labels[0] - 1))
    ends = np.append(t[starts[1:]], t[-1] if end_s is None else max(end_s, t[-1]))
    return [Interval(float(t[s]), float(e), DIRECTIONS[labels[s]]) for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True, slots=True)
class DirectionTotals:
    """Time, distance and energy spent in one direction."""

    time_s: float
    distance_m: float
    kcal: float
    kcal_low: float
    kcal_high: float

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

    totals: dict[str, DirectionTotals]
    intervals: list[Interval]
    duration_s: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the shape of contracts.md §4)."""
        return {
            "duration_s": round(self.duration_s, 1),
            "intervals": [i.to_dict() for i in self.intervals],
            "summary": {name: totals.to_dict() for name, totals in self.totals.items()},
        }


def step_distance(timeline: Timeline, dt: NDArray[np.float64]) -> NDArray[np.float64]:
    """Metres covered after each sample: the treadmill's own counter when it is sane, else speed x time.

    The counter's steps are used where they are finite and not absurd (no negative step from
    a reset, no jump past three times the belt's distance), and only when, over those steps,
    it agrees with the integrated belt speed within 25 % + 5 m. A counter that freezes (some
    pads count only with a person on the belt) or runs in other units fails that check.
    """
    integrated = np.nan_to_num(timeline.speed_kmh, nan=0.0) / 3.6 * dt
    counter = np.diff(timeline.distance_m, append=np.nan)
    usable = np.isfinite(counter) & (counter >= 0) & (counter <= 3.0 * integrated + 5.0)
    counted, expected = float(counter[usable].sum()), float(integrated[usable].sum())
    if not usable.any() or abs(counted - expected) > 0.25 * expected + 5.0:
        return integrated
    return np.where(usable, counter, integrated)


def summarize(timeline: Timeline, labels: NDArray[np.int8], *, mass_kg: float = 70.0) -> SessionSummary:
    """Totals per direction and the intervals."""
    dt = timeline.step_seconds()
    distance = step_distance(timeline, dt)
    energy = kcal_per_min(timeline.speed_kmh, timeline.incline_pct, labels == REVERSE, mass_kg)
    totals = {}
    for code, name in ((FORWARD, "forward"), (REVERSE, "reverse"), (STOPPED, "stopped")):
        mask = labels == code
        minutes = dt[mask] / 60.0
        totals[name] = DirectionTotals(
            time_s=float(dt[mask].sum()),
            distance_m=float(distance[mask].sum()) if code != STOPPED else 0.0,
            kcal=float((energy.mid[mask] * minutes).sum()),
            kcal_low=float((energy.low[mask] * minutes).sum()),
            kcal_high=float((energy.high[mask] * minutes).sum()),
        )
    duration = float(timeline.t[-1] - timeline.t[0]) if len(timeline) else 0.0
    return SessionSummary(totals, intervals(timeline.t, labels), duration)

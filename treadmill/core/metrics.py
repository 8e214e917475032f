"""Per-interval and per-direction metrics: time, distance, elevation, pace, energy, heart rate, zones.

Pure numpy over a :class:`~treadmill.core.timeline.Timeline` and direction labels.
Energy is a range from the ACSM equations with the backward multiplier (and the handrail
discount where the rails are held); with a heart rate, Keytel's formula is the best guess
and widens the range if it falls outside it (reverse-running.md §1.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from treadmill.core.energy import kcal_per_min, keytel_kcal_per_min
from treadmill.core.intervals import DIRECTIONS, REVERSE, step_distance
from treadmill.core.timeline import Timeline
from treadmill.core.zones import METHODS, ZoneTimes, zone_bounds, zone_times

__all__ = ["Body", "Stats", "direction_stats", "interval_stats"]


@dataclass(frozen=True, slots=True)
class Body:
    """What the formulas need to know about the person (from the user profile)."""

    mass_kg: float = 70.0
    age: float = 40.0
    sex: str | None = None
    resting_hr_bpm: float = 60.0
    max_hr_bpm: float = 180.0
    maf_adjustment: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Metrics over a set of samples."""

    time_s: float
    distance_m: float
    elevation_gain_m: float
    pace_s_per_km: float | None
    kcal: float
    kcal_low: float
    kcal_high: float
    avg_heart_rate_bpm: float | None
    zones: tuple[ZoneTimes, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "time_s": round(self.time_s, 1),
            "distance_m": round(self.distance_m, 1),
            "elevation_gain_m": round(self.elevation_gain_m, 1),
            "pace_s_per_km": None if self.pace_s_per_km is None else round(self.pace_s_per_km),
            "kcal": round(self.kcal, 1),
            "kcal_low": round(self.kcal_low, 1),
            "kcal_high": round(self.kcal_high, 1),
            "avg_heart_rate_bpm": None if self.avg_heart_rate_bpm is None else round(self.avg_heart_rate_bpm),
            "zones": [z.to_dict() for z in self.zones],
        }


class _Columns:
    """Everything per sample, computed once per session."""

    def __init__(
        self, timeline: Timeline, labels: np.ndarray, body: Body, handrail: np.ndarray | None
    ) -> None:
        self.timeline = timeline
        self.dt = timeline.step_seconds()
        self.distance = step_distance(timeline, self.dt)
        grade = np.clip(np.nan_to_num(timeline.incline_pct, nan=0.0), 0.0, None) / 100.0
        self.climb = self.distance * grade
        energy = kcal_per_min(
            timeline.speed_kmh, timeline.incline_pct, labels == REVERSE, body.mass_kg, handrail
        )
        minutes = self.dt / 60.0
        self.low, self.mid, self.high = energy.low * minutes, energy.mid * minutes, energy.high * minutes
        keytel = keytel_kcal_per_min(timeline.heart_rate_bpm, body.mass_kg, body.age, body.sex) * minutes
        has_hr = np.isfinite(keytel)
        self.mid = np.where(has_hr, keytel, self.mid)
        self.low = np.where(has_hr, np.minimum(self.low, keytel), self.low)
        self.high = np.where(has_hr, np.maximum(self.high, keytel), self.high)
        self.bounds = {
            m: zone_bounds(
                m,
                age=body.age,
                resting_bpm=body.resting_hr_bpm,
                max_bpm=body.max_hr_bpm,
                maf_adjustment=body.maf_adjustment,
            )
            for m in METHODS
        }

    def stats(self, mask: np.ndarray) -> Stats:
        time_s = float(self.dt[mask].sum())
        distance = float(self.distance[mask].sum())
        hr = self.timeline.heart_rate_bpm[mask]
        known = np.isfinite(hr)
        return Stats(
            time_s=time_s,
            distance_m=distance,
            elevation_gain_m=float(self.climb[mask].sum()),
            pace_s_per_km=time_s / (distance / 1000.0) if distance >= 1.0 else None,
            kcal=float(self.mid[mask].sum()),
            kcal_low=float(self.low[mask].sum()),
            kcal_high=float(self.high[mask].sum()),
            avg_heart_rate_bpm=float(np.average(hr[known], weights=self.dt[mask][known]))
            if known.any() and self.dt[mask][known].sum() > 0
            else None,
            zones=tuple(zone_times(hr, self.dt[mask], m, b) for m, b in self.bounds.items()),
        )


def direction_stats(
    timeline: Timeline, labels: np.ndarray, body: Body, handrail: np.ndarray | None = None
) -> dict[str, Stats]:
    """Stats per direction (``forward``, ``reverse``, ``stopped``)."""
    columns = _Columns(timeline, labels, body, handrail)
    return {name: columns.stats(labels == code) for code, name in enumerate(DIRECTIONS)}


def interval_stats(
    timeline: Timeline,
    labels: np.ndarray,
    bounds: Sequence[tuple[int, int]],
    body: Body,
    handrail: np.ndarray | None = None,
) -> list[Stats]:
    """Stats per interval, each given as a [begin, end) sample-index range."""
    columns = _Columns(timeline, labels, body, handrail)
    out = []
    for begin, end in bounds:
        mask = np.zeros(len(timeline), dtype=bool)
        mask[begin:end] = True
        out.append(columns.stats(mask))
    return out

"""Per-interval and per-direction metrics: time, distance, elevation, pace, energy, heart rate, zones.

Pure numpy over a :class:`~treadmill.core.timeline.Timeline` and direction labels.
Time, distance and energy follow the same rules as the summary
(:mod:`treadmill.core.intervals`), so the two always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from treadmill.core.body import Body
from treadmill.core.intervals import PerSample, per_sample
from treadmill.core.timeline import CODE, DIRECTIONS, Timeline
from treadmill.core.zones import METHODS, ZoneTimes, zone_bounds, zone_times

__all__ = ["Stats", "direction_stats", "interval_stats"]


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

    def __init__(self, timeline: Timeline, body: Body, handrail: np.ndarray | None) -> None:
        self.timeline = timeline
        costs: PerSample = per_sample(timeline, body, handrail)
        self.dt, self.distance = costs.dt, costs.metres
        grade = np.clip(np.nan_to_num(timeline.incline_pct, nan=0.0), 0.0, None) / 100.0
        self.climb = self.distance * grade
        self.low, self.mid, self.high = costs.kcal_low, costs.kcal_mid, costs.kcal_high
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


def direction_stats(timeline: Timeline, body: Body, handrail: np.ndarray | None = None) -> dict[str, Stats]:
    """Stats per direction (forward, reverse, stopped, and unsure when there was any)."""
    columns = _Columns(timeline, body, handrail)
    present = set(timeline.labels.tolist())
    return {
        d.value: columns.stats(timeline.labels == CODE[d])
        for d in DIRECTIONS
        if d.value != "unsure" or CODE[d] in present
    }


def interval_stats(
    timeline: Timeline, bounds: Sequence[tuple[int, int]], body: Body, handrail: np.ndarray | None = None
) -> list[Stats]:
    """Stats per interval, each given as a [begin, end) sample-index range."""
    columns = _Columns(timeline, body, handrail)
    out = []
    for begin, end in bounds:
        mask = np.zeros(len(timeline), dtype=bool)
        mask[begin:end] = True
        out.append(columns.stats(mask))
    return out

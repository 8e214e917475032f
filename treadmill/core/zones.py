"""Heart-rate zones and Zone 2, by three methods (docs/physiology.md, "Heart-rate zones").

* ``max_hr``: five zones at 50/60/70/80/90-100 % of maximum heart rate; Zone 2 is 60-70 %.
* ``karvonen``: the same percentages of heart-rate reserve above resting (Karvonen, as ACSM
  uses it); Zone 2 is rest + 60-70 % of the reserve.
* ``maf``: Maffetone's MAF 180: the top of the aerobic zone is 180 - age (+ adjustment), and
  Zone 2 is the ten beats below it.

Pure numpy, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from treadmill.core.timeline import FloatArray

__all__ = ["METHODS", "ZoneTimes", "zone_bounds", "zone_times"]

METHODS = ("max_hr", "karvonen", "maf")
_PERCENTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class ZoneTimes:
    """Seconds in each of five zones, and in Zone 2 by this method."""

    method: str
    bounds_bpm: tuple[float, ...]
    """Six edges: zone k is [bounds[k-1], bounds[k]) for k = 1..5."""
    seconds: tuple[float, ...]
    zone2_s: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "bounds_bpm": [round(b) for b in self.bounds_bpm],
            "seconds": [round(s, 1) for s in self.seconds],
            "zone2_s": round(self.zone2_s, 1),
        }


def zone_bounds(
    method: str, *, age: float, resting_bpm: float, max_bpm: float, maf_adjustment: int = 0
) -> tuple[float, ...]:
    """Zone edges in bpm for ``method``."""
    if method == "max_hr":
        return tuple(p * max_bpm for p in _PERCENTS)
    if method == "karvonen":
        return tuple(resting_bpm + p * (max_bpm - resting_bpm) for p in _PERCENTS)
    if method == "maf":
        top = 180.0 - age + maf_adjustment
        return (top - 20.0, top - 10.0, top, top + 10.0, top + 20.0, max(max_bpm, top + 30.0))
    raise ValueError(f"unknown zone method {method!r}; known: {', '.join(METHODS)}")


def zone_times(
    heart_rate_bpm: FloatArray, seconds: FloatArray, method: str, bounds: tuple[float, ...]
) -> ZoneTimes:
    """Time in each zone (samples without heart rate count nowhere)."""
    known = np.isfinite(heart_rate_bpm)
    index = np.searchsorted(np.asarray(bounds[1:-1]), heart_rate_bpm[known], side="right")
    below = heart_rate_bpm[known] < bounds[0]
    per_zone = np.bincount(index[~below], weights=seconds[known][~below], minlength=5)
    return ZoneTimes(method, bounds, tuple(float(s) for s in per_zone[:5]), float(per_zone[1]))

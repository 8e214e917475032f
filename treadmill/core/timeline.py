"""A session's samples as numpy columns (one row per complete treadmill record)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from treadmill.session.decoding import Sample

__all__ = ["FloatArray", "Timeline"]

FloatArray = NDArray[np.float64]


def _column(samples: Sequence[Sample], name: str) -> FloatArray:
    return np.fromiter(
        (np.nan if (v := getattr(s, name)) is None else v for s in samples),
        dtype=np.float64,
        count=len(samples),
    )


@dataclass(frozen=True, slots=True)
class Timeline:
    """Columns of shape (n,), NaN where a sample has no value; ``t`` is non-decreasing."""

    t: FloatArray
    """Session time, s."""
    speed_kmh: FloatArray
    incline_pct: FloatArray
    distance_m: FloatArray
    """The treadmill's own distance counter (it may reset when the machine restarts)."""
    heart_rate_bpm: FloatArray
    cadence_per_min: FloatArray

    def __len__(self) -> int:
        """Number of samples."""
        return len(self.t)

    @classmethod
    def from_samples(cls, samples: Sequence[Sample]) -> Timeline:
        """Columns from samples in time order."""
        return cls(
            t=_column(samples, "t"),
            speed_kmh=_column(samples, "speed_kmh"),
            incline_pct=_column(samples, "incline_pct"),
            distance_m=_column(samples, "distance_m"),
            heart_rate_bpm=_column(samples, "heart_rate_bpm"),
            cadence_per_min=_column(samples, "cadence_per_min"),
        )

    def step_seconds(self, max_gap_s: float = 5.0) -> FloatArray:
        """Time each sample stands for: until the next one, at most ``max_gap_s`` (a gap is not exercise)."""
        if len(self.t) == 0:
            return np.zeros(0)
        dt = np.diff(self.t, append=self.t[-1])
        return np.clip(dt, 0.0, max_gap_s)

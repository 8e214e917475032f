"""A session's samples as numpy columns, growing as they arrive, with a direction label per row.

A whole session's directions are one int8 array of codes: the position of each
:class:`~treadmill.model.Direction` in the enum (:data:`CODE`, :data:`DIRECTIONS`).
:class:`TimelineBuilder` appends one sample at a time (amortised doubling, so a live session
and a replay build the same columns) and relabels the tail when the detector moves a switch
back to where the turn happened; :meth:`TimelineBuilder.view` hands out the filled part
without copying.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from treadmill.model import Direction, Sample

__all__ = ["CODE", "DIRECTIONS", "FloatArray", "LabelArray", "Timeline", "TimelineBuilder"]

FloatArray = NDArray[np.float64]
LabelArray = NDArray[np.int8]
DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
"""Direction by code."""
CODE: dict[Direction, int] = {direction: code for code, direction in enumerate(DIRECTIONS)}
"""Code by direction."""
_COLUMNS = ("t", "speed_kmh", "incline_pct", "distance_m", "heart_rate_bpm", "cadence_per_min")


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
    labels: LabelArray
    """The direction code of each sample."""

    def __len__(self) -> int:
        """Number of samples."""
        return len(self.t)

    def step_seconds(self, max_gap_s: float) -> FloatArray:
        """Time each sample stands for: until the next one, at most ``max_gap_s`` (a gap is not exercise)."""
        if len(self.t) == 0:
            return np.zeros(0)
        return np.clip(np.diff(self.t, append=self.t[-1]), 0.0, max_gap_s)

    @classmethod
    def from_samples(cls, samples: list[Sample]) -> Timeline:
        """Columns of samples already labelled (their ``direction``), in time order."""
        builder = TimelineBuilder()
        for sample in samples:
            builder.append(sample)
        return builder.view()


def _value(value: float | None) -> float:
    return np.nan if value is None else value


class TimelineBuilder:
    """A :class:`Timeline` that grows one sample at a time.

    Rows wait in a short Python list and go into the numpy columns a block at a time (when
    the timeline is read, relabelled, or the list is full): writing numpy cells one by one
    would cost more than the detector itself.
    """

    _BLOCK = 256

    def __init__(self, capacity: int = 1024) -> None:
        """Room for ``capacity`` samples to start with; it doubles as needed."""
        self._n = 0
        self._columns = {name: np.full(capacity, np.nan) for name in _COLUMNS}
        self._labels = np.zeros(capacity, dtype=np.int8)
        self._rows: list[tuple[float, float, float, float, float, float]] = []
        self._row_labels: list[int] = []
        self.version = 0
        """Changes whenever a row is added or relabelled (for caches of what is computed from it)."""

    def __len__(self) -> int:
        """Samples so far."""
        return self._n + len(self._rows)

    def append(self, sample: Sample, direction: Direction | None = None) -> None:
        """One more sample, labelled ``direction`` (None: the label it carries)."""
        self._rows.append(
            (
                sample.t,
                _value(sample.speed_kmh),
                _value(sample.incline_pct),
                _value(sample.distance_m),
                _value(sample.heart_rate_bpm or None),  # 0 is no reading (a treadmill nobody holds)
                _value(sample.cadence_per_min),
            )
        )
        self._row_labels.append(CODE[sample.direction if direction is None else direction])
        self.version += 1
        if len(self._rows) >= self._BLOCK:
            self._flush()

    def _flush(self) -> None:
        """Move the waiting rows into the columns."""
        rows = self._rows
        if not rows:
            return
        need = self._n + len(rows)
        if need > len(self._labels):
            size = max(need, 2 * len(self._labels))
            for name, column in self._columns.items():
                grown = np.full(size, np.nan)
                grown[: self._n] = column[: self._n]
                self._columns[name] = grown
            labels = np.zeros(size, dtype=np.int8)
            labels[: self._n] = self._labels[: self._n]
            self._labels = labels
        block = np.array(rows, dtype=np.float64)
        for index, name in enumerate(_COLUMNS):
            self._columns[name][self._n : need] = block[:, index]
        self._labels[self._n : need] = self._row_labels
        self._n = need
        self._rows, self._row_labels = [], []

    def relabel_since(self, t: float, direction: Direction) -> None:
        """Samples at or after ``t`` that were moving take ``direction`` (a switch moved back to its turn)."""
        self._flush()
        n = self._n
        start = int(np.searchsorted(self._columns["t"][:n], t, side="left"))
        tail = self._labels[start:n]
        tail[tail != CODE[Direction.STOPPED]] = CODE[direction]
        self.version += 1

    def relabel_unsure_since(self, t: float, direction: Direction) -> None:
        """Samples at or after ``t`` labelled unsure take ``direction`` (a transition resolved)."""
        self._flush()
        n = self._n
        start = int(np.searchsorted(self._columns["t"][:n], t, side="left"))
        tail = self._labels[start:n]
        tail[tail == CODE[Direction.UNSURE]] = CODE[direction]
        self.version += 1

    def view(self) -> Timeline:
        """The samples so far (views into the builder's arrays: read them, do not keep them)."""
        self._flush()
        n, columns = self._n, self._columns
        return Timeline(
            t=columns["t"][:n],
            speed_kmh=columns["speed_kmh"][:n],
            incline_pct=columns["incline_pct"][:n],
            distance_m=columns["distance_m"][:n],
            heart_rate_bpm=columns["heart_rate_bpm"][:n],
            cadence_per_min=columns["cadence_per_min"][:n],
            labels=self._labels[:n],
        )

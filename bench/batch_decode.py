"""Decode many Treadmill Data payloads at once into numpy columns.

Frames that share a flags word and a length share a :class:`~treadmill.ftms.treadmill_data.Layout`,
so each field of each such group is one numpy gather over the concatenated payloads: no
Python-level work per frame. A whole session has a handful of layouts; the cost is a
handful of vector operations per field.

Columns are float64 with NaN where a frame does not announce the field, marks it "not
available", or was cut before it. Split records stay as separate rows (``more_data``
marks the non-final parts); merge them with :class:`~treadmill.ftms.assembler.RecordAssembler`
when records matter more than frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from treadmill.ftms.treadmill_data import PaceFormat, Slot, TreadmillData, layout_for

__all__ = ["TreadmillBatch", "decode_treadmill_batch"]

_MAX_LENGTH = 0xFFFF


@dataclass(frozen=True, slots=True)
class TreadmillBatch:
    """Decoded columns for ``n`` payloads, row ``i`` for payload ``i``.

    Attributes:
        columns: one float64 array of shape (n,) per :attr:`TreadmillData.VALUE_FIELDS` name;
            fields no frame announces share one read-only all-NaN view.
        flags: uint16 flags words (0 for undecodable rows).
        valid: False for payloads too short to hold flags (their columns are all NaN).
        more_data: True for non-final parts of split records.
        truncated: True where a frame was cut before a field its flags announce.
        trailing_bytes: bytes after the last field, per frame.
    """

    columns: dict[str, NDArray[np.float64]]
    flags: NDArray[np.uint16]
    valid: NDArray[np.bool_]
    more_data: NDArray[np.bool_]
    truncated: NDArray[np.bool_]
    trailing_bytes: NDArray[np.int64]

    def __len__(self) -> int:
        """Number of rows."""
        return len(self.flags)


def _gather(buf: NDArray[np.uint8], base: NDArray[np.int64], slot: Slot) -> NDArray[np.int64]:
    """The raw integer of ``slot`` in every frame starting at ``base``."""
    start = base + slot.offset
    raw = buf[start].astype(np.int64)
    for byte in range(1, slot.field.size):
        raw |= buf[start + byte].astype(np.int64) << (8 * byte)
    if slot.field.signed:
        bits = 8 * slot.field.size
        raw = np.where(raw >= 1 << (bits - 1), raw - (1 << bits), raw)
    return raw


def _values(raw: NDArray[np.int64], slot: Slot) -> NDArray[np.float64]:
    """Scaled values, NaN for sentinels (the vector twin of ``TreadmillData.from_bytes``)."""
    if slot.pace is PaceFormat.UINT16_S_PER_500M:
        return (2 * raw).astype(np.float64)
    if slot.pace is PaceFormat.UINT8_KM_PER_MIN:
        with np.errstate(divide="ignore"):
            return np.where(raw > 0, 600.0 / np.maximum(raw, 1), np.nan)
    values = raw / slot.field.divisor if slot.field.divisor != 1 else raw.astype(np.float64)
    if slot.field.sentinels:
        values = np.where(np.isin(raw, slot.field.sentinels), np.nan, values)
    return values


def decode_treadmill_batch(payloads: Sequence[bytes]) -> TreadmillBatch:
    """Decode every payload; never raises for bad frames (they come back invalid or truncated)."""
    n = len(payloads)
    lengths = np.fromiter(map(len, payloads), dtype=np.int64, count=n)
    buf = np.frombuffer(b"".join(payloads), dtype=np.uint8)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    valid = lengths >= 2
    flags = np.zeros(n, dtype=np.int64)
    rows_ok = np.flatnonzero(valid)
    flags[rows_ok] = buf[starts[rows_ok]].astype(np.int64) | buf[starts[rows_ok] + 1].astype(np.int64) << 8

    columns: dict[str, NDArray[np.float64]] = {}
    truncated = np.zeros(n, dtype=bool)
    trailing = np.zeros(n, dtype=np.int64)
    keys = flags[rows_ok] << 16 | np.minimum(lengths[rows_ok], _MAX_LENGTH)
    if len(keys) and bool(np.all(keys == keys[0])):
        groups: list[tuple[int, NDArray[np.int64]]] = [(int(keys[0]), rows_ok)]
    else:
        unique, inverse = np.unique(keys, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(unique) + 1))
        groups = [(int(key), rows_ok[order[bounds[i] : bounds[i + 1]]]) for i, key in enumerate(unique)]
    for key, rows in groups:
        layout = layout_for(key >> 16, key & _MAX_LENGTH)
        base = starts[rows]
        for slot in layout.slots:
            column = columns.get(slot.field.name)
            if column is None:
                column = columns[slot.field.name] = np.full(n, np.nan)
            column[rows] = _values(_gather(buf, base, slot), slot)
        truncated[rows] = bool(layout.diagnostics.truncated)
        trailing[rows] = layout.diagnostics.trailing_bytes
    absent = np.broadcast_to(np.float64(np.nan), (n,))  # read-only, shared, no memory
    return TreadmillBatch(
        columns={name: columns.get(name, absent) for name in TreadmillData.VALUE_FIELDS},
        flags=flags.astype(np.uint16),
        valid=valid,
        more_data=valid & (flags & 1).astype(bool),
        truncated=truncated,
        trailing_bytes=trailing,
    )

"""Split Treadmill Data records: merging parts on receipt, splitting them to send.

A record that does not fit one notification goes out in parts: every part but the last
has More Data (bit 0) set and no speed, the last carries the speed (FTMS v1.0.1 §4.1,
§4.4.1.2, §4.19). Matrix and Technogym machines do this (docs/ftms-codecs.md).

:class:`RecordAssembler` merges parts and never raises: undecodable payloads are counted,
and a pending half-record is dropped (and counted) when the link resets, when a part
repeats a field the pending parts already hold (its final part was lost), or when more
parts pile up than any real record needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from treadmill.errors import EncodeError, FrameError
from treadmill.ftms.treadmill_data import FIELD_GROUPS, STEP_COUNT_BIT, FieldGroup, TreadmillData

__all__ = ["AssemblerStats", "RecordAssembler", "merge_parts", "split_at", "split_record"]

MAX_PARTS = 4
"""A full record is at most 39 bytes: three 20-byte notifications hold it; allow one more."""
_SPEED = FIELD_GROUPS[0]
_OTHER_GROUPS = FIELD_GROUPS[1:]
_GROUP_BITS = sum(1 << g.bit for g in _OTHER_GROUPS) | STEP_COUNT_BIT


@dataclass(slots=True)
class AssemblerStats:
    """Counters for what the assembler could not use."""

    records: int = 0
    """Complete records returned."""
    bad_frames: int = 0
    """Payloads too short to decode at all."""
    dropped_parts: int = 0
    """More Data parts thrown away without their final part."""


def merge_parts(parts: Sequence[TreadmillData]) -> TreadmillData:
    """One record from its parts, in arrival order (the final part last)."""
    values: dict[str, Any] = {}
    flags = 0
    diagnostics = parts[0].diagnostics
    for index, part in enumerate(parts):
        flags |= part.flags
        if index:
            diagnostics = diagnostics.merged(part.diagnostics)
        for name in part.present_fields():
            values[name] = getattr(part, name)
    final = parts[-1]
    flags = flags & ~1 | final.flags & 1
    pace = next((p.pace_format for p in parts if p.flags & 0x60), final.pace_format)
    return TreadmillData(**values, pace_format=pace, diagnostics=diagnostics, wire_flags=flags)


class RecordAssembler:
    """Feeds Treadmill Data payloads in, gets whole records out.

    Example::

        assembler = RecordAssembler()
        for payload in notifications:
            if (record := assembler.feed(payload)) is not None:
                handle(record)
    """

    def __init__(self) -> None:
        """Start with nothing pending."""
        self._pending: list[TreadmillData] = []
        self._pending_bits = 0
        self.stats = AssemblerStats()

    @property
    def pending(self) -> int:
        """How many parts are waiting for their final part."""
        return len(self._pending)

    def feed(self, payload: bytes) -> TreadmillData | None:
        """Decode one payload; return a record when one is complete, else None."""
        try:
            part = TreadmillData.from_bytes(payload)
        except FrameError:
            self.stats.bad_frames += 1
            return None
        return self.feed_record(part)

    def feed_record(self, part: TreadmillData) -> TreadmillData | None:
        """Like :meth:`feed` for a part that is already decoded."""
        bits = part.flags & _GROUP_BITS
        if self._pending and (bits & self._pending_bits or len(self._pending) >= MAX_PARTS):
            self.reset()
        if part.more_data:
            self._pending.append(part)
            self._pending_bits |= bits
            return None
        record = merge_parts([*self._pending, part]) if self._pending else part
        self._pending.clear()
        self._pending_bits = 0
        self.stats.records += 1
        return record

    def reset(self) -> None:
        """Drop a half-merged record (call on disconnect: §4.18 discards it)."""
        self.stats.dropped_parts += len(self._pending)
        self._pending.clear()
        self._pending_bits = 0


def _group_size(record: TreadmillData, group: FieldGroup) -> int:
    if group.bit in (5, 6):
        return record.pace_format.value
    return sum(f.size for f in group.fields)


def _part(record: TreadmillData, groups: Sequence[FieldGroup], *, final: bool) -> TreadmillData:
    names = [f.name for g in groups for f in g.fields]
    flags = sum(1 << g.bit for g in groups if g.bit)
    if final:
        names.append(_SPEED.fields[0].name)
        if record.flags & STEP_COUNT_BIT and record.step_count is not None:
            names.append("step_count")
            flags |= STEP_COUNT_BIT
    else:
        flags |= 1
    values: dict[str, Any] = {name: getattr(record, name) for name in names}
    return TreadmillData(**values, pace_format=record.pace_format, wire_flags=flags)


def _present_groups(record: TreadmillData) -> list[FieldGroup]:
    return [g for g in _OTHER_GROUPS if record.flags & 1 << g.bit]


def split_at(record: TreadmillData, first: int) -> list[TreadmillData]:
    """Two parts: the first ``first`` field groups, then the rest with the speed."""
    groups = _present_groups(record)
    return [_part(record, groups[:first], final=False), _part(record, groups[first:], final=True)]


def split_record(record: TreadmillData, max_payload: int = 20) -> list[TreadmillData]:
    """Parts of at most ``max_payload`` bytes each (20 = the default ATT MTU of 23, less 3).

    Groups are packed in wire order; the speed (and the step count) go in the last part.
    A record that fits comes back as the only part.
    """
    if record.more_data:
        raise EncodeError("instantaneous_speed_kmh", "a record to split needs its speed")
    tail = 2 + (3 if record.flags & STEP_COUNT_BIT and record.step_count is not None else 0)
    parts: list[list[FieldGroup]] = [[]]
    size = 2
    for group in _present_groups(record):
        need = _group_size(record, group)
        if 2 + need > max_payload:
            raise EncodeError(group.fields[0].name, f"does not fit a {max_payload}-byte part")
        if size + need > max_payload:
            parts.append([])
            size = 2
        parts[-1].append(group)
        size += need
    if size + tail > max_payload:
        parts.append([])
    return [_part(record, groups, final=i == len(parts) - 1) for i, groups in enumerate(parts)]

"""Treadmill Data 0x2ACD (FTMS v1.0.1 §4.9, flags Table 4.5; field formats GSS ``treadmill_data``).

A notification is a uint16 flags word followed by the fields its flags announce, in a
fixed order. Real treadmills bend the rules, and this decoder absorbs them
(docs/ftms-codecs.md):

* bit 0 (More Data) is inverted: 0 means Instantaneous Speed is present and this is the
  last part of a record; split records are merged by :mod:`treadmill.ftms.assembler`;
* a frame shorter than its flags promise keeps every field that fit, and
  :attr:`Diagnostics.truncated` names the rest (Matrix machines cut at 20 bytes);
* bytes after the last announced field are tolerated and counted;
* RFU bit 13 with exactly three bytes left is the de-facto uint24 step count (KingSmith,
  Urevo, CITYSPORTS); other RFU bits are kept in ``flags`` and reported;
* "data not available" sentinels become None: 0x7FFF on the sint16 fields, 0xFFFF and 0xFF
  on energy, and 0xFFFF / 0x7FFF on elevation gain, which has no sentinel in the spec but
  carries one on Life Fitness and Matrix machines;
* pace (bits 5 and 6) is uint8 km/min x 0.1 in the 2017 GATT XML that shipped firmware
  follows, and uint16 "seconds per 500 m" in the current GSS. The width is chosen by the
  frame length; when the length cannot tell, uint8 wins and a note says so (§2.3).

Decoding compiles one :class:`Layout` per (flags, length) pair and caches it, so a stream
of same-shaped frames costs one ``struct.unpack_from`` each; the batch decoder gathers the
same offsets with numpy.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import struct
from collections.abc import Sequence
from dataclasses import InitVar, dataclass
from typing import Any, ClassVar

from treadmill.errors import EncodeError, FrameError
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field
from treadmill.ftms.uuids import TREADMILL_DATA

__all__ = [
    "FIELD_GROUPS",
    "FieldGroup",
    "Layout",
    "PaceFormat",
    "Slot",
    "TreadmillData",
    "layout_for",
]

CHAR = TREADMILL_DATA
STEP_COUNT_BIT = 1 << 13
"""De-facto RFU extension: a uint24 step count after every standard field (§9)."""
STEP_COUNT = Field("step_count", "u24")


class PaceFormat(enum.IntEnum):
    """How the two pace fields are laid out (docs/ftms-codecs.md, "Pace width").

    The value is the field width in bytes.
    """

    UINT8_KM_PER_MIN = 1
    """2017 GATT XML: uint8, km/min with 0.1 resolution; s/km = 600 / raw."""
    UINT16_S_PER_500M = 2
    """Current GSS: uint16, seconds per 500 m; s/km = 2 * raw."""


@dataclass(frozen=True, slots=True)
class FieldGroup:
    """Fields announced together by one flag bit (Table 4.5)."""

    bit: int
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the fields in wire order."""
        return tuple(f.name for f in self.fields)


_ELEVATION_NA = (0xFFFF, 0x7FFF)
_PACE_BITS = (5, 6)

FIELD_GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup(0, (Field("instantaneous_speed_kmh", "u16", 100),)),
    FieldGroup(1, (Field("average_speed_kmh", "u16", 100),)),
    FieldGroup(2, (Field("total_distance_m", "u24"),)),
    FieldGroup(
        3,
        (
            Field("inclination_pct", "s16", 10, (0x7FFF,)),
            Field("ramp_angle_deg", "s16", 10, (0x7FFF,)),
        ),
    ),
    FieldGroup(
        4,
        (
            Field("positive_elevation_gain_m", "u16", 10, _ELEVATION_NA),
            Field("negative_elevation_gain_m", "u16", 10, _ELEVATION_NA),
        ),
    ),
    # Pace fields: the kind here is a placeholder; Layout picks the width per frame.
    FieldGroup(5, (Field("instantaneous_pace_s_per_km", "u8"),)),
    FieldGroup(6, (Field("average_pace_s_per_km", "u8"),)),
    FieldGroup(
        7,
        (
            Field("total_energy_kcal", "u16", 1, (0xFFFF,)),
            Field("energy_per_hour_kcal", "u16", 1, (0xFFFF,)),
            Field("energy_per_minute_kcal", "u8", 1, (0xFF,)),
        ),
    ),
    FieldGroup(8, (Field("heart_rate_bpm", "u8"),)),
    FieldGroup(9, (Field("metabolic_equivalent", "u8", 10),)),
    FieldGroup(10, (Field("elapsed_time_s", "u16"),)),
    FieldGroup(11, (Field("remaining_time_s", "u16"),)),
    FieldGroup(
        12,
        (
            Field("force_on_belt_n", "s16", 1, (0x7FFF,)),
            Field("power_output_w", "s16", 1, (0x7FFF,)),
        ),
    ),
)
_STANDARD_BITS = sum(1 << g.bit for g in FIELD_GROUPS)
_RFU_BITS = 0xFFFF & ~_STANDARD_BITS


def _group_present(flags: int, group: FieldGroup) -> bool:
    present = bool(flags & (1 << group.bit))
    return not present if group.bit == 0 else present


def _pace_field(name: str, pace: PaceFormat) -> Field:
    return Field(name, "u8" if pace is PaceFormat.UINT8_KM_PER_MIN else "u16")


def pace_to_s_per_km(raw: int, pace: PaceFormat) -> float | None:
    """Convert a raw pace value to seconds per km (None for a zero legacy pace: standing)."""
    if pace is PaceFormat.UINT16_S_PER_500M:
        return float(2 * raw)
    return 600.0 / raw if raw else None


def pace_from_s_per_km(value: float | None, pace: PaceFormat) -> int:
    """Inverse of :func:`pace_to_s_per_km`."""
    if pace is PaceFormat.UINT16_S_PER_500M:
        if value is None:
            raise EncodeError("pace", "uint16 pace has no 'not available' value")
        return round(value / 2)
    return 0 if value is None else round(600.0 / value)


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one field sits in frames of one layout."""

    field: Field
    offset: int
    pace: PaceFormat | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where every field sits in a frame of a given flags word and length.

    Attributes:
        flags: the frame's flags word.
        length: the frame's length in bytes.
        slots: the fields that fit, in wire order (step count last when present).
        pace: the pace format chosen for this frame.
        diagnostics: truncation, trailing bytes and notes that hold for every such frame.
    """

    flags: int
    length: int
    slots: tuple[Slot, ...]
    pace: PaceFormat
    diagnostics: Diagnostics
    unpacker: struct.Struct = dataclasses.field(repr=False, compare=False)
    steps: tuple[tuple[str, int, int, int, tuple[int, ...]], ...] = dataclasses.field(
        repr=False, compare=False
    )


def _standard_size(flags: int, pace: PaceFormat) -> int:
    size = 2
    for group in FIELD_GROUPS:
        if _group_present(flags, group):
            size += pace.value if group.bit in _PACE_BITS else sum(f.size for f in group.fields)
    return size


def _choose_pace(flags: int, length: int) -> tuple[PaceFormat, tuple[str, ...]]:
    """Pick the pace width whose total length matches the frame (docs/ftms-codecs.md, "Pace width")."""
    if not any(flags & (1 << bit) for bit in _PACE_BITS):
        return PaceFormat.UINT8_KM_PER_MIN, ()
    extra = (0, 3) if flags & STEP_COUNT_BIT else (0,)
    fits = [p for p in PaceFormat if any(_standard_size(flags, p) + e == length for e in extra)]
    if len(fits) == 1:
        return fits[0], ()
    note = "pace_width_ambiguous" if fits else "pace_width_guessed"
    return PaceFormat.UINT8_KM_PER_MIN, (note,)


@functools.lru_cache(maxsize=4096)
def layout_for(flags: int, length: int) -> Layout:
    """Compile (and cache) the layout of frames with these flags and this length."""
    pace, notes = _choose_pace(flags, length)
    slots: list[Slot] = []
    truncated: list[str] = []
    offset = 2
    for group in FIELD_GROUPS:
        if not _group_present(flags, group):
            continue
        is_pace = group.bit in _PACE_BITS
        for field in group.fields:
            wire = _pace_field(field.name, pace) if is_pace else field
            if truncated or offset + wire.size > length:
                truncated.append(field.name)
                continue
            slots.append(Slot(wire, offset, pace if is_pace else None))
            offset += wire.size
    # Bytes of a field that was cut part-way belong to it, not to the trailer.
    trailing = 0 if truncated else length - offset
    rfu = flags & _RFU_BITS
    if rfu & STEP_COUNT_BIT and not truncated and trailing == STEP_COUNT.size:
        slots.append(Slot(STEP_COUNT, offset))
        trailing = 0
        rfu &= ~STEP_COUNT_BIT
    if rfu:
        notes += (f"rfu_flags_0x{rfu:04x}",)
    diagnostics = Diagnostics(tuple(truncated), trailing, notes)
    if not diagnostics:
        diagnostics = NO_DIAGNOSTICS
    return Layout(flags, length, tuple(slots), pace, diagnostics, *_compile(slots))


_KIND_STRUCT = {"u8": "B", "u16": "H", "s16": "h", "u24": "HB"}
_PLAIN, _U24, _PACE8, _PACE16 = 0, 1, 2, 3


def _compile(
    slots: Sequence[Slot],
) -> tuple[struct.Struct, tuple[tuple[str, int, int, int, tuple[int, ...]], ...]]:
    """One ``struct.Struct`` for the whole frame and, per field, how to finish its value."""
    fmt = "<2x"
    steps = []
    index = 0
    for slot in slots:
        field = slot.field
        if slot.pace is not None:
            how = _PACE8 if slot.pace is PaceFormat.UINT8_KM_PER_MIN else _PACE16
        else:
            how = _U24 if field.kind == "u24" else _PLAIN
        steps.append((field.name, index, how, field.divisor, field.sentinels))
        fmt += _KIND_STRUCT[field.kind]
        index += 2 if field.kind == "u24" else 1
    return struct.Struct(fmt), tuple(steps)


@dataclass(frozen=True, slots=True)
class TreadmillData:
    """One Treadmill Data notification, or a merged record (FTMS v1.0.1 §4.9).

    Every value field is None when its flag is absent, when the device sent "not
    available", or when the frame was cut before it; ``flags`` says which were announced
    and :attr:`diagnostics` which were cut. Build one with the values you have and the
    flags follow (``TreadmillData(instantaneous_speed_kmh=5.0, total_distance_m=120)``);
    a group whose every value is "not available" needs ``wire_flags`` to be announced.
    """

    instantaneous_speed_kmh: float | None = None
    """Belt speed, km/h (0.01 resolution). None in the non-final parts of a split record."""
    average_speed_kmh: float | None = None
    """Average speed since the start of the training session, km/h."""
    total_distance_m: int | None = None
    """Distance since the start of the session, m (uint24)."""
    inclination_pct: float | None = None
    """Incline, % (0.1); negative is downhill."""
    ramp_angle_deg: float | None = None
    """Ramp angle, degrees (0.1)."""
    positive_elevation_gain_m: float | None = None
    """Positive elevation gain, m (0.1)."""
    negative_elevation_gain_m: float | None = None
    """Negative elevation gain, m (0.1)."""
    instantaneous_pace_s_per_km: float | None = None
    """Instantaneous pace, s/km, converted from the format in :attr:`pace_format`."""
    average_pace_s_per_km: float | None = None
    """Average pace, s/km."""
    total_energy_kcal: int | None = None
    """Energy since the start of the session, kcal."""
    energy_per_hour_kcal: int | None = None
    """Energy rate, kcal/h."""
    energy_per_minute_kcal: int | None = None
    """Energy rate, kcal/min."""
    heart_rate_bpm: int | None = None
    """Heart rate measured by the treadmill (hand grips or a paired strap), bpm."""
    metabolic_equivalent: float | None = None
    """Metabolic equivalent, MET (0.1)."""
    elapsed_time_s: int | None = None
    """Time since the start of the training session, s."""
    remaining_time_s: int | None = None
    """Time left in the programme, s."""
    force_on_belt_n: int | None = None
    """Force on belt, N; positive when the user accelerates the belt (not a direction)."""
    power_output_w: int | None = None
    """Power output, W."""
    step_count: int | None = None
    """Steps since the start of the session: the de-facto RFU bit 13 extension (§9)."""
    pace_format: PaceFormat = PaceFormat.UINT8_KM_PER_MIN
    """Pace layout on the wire; matters only when a pace field is present."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)
    """What the decoder noticed (truncation, trailing bytes, RFU bits). Not compared."""
    flags: int = dataclasses.field(init=False)
    """The flags word on the wire."""
    wire_flags: InitVar[int | None] = None

    VALUE_FIELDS: ClassVar[tuple[str, ...]] = (
        *(f.name for g in FIELD_GROUPS for f in g.fields),
        "step_count",
    )

    def __post_init__(self, wire_flags: int | None) -> None:
        """Derive the flags from the values unless the wire's own flags were given."""
        if wire_flags is None:
            wire_flags = self.derive_flags()
        object.__setattr__(self, "flags", wire_flags)

    def derive_flags(self) -> int:
        """The flags word that announces exactly the values that are set."""
        flags = 0
        for group in FIELD_GROUPS:
            has = any(getattr(self, f.name) is not None for f in group.fields)
            if group.bit == 0:
                has = not has
            if has:
                flags |= 1 << group.bit
        if self.step_count is not None:
            flags |= STEP_COUNT_BIT
        return flags

    @property
    def more_data(self) -> bool:
        """True for a non-final part of a split record (bit 0 set: no speed here)."""
        return bool(self.flags & 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> TreadmillData:
        """Decode one notification; raise :class:`FrameError` only below two bytes."""
        if len(data) < 2:
            raise FrameError(CHAR, "too short for flags", len(data))
        layout = layout_for(data[0] | data[1] << 8, len(data))
        raw = layout.unpacker.unpack_from(data)
        values: dict[str, Any] = {}  # field name -> value, matched to the signature by name
        for name, index, how, divisor, sentinels in layout.steps:
            value = raw[index]
            if how == _U24:
                value |= raw[index + 1] << 16
            elif how == _PACE8:
                values[name] = 600.0 / value if value else None
                continue
            elif how == _PACE16:
                values[name] = float(2 * value)
                continue
            if value in sentinels:
                values[name] = None
            else:
                values[name] = value if divisor == 1 else value / divisor
        return cls(
            **values,
            pace_format=layout.pace,
            diagnostics=layout.diagnostics,
            wire_flags=layout.flags,
        )

    def __bytes__(self) -> bytes:
        """Encode; fields the decoder found cut off are left out again."""
        parts = [self.flags.to_bytes(2, "little")]
        cut = set(self.diagnostics.truncated)
        for group in FIELD_GROUPS:
            if not _group_present(self.flags, group):
                continue
            for field in group.fields:
                if field.name in cut:
                    return b"".join(parts)
                value = getattr(self, field.name)
                if group.bit in _PACE_BITS:
                    wire = _pace_field(field.name, self.pace_format)
                    parts.append(wire.pack(pace_from_s_per_km(value, self.pace_format)))
                else:
                    parts.append(field.pack(value))
        if self.flags & STEP_COUNT_BIT and self.step_count is not None:
            parts.append(STEP_COUNT.pack(self.step_count))
        return b"".join(parts)

    def present_fields(self) -> tuple[str, ...]:
        """Names of the fields the flags announce (cut ones included), in wire order."""
        names = [n for g in FIELD_GROUPS if _group_present(self.flags, g) for n in g.names]
        if self.step_count is not None:
            names.append(STEP_COUNT.name)
        return tuple(names)

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill decode 2acd`` object (docs/formats.md)."""
        out: dict[str, object] = {"flags": self.flags, "more_data": self.more_data}
        for name in self.present_fields():
            out[name] = getattr(self, name)
        if any(self.flags & (1 << bit) for bit in _PACE_BITS):
            out["pace_format"] = self.pace_format.name.lower()
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out

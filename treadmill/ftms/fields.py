"""Wire fields shared by every codec: little-endian integers with a scale and sentinels.

All GATT characteristics handled here are little-endian (Bluetooth Core Vol 3 Part G
§3.3.3.5 and the GSS field definitions). A :class:`Field` names one value, its integer
format, the divisor that turns the raw integer into the unit in its name, and the raw
values that mean "data not available" (FTMS v1.0.1 §4.4.1: 0x7FFF for the sint16
fields, 0xFFFF / 0xFF for energy).
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from treadmill.errors import EncodeError

__all__ = [
    "NO_DIAGNOSTICS",
    "Diagnostics",
    "Field",
    "Value",
    "enum_name",
    "read_fields",
    "write_fields",
]

Value = int | float | None
"""A decoded scalar: an int for unscaled fields, a float for scaled ones, None for N/A."""

_STRUCT = {"u8": "B", "s8": "b", "u16": "H", "s16": "h", "u32": "I", "s32": "i"}
_SIZE = {"u8": 1, "s8": 1, "u16": 2, "s16": 2, "u24": 3, "u32": 4, "s32": 4}


@dataclass(frozen=True, slots=True)
class Field:
    """One fixed-width little-endian integer field.

    Attributes:
        name: key in decoded output, with its unit (``instantaneous_speed_kmh``).
        kind: ``u8``, ``s8``, ``u16``, ``s16``, ``u24``, ``u32`` or ``s32``.
        divisor: raw / divisor = value; 1 keeps the value an integer.
        sentinels: raw values meaning "not available"; the first is written for None.
    """

    name: str
    kind: str
    divisor: int = 1
    sentinels: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        """Width on the wire, in bytes."""
        return _SIZE[self.kind]

    @property
    def signed(self) -> bool:
        """True for two's-complement fields."""
        return self.kind.startswith("s")

    def convert(self, raw: int) -> Value:
        """Turn a raw integer into its value (None for a sentinel)."""
        if raw in self.sentinels:
            return None
        return raw if self.divisor == 1 else raw / self.divisor

    def unpack(self, data: bytes, offset: int) -> Value:
        """Read this field at ``offset``; the caller has checked the length."""
        if self.kind == "u24":
            raw = int.from_bytes(data[offset : offset + 3], "little")
        else:
            raw = struct.unpack_from("<" + _STRUCT[self.kind], data, offset)[0]
        return self.convert(raw)

    def pack(self, value: Value) -> bytes:
        """Encode ``value``; raise :class:`EncodeError` when it does not fit."""
        if value is None:
            if not self.sentinels:
                raise EncodeError(self.name, "no 'not available' value in this format")
            raw = self.sentinels[0]
        else:
            raw = round(value * self.divisor)
        bits = self.size * 8
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed else (0, (1 << bits) - 1)
        if not low <= raw <= high:
            raise EncodeError(self.name, f"{value} is outside the {self.kind} range")
        if value is not None and raw in self.sentinels:
            raise EncodeError(self.name, f"{value} collides with the 'not available' value")
        return raw.to_bytes(self.size, "little", signed=self.signed)


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """What a tolerant decoder noticed about a payload (FTMS notes §2.4, §9).

    Attributes:
        truncated: fields the flags announced but the payload was too short for.
        trailing_bytes: bytes left over after every announced field.
        notes: other findings, as short snake_case tags (``pace_width_ambiguous``).
    """

    truncated: tuple[str, ...] = ()
    trailing_bytes: int = 0
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when there is anything to report."""
        return bool(self.truncated or self.trailing_bytes or self.notes)

    def merged(self, other: Diagnostics) -> Diagnostics:
        """Both reports in one (used when split records are merged)."""
        return Diagnostics(
            self.truncated + other.truncated,
            self.trailing_bytes + other.trailing_bytes,
            self.notes + tuple(n for n in other.notes if n not in self.notes),
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, only the keys that have something to say."""
        out: dict[str, object] = {}
        if self.truncated:
            out["truncated"] = list(self.truncated)
        if self.trailing_bytes:
            out["trailing_bytes"] = self.trailing_bytes
        if self.notes:
            out["notes"] = list(self.notes)
        return out


NO_DIAGNOSTICS = Diagnostics()


def read_fields(
    fields: Sequence[Field], data: bytes, offset: int
) -> tuple[dict[str, Value], int, tuple[str, ...]]:
    """Read ``fields`` in order from ``offset``, keeping every one that fits.

    Returns:
        The values read, the offset after the last one, and the names of the
        fields that did not fit (the first of them and everything after it).
    """
    values: dict[str, Value] = {}
    for index, field in enumerate(fields):
        if offset + field.size > len(data):
            return values, offset, tuple(f.name for f in fields[index:])
        values[field.name] = field.unpack(data, offset)
        offset += field.size
    return values, offset, ()


def write_fields(fields: Iterable[Field], values: Mapping[str, Value]) -> bytes:
    """Encode ``values`` for ``fields`` in order (a missing name is "not available")."""
    return b"".join(field.pack(values.get(field.name)) for field in fields)


def enum_name(enum_type: type[enum.IntEnum], value: int) -> str:
    """The snake_case name of ``value``, or ``unknown_<value>`` for values the spec reserves."""
    try:
        return enum_type(value).name.lower()
    except ValueError:
        return f"unknown_{value}"

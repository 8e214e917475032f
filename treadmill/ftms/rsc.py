"""RSC Measurement 0x2A53 (Running Speed and Cadence Service 1.0 §3.1; GSS ``rsc_measurement``).

Footpods (and some treadmills) send it. Flags (uint8): bit 0 stride length present,
bit 1 total distance present, bit 2 walking (0) / running (1). Then speed (uint16,
1/256 m/s), cadence (uint8, steps per minute), [stride length (uint16, 0.01 m)],
[total distance (uint32, 0.1 m)]. The running bit is unreliable on treadmills.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from treadmill.errors import FrameError
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field, read_fields, write_fields
from treadmill.ftms.uuids import RSC_MEASUREMENT

__all__ = ["RSCMeasurement"]

CHAR = RSC_MEASUREMENT
_STRIDE = 0x01
_DISTANCE = 0x02
_RUNNING = 0x04
_MANDATORY = (Field("instantaneous_speed_mps", "u16", 256), Field("instantaneous_cadence_per_min", "u8"))
_STRIDE_FIELD = Field("stride_length_m", "u16", 100)
_DISTANCE_FIELD = Field("total_distance_m", "u32", 10)


def _optional_fields(flags: int) -> tuple[Field, ...]:
    return (_STRIDE_FIELD,) * bool(flags & _STRIDE) + (_DISTANCE_FIELD,) * bool(flags & _DISTANCE)


@dataclass(frozen=True, slots=True)
class RSCMeasurement:
    """One footpod notification."""

    instantaneous_speed_mps: float
    instantaneous_cadence_per_min: int
    """Step rate (both feet), per minute."""
    stride_length_m: float | None = None
    total_distance_m: float | None = None
    running: bool = False
    rfu_flags: int = 0
    """Flag bits 3-7, reserved; kept so that the frame encodes back unchanged."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    @property
    def flags(self) -> int:
        """The flags byte."""
        return (
            (_STRIDE if self.stride_length_m is not None else 0)
            | (_DISTANCE if self.total_distance_m is not None else 0)
            | (_RUNNING if self.running else 0)
            | self.rfu_flags
        )

    @property
    def instantaneous_speed_kmh(self) -> float:
        """Speed in km/h."""
        return self.instantaneous_speed_mps * 3.6

    @classmethod
    def from_bytes(cls, data: bytes) -> RSCMeasurement:
        """Decode; speed and cadence are mandatory, the optional fields are kept if they fit."""
        if len(data) < 4:
            raise FrameError(CHAR, "too short for speed and cadence", len(data))
        flags = data[0]
        values, offset, _ = read_fields(_MANDATORY, data, 1)
        extra, offset, cut = read_fields(_optional_fields(flags), data, offset)
        trailing = 0 if cut else len(data) - offset
        return cls(
            values["instantaneous_speed_mps"],  # type: ignore[arg-type]
            values["instantaneous_cadence_per_min"],  # type: ignore[arg-type]
            extra.get("stride_length_m"),
            extra.get("total_distance_m"),
            bool(flags & _RUNNING),
            flags & 0xF8,
            Diagnostics(cut, trailing) if (cut or trailing) else NO_DIAGNOSTICS,
        )

    def __bytes__(self) -> bytes:
        """Encode the notification."""
        values = {f.name: getattr(self, f.name) for f in (*_MANDATORY, _STRIDE_FIELD, _DISTANCE_FIELD)}
        fields = _MANDATORY + _optional_fields(self.flags)
        return bytes((self.flags,)) + write_fields(fields, values)

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill decode 2a53`` object (docs/formats.md)."""
        out: dict[str, object] = {
            "flags": self.flags,
            "instantaneous_speed_mps": self.instantaneous_speed_mps,
            "instantaneous_speed_kmh": self.instantaneous_speed_kmh,
            "instantaneous_cadence_per_min": self.instantaneous_cadence_per_min,
            "running": self.running,
        }
        for field in (_STRIDE_FIELD, _DISTANCE_FIELD):
            if getattr(self, field.name) is not None or field.name in self.diagnostics.truncated:
                out[field.name] = getattr(self, field.name)
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out

"""Heart Rate Measurement 0x2A37 (Heart Rate Service 1.0 §3.1; GSS ``heart_rate_measurement``).

Flags (uint8): bit 0 value format (uint8 / uint16 bpm), bits 1-2 sensor contact, bit 3
Energy Expended (uint16 kJ), bit 4 RR-Intervals (uint16 each, 1/1024 s, oldest first).
"""

from __future__ import annotations

import dataclasses
import enum
import struct
from dataclasses import dataclass

from treadmill.errors import EncodeError, FrameError
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics
from treadmill.ftms.uuids import HEART_RATE_MEASUREMENT

__all__ = ["HeartRateMeasurement", "SensorContact"]

CHAR = HEART_RATE_MEASUREMENT
_UINT16 = 0x01
_CONTACT_SHIFT = 1
_ENERGY = 0x08
_RR = 0x10
RR_RESOLUTION = 1024
"""RR intervals are counted in 1/1024 s."""


class SensorContact(enum.IntEnum):
    """Sensor contact status, flag bits 1-2 (0 and 1 both mean "not supported")."""

    NOT_SUPPORTED = 0
    NOT_SUPPORTED_1 = 1
    NOT_DETECTED = 2
    DETECTED = 3

    @property
    def label(self) -> str:
        """``not_supported``, ``not_detected`` or ``detected`` (docs/formats.md)."""
        return "not_supported" if self < SensorContact.NOT_DETECTED else self.name.lower()


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One heart-rate notification from a strap (or a treadmill's own HR service)."""

    heart_rate_bpm: int
    sensor_contact: SensorContact = SensorContact.NOT_SUPPORTED
    energy_expended_kj: int | None = None
    rr_intervals_s: tuple[float, ...] | None = None
    """RR intervals in seconds, oldest first; None when the flags announce none."""
    uint16_format: bool = False
    """Flag bit 0; forced on for heart rates above 255 bpm."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    def __post_init__(self) -> None:
        """Widen the format when the value needs it."""
        if self.heart_rate_bpm > 0xFF and not self.uint16_format:
            object.__setattr__(self, "uint16_format", True)

    @property
    def flags(self) -> int:
        """The flags byte."""
        return (
            (_UINT16 if self.uint16_format else 0)
            | self.sensor_contact << _CONTACT_SHIFT
            | (_ENERGY if self.energy_expended_kj is not None else 0)
            | (_RR if self.rr_intervals_s is not None else 0)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> HeartRateMeasurement:
        """Decode; a payload without a heart-rate value is a FrameError."""
        if not data:
            raise FrameError(CHAR, "too short for flags", 0)
        flags = data[0]
        wide = bool(flags & _UINT16)
        offset = 3 if wide else 2
        if len(data) < offset:
            raise FrameError(CHAR, "too short for the heart-rate value", len(data))
        hr = struct.unpack_from("<H", data, 1)[0] if wide else data[1]
        energy = None
        truncated: tuple[str, ...] = ()
        if flags & _ENERGY:
            if len(data) >= offset + 2:
                energy = struct.unpack_from("<H", data, offset)[0]
                offset += 2
            else:
                truncated = ("energy_expended_kj",)
        rr = None
        if flags & _RR and not truncated:
            count = (len(data) - offset) // 2
            rr = tuple(v / RR_RESOLUTION for v in struct.unpack_from(f"<{count}H", data, offset))
            offset += 2 * count
        trailing = 0 if truncated else len(data) - offset
        diagnostics = Diagnostics(truncated, trailing) if (truncated or trailing) else NO_DIAGNOSTICS
        return cls(hr, SensorContact(flags >> _CONTACT_SHIFT & 3), energy, rr, wide, diagnostics)

    def __bytes__(self) -> bytes:
        """Encode the notification."""
        try:
            out = bytes((self.flags,)) + struct.pack(
                "<H" if self.uint16_format else "<B", self.heart_rate_bpm
            )
            if self.energy_expended_kj is not None:
                out += struct.pack("<H", self.energy_expended_kj)
            if self.rr_intervals_s is not None:
                raw = [round(s * RR_RESOLUTION) for s in self.rr_intervals_s]
                out += struct.pack(f"<{len(raw)}H", *raw)
        except struct.error as exc:
            raise EncodeError("heart_rate_measurement", str(exc)) from exc
        return out

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill decode 2a37`` object (docs/formats.md)."""
        out: dict[str, object] = {
            "flags": self.flags,
            "heart_rate_bpm": self.heart_rate_bpm,
            "sensor_contact": self.sensor_contact.label,
        }
        if self.energy_expended_kj is not None or "energy_expended_kj" in self.diagnostics.truncated:
            out["energy_expended_kj"] = self.energy_expended_kj
        if self.rr_intervals_s is not None:
            out["rr_intervals_s"] = list(self.rr_intervals_s)
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out

"""Training Status 0x2AD3 (FTMS v1.0.1 §4.10, Tables 4.9 and 4.10).

``flags (uint8), status (uint8) [, UTF-8 string]``. Devices set the string flag and send
no string (``01 01``): that decodes as an empty string.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from treadmill.errors import FrameError
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, enum_name
from treadmill.ftms.uuids import TRAINING_STATUS

__all__ = ["TrainingStatus", "TrainingStatusCode"]

CHAR = TRAINING_STATUS
_STRING_PRESENT = 0x01
_EXTENDED_STRING = 0x02


class TrainingStatusCode(enum.IntEnum):
    """Training status values (Table 4.10)."""

    OTHER = 0x00
    IDLE = 0x01
    WARMING_UP = 0x02
    LOW_INTENSITY_INTERVAL = 0x03
    HIGH_INTENSITY_INTERVAL = 0x04
    RECOVERY_INTERVAL = 0x05
    ISOMETRIC = 0x06
    HEART_RATE_CONTROL = 0x07
    FITNESS_TEST = 0x08
    SPEED_OUTSIDE_OF_CONTROL_REGION_LOW = 0x09
    SPEED_OUTSIDE_OF_CONTROL_REGION_HIGH = 0x0A
    COOL_DOWN = 0x0B
    WATT_CONTROL = 0x0C
    MANUAL_MODE_QUICK_START = 0x0D
    PRE_WORKOUT = 0x0E
    POST_WORKOUT = 0x0F


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    """What the machine says it is doing (idle, pre-workout countdown, running, ...)."""

    status: int | None
    """Table 4.10 value; None only when a short read cut it off."""
    string: str | None = None
    """Status text; None when the flags announce none."""
    extended_string: bool = False
    """Flag bit 1: the text continues beyond this read (read long)."""
    rfu_flags: int = 0
    """Flag bits 2-7, reserved; kept so that the frame encodes back unchanged."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    @property
    def flags(self) -> int:
        """The flags byte."""
        return (
            (_STRING_PRESENT if self.string is not None else 0)
            | (_EXTENDED_STRING if self.extended_string else 0)
            | self.rfu_flags
        )

    @property
    def name(self) -> str | None:
        """snake_case status name (``manual_mode_quick_start``)."""
        return None if self.status is None else enum_name(TrainingStatusCode, self.status)

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainingStatus:
        """Decode; an empty payload is a FrameError, a lone flags byte is a truncation."""
        if not data:
            raise FrameError(CHAR, "too short for flags", 0)
        flags = data[0]
        if len(data) < 2:  # the flags survive: they still say whether a string was announced
            return cls(
                None,
                "" if flags & _STRING_PRESENT else None,
                extended_string=bool(flags & _EXTENDED_STRING),
                rfu_flags=flags & 0xFC,
                diagnostics=Diagnostics(
                    truncated=("training_status", "training_status_string")
                    if flags & _STRING_PRESENT
                    else ("training_status",)
                ),
            )
        string = None
        notes: tuple[str, ...] = ()
        if flags & _STRING_PRESENT:
            raw = bytes(data[2:])
            string = raw.decode("utf-8", errors="replace")
            if string.encode("utf-8") != raw:
                notes = ("string_not_utf8",)
        diagnostics = Diagnostics(trailing_bytes=0 if flags & _STRING_PRESENT else len(data) - 2, notes=notes)
        return cls(
            data[1], string, bool(flags & _EXTENDED_STRING), flags & 0xFC, diagnostics or NO_DIAGNOSTICS
        )

    def __bytes__(self) -> bytes:
        """Encode the flags, status and string (a status cut off by a short read stays cut off)."""
        if self.status is None:
            return bytes((self.flags,))
        text = b"" if self.string is None else self.string.encode("utf-8")
        return bytes((self.flags, self.status)) + text

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill decode 2ad3`` object (docs/formats.md)."""
        out: dict[str, object] = {
            "flags": self.flags,
            "training_status": self.status,
            "training_status_name": self.name,
        }
        if self.string is not None:
            out["training_status_string"] = self.string
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out

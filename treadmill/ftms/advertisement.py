"""FTMS advertisement service data (FTMS v1.0.1 §3.1, machine types Table 3.3).

Service Data for UUID 0x1826: ``flags (uint8), machine type (uint16)``. Flags bit 0 is
"Fitness Machine Available" (a busy machine should clear it, Fitness Machine Profile §5.1).
Quirks (docs/ftms-codecs.md): some machines send the machine-type bytes reversed or send
one byte only. Every defined type bit lives in the low byte, so the type is read as
the OR of the bytes that follow the flags; a set high byte is reported as a note.
Including the service data is only a "should": scanning also accepts devices that just
list the 0x1826 service UUID.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from treadmill.errors import FrameError
from treadmill.ftms.feature import flag_names
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics
from treadmill.ftms.uuids import FITNESS_MACHINE_SERVICE

__all__ = ["FTMS_SERVICE_UUID", "FtmsAdvertisement", "MachineType"]

CHAR = FITNESS_MACHINE_SERVICE
FTMS_SERVICE_UUID = "00001826-0000-1000-8000-00805f9b34fb"
_AVAILABLE = 0x01


class MachineType(enum.IntFlag):
    """Fitness Machine Type bits (Table 3.3)."""

    TREADMILL = 1 << 0
    CROSS_TRAINER = 1 << 1
    STEP_CLIMBER = 1 << 2
    STAIR_CLIMBER = 1 << 3
    ROWER = 1 << 4
    INDOOR_BIKE = 1 << 5


@dataclass(frozen=True, slots=True)
class FtmsAdvertisement:
    """What a fitness machine says about itself before any connection."""

    available: bool
    machine_types: int
    """Bits of :class:`MachineType`."""
    rfu_flags: int = 0
    """Flag bits 1-7, reserved; kept so that the data encodes back unchanged."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    @property
    def is_treadmill(self) -> bool:
        """True when the treadmill bit is set."""
        return bool(self.machine_types & MachineType.TREADMILL)

    @classmethod
    def from_bytes(cls, data: bytes) -> FtmsAdvertisement:
        """Decode 1-3 bytes of service data (more is tolerated and counted)."""
        if not data:
            raise FrameError(CHAR, "empty service data", 0)
        flags = data[0]
        type_bytes = bytes(data[1:3])
        notes: list[str] = []
        if len(type_bytes) < 2:
            notes.append("machine_type_short")
        if len(type_bytes) == 2 and type_bytes[1] and not type_bytes[0]:
            notes.append("machine_type_bytes_reversed")
        machine_types = 0
        for byte in type_bytes:
            machine_types |= byte
        trailing = max(len(data) - 3, 0)
        diagnostics = Diagnostics(trailing_bytes=trailing, notes=tuple(notes))
        return cls(bool(flags & _AVAILABLE), machine_types, flags & 0xFE, diagnostics or NO_DIAGNOSTICS)

    def __bytes__(self) -> bytes:
        """Encode as a well-behaved machine does (three bytes)."""
        flags = (_AVAILABLE if self.available else 0) | self.rfu_flags
        return bytes((flags,)) + self.machine_types.to_bytes(2, "little")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``treadmill decode 1826``)."""
        out: dict[str, object] = {
            "fitness_machine_available": self.available,
            "machine_types": self.machine_types,
            "machine_types_names": flag_names(MachineType, self.machine_types),
        }
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out

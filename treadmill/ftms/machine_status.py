"""Fitness Machine Status 0x2ADA (FTMS v1.0.1 §4.17, op codes Table 4.26).

Notified when the machine's state changes, including changes made on its own console
(a user pressing + on the treadmill), so it is how targets and start/stop are tracked.
Devices append junk bytes (CITYSPORTS ``04 00 00``): they are counted, not fatal.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import ClassVar

from treadmill.ftms import parameters as p
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field, Value
from treadmill.ftms.records import OpCodeMessage
from treadmill.ftms.uuids import MACHINE_STATUS

__all__ = ["MachineStatus", "StatusOpCode"]


class StatusOpCode(enum.IntEnum):
    """Status op codes (Table 4.26)."""

    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_LEVEL_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_EXPENDED_ENERGY_CHANGED = 0x0A
    TARGETED_NUMBER_OF_STEPS_CHANGED = 0x0B
    TARGETED_NUMBER_OF_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_IN_TWO_HEART_RATE_ZONES_CHANGED = 0x0F
    TARGETED_TIME_IN_THREE_HEART_RATE_ZONES_CHANGED = 0x10
    TARGETED_TIME_IN_FIVE_HEART_RATE_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF


_OP = StatusOpCode
STATUS_PARAMETERS: dict[int, tuple[Field, ...]] = {
    _OP.RESET: (),
    _OP.STOPPED_OR_PAUSED_BY_USER: p.CONTROL_INFORMATION,
    _OP.STOPPED_BY_SAFETY_KEY: (),
    _OP.STARTED_OR_RESUMED_BY_USER: (),
    _OP.TARGET_SPEED_CHANGED: p.TARGET_SPEED,
    _OP.TARGET_INCLINE_CHANGED: p.TARGET_INCLINATION,
    # Table 4.26 says sint16 here but the matching request (op 0x04) is uint8; the
    # request's width is used, and a second byte would be reported as trailing.
    _OP.TARGET_RESISTANCE_LEVEL_CHANGED: p.TARGET_RESISTANCE,
    _OP.TARGET_POWER_CHANGED: p.TARGET_POWER,
    _OP.TARGET_HEART_RATE_CHANGED: p.TARGET_HEART_RATE,
    _OP.TARGETED_EXPENDED_ENERGY_CHANGED: p.TARGET_ENERGY,
    _OP.TARGETED_NUMBER_OF_STEPS_CHANGED: p.TARGET_STEPS,
    _OP.TARGETED_NUMBER_OF_STRIDES_CHANGED: p.TARGET_STRIDES,
    _OP.TARGETED_DISTANCE_CHANGED: p.TARGET_DISTANCE,
    _OP.TARGETED_TRAINING_TIME_CHANGED: p.TARGET_TIME,
    _OP.TARGETED_TIME_IN_TWO_HEART_RATE_ZONES_CHANGED: p.zone_times(2),
    _OP.TARGETED_TIME_IN_THREE_HEART_RATE_ZONES_CHANGED: p.zone_times(3),
    _OP.TARGETED_TIME_IN_FIVE_HEART_RATE_ZONES_CHANGED: p.zone_times(5),
    _OP.INDOOR_BIKE_SIMULATION_PARAMETERS_CHANGED: p.SIMULATION,
    _OP.WHEEL_CIRCUMFERENCE_CHANGED: p.WHEEL_CIRCUMFERENCE,
    _OP.SPIN_DOWN_STATUS: (Field("spin_down_status", "u8"),),
    _OP.TARGETED_CADENCE_CHANGED: p.TARGET_CADENCE,
    _OP.CONTROL_PERMISSION_LOST: (),
}


@dataclass(frozen=True, slots=True)
class MachineStatus(OpCodeMessage):
    """One status notification: an event and, for target changes, the new value."""

    op_code: int
    parameters: tuple[tuple[str, Value], ...] = ()
    raw_parameter: bytes = b""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    CHAR: ClassVar[str] = MACHINE_STATUS
    OP_CODES: ClassVar[type[enum.IntEnum]] = StatusOpCode
    OP_KEY: ClassVar[str] = "event"
    PARAMETERS: ClassVar[dict[int, tuple[Field, ...]]] = STATUS_PARAMETERS
    LABELS: ClassVar[dict[str, type[enum.IntEnum]]] = {
        "control_information": p.ControlInformation,
        "spin_down_status": p.SpinDownStatus,
    }

    @property
    def event(self) -> str:
        """snake_case event name, e.g. ``target_speed_changed``."""
        return self.op_name

"""Fitness Machine Control Point 0x2AD9 (FTMS v1.0.1 §4.16).

The client writes a request (op code + parameter, Table 4.15); the machine indicates a
response ``0x80, request op code, result code [, response parameter]`` (§4.16.2.22,
Table 4.23, result codes Table 4.24).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import ClassVar

from treadmill.errors import FrameError
from treadmill.ftms import parameters as p
from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field, Value, enum_name
from treadmill.ftms.records import OpCodeMessage
from treadmill.ftms.uuids import CONTROL_POINT

__all__ = [
    "ControlOpCode",
    "ControlPointRequest",
    "ControlPointResponse",
    "ResultCode",
    "decode_control_point",
]

CHAR = CONTROL_POINT
RESPONSE_CODE = 0x80


class ControlOpCode(enum.IntEnum):
    """Control Point op codes (Table 4.15)."""

    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE_LEVEL = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_TARGETED_EXPENDED_ENERGY = 0x09
    SET_TARGETED_NUMBER_OF_STEPS = 0x0A
    SET_TARGETED_NUMBER_OF_STRIDES = 0x0B
    SET_TARGETED_DISTANCE = 0x0C
    SET_TARGETED_TRAINING_TIME = 0x0D
    SET_TARGETED_TIME_IN_TWO_HEART_RATE_ZONES = 0x0E
    SET_TARGETED_TIME_IN_THREE_HEART_RATE_ZONES = 0x0F
    SET_TARGETED_TIME_IN_FIVE_HEART_RATE_ZONES = 0x10
    SET_INDOOR_BIKE_SIMULATION_PARAMETERS = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE_CODE = 0x80


class ResultCode(enum.IntEnum):
    """Result codes of a Control Point response (Table 4.24)."""

    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


_OP = ControlOpCode
REQUEST_PARAMETERS: dict[int, tuple[Field, ...]] = {
    _OP.REQUEST_CONTROL: (),
    _OP.RESET: (),
    _OP.SET_TARGET_SPEED: p.TARGET_SPEED,
    _OP.SET_TARGET_INCLINATION: p.TARGET_INCLINATION,
    _OP.SET_TARGET_RESISTANCE_LEVEL: p.TARGET_RESISTANCE,
    _OP.SET_TARGET_POWER: p.TARGET_POWER,
    _OP.SET_TARGET_HEART_RATE: p.TARGET_HEART_RATE,
    _OP.START_OR_RESUME: (),
    _OP.STOP_OR_PAUSE: p.CONTROL_INFORMATION,
    _OP.SET_TARGETED_EXPENDED_ENERGY: p.TARGET_ENERGY,
    _OP.SET_TARGETED_NUMBER_OF_STEPS: p.TARGET_STEPS,
    _OP.SET_TARGETED_NUMBER_OF_STRIDES: p.TARGET_STRIDES,
    _OP.SET_TARGETED_DISTANCE: p.TARGET_DISTANCE,
    _OP.SET_TARGETED_TRAINING_TIME: p.TARGET_TIME,
    _OP.SET_TARGETED_TIME_IN_TWO_HEART_RATE_ZONES: p.zone_times(2),
    _OP.SET_TARGETED_TIME_IN_THREE_HEART_RATE_ZONES: p.zone_times(3),
    _OP.SET_TARGETED_TIME_IN_FIVE_HEART_RATE_ZONES: p.zone_times(5),
    _OP.SET_INDOOR_BIKE_SIMULATION_PARAMETERS: p.SIMULATION,
    _OP.SET_WHEEL_CIRCUMFERENCE: p.WHEEL_CIRCUMFERENCE,
    _OP.SPIN_DOWN_CONTROL: (Field("spin_down_control", "u8"),),
    _OP.SET_TARGETED_CADENCE: p.TARGET_CADENCE,
}


@dataclass(frozen=True, slots=True)
class ControlPointRequest(OpCodeMessage):
    """A request written to the Control Point.

    Build the common ones with the class methods (``ControlPointRequest.stop()``).
    """

    op_code: int
    parameters: tuple[tuple[str, Value], ...] = ()
    raw_parameter: bytes = b""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    CHAR: ClassVar[str] = CHAR
    OP_CODES: ClassVar[type[enum.IntEnum]] = ControlOpCode
    OP_KEY: ClassVar[str] = "op"
    PARAMETERS: ClassVar[dict[int, tuple[Field, ...]]] = REQUEST_PARAMETERS
    LABELS: ClassVar[dict[str, type[enum.IntEnum]]] = {
        "control_information": p.ControlInformation,
        "spin_down_control": p.SpinDownControl,
    }

    @classmethod
    def request_control(cls) -> ControlPointRequest:
        """Op 0x00: ask for control permission (§4.16.2.1)."""
        return cls(ControlOpCode.REQUEST_CONTROL)

    @classmethod
    def reset(cls) -> ControlPointRequest:
        """Op 0x01: reset targets and time fields; also revokes control (§4.16.2.2)."""
        return cls(ControlOpCode.RESET)

    @classmethod
    def set_target_speed(cls, kmh: float) -> ControlPointRequest:
        """Op 0x02: target speed, km/h with 0.01 resolution (§4.16.2.3)."""
        return cls(ControlOpCode.SET_TARGET_SPEED, (("target_speed_kmh", kmh),))

    @classmethod
    def set_target_inclination(cls, pct: float) -> ControlPointRequest:
        """Op 0x03: target inclination, % with 0.1 resolution (§4.16.2.4)."""
        return cls(ControlOpCode.SET_TARGET_INCLINATION, (("target_inclination_pct", pct),))

    @classmethod
    def start_or_resume(cls) -> ControlPointRequest:
        """Op 0x07: start or resume the belt (§4.16.2.9)."""
        return cls(ControlOpCode.START_OR_RESUME)

    @classmethod
    def stop(cls) -> ControlPointRequest:
        """Op 0x08 with 0x01: stop (§4.16.2.10)."""
        return cls(ControlOpCode.STOP_OR_PAUSE, (("control_information", p.ControlInformation.STOP),))

    @classmethod
    def pause(cls) -> ControlPointRequest:
        """Op 0x08 with 0x02: pause (§4.16.2.10)."""
        return cls(ControlOpCode.STOP_OR_PAUSE, (("control_information", p.ControlInformation.PAUSE),))


@dataclass(frozen=True, slots=True)
class ControlPointResponse:
    """The machine's answer to a request (op code 0x80, §4.16.2.22)."""

    request_op_code: int
    result_code: int
    response_parameter: bytes = b""
    """Only Spin Down Control carries one; kept raw."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    @property
    def result(self) -> str:
        """snake_case result name (``success``, ``control_not_permitted``, ...)."""
        return enum_name(ResultCode, self.result_code)

    @property
    def succeeded(self) -> bool:
        """True for result code 0x01."""
        return self.result_code == ResultCode.SUCCESS

    @classmethod
    def from_bytes(cls, data: bytes) -> ControlPointResponse:
        """Decode ``80 op result [parameter]``; fewer than three bytes is a FrameError."""
        if len(data) < 3 or data[0] != RESPONSE_CODE:
            raise FrameError(CHAR, "a response needs 0x80, the request op code and a result code", len(data))
        return cls(data[1], data[2], bytes(data[3:]))

    def __bytes__(self) -> bytes:
        """Encode the indication."""
        return bytes((RESPONSE_CODE, self.request_op_code, self.result_code)) + self.response_parameter

    def to_dict(self) -> dict[str, object]:
        """The ``treadmill decode 2ad9`` object for a response (docs/formats.md)."""
        out: dict[str, object] = {
            "response_op_code": RESPONSE_CODE,
            "request_op_code": self.request_op_code,
            "request_op": enum_name(ControlOpCode, self.request_op_code),
            "result_code": self.result_code,
            "result": self.result,
        }
        if self.response_parameter:
            out["response_parameter_hex"] = self.response_parameter.hex()
        return out


def decode_control_point(data: bytes) -> ControlPointRequest | ControlPointResponse:
    """Decode either direction: ``0x80`` starts a response, anything else is a request."""
    if data[:1] == bytes((RESPONSE_CODE,)):
        return ControlPointResponse.from_bytes(data)
    return ControlPointRequest.from_bytes(data)

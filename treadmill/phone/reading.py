"""One motion reading from a phone worn on the body, and its three forms: JSON, bytes, a frame.

A browser hands a page the phone's motion sensors through two events (W3C *DeviceOrientation
Event Specification*, §§ 5.1-5.2 and 7.1-7.2):

* ``devicemotion``: ``rotationRate`` (``alpha`` about the device's x axis, ``beta`` about y,
  ``gamma`` about z, in degrees per second: what Chrome, Firefox and Safari all report, and
  what the specification says since w3c/deviceorientation pull request 43) and
  ``accelerationIncludingGravity`` (``x``, ``y``, ``z``, m/s²; a phone lying still, screen up,
  reads about +9.8 on z);
* ``deviceorientation``: ``alpha``, ``beta``, ``gamma`` in degrees (alpha from a compass
  where the device has one: near a treadmill's motor it is not to be trusted).

The ``/motion`` page sends each reading as JSON; a recording keeps it as a ``motion`` line;
inside a session it travels as a :class:`~treadmill.model.Frame` from :attr:`Sensor.PHONE`
with nine little-endian float32s, so that it is recorded, replayed, counted and ordered
exactly like every other sensor's payload.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from treadmill.model import Frame, Sensor

__all__ = ["MAX_ACCEL_MS2", "MAX_ROTATION_DPS", "PHONE_MOTION", "MotionReading"]

PHONE_MOTION: Final = "5f1e0001-7e5d-4c6a-9b1d-72ea0c0a0001"
"""The characteristic id a phone's motion frames carry: the project's own 128-bit UUID (no
Bluetooth device sends it; recordings write these frames as ``motion`` lines)."""

MAX_ROTATION_DPS: Final = 2000.0
"""Phone gyroscopes measure up to ±2000 °/s at their widest range (e.g. Bosch BMI270 and
ST LSM6DSO datasheets): a larger reading is not a body's."""
MAX_ACCEL_MS2: Final = 16 * 9.80665
"""±16 g, the same parts' widest accelerometer range."""
_PACKED: Final = struct.Struct("<9f")
_AXES: Final = 3


def _triple(value: object, bound: float, what: str) -> tuple[float, float, float]:
    if not isinstance(value, list | tuple) or len(value) != _AXES:
        raise ValueError(f"{what} must be a list of 3 numbers")
    out: list[float] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise ValueError(f"{what} must be a list of 3 numbers")  # noqa: TRY004 - one error for bad input
        number = float(item)
        if not math.isfinite(number) or abs(number) > bound:
            raise ValueError(f"{what} holds {number:g}, outside ±{bound:g}")
        out.append(number)
    return out[0], out[1], out[2]


@dataclass(frozen=True, slots=True)
class MotionReading:
    """What the phone's sensors said at one moment (see the module docstring for the axes)."""

    rotation_dps: tuple[float, float, float]
    """``rotationRate`` (alpha, beta, gamma): about the device's x, y and z axes, °/s."""
    accel_ms2: tuple[float, float, float]
    """``accelerationIncludingGravity`` (x, y, z), m/s²."""
    orientation_deg: tuple[float, float, float] | None = None
    """``deviceorientation`` (alpha, beta, gamma), degrees; None when the page had none."""

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> MotionReading:
        """From the page's message or a recording's ``motion`` object.

        Raises:
            ValueError: a part is missing, not three finite numbers, or beyond what a phone measures.
        """
        orientation = obj.get("orientation_deg")
        return cls(
            _triple(obj.get("rotation_dps"), MAX_ROTATION_DPS, "rotation_dps"),
            _triple(obj.get("accel_ms2"), MAX_ACCEL_MS2, "accel_ms2"),
            None if orientation is None else _triple(orientation, 360.0, "orientation_deg"),
        )

    def to_json(self) -> dict[str, list[float]]:
        """The recording's ``motion`` object (rounded past what the sensors resolve)."""
        out = {
            "rotation_dps": [round(x, 3) for x in self.rotation_dps],
            "accel_ms2": [round(x, 4) for x in self.accel_ms2],
        }
        if self.orientation_deg is not None:
            out["orientation_deg"] = [round(x, 2) for x in self.orientation_deg]
        return out

    def __bytes__(self) -> bytes:
        """The frame payload: nine float32s, NaN for a missing orientation."""
        orientation = self.orientation_deg or (math.nan, math.nan, math.nan)
        return _PACKED.pack(*self.rotation_dps, *self.accel_ms2, *orientation)

    @classmethod
    def from_bytes(cls, data: bytes) -> MotionReading:
        """From a frame payload.

        Raises:
            ValueError: not 36 bytes.
        """
        if len(data) != _PACKED.size:
            raise ValueError(f"a motion payload is {_PACKED.size} bytes, not {len(data)}")
        v = _PACKED.unpack(data)
        orientation = None if any(math.isnan(x) for x in v[6:]) else (v[6], v[7], v[8])
        return cls((v[0], v[1], v[2]), (v[3], v[4], v[5]), orientation)

    def frame(self, t: float) -> Frame:
        """This reading as a session frame arriving at ``t``."""
        return Frame(t, PHONE_MOTION, bytes(self), Sensor.PHONE)

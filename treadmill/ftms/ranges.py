"""Supported Speed Range 0x2AD4 and Supported Inclination Range 0x2AD5 (FTMS v1.0.1 §4.12, §4.13).

Six bytes each: minimum, maximum, minimum increment. Some pads report mph labelled as
km/h (a FitShow FS-BT-T4 does; docs/ftms-codecs.md): clamp to the range, but let the user
override it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field
from treadmill.ftms.records import FixedRecord
from treadmill.ftms.uuids import INCLINATION_RANGE, SPEED_RANGE

__all__ = ["InclinationRange", "SpeedRange"]


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if high is not None:
        value = min(value, high)
    if low is not None:
        value = max(value, low)
    return value


@dataclass(frozen=True, slots=True)
class SpeedRange(FixedRecord):
    """Speeds the belt accepts as targets, km/h (0.01 resolution)."""

    minimum_speed_kmh: float
    maximum_speed_kmh: float | None = None
    minimum_increment_kmh: float | None = None
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    CHAR: ClassVar[str] = SPEED_RANGE
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("minimum_speed_kmh", "u16", 100),
        Field("maximum_speed_kmh", "u16", 100),
        Field("minimum_increment_kmh", "u16", 100),
    )

    def clamp(self, kmh: float) -> float:
        """``kmh`` limited to the range."""
        return _clamp(kmh, self.minimum_speed_kmh, self.maximum_speed_kmh)


@dataclass(frozen=True, slots=True)
class InclinationRange(FixedRecord):
    """Inclinations the machine accepts as targets, % (0.1 resolution; may be negative)."""

    minimum_inclination_pct: float
    maximum_inclination_pct: float | None = None
    minimum_increment_pct: float | None = None
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    CHAR: ClassVar[str] = INCLINATION_RANGE
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("minimum_inclination_pct", "s16", 10),
        Field("maximum_inclination_pct", "s16", 10),
        Field("minimum_increment_pct", "u16", 10),
    )

    def clamp(self, pct: float) -> float:
        """``pct`` limited to the range."""
        return _clamp(pct, self.minimum_inclination_pct, self.maximum_inclination_pct)

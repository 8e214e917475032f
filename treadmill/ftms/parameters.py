"""Parameter layouts shared by Control Point requests and Fitness Machine Status.

FTMS v1.0.1 Table 4.15 (Control Point op codes and their parameters) and Table 4.26
(Status op codes). A status that reports a changed target carries the same parameter as
the request that sets it, so both tables are built from the fields below.
"""

from __future__ import annotations

import enum

from treadmill.ftms.fields import Field

__all__ = [
    "CONTROL_INFORMATION",
    "SIMULATION",
    "TARGET_CADENCE",
    "TARGET_DISTANCE",
    "TARGET_ENERGY",
    "TARGET_HEART_RATE",
    "TARGET_INCLINATION",
    "TARGET_POWER",
    "TARGET_RESISTANCE",
    "TARGET_SPEED",
    "TARGET_STEPS",
    "TARGET_STRIDES",
    "TARGET_TIME",
    "WHEEL_CIRCUMFERENCE",
    "ControlInformation",
    "SpinDownControl",
    "SpinDownStatus",
    "zone_times",
]


class ControlInformation(enum.IntEnum):
    """Parameter of Stop or Pause (Table 4.16) and of status 0x02."""

    STOP = 0x01
    PAUSE = 0x02


class SpinDownControl(enum.IntEnum):
    """Parameter of the Spin Down Control request (§4.16.2.20)."""

    START = 0x01
    IGNORE = 0x02


class SpinDownStatus(enum.IntEnum):
    """Parameter of the Spin Down Status notification (Table 4.27)."""

    SPIN_DOWN_REQUESTED = 0x01
    SUCCESS = 0x02
    ERROR = 0x03
    STOP_PEDALING = 0x04


TARGET_SPEED = (Field("target_speed_kmh", "u16", 100),)
TARGET_INCLINATION = (Field("target_inclination_pct", "s16", 10),)
TARGET_RESISTANCE = (Field("target_resistance_level", "u8", 10),)
TARGET_POWER = (Field("target_power_w", "s16"),)
TARGET_HEART_RATE = (Field("target_heart_rate_bpm", "u8"),)
CONTROL_INFORMATION = (Field("control_information", "u8"),)
TARGET_ENERGY = (Field("targeted_expended_energy_kcal", "u16"),)
TARGET_STEPS = (Field("targeted_number_of_steps", "u16"),)
TARGET_STRIDES = (Field("targeted_number_of_strides", "u16"),)
TARGET_DISTANCE = (Field("targeted_distance_m", "u24"),)
TARGET_TIME = (Field("targeted_training_time_s", "u16"),)
SIMULATION = (
    Field("wind_speed_mps", "s16", 1000),
    Field("grade_pct", "s16", 100),
    Field("rolling_resistance_coefficient", "u8", 10000),
    Field("wind_resistance_coefficient_kg_per_m", "u8", 100),
)
WHEEL_CIRCUMFERENCE = (Field("wheel_circumference_mm", "u16", 10),)
TARGET_CADENCE = (Field("targeted_cadence_per_min", "u16", 2),)


def zone_times(zones: int) -> tuple[Field, ...]:
    """Targeted time in 2, 3 or 5 heart-rate zones: one uint16 of seconds per zone."""
    return tuple(Field(f"targeted_time_in_zone_{i}_s", "u16") for i in range(1, zones + 1))

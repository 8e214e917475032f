"""Fitness Machine Feature 0x2ACC (FTMS v1.0.1 §4.3, Tables 4.2 and 4.3).

Two uint32 bit fields: what the machine measures and which targets it accepts. Real
devices over-claim (FitShow modules announce resistance and power on a treadmill), so
treat these as hints and trust the flags of actual data frames (docs/ftms-codecs.md).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import ClassVar

from treadmill.ftms.fields import NO_DIAGNOSTICS, Diagnostics, Field
from treadmill.ftms.records import FixedRecord
from treadmill.ftms.uuids import FEATURE

__all__ = ["Features", "MachineFeature", "TargetSettingFeature", "flag_names"]


class MachineFeature(enum.IntFlag):
    """Fitness Machine Features (Table 4.2)."""

    AVERAGE_SPEED = 1 << 0
    CADENCE = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION = 1 << 3
    ELEVATION_GAIN = 1 << 4
    PACE = 1 << 5
    STEP_COUNT = 1 << 6
    RESISTANCE_LEVEL = 1 << 7
    STRIDE_COUNT = 1 << 8
    EXPENDED_ENERGY = 1 << 9
    HEART_RATE_MEASUREMENT = 1 << 10
    METABOLIC_EQUIVALENT = 1 << 11
    ELAPSED_TIME = 1 << 12
    REMAINING_TIME = 1 << 13
    POWER_MEASUREMENT = 1 << 14
    FORCE_ON_BELT_AND_POWER_OUTPUT = 1 << 15
    USER_DATA_RETENTION = 1 << 16


class TargetSettingFeature(enum.IntFlag):
    """Target Setting Features (Table 4.3)."""

    SPEED_TARGET = 1 << 0
    INCLINATION_TARGET = 1 << 1
    RESISTANCE_TARGET = 1 << 2
    POWER_TARGET = 1 << 3
    HEART_RATE_TARGET = 1 << 4
    TARGETED_EXPENDED_ENERGY = 1 << 5
    TARGETED_STEP_NUMBER = 1 << 6
    TARGETED_STRIDE_NUMBER = 1 << 7
    TARGETED_DISTANCE = 1 << 8
    TARGETED_TRAINING_TIME = 1 << 9
    TARGETED_TIME_IN_TWO_HEART_RATE_ZONES = 1 << 10
    TARGETED_TIME_IN_THREE_HEART_RATE_ZONES = 1 << 11
    TARGETED_TIME_IN_FIVE_HEART_RATE_ZONES = 1 << 12
    INDOOR_BIKE_SIMULATION_PARAMETERS = 1 << 13
    WHEEL_CIRCUMFERENCE = 1 << 14
    SPIN_DOWN_CONTROL = 1 << 15
    TARGETED_CADENCE = 1 << 16


def flag_names(flag_type: type[enum.IntFlag], value: int) -> list[str]:
    """snake_case names of the set bits, lowest first; reserved bits as ``rfu_bit_<n>``."""
    names = []
    for bit in range(value.bit_length()):
        if value >> bit & 1:
            member = flag_type._value2member_map_.get(1 << bit)
            names.append(member.name.lower() if member is not None and member.name else f"rfu_bit_{bit}")
    return names


@dataclass(frozen=True, slots=True)
class Features(FixedRecord):
    """What the machine says it can measure and which targets it accepts."""

    fitness_machine_features: int
    target_setting_features: int | None = None
    """None only when the read was cut after the first word."""
    diagnostics: Diagnostics = dataclasses.field(default=NO_DIAGNOSTICS, compare=False)

    CHAR: ClassVar[str] = FEATURE
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("fitness_machine_features", "u32"),
        Field("target_setting_features", "u32"),
    )

    def supports(self, feature: MachineFeature | TargetSettingFeature) -> bool:
        """True when the machine claims this feature (a hint, not a promise)."""
        word = (
            self.fitness_machine_features
            if isinstance(feature, MachineFeature)
            else self.target_setting_features or 0
        )
        return bool(word & feature)

    def to_dict(self) -> dict[str, object]:
        """Raw words plus their names (docs/formats.md)."""
        out = FixedRecord.to_dict(self)
        out["fitness_machine_features_names"] = flag_names(MachineFeature, self.fitness_machine_features)
        out["target_setting_features_names"] = flag_names(
            TargetSettingFeature, self.target_setting_features or 0
        )
        return out

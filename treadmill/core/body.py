"""The person on the belt, as the energy and heart-rate formulas need them (from the user profile)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Body", "Sex"]


class Sex(enum.StrEnum):
    """For Keytel's heart-rate energy formula, which has one equation for each."""

    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True, slots=True)
class Body:
    """What the formulas need to know about the person (from the user profile)."""

    mass_kg: float = 70.0
    age: float = 40.0
    sex: Sex | None = None
    """None: Keytel's formula averages the two."""
    resting_hr_bpm: float = 60.0
    max_hr_bpm: float = 180.0
    maf_adjustment: int = 0

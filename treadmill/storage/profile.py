"""The user's profile: body data for calories and zones, and what the detector has learned.

Kept as JSON in the platformdirs config folder (``TREADMILL_CONFIG_DIR`` overrides it), so
the speed bands and cadence model learned in one session start the next, and every manual
mark (the user saying which way they face) is kept as a labelled example for evaluation.
A missing or unreadable profile gives the defaults, with the reason logged, never a crash.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from treadmill.core.detector import DetectorState
from treadmill.core.metrics import Body

__all__ = ["LabelledExample", "UserProfile", "config_dir", "load_profile", "save_profile"]

logger = logging.getLogger(__name__)
PROFILE_FILE = "profile.json"


def config_dir() -> Path:
    """Where the profile (and, later, the user's plans) live."""
    override = os.environ.get("TREADMILL_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir("treadmill-companion"))


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A moment the user said which way they faced."""

    session: str
    t: float
    direction: str


@dataclass(slots=True)
class UserProfile:
    """Who trains, and what the app has learned about how they move."""

    age: int = 40
    mass_kg: float = 70.0
    sex: str | None = None
    """``female``, ``male`` or None (formulas then average the two)."""
    resting_hr_bpm: float = 60.0
    max_hr_bpm: float | None = None
    """Measured maximum; None estimates it as 208 - 0.7 x age (Tanaka et al. 2001)."""
    maf_adjustment: int = 0
    """MAF 180 adjustment: -10 illness or medication, -5 injury or inconsistency, +5 > 2 years of progress."""
    reference_paces_s_per_km: tuple[float, float, float, float, float] = (300.0, 330.0, 345.0, 365.0, 390.0)
    """Forward race paces for Zwift workouts' ``pace`` attribute: 1 mile, 5 km, 10 km, half, marathon."""
    forward_cap_kmh: float = 16.0
    """The fastest the app may ever set the belt facing forward."""
    reverse_cap_kmh: float = 3.0
    """The fastest backward: 3 km/h to start with (reverse-running.md §2.1), raised as you gain experience."""
    detector: DetectorState = field(default_factory=DetectorState)
    examples: list[LabelledExample] = field(default_factory=list)

    @property
    def estimated_max_hr_bpm(self) -> float:
        """The measured maximum, or Tanaka's estimate (reverse-running.md §7.2)."""
        return self.max_hr_bpm if self.max_hr_bpm is not None else 208.0 - 0.7 * self.age

    def body(self) -> Body:
        """What the energy and zone formulas need to know of the person."""
        return Body(
            self.mass_kg,
            self.age,
            self.sex,
            self.resting_hr_bpm,
            self.estimated_max_hr_bpm,
            self.maf_adjustment,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UserProfile:
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored (newer versions may add some)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k not in ("detector", "examples")}
        if "reference_paces_s_per_km" in values:
            values["reference_paces_s_per_km"] = tuple(values["reference_paces_s_per_km"])
        detector_fields = {f.name for f in dataclasses.fields(DetectorState)}
        detector = DetectorState(
            **{k: v for k, v in data.get("detector", {}).items() if k in detector_fields}
        )
        examples = [LabelledExample(**e) for e in data.get("examples", [])]
        return cls(**values, detector=detector, examples=examples)


def load_profile(folder: Path | None = None) -> UserProfile:
    """The saved profile, or the defaults when there is none or it cannot be read."""
    path = (folder or config_dir()) / PROFILE_FILE
    try:
        return UserProfile.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return UserProfile()
    except (OSError, ValueError, TypeError) as exc:
        logger.warning("could not read the profile %s (%s); using the defaults", path, exc)
        return UserProfile()


def save_profile(profile: UserProfile, folder: Path | None = None) -> Path:
    """Write the profile atomically (a crash leaves the old one or the new one, never half)."""
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PROFILE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(profile.to_dict(), indent=2), encoding="utf-8")
    temporary.replace(path)
    return path

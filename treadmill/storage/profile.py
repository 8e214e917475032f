"""The person's profile: body data for calories and zones, their caps, and what the detector has learned.

Kept as JSON in the config folder (:func:`~treadmill.storage.paths.config_dir`), so what the
detector learned in one session starts the next, and every manual mark (the person saying
which way they face) is kept as a labelled example.

Loading checks every field: its type, a finite number, a sane range (:data:`FIELDS`; caps at
most :data:`~treadmill.inputs.MAX_FORWARD_CAP_KMH` forward and
:data:`~treadmill.inputs.MAX_REVERSE_CAP_KMH` backward). A bad field is reported and falls
back to its default; a file that is not a profile at all gives the defaults, with the
reason. Loading never crashes and never silently disables control.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treadmill.core.body import Body, Sex
from treadmill.core.detector import DetectorState
from treadmill.defaults import FORWARD_CAP_KMH, REVERSE_CAP_KMH
from treadmill.inputs import (
    MAX_FORWARD_CAP_KMH,
    MAX_REVERSE_CAP_KMH,
    InputError,
    finite,
    one_of,
    printable,
    read_bounded,
)
from treadmill.model import Facing
from treadmill.storage.files import replace_atomically
from treadmill.storage.paths import config_dir
from treadmill.workout.plan import Caps

__all__ = ["FIELDS", "LabelledExample", "LoadedProfile", "UserProfile", "load_profile", "save_profile"]

logger = logging.getLogger(__name__)
PROFILE_FILE = "profile.json"
_MAX_BYTES = 5_000_000
_MAX_EXAMPLES = 10_000


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A moment the person said which way they faced."""

    session: str
    t: float
    direction: Facing


@dataclass(slots=True)
class UserProfile:
    """Who trains, and what the app has learned about how they move."""

    age: int = 40
    mass_kg: float = 70.0
    sex: Sex | None = None
    """None: the formulas average the two."""
    resting_hr_bpm: float = 60.0
    max_hr_bpm: float | None = None
    """Measured maximum; None estimates it as 208 - 0.7 x age (Tanaka et al. 2001)."""
    maf_adjustment: int = 0
    """MAF 180 adjustment: -10 illness or medication, -5 injury or inconsistency, +5 > 2 years of progress."""
    reference_paces_s_per_km: tuple[float, float, float, float, float] = (300.0, 330.0, 345.0, 365.0, 390.0)
    """Forward race paces for Zwift workouts' ``pace`` attribute: 1 mile, 5 km, 10 km, half, marathon."""
    forward_cap_kmh: float = FORWARD_CAP_KMH
    """The fastest the app may ever set the belt facing forward."""
    reverse_cap_kmh: float = REVERSE_CAP_KMH
    """The fastest backward: 3 km/h to start with (docs/safety.md), raised as you gain experience."""
    detector: DetectorState = field(default_factory=DetectorState)
    examples: list[LabelledExample] = field(default_factory=list)

    @property
    def estimated_max_hr_bpm(self) -> float:
        """The measured maximum, or Tanaka's estimate (Tanaka, Monahan & Seals 2001)."""
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

    def caps(self) -> Caps:
        """The speed caps every plan and every command is held to."""
        return Caps(forward_kmh=self.forward_cap_kmh, reverse_kmh=self.reverse_cap_kmh)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


FIELDS: dict[str, tuple[float, float]] = {
    "age": (10, 100),
    "mass_kg": (25, 250),
    "resting_hr_bpm": (30, 120),
    "max_hr_bpm": (100, 230),
    "maf_adjustment": (-10, 5),
    "forward_cap_kmh": (0.5, MAX_FORWARD_CAP_KMH),
    "reverse_cap_kmh": (0.5, MAX_REVERSE_CAP_KMH),
}
"""Each numeric field's sane range (inclusive)."""
_PACE_RANGE = (120.0, 1200.0)
"""2:00 to 20:00 min/km."""


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    """A profile as loaded, and what was wrong with the file (each bad field fell back to its default)."""

    profile: UserProfile
    problems: tuple[str, ...] = ()


def _number(data: dict[str, Any], key: str, default: float | None, problems: list[str]) -> float | None:
    if key not in data or (data[key] is None and default is None):
        return default
    low, high = FIELDS[key]
    try:
        value = finite(data[key], key, low=low, high=high)
    except InputError as exc:
        problems.append(f"{exc}; using {default}")
        return default
    return int(value) if isinstance(default, int) and not isinstance(default, bool) else value


def _paces(value: object, default: tuple[float, ...], problems: list[str]) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != len(default):
        problems.append(
            f"reference_paces_s_per_km: must be a list of {len(default)} paces in s/km; using the defaults"
        )
        return default
    try:
        return tuple(
            finite(v, "reference_paces_s_per_km", low=_PACE_RANGE[0], high=_PACE_RANGE[1]) for v in value
        )
    except InputError as exc:
        problems.append(f"{exc}; using the defaults")
        return default


def _detector(value: object, problems: list[str]) -> DetectorState:
    default = DetectorState()
    if not isinstance(value, dict):
        problems.append("detector: not an object; starting afresh")
        return default
    try:
        return DetectorState.checked(value)
    except InputError as exc:
        problems.append(f"detector: {exc}; starting afresh")
        return default


def _examples(value: object, problems: list[str]) -> list[LabelledExample]:
    out: list[LabelledExample] = []
    entries = value if isinstance(value, list) else []
    bad = 0 if isinstance(value, list) else 1
    for entry in entries[-_MAX_EXAMPLES:]:
        if not isinstance(entry, dict) or not one_of(entry.get("direction"), _FACINGS):
            bad += 1
            continue
        try:
            session = entry.get("session")
            out.append(
                LabelledExample(
                    printable(session)[:200] if isinstance(session, str) else "",
                    finite(entry.get("t"), "t", low=0.0),
                    Facing(entry["direction"]),
                )
            )
        except InputError:
            bad += 1
    if bad:
        problems.append(f"examples: {bad} unreadable labelled examples left out")
    return out


_KNOWN = frozenset(f.name for f in dataclasses.fields(UserProfile))
_FACINGS = frozenset(Facing)
_SEXES = frozenset(Sex)


def profile_from(data: object) -> LoadedProfile:
    """A profile from its JSON value, every field checked (see the module docstring)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return LoadedProfile(UserProfile(), ("not a profile (a JSON object); using the defaults",))
    default = UserProfile()
    unknown = sorted(str(key) for key in data if key not in _KNOWN)
    if unknown:
        shown = printable(", ".join(unknown))[:120]
        problems.append(f"unknown fields ignored: {shown} (known: {', '.join(sorted(_KNOWN))})")
    values: dict[str, Any] = {key: _number(data, key, getattr(default, key), problems) for key in FIELDS}
    sex = data.get("sex")
    values["sex"] = Sex(sex) if one_of(sex, _SEXES) else None
    if sex is not None and values["sex"] is None:
        problems.append(f"sex: {printable(repr(sex))[:40]} is not female or male; using neither")
    if "reference_paces_s_per_km" in data:
        values["reference_paces_s_per_km"] = _paces(
            data["reference_paces_s_per_km"], default.reference_paces_s_per_km, problems
        )
    if values["max_hr_bpm"] is not None and values["max_hr_bpm"] <= values["resting_hr_bpm"]:
        problems.append("max_hr_bpm is not above resting_hr_bpm; estimating it from the age")
        values["max_hr_bpm"] = None
    if "detector" in data:
        values["detector"] = _detector(data["detector"], problems)
    if "examples" in data:
        values["examples"] = _examples(data["examples"], problems)
    return LoadedProfile(UserProfile(**values), tuple(problems))


def load_profile(folder: Path | None = None) -> LoadedProfile:
    """The saved profile (the defaults when there is none), with what was wrong with it."""
    path = (folder or config_dir()) / PROFILE_FILE
    if not path.exists():
        return LoadedProfile(UserProfile())
    try:
        data = json.loads(read_bounded(path, "profile", _MAX_BYTES))
    except InputError as exc:
        return LoadedProfile(UserProfile(), (f"{exc}; using the defaults",))
    except (ValueError, RecursionError) as exc:
        return LoadedProfile(
            UserProfile(), (f"profile {path}: not JSON ({str(exc)[:80]}); using the defaults",)
        )
    loaded = profile_from(data)
    return LoadedProfile(loaded.profile, tuple(f"profile {path}: {p}" for p in loaded.problems))


def save_profile(profile: UserProfile, folder: Path | None = None) -> Path:
    """Write the profile atomically (a crash leaves the old one or the new one, never half)."""
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PROFILE_FILE
    replace_atomically(path, json.dumps(profile.to_dict(), indent=2).encode())
    return path

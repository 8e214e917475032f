"""Workout plans: the TOML format, validation with line numbers, and the expanded step list.

A plan file (docs/workouts.md has the full reference)::

    name = "First steps backward"
    description = "Short backward walks between forward ones."

    [[steps]]
    kind = "warmup"
    direction = "forward"
    duration = "3:00"          # or seconds, or distance_m = 400
    speed_kmh = 4.0            # optional target; or hr_zone = 2
    incline_pct = 0.0          # optional
    handrail = false           # optional: hold the rails through this step

    [[steps]]
    repeat = 5                 # a repeat block: its own steps, in order
      [[steps.steps]]
      direction = "reverse"
      duration = 30
      speed_kmh = 2.0
      handrail = true
      [[steps.steps]]
      direction = "forward"
      duration = "1:30"
      speed_kmh = 4.0

Every error names the file, the line and the field (``plan.toml:14: steps[2].direction:
'backwards' is neither forward nor reverse``), so a plan written by hand can be fixed
without guessing. Pure: parsing takes text, no file system.
"""

from __future__ import annotations

import enum
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from treadmill.defaults import DISTANCE_STEP_KMH, FORWARD_CAP_KMH, REVERSE_CAP_KMH
from treadmill.errors import TreadmillError
from treadmill.inputs import MAX_PLAN_S, MAX_PLAN_STEPS, MAX_REPEAT, InputError, finite, one_of, printable
from treadmill.model import CueDirection, Facing

__all__ = ["Caps", "Plan", "PlanError", "Step", "StepKind", "check_size", "parse_plan", "plan_of"]

MAX_DISTANCE_M = 100_000.0
"""The longest distance step (100 km: a treadmill ultra)."""


class StepKind(enum.StrEnum):
    """What a step is for (it picks FIT's intensity and the screen's wording)."""

    WARMUP = "warmup"
    INTERVAL = "interval"
    RECOVERY = "recovery"
    COOLDOWN = "cooldown"


_STEP_KEYS = {
    "kind",
    "direction",
    "duration",
    "distance_m",
    "speed_kmh",
    "incline_pct",
    "hr_zone",
    "handrail",
    "note",
}
_TOP_KEYS = {"name", "description", "level", "steps"}
_FACINGS = frozenset(Facing)
_KINDS = frozenset(StepKind)


class PlanError(TreadmillError, ValueError):
    """A plan that cannot be used, with where and why.

    Attributes:
        source: the file (or name) the plan came from.
        line: 1-based line of the problem (0 when it is the plan as a whole).
        field: which field, as a path (``steps[2].direction``), or "" for the file.
        reason: what is wrong.
    """

    def __init__(self, source: str, line: int, field: str, reason: str) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(printable(f"{where}: {field + ': ' if field else ''}{reason}"))
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Caps:
    """The highest speeds a plan (and the control policy) may ask for, per direction."""

    forward_kmh: float = FORWARD_CAP_KMH
    reverse_kmh: float = REVERSE_CAP_KMH
    """Until the person sets theirs; trained backward runners reach about 9.7 km/h (Flynn et al.
    1994; docs/physiology.md), and most people stay far below it."""
    incline_pct: float = 15.0
    """The steepest incline an imported workout may set (most treadmills stop at 12 to 15 %)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an expanded plan (repeat blocks unrolled)."""

    direction: Facing
    duration_s: float | None
    distance_m: float | None
    kind: StepKind = StepKind.INTERVAL
    speed_kmh: float | None = None
    incline_pct: float | None = None
    hr_zone: int | None = None
    handrail: bool = False
    note: str = ""

    def seconds_for(self, metres: float, speed_kmh: float | None = None) -> float:
        """How long ``metres`` of this step take.

        At ``speed_kmh`` (the belt's), else at the step's own speed, else at
        :data:`~treadmill.defaults.DISTANCE_STEP_KMH`.
        """
        kmh = speed_kmh or self.speed_kmh or DISTANCE_STEP_KMH
        return metres / max(kmh / 3.6, 0.1)

    @property
    def length_s(self) -> float:
        """The step's planned time, or a distance step's at its own speed."""
        return self.duration_s if self.duration_s is not None else self.seconds_for(self.distance_m or 0.0)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "direction": self.direction.value,
            "kind": self.kind.value,
            "duration_s": self.duration_s,
            "distance_m": self.distance_m,
            "speed_kmh": self.speed_kmh,
            "incline_pct": self.incline_pct,
            "hr_zone": self.hr_zone,
            "handrail": self.handrail,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """A validated plan, with its steps in order."""

    name: str
    steps: tuple[Step, ...]
    description: str = ""
    level: str = ""
    source: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        """Total time, when every step is timed (None with distance steps)."""
        if any(s.duration_s is None for s in self.steps):
            return None
        return sum(s.duration_s or 0.0 for s in self.steps)

    @property
    def reverse_s(self) -> float:
        """Planned time backward (timed steps only)."""
        return sum(s.duration_s or 0.0 for s in self.steps if s.direction is Facing.REVERSE)

    def timeline(self) -> list[tuple[float, float, Step]]:
        """(start, end, step) of each step in seconds from the start; every step must be timed."""
        if self.duration_s is None:
            raise ValueError(f"{self.name}: distance steps have no planned times")
        out, t = [], 0.0
        for step in self.steps:
            out.append((t, t + (step.duration_s or 0.0), step))
            t += step.duration_s or 0.0
        return out

    def cue_lines(self) -> list[tuple[float, CueDirection]]:
        """The cue lines the plan calls for: each change of direction, then ``stop`` at the end."""
        timeline = self.timeline()
        turns = [
            (b[0], CueDirection(b[2].direction.value))
            for a, b in itertools.pairwise(timeline)
            if a[2].direction is not b[2].direction
        ]
        return [*turns, (timeline[-1][1], CueDirection.STOP)]

    def to_data(self) -> dict[str, object]:
        """The plan as a plan file holds it (steps unrolled): what :func:`plan_of` reads back."""
        steps = []
        for s in self.steps:
            step: dict[str, object] = {"direction": s.direction.value, "kind": s.kind.value}
            if s.duration_s is not None:
                step["duration"] = s.duration_s
            else:
                step["distance_m"] = s.distance_m
            optional = {"speed_kmh": s.speed_kmh, "incline_pct": s.incline_pct, "hr_zone": s.hr_zone}
            step.update({key: value for key, value in optional.items() if value is not None})
            if s.handrail:
                step["handrail"] = True
            if s.note:
                step["note"] = s.note
            steps.append(step)
        return {"name": self.name, "description": self.description, "level": self.level, "steps": steps}

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for ``treadmill plans --json``."""
        return {
            "name": self.name,
            "description": self.description,
            "level": self.level,
            "source": self.source,
            "duration_s": self.duration_s,
            "reverse_s": self.reverse_s,
            "steps": [s.to_dict() for s in self.steps],
        }


class _Lines:
    """Where each step block and each key sits in the TOML text (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*\[\[\s*(steps(?:\s*\.\s*steps)?)\s*\]\]")
    _KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")

    def __init__(self, text: str) -> None:
        self.blocks: dict[tuple[int, ...], int] = {}
        self.keys: dict[tuple[tuple[int, ...], str], int] = {}
        top, sub = -1, -1
        block: tuple[int, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                if "." in header.group(1):
                    sub += 1
                    block = (top, sub)
                else:
                    top, sub = top + 1, -1
                    block = (top,)
                self.blocks[block] = number
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((block, key.group(1)), number)

    def of(self, block: tuple[int, ...], key: str | None = None) -> int:
        """Line of ``key`` in ``block`` (the block's header when the key is absent)."""
        if key is not None and (block, key) in self.keys:
            return self.keys[(block, key)]
        return self.blocks.get(block, 0)


def _duration(value: object) -> float | None:
    """Seconds from a number or "m:ss" / "h:mm:ss"; None when it is neither."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,5}(:\d{1,2}){1,2}", value.strip()):
        total = 0.0
        for part in value.strip().split(":"):
            total = total * 60 + int(part)
        return total
    try:
        return finite(value, "duration")
    except InputError:
        return None


def check_size(source: str, steps: int, duration_s: float, line: int = 0, where: str = "") -> None:
    """Refuse a plan past the limits every format shares (docs/limits.md), naming where it went past."""
    if steps > MAX_PLAN_STEPS:
        raise PlanError(source, line, where, f"more than {MAX_PLAN_STEPS} steps once repeats are unrolled")
    if duration_s > MAX_PLAN_S:
        raise PlanError(source, line, where, f"longer than {MAX_PLAN_S / 3600:g} hours in all")


class _Validator:
    def __init__(self, source: str, text: str, caps: Caps) -> None:
        self.source = source
        self.lines = _Lines(text)
        self.caps = caps

    def fail(self, block: tuple[int, ...], key: str | None, path: str, reason: str) -> PlanError:
        return PlanError(self.source, self.lines.of(block, key), path, reason)

    def step(self, raw: Mapping[str, Any], block: tuple[int, ...], path: str) -> Step:
        unknown = sorted(set(raw) - _STEP_KEYS)
        if unknown:
            raise self.fail(
                block,
                unknown[0],
                f"{path}.{unknown[0]}",
                f"unknown field (known: {', '.join(sorted(_STEP_KEYS))})",
            )
        direction = raw.get("direction")
        if not one_of(direction, _FACINGS):
            why = "missing" if direction is None else f"{direction!r} is neither forward nor reverse"
            raise self.fail(block, "direction", f"{path}.direction", why)
        facing = Facing(direction)
        kind = raw.get("kind", "interval")
        if not one_of(kind, _KINDS):
            known = ", ".join(StepKind)
            raise self.fail(block, "kind", f"{path}.kind", f"{kind!r} is not one of {known}")
        if ("duration" in raw) == ("distance_m" in raw):
            raise self.fail(block, None, path, "give exactly one of duration or distance_m")
        duration = _duration(raw["duration"]) if "duration" in raw else None
        if "duration" in raw and (duration is None or not 0 < duration <= MAX_PLAN_S):
            raise self.fail(
                block,
                "duration",
                f"{path}.duration",
                f"{raw['duration']!r} is not a positive time of at most {MAX_PLAN_S / 3600:g} h"
                " (seconds or m:ss)",
            )
        distance = None
        if "distance_m" in raw:
            distance = self.number(raw, "distance_m", block, path, above=0.0, high=MAX_DISTANCE_M)
        speed = self.number(raw, "speed_kmh", block, path, low=0.1)
        cap = self.caps.reverse_kmh if facing is Facing.REVERSE else self.caps.forward_kmh
        if speed is not None and speed > cap:
            raise self.fail(
                block,
                "speed_kmh",
                f"{path}.speed_kmh",
                f"{speed} km/h is above the {facing.words} cap of {cap} km/h",
            )
        incline = self.number(raw, "incline_pct", block, path, low=-10.0, high=40.0)
        zone = raw.get("hr_zone")
        if zone is not None and (isinstance(zone, bool) or zone not in (1, 2, 3, 4, 5)):
            raise self.fail(block, "hr_zone", f"{path}.hr_zone", f"{zone!r} is not a zone from 1 to 5")
        handrail = raw.get("handrail", False)
        if not isinstance(handrail, bool):
            raise self.fail(block, "handrail", f"{path}.handrail", "must be true or false")
        return Step(
            facing,
            duration,
            distance,
            StepKind(kind),
            speed,
            incline,
            zone,
            handrail,
            printable(str(raw.get("note", ""))),
        )

    def number(
        self,
        raw: Mapping[str, Any],
        key: str,
        block: tuple[int, ...],
        path: str,
        **bounds: float | None,
    ) -> float | None:
        value = raw.get(key)
        if value is None:
            return None
        try:
            return finite(value, f"{path}.{key}", **bounds)
        except InputError as exc:
            raise self.fail(block, key, exc.what, exc.reason) from None

    def steps(self, entries: object, block: tuple[int, ...], path: str, *, nested: bool) -> list[Step]:
        if not isinstance(entries, list) or not entries:
            raise self.fail(block, "steps", path or "steps", "the plan has no steps")
        out: list[Step] = []
        for index, raw in enumerate(entries):
            here = (*block, index) if nested else (index,)
            here_path = f"{path}[{index}]"
            if not isinstance(raw, dict):
                raise self.fail(here, None, here_path, "each step must be a table")
            if "repeat" in raw:
                times = raw["repeat"]
                if nested:
                    raise self.fail(here, "repeat", f"{here_path}.repeat", "repeat blocks cannot be nested")
                if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_REPEAT:
                    raise self.fail(
                        here,
                        "repeat",
                        f"{here_path}.repeat",
                        f"{times!r} is not a count from 1 to {MAX_REPEAT}",
                    )
                extra = sorted(set(raw) - {"repeat", "steps"})
                if extra:
                    raise self.fail(
                        here,
                        extra[0],
                        f"{here_path}.{extra[0]}",
                        "a repeat block holds only repeat and steps",
                    )
                inner = self.steps(raw.get("steps"), here, f"{here_path}.steps", nested=True)
                check_size(
                    self.source, len(out) + len(inner) * times, 0.0, self.lines.of(here, "repeat"), here_path
                )
                out += inner * times
            else:
                out.append(self.step(raw, here, here_path))
                check_size(self.source, len(out), 0.0, self.lines.of(here), here_path)
        return out


def parse_plan(text: str, source: str = "plan", caps: Caps | None = None) -> Plan:
    """Parse and validate a TOML plan.

    Raises:
        PlanError: bad TOML, an unknown field, a bad value, an empty plan; it names the line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise PlanError(source, int(match.group(1)) if match else 0, "", f"not valid TOML ({exc})") from None
    return plan_of(data, source, caps, text)


def plan_of(data: Mapping[str, Any], source: str = "plan", caps: Caps | None = None, text: str = "") -> Plan:
    """Validate a plan already read (a plan file's tables, or :meth:`Plan.to_data` from a recording).

    Raises:
        PlanError: an unknown field, a bad value, an empty plan (with its line, given ``text``).
    """
    validator = _Validator(source, text, caps or Caps())
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        line = validator.lines.keys.get(((), unknown[0]), 0)
        raise PlanError(source, line, unknown[0], f"unknown field (known: {', '.join(sorted(_TOP_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PlanError(source, validator.lines.keys.get(((), "name"), 1), "name", "the plan needs a name")
    steps = validator.steps(data.get("steps"), (), "steps", nested=False)
    check_size(source, len(steps), sum(s.duration_s or 0.0 for s in steps))
    return Plan(
        printable(name.strip()),
        tuple(steps),
        printable(str(data.get("description", ""))),
        printable(str(data.get("level", ""))),
        source,
    )

"""Import Zwift run workouts (``.zwo``) as plans.

The format (Zwift's workout files, as the community's file reference describes them):
``<workout_file>`` holds ``sportType``, ``durationType`` and ``<workout>``, whose blocks run in
order: ``Warmup``, ``Cooldown`` and ``Ramp`` (``PowerLow`` to ``PowerHigh``),
``SteadyState`` (``Power``, or ``PowerLow``/``PowerHigh``), ``IntervalsT`` (``Repeat``,
``OnDuration``/``OffDuration``, ``OnPower``/``OffPower`` or ``PowerOnLow``..``PowerOffHigh``),
``FreeRide`` (no target) and ``MaxEffort``. Tags are matched whatever their case
(``Freeride`` as in Zwift's own FTP test, ``TextEvent``). For running, a power is a
fraction of a reference pace's *speed*, chosen by the block's ``pace``: 0 = 1 mile,
1 = 5 km, 2 = 10 km, 3 = half marathon, 4 = marathon (the person's paces, in the profile).

Read beyond the targets:

* incline: ``Incline`` (a fraction, 0.05 = 5 %) and ``OnSlope``/``OffSlope``/``Slope`` (in
  percent), clamped to the person's incline cap;
* direction: Zwift has none. A block is backward with ``direction="reverse"`` or a text
  event whose message starts with REVERSE or BACKWARD, inside the block or at the top of
  ``<workout>`` (its ``timeoffset`` falls in the block);
* lengths: ``durationType="distance"`` makes them metres, ``"time"`` seconds. Without it a
  file is read as time (the format's default), except a run file whose description names
  one of its blocks' lengths as a distance ("1.00 km warming up" over a ``Duration="1000"``):
  several published run files mean metres that way, and read as seconds their 1 km warm-up
  would last 17 minutes. The reading is kept in the plan (:data:`LENGTHS`) and
  ``treadmill plans`` shows it.

Bounded exactly as TOML plans are (docs/limits.md): at most 50 repeats, 1,000 steps and 24
hours in all. A value out of bounds refuses the file with one line naming the file, the
line, the block (its index and tag) and the attribute. A target that cannot be used (an
unknown pace, a power that is not a number) is not silent: the step keeps its length
without that target, and the plan's notes (:data:`NOTES`) say what was dropped and why.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from treadmill.inputs import MAX_PLAN_FILE_BYTES, MAX_PLAN_S, MAX_REPEAT, InputError, parse_finite, printable
from treadmill.model import Facing
from treadmill.workout.plan import MAX_DISTANCE_M, Caps, Plan, PlanError, Step, StepKind, check_size

__all__ = ["LENGTHS", "NOTES", "Lengths", "parse_zwo"]

LENGTHS = "zwo_lengths"
"""The key of :class:`Plan.extra` that says how the lengths were read (a :class:`Lengths`)."""
NOTES = "zwo_notes"
"""The key of :class:`Plan.extra` with what the import dropped or changed, one line each."""

_MAX_POWER = 3.0
"""The largest fraction of a reference pace a block may ask for (three times 5 km pace is a sprint)."""
_MIN_INCLINE_PCT = -10.0
"""The lowest incline read (the same floor as a TOML plan's)."""


class Lengths(enum.StrEnum):
    """How a file's durations were read."""

    TIME = "time"
    """Seconds: ``durationType="time"``, or no durationType."""
    DISTANCE = "distance"
    """Metres: ``durationType="distance"``."""
    DISTANCE_BY_DESCRIPTION = "distance (from the description)"
    """Metres: no durationType, and a run file whose description names its blocks' lengths in km or miles."""


class _Kind(enum.StrEnum):
    WARMUP = "warmup"
    COOLDOWN = "cooldown"
    RAMP = "ramp"
    STEADY = "steadystate"
    FREE = "freeride"
    MAX_EFFORT = "maxeffort"
    INTERVALS = "intervalst"
    TEXT = "textevent"


_STEP_KINDS = {_Kind.WARMUP: StepKind.WARMUP, _Kind.COOLDOWN: StepKind.COOLDOWN}
_DISTANCES = re.compile(r"(\d+(?:\.\d+)?)\s*(km|kilometres?|kilometers?|miles?|mi)\b", re.IGNORECASE)
_METRES_PER = {"km": 1000.0, "kil": 1000.0, "mi": 1609.344}
_LENGTH_ATTRIBUTES = ("duration", "onduration", "offduration")


def _described_metres(description: str) -> set[float]:
    """The distances a description names ("1.00 km warming up", "2 miles"), in metres."""
    out: set[float] = set()
    for number, unit in _DISTANCES.findall(description):
        per = _METRES_PER[unit.lower()[:3] if unit.lower().startswith("kil") else unit.lower()[:2]]
        out.add(float(round(float(number) * per)))
    return out


def _lengths(root: Element, workout: Element, sport: str) -> Lengths:
    """How to read the lengths (see the module docstring).

    Without a durationType, a run file is read in metres when its description names a distance
    that is one of its blocks' lengths read as metres ("1.00 km warming up" and a Warmup of
    1000): the author has told us the unit. Otherwise, seconds.
    """
    declared = (_text(root, "durationType") or "").strip().lower()
    if declared == "distance":
        return Lengths.DISTANCE
    if declared or "run" not in sport:
        return Lengths.TIME
    named = _described_metres(_text(root, "description") or "")
    lengths = [
        float(value)
        for block in workout
        for key, value in block.attrib.items()
        if key.lower() in _LENGTH_ATTRIBUTES and value.strip().replace(".", "", 1).isdigit()
    ]
    if any(abs(length - metres) < 1.0 for length in lengths for metres in named):
        return Lengths.DISTANCE_BY_DESCRIPTION
    return Lengths.TIME


def _text(root: Element, tag: str) -> str | None:
    """The text of ``root``'s child ``tag``, whatever its case."""
    for child in root:
        if isinstance(child.tag, str) and child.tag.lower() == tag.lower():
            return child.text
    return None


def _line_numbers(data: bytes) -> list[int]:
    """The line of each element's start tag, in document order (the safe parse keeps no positions).

    Run only after defusedxml has accepted the document, so there are no entities to expand.
    """
    lines: list[int] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda _name, _attrs: lines.append(parser.CurrentLineNumber)
    parser.Parse(data, True)  # noqa: FBT003 (expat's own signature: the last chunk)
    return lines


@dataclass(slots=True)
class _Block:
    """One block of ``<workout>``, where it is, and its attributes by lower-case name."""

    element: Element
    index: int
    """1-based position among the workout's blocks."""
    line: int
    kind: _Kind
    attrs: Mapping[str, str]

    @property
    def where(self) -> str:
        return f"block {self.index} ({self.element.tag})"


@dataclass(slots=True)
class _Builder:
    source: str
    paces: tuple[float, ...]
    lengths: Lengths
    caps: Caps
    steps: list[Step] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    """Where each step starts, in the file's own unit (seconds or metres)."""
    blocks_of_steps: list[int] = field(default_factory=list)
    notes: dict[str, list[_Block]] = field(default_factory=dict)
    """What was dropped or changed, by reason, with the blocks it happened in."""
    position: float = 0.0
    pending: list[tuple[float, _Block]] = field(default_factory=list)
    """Top-level REVERSE markers (time offset, where), placed once every step is known."""

    @property
    def by_distance(self) -> bool:
        return self.lengths is not Lengths.TIME

    def fail(self, block: _Block, name: str, reason: str) -> PlanError:
        return PlanError(self.source, block.line, f"{block.where}.{name}", reason)

    def note(self, block: _Block, text: str) -> None:
        """Say what was dropped or changed; the same reason in many blocks is said once, with a count."""
        self.notes.setdefault(text, []).append(block)

    def said(self) -> tuple[str, ...]:
        """The notes, one line per reason: where it first happened, and how many more blocks."""
        out = []
        for text, blocks in self.notes.items():
            first = blocks[0]
            more = f" (and {len(blocks) - 1} more blocks)" if len(blocks) > 1 else ""
            out.append(f"line {first.line}, {first.where}{more}: {text}")
        return tuple(out)

    def number(self, block: _Block, name: str, **bounds: float) -> float | None:
        """An attribute as a finite number within ``bounds`` (None when absent); else the file is refused."""
        value = block.attrs.get(name.lower())
        if value is None:
            return None
        try:
            return parse_finite(value[:40], name, **bounds)
        except InputError as exc:
            raise self.fail(block, name, exc.reason) from None

    def length(self, block: _Block, name: str) -> float | None:
        """A duration (s) or a distance (m): 0 or more, at most the longest a plan may be."""
        longest = MAX_DISTANCE_M if self.by_distance else MAX_PLAN_S
        return self.number(block, name, low=0.0, high=longest)

    def power(self, block: _Block, *names: str) -> float | None:
        """A fraction of the reference pace: one attribute, or the middle of a low-high pair.

        A value that is not a number, or past :data:`_MAX_POWER`, drops the target with a note.
        """
        values = []
        for name in names:
            raw = block.attrs[name.lower()]
            try:
                values.append(parse_finite(raw[:40], name, low=0.0, high=_MAX_POWER))
            except InputError as exc:
                self.note(block, f"{name} {exc.reason}: no speed target")
                return None
        return sum(values) / len(values)

    def target(self, block: _Block, single: str, low: str, high: str, part: str = "") -> float | None:
        """The target of a block (or of its ``part``): ``single``, else the middle of ``low``..``high``."""
        present = [n for n in (single, low, high) if n.lower() in block.attrs]
        if single in present:
            return self.power(block, single)
        if low in present and high in present:
            return self.power(block, low, high)
        if present:
            return self.power(block, present[0])
        self.note(block, f"{part}no power given: no speed target")
        return None

    def speed(self, block: _Block, power: float | None) -> float | None:
        if power is None:
            return None
        raw = block.attrs.get("pace", "0")
        try:
            index = int(parse_finite(raw[:40], "pace", low=0.0, high=len(self.paces) - 1))
        except InputError:
            self.note(
                block,
                f"pace={printable(raw)[:20]!r} is not a reference pace (0 to {len(self.paces) - 1}): "
                "no speed target",
            )
            return None
        return round(3600.0 / self.paces[index] * power, 2)

    def incline(self, block: _Block, *names: str) -> float | None:
        """``Incline`` (a fraction) or a slope (percent), clamped to the cap with a note."""
        for name in names:
            if name.lower() not in block.attrs:
                continue
            value = self.number(block, name, low=-100.0, high=100.0)
            if value is None:
                return None
            pct = value * 100.0 if name == "Incline" else value
            clamped = min(max(pct, _MIN_INCLINE_PCT), self.caps.incline_pct)
            if clamped != pct:
                self.note(
                    block, f"{name}={printable(block.attrs[name.lower()])[:20]} clamped to {clamped:g} %"
                )
            return round(clamped, 1)
        return None

    def add(
        self,
        block: _Block,
        length: float | None,
        power: float | None,
        kind: StepKind,
        incline: float | None = None,
    ) -> None:
        if length is None:
            raise self.fail(block, "Duration", "missing: every block needs a length")
        if length == 0:
            return
        direction = Facing.REVERSE if _reverse(block.element) else Facing.FORWARD
        speed = self.speed(block, power)
        cap = self.caps.reverse_kmh if direction is Facing.REVERSE else self.caps.forward_kmh
        if speed is not None and speed > cap:
            raise self.fail(block, "Power", f"{speed} km/h is above the {direction.words} cap of {cap} km/h")
        self.starts.append(self.position)
        self.blocks_of_steps.append(block.index)
        self.position += length
        self.steps.append(
            Step(
                direction,
                None if self.by_distance else length,
                length if self.by_distance else None,
                kind,
                speed,
                incline,
                handrail=direction is Facing.REVERSE,
            )
        )

    def block(self, block: _Block) -> None:
        kind = block.kind
        incline = self.incline(block, "Incline", "Slope", "OnSlope")
        step_kind = _STEP_KINDS.get(kind, StepKind.INTERVAL)
        if kind in (_Kind.FREE, _Kind.MAX_EFFORT) and not _has_any(block, "Power", "PowerLow", "PowerHigh"):
            self.note(block, "no target by design: your own pace")
            self.add(block, self.length(block, "Duration"), None, step_kind, incline)
        elif kind is _Kind.INTERVALS:
            self.intervals(block, incline)
        else:
            power = self.target(block, "Power", "PowerLow", "PowerHigh")
            self.add(block, self.length(block, "Duration"), power, step_kind, incline)
        check_size(self.source, len(self.steps), self.total_s(), block.line, block.where)

    def intervals(self, block: _Block, incline: float | None) -> None:
        repeat = int(self.number(block, "Repeat", low=1.0, high=MAX_REPEAT) or 1.0)
        check_size(
            self.source, len(self.steps) + 2 * repeat, self.total_s(), block.line, f"{block.where}.Repeat"
        )
        on, off = self.length(block, "OnDuration"), self.length(block, "OffDuration")
        if on is None or off is None:
            missing = "OnDuration" if on is None else "OffDuration"
            raise self.fail(block, missing, "missing: an IntervalsT block needs OnDuration and OffDuration")
        if on == 0:
            raise self.fail(block, "OnDuration", "0: the on part must last")
        on_power = self.target(block, "OnPower", "PowerOnLow", "PowerOnHigh", "on part: ")
        off_power = (
            None if off == 0 else self.target(block, "OffPower", "PowerOffLow", "PowerOffHigh", "off part: ")
        )
        off_incline = self.incline(block, "OffSlope")
        for _ in range(repeat):
            self.add(block, on, on_power, StepKind.INTERVAL, incline)
            self.add(
                block, off, off_power, StepKind.RECOVERY, off_incline if off_incline is not None else incline
            )

    def total_s(self) -> float:
        return sum(s.duration_s or 0.0 for s in self.steps)

    def top_level_event(self, block: _Block) -> None:
        """A ``<textevent>`` directly in ``<workout>``: a REVERSE marker applies to the step it falls in."""
        message = (block.attrs.get("message") or "").strip().upper()
        if not message.startswith(("REVERSE", "BACKWARD")):
            return
        offset = self.number(block, "timeoffset", low=0.0, high=MAX_PLAN_S)
        if offset is None or self.by_distance:
            self.note(block, "a REVERSE marker without a time it can be placed at: ignored")
            return
        self.pending.append((offset, block))

    def place_markers(self) -> None:
        """Turn the steps the top-level REVERSE markers fall in to face backward."""
        for offset, block in self.pending:
            hits = [
                i for i, start in enumerate(self.starts) if start <= offset < start + _length(self.steps[i])
            ]
            if not hits:
                self.note(block, f"a REVERSE marker at {offset:g} s falls after the workout: ignored")
                continue
            step = self.steps[hits[0]]
            if step.direction is Facing.FORWARD:
                self.steps[hits[0]] = _backward(step)


def _length(step: Step) -> float:
    return step.duration_s if step.duration_s is not None else (step.distance_m or 0.0)


def _backward(step: Step) -> Step:
    return dataclasses.replace(step, direction=Facing.REVERSE, handrail=True)


def _has_any(block: _Block, *names: str) -> bool:
    return any(name.lower() in block.attrs for name in names)


def _is_text_event(element: Element) -> bool:
    return isinstance(element.tag, str) and element.tag.lower() == _Kind.TEXT


def _reverse(block: Element) -> bool:
    attrs = {k.lower(): v for k, v in block.attrib.items()}
    if (attrs.get("direction") or "").lower() in ("reverse", "backward"):
        return True
    for event in block.iter():
        if event is block or not _is_text_event(event):
            continue
        message = next((v for k, v in event.attrib.items() if k.lower() == "message"), "")
        if message.strip().upper().startswith(("REVERSE", "BACKWARD")):
            return True
    return False


def _parse(data: bytes, source: str) -> Element:
    if len(data) > MAX_PLAN_FILE_BYTES:
        raise PlanError(
            source, 0, "", f"larger than {MAX_PLAN_FILE_BYTES // 1000} KB: too large for a workout"
        )
    try:
        root: Element = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise PlanError(source, 0, "", f"not a Zwift workout (XML: {exc})") from None
    return root


def parse_zwo(
    data: bytes, source: str, reference_paces_s_per_km: tuple[float, ...], caps: Caps | None = None
) -> Plan:
    """A plan from a ``.zwo`` file's bytes (see the module docstring).

    Raises:
        PlanError: not XML, not a run workout, an unknown block, a value out of bounds, a speed above
            the caps; it names the line, the block and the attribute.
    """
    root = _parse(data, source)
    if root.tag != "workout_file":
        raise PlanError(source, 1, printable(str(root.tag))[:40], "not a Zwift workout (no <workout_file>)")
    lines = _line_numbers(data)
    line_of = {id(element): lines[i] for i, element in enumerate(root.iter()) if i < len(lines)}
    sport = (_text(root, "sportType") or "").strip().lower()
    if "run" not in sport:
        shown = printable(sport)[:40] or "missing"
        raise PlanError(source, 0, "sportType", f"{shown}: only run workouts can be imported")
    workout = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "workout"), None)
    if workout is None or len(workout) == 0:
        raise PlanError(source, line_of.get(id(workout), 0), "workout", "the workout has no blocks")
    builder = _Builder(source, reference_paces_s_per_km, _lengths(root, workout, sport), caps or Caps())
    for index, element in enumerate(workout, start=1):
        tag = str(element.tag).lower()
        try:
            kind = _Kind(tag)
        except ValueError:
            raise PlanError(
                source,
                line_of.get(id(element), 0),
                f"block {index} ({printable(str(element.tag))[:40]})",
                "not a Zwift workout block this importer knows",
            ) from None
        block = _Block(
            element,
            index,
            line_of.get(id(element), 0),
            kind,
            {k.lower(): v for k, v in element.attrib.items()},
        )
        if kind is _Kind.TEXT:
            builder.top_level_event(block)
        else:
            builder.block(block)
    builder.place_markers()
    if not builder.steps:
        raise PlanError(source, line_of.get(id(workout), 0), "workout", "every block is 0 long")
    name = printable((_text(root, "name") or "").strip())[:200] or source
    description = printable((_text(root, "description") or "").strip())
    extra = {LENGTHS: builder.lengths, NOTES: builder.said()}
    return Plan(name, tuple(builder.steps), description, "", source, extra)

"""Import Zwift run workouts (``.zwo``) as plans.

Zwift's run workouts (h4l/zwift-workout-file-reference; qdomyos-zwift ``zwiftworkout.cpp``):
blocks ``Warmup``/``Cooldown`` (``Duration``, ``PowerLow``..``PowerHigh``), ``SteadyState``
(``Duration``, ``Power``), ``IntervalsT`` (``Repeat``, ``OnDuration``/``OffDuration``,
``OnPower``/``OffPower``), ``Ramp``, ``FreeRide``. For running, ``Power`` is a fraction of a
reference pace's *speed*, chosen by the block's ``pace`` attribute: 0 = 1 mile, 1 = 5 km,
2 = 10 km, 3 = half marathon, 4 = marathon (the user's own reference paces, in the profile).
``durationType`` "distance" makes durations metres.

Zwift has no direction. This importer reads a block as backward when it has
``direction="reverse"`` or a ``<textevent>`` whose message starts with REVERSE or BACKWARD
(docs/workouts.md); everything else is forward.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from treadmill.inputs import MAX_PLAN_FILE_BYTES, MAX_PLAN_S, MAX_REPEAT, InputError, parse_finite, printable
from treadmill.model import Facing
from treadmill.workout.plan import MAX_DISTANCE_M, Caps, Plan, PlanError, Step, StepKind, check_size

__all__ = ["parse_zwo"]

_MAX_POWER = 3.0
"""The largest fraction of a reference pace a block may ask for (three times 5 km pace is a sprint)."""


def _float(
    source: str, element: Element, name: str, default: float | None = None, **bounds: float
) -> float | None:
    """An attribute as a finite number within ``bounds``; ``default`` when it is absent."""
    value = element.get(name)
    if value is None:
        return default
    try:
        return parse_finite(value[:40], f"{element.tag}.{name}", **bounds)
    except InputError as exc:
        raise PlanError(source, 0, exc.what, exc.reason) from None


def _reverse(block: Element) -> bool:
    if (block.get("direction") or "").lower() in ("reverse", "backward"):
        return True
    return any(
        (event.get("message") or "").strip().upper().startswith(("REVERSE", "BACKWARD"))
        for event in block.iter("textevent")
    )


class _Builder:
    def __init__(self, source: str, paces: tuple[float, ...], by_distance: bool, caps: Caps) -> None:
        self.source = source
        self.paces = paces
        self.by_distance = by_distance
        self.caps = caps
        self.steps: list[Step] = []

    def speed(self, block: Element, power: float | None) -> float | None:
        if power is None:
            return None
        pace_index = int(_float(self.source, block, "pace", 0.0, low=0.0, high=len(self.paces) - 1) or 0.0)
        reference_kmh = 3600.0 / self.paces[pace_index]
        return round(reference_kmh * power, 2)

    def number(self, block: Element, name: str, default: float | None = None) -> float | None:
        """A duration (s, or m for a distance workout) or a power fraction, finite and bounded."""
        if name.endswith("Power") or name == "Power":
            return _float(self.source, block, name, default, low=0.0, high=_MAX_POWER)
        longest = MAX_DISTANCE_M if self.by_distance else MAX_PLAN_S
        return _float(self.source, block, name, default, above=0.0, high=longest)

    def add(self, block: Element, length: float | None, power: float | None, kind: StepKind) -> None:
        if length is None:
            raise PlanError(self.source, 0, block.tag, "a block needs a positive Duration")
        direction = Facing.REVERSE if _reverse(block) else Facing.FORWARD
        speed = self.speed(block, power)
        cap = self.caps.reverse_kmh if direction is Facing.REVERSE else self.caps.forward_kmh
        if speed is not None and speed > cap:
            raise PlanError(
                self.source, 0, block.tag, f"{speed} km/h is above the {direction.words} cap of {cap} km/h"
            )
        self.steps.append(
            Step(
                direction,
                None if self.by_distance else length,
                length if self.by_distance else None,
                kind,
                speed,
                handrail=direction is Facing.REVERSE,
            )
        )

    def block(self, block: Element) -> None:
        tag = block.tag
        if tag in ("Warmup", "Cooldown", "Ramp"):
            low, high = self.number(block, "PowerLow"), self.number(block, "PowerHigh")
            power = None if low is None or high is None else (low + high) / 2.0
            kind = {"Warmup": StepKind.WARMUP, "Cooldown": StepKind.COOLDOWN}.get(tag, StepKind.INTERVAL)
            self.add(block, self.number(block, "Duration"), power, kind)
        elif tag in ("SteadyState", "FreeRide", "MaxEffort"):
            self.add(block, self.number(block, "Duration"), self.number(block, "Power"), StepKind.INTERVAL)
        elif tag == "IntervalsT":
            repeat = int(_float(self.source, block, "Repeat", 1.0, low=1.0, high=MAX_REPEAT) or 1.0)
            check_size(self.source, len(self.steps) + 2 * repeat, 0.0, 0, f"{tag}.Repeat")
            on, off = self.number(block, "OnDuration"), self.number(block, "OffDuration")
            on_power, off_power = self.number(block, "OnPower"), self.number(block, "OffPower")
            for _ in range(repeat):
                self.add(block, on, on_power, StepKind.INTERVAL)
                self.add(block, off, off_power, StepKind.RECOVERY)
        else:
            raise PlanError(
                self.source, 0, printable(tag)[:40], "not a Zwift workout block this importer knows"
            )
        check_size(self.source, len(self.steps), sum(s.duration_s or 0.0 for s in self.steps), 0, tag)


def parse_zwo(
    data: bytes, source: str, reference_paces_s_per_km: tuple[float, ...], caps: Caps | None = None
) -> Plan:
    """A plan from a ``.zwo`` file's bytes.

    Raises:
        PlanError: not XML, not a run workout, an unknown block, a speed above the caps.
    """
    if len(data) > MAX_PLAN_FILE_BYTES:
        raise PlanError(
            source, 0, "", f"larger than {MAX_PLAN_FILE_BYTES // 1000} KB: too large for a workout"
        )
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise PlanError(source, 0, "", f"not a Zwift workout (XML: {exc})") from None
    if root.tag != "workout_file":
        raise PlanError(source, 0, printable(root.tag)[:40], "not a Zwift workout (no <workout_file>)")
    sport = (root.findtext("sportType") or "").strip().lower()
    if "run" not in sport:
        shown = printable(sport)[:40] or "missing"
        raise PlanError(source, 0, "sportType", f"{shown}: only run workouts can be imported")
    workout = root.find("workout")
    if workout is None or len(workout) == 0:
        raise PlanError(source, 0, "workout", "the workout has no blocks")
    by_distance = (root.findtext("durationType") or "time").strip().lower() == "distance"
    builder = _Builder(source, reference_paces_s_per_km, by_distance, caps or Caps())
    for block in workout:
        builder.block(block)
    name = printable((root.findtext("name") or "").strip())[:200] or source
    description = printable((root.findtext("description") or "").strip())
    return Plan(name, tuple(builder.steps), description, "", source)

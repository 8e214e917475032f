"""The cue engine: what to tell the person, and when, as a plan runs (docs/workouts.md).

Pure and clock-free: :meth:`CueEngine.update` takes the session time, the detector's
direction and the distance, and returns the cues due since the last call. Each cue has a
headline short enough to read in one glance from the belt, and the detail below it. For
every step:

* ``announce`` ten seconds ahead, saying what is coming; before a turn, how to turn
  (slow to a walk, hands on the rails, turn, then build up);
* ``countdown`` 3, 2, 1 (with the terminal bell);
* ``turn`` at the boundary of a direction change (this is the fixture's cue line), or
  ``step`` for a change of speed or incline only;
* ``recheck`` if the detector still sees the old direction 20 s after a turn cue; the step is
  then noted as not followed (:attr:`CueEngine.missed_turns`);
* ``form`` reminders during backward steps (upright, short controlled steps, core engaged),
  at most every 90 s and three per step, never within 10 s of another cue;
* ``finished`` at the end, with a ``stop`` cue line.

Timed steps switch at their planned time; distance steps when the distance is covered.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field

from treadmill.model import CueDirection, Direction, Facing
from treadmill.workout.plan import Plan, Step

__all__ = ["CueEngine", "CueEvent", "CueKind", "describe_step"]

TURN_SPEED_KMH = 2.0
"""Slow to this to turn (docs/safety.md: people turn at 1-3 km/h)."""
FORM_REMINDERS = (
    ("Stay upright", "Chest up, eyes forward over your shoulder, not down at your feet."),
    ("Short steps", "Short, controlled steps: land on the ball of the foot."),
    ("Core engaged", "Arms relaxed; keep a light touch on the rails if you need it."),
)


class CueKind(enum.StrEnum):
    """What a cue is."""

    ANNOUNCE = "announce"
    """Ten seconds ahead: what is coming, and how to turn."""
    COUNTDOWN = "countdown"
    TURN = "turn"
    """A change of direction, now (the recording's cue line)."""
    TURNED = "turned"
    """The detector sees the cued turn: "You're backward ✓"."""
    STEP = "step"
    """A change of speed or incline only."""
    RECHECK = "recheck"
    """The detector has not seen the turn 20 s after its cue."""
    FORM = "form"
    FINISHED = "finished"
    ASK = "ask"
    """The detector cannot tell whether the person turned: "Did you turn?" (the answer is a mark)."""


@dataclass(frozen=True, slots=True)
class CueEvent:
    """One cue for the person."""

    t: float
    kind: CueKind
    text: str
    """The headline: a few words, readable at a glance from 2 m."""
    step_index: int
    direction: CueDirection | None = None
    """For a turn and the finish: the recording's cue line."""
    bell: bool = False
    more: str = ""
    """The detail under the headline."""


_COUNT = re.compile(r"\b\d+ s\b")


def recount(headline: str, seconds_left: float) -> str:
    """An announcement's headline ("Turn in 10 s: face forward"), its count brought up to date.

    ``seconds_left`` rounded up, as the big countdown shows it: one source for both.
    """
    return _COUNT.sub(f"{math.ceil(max(seconds_left, 0.0))} s", headline, count=1)


def length_words(duration_s: float) -> str:
    """A step's length as a person says it: "25 s", "2 min", "1 min 30 s" (never "0.4167 min")."""
    minutes, seconds = divmod(round(duration_s), 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min" + (f" {seconds} s" if seconds else "")


def describe_step(step: Step) -> str:
    """A step in words: "2 min backward at 3 km/h, hands on the rails"."""
    length = length_words(step.duration_s) if step.duration_s is not None else f"{step.distance_m:.0f} m"
    target = []
    if step.speed_kmh is not None:
        target.append(f"{step.speed_kmh:g} km/h")
    if step.incline_pct:
        target.append(f"{step.incline_pct:g} % incline")
    if step.hr_zone is not None:
        target.append(f"heart-rate zone {step.hr_zone}")
    rails = ", hands on the rails" if step.handrail else ""
    return f"{length} {step.direction.words}" + (f" at {', '.join(target)}" if target else "") + rails


@dataclass(slots=True)
class CueEngine:
    """Runs a plan's cues from a start time."""

    plan: Plan
    start_s: float = 0.0
    announce_s: float = 10.0
    recheck_after_s: float = 20.0
    form_every_s: float = 90.0
    form_per_step: int = 3
    missed_turns: list[int] = field(default_factory=list)
    _index: int = 0
    _step_start: float = 0.0
    _step_distance_start: float = 0.0
    _announced: bool = False
    _counted: set[int] = field(default_factory=set)
    _turn_at: float | None = None
    _expected: Facing | None = None
    _rechecked: bool = False
    _forms: int = 0
    _last_cue: float = -1e9
    _done: bool = False

    def __post_init__(self) -> None:
        """The first step begins at ``start_s``."""
        self._step_start = self.start_s

    @property
    def step(self) -> Step | None:
        """The current step (None once finished)."""
        return None if self._done else self.plan.steps[self._index]

    @property
    def index(self) -> int:
        """Position of the current step in the plan (one past the last once finished)."""
        return len(self.plan.steps) if self._done else self._index

    @property
    def finished(self) -> bool:
        """True after the last step."""
        return self._done

    def seconds_left(
        self, t: float, speed_kmh: float | None = None, distance_m: float | None = None
    ) -> float | None:
        """Time to the next boundary: exact for timed steps, estimated from speed for distance steps."""
        step = self.step
        if step is None:
            return None
        if step.duration_s is not None:
            return self._step_start + step.duration_s - t
        covered = (distance_m or 0.0) - self._step_distance_start
        return step.seconds_for(max((step.distance_m or 0.0) - covered, 0.0), speed_kmh)

    def _cue(
        self,
        out: list[CueEvent],
        t: float,
        kind: CueKind,
        text: str,
        more: str = "",
        *,
        direction: CueDirection | None = None,
        bell: bool = False,
    ) -> None:
        out.append(CueEvent(t, kind, text, self._index, direction, bell, more))
        if kind is not CueKind.COUNTDOWN:
            self._last_cue = t

    def shift(self, seconds: float) -> None:
        """The workout was paused for ``seconds``: every timer of the current step moves on by as much."""
        self._step_start += seconds
        self._last_cue += seconds
        if self._turn_at is not None:
            self._turn_at += seconds

    def next_turn(
        self, t: float, speed_kmh: float | None = None, distance_m: float | None = None
    ) -> tuple[float, Facing | None] | None:
        """Seconds to the next change of direction, and the way it turns to (None: the end comes first).

        The current step's time left, then each following step's length up to the first one
        that faces the other way; a distance step counts at the current speed (or its own).
        None once finished.
        """
        left = self.seconds_left(t, speed_kmh, distance_m)
        step = self.step
        if left is None or step is None:
            return None
        left = max(left, 0.0)
        for following in self.plan.steps[self._index + 1 :]:
            if following.direction is not step.direction:
                return left, following.direction
            if following.duration_s is not None:
                left += following.duration_s
            else:
                left += following.seconds_for(following.distance_m or 0.0, speed_kmh)
        return left, None

    @property
    def coming(self) -> Step | None:
        """The step after the current one (None in the last step and once finished)."""
        if self._done or self._index + 1 >= len(self.plan.steps):
            return None
        return self.plan.steps[self._index + 1]

    def update(
        self,
        t: float,
        *,
        detected: Direction | None = None,
        distance_m: float | None = None,
        speed_kmh: float | None = None,
    ) -> list[CueEvent]:
        """Cues due at session time ``t`` (call at every sample, or more often)."""
        out: list[CueEvent] = []
        if self._done:
            return out
        left = self.seconds_left(t, speed_kmh, distance_m)
        current, coming = self.plan.steps[self._index], self.coming
        if left is not None and left <= self.announce_s and not self._announced:
            self._announced = True
            self._cue(out, t, CueKind.ANNOUNCE, *self._announcement(current, coming, math.ceil(left)))
        if left is not None and coming is not None and coming.direction is not current.direction:
            for count in (3, 2, 1):
                if left <= count and count not in self._counted:
                    self._counted.add(count)
                    self._cue(
                        out,
                        t,
                        CueKind.COUNTDOWN,
                        str(count),
                        f"Turn: face {coming.direction.words}",
                        bell=True,
                    )
        if left is not None and left <= 0.0:
            self._advance(out, t, distance_m)
            return out
        self._check_turn(out, t, detected)
        self._form(out, t)
        return out

    def _announcement(self, current: Step, coming: Step | None, seconds: int) -> tuple[str, str]:
        if coming is None:
            return f"{seconds} s to the end", "Slow down for your cool-down finish."
        if coming.direction is not current.direction:
            return (
                f"Turn in {seconds} s: face {coming.direction.words}",
                f"Slow to {TURN_SPEED_KMH:g} km/h and hold the rails, then {_target(coming)}.",
            )
        return f"Change in {seconds} s", f"Next: {describe_step(coming)}."

    def finish(self, t: float) -> list[CueEvent]:
        """The person ended the workout in its last step (stopped the belt): it is done now."""
        out: list[CueEvent] = []
        if not self._done:
            self._index = len(self.plan.steps) - 1
            self._advance(out, t, None)
        return out

    def _advance(self, out: list[CueEvent], t: float, distance_m: float | None) -> None:
        previous = self.plan.steps[self._index]
        self._index += 1
        self._announced = False
        self._counted.clear()
        self._forms = 0
        # Timed steps keep to the plan's clock, however late this call: no drift over a workout.
        self._step_start = t if previous.duration_s is None else self._step_start + previous.duration_s
        self._step_distance_start = distance_m or 0.0
        if self._index >= len(self.plan.steps):
            self._done = True
            self._index = len(self.plan.steps) - 1
            self._cue(
                out,
                t,
                CueKind.FINISHED,
                "Workout done",
                f"{self.plan.name}: slow down and step off carefully.",
                direction=CueDirection.STOP,
            )
            return
        step = self.plan.steps[self._index]
        if step.direction is not previous.direction:
            self._turn_at, self._expected, self._rechecked = t, step.direction, False
            self._cue(
                out,
                t,
                CueKind.TURN,
                f"TURN NOW: face {step.direction.words}",
                f"Hands on the rails, then {_target(step)}.",
                direction=CueDirection(step.direction.value),
                bell=True,
            )
        else:
            more = f"{describe_step(step)}." + (f" {step.note}" if step.note else "")
            self._cue(out, t, CueKind.STEP, "Now: " + _target(step), more)

    def _check_turn(self, out: list[CueEvent], t: float, detected: Direction | None) -> None:
        if self._turn_at is None or self._rechecked or self._expected is None:
            return
        if detected not in (Direction.FORWARD, Direction.REVERSE):
            return
        if detected is Direction.facing(self._expected):
            self._turn_at = None
            steady = (
                "Hold the rails until you are steady." if self._expected is Facing.REVERSE else "Eyes ahead."
            )
            self._cue(out, t, CueKind.TURNED, f"You're {self._expected.words} ✓", steady, bell=True)
            return
        if t - self._turn_at >= self.recheck_after_s:
            self._rechecked = True
            self.missed_turns.append(self._index)
            face = self._expected.words
            key = "r" if self._expected is Facing.REVERSE else "f"
            self._cue(
                out,
                t,
                CueKind.RECHECK,
                f"Still facing {self._expected.other.words}?",
                f"When ready: slow down, hold the rails, face {face}. Already facing {face}? Press {key}.",
            )

    @property
    def turn_pending(self) -> bool:
        """A turn was cued and the detector has not seen it yet (the "turn now" cue still stands)."""
        return self._turn_at is not None and not self._rechecked

    def _form(self, out: list[CueEvent], t: float) -> None:
        step = self.plan.steps[self._index]
        if step.direction is not Facing.REVERSE or self._forms >= self.form_per_step:
            return
        due = self._step_start + 20.0 + self._forms * self.form_every_s
        if t >= due and t - self._last_cue >= 10.0:
            self._cue(out, t, CueKind.FORM, *FORM_REMINDERS[self._forms % len(FORM_REMINDERS)])
            self._forms += 1


def _target(step: Step) -> str:
    """A step's headline: its speed (or zone), or its direction when it has no target."""
    if step.speed_kmh is not None:
        return f"{step.speed_kmh:g} km/h {step.direction.words}"
    if step.hr_zone is not None:
        return f"zone {step.hr_zone} {step.direction.words}"
    return step.direction.words

"""The cue engine: what to tell the user, and when, as a plan runs (reverse-running.md §7.1).

Pure and clock-free: :meth:`CueEngine.update` takes the session time, the detector's
direction and the distance, and returns the cues due since the last call. For every step:

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

from dataclasses import dataclass, field

from treadmill.workout.plan import Plan, Step

__all__ = ["CueEngine", "CueEvent", "describe_step"]

TURN_SPEED_KMH = 2.0
"""Slow to this to turn (reverse-running.md §3.4: people turn at 1-3 km/h)."""
FORM_REMINDERS = (
    "Stay upright: chest up, eyes forward over your shoulder, not down at your feet.",
    "Short, controlled steps: land on the ball of the foot.",
    "Core engaged, arms relaxed; keep a light touch on the rails if you need it.",
)


@dataclass(frozen=True, slots=True)
class CueEvent:
    """One cue for the user."""

    t: float
    kind: str
    """``announce``, ``countdown``, ``turn``, ``step``, ``recheck``, ``form`` or ``finished``."""
    text: str
    step_index: int
    direction: str | None = None
    """For ``turn`` and ``finished``: the fixture cue line (``forward``, ``reverse``, ``stop``)."""
    bell: bool = False


def describe_step(step: Step) -> str:
    """A step in words: "2 min backward at 3 km/h, hands on the rails"."""
    length = f"{step.duration_s / 60:.4g} min" if step.duration_s is not None else f"{step.distance_m:.0f} m"
    target = []
    if step.speed_kmh is not None:
        target.append(f"{step.speed_kmh:g} km/h")
    if step.incline_pct:
        target.append(f"{step.incline_pct:g} % incline")
    if step.hr_zone is not None:
        target.append(f"heart-rate zone {step.hr_zone}")
    rails = ", hands on the rails" if step.handrail else ""
    return (
        f"{length} {'backward' if step.direction == 'reverse' else 'forward'}"
        + (f" at {', '.join(target)}" if target else "")
        + rails
    )


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
    _expected: str | None = None
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
        left = max((step.distance_m or 0.0) - covered, 0.0)
        return left / max((speed_kmh or step.speed_kmh or 4.0) / 3.6, 0.1)

    def _cue(
        self,
        out: list[CueEvent],
        t: float,
        kind: str,
        text: str,
        *,
        direction: str | None = None,
        bell: bool = False,
    ) -> None:
        out.append(CueEvent(t, kind, text, self._index, direction, bell))
        if kind != "countdown":
            self._last_cue = t

    def shift(self, seconds: float) -> None:
        """The workout was paused for ``seconds``: every timer of the current step moves on by as much."""
        self._step_start += seconds
        self._last_cue += seconds
        if self._turn_at is not None:
            self._turn_at += seconds

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
        detected: str | None = None,
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
            self._cue(out, t, "announce", self._announcement(current, coming))
        if left is not None and coming is not None and coming.direction != current.direction:
            for count in (3, 2, 1):
                if left <= count and count not in self._counted:
                    self._counted.add(count)
                    self._cue(out, t, "countdown", str(count), bell=True)
        if left is not None and left <= 0.0:
            self._advance(out, t, distance_m)
            return out
        self._check_turn(out, t, detected)
        self._form(out, t)
        return out

    def _announcement(self, current: Step, coming: Step | None) -> str:
        if coming is None:
            return "10 seconds to the end: slow down for your cool-down finish."
        if coming.direction != current.direction:
            face = "backward" if coming.direction == "reverse" else "forward"
            return (
                f"Turn in 10 s: slow to {TURN_SPEED_KMH:g} km/h, hold the rails, turn to face {face},"
                f" then build up to {describe_step(coming)}."
            )
        return f"In 10 s: {describe_step(coming)}."

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
                "finished",
                f"Workout done: {self.plan.name}. Slow down and step off carefully.",
                direction="stop",
            )
            return
        step = self.plan.steps[self._index]
        if step.direction != previous.direction:
            face = "backward" if step.direction == "reverse" else "forward"
            self._turn_at, self._expected, self._rechecked = t, step.direction, False
            self._cue(
                out,
                t,
                "turn",
                f"Turn now: face {face}, hands on the rails. Then {describe_step(step)}.",
                direction=step.direction,
                bell=True,
            )
        else:
            self._cue(out, t, "step", f"Now: {describe_step(step)}." + (f" {step.note}" if step.note else ""))

    def _check_turn(self, out: list[CueEvent], t: float, detected: str | None) -> None:
        if self._turn_at is None or self._rechecked or detected is None or detected == "stopped":
            return
        if detected == self._expected:
            self._turn_at = None
            return
        if t - self._turn_at >= self.recheck_after_s:
            self._rechecked = True
            self.missed_turns.append(self._index)
            face = "backward" if self._expected == "reverse" else "forward"
            self._cue(
                out,
                t,
                "recheck",
                f"You still seem to face the other way: when ready, slow down, hold the rails, face {face}.",
            )

    def _form(self, out: list[CueEvent], t: float) -> None:
        step = self.plan.steps[self._index]
        if step.direction != "reverse" or self._forms >= self.form_per_step:
            return
        due = self._step_start + 20.0 + self._forms * self.form_every_s
        if t >= due and t - self._last_cue >= 10.0:
            self._cue(out, t, "form", FORM_REMINDERS[self._forms % len(FORM_REMINDERS)])
            self._forms += 1

"""Safety rules: when to tell the person to hold the handrails, and why (docs/safety.md).

A stumble backward is a fall off the back of the machine: the person faces the rear of the
deck, the belt carries their feet the way they face, the stop button is behind them, and
the 2 m clearance behind the deck (EN 957-6) is where they would land. Each rule raises a
warning while its condition holds and clears it when the condition ends:

* ``reverse_start`` (caution): the first 20 s of every backward stretch; balance is least
  sure in the first steps backward.
* ``turnaround`` (caution): from 15 s before every turn (cued or detected) to 20 s after
  it, and while the direction is unsure in the minute after one; turning on a moving belt is the
  likeliest moment to trip, and the rails are advised until 20-30 s of steady speed.
* ``reverse_speed`` (danger): backward faster than the person's safe reverse speed; speed
  beyond experience (start at 3 km/h or less). Only when something besides the belt's speed
  says backward too: the plan's step, the step rate, or the person's own mark; and never while
  a cued turn to forward is under way (the belt speeds up *because* they turned).
* ``reverse_incline`` (caution): backward on an incline of 5 % or more.
* ``reverse_speed_change`` (caution): the belt speed changing while backward.
* ``link_lost`` (caution): treadmill data stale or the link down; the belt may keep moving
  while the app cannot see it.
* ``doubtful_data`` (caution): the treadmill's readings come in physically impossible too
  often (:mod:`treadmill.core.plausibility`); the app cannot tell what the belt does.
* ``safety_key`` (danger): the safety key was pulled; check before restarting.
* ``unexpected_stop`` (caution): the belt stopped with nobody asking; a sudden stop can throw
  a backward walker.

The rules that depend on the direction fire only on a confident "backward"
(:data:`CONFIDENT`, a calibrated confidence: right at least that often): a wrong and sure
danger warning teaches people to ignore warnings. While the direction is unsure around a
turn, the turnaround warning covers the person.

Pure: :meth:`SafetyMonitor.update` takes a :class:`SafetyState` and returns what was raised
and cleared.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from treadmill.defaults import REVERSE_CAP_KMH
from treadmill.model import Direction, Facing, LinkState

__all__ = [
    "CONFIDENT",
    "HOLD_THE_RAILS",
    "RULES",
    "Level",
    "Rule",
    "RuleSpec",
    "SafetyMonitor",
    "SafetyState",
    "SafetyWarning",
]

CONFIDENT = 0.8
"""The detector's stated confidence from which a direction-dependent rule believes "backward"
(calibrated: a label stated at 0.8 is right about four times in five)."""


class Rule(enum.StrEnum):
    """The safety rules (see the module docstring)."""

    REVERSE_START = "reverse_start"
    TURNAROUND = "turnaround"
    REVERSE_SPEED = "reverse_speed"
    REVERSE_INCLINE = "reverse_incline"
    REVERSE_SPEED_CHANGE = "reverse_speed_change"
    LINK_LOST = "link_lost"
    DOUBTFUL_DATA = "doubtful_data"
    SAFETY_KEY = "safety_key"
    UNEXPECTED_STOP = "unexpected_stop"


class Level(enum.IntEnum):
    """How urgent a warning is."""

    CAUTION = 1
    DANGER = 2


@dataclass(frozen=True, slots=True)
class SafetyWarning:
    """A handrail warning: which rule, how urgent, what to do, and why."""

    rule: Rule
    level: Level
    message: str
    reason: str


@dataclass(frozen=True, slots=True)
class SafetyState:
    """What the rules look at, at one moment."""

    t: float
    direction: Direction
    """The detector's direction."""
    confidence: float = 1.0
    """How sure the detector is of it."""
    speed_kmh: float | None = None
    incline_pct: float | None = None
    link: LinkState = LinkState.CONNECTED
    turn_at: float | None = None
    """Session time of the latest turn (a cue or a detected switch), or of the plan's next one when it
    is due within :attr:`SafetyMonitor.turn_lead_s`."""
    speed_changed_at: float | None = None
    """Session time of the latest change of target speed."""
    safety_key: bool = False
    """The machine reported a safety-key stop (status 0x03) and the belt has not restarted."""
    stopped_unexpectedly: bool = False
    """The belt stopped with no stop from the user, the plan or the app."""
    doubtful: bool = False
    """Implausible readings come too often to trust the stream."""
    plan_facing: Facing | None = None
    """The way the workout's current step faces (None: a free run, or not started)."""
    coming_facing: Facing | None = None
    """The way the plan's next turn faces, when it is due within :attr:`SafetyMonitor.turn_lead_s`."""
    backed: bool = False
    """A second signal says backward: the step rate, or the person's own mark."""


HOLD_THE_RAILS = ("HOLD THE RAILS", "HOLD RAILS", "RAILS")
"""The banner's big words, longest first (it picks the longest that fits)."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """Everything said of one rule: how urgent, why, what to do, and how each screen puts it."""

    level: Level
    reason: str
    message: str
    """What to do; may use {speed}, {safe} and {incline}."""
    headline: str
    """The one-glance line of a warning event (MQTT, the record command, the voice)."""
    name: str
    """A few words, for a warning listed after the first."""
    big: tuple[str, ...] = HOLD_THE_RAILS
    """The banner's big words, longest first."""


RULES: dict[Rule, RuleSpec] = {
    Rule.REVERSE_START: RuleSpec(
        Level.CAUTION,
        "balance is least sure in the first seconds backward",
        "Hold the rails for your first steps backward.",
        "HOLD THE RAILS",
        "first steps backward",
    ),
    Rule.TURNAROUND: RuleSpec(
        Level.CAUTION,
        "turning on a moving belt is when people trip",
        "Turning: slow down and hold the rails.",
        "HOLD THE RAILS: turning",
        "turning",
    ),
    Rule.REVERSE_SPEED: RuleSpec(
        Level.DANGER,
        "speed beyond your backward experience",
        "Backward at {speed:.1f} km/h, above your safe {safe:g} km/h: slow down, hold the rails.",
        "SLOW DOWN: too fast backward",
        "too fast backward",
        ("SLOW DOWN", "SLOW"),
    ),
    Rule.REVERSE_INCLINE: RuleSpec(
        Level.CAUTION,
        "rails are advised on any incline of 5 % or more backward",
        "Backward on a {incline:g} % incline: hold the rails.",
        "HOLD THE RAILS: incline",
        "incline",
    ),
    Rule.REVERSE_SPEED_CHANGE: RuleSpec(
        Level.CAUTION,
        "a surge or a slow-down under a backward walker",
        "The belt is changing speed while you walk backward: hold the rails.",
        "HOLD THE RAILS: speed changing",
        "speed changing",
    ),
    Rule.LINK_LOST: RuleSpec(
        Level.CAUTION,
        "the app cannot see the belt",
        "Lost the treadmill's data: hold the rails, the belt may still be moving.",
        "HOLD THE RAILS: no data",
        "no data",
    ),
    Rule.DOUBTFUL_DATA: RuleSpec(
        Level.CAUTION,
        "the app cannot tell what the belt does",
        "The treadmill's readings make no sense: hold the rails and watch the console.",
        "HOLD THE RAILS: readings make no sense",
        "bad readings",
    ),
    Rule.SAFETY_KEY: RuleSpec(
        Level.DANGER,
        "an emergency stop",
        "Safety key pulled: the belt stopped. Check you are all right before restarting.",
        "SAFETY KEY PULLED",
        "safety key",
        ("SAFETY KEY", "KEY"),
    ),
    Rule.UNEXPECTED_STOP: RuleSpec(
        Level.CAUTION,
        "a sudden stop can throw a backward walker",
        "The belt stopped by itself: hold the rails and step off to the side.",
        "BELT STOPPED: hold the rails",
        "belt stopped",
        ("BELT STOPPED", "STOPPED"),
    ),
}
"""Every rule's specification: the monitor, the coach, the banners and MQTT read it from here."""


@dataclass(slots=True)
class SafetyMonitor:
    """Raises and clears warnings as the state changes."""

    safe_reverse_kmh: float = REVERSE_CAP_KMH
    reverse_start_s: float = 20.0
    turn_lead_s: float = 15.0
    turn_after_s: float = 20.0
    reverse_incline_pct: float = 5.0
    speed_change_window_s: float = 10.0
    unsure_after_turn_s: float = 60.0
    """How long after a turn an unsure direction keeps the turnaround warning up."""
    active: dict[Rule, SafetyWarning] = field(default_factory=dict)
    _reverse_since: float | None = None

    def _holding(self, s: SafetyState) -> set[Rule]:
        """The rules whose condition holds now."""
        backward = s.direction is Direction.REVERSE and s.confidence >= CONFIDENT
        unsure = s.direction is Direction.UNSURE or s.confidence < CONFIDENT
        if backward and self._reverse_since is None:
            self._reverse_since = s.t
        elif s.direction is Direction.FORWARD and not unsure:
            self._reverse_since = None
        since_turn = None if s.turn_at is None else s.t - s.turn_at
        # A turn to forward just cued, or due any moment (people turn a little early).
        turning_forward = (
            s.plan_facing is Facing.FORWARD and since_turn is not None and since_turn <= self.turn_after_s
        ) or s.coming_facing is Facing.FORWARD
        # Backward too fast is said only when the plan or a second signal supports "backward".
        supported = not turning_forward and (s.plan_facing is Facing.REVERSE or s.backed)
        conditions = {
            Rule.REVERSE_START: backward
            and self._reverse_since is not None
            and s.t - self._reverse_since < self.reverse_start_s,
            Rule.TURNAROUND: since_turn is not None
            and (
                -self.turn_lead_s <= since_turn <= self.turn_after_s
                or (0 < since_turn <= self.unsure_after_turn_s and unsure)
            ),
            Rule.REVERSE_SPEED: backward and supported and (s.speed_kmh or 0.0) > self.safe_reverse_kmh,
            Rule.REVERSE_INCLINE: backward and (s.incline_pct or 0.0) >= self.reverse_incline_pct,
            Rule.REVERSE_SPEED_CHANGE: backward
            and s.speed_changed_at is not None
            and 0.0 <= s.t - s.speed_changed_at <= self.speed_change_window_s,
            Rule.LINK_LOST: s.link is not LinkState.CONNECTED,
            Rule.DOUBTFUL_DATA: s.doubtful,
            Rule.SAFETY_KEY: s.safety_key,
            Rule.UNEXPECTED_STOP: s.stopped_unexpectedly,
        }
        return {rule for rule, holds in conditions.items() if holds}

    def update(self, state: SafetyState) -> tuple[list[SafetyWarning], list[SafetyWarning]]:
        """(warnings newly raised, warnings cleared) at this moment; :attr:`active` holds the rest."""
        holding = self._holding(state)
        values = {
            "speed": state.speed_kmh or 0.0,
            "safe": self.safe_reverse_kmh,
            "incline": state.incline_pct or 0.0,
        }
        now = {
            rule: SafetyWarning(rule, spec.level, spec.message.format(**values), spec.reason)
            for rule, spec in RULES.items()
            if rule in holding
        }
        raised = [w for name, w in now.items() if name not in self.active]
        cleared = [w for name, w in self.active.items() if name not in now]
        self.active = now
        return raised, cleared

"""Safety rules: when to tell the user to hold the handrails, and why (reverse-running.md §2).

A stumble backward is a fall off the back of the machine: the user faces the rear of the
deck, the belt carries their feet the way they face, the stop button is behind them, and
the 2 m clearance behind the deck is where they would land (§2.2). Each rule raises a
warning while its condition holds and clears it when the condition ends:

* ``reverse_start`` (caution): the first 20 s of every backward stretch; balance is least
  sure in the first steps backward.
* ``turnaround`` (caution): from 15 s before every turn (cued or detected) to 20 s after
  it; turning on a moving belt is the likeliest moment to trip, and §2.3 advises the rails
  until about 20-30 s of steady speed.
* ``reverse_speed`` (danger): backward faster than the user's safe reverse speed; speed
  beyond experience (§2.1: start at 3 km/h or less).
* ``reverse_incline`` (caution): backward on an incline of 5 % or more (§2.3).
* ``reverse_speed_change`` (caution): the belt speed changing while backward.
* ``link_lost`` (caution): treadmill data stale or the link down; the belt may keep moving
  while the app cannot see it.
* ``safety_key`` (danger): the safety key was pulled; check before restarting.
* ``unexpected_stop`` (caution): the belt stopped with nobody asking; a sudden stop can throw
  a backward walker.

Pure: :meth:`SafetyMonitor.update` takes a :class:`SafetyState` and returns what was raised
and cleared.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Level", "SafetyMonitor", "SafetyState", "SafetyWarning"]


class Level(enum.IntEnum):
    """How urgent a warning is."""

    CAUTION = 1
    DANGER = 2


@dataclass(frozen=True, slots=True)
class SafetyWarning:
    """A handrail warning: which rule, how urgent, what to do, and why."""

    rule: str
    level: Level
    message: str
    reason: str


@dataclass(frozen=True, slots=True)
class SafetyState:
    """What the rules look at, at one moment."""

    t: float
    direction: str
    """The detector's direction: ``forward``, ``reverse`` or ``stopped``."""
    speed_kmh: float | None = None
    incline_pct: float | None = None
    link: str = "connected"
    """``connected``, ``stale`` or ``reconnecting``."""
    turn_at: float | None = None
    """Session time of the latest turn (a cue or a detected switch)."""
    speed_changed_at: float | None = None
    """Session time of the latest change of target speed."""
    safety_key: bool = False
    """The machine reported a safety-key stop (status 0x03) and the belt has not restarted."""
    stopped_unexpectedly: bool = False
    """The belt stopped with no stop from the user, the plan or the app."""


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    level: Level
    reason: str
    message: str
    """May use {speed}, {safe} and {incline}."""


_RULES = (
    _Rule(
        "reverse_start",
        Level.CAUTION,
        "balance is least sure in the first seconds backward",
        "Hold the rails for your first steps backward.",
    ),
    _Rule(
        "turnaround",
        Level.CAUTION,
        "turning on a moving belt is when people trip",
        "Turning: slow down and hold the rails.",
    ),
    _Rule(
        "reverse_speed",
        Level.DANGER,
        "speed beyond your backward experience",
        "Backward at {speed:.1f} km/h, above your safe {safe:g} km/h: slow down, hold the rails.",
    ),
    _Rule(
        "reverse_incline",
        Level.CAUTION,
        "rails are advised on any incline of 5 % or more backward",
        "Backward on a {incline:g} % incline: hold the rails.",
    ),
    _Rule(
        "reverse_speed_change",
        Level.CAUTION,
        "a surge or a slow-down under a backward walker",
        "The belt is changing speed while you walk backward: hold the rails.",
    ),
    _Rule(
        "link_lost",
        Level.CAUTION,
        "the app cannot see the belt",
        "Lost the treadmill's data: hold the rails, the belt may still be moving.",
    ),
    _Rule(
        "safety_key",
        Level.DANGER,
        "an emergency stop",
        "Safety key pulled: the belt stopped. Check you are all right before restarting.",
    ),
    _Rule(
        "unexpected_stop",
        Level.CAUTION,
        "a sudden stop can throw a backward walker",
        "The belt stopped by itself: hold the rails and step off to the side.",
    ),
)


@dataclass(slots=True)
class SafetyMonitor:
    """Raises and clears warnings as the state changes."""

    safe_reverse_kmh: float = 3.0
    reverse_start_s: float = 20.0
    turn_lead_s: float = 15.0
    turn_after_s: float = 20.0
    reverse_incline_pct: float = 5.0
    speed_change_window_s: float = 10.0
    active: dict[str, SafetyWarning] = field(default_factory=dict)
    _reverse_since: float | None = None

    def _holding(self, s: SafetyState) -> set[str]:
        """The rules whose condition holds now."""
        backward = s.direction == "reverse"
        if backward and self._reverse_since is None:
            self._reverse_since = s.t
        elif s.direction == "forward":
            self._reverse_since = None
        conditions = {
            "reverse_start": backward
            and self._reverse_since is not None
            and s.t - self._reverse_since < self.reverse_start_s,
            "turnaround": s.turn_at is not None and -self.turn_lead_s <= s.t - s.turn_at <= self.turn_after_s,
            "reverse_speed": backward and (s.speed_kmh or 0.0) > self.safe_reverse_kmh,
            "reverse_incline": backward and (s.incline_pct or 0.0) >= self.reverse_incline_pct,
            "reverse_speed_change": backward
            and s.speed_changed_at is not None
            and 0.0 <= s.t - s.speed_changed_at <= self.speed_change_window_s,
            "link_lost": s.link != "connected",
            "safety_key": s.safety_key,
            "unexpected_stop": s.stopped_unexpectedly,
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
            rule.name: SafetyWarning(rule.name, rule.level, rule.message.format(**values), rule.reason)
            for rule in _RULES
            if rule.name in holding
        }
        raised = [w for name, w in now.items() if name not in self.active]
        cleared = [w for name, w in self.active.items() if name not in now]
        self.active = now
        return raised, cleared

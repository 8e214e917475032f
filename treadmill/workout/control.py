"""Treadmill control: which target speed and incline to command, and when (reverse-running.md §2).

Off unless the user turns it on. Pure and clock-free: :meth:`ControlPolicy.update` takes the
session time, the plan's position and what the belt is doing, and returns the command to send
(or None). The rules, each for safety:

* **Never start the belt.** While the belt is stopped or paused nothing is commanded; when
  the user starts it again the policy picks up from the measured speed.
* **Caps.** Every target is clamped to the device's supported range and to the user's caps,
  separate forward and backward (:class:`~treadmill.workout.plan.Caps`). The backward cap
  holds whenever the plan *or the detector* says backward: someone who missed a turn to
  forward is not sped up to a forward pace while they still face the back of the deck.
* **Ramps.** Speed moves toward the plan's target by at most ``ramp_up_kmh_per_s`` up and
  ``ramp_down_kmh_per_s`` down, one command a second at most: no surge under a walker's feet.
* **Turns.** Before a change of direction the belt is slowed to :data:`TURN_SPEED_KMH`,
  reaching it by the turn. It stays there for ``hold_after_turn_s`` (a reaction of 2-6 s
  plus a turn of 2-4 s, as the virtual runner models them), then builds up on the ramp: no
  speed-up under someone still turning. (Waiting for the detector instead would deadlock:
  at a steady walking speed the speed rise is part of its evidence of the turn.)
* **The user wins.** A target-speed change the app did not command (a console press, seen in
  the Fitness Machine Status notifications) hands speed back to the user until the next step,
  and the policy says so.
* **The end.** After the last step the belt is slowed to the turn speed and stopped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.workout.cues import TURN_SPEED_KMH
from treadmill.workout.plan import Caps, Step

__all__ = ["ControlCommand", "ControlPolicy"]


@dataclass(frozen=True, slots=True)
class ControlCommand:
    """What to send: a target speed, a target incline, or a stop; and why."""

    t: float
    speed_kmh: float | None = None
    incline_pct: float | None = None
    stop: bool = False
    reason: str = ""


@dataclass(slots=True)
class ControlPolicy:
    """Follows a plan's targets within caps and ramps; yields to the console."""

    caps: Caps
    speed_range: SpeedRange | None = None
    incline_range: InclinationRange | None = None
    ramp_up_kmh_per_s: float = 0.5
    ramp_down_kmh_per_s: float = 1.0
    command_every_s: float = 1.0
    hold_after_turn_s: float = 12.0
    tolerance_kmh: float = 0.15
    """A status target within this of a commanded one is our own command echoed back."""
    following_user: bool = False
    messages: list[tuple[float, str]] = field(default_factory=list)
    """What the policy told the user (following the console, the end)."""
    _commanded: list[float] = field(default_factory=list)
    """The last three targets sent: a Target Speed Changed status matching one is our echo."""
    _speed: float | None = None
    """The last target speed sent (None: not yet, or the belt stopped since)."""
    _incline: float | None = None
    _last_at: float = -1e9
    _step: Step | None = None
    _step_index: int = -1
    _stopped: bool = False
    _turned_at: float | None = None

    def clamp(self, direction: str, kmh: float) -> float:
        """``kmh`` within the user's cap for ``direction`` and the device range, on its increment."""
        cap = self.caps.reverse_kmh if direction == "reverse" else self.caps.forward_kmh
        low, high, step = 0.0, cap, 0.1
        if self.speed_range is not None:
            low = self.speed_range.minimum_speed_kmh
            high = min(high, self.speed_range.maximum_speed_kmh or high)
            step = self.speed_range.minimum_increment_kmh or step
        value = min(max(kmh, low), high)
        return round(math.floor(value / step + 1e-6) * step, 2)

    def clamp_incline(self, pct: float) -> float:
        """``pct`` within the device's incline range."""
        if self.incline_range is None:
            return pct
        high = self.incline_range.maximum_inclination_pct
        return min(max(pct, self.incline_range.minimum_inclination_pct), pct if high is None else high)

    def _goal(
        self, t: float, step: Step, coming: Step | None, seconds_left: float | None
    ) -> tuple[str, float | None]:
        if self._turned_at is not None:
            if t - self._turned_at < self.hold_after_turn_s:
                return step.direction, TURN_SPEED_KMH
            self._turned_at = None
        turn_ahead = coming is not None and coming.direction != step.direction
        if turn_ahead and self._speed is not None and seconds_left is not None:
            slow_for = (self._speed - TURN_SPEED_KMH) / self.ramp_down_kmh_per_s + 2.0
            if seconds_left <= max(slow_for, 3.0):
                return step.direction, TURN_SPEED_KMH
        return step.direction, step.speed_kmh

    def update(
        self,
        t: float,
        *,
        step: Step | None,
        step_index: int,
        coming: Step | None,
        seconds_left: float | None,
        belt_kmh: float | None,
        running: bool,
        detected: str | None = None,
    ) -> ControlCommand | None:
        """The command due at ``t``; ``step`` (at ``step_index``) None means the plan has finished.

        ``detected`` is the detector's direction: ``reverse`` there keeps the backward cap.
        """
        if not running or belt_kmh is None:
            self._speed = None  # never start the belt; on restart, ramp from where it is
            return None
        if step_index != self._step_index:  # by position: a repeat block repeats the same Step
            if step is not None and self._step is not None and step.direction != self._step.direction:
                self._turned_at = t
            self._step, self._step_index, self.following_user = step, step_index, False
        if self._speed is None:
            self._speed = belt_kmh
        if t - self._last_at < self.command_every_s or self.following_user or self._stopped:
            return None
        if step is None:
            return self._finish(t)
        direction, goal = self._goal(t, step, coming, seconds_left)
        direction = "reverse" if detected == "reverse" else direction
        incline = None
        if step.incline_pct is not None and step.incline_pct != self._incline:
            incline = self._incline = self.clamp_incline(step.incline_pct)
        speed = None
        if goal is not None:
            speed = self._ramp(direction, goal)
        if speed is None and incline is None:
            return None
        self._last_at = t
        return ControlCommand(t, speed, incline, reason="turn" if goal == TURN_SPEED_KMH else "plan")

    def _ramp(self, direction: str, goal: float) -> float | None:
        """The next target on the ramp toward ``goal`` (None: already there); always within the caps."""
        assert self._speed is not None
        goal, current = self.clamp(direction, goal), self._speed
        rate = self.ramp_up_kmh_per_s if goal > current else self.ramp_down_kmh_per_s
        reach = rate * self.command_every_s
        nxt = self.clamp(direction, current + max(min(goal - current, reach), -reach))
        if goal < current:
            nxt = max(nxt, goal)
        if abs(nxt - current) < 0.05:
            return None
        self._speed = nxt
        self._commanded = [*self._commanded[-2:], nxt]
        return nxt

    def _finish(self, t: float) -> ControlCommand | None:
        assert self._speed is not None
        speed = self._ramp("forward", TURN_SPEED_KMH)
        if speed is not None:
            self._last_at = t
            return ControlCommand(t, speed, reason="finish")
        self._stopped = True
        self._last_at = t
        self.messages.append((t, "Workout done: stopping the belt."))
        return ControlCommand(t, stop=True, reason="finish")

    def user_speed(self, t: float, direction: str, kmh: float) -> float:
        """The user asked the app for ``kmh`` (the speed keys): clamped to the caps.

        The plan yields to it until the next step, as it does to the console.
        """
        value = self.clamp(direction, kmh)
        self.following_user = True
        self._speed = value
        self._commanded = [*self._commanded[-2:], value]
        self.messages.append(
            (t, f"You set {value:g} km/h: following you, not the plan, until the next step.")
        )
        return value

    def on_target_speed(self, t: float, kmh: float) -> str | None:
        """A Target Speed Changed status: None if it echoes a command, else what the app says."""
        if any(abs(kmh - sent) <= self.tolerance_kmh for sent in self._commanded):
            return None
        self.following_user = True
        self._speed = kmh
        message = (
            f"Speed changed on the console to {kmh:g} km/h: following you, not the plan, until the next step."
        )
        self.messages.append((t, message))
        return message

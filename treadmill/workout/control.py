"""Treadmill control: which target speed and incline to command, and when (docs/safety.md).

Off unless the user turns it on. Pure and clock-free: :meth:`ControlPolicy.update` takes the
session time, the plan's position and what the belt is doing, and returns the command to send
(or None). The rules, each for safety:

* **Never start the belt.** While the belt is stopped or paused nothing is commanded; when
  the user starts it again the policy picks up from the measured speed, or from the step's
  own speed if the measurement is higher.
* **Ramps start from what the machine confirmed.** Each target ramps from the last target
  the machine acknowledged (or set itself, from the console); only when there is none (at the
  start, after a stop, after a command failed) from the measured speed, and then never from
  above the step's speed: a reading, however it came about, can slow the belt but never
  speed it up beyond the plan.
* **Caps.** Every target is clamped to the device's supported range and to the person's caps,
  separate forward and backward (:class:`~treadmill.workout.plan.Caps`). The backward cap
  holds whenever the plan says backward *or the detector says backward or unsure*, however
  sure it is: someone who missed a turn to forward is not sped up to a forward pace while
  they may still face the back of the deck.
* **Ramps.** Speed moves toward its target by at most ``ramp_up_kmh_per_s`` up and
  ``ramp_down_kmh_per_s`` down, one command a second at most: no surge under a walker's
  feet. This holds for every target, whatever its source: the plan, the speed keys, a
  remote command over MQTT.
* **Turns.** Before a change of direction the belt is slowed to :data:`TURN_SPEED_KMH`,
  reaching it by the turn. It stays there for ``hold_after_turn_s`` (a reaction of 2-6 s
  plus a turn of 2-4 s, as the virtual runner models them), then builds up on the ramp: no
  speed-up under someone still turning. (Waiting for the detector instead would deadlock:
  at a steady walking speed the speed rise is part of its evidence of the turn.)
* **The person wins.** A target-speed change the app did not command (a console press, seen
  in the Fitness Machine Status notifications) hands speed back to the person until the next
  step, and the policy says so. The speed keys (and remote commands) set the person's own
  target, which the policy then ramps to, within the caps, until the next step; presses add
  up from that target, not from the belt's speed of the moment.
* **The end.** After the last step the belt is slowed to the turn speed and stopped.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.model import Direction, Facing
from treadmill.workout.cues import TURN_SPEED_KMH
from treadmill.workout.plan import Caps, Step

__all__ = ["CommandReason", "ControlCommand", "ControlPolicy"]


class CommandReason(enum.StrEnum):
    """Why the policy sends a command."""

    PLAN = "plan"
    TURN = "turn"
    """Slowing for a turn, or holding the turn speed after one."""
    USER = "user"
    """The person's own target (speed keys, a remote command)."""
    FINISH = "finish"


@dataclass(frozen=True, slots=True)
class ControlCommand:
    """What to send: a target speed, a target incline, or a stop; and why."""

    t: float
    speed_kmh: float | None = None
    incline_pct: float | None = None
    stop: bool = False
    reason: CommandReason = CommandReason.PLAN
    step: int = -1
    """The plan's step it was sent in (its position; -1: none, the end)."""


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
    """The console set the speed: hands off until the next step."""
    user_goal_kmh: float | None = None
    """The person's own target from the keys or a remote command, ramped to until the next step."""
    messages: list[tuple[float, str]] = field(default_factory=list)
    """What the policy told the user (following the console, the end)."""
    _commanded: list[float] = field(default_factory=list)
    """The last three targets sent: a Target Speed Changed status matching one is our echo."""
    _speed: float | None = None
    """The last target speed sent and not refused, or the console's (None: not yet, or the belt
    stopped since, or the last command failed): every ramp starts here."""
    _incline: float | None = None
    _last_at: float = -1e9
    _step: Step | None = None
    _step_index: int = -1
    _stopped: bool = False
    _turned_at: float | None = None
    _heading: float | None = None
    """The target the ramp is heading for (within the caps)."""
    _base_measured: bool = False
    """:attr:`_speed` came from a reading, not a command: the next target goes out even if it is the same."""

    def clamp(self, facing: Facing, kmh: float) -> float:
        """``kmh`` within the person's cap for ``facing`` and the device range, on its increment."""
        cap = self.caps.reverse_kmh if facing is Facing.REVERSE else self.caps.forward_kmh
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
    ) -> tuple[Facing, float | None]:
        if self._turned_at is not None:
            if t - self._turned_at < self.hold_after_turn_s:
                return step.direction, TURN_SPEED_KMH
            self._turned_at = None
        turn_ahead = coming is not None and coming.direction is not step.direction
        if turn_ahead and self._speed is not None and seconds_left is not None:
            slow_for = (self._speed - TURN_SPEED_KMH) / self.ramp_down_kmh_per_s + 2.0
            if seconds_left <= max(slow_for, 3.0):
                return step.direction, TURN_SPEED_KMH
        if self.user_goal_kmh is not None:
            return step.direction, self.user_goal_kmh
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
        detected: Direction = Direction.FORWARD,
    ) -> ControlCommand | None:
        """The command due at ``t``; ``step`` (at ``step_index``) None means the plan has finished.

        ``detected`` backward or unsure keeps the backward cap, however unsure: a cap errs on the safe side.
        """
        if not running or belt_kmh is None:
            self._speed = None  # never start the belt; on restart, ramp from where it is
            return None
        if step_index != self._step_index:  # by position: a repeat block repeats the same Step
            self._enter(t, step, step_index)
        if t - self._last_at < self.command_every_s or self.following_user or self._stopped:
            return None
        if step is None:
            if self._speed is None:
                self._speed = min(belt_kmh, TURN_SPEED_KMH)
            return self._finish(t)
        facing, goal = self._goal(t, step, coming, seconds_left)
        if self._speed is None:  # nothing confirmed to ramp from: the belt, but never above the goal
            self._speed = belt_kmh if goal is None else min(belt_kmh, self.clamp(facing, goal))
            self._base_measured = True
        self._heading = None if goal is None else self.clamp(facing, goal)
        if detected in (Direction.REVERSE, Direction.UNSURE):
            facing = Facing.REVERSE
        incline = None
        if step.incline_pct is not None and step.incline_pct != self._incline:
            incline = self._incline = self.clamp_incline(step.incline_pct)
        speed = None if goal is None else self._ramp(facing, goal)
        if speed is None and incline is None:
            return None
        self._last_at = t
        return ControlCommand(t, speed, incline, reason=self._reason(goal), step=step_index)

    def refused(self) -> None:
        """The last speed command failed: the next one ramps from the belt again (never above the goal)."""
        self._speed = None
        self._commanded = self._commanded[:-1]

    def _enter(self, t: float, step: Step | None, step_index: int) -> None:
        """A new step: a change of direction starts the hold at turn speed; the person's own goal ends."""
        if step is not None and self._step is not None and step.direction is not self._step.direction:
            self._turned_at = t
        self._step, self._step_index, self.following_user = step, step_index, False
        self.user_goal_kmh = None

    def _reason(self, goal: float | None) -> CommandReason:
        if goal == TURN_SPEED_KMH:
            return CommandReason.TURN
        return CommandReason.PLAN if self.user_goal_kmh is None else CommandReason.USER

    def _ramp(self, facing: Facing, goal: float) -> float | None:
        """The next target on the ramp toward ``goal`` (None: already there); always within the caps."""
        assert self._speed is not None
        goal, current = self.clamp(facing, goal), self._speed
        rate = self.ramp_up_kmh_per_s if goal > current else self.ramp_down_kmh_per_s
        reach = rate * self.command_every_s
        nxt = self.clamp(facing, current + max(min(goal - current, reach), -reach))
        if goal < current:
            nxt = max(nxt, goal)
        if abs(nxt - current) < 0.05 and not self._base_measured:
            return None
        self._speed, self._base_measured = nxt, False
        self._commanded = [*self._commanded[-2:], nxt]
        return nxt

    def _finish(self, t: float) -> ControlCommand | None:
        assert self._speed is not None
        speed = self._ramp(Facing.FORWARD, TURN_SPEED_KMH)
        if speed is not None:
            self._last_at = t
            return ControlCommand(t, speed, reason=CommandReason.FINISH)
        self._stopped = True
        self._last_at = t
        self.messages.append((t, "Workout done: stopping the belt."))
        return ControlCommand(t, stop=True, reason=CommandReason.FINISH)

    @property
    def target_kmh(self) -> float | None:
        """Where the speed is heading: the person's own target, else the plan's, else the last one sent."""
        if self.user_goal_kmh is not None:
            return self.user_goal_kmh
        return self._heading if self._heading is not None else self._speed

    def user_speed(self, t: float, facing: Facing, kmh: float) -> float:
        """The person asked for ``kmh`` (speed keys, a remote command): their target, within the caps.

        The policy ramps to it as to any target, and the plan yields to it until the next step.
        Returns the target as clamped.
        """
        value = self.clamp(facing, kmh)
        self.user_goal_kmh = value
        self.following_user = False
        self._last_at = -1e9  # the first step of the ramp goes out at the next tick
        self.messages.append((t, f"Target {value:g} km/h: following you, not the plan, until the next step."))
        return value

    def on_target_speed(self, t: float, kmh: float) -> str | None:
        """A Target Speed Changed status: None if it echoes a command, else what the app says."""
        if any(abs(kmh - sent) <= self.tolerance_kmh for sent in self._commanded):
            return None
        self.following_user = True
        self.user_goal_kmh = None
        self._speed = kmh
        message = (
            f"Speed changed on the console to {kmh:g} km/h: following you, not the plan, until the next step."
        )
        self.messages.append((t, message))
        return message

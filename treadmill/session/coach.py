"""The workout coach: runs a plan beside a live session (cues, safety warnings, belt control).

A session consumer that watches samples, machine status and link events, plus a ticker that
runs every ``tick_s`` of session time so cues land on their planned times whatever the data
rate. It ties together the pure parts:

* the live :class:`~treadmill.core.detector.DirectionDetector` (fed the coach's own cues),
* the :class:`~treadmill.workout.cues.CueEngine` (turn and stop cues become fixture cue lines
  through ``add_cue``),
* the :class:`~treadmill.workout.safety.SafetyMonitor`,
* with control on, the :class:`~treadmill.workout.control.ControlPolicy`, whose commands go
  to the treadmill one at a time; a refused or failed command is reported, never fatal.

Everything the user should see or hear arrives through ``on_event`` as a :class:`CoachEvent`.
Ending the coach early (cancelling :meth:`run`) stops a belt it was driving.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from treadmill.clock import SessionClock
from treadmill.core.detector import DirectionDetector
from treadmill.errors import TreadmillError
from treadmill.ftms import MachineStatus
from treadmill.ftms.machine_status import StatusOpCode
from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.model import Cue, Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.session.decoding import Sample
from treadmill.session.engine import Overflow, SessionItem
from treadmill.workout.control import ControlCommand, ControlPolicy
from treadmill.workout.cues import CueEngine
from treadmill.workout.plan import Caps, Plan
from treadmill.workout.safety import SafetyMonitor, SafetyState

__all__ = ["CoachEvent", "Controls", "WorkoutCoach"]

logger = logging.getLogger(__name__)

_MOVING_KMH = 0.3
"""Below this the belt counts as stopped."""
_STOP_GRACE_S = 2.0
"""A stop status may arrive just after the data that shows the belt stopping."""
_STOP_ON_EXIT_S = 5.0
"""Wall-clock seconds to wait for the belt's stop when the workout is ended early."""
_USER_STOP_WINDOW_S = 10.0
"""A refused stop this soon after the user's own stop is no news: the belt is already stopping."""


class Controls(Protocol):
    """What the coach needs of a treadmill it may drive (the BLE client offers it)."""

    speed_range: SpeedRange | None
    incline_range: InclinationRange | None

    async def set_target_speed(self, kmh: float) -> float:
        """Set the belt's target speed; returns what was sent."""
        ...

    async def set_target_inclination(self, pct: float) -> float:
        """Set the target incline; returns what was sent."""
        ...

    async def stop(self) -> None:
        """Stop the belt."""
        ...


@dataclass(frozen=True, slots=True)
class CoachEvent:
    """Something for the user: a cue, a warning raised or cleared, a control action or message."""

    t: float
    kind: str
    """``cue``, ``warning``, ``cleared``, ``control`` or ``message``."""
    text: str
    detail: str = ""
    """For cues the cue kind; for warnings the rule and level (``turnaround/caution``)."""
    bell: bool = False


@dataclass(slots=True)
class _Seen:
    """The latest of what the session has shown."""

    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: float | None = None
    direction: str = "stopped"
    link: str = "connected"
    safety_key: bool = False
    user_stopped_at: float | None = None
    belt_stopped_at: float | None = None
    speed_changed_at: float | None = None
    turn_at: float | None = None


@dataclass(slots=True)
class WorkoutCoach:
    """Coach ``plan`` beside a session (a consumer of it, plus :meth:`run` as a task)."""

    plan: Plan
    add_cue: Callable[[Cue], Awaitable[None]]
    """Where turn and stop cues go (:meth:`Session.add_cue`: the fixture's cue lines)."""
    clock: SessionClock
    caps: Caps = field(default_factory=Caps)
    safe_reverse_kmh: float = 3.0
    controls: Controls | None = None
    """None: control off (the default); the coach only cues and warns."""
    on_event: Callable[[CoachEvent], None] | None = None
    tick_s: float = 0.1
    events: list[CoachEvent] = field(default_factory=list)
    commands: list[ControlCommand] = field(default_factory=list)
    name: str = "coach"
    overflow: Overflow = Overflow.NEVER_DROP
    capacity: int = 10_000
    detector: DirectionDetector = field(default_factory=DirectionDetector)
    cues: CueEngine = field(init=False)
    safety: SafetyMonitor = field(init=False)
    policy: ControlPolicy | None = field(init=False, default=None)
    _seen: _Seen = field(default_factory=_Seen)
    _outbox: asyncio.Queue[ControlCommand] = field(default_factory=asyncio.Queue)
    _we_stopped: bool = False
    _paused_at: float | None = None

    def __post_init__(self) -> None:
        """The engines start with the session."""
        self.cues = CueEngine(self.plan)
        self.safety = SafetyMonitor(safe_reverse_kmh=self.safe_reverse_kmh)
        if self.controls is not None:
            self.policy = ControlPolicy(self.caps, self.controls.speed_range, self.controls.incline_range)

    def _say(self, event: CoachEvent) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    # --- the session consumer -------------------------------------------------------------

    async def handle(self, item: SessionItem) -> None:
        """Keep what the rules need from each item."""
        seen = self._seen
        if isinstance(item, Sample):
            self._on_sample(item)
        elif isinstance(item, Cue):
            self.detector.cue(item.t, item.direction)
        elif isinstance(item, LinkEvent) and item.src is Sensor.TREADMILL:
            if item.kind in (LinkEventKind.STALE, LinkEventKind.RECONNECTING, LinkEventKind.DISCONNECTED):
                seen.link = "stale" if item.kind is LinkEventKind.STALE else "reconnecting"
            elif item.kind in (LinkEventKind.FRESH, LinkEventKind.CONNECTED):
                seen.link = "connected"
        elif isinstance(item, Frame) and item.char == "2ada":
            self._on_status(item.t, MachineStatus.from_bytes(item.data))

    def _on_sample(self, sample: Sample) -> None:
        seen = self._seen
        if sample.speed_kmh is None:
            return
        was_moving = seen.speed_kmh is not None and seen.speed_kmh >= _MOVING_KMH
        seen.speed_kmh = sample.speed_kmh
        seen.incline_pct = sample.incline_pct
        seen.distance_m = sample.distance_m
        if sample.speed_kmh >= _MOVING_KMH:
            seen.belt_stopped_at = None
            seen.safety_key = False
        elif was_moving:
            seen.belt_stopped_at = sample.t
        step = self.detector.update(
            sample.t,
            sample.speed_kmh,
            math.nan if sample.cadence_per_min is None else float(sample.cadence_per_min),
            math.nan if sample.heart_rate_bpm is None else float(sample.heart_rate_bpm),
        )
        if step.switched:
            seen.turn_at = step.boundary_s
        seen.direction = step.direction

    def _on_status(self, t: float, status: MachineStatus) -> None:
        seen = self._seen
        if status.op_code == StatusOpCode.STOPPED_BY_SAFETY_KEY:
            seen.safety_key = True
        elif status.op_code == StatusOpCode.STOPPED_OR_PAUSED_BY_USER:
            seen.user_stopped_at = t
        elif status.op_code == StatusOpCode.TARGET_SPEED_CHANGED:
            seen.speed_changed_at = t
            kmh = status.parameter("target_speed_kmh")
            if self.policy is not None and isinstance(kmh, float):
                message = self.policy.on_target_speed(t, kmh)
                if message is not None:
                    self._say(CoachEvent(t, "message", message, "console"))

    async def close(self) -> None:
        """Nothing to release."""

    # --- what the user asks for ---------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """True while the user holds the workout (its clock stands still)."""
        return self._paused_at is not None

    def plan_time(self, t: float) -> float:
        """Session time ``t`` as the workout's clock sees it: held at the pause while paused."""
        return t if self._paused_at is None else self._paused_at

    def pause(self, t: float) -> None:
        """Hold the workout: no cues, no steering, no "belt stopped" alarm until :meth:`resume`."""
        if self._paused_at is None:
            self._paused_at = t
            self._say(CoachEvent(t, "message", "Paused: the workout waits for you.", "pause"))

    def resume(self, t: float) -> None:
        """Go on with the workout where it was held."""
        if self._paused_at is not None:
            self.cues.shift(t - self._paused_at)
            self._paused_at = None
            self._say(CoachEvent(t, "message", "Resumed.", "resume"))

    def direction_now(self) -> str:
        """The direction the user faces for the caps: backward if the detector or the step says so."""
        step = self.cues.step
        backward = self._seen.direction == "reverse" or (step is not None and step.direction == "reverse")
        return "reverse" if backward else "forward"

    def user_speed(self, delta_kmh: float) -> str:
        """The speed keys: change the belt's target by ``delta_kmh``, within the caps (control on only)."""
        t, seen = self.clock.now(), self._seen
        if self.policy is None:
            return "Control is off: change the speed on the treadmill's console."
        if not self._moving():
            return "The belt is stopped: start it on the treadmill's console first."
        kmh = self.policy.user_speed(t, self.direction_now(), (seen.speed_kmh or 0.0) + delta_kmh)
        self._queue(ControlCommand(t, kmh, reason="user"))
        return f"Target speed {kmh:g} km/h (following you until the next step)."

    def user_incline(self, delta_pct: float) -> str:
        """The incline keys: change the target incline by ``delta_pct`` (control on only)."""
        t, seen = self.clock.now(), self._seen
        if self.policy is None:
            return "Control is off: change the incline on the treadmill's console."
        pct = self.policy.clamp_incline((seen.incline_pct or 0.0) + delta_pct)
        self._queue(ControlCommand(t, None, pct, reason="user"))
        return f"Target incline {pct:g} %."

    def _queue(self, command: ControlCommand) -> None:
        self.commands.append(command)
        self._we_stopped = self._we_stopped or command.stop
        self._outbox.put_nowait(command)

    # --- the ticker -----------------------------------------------------------------------

    async def run(self) -> None:
        """Tick until the plan has finished and its last command is sent (cancel to stop early)."""
        sender = asyncio.create_task(self._send_commands(), name="coach-control")
        try:
            while not (
                self.cues.finished and (self.policy is None or self._we_stopped or not self._moving())
            ):
                next_tick = (math.floor(self.clock.now() / self.tick_s) + 1) * self.tick_s
                await self.clock.sleep_until(self._next_wake(next_tick))
                await self.tick(self.clock.now())
            await self._outbox.join()
        except asyncio.CancelledError:
            # Ended early (Ctrl-C, the app closing): a belt the app was driving is stopped.
            sender.cancel()
            if self.controls is not None and self._moving() and not self._we_stopped:
                await asyncio.shield(self._stop_on_exit(self.controls))
            raise
        finally:
            sender.cancel()

    def _next_wake(self, tick_t: float) -> float:
        """The next tick, or a timed step's boundary if it comes first: turn cues land on time."""
        now, seen = self.clock.now(), self._seen
        left = self.cues.seconds_left(now, seen.speed_kmh, seen.distance_m)
        step = self.cues.step
        if left is not None and left > 0 and step is not None and step.duration_s is not None:
            return min(tick_t, now + left)
        return tick_t

    async def _stop_on_exit(self, controls: Controls) -> None:
        try:
            async with asyncio.timeout(_STOP_ON_EXIT_S):
                await controls.stop()
            self._we_stopped = True
            self._say(CoachEvent(self.clock.now(), "control", "Workout ended early: belt stopped.", "stop"))
        except (TreadmillError, TimeoutError) as exc:
            logger.warning("could not stop the belt on the way out (%s): stop it on the console", exc)
            text = "Could not stop the belt: stop it on the console."
            self._say(CoachEvent(self.clock.now(), "message", text, "control"))

    async def tick(self, t: float) -> None:
        """One tick at session time ``t``: the cues due, the safety rules, the steering.

        :meth:`run` calls it on its clock; a replay of a recorded session may call it too.
        """
        seen = self._seen
        if self._paused_at is not None:
            self._check_safety(t)
            return
        for cue in self.cues.update(
            t, detected=seen.direction, distance_m=seen.distance_m, speed_kmh=seen.speed_kmh
        ):
            self._say(CoachEvent(t, "cue", cue.text, cue.kind, cue.bell))
            if cue.direction is not None:
                await self.add_cue(Cue(round(t, 3), cue.direction))
                if cue.kind == "turn":
                    seen.turn_at = t
        self._check_safety(t)
        if self.policy is not None:
            self._steer(t)

    def _check_safety(self, t: float) -> None:
        seen = self._seen
        stopped_unexpectedly = (
            seen.belt_stopped_at is not None
            and t - seen.belt_stopped_at >= _STOP_GRACE_S
            and not self.cues.finished
            and not self._we_stopped
            and not seen.safety_key
            and self._paused_at is None
            and (seen.user_stopped_at is None or seen.user_stopped_at < seen.belt_stopped_at - 5.0)
        )
        raised, cleared = self.safety.update(
            SafetyState(
                t,
                seen.direction,
                seen.speed_kmh,
                seen.incline_pct,
                seen.link,
                seen.turn_at,
                seen.speed_changed_at,
                seen.safety_key,
                stopped_unexpectedly,
            )
        )
        for warning in raised:
            self._say(
                CoachEvent(t, "warning", warning.message, f"{warning.rule}/{warning.level.name.lower()}")
            )
        for warning in cleared:
            self._say(CoachEvent(t, "cleared", warning.message, warning.rule))

    def _moving(self) -> bool:
        return self._seen.speed_kmh is not None and self._seen.speed_kmh >= _MOVING_KMH

    def _steer(self, t: float) -> None:
        assert self.policy is not None
        seen = self._seen
        step = self.cues.step
        running = self._moving() and seen.link == "connected" and not seen.safety_key
        command = self.policy.update(
            t,
            step=step,
            step_index=self.cues.index,
            coming=self.cues.coming,
            seconds_left=self.cues.seconds_left(t, seen.speed_kmh, seen.distance_m),
            belt_kmh=seen.speed_kmh,
            running=running,
            detected=seen.direction,
        )
        if command is not None:
            self._queue(command)

    async def _send_commands(self) -> None:
        """Send commands in order, one at a time; a failure is said, not raised."""
        assert self.controls is not None or self._outbox.empty()
        while True:
            command = await self._outbox.get()
            try:
                if self.controls is not None:
                    await self._send(self.controls, command)
            except (TreadmillError, TimeoutError) as exc:
                if command.stop and self._stopped_by_user(command.t):
                    logger.info("the user stopped the belt first: %s", exc)
                    continue
                logger.warning("control command at %.1f s failed: %s", command.t, exc)
                self._say(
                    CoachEvent(
                        command.t, "message", f"The treadmill did not take the command: {exc}", "control"
                    )
                )
            finally:
                self._outbox.task_done()

    def _stopped_by_user(self, t: float) -> bool:
        """The console reported a stop (status 0x02) in the last few seconds before ``t``, or since."""
        stopped = self._seen.user_stopped_at
        return stopped is not None and stopped >= t - _USER_STOP_WINDOW_S

    async def _send(self, controls: Controls, command: ControlCommand) -> None:
        if command.stop and not self._moving():
            return  # the user stopped it first
        if command.stop:
            await controls.stop()
            self._say(CoachEvent(command.t, "control", "Belt stopped: workout done.", "stop"))
            return
        if command.incline_pct is not None:
            await controls.set_target_inclination(command.incline_pct)
        if command.speed_kmh is not None:
            await controls.set_target_speed(command.speed_kmh)

"""The coach: runs a plan beside a live session (cues, safety warnings, belt control).

Without a plan (a free run) it keeps the safety rules alone: the handrail warnings that do not
depend on the way the person faces, and those that do, on a confident and supported "backward".

A session consumer that reads labelled samples, machine status reports and link events,
plus a ticker that runs every ``tick_s`` of session time so cues land on their planned
times whatever the data rate. It ties together the pure parts of :mod:`treadmill.workout`:

* the :class:`~treadmill.workout.cues.CueEngine` (turn and stop cues become the recording's
  cue lines through ``add_cue``, and so reach the session's one direction detector),
* the :class:`~treadmill.workout.safety.SafetyMonitor`, fed the detector's direction and
  confidence as every sample carries them,
* with control on, the :class:`~treadmill.workout.control.ControlPolicy`, whose commands go
  to the treadmill one at a time; a refused or failed command is reported, never fatal.

The plan keeps its own clock: it starts when the belt first moves, and holds while the
person pauses the workout or the belt stands still, so a stop to drink never costs a step.

Everything the person should see or hear arrives through ``on_event`` as a
:class:`CoachEvent`. Ending the coach early (cancelling :meth:`run`) stops a belt it was
driving. A coach cut off from the session (``close`` with an error) can no longer see the
belt: it stops commanding it at once, says so, and leaves the belt to the person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from treadmill.clock import SessionClock
from treadmill.core.plausibility import DoubtWindow
from treadmill.defaults import REVERSE_CAP_KMH
from treadmill.errors import TreadmillError
from treadmill.ftms.machine_status import StatusOpCode
from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.model import (
    CoachEventKind,
    Cue,
    Direction,
    Facing,
    ImplausibleReading,
    LinkEvent,
    LinkState,
    Sample,
    Sensor,
    StatusReport,
    belt_moving,
)
from treadmill.session.consumer import Overflow, SessionItem
from treadmill.workout.control import ControlCommand, ControlPolicy
from treadmill.workout.cues import CueEngine, CueEvent, CueKind
from treadmill.workout.plan import Caps, Plan, Step
from treadmill.workout.safety import RULES, Level, Rule, SafetyMonitor, SafetyState

__all__ = ["PAUSED", "RESUMED", "CoachEvent", "Controls", "WorkoutCoach"]

logger = logging.getLogger(__name__)

_STOP_GRACE_S = 2.0
"""A stop status may arrive just after the data that shows the belt stopping."""
_STOP_ON_EXIT_S = 5.0
"""Wall-clock seconds to wait for the belt's stop when the workout is ended early."""
_USER_STOP_WINDOW_S = 10.0
"""A refused stop this soon after the person's own stop is no news: the belt is already stopping."""
_MOVING_AGAIN = (3, 2.0)
"""After a stop the machine reported, control waits for its start report and then this many
believed readings of a moving belt, over at least this many seconds: status and data agree."""
_STOPS = (StatusOpCode.STOPPED_BY_SAFETY_KEY, StatusOpCode.STOPPED_OR_PAUSED_BY_USER)
_MOVING = (Direction.FORWARD, Direction.REVERSE)
"""The detector's settled directions: a change between them (or out of unsure) is a turn."""
PAUSED, RESUMED = "Paused", "Resumed"
"""The headlines of the coach's pause and resume messages."""
BLIND_TEXT = "The coach lost the treadmill's data: it no longer drives the belt. Use the console."
ASK_TEXT, ASK_MORE = "Did you turn?", "r: I face backward · f: I face forward"
"""What the app asks when the detector cannot settle a transition (the answer is a mark)."""


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
    """Something for the person: a cue, a warning raised or cleared, a control action or a message."""

    t: float
    kind: CoachEventKind
    text: str
    """The headline, readable at a glance."""
    more: str = ""
    """The detail under it."""
    cue: CueKind | None = None
    rule: Rule | None = None
    """For warnings raised and cleared."""
    level: Level | None = None
    bell: bool = False


@dataclass(slots=True)
class _Seen:
    """The latest of what the session has shown."""

    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: float | None = None
    direction: Direction = Direction.STOPPED
    confidence: float = 0.0
    backed: bool = False
    """A second signal (the step rate, a mark) says backward too."""
    cued: str | None = None
    """The way the last cue asked to face (a free run's runner, a replay's recorded cues)."""
    asking: bool = False
    """The detector is asking which way the person faces."""
    link: LinkState = LinkState.CONNECTED
    safety_key: bool = False
    machine_stopped: bool = False
    """The machine reported a stop (its key, its console, our own stop): no target is sent until it
    reports a start and the belt is seen moving (:data:`_MOVING_AGAIN`)."""
    restarted_at: float | None = None
    """Session time of the machine's start report after its stop (None: none yet)."""
    moving_since_restart: list[float] = field(default_factory=list)
    """Times of the believed moving readings since that start report."""
    doubt: DoubtWindow = field(default_factory=DoubtWindow)
    user_stopped_at: float | None = None
    belt_stopped_at: float | None = None
    speed_changed_at: float | None = None
    turn_at: float | None = None


@dataclass(slots=True)
class _PlanClock:
    """The plan's own time: it starts with the belt and stands still while held."""

    started_at: float | None = None
    """Session time the belt first moved."""
    held_since: float | None = 0.0
    held_s: float = 0.0

    @property
    def started(self) -> bool:
        return self.started_at is not None

    def now(self, t: float) -> float:
        if self.held_since is not None:
            return self.held_since - self.held_s
        return t - self.held_s

    def hold(self, t: float) -> None:
        if self.held_since is None:
            self.held_since = t

    def release(self, t: float) -> None:
        if self.held_since is not None:
            self.held_s += t - self.held_since
            self.held_since = None


@dataclass(slots=True)
class WorkoutCoach:
    """Coach ``plan`` beside a session (a consumer of it, plus :meth:`run` as a task); None: a free run."""

    plan: Plan | None
    add_cue: Callable[[Cue], Awaitable[None]]
    """Where turn and stop cues go (:meth:`Session.add_cue`: the recording's cue lines)."""
    clock: SessionClock
    caps: Caps = field(default_factory=Caps)
    safe_reverse_kmh: float = REVERSE_CAP_KMH
    controls: Controls | None = None
    """None: control off (the default); the coach only cues and warns."""
    on_event: Callable[[CoachEvent], None] | None = None
    tick_s: float = 0.1
    events: list[CoachEvent] = field(default_factory=list)
    commands: list[ControlCommand] = field(default_factory=list)
    name: str = "coach"
    overflow: Overflow = Overflow.NEVER_DROP
    capacity: int = 10_000
    ticks_on_data: bool = False
    """Tick at each item's time instead of running :meth:`run` (a replay: its time is the data's)."""
    cues: CueEngine | None = field(init=False)
    """The plan's cues (None: a free run)."""
    safety: SafetyMonitor = field(init=False)
    policy: ControlPolicy | None = field(init=False, default=None)
    blind: str | None = None
    """Why the coach was cut off from the session (None: it sees the belt)."""
    _seen: _Seen = field(default_factory=_Seen)
    _clock: _PlanClock = field(default_factory=_PlanClock)
    _outbox: asyncio.Queue[ControlCommand] = field(default_factory=asyncio.Queue)
    _we_stopped: bool = False
    _paused: bool = False
    _paused_at: float | None = None
    _woken: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        """The engines start with the session."""
        self.cues = None if self.plan is None else CueEngine(self.plan)
        self.safety = SafetyMonitor(safe_reverse_kmh=self.safe_reverse_kmh)
        if self.controls is not None and self.plan is not None:
            self.policy = ControlPolicy(self.caps, self.controls.speed_range, self.controls.incline_range)

    def _say(self, event: CoachEvent) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    # --- the session consumer -------------------------------------------------------------

    async def handle(self, item: SessionItem) -> None:
        """Keep what the rules need from each item (and, replaying, tick at its time)."""
        if isinstance(item, Sample):
            self._on_sample(item)
        elif isinstance(item, Cue):
            self._on_cue(item)
        elif isinstance(item, ImplausibleReading):
            self._on_doubt(item.t, implausible=True)
        elif isinstance(item, StatusReport):
            self._on_status(item)
        elif (
            isinstance(item, LinkEvent) and item.src is Sensor.TREADMILL and item.kind.link_state is not None
        ):
            self._seen.link = item.kind.link_state
        if self.ticks_on_data and self.blind is None:
            await self.tick(item.t)

    def _on_cue(self, cue: Cue) -> None:
        """A cue reached the session (this coach's own, or one recorded): the way it asks to face."""
        facing = cue.direction.facing
        if facing is not None and self._seen.cued not in (None, facing.value):
            self._seen.turn_at = cue.t
        self._seen.cued = None if facing is None else facing.value

    def _on_doubt(self, t: float, *, implausible: bool) -> None:
        """One more treadmill reading, believed or not: doubt in the stream starts or ends."""
        doubt = self._seen.doubt
        if not doubt.see(implausible=implausible) or self.policy is None:
            return
        if doubt.doubtful:
            self._say(
                CoachEvent(
                    t,
                    CoachEventKind.MESSAGE,
                    "Control paused",
                    "The treadmill's readings make no sense: the app no longer drives the belt. "
                    "Use the console; control comes back once the readings do.",
                )
            )
        else:
            self._say(CoachEvent(t, CoachEventKind.MESSAGE, "Control back", "The readings make sense again."))

    def _on_sample(self, sample: Sample) -> None:
        seen = self._seen
        if sample.speed_kmh is None:
            return
        self._on_doubt(sample.t, implausible=False)
        was_moving = belt_moving(seen.speed_kmh)
        seen.speed_kmh = sample.speed_kmh
        seen.incline_pct = sample.incline_pct
        seen.distance_m = sample.distance_m
        self._follow_restart(sample)
        if belt_moving(sample.speed_kmh) and not seen.machine_stopped:
            seen.belt_stopped_at = None
            if self._clock.started_at is None:
                self._clock.started_at = sample.t
            if not self._paused:
                self._clock.release(sample.t)
        else:
            if was_moving:
                seen.belt_stopped_at = sample.t
            self._clock.hold(sample.t)
        if (
            sample.direction in _MOVING
            and sample.direction is not seen.direction
            and (seen.direction in _MOVING or seen.direction is Direction.UNSURE)
        ):
            seen.turn_at = sample.t
        seen.direction, seen.confidence, seen.backed = sample.direction, sample.confidence, sample.backed
        if sample.asking and not seen.asking:
            self._say(
                CoachEvent(sample.t, CoachEventKind.CUE, ASK_TEXT, ASK_MORE, cue=CueKind.ASK, bell=True)
            )
        seen.asking = sample.asking

    def _follow_restart(self, sample: Sample) -> None:
        """After a stop the machine reported: the belt counts as running again once status and data agree."""
        seen = self._seen
        if not seen.machine_stopped or seen.restarted_at is None:
            return
        if not belt_moving(sample.speed_kmh):
            seen.moving_since_restart.clear()
            return
        seen.moving_since_restart.append(sample.t)
        count, over_s = _MOVING_AGAIN
        moving = seen.moving_since_restart
        if len(moving) >= count and moving[-1] - moving[0] >= over_s:
            seen.machine_stopped = seen.safety_key = False
            seen.restarted_at = None
            moving.clear()

    def _on_status(self, report: StatusReport) -> None:
        seen, status, t = self._seen, report.status, report.t
        if status.op_code in _STOPS:
            seen.machine_stopped = True
            seen.restarted_at = None
            seen.moving_since_restart.clear()
        if status.op_code == StatusOpCode.STOPPED_BY_SAFETY_KEY:
            seen.safety_key = True
        elif status.op_code == StatusOpCode.STOPPED_OR_PAUSED_BY_USER:
            seen.user_stopped_at = t
        elif status.op_code == StatusOpCode.STARTED_OR_RESUMED_BY_USER and seen.machine_stopped:
            seen.restarted_at = t
        elif status.op_code == StatusOpCode.TARGET_SPEED_CHANGED:
            seen.speed_changed_at = t
            kmh = status.parameter("target_speed_kmh")
            if self.policy is not None and isinstance(kmh, float):
                message = self.policy.on_target_speed(t, kmh)
                if message is not None:
                    self._say(CoachEvent(t, CoachEventKind.MESSAGE, "Following the console", message))

    async def close(self, error: str | None) -> None:
        """The session is over, or cut this coach off (``error``): then it stops acting at once."""
        if error is None or self.blind is not None:
            return
        self.blind = error
        t = self.clock.now()
        for warning in self.safety.active.values():
            self._say(CoachEvent(t, CoachEventKind.CLEARED, warning.message, rule=warning.rule))
        self.safety.active.clear()
        self._say(
            CoachEvent(
                t,
                CoachEventKind.WARNING,
                "Coach off: hold the rails",
                BLIND_TEXT,
                rule=Rule.LINK_LOST,
                level=Level.CAUTION,
                bell=True,
            )
        )
        logger.error("the coach was cut off from the session (%s); it no longer drives the belt", error)
        self._woken.set()

    # --- what the person asks for -------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """True while the person holds the workout (its clock stands still)."""
        return self._paused

    @property
    def started_at(self) -> float | None:
        """Session time the belt first moved: the plan's clock runs from then on (None: not yet)."""
        return self._clock.started_at

    def plan_time(self, t: float) -> float:
        """Session time ``t`` as the workout's clock sees it (held while paused or the belt stands)."""
        return self._clock.now(t)

    @property
    def paused_since(self) -> float | None:
        """Session time the person paused the workout (None: not paused)."""
        return self._paused_at

    def pause(self, t: float) -> None:
        """Hold the workout: no cues, no steering, no "belt stopped" alarm until :meth:`resume`."""
        if not self._paused:
            self._paused, self._paused_at = True, t
            self._clock.hold(t)
            self._say(CoachEvent(t, CoachEventKind.MESSAGE, PAUSED, "The workout waits for you."))

    def resume(self, t: float) -> None:
        """Go on with the workout where it was held (its clock runs again once the belt moves)."""
        if self._paused:
            self._paused, self._paused_at = False, None
            if belt_moving(self._seen.speed_kmh):
                self._clock.release(t)
            self._say(CoachEvent(t, CoachEventKind.MESSAGE, RESUMED))

    def facing_now(self) -> Facing:
        """The way the person faces, for the caps: backward if the step or the detector says so, or unsure."""
        step, seen = self._step, self._seen
        backward = (step is not None and step.direction is Facing.REVERSE) or seen.direction in (
            Direction.REVERSE,
            Direction.UNSURE,
        )
        return Facing.REVERSE if backward else Facing.FORWARD

    def user_speed(self, delta_kmh: float) -> str:
        """The speed keys: raise the target by ``delta_kmh`` from where it is heading (control on only)."""
        if self.policy is None:
            return "Control is off: change the speed on the treadmill's console."
        base = self.policy.target_kmh if self.policy.target_kmh is not None else self._seen.speed_kmh
        return self.set_speed((base or 0.0) + delta_kmh)

    def remote_speed(self, kmh: float) -> str:
        """A remote command's target (MQTT): as the keys', but never above the plan's speed for the step.

        From outside the room a command may slow the belt, or bring it back to the plan; only the
        person on the belt takes it beyond.
        """
        step = self._step
        ceiling = None if step is None else step.speed_kmh
        if ceiling is None and self.policy is not None:
            ceiling = self.policy.target_kmh
        if ceiling is None:
            return (
                "Refused: the step has no planned speed, and a remote command goes no faster than the plan."
            )
        said = self.set_speed(min(kmh, ceiling))
        return (
            said
            if kmh <= ceiling
            else f"{said} Remote commands go no faster than the plan ({ceiling:g} km/h)."
        )

    def set_speed(self, kmh: float) -> str:
        """A target speed for the belt (the keys): ramped to, within the caps."""
        if self.policy is None or self.blind is not None:
            return "Control is off: change the speed on the treadmill's console."
        if not self._moving():
            return "The belt is stopped: start it on the treadmill's console first."
        value = self.policy.user_speed(self.clock.now(), self.facing_now(), kmh)
        self._woken.set()
        return f"Target speed {value:g} km/h, on the usual ramp (following you until the next step)."

    def user_incline(self, delta_pct: float) -> str:
        """The incline keys: change the target incline by ``delta_pct`` (control on only)."""
        if self.policy is None or self.blind is not None:
            return "Control is off: change the incline on the treadmill's console."
        pct = self.policy.clamp_incline((self._seen.incline_pct or 0.0) + delta_pct)
        self._queue(ControlCommand(self.clock.now(), None, pct))
        return f"Target incline {pct:g} %."

    def _queue(self, command: ControlCommand) -> None:
        self.commands.append(command)
        self._we_stopped = self._we_stopped or command.stop
        self._outbox.put_nowait(command)

    # --- the ticker -----------------------------------------------------------------------

    @property
    def _step(self) -> Step | None:
        """The plan's current step (None: none yet, or a free run)."""
        return None if self.cues is None else self.cues.step

    def _done(self) -> bool:
        if self.blind is not None:
            return True
        if self.cues is None:
            return False  # a free run's rules hold until the session ends
        return self.cues.finished and (self.policy is None or self._we_stopped or not self._moving())

    async def run(self) -> None:
        """Tick until the plan has finished and its last command is sent (cancel to stop early)."""
        async with asyncio.TaskGroup() as tasks:
            sender = tasks.create_task(self._send_commands(), name="coach-control")
            try:
                while not self._done():
                    # The tick after the nearest one: a wake a hair early or late still moves on a whole tick.
                    next_tick = (math.floor(self.clock.now() / self.tick_s + 0.5) + 1) * self.tick_s
                    self._woken.clear()
                    with contextlib.suppress(TimeoutError):
                        wait = self.clock.wall_seconds(self._next_wake(next_tick) - self.clock.now())
                        await asyncio.wait_for(self._woken.wait(), max(wait, 0.0))
                    if self.blind is None:
                        await self.tick(self.clock.now())
                if self.blind is None:
                    await self._outbox.join()
            except asyncio.CancelledError:
                # Ended early (Ctrl-C, the app closing): a belt the app was driving is stopped.
                sender.cancel()
                if (
                    self.controls is not None
                    and self.blind is None
                    and self._moving()
                    and not self._we_stopped
                ):
                    await asyncio.shield(self._stop_on_exit(self.controls))
                raise
            sender.cancel()

    def _next_wake(self, tick_t: float) -> float:
        """The next tick, or a timed step's boundary if it comes first: turn cues land on time."""
        now, seen = self.clock.now(), self._seen
        if self.cues is None:
            return tick_t
        left = self.cues.seconds_left(self.plan_time(now), seen.speed_kmh, seen.distance_m)
        step = self.cues.step
        held = self._clock.held_since is not None
        if not held and left is not None and left > 0 and step is not None and step.duration_s is not None:
            return min(tick_t, now + left)
        return tick_t

    async def _stop_on_exit(self, controls: Controls) -> None:
        try:
            async with asyncio.timeout(_STOP_ON_EXIT_S):
                await controls.stop()
            self._we_stopped = True
            self._say(
                CoachEvent(self.clock.now(), CoachEventKind.CONTROL, "Belt stopped", "Workout ended early.")
            )
        except (TreadmillError, TimeoutError) as exc:
            logger.warning("could not stop the belt on the way out (%s): stop it on the console", exc)
            self._say(
                CoachEvent(self.clock.now(), CoachEventKind.MESSAGE, "Stop the belt on the console", str(exc))
            )

    async def tick(self, t: float) -> None:
        """One tick at session time ``t``: the cues due, the safety rules, the steering."""
        seen = self._seen
        due: list[CueEvent] = []
        if self.cues is None:
            pass
        elif self._clock.started and self._clock.held_since is None:
            due = self.cues.update(
                self.plan_time(t),
                detected=seen.direction,
                distance_m=seen.distance_m,
                speed_kmh=seen.speed_kmh,
            )
        elif self._stopped_in_last_step(t):
            due = self.cues.finish(self.plan_time(t))
        for cue in due:
            self._say(CoachEvent(t, CoachEventKind.CUE, cue.text, cue.more, cue=cue.kind, bell=cue.bell))
            if cue.direction is not None:
                await self.add_cue(Cue(round(t, 3), cue.direction))
                if cue.kind is CueKind.TURN:
                    seen.turn_at = t

        self._check_safety(t)
        if self.policy is not None and not self._paused:
            self._steer(t)

    def _stopped_in_last_step(self, t: float) -> bool:
        """The belt has stood still a moment in the workout's last step: the person has finished."""
        stopped_at = self._seen.belt_stopped_at
        if self.cues is None:
            return False
        last = self.cues.coming is None and not self.cues.finished
        return last and not self._paused and stopped_at is not None and t - stopped_at >= _STOP_GRACE_S

    def _check_safety(self, t: float) -> None:
        seen = self._seen
        stopped_unexpectedly = (
            seen.belt_stopped_at is not None
            and t - seen.belt_stopped_at >= _STOP_GRACE_S
            and self.cues is not None
            and not self.cues.finished
            and not self._we_stopped
            and not seen.safety_key
            and not self._paused
            and (seen.user_stopped_at is None or seen.user_stopped_at < seen.belt_stopped_at - 5.0)
        )
        raised, cleared = self.safety.update(
            SafetyState(
                t,
                seen.direction,
                seen.confidence,
                seen.speed_kmh,
                seen.incline_pct,
                seen.link,
                self._turn_for_safety(t),
                seen.speed_changed_at,
                seen.safety_key,
                stopped_unexpectedly,
                seen.doubt.doubtful,
                plan_facing=self._plan_facing(),
                coming_facing=self._coming_facing(t),
                backed=seen.backed,
            )
        )
        for warning in raised:
            self._say(
                CoachEvent(
                    t,
                    CoachEventKind.WARNING,
                    RULES[warning.rule].headline,
                    warning.message,
                    rule=warning.rule,
                    level=warning.level,
                    bell=True,
                )
            )
        for warning in cleared:
            self._say(CoachEvent(t, CoachEventKind.CLEARED, warning.message, rule=warning.rule))

    def _plan_facing(self) -> Facing | None:
        """The way the plan's step faces; without a plan, the way the last cue asked."""
        if self._step is not None:
            return self._step.direction
        return None if self._seen.cued is None else Facing(self._seen.cued)

    def next_turn(self, t: float) -> tuple[float, Facing | None] | None:
        """Seconds to the plan's next turn and the way it faces (None: no plan running, or paused)."""
        seen = self._seen
        if self.cues is None or not self._clock.started or self._clock.held_since is not None:
            return None
        return self.cues.next_turn(self.plan_time(t), seen.speed_kmh, seen.distance_m)

    def _coming_facing(self, t: float) -> Facing | None:
        """The way the plan's next turn faces, if it is due within the turnaround lead."""
        coming = self.next_turn(t)
        if coming is None or coming[0] > self.safety.turn_lead_s:
            return None
        return coming[1]

    def _turn_for_safety(self, t: float) -> float | None:
        """The turn the turnaround rule looks at: a recent one, else the plan's next within the lead.

        So the rails warning goes up :attr:`SafetyMonitor.turn_lead_s` before a planned turn,
        not only once it has begun.
        """
        seen, safety = self._seen, self.safety
        if seen.turn_at is not None and t - seen.turn_at <= safety.turn_after_s:
            return seen.turn_at
        coming = self.next_turn(t)
        if coming is not None and coming[1] is not None and coming[0] <= safety.turn_lead_s:
            return t + coming[0]
        return seen.turn_at

    def _moving(self) -> bool:
        """The belt runs: believed readings say it moves, and the machine has not reported a stop since."""
        return belt_moving(self._seen.speed_kmh) and not self._seen.machine_stopped

    def _steer(self, t: float) -> None:
        assert self.policy is not None
        assert self.cues is not None
        seen = self._seen
        running = (
            self._moving()
            and seen.link is LinkState.CONNECTED
            and not seen.machine_stopped
            and not seen.doubt.doubtful
        )
        plan_t = self.plan_time(t)
        command = self.policy.update(
            t,
            step=self.cues.step,
            step_index=self.cues.index,
            coming=self.cues.coming,
            seconds_left=self.cues.seconds_left(plan_t, seen.speed_kmh, seen.distance_m),
            belt_kmh=seen.speed_kmh,
            running=running,
            detected=seen.direction,
        )
        if command is not None:
            self._queue(command)

    async def _send_commands(self) -> None:
        """Send commands in order, one at a time; a failure is said, not raised."""
        while True:
            command = await self._outbox.get()
            try:
                if self.controls is not None and self.blind is None:
                    await self._send(self.controls, command)
            except (TreadmillError, TimeoutError) as exc:
                if command.speed_kmh is not None and self.policy is not None:
                    self.policy.refused()
                if command.stop and self._stopped_by_user(command.t):
                    logger.info("the person stopped the belt first: %s", exc)
                    continue
                logger.warning("control command at %.1f s failed: %s", command.t, exc)
                self._say(
                    CoachEvent(
                        command.t, CoachEventKind.MESSAGE, "The treadmill did not take the command", str(exc)
                    )
                )
            finally:
                self._outbox.task_done()

    def _stopped_by_user(self, t: float) -> bool:
        """The console reported a stop (status 0x02) in the last few seconds before ``t``, or since."""
        stopped = self._seen.user_stopped_at
        return stopped is not None and stopped >= t - _USER_STOP_WINDOW_S

    async def _send(self, controls: Controls, command: ControlCommand) -> None:
        if not self._moving():
            return  # stopped meanwhile (the person, the machine): nothing more is written to it
        if command.stop:
            await controls.stop()
            self._say(CoachEvent(command.t, CoachEventKind.CONTROL, "Belt stopped", "Workout done."))
            return
        if command.incline_pct is not None:
            await controls.set_target_inclination(command.incline_pct)
        if command.speed_kmh is not None:
            await controls.set_target_speed(command.speed_kmh)

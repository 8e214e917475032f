"""Recording a session to a fixture without the app: ``treadmill record``.

The source is the real FTMS client, talking either to a treadmill (the system's
Bluetooth) or to the built-in virtual treadmill over Bumble's virtual radio. Frames and
link events are written as they arrive; a virtual session adds truth lines from the
runner model and cue lines at the plan's direction changes (the cues the runner follows).

With a guided workout (``--plan NAME`` of a workout plan) the
:class:`~treadmill.session.coach.WorkoutCoach` runs beside the session: its turn and stop
cues are the fixture's cue lines, its warnings and cues go to ``on_coach``, and with
``control`` it drives the belt. A virtual runner then follows the workout, leaving the speed
to the app when control is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from treadmill.ble.backend import BleBackend
from treadmill.ble.client import ClientOptions, FtmsClient
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.core.metrics import Body
from treadmill.model import Cue, Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.session.actions import LiveActions
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.session.decoding import Sample
from treadmill.session.engine import Consumer, Overflow, Session, SessionItem, SessionResult
from treadmill.storage.fixtures import FixtureWriter
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.runner import Direction, Interval, RunnerPlan
from treadmill.virtual.world import Tick, VirtualWorld
from treadmill.workout.plan import Caps, Plan

if TYPE_CHECKING:
    from treadmill.mqtt.messages import MqttStatus
    from treadmill.mqtt.publisher import MqttPublisher
    from treadmill.mqtt.settings import MqttSettings

logger = logging.getLogger(__name__)

_AFTER_WORKOUT_S = 5.0
"""Session seconds still recorded after a guided workout ends (the belt coming to rest)."""

__all__ = [
    "FixtureRecorder",
    "RecordOptions",
    "RecordProgress",
    "RecordResult",
    "Running",
    "record",
    "virtual_treadmill",
]


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """What to record, from where, for how long."""

    out: Path
    duration_s: float = 600.0
    """Session seconds to record."""
    device: str | None = None
    """A real treadmill's address; None with ``virtual``."""
    hci: str | None = None
    """Reach ``device`` through this Bumble HCI transport instead of the system's Bluetooth."""
    strap: str | None = None
    footpod: str | None = None
    virtual: bool = False
    seed: int = 1
    time_scale: float = 1.0
    notify_hz: float = 1.0
    split_payload: int | None = None
    virtual_strap: bool = True
    """Virtual sessions: also run a heart-rate strap."""
    virtual_footpod: bool = True
    """Virtual sessions: also run a footpod."""
    drop_link_at_s: tuple[float, ...] = ()
    console_presses: tuple[tuple[float, float], ...] = ()
    """Virtual sessions: (session time, km/h) at which someone sets the speed on the console."""
    """Virtual sessions: the treadmill drops the link at these session times."""
    trailing_bytes: int = 0
    """Virtual sessions: zero bytes padded after every Treadmill Data payload."""
    plan: RunnerPlan | None = field(default_factory=RunnerPlan.intervals_demo)
    """The plan the virtual runner is cued through (None: a free run)."""
    spec: MachineSpec = field(default_factory=MachineSpec)
    workout: Plan | None = None
    """A guided workout: the coach cues it and warns; a virtual runner follows it (not ``plan``)."""
    control: bool = False
    """Let the coach drive the belt (needs ``workout``)."""
    caps: Caps = field(default_factory=Caps)
    """The user's speed caps, forward and backward."""
    safe_reverse_kmh: float = 3.0
    """Above this backward, a handrail danger warning."""
    mqtt: MqttSettings | None = None
    """Publish the session's state and events to this broker (``--mqtt``)."""
    body: Body = field(default_factory=Body)
    """The person, for the calories and zones the MQTT state carries."""

    @property
    def runner_plan(self) -> RunnerPlan | None:
        """What the virtual runner follows: the workout if there is one, else ``plan``."""
        if self.workout is None:
            return self.plan
        intervals = []
        for step in self.workout.steps:
            duration = step.duration_s
            if duration is None:  # a distance step, at its speed (or a walk)
                duration = (step.distance_m or 0.0) / ((step.speed_kmh or 4.0) / 3.6)
            intervals.append(Interval(Direction(step.direction), duration, step.speed_kmh))
        return RunnerPlan(tuple(intervals))


@dataclass(frozen=True, slots=True)
class RecordProgress:
    """A progress report, a few times a second."""

    t: float
    duration_s: float
    frames: int
    speed_kmh: float | None
    connected: bool


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What was written."""

    path: Path
    lines: int
    frames: int
    session_s: float
    events: dict[str, int]
    session: SessionResult
    """What the live session produced (samples, summary), for comparing with a replay."""
    coach: WorkoutCoach | None = None
    """The guided workout's coach (its events and commands), if one ran."""


@dataclass(frozen=True, slots=True)
class Running:
    """A session that is about to run: what the app needs to act on it (pause, stop, speed, marks)."""

    session: Session
    clock: SessionClock
    client: FtmsClient
    coach: WorkoutCoach | None
    treadmill: VirtualTreadmill | None
    """The virtual treadmill, in a virtual session."""
    mqtt: MqttPublisher | None = None
    """The MQTT publisher, when the session publishes."""


@contextlib.asynccontextmanager
async def virtual_treadmill(
    options: RecordOptions, clock: SessionClock
) -> AsyncIterator[tuple[VirtualTreadmill, BleBackend]]:
    """The built-in virtual treadmill on a fresh virtual radio, and the backend that reaches it."""
    radio = VirtualRadio()
    world = VirtualWorld(
        seed=options.seed,
        plan=options.runner_plan,
        spec=options.spec,
        duration_s=options.duration_s,
        app_drives_speed=options.control,
    )
    peripheral_options = PeripheralOptions(
        notify_hz=options.notify_hz,
        split_payload=options.split_payload,
        strap=options.virtual_strap,
        footpod=options.virtual_footpod,
        trailing_bytes=options.trailing_bytes,
    )
    async with VirtualTreadmill(radio.device, world, clock, peripheral_options) as treadmill:
        yield treadmill, BleBackend.on_radio(radio)


class FixtureRecorder:
    """Session consumer that writes frames, events and cues to a fixture. Never drops."""

    name = "recorder"
    overflow = Overflow.NEVER_DROP
    capacity = 10_000

    def __init__(self, writer: FixtureWriter) -> None:
        """Writes to ``writer``; closes it when the session ends."""
        self.writer = writer
        self.frames = 0

    async def handle(self, item: SessionItem) -> None:
        """Write raw items; samples are derived, so they are not recorded."""
        if isinstance(item, Frame):
            self.writer.frame(item)
            self.frames += 1
        elif isinstance(item, LinkEvent):
            self.writer.event(item)
        elif isinstance(item, Cue):
            self.writer.cue(item.t, item.direction)

    async def close(self) -> None:
        """Sync and close the file."""
        self.writer.close()


class _Progress:
    """Session consumer that reports progress; only the latest state matters."""

    name = "progress"
    overflow = Overflow.KEEP_LATEST
    capacity = 1

    def __init__(
        self, report: Callable[[RecordProgress], None], duration_s: float, recorder: FixtureRecorder
    ) -> None:
        self._report = report
        self._duration_s = duration_s
        self._recorder = recorder
        self._connected = True
        self._speed: float | None = None
        self._next = 0.0

    async def handle(self, item: SessionItem) -> None:
        if isinstance(item, LinkEvent) and item.src is Sensor.TREADMILL:
            if item.kind in (LinkEventKind.CONNECTED, LinkEventKind.DISCONNECTED):
                self._connected = item.kind is LinkEventKind.CONNECTED
        elif isinstance(item, Sample):
            self._speed = item.speed_kmh
        if item.t >= self._next:
            self._next = item.t + 1.0
            self._report(
                RecordProgress(item.t, self._duration_s, self._recorder.frames, self._speed, self._connected)
            )

    async def close(self) -> None:
        """Nothing to release."""


async def _cue_on_time(session: Session, clock: SessionClock, cues: list[tuple[float, str]]) -> None:
    for t, cue in cues:
        await clock.sleep_until(t)
        await session.add_cue(Cue(t, cue))


async def _coach_then_stop(coach: WorkoutCoach, session: Session, clock: SessionClock) -> None:
    """Coach the workout; once it is over, record a few seconds more and end the session."""
    try:
        await coach.run()
    except Exception:  # a coaching bug must not take the recording down with it
        logger.exception("the workout coach failed; recording goes on without it")
        return
    await clock.sleep_until(clock.now() + _AFTER_WORKOUT_S)
    session.stop()


async def _press_console(
    treadmill: VirtualTreadmill, clock: SessionClock, presses: tuple[tuple[float, float], ...]
) -> None:
    for t, kmh in sorted(presses):
        await clock.sleep_until(t)
        await treadmill.console_speed(kmh)


async def _drop_links(treadmill: VirtualTreadmill, clock: SessionClock, times: tuple[float, ...]) -> None:
    for t in sorted(times):
        await clock.sleep_until(t)
        await treadmill.drop_link()


async def _stop_at(session: Session, clock: SessionClock, t: float) -> None:
    await clock.sleep_until(t)
    session.stop()


@dataclass(frozen=True, slots=True)
class _Source:
    """Where the frames come from: the addresses to connect, and the virtual treadmill if any."""

    backend: BleBackend
    device: dict[str, str]
    address: str
    strap: str | None
    footpod: str | None
    treadmill: VirtualTreadmill | None = None


async def _open_source(
    options: RecordOptions, clock: SessionClock, stack: contextlib.AsyncExitStack
) -> _Source:
    if options.virtual:
        treadmill, backend = await stack.enter_async_context(virtual_treadmill(options, clock))
        device = {"name": treadmill.options.name, "address": treadmill.address, "virtual": "true"}
        return _Source(
            backend, device, treadmill.address, treadmill.strap_address, treadmill.footpod_address, treadmill
        )
    if options.device is None:
        raise ValueError("a real session needs a device address")
    if options.hci is None:
        backend = BleBackend.system()
    else:
        radio = VirtualRadio(options.hci)
        stack.push_async_callback(radio.aclose)
        backend = BleBackend.on_radio(radio)
    return _Source(backend, {"address": options.device}, options.device, options.strap, options.footpod)


def _record_truth(treadmill: VirtualTreadmill, writer: FixtureWriter) -> None:
    """Truth lines from the runner model, as its direction changes."""
    writer.truth(0.0, Direction.STOPPED.value)

    def on_tick(tick: Tick) -> None:
        if tick.truth_changed and not writer.closed:  # after the session: not part of it
            writer.truth(tick.t, tick.truth.value)

    treadmill.tick_listeners.append(on_tick)


async def record(
    options: RecordOptions,
    progress: Callable[[RecordProgress], None] | None = None,
    on_coach: Callable[[CoachEvent], None] | None = None,
    *,
    consumers: Sequence[Consumer] = (),
    on_ready: Callable[[Running], None] | None = None,
    on_mqtt: Callable[[MqttStatus], None] | None = None,
) -> RecordResult:
    """Record one session to ``options.out`` (which must not exist yet).

    Args:
        options: what to record, from where, for how long.
        progress: called a few times a second with a progress report.
        on_coach: called with every cue, warning and message of a guided workout.
        consumers: more session consumers (the app's screen, MQTT).
        on_ready: called once everything is connected, just before the session runs.
        on_mqtt: called when the MQTT publisher's status changes (connected, retrying, failed).
    """
    if options.control and options.workout is None:
        raise ValueError("control needs a workout plan to follow")
    clock = SessionClock(options.time_scale)
    async with contextlib.AsyncExitStack() as stack:
        mqtt = None
        if options.mqtt is not None:  # first, so the broker is reached while Bluetooth connects
            from treadmill.mqtt.publisher import MqttPublisher  # noqa: PLC0415 (aiomqtt only when asked)

            publisher = MqttPublisher(
                options.mqtt,
                body=options.body,
                caps_kmh=max(options.caps.forward_kmh, options.caps.reverse_kmh),
                title="free run" if options.workout is None else options.workout.name,
                on_status=on_mqtt,
            )
            mqtt = await stack.enter_async_context(publisher)
            consumers = [*consumers, mqtt]
            on_coach = _both(mqtt.coach_event, on_coach)
        source = await _open_source(options, clock, stack)
        extra = {"seed": options.seed, "time_scale": options.time_scale} if options.virtual else {}
        writer = FixtureWriter(options.out, device=source.device, extra=extra)
        stack.callback(writer.close)
        if source.treadmill is not None:
            _record_truth(source.treadmill, writer)
            stack.callback(source.treadmill.tick_listeners.clear)
        client = await stack.enter_async_context(
            FtmsClient(
                source.address,
                backend=source.backend,
                clock=clock,
                strap=source.strap,
                footpod=source.footpod,
                options=ClientOptions(max_speed_kmh=max(options.caps.forward_kmh, options.caps.reverse_kmh)),
            )
        )
        recorder = FixtureRecorder(writer)
        everyone: list[Consumer] = [recorder, *consumers]
        if progress is not None:
            everyone.append(_Progress(progress, options.duration_s, recorder))
        coach = None
        if options.workout is not None:

            async def add_cue(cue: Cue) -> None:
                await session.add_cue(cue)

            coach = WorkoutCoach(
                options.workout,
                add_cue,
                clock,
                caps=options.caps,
                safe_reverse_kmh=options.safe_reverse_kmh,
                controls=client if options.control else None,
                on_event=on_coach,
            )
            everyone.append(coach)
        session = Session(client, everyone, until_s=options.duration_s)
        if mqtt is not None:
            mqtt.attach(LiveActions(session, clock, client, coach, options.control), coach)
        if on_ready is not None:
            on_ready(Running(session, clock, client, coach, source.treadmill, mqtt))
        async with asyncio.TaskGroup() as tasks:
            helpers = _start_helpers(tasks, options, session, clock, coach, source.treadmill)
            result = await session.run()
            for helper in helpers:
                helper.cancel()
        return RecordResult(
            options.out,
            writer.lines,
            recorder.frames,
            clock.now(),
            _event_counts(result.events),
            result,
            coach,
        )
    raise AssertionError  # unreachable: the stack returns or raises


def _both(
    first: Callable[[CoachEvent], None], second: Callable[[CoachEvent], None] | None
) -> Callable[[CoachEvent], None]:
    """One coach callback that calls ``first`` and then ``second`` (if any)."""

    def said(event: CoachEvent) -> None:
        first(event)
        if second is not None:
            second(event)

    return said


def _start_helpers(
    tasks: asyncio.TaskGroup,
    options: RecordOptions,
    session: Session,
    clock: SessionClock,
    coach: WorkoutCoach | None,
    treadmill: VirtualTreadmill | None,
) -> list[asyncio.Task[None]]:
    """The tasks beside a session: the end, the coach, the runner's cues, scripted console and drops."""
    cues = options.plan.cues() if options.virtual and options.plan is not None and coach is None else []
    helpers = [
        tasks.create_task(_cue_on_time(session, clock, [c for c in cues if c[0] < options.duration_s])),
        tasks.create_task(_stop_at(session, clock, options.duration_s)),
    ]
    if coach is not None:
        helpers.append(tasks.create_task(_coach_then_stop(coach, session, clock)))
    if treadmill is not None and options.console_presses:
        helpers.append(tasks.create_task(_press_console(treadmill, clock, options.console_presses)))
    if treadmill is not None and options.drop_link_at_s:
        helpers.append(tasks.create_task(_drop_links(treadmill, clock, options.drop_link_at_s)))
    return helpers


def _event_counts(events: list[LinkEvent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in events:
        counts[event.kind.value] = counts.get(event.kind.value, 0) + 1
    return counts

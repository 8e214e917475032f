"""A live session: connect, record, coach, and let the app act on it while it runs.

::

    async with open_live_session(options, consumers=[mqtt]) as live:
        ...                       # live.view(), live.actions.stop(), ...
        result = await live.wait()

Entering opens the source (a treadmill and its sensors over Bluetooth, or the built-in
virtual treadmill over its virtual radio), connects through the real FTMS client, creates
the recording, and starts the session with its coach (a guided workout) beside it. The
session runs in the background until its duration, the end of the workout (and a few
seconds of the belt coming to rest), or :meth:`LiveSession.stop`. Leaving stops it if it is
still running and waits until everything is written and closed. A session that never got
a frame leaves no recording behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path

from treadmill.ble.client import ClientOptions, FtmsClient
from treadmill.clock import SessionClock
from treadmill.core.detector import DirectionDetector
from treadmill.core.pipeline import Pipeline
from treadmill.defaults import AFTER_WORKOUT_S
from treadmill.model import Cue, CueDirection, Direction, LinkEvent, LinkEventKind, LinkState, Sensor
from treadmill.phone.feed import PhoneFeed
from treadmill.session.actions import LiveActions
from treadmill.session.board import LiveBoard, LiveView
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.session.consumer import Consumer, Overflow, SessionItem
from treadmill.session.engine import Session, SessionResult
from treadmill.session.options import SessionOptions
from treadmill.session.recorded_coach import coach_header
from treadmill.session.recorder import FixtureRecorder
from treadmill.session.sources import Radio, radio, virtual_treadmill
from treadmill.storage.files import StorageError
from treadmill.storage.fixtures import FixtureWriter
from treadmill.virtual.peripheral import VirtualTreadmill
from treadmill.virtual.phone import BodyPhone, stream
from treadmill.virtual.runner import Runner

__all__ = ["LiveResult", "LiveSession", "Progress", "Recording", "open_live_session"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recording:
    """Where a session is recorded: an exact new file, or a new file in a folder (a unique name)."""

    path: Path | None = None
    folder: Path | None = None
    stem: str = "session"

    def create(self, device: dict[str, str], extra: dict[str, object]) -> FixtureWriter:
        """The writer, on a file it creates (never an existing one)."""
        if self.path is not None:
            return FixtureWriter.create(self.path, device=device, extra=extra)
        assert self.folder is not None
        return FixtureWriter.create_in(self.folder, self.stem, device=device, extra=extra)


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report, about once a session second."""

    t: float
    duration_s: float
    frames: int
    speed_kmh: float | None
    link: LinkState


@dataclass(frozen=True, slots=True)
class LiveResult:
    """What a live session produced."""

    path: Path | None
    """The recording (None when nothing was recorded)."""
    frames: int
    lines: int
    session_s: float
    events: dict[str, int]
    """Link events by kind."""
    session: SessionResult
    coach: WorkoutCoach | None
    storage_error: StorageError | None = None
    """Why recording stopped early (a full disk); the recording keeps what was written."""


class _Progress:
    """Session consumer that reports progress; only the latest state matters."""

    name = "progress"
    overflow = Overflow.KEEP_LATEST
    capacity = 1

    def __init__(
        self,
        report: Callable[[Progress], None],
        duration_s: float,
        board: LiveBoard,
        writer: FixtureWriter | None,
    ) -> None:
        self._report = report
        self._writer = writer
        self._duration_s = duration_s
        self._board = board
        self._next = 0.0

    async def handle(self, item: SessionItem) -> None:
        if item.t >= self._next:
            self._next = item.t + 1.0
            latest = self._board.latest
            speed = None if latest is None else latest.speed_kmh
            frames = 0 if self._writer is None else self._writer.frames
            self._report(Progress(item.t, self._duration_s, frames, speed, self._board.link))

    async def close(self, error: str | None) -> None:
        """Nothing to release."""


class LiveSession:
    """A running live session: its board, what the person can do to it, and its result at the end.

    Ending it (:meth:`stop`, the duration, a full disk, the end of the workout) goes in order:
    the coach first, so that a belt it drives is stopped and the machine's acknowledgement is
    heard and recorded, then the session, then the recording.
    """

    def __init__(
        self,
        session: Session,
        clock: SessionClock,
        client: FtmsClient,
        coach: WorkoutCoach,
        writer: FixtureWriter | None,
        treadmill: VirtualTreadmill | None,
        control: bool,
    ) -> None:
        self.session = session
        self.clock = clock
        self.client = client
        self.coach = coach
        self.writer = writer
        self.treadmill = treadmill
        """The virtual treadmill, in a virtual session."""
        self.actions = LiveActions(session, clock, client, coach, control, self.stop, console=treadmill)
        self.storage_error: StorageError | None = None
        self._task: asyncio.Task[SessionResult] | None = None
        self._coach_task: asyncio.Task[None] | None = None
        self._ending: asyncio.Task[None] | None = None

    @property
    def board(self) -> LiveBoard:
        """The session's board (the one detector, the totals, the link)."""
        return self.session.board

    def view(self) -> LiveView:
        """The session as of now."""
        return self.board.view(self.clock.now())

    def stop(self) -> None:
        """End the session now (a belt the coach drives is stopped first)."""
        if self._ending is None:
            self._ending = asyncio.get_running_loop().create_task(self._end(), name="live-session-end")

    async def _end(self) -> None:
        coach = self._coach_task
        if coach is not None and not coach.done():
            coach.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await coach
        self.session.stop()

    def recording_failed(self, error: StorageError) -> None:
        """The recorder could not write (a full disk): end the session, keeping what was written."""
        if self.storage_error is None:
            self.storage_error = error
            logger.info("recording stopped: %s; ending the session, keeping what was written", error)
            self.stop()

    async def wait(self) -> LiveResult:
        """Wait for the session to end; what it produced."""
        assert self._task is not None
        result = await asyncio.shield(self._task)
        writer = self.writer
        events: dict[str, int] = {}
        for event in result.events:
            events[event.kind.value] = events.get(event.kind.value, 0) + 1
        return LiveResult(
            path=None if writer is None else writer.path,
            frames=0 if writer is None else writer.frames,
            lines=0 if writer is None else writer.lines,
            session_s=self.clock.now(),
            events=events,
            session=result,
            coach=self.coach,
            storage_error=self.storage_error,
        )


async def _cue_on_time(session: Session, clock: SessionClock, cues: list[tuple[float, CueDirection]]) -> None:
    for t, cue in cues:
        await clock.sleep_until(t)
        await session.add_cue(Cue(t, cue))


async def _coach_then_stop(coach: WorkoutCoach, live: LiveSession) -> None:
    """Coach the workout; once it is over, record a few seconds more and end the session."""
    try:
        await coach.run()
    except Exception:  # a coaching bug must not take the recording down with it
        logger.exception("the workout coach failed; recording goes on without it")
        return
    if coach.blind is not None:
        return
    await live.clock.sleep_until(live.clock.now() + AFTER_WORKOUT_S)
    live.session.stop()


def _phones(live: LiveSession, options: SessionOptions) -> list[Coroutine[object, object, None]]:
    """What brings a worn phone's readings: the virtual runner's phone, else the served sensor page's.

    One phone at a time: two streams of readings would be one heading made of both.
    """
    session, clock = live.session, live.clock
    virtual, treadmill = options.source.virtual, live.treadmill
    if virtual is not None and virtual.phone and treadmill is not None:
        worn = BodyPhone.drawn(virtual.seed, options.duration_s, taken_out=False)
        return [_virtual_phone(worn, treadmill, live)]
    if options.source.phone_feed is not None:
        feed = PhoneFeed(options.source.phone_feed, clock, session.add_frame, session.add_event)
        return [feed.run()]
    return []


async def _virtual_phone(phone: BodyPhone, treadmill: VirtualTreadmill, live: LiveSession) -> None:
    await live.session.add_event(LinkEvent(live.clock.now(), LinkEventKind.CONNECTED, Sensor.PHONE))
    await stream(phone, treadmill.world, live.clock, live.session.add_frame)


async def _stop_at(live: LiveSession, t: float) -> None:
    await live.clock.sleep_until(t)
    live.stop()


def _listen_to(treadmill: VirtualTreadmill, session: Session, writer: FixtureWriter | None) -> None:
    """What the virtual treadmill tells: the truth, to the recording; a lag, to the session as an event."""

    async def behind(t: float, late_s: float) -> None:
        detail = f"the virtual treadmill woke {late_s:.1f} s late: the machine is too busy for this speed"
        await session.add_event(LinkEvent(t, LinkEventKind.BEHIND, detail=detail))

    def truth(t: float, direction: Direction) -> None:
        if writer is not None and not writer.closed and writer.error is None:
            with contextlib.suppress(StorageError):  # a full disk: the recorder says so
                writer.truth(t, direction)

    treadmill.behind_listeners.append(behind)
    if writer is not None:
        treadmill.on_truth(truth)


@contextlib.asynccontextmanager
async def _open_radio(options: SessionOptions, clock: SessionClock) -> AsyncIterator[Radio]:
    source, workout = options.source, options.workout
    if source.virtual is None:
        if source.device is None:
            raise ValueError("a live session needs a treadmill: a device address, or the virtual one")
        async with radio(hci=source.hci) as opened:
            yield opened
        return
    runner = source.virtual.runner if workout is None else workout.runner_plan()
    async with virtual_treadmill(
        source.virtual,
        clock,
        runner=runner,
        duration_s=options.duration_s,
        app_drives_speed=workout is not None and workout.control,
    ) as opened:
        yield opened


@dataclass(frozen=True, slots=True)
class _Machine:
    """The devices a session connects to, and what its recording's header says of them."""

    address: str
    strap: str | None
    footpod: str | None
    device: dict[str, str]
    extra: dict[str, object]

    @classmethod
    def of(cls, options: SessionOptions, treadmill: VirtualTreadmill | None) -> _Machine:
        source = options.source
        if treadmill is not None:
            return cls(
                treadmill.address,
                treadmill.strap_address,
                treadmill.footpod_address,
                {"name": treadmill.options.name, "address": treadmill.address, "virtual": "true"},
                {"seed": source.virtual.seed if source.virtual else 1, "time_scale": options.time_scale},
            )
        assert source.device is not None
        return cls(source.device, source.strap, source.footpod, {"address": source.device}, {})


@contextlib.asynccontextmanager
async def open_live_session(
    options: SessionOptions,
    *,
    recording: Recording | None = None,
    consumers: Sequence[Consumer] = (),
    on_coach: Callable[[CoachEvent], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> AsyncIterator[LiveSession]:
    """A connected, running session (see the module docstring).

    Raises:
        LinkError, BluetoothUnavailableError: the treadmill cannot be reached.
        StorageError: the recording cannot be created.
    """
    workout = options.workout
    if (
        workout is not None
        and workout.control
        and options.source.virtual is None
        and options.source.device is None
    ):
        raise ValueError("control needs a treadmill")
    clock = SessionClock(options.time_scale)
    async with contextlib.AsyncExitStack() as stack:
        opened = await stack.enter_async_context(_open_radio(options, clock))
        treadmill = opened.treadmill
        machine = _Machine.of(options, treadmill)
        writer = None
        if recording is not None:
            coached = coach_header(None if workout is None else workout.plan, options.safe_reverse_kmh)
            writer = recording.create(machine.device, {**machine.extra, **coached})
            stack.callback(writer.discard_if_empty)  # a session that never got a frame leaves nothing
        client = await stack.enter_async_context(
            FtmsClient(
                machine.address,
                backend=opened.backend,
                clock=clock,
                strap=machine.strap,
                footpod=machine.footpod,
                options=ClientOptions(max_speed_kmh=options.max_speed_kmh),
            )
        )
        board = LiveBoard(Pipeline(options.body, DirectionDetector(state=options.detector)))
        session = Session(client, board=board)  # its end is _stop_at's: the coach stops first
        if treadmill is not None:
            _listen_to(treadmill, session, writer)
            stack.callback(treadmill.tick_listeners.clear)
        if workout is not None:
            coach = WorkoutCoach(
                workout.plan,
                session.add_cue,
                clock,
                caps=workout.caps,
                safe_reverse_kmh=options.safe_reverse_kmh,
                controls=client if workout.control else None,
                on_event=on_coach,
            )
            board.coach = coach
        else:  # a free run: the safety rules alone
            coach = WorkoutCoach(
                None, session.add_cue, clock, safe_reverse_kmh=options.safe_reverse_kmh, on_event=on_coach
            )
        live = LiveSession(
            session, clock, client, coach, writer, treadmill, workout is not None and workout.control
        )
        if writer is not None:
            session.add_consumer(FixtureRecorder(writer, live.recording_failed))
        session.add_consumer(coach)
        for consumer in consumers:
            session.add_consumer(consumer)
        if on_progress is not None:
            session.add_consumer(_Progress(on_progress, options.duration_s, board, writer))
        live._task = asyncio.create_task(_run(live, options), name="live-session")  # noqa: SLF001
        try:
            yield live
        finally:
            if not live._task.done():  # noqa: SLF001
                live.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(live._task)  # noqa: SLF001


async def _run(live: LiveSession, options: SessionOptions) -> SessionResult:
    """The session and the tasks beside it: the end, the coach, the virtual runner's cues."""
    session, clock, coach = live.session, live.clock, live.coach
    virtual = options.source.virtual
    async with asyncio.TaskGroup() as tasks:
        helpers = [tasks.create_task(_stop_at(live, options.duration_s))]
        live._coach_task = tasks.create_task(_coach_then_stop(coach, live))  # noqa: SLF001
        helpers.append(live._coach_task)  # noqa: SLF001
        if coach.plan is None and virtual is not None and virtual.runner is not None:
            cues = [c for c in virtual.runner.cues(Runner.START_DELAY_S) if c[0] < options.duration_s]
            helpers.append(tasks.create_task(_cue_on_time(session, clock, cues)))
        helpers += [tasks.create_task(phone) for phone in _phones(live, options)]
        try:
            result = await session.run()
        finally:
            for helper in helpers:
                helper.cancel()
    return result

"""Runs one session for the app: live (recorded to the history) or a replay.

The app's screen holds a feed, reads the session's board at its own refresh rate, sends
the person's keys to ``feed.actions``, and awaits ``feed.run()`` in a worker.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from treadmill.core.body import Body
from treadmill.core.pipeline import Pipeline
from treadmill.model import CoachEventKind, Cue
from treadmill.mqtt.messages import MqttStatus
from treadmill.mqtt.publisher import MqttPublisher
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.actions import ReplayActions, SessionActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent
from treadmill.session.consumer import Consumer, Overflow, SessionItem
from treadmill.session.engine import Session, SessionResult
from treadmill.session.live import LiveSession, Recording, open_live_session
from treadmill.session.options import SessionOptions
from treadmill.session.recorded_coach import replay_coach
from treadmill.session.replay import ReplaySource
from treadmill.storage.files import StorageError
from treadmill.storage.fixtures import read_fixture
from treadmill.storage.history import History, SessionRecord


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a session ended."""

    result: SessionResult
    started_at: datetime
    fixture: Path | None
    """The recording (live) or the replayed file."""
    record: SessionRecord | None = None
    """The history entry (live sessions only)."""
    storage_error: StorageError | None = None
    """Why recording stopped early (a full disk): the recording keeps what was written."""
    history_error: StorageError | None = None
    """Why the session's summary could not be kept in the history (the recording is kept)."""

    @property
    def replay(self) -> bool:
        """True for a replay (nothing was recorded; nothing to rate)."""
        return self.record is None and self.storage_error is None and self.history_error is None


class Feed(Protocol):
    """One session the screen shows."""

    board: LiveBoard
    actions: SessionActions | None
    """None until the session is connected."""
    title: str
    live: bool
    """A live session (False: a replay)."""

    @property
    def can_drive(self) -> bool:
        """The speed and incline keys drive the belt (a workout with --control)."""
        ...

    @property
    def paused(self) -> bool:
        """The person paused the session (a replay's playback; a live workout says so in its view)."""
        ...

    def now(self) -> float:
        """Session time now."""
        ...

    def mqtt_status(self) -> MqttStatus | None:
        """The MQTT publisher's status (None: not publishing)."""
        ...

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Run to the end (or until the person stops it)."""
        ...


class LiveFeed:
    """A live session (a treadmill, or the virtual one), recorded to the history as it goes."""

    live = True

    def __init__(
        self,
        options: SessionOptions,
        *,
        plan_id: str | None,
        history: History,
        title: str,
        mqtt: MqttSettings | None = None,
    ) -> None:
        self.options = options
        self.plan_id = plan_id
        self.history = history
        self.title = title
        self.mqtt_settings = mqtt
        self.board = LiveBoard(Pipeline(options.body))
        """A placeholder until the session is connected; then the session's own."""
        self.actions: SessionActions | None = None
        self.session: LiveSession | None = None
        self._mqtt: MqttPublisher | None = None

    @property
    def can_drive(self) -> bool:
        """A workout with --control."""
        workout = self.options.workout
        return workout is not None and workout.control

    @property
    def paused(self) -> bool:
        """A live workout's pause is in its view (the coach holds it)."""
        return False

    def now(self) -> float:
        """Session time (0 until connected)."""
        return 0.0 if self.session is None else self.session.clock.now()

    def mqtt_status(self) -> MqttStatus | None:
        """The publisher's status, with ``--mqtt``."""
        return None if self._mqtt is None else self._mqtt.status

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Record the session to a new history recording; write its summary at the end."""
        started = datetime.now(UTC)
        recording = Recording(folder=self.history.folder, stem=self.history.stem(self.plan_id, started))
        async with contextlib.AsyncExitStack() as stack:
            consumers: list[Consumer] = []
            said = on_coach
            if self.mqtt_settings is not None:
                workout = self.options.workout
                title = "free run" if workout is None else workout.plan.name
                mqtt = MqttPublisher(self.mqtt_settings, caps_kmh=self.options.max_speed_kmh, title=title)
                self._mqtt = await stack.enter_async_context(mqtt)
                consumers.append(mqtt)

                def said(event: CoachEvent) -> None:
                    mqtt.coach_event(event)
                    on_coach(event)

            live = await stack.enter_async_context(
                open_live_session(self.options, recording=recording, consumers=consumers, on_coach=said)
            )
            self.session, self.board, self.actions = live, live.board, live.actions
            if self._mqtt is not None:
                self._mqtt.attach(live.board, live.actions)
            result = await live.wait()
        saved, history_error = None, None
        if result.path is not None and result.frames:
            plan_name = "Free run" if self.options.workout is None else self.options.workout.plan.name
            summary = result.session.pipeline.summary()
            try:
                saved = self.history.save(result.path, started, self.plan_id, plan_name, summary)
            except StorageError as exc:  # the session ran and is recorded; only its summary is lost
                history_error = exc
        return Outcome(result.session, started, result.path, saved, result.storage_error, history_error)


class _CueEcho:
    """Shows a replay's recorded cues as the coach would have said them."""

    name = "cues"
    overflow = Overflow.DROP_OLDEST
    capacity = 100

    def __init__(self) -> None:
        self.say: Callable[[CoachEvent], None] | None = None

    async def handle(self, item: SessionItem) -> None:
        if isinstance(item, Cue) and self.say is not None:
            self.say(
                CoachEvent(
                    item.t, CoachEventKind.CUE, item.words, "A cue recorded with the session.", bell=True
                )
            )

    async def close(self, error: str | None) -> None:
        """Nothing to release."""


class ReplayFeed:
    """A recording played back through the same pipeline."""

    live = False

    def __init__(
        self,
        fixture: Path,
        *,
        speed: float | None,
        tolerant: bool,
        body: Body,
        mqtt: MqttSettings | None = None,
    ) -> None:
        self.path = fixture
        self.title = f"Replay · {fixture.name}" + ("" if speed in (None, 1.0) else f" · ×{speed:g}")
        loaded = read_fixture(fixture, tolerant=tolerant)
        self.source = ReplaySource(loaded, speed=speed)
        self.coach, self.note = replay_coach(loaded.header)
        self._echo = _CueEcho()
        self._mqtt = None if mqtt is None else MqttPublisher(mqtt, title=f"replay of {fixture.name}")
        # A coach with the recorded plan says the cues itself, as it did live; else the recorded
        # ones are shown as they come.
        consumers: list[Consumer] = [self.coach]
        if self.coach.plan is None:
            consumers.append(self._echo)
        if self._mqtt is not None:
            consumers.append(self._mqtt)
        self.board = LiveBoard(
            Pipeline(body), recorded_cues=tuple(loaded.cues) if self.coach.plan is None else ()
        )
        self.session = Session(self.source, consumers, board=self.board)
        self.actions: SessionActions | None = ReplayActions(self.session, self.source)
        self.started_at = loaded.started_at or datetime.fromtimestamp(0, UTC)

    can_drive = False

    @property
    def paused(self) -> bool:
        """The playback is paused."""
        return self.source.paused

    def now(self) -> float:
        """Where playback is."""
        return self.source.position_s

    def mqtt_status(self) -> MqttStatus | None:
        """The publisher's status, with ``--mqtt``."""
        return None if self._mqtt is None else self._mqtt.status

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Play to the end, the recording's coach saying what it said live."""
        self._echo.say = self.coach.on_event = on_coach
        if self.note is not None:
            on_coach(CoachEvent(0.0, CoachEventKind.MESSAGE, "Replay", self.note))
        if self._mqtt is None:
            result = await self.session.run()
        else:
            self._mqtt.attach(self.board, self.actions)
            async with self._mqtt:
                result = await self.session.run()
        return Outcome(result, self.started_at, self.path)

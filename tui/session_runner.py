"""Runs one session for the app: live (recorded to the history) or a replay, feeding a LiveBoard.

The app's screen holds a runner, asks it for the board's snapshot at its own refresh rate,
sends the user's keys to ``runner.actions``, and awaits ``runner.run()`` in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from treadmill.clock import SessionClock
from treadmill.core.metrics import Body
from treadmill.model import Cue
from treadmill.mqtt.messages import MqttStatus
from treadmill.mqtt.publisher import MqttPublisher
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.actions import LiveActions, ReplayActions, SessionActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent
from treadmill.session.engine import Consumer, Overflow, Session, SessionItem, SessionResult
from treadmill.session.recording import RecordOptions, Running, record
from treadmill.session.replay import ReplaySource
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


class Runner(Protocol):
    """One session the screen shows."""

    board: LiveBoard
    actions: SessionActions | None
    """None until the session is connected."""
    title: str

    def now(self) -> float:
        """Session time now."""
        ...

    def mqtt_status(self) -> MqttStatus | None:
        """The MQTT publisher's status (None: not publishing)."""
        ...

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Run to the end (or until the user stops it)."""
        ...


class LiveRunner:
    """A live session (a treadmill, or the virtual one), recorded to the history as it goes."""

    def __init__(
        self,
        options: RecordOptions,
        *,
        plan_id: str | None,
        history: History,
        body: Body,
        title: str,
    ) -> None:
        self.options = options
        self.plan_id = plan_id
        self.history = history
        self.title = title
        self.board = LiveBoard(body=body)
        self.actions: SessionActions | None = None
        self.fixture: Path | None = None
        self._clock: SessionClock | None = None
        self._mqtt: MqttPublisher | None = None

    def now(self) -> float:
        """Session time (0 until connected)."""
        return 0.0 if self._clock is None else self._clock.now()

    def mqtt_status(self) -> MqttStatus | None:
        """The publisher's status, once the session runs with ``--mqtt``."""
        return None if self._mqtt is None else self._mqtt.status

    def _ready(self, running: Running) -> None:
        self._clock = running.clock
        self._mqtt = running.mqtt
        self.board.coach = running.coach
        self.actions = LiveActions(
            running.session, running.clock, running.client, running.coach, self.options.control
        )

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Record the session to a new history fixture; write its summary at the end."""
        started = datetime.now(UTC)
        self.fixture = self.history.new_fixture(self.plan_id, started)
        options = replace(self.options, out=self.fixture)
        try:
            result = await record(options, on_coach=on_coach, consumers=[self.board], on_ready=self._ready)
        except BaseException:  # could not connect, or stopped while connecting: no empty history entry
            self.history.discard_if_empty(self.fixture)
            raise
        summary = result.session.summary
        saved = None
        if summary is not None:
            plan_name = "Free run" if options.workout is None else options.workout.name
            saved = self.history.save(self.fixture, started, self.plan_id, plan_name, summary)
        return Outcome(result.session, started, self.fixture, saved)


class _CueEcho:
    """Shows a replay's recorded cues as the coach would have said them."""

    name = "cues"
    overflow = Overflow.DROP_OLDEST
    capacity = 100

    def __init__(self) -> None:
        self.say: Callable[[CoachEvent], None] | None = None

    async def handle(self, item: SessionItem) -> None:
        if isinstance(item, Cue) and self.say is not None:
            text = item.words
            self.say(CoachEvent(item.t, "cue", f"(recorded cue) {text}", "turn", bell=True))

    async def close(self) -> None:
        """Nothing to release."""


class ReplayRunner:
    """A recorded fixture played back through the same pipeline."""

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
        self.board = LiveBoard(body=body)
        loaded = read_fixture(fixture, tolerant=tolerant)
        self.source = ReplaySource(loaded, speed=speed)
        self._echo = _CueEcho()
        self._mqtt = (
            None if mqtt is None else MqttPublisher(mqtt, body=body, title=f"replay of {fixture.name}")
        )
        consumers: list[Consumer] = [self.board, self._echo]
        if self._mqtt is not None:
            consumers.append(self._mqtt)
        self.session = Session(self.source, consumers)
        self.actions: SessionActions | None = ReplayActions(self.session, self.source)
        started = str(loaded.header.get("started_at", ""))
        try:
            self.started_at = datetime.fromisoformat(started)
        except ValueError:
            self.started_at = datetime.fromtimestamp(0, UTC)

    def now(self) -> float:
        """Where playback is."""
        return self.source.position_s

    def mqtt_status(self) -> MqttStatus | None:
        """The publisher's status, with ``--mqtt``."""
        return None if self._mqtt is None else self._mqtt.status

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:
        """Play to the end (a replay has no coach: its recorded cues are shown as they come)."""
        self._echo.say = on_coach
        if self._mqtt is None:
            result = await self.session.run()
        else:
            self._mqtt.attach(self.actions, None)
            async with self._mqtt:
                result = await self.session.run()
        return Outcome(result, self.started_at, self.path)

"""The MQTT publisher: a session consumer that never waits for the broker.

``handle()`` reads the session's :class:`~treadmill.session.board.LiveBoard` (the same one the
screen reads: one detector, one set of totals) and puts messages in an outbox; it never
touches the network, so a slow, stalled or vanished broker cannot slow the Bluetooth path
or the screen. A sender task owns
the connection: it connects with the last will set, publishes availability and discovery,
drains the outbox, listens for Home Assistant's birth message and (if enabled) commands,
and when the broker goes away reconnects with capped exponential backoff and jitter (the
pattern aiomqtt documents in its reconnection guide).

The outbox holds at most ``settings.queue`` events; beyond that the oldest are dropped and
counted. State is not queued: only the latest state waits to be sent, so a broker that
comes back gets the present, not a backlog. A message that fails mid-publish goes back to
the front of the outbox.

Wrong credentials and certificates do not fix themselves: the publisher says so and stops
trying (the workout goes on); anything else is retried. A command that cannot be parsed,
or one that fails while it is carried out, is logged and answered on the event topic; it
never stops publishing, nor a later ``stop``. The broker marks the app ``offline`` however
it ends: a final publish on a clean exit, the last will otherwise.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import aiomqtt

from treadmill.defaults import FORWARD_CAP_KMH
from treadmill.model import CoachEventKind, Cue, Direction, LinkEvent, Sample, belt_moving
from treadmill.mqtt.connection import BACKOFF_S, client_for, what_to_fix, what_went_wrong
from treadmill.mqtt.messages import (
    Action,
    Command,
    EventType,
    MqttState,
    MqttStatus,
    SessionState,
    Topics,
    discovery_payload,
    event_payload,
    parse_command,
    state_payload,
)
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.actions import SessionActions
from treadmill.session.board import LiveBoard, LiveView
from treadmill.session.coach import CoachEvent
from treadmill.session.consumer import Overflow, SessionItem
from treadmill.workout.safety import Level

__all__ = ["MqttPublisher", "MqttStatus"]

logger = logging.getLogger(__name__)

STATE_EVERY_S = 0.5
"""Session seconds between state messages (twice a second: smooth on a dashboard, light on a broker)."""
FLUSH_AT_END_S = 3.0
"""How long the end of a session waits for the outbox to reach a connected broker."""


@dataclass(frozen=True, slots=True)
class _Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool


class MqttPublisher:
    """Publishes a session's state and events (see the module docstring).

    Use as an async context manager around the session, and as one of its consumers::

        async with MqttPublisher(settings) as mqtt:
            await Session(source, [recorder, mqtt]).run()
    """

    name = "mqtt"
    overflow = Overflow.NEVER_DROP
    """The board must see every sample (distance, calories); ``handle()`` never waits on the
    network, so this queue never holds the session back. The outbox is what drops."""
    capacity = 1000

    def __init__(
        self,
        settings: MqttSettings,
        *,
        caps_kmh: float = FORWARD_CAP_KMH,
        title: str = "",
        on_status: Callable[[MqttStatus], None] | None = None,
        rng: random.Random | None = None,
        backoff_s: tuple[float, float] = BACKOFF_S,
        started_at: datetime | None = None,
    ) -> None:
        """``started_at``: the session's start (now by default): its totals count from it."""
        self.settings = settings
        self.started_at = started_at or datetime.now(UTC)
        self.topics = Topics.of(settings)
        self.board = LiveBoard()
        """The session's board, once :meth:`attach` hands it over."""
        self.caps_kmh = caps_kmh
        self.title = title
        self.on_status = on_status
        self.backoff_s = backoff_s
        self._state, self._detail = MqttState.CONNECTING, settings.where
        self.actions: SessionActions | None = None
        self.coached = False
        self.sent = 0
        self.dropped = 0
        self.states = 0
        """State messages put in the outbox (a slow broker gets only the latest of them)."""
        self._rng = rng or random.Random()
        self._events: collections.deque[_Message] = collections.deque()
        self._latest: dict[str, _Message] = {}
        """Retained topics where only the newest matters (state, link), by topic."""
        self._said: dict[str, _Message] = {}
        """The last retained message sent on each topic: said again after a reconnect, since a
        broker that restarted may have lost them."""
        self._wake = asyncio.Event()
        self._ended = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._last_state_t: float | None = None
        self._shown: tuple[object, ...] | None = None
        self._direction: Direction | None = None
        self._started = False
        self._link_said: str | None = None

    # --- lifetime -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run(), name=f"mqtt[{self.settings.device_id}]")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
        self._closing = True
        self._wake.set()
        task = self._task
        if task is not None and self.status.state in (MqttState.CONNECTING, MqttState.CONNECTED):
            with contextlib.suppress(TimeoutError):  # the last messages, then "offline" and goodbye
                await asyncio.wait_for(asyncio.shield(task), FLUSH_AT_END_S)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.status.state is MqttState.CONNECTING:  # no answer yet, good or bad: say so once
            where = self.settings.where
            self._set_status(
                MqttState.FAILED, f"never reached {where} before the session ended: nothing published"
            )
        elif self.status.state is not MqttState.FAILED:
            self._set_status(MqttState.CLOSED, f"{self.sent} messages sent")

    def attach(self, board: LiveBoard, actions: SessionActions | None) -> None:
        """The session is connected: publish what its board shows; commands act on it."""
        self.board = board
        self.actions = actions
        self.coached = board.coach is not None

    # --- the consumer side (never waits) -----------------------------------------------------

    async def handle(self, item: SessionItem) -> None:
        """Take one session item: update the board, queue what changed (never awaits)."""
        if not self._started:
            self._started = True
            title = f": {self.title}" if self.title else ""
            self._event(EventType.SESSION_START, item.t, f"Session started{title}")
        if isinstance(item, LinkEvent):
            self._event(
                EventType.LINK,
                item.t,
                f"{item.src.value}: {item.kind.value}",
                event=item.kind.value,
                sensor=item.src.value,
                detail=item.detail,
            )
        elif isinstance(item, Cue) and not self.coached:
            self._event(EventType.CUE, item.t, item.words, direction=item.direction.value)
        elif isinstance(item, Sample) and item.direction is not self._direction:
            first, self._direction = self._direction is None, item.direction
            if not first:  # a change, read from the sample itself: the board may be ahead of this queue
                self._event(
                    EventType.DIRECTION,
                    item.t,
                    f"Now {item.direction}",
                    direction=item.direction.value,
                    confidence_pct=round(100 * item.confidence),
                    evidence=item.evidence.value,
                )
        if isinstance(item, Sample | LinkEvent):
            self._publish_state(self.board.view(item.t))

    def coach_event(self, event: CoachEvent) -> None:
        """The coach's callback: cues, warnings and messages become events."""
        kind = _EVENT_OF[event.kind]
        detail = event.cue or (
            None if event.rule is None else f"{event.rule}/{(event.level or Level.CAUTION).name.lower()}"
        )
        self._event(
            kind, event.t, event.text, more=event.more, detail=None if detail is None else str(detail)
        )

    async def close(self, error: str | None = None) -> None:  # noqa: ARG002 (the end is the end)
        """The session is over: queue the last state and ``session_end`` (sent on the way out)."""
        if self._ended:
            return
        self._ended = True
        view = self.board.view()
        self._event(
            EventType.SESSION_END,
            view.t,
            "Session ended",
            distance_m=round(view.distance_m, 1),
            reverse_s=round(view.time_s.get(Direction.REVERSE, 0.0), 1),
        )
        self._publish_state(view, force=True, session=SessionState.ENDED)

    def _publish_state(
        self, view: LiveView, *, force: bool = False, session: SessionState | None = None
    ) -> None:
        paused = view.paused
        step = None if view.step is None else view.step.number
        shown = (view.direction, step, view.link, paused)
        if self._shown is not None and step != self._shown[1] and view.step is not None:
            self._event(
                EventType.INTERVAL,
                view.t,
                view.step.text,
                step_number=step,
                step_direction=view.step.facing.value,
            )
        due = self._last_state_t is None or view.t - self._last_state_t >= STATE_EVERY_S
        if not (force or due or shown != self._shown):
            return
        self._shown, self._last_state_t = shown, view.t
        self.states += 1
        state = state_payload(
            view,
            session or (SessionState.PAUSED if paused else SessionState.RUNNING),
            self.caps_kmh,
            self.started_at,
        )
        self._put_latest(self.topics.state, json.dumps(state).encode(), qos=0)
        if view.link != self._link_said:
            self._link_said = view.link
            self._put_latest(self.topics.link, view.link.value.encode(), qos=1)

    def _event(self, kind: EventType, t: float, text: str, **detail: object) -> None:
        payload = json.dumps(event_payload(kind, t, text, **detail)).encode()
        if len(self._events) >= self.settings.queue:
            self._events.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                logger.warning(
                    "MQTT outbox full (%s): %d events dropped so far", self.status.state, self.dropped
                )
        self._events.append(_Message(self.topics.event, payload, qos=1, retain=False))
        self._wake.set()

    def _put_latest(self, topic: str, payload: bytes, qos: int) -> None:
        self._latest[topic] = _Message(topic, payload, qos=qos, retain=True)
        self._wake.set()

    # --- the sender side ------------------------------------------------------------------------

    @property
    def status(self) -> MqttStatus:
        """Where the publisher stands, with the counts as of now."""
        return MqttStatus(self._state, self._detail, self.sent, self.dropped)

    def _said_level(self, level: int) -> int:
        """The log level of a trouble the status already tells.

        INFO when a caller shows the status (the person would read it twice); ``level`` when nobody does.
        """
        return logging.INFO if self.on_status is not None else level

    def _set_status(self, state: MqttState, detail: str) -> None:
        """Change the status and report it; the same trouble again (each retry) is not said again."""
        if (state, detail) == (self._state, self._detail):
            return
        self._state, self._detail = state, detail
        if self.on_status is not None:
            self.on_status(self.status)

    def _client(self) -> aiomqtt.Client:
        will = aiomqtt.Will(self.topics.availability, b"offline", qos=1, retain=True)
        return client_for(self.settings, f"{self.settings.device_id}-{self._rng.getrandbits(32):08x}", will)

    async def _run(self) -> None:
        """Connect, publish, and reconnect until cancelled (or until retrying cannot help)."""
        first, longest = self.backoff_s
        wait = first
        while True:
            problem: BaseException | None = None
            try:
                async with self._client() as client:
                    wait = first
                    await self._session(client)
                    return  # closing: everything went out
            except aiomqtt.MqttError as error:
                problem = error
            except Exception as error:  # a bug must not end publishing, and with it remote stop
                logger.exception("MQTT: the connection failed unexpectedly; reconnecting")
                problem = error
            hopeless = what_to_fix(problem, self.settings.where)
            if hopeless is not None:
                self._set_status(MqttState.FAILED, hopeless + "; the workout goes on without MQTT")
                logger.log(self._said_level(logging.ERROR), "MQTT: %s", hopeless)
                return
            trouble = what_went_wrong(problem, self.settings.where)
            self._set_status(MqttState.RETRYING, f"{trouble}; the workout goes on")
            logger.log(self._said_level(logging.WARNING), "MQTT: %s; retrying in about %.0f s", trouble, wait)
            await asyncio.sleep(wait * (0.5 + self._rng.random()))
            wait = min(wait * 2, longest)

    def _present(self) -> _Message:
        """The state to say before "online": the latest, or this session's zeros (never the last one's)."""
        topics = self.topics
        present = self._latest.pop(topics.state, None) or self._said.get(topics.state)
        if present is None:
            starting = state_payload(self.board.view(), SessionState.STARTING, self.caps_kmh, self.started_at)
            present = _Message(topics.state, json.dumps(starting).encode(), qos=0, retain=True)
        return present

    async def _session(self, client: aiomqtt.Client) -> None:
        """One connection: this session's state, online and discovery; then send and listen until it drops.

        The state goes first so that nothing that follows "online" (Home Assistant) ever reads the
        previous session's retained state as this one's.
        """
        topics = self.topics
        present = self._present()
        await client.publish(present.topic, present.payload, qos=1, retain=True)
        self._said[topics.state] = present
        await client.publish(topics.availability, b"online", qos=1, retain=True)
        if self.settings.discovery:
            await client.subscribe(topics.ha_status, qos=1)
            await self._announce(client)
        if self.settings.remote_control:
            await client.subscribe(topics.command, qos=1)
        for topic, message in self._said.items():
            self._latest.setdefault(topic, message)
        self._wake.set()
        self._set_status(MqttState.CONNECTED, self.settings.where)
        logger.info("MQTT: connected to %s as %s", self.settings.where, topics.base)
        try:
            async with asyncio.TaskGroup() as tasks:
                listener = tasks.create_task(self._listen(client), name="mqtt-listen")
                await self._send(client)  # returns once closing has sent everything
                listener.cancel()
        except* aiomqtt.MqttError as broken:
            raise broken.exceptions[0] from None

    async def _announce(self, client: aiomqtt.Client) -> None:
        payload = discovery_payload(self.settings, self.topics, self.caps_kmh)
        await client.publish(self.topics.discovery, json.dumps(payload).encode(), qos=1, retain=True)

    async def _send(self, client: aiomqtt.Client) -> None:
        """Drain the outbox for as long as the connection lasts; when closing, end with ``offline``."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._latest or self._events:
                if self._latest:
                    topic = next(iter(self._latest))
                    message = self._latest.pop(topic)
                    try:
                        await client.publish(message.topic, message.payload, qos=message.qos, retain=True)
                    except aiomqtt.MqttError:
                        self._latest.setdefault(topic, message)
                        raise
                    self._said[topic] = message
                else:
                    message = self._events[0]
                    await client.publish(message.topic, message.payload, qos=message.qos, retain=False)
                    if self._events and self._events[0] is message:
                        self._events.popleft()
                self.sent += 1
            if self._closing:
                await client.publish(self.topics.availability, b"offline", qos=1, retain=True)
                return

    async def _listen(self, client: aiomqtt.Client) -> None:
        """Home Assistant's birth message and, if enabled, commands."""
        async for message in client.messages:
            if message.topic.matches(self.topics.ha_status):
                if message.payload in (b"online", "online"):
                    await self._announce(client)
            elif message.topic.matches(self.topics.command):
                payload = (
                    message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
                )
                await self._command(payload)
        raise aiomqtt.MqttError("the broker closed the connection")

    async def _command(self, payload: bytes) -> None:
        """Act on a remote command, within the same rules as the keys; say what happened.

        Whatever the payload, and whatever goes wrong carrying it out, publishing goes on.
        """
        t = self.board.view().t
        try:
            command = parse_command(payload)
        except ValueError as exc:
            self._event(EventType.COMMAND, t, f"Command refused: {exc}", accepted=False)
            return
        try:
            answer, accepted = await self._act(command)
        except Exception as exc:
            logger.exception("MQTT: the command %s failed", command.action)
            answer, accepted = f"Command failed: {type(exc).__name__}", False
        self._event(EventType.COMMAND, t, answer, accepted=accepted, action=command.action.value)

    async def _act(self, command: Command) -> tuple[str, bool]:
        actions = self.actions
        if actions is None:
            return "Command refused: the session has not started.", False
        if command.action is Action.STOP:
            return actions.stop(), True
        view = self.board.view()
        if command.action is Action.START:
            if not view.paused:
                return (
                    "Command refused: the workout is not paused (the belt is never started remotely).",
                    False,
                )
            return await actions.toggle_pause(), True
        return _speed(actions, view, command.kmh)


_EVENT_OF = {
    CoachEventKind.CUE: EventType.CUE,
    CoachEventKind.WARNING: EventType.WARNING,
    CoachEventKind.CLEARED: EventType.WARNING_CLEARED,
    CoachEventKind.CONTROL: EventType.CONTROL,
    CoachEventKind.MESSAGE: EventType.MESSAGE,
}


def _speed(actions: SessionActions, view: LiveView, kmh: float | None) -> tuple[str, bool]:
    """A remote speed: the same policy as the plan's targets (caps, ramps), never on a stopped belt."""
    if kmh is None or not actions.can_drive:
        return "Command refused: control is off (start the session with --control).", False
    if not belt_moving(view.speed_kmh):
        return "Command refused: the belt is stopped (it is never started remotely).", False
    return actions.set_speed(kmh), True

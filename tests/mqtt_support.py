"""MQTT test helpers: a subscriber that keeps what it sees, and a consumer that times a session."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

import aiomqtt

from tests.support import until
from treadmill.session.consumer import Overflow, SessionItem

WAIT_S = 20.0
"""Longest wait for anything the broker should deliver (a failure, not a pause, when hit)."""


@dataclass(frozen=True)
class Seen:
    topic: str
    payload: bytes
    qos: int
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


_IDS = itertools.count(1)
"""Each subscriber names itself: a broker may give clients that do not the same session."""


class Subscriber:
    """``async with Subscriber(port, "treadmill/#") as sub: ... await sub.until(...)``."""

    def __init__(self, port: int, *topics: str, **client: Any) -> None:
        self.port = port
        self.topics = topics or ("#",)
        self.client_options = client
        self.seen: list[Seen] = []
        self._task: asyncio.Task[None] | None = None
        self._client: aiomqtt.Client | None = None

    async def __aenter__(self) -> Self:
        options = {"identifier": f"test-subscriber-{next(_IDS)}", **self.client_options}
        self._client = aiomqtt.Client("127.0.0.1", self.port, **options)
        await self._client.__aenter__()
        for topic in self.topics:
            await self._client.subscribe(topic, qos=1)
        self._task = asyncio.create_task(self._collect(self._client))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            await self._client.__aexit__(None, None, None)

    async def _collect(self, client: aiomqtt.Client) -> None:
        retained: set[tuple[str, bytes]] = set()
        async for message in client.messages:
            payload = message.payload if isinstance(message.payload, bytes) else str(message.payload).encode()
            topic = str(message.topic)
            # amqtt (the broker without mosquitto) also replays, on connect, the retained
            # messages of other clients' subscriptions: keep what this subscriber asked for,
            # each retained message once, as mosquitto delivers it.
            if not any(message.topic.matches(wanted) for wanted in self.topics):
                continue
            if message.retain and (topic, payload) in retained:
                continue
            if message.retain:
                retained.add((topic, payload))
            self.seen.append(Seen(topic, payload, message.qos, message.retain))

    async def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        assert self._client is not None
        await self._client.publish(topic, payload, qos=1, retain=retain)

    def on(self, topic: str) -> list[Seen]:
        return [m for m in self.seen if m.topic == topic]

    def events(self, base: str) -> list[dict[str, Any]]:
        return [m.json() for m in self.on(f"{base}/event")]

    async def until(self, condition: Callable[[], bool], what: str, within_s: float = WAIT_S) -> None:
        """Wait until ``condition()`` holds on what the subscriber has seen."""
        await until(condition, what, within_s=within_s)


class Lateness:
    """A session consumer noting how late each item reaches it against a replay's schedule."""

    name = "lateness"
    overflow = Overflow.NEVER_DROP
    capacity = 100_000

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.start: float | None = None
        self.times: list[float] = []
        """Each item's session time."""
        self.late: list[float] = []
        """Seconds behind the replay's clock when it arrived (the first item sets the clock)."""

    async def handle(self, item: SessionItem) -> None:
        now = time.perf_counter()
        if self.start is None:
            self.start = now - item.t / self.speed
        self.times.append(item.t)
        self.late.append(now - (self.start + item.t / self.speed))

    async def close(self, error: str | None) -> None:
        """Nothing to release."""

"""The other side of the publisher: follow every treadmill under a prefix (``treadmill dashboard``).

A gym runs one app per treadmill against one broker (docs/mqtt.md, "treadmill dashboard"); the
watcher subscribes to ``<prefix>/+/availability``, ``link``, ``state`` and ``event`` and
keeps what it last heard from each, reconnecting like the publisher does. Retained
availability and state mean a dashboard that starts late still sees every treadmill at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiomqtt

from treadmill.mqtt.connection import BACKOFF_S, client_for, what_to_fix
from treadmill.mqtt.messages import MqttState, MqttStatus
from treadmill.mqtt.settings import MqttSettings

__all__ = ["MqttWatcher", "TreadmillSeen"]

logger = logging.getLogger(__name__)

_LEAVES = ("availability", "link", "state", "event")


@dataclass(slots=True)
class TreadmillSeen:
    """What the dashboard knows of one treadmill."""

    device_id: str
    online: bool | None = None
    """The app's availability (None: not heard yet)."""
    link: str | None = None
    """The treadmill's Bluetooth link, as its app reports it."""
    state: dict[str, Any] = field(default_factory=dict)
    """The last state document (see :func:`treadmill.mqtt.messages.state_payload`)."""
    last_event: dict[str, Any] | None = None
    events: int = 0


class MqttWatcher:
    """Subscribes to every treadmill under ``settings.prefix``; ``on_change`` hears each update."""

    def __init__(
        self,
        settings: MqttSettings,
        on_change: Callable[[TreadmillSeen], None],
        *,
        on_status: Callable[[MqttStatus], None] | None = None,
        backoff_s: tuple[float, float] = BACKOFF_S,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.on_change = on_change
        self.on_status = on_status
        self.backoff_s = backoff_s
        self.treadmills: dict[str, TreadmillSeen] = {}
        self.status = MqttStatus(MqttState.CONNECTING, settings.where)
        self._rng = rng or random.Random()

    def _set_status(self, state: MqttState, detail: str) -> None:
        self.status = MqttStatus(state, detail)
        if self.on_status is not None:
            self.on_status(self.status)

    async def run(self) -> None:
        """Follow the treadmills until cancelled (or until the settings cannot work)."""
        s = self.settings
        first, longest = self.backoff_s
        wait = first
        while True:
            client = client_for(s, f"dashboard-{self._rng.getrandbits(32):08x}")
            try:
                async with client:
                    wait = first
                    for leaf in _LEAVES:
                        await client.subscribe(f"{s.prefix}/+/{leaf}", qos=1)
                    self._set_status(MqttState.CONNECTED, f"{s.where}, following {s.prefix}/+")
                    async for message in client.messages:
                        self._take(str(message.topic), message.payload)
            except aiomqtt.MqttError as error:
                problem = what_to_fix(error, s.where)
                if problem is not None:
                    self._set_status(MqttState.FAILED, problem)
                    return
                self._set_status(MqttState.RETRYING, f"{s.where} unreachable ({error})")
            await asyncio.sleep(wait * (0.5 + self._rng.random()))
            wait = min(wait * 2, longest)

    def _take(self, topic: str, payload: object) -> None:
        """One message: update that treadmill (a topic not of ours, or unreadable JSON, is left out)."""
        prefix = self.settings.prefix + "/"
        if not topic.startswith(prefix):
            return
        device_id, _, leaf = topic[len(prefix) :].partition("/")
        if leaf not in _LEAVES or not device_id:
            return
        raw = payload if isinstance(payload, bytes) else str(payload).encode()
        seen = self.treadmills.setdefault(device_id, TreadmillSeen(device_id))
        text = raw.decode("utf-8", errors="replace")
        if leaf == "availability":
            seen.online = text == "online"
        elif leaf == "link":
            seen.link = text
        else:
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                logger.warning("%s: not JSON, ignored", topic)
                return
            if not isinstance(document, dict):
                return
            if leaf == "state":
                seen.state = document
            else:
                seen.last_event = document
                seen.events += 1
        self.on_change(seen)

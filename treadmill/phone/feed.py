"""The served sensor page's readings, into a session: `treadmill serve` hands them over a Unix socket.

``treadmill serve`` runs the app as its own process and gives it ``--phone-feed PATH``: a Unix
socket in a folder only this user can open (:mod:`tui.web.motion`). Each line is JSON: a
reading (``{"motion": {...}}``, checked again here), or the sensor page's link
(``{"event": "connected"}``, ``{"event": "disconnected"}``). Readings become frames from
:attr:`~treadmill.model.Sensor.PHONE` stamped on arrival on the session clock, so that they are
recorded, ordered and replayed like every other sensor's; the page's link becomes a link event
of the phone. Lines that are not that are skipped (counted). When the server goes, the feed
tries again every :data:`RETRY_S` until the session ends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from treadmill.clock import SessionClock
from treadmill.model import Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.phone.reading import MotionReading

__all__ = ["RETRY_S", "PhoneFeed"]

RETRY_S: Final = 1.0
LINE_BYTES: Final = 4096
_EVENTS: Final = {"connected": LinkEventKind.CONNECTED, "disconnected": LinkEventKind.DISCONNECTED}


@dataclass(slots=True)
class PhoneFeed:
    """Follow one feed socket for as long as the session runs (:meth:`run`, cancelled at its end)."""

    path: Path
    clock: SessionClock
    frame: Callable[[Frame], Awaitable[None]]
    event: Callable[[LinkEvent], Awaitable[None]]
    readings: int = 0
    skipped: int = 0

    async def run(self) -> None:
        """Connect, read, and reconnect when the server goes."""
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path), limit=LINE_BYTES)
            except OSError:
                await asyncio.sleep(RETRY_S)  # the server is not there (yet): no session time passes for it
                continue
            try:
                await self._follow(reader)
            finally:
                writer.close()
            await self.event(LinkEvent(self.clock.now(), LinkEventKind.DISCONNECTED, Sensor.PHONE))
            await asyncio.sleep(RETRY_S)

    async def _follow(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await reader.readline()
            except (ValueError, ConnectionError):  # a line past the limit, or the socket torn down
                self.skipped += 1
                return
            if not line:
                return
            await self._line(line)

    async def _line(self, line: bytes) -> None:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            obj = None
        motion = obj.get("motion") if isinstance(obj, dict) else None
        event = obj.get("event") if isinstance(obj, dict) else None
        if isinstance(motion, dict):
            try:
                reading = MotionReading.from_json(motion)
            except ValueError:
                self.skipped += 1
                return
            self.readings += 1
            await self.frame(reading.frame(self.clock.now()))
        elif isinstance(event, str) and event in _EVENTS:
            await self.event(LinkEvent(self.clock.now(), _EVENTS[event], Sensor.PHONE))
        else:
            self.skipped += 1

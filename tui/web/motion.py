"""The phone you carry as a sensor: its page's websocket in, the app's phone feed out.

The ``/motion`` page (:func:`tui.web.pages.motion_page`) streams the phone's motion readings
over ``/motion/ws``, behind the same token as the app. :class:`MotionHub` checks each one
(:meth:`treadmill.phone.reading.MotionReading.from_json`), caps their rate, and hands them on
as JSON lines over a Unix socket that only this user can open, to the app process, whose
:mod:`treadmill.phone.feed` turns them into frames of the session (recorded and replayed like
any sensor's). The console browser and the sensor phone are two different clients: the
screen the tablet shows is not touched.

The page hears back every second, and at once for the first reading, how many arrived and
whether a session is listening, and shows it.

One phone at a time is the sensor. A second page is told so and keeps asking (the first
page may be closed); the same page reconnecting (the phone's Wi-Fi wavering) takes its
place back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from aiohttp import WSMsgType, web

from treadmill.phone.reading import MotionReading

__all__ = ["ANOTHER_PHONE", "MotionHub"]

log = logging.getLogger("treadmill.serve")

ANOTHER_PHONE: Final = 4009
"""The close code a second sensor page gets (4000-4999: the application's own, RFC 6455 § 7.4.2)."""
MESSAGE_BYTES: Final = 1024
"""A reading is about 150 bytes of JSON."""
READINGS_PER_S: Final = 60.0
"""The page sends 20 a second; a browser firing ``devicemotion`` at 60 Hz unthinned is still let through."""
BURST: Final = 120.0
APP_BACKLOG_BYTES: Final = 256 * 1024
"""An app that reads no more (hung, or stopping) is skipped, not buffered for."""
SOCKET_NAME: Final = "phone.sock"
ACK_EVERY_S: Final = 1.0
"""How often the page hears how many readings arrived and whether a session listens."""


@dataclass(slots=True)
class _Bucket:
    """A token bucket: :data:`READINGS_PER_S`, bursts of :data:`BURST`."""

    tokens: float = BURST
    at: float = 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(BURST, self.tokens + (now - self.at) * READINGS_PER_S)
        self.at = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass(slots=True)
class MotionHub:
    """The sensor page's socket, and the app processes listening for its readings."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="treadmill-phone-")))
    """A private folder (mkdtemp makes it 0700) for the Unix socket."""
    page: str | None = None
    """The sensor page now streaming (its own random id), if one is."""
    socket: web.WebSocketResponse | None = None
    received: int = 0
    """Readings handed on, over every page."""
    dropped: int = 0
    """Messages that were not readings, or came too fast."""
    """When the first reading arrived (event loop time)."""
    _apps: set[asyncio.StreamWriter] = field(default_factory=set)
    _server: asyncio.Server | None = None

    @property
    def path(self) -> Path:
        """The Unix socket the app connects to (``treadmill run --phone-feed PATH``)."""
        return self.folder / SOCKET_NAME

    async def start(self) -> None:
        """Listen for the app."""
        self._server = await asyncio.start_unix_server(self._app_connected, path=str(self.path))

    async def close(self) -> None:
        """Stop listening; drop the sensor page and the apps; remove the folder."""
        if self.socket is not None:
            await self.socket.close()
        if self._server is not None:
            self._server.close()
        for writer in list(self._apps):
            writer.close()
        self._apps.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    async def _app_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._apps.add(writer)
        if self.attached:
            self._send(writer, {"event": "connected"})
        with contextlib.suppress(ConnectionError):
            await reader.read()  # the app sends nothing: this returns when it goes
        self._apps.discard(writer)
        writer.close()

    @property
    def attached(self) -> bool:
        """A sensor page is connected."""
        return self.socket is not None and not self.socket.closed

    def _send(self, writer: asyncio.StreamWriter, message: dict[str, object]) -> None:
        if writer.is_closing() or writer.transport.get_write_buffer_size() > APP_BACKLOG_BYTES:
            return
        writer.write((json.dumps(message, separators=(",", ":")) + "\n").encode())

    def _broadcast(self, message: dict[str, object]) -> None:
        for writer in list(self._apps):
            self._send(writer, message)

    async def handle(
        self, request: web.Request, *, lasting: Callable[[asyncio.BaseTransport | None], None]
    ) -> web.StreamResponse:
        """``/motion/ws``: one page's readings, until it goes.

        ``lasting`` exempts its connection from the deadline of a plain request.
        """
        page = request.query.get("id", "")[:64]
        socket = web.WebSocketResponse(heartbeat=10, max_msg_size=MESSAGE_BYTES)
        await socket.prepare(request)
        lasting(request.transport)
        if self.attached and self.page != page:
            await socket.close(code=ANOTHER_PHONE, message=b"another phone is the sensor")
            return socket
        if self.socket is not None:  # the same page, back: its old socket is a ghost
            await self.socket.close()
        self.socket, self.page = socket, page
        self._broadcast({"event": "connected"})
        bucket = _Bucket(at=asyncio.get_running_loop().time())
        ticker = asyncio.create_task(self._tell_every_second(socket))
        before = self.received
        try:
            async for message in socket:
                heard = message.type == WSMsgType.TEXT and self._reading(message.data, bucket)
                if heard and self.received == before + 1:
                    await self._tell(socket)  # this page's first reading is heard at once
        finally:
            ticker.cancel()
            if self.socket is socket:
                self.socket = self.page = None
                self._broadcast({"event": "disconnected"})
            log.debug("a sensor page went: %d readings in all, %d dropped", self.received, self.dropped)
        return socket

    async def _tell_every_second(self, socket: web.WebSocketResponse) -> None:
        while not socket.closed:
            await self._tell(socket)
            await asyncio.sleep(ACK_EVERY_S)

    async def _tell(self, socket: web.WebSocketResponse) -> None:
        """The page's answer: readings received so far, and whether a session is listening."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await socket.send_json({"received": self.received, "apps": len(self._apps)})

    def _reading(self, text: str, bucket: _Bucket) -> bool:
        """One message from the page: True when it was a reading, handed on."""
        now = asyncio.get_running_loop().time()
        try:
            obj = json.loads(text)
            reading = MotionReading.from_json(obj if isinstance(obj, dict) else {})
        except (ValueError, RecursionError):  # not JSON, or not a reading a phone can make
            self.dropped += 1
            return False
        if not bucket.take(now):
            self.dropped += 1
            return False
        self.received += 1
        self._broadcast({"motion": reading.to_json()})
        return True

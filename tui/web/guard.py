"""What `treadmill serve` lets in: connections, host names, and keystrokes (docs/serve.md, limits).

A browser needs a handful of connections; an attacker on the same network can open a
thousand and never finish a request (slowloris), or paste megabytes into the websocket.
None of that may cost the runner the screen or the stop key:

* **Connections.** Each must finish its request headers within :data:`HEADERS_WITHIN_S` and
  its business within :data:`REQUEST_WITHIN_S` unless it became the app's websocket; there
  are at most :data:`PER_CLIENT` per address and :data:`IN_TOTAL` in all, and when a cap is
  reached the oldest connection still waiting for its headers makes room. Far below a
  desktop's 1,024 open files, so the server never runs out of them.
* **Host names.** A request must name this machine by an address, ``localhost`` or its
  host name: a web page elsewhere cannot reach the server through a name it controls (DNS
  rebinding). The websocket must come from the server's own page (its Origin).
* **Keystrokes.** What the browser sends to the app is capped per message and per second at
  what a keyboard and a mouse produce; the rest is dropped, and an empty message (which the
  app's input would read as the end of its input, and then take no key at all) is never sent.
* **Logs.** The same warning over and over is logged once, then counted.

No I/O of its own but the transports it is handed; the clock is the event loop's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "HEADERS_WITHIN_S",
    "IN_TOTAL",
    "PER_CLIENT",
    "REQUEST_WITHIN_S",
    "ConnectionGuard",
    "Keystrokes",
    "OnceThenCount",
    "host_is_ours",
]

HEADERS_WITHIN_S: Final = 10.0
"""A connection that has not sent its request headers by then is closed (browsers send them at once)."""
REQUEST_WITHIN_S: Final = 60.0
"""A connection that is not the app's websocket is closed after this long (a page and its scripts
load in well under a second; exports are a few hundred kilobytes)."""
PER_CLIENT: Final = 32
"""Connections from one address (a browser opens about six, plus its websocket)."""
IN_TOTAL: Final = 256
"""Connections in all: a quarter of a desktop's usual 1,024 open files."""
KEYSTROKE_BYTES: Final = 64
"""The longest message a key or a mouse event makes (a mouse report is about 15 bytes); a paste is longer."""
KEYSTROKES_PER_S: Final = 2048
"""Bytes a second from the browser: key repeat at 30 a second and mouse motion at 60 come to under 1 KB."""
_HEADERS_END: Final = b"\r\n\r\n"


@dataclass(eq=False, slots=True)
class _Connection:
    peer: str
    opened_at: float
    transport: asyncio.Transport
    headers_seen: bytes = b""
    headers_done: bool = False
    lasting: bool = False
    """The app's websocket: it stays as long as the browser does (its heartbeat checks it)."""
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class _Guarded(asyncio.Protocol):
    """A connection's protocol (aiohttp's request handler) behind the guard."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.connection: _Connection | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.connection = self.guard.admit(transport)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.connection is not None and not self.connection.headers_done:
            self.guard.headers(self.connection, data)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.connection is not None:
            self.guard.forget(self.connection)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class ConnectionGuard:
    """Caps and deadlines on the server's connections (see the module docstring)."""

    def __init__(
        self,
        *,
        per_client: int = PER_CLIENT,
        in_total: int = IN_TOTAL,
        headers_within_s: float = HEADERS_WITHIN_S,
        request_within_s: float = REQUEST_WITHIN_S,
    ) -> None:
        self.per_client = per_client
        self.in_total = in_total
        self.headers_within_s = headers_within_s
        self.request_within_s = request_within_s
        self.open: list[_Connection] = []
        """Open connections, oldest first."""
        self.closed_early = 0
        """Connections closed by a deadline or to make room."""

    def protocol(self, make: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for ``loop.create_server``: ``make``'s protocols, guarded."""
        return lambda: _Guarded(self, make())

    def admit(self, transport: asyncio.Transport) -> _Connection:
        """A new connection: make room if a cap is reached, and start its deadlines."""
        loop = asyncio.get_running_loop()
        peer = _peer(transport)
        connection = _Connection(peer, loop.time(), transport)
        mine = [c for c in self.open if c.peer == peer]
        if len(mine) >= self.per_client:
            self._make_room(mine)
        if len(self.open) >= self.in_total:
            self._make_room(self.open)
        self.open.append(connection)
        connection.timers = [
            loop.call_later(self.headers_within_s, self._headers_due, connection),
            loop.call_later(self.request_within_s, self._request_due, connection),
        ]
        return connection

    def headers(self, connection: _Connection, data: bytes) -> None:
        """Request bytes arrived: note when the headers are complete."""
        seen = connection.headers_seen + data
        if _HEADERS_END in seen:
            connection.headers_done, connection.headers_seen = True, b""
        else:
            connection.headers_seen = seen[-(len(_HEADERS_END) - 1) :]

    def lasting(self, transport: asyncio.BaseTransport | None) -> None:
        """This connection became the app's websocket: no deadline but the browser's heartbeat."""
        for connection in self.open:
            if connection.transport is transport:
                connection.lasting = True

    def forget(self, connection: _Connection) -> None:
        """The connection closed."""
        for timer in connection.timers:
            timer.cancel()
        if connection in self.open:
            self.open.remove(connection)

    def _make_room(self, among: list[_Connection]) -> None:
        waiting = [c for c in among if not c.headers_done] or [c for c in among if not c.lasting]
        if waiting:
            self._close(waiting[0])

    def _headers_due(self, connection: _Connection) -> None:
        if not connection.headers_done:
            self._close(connection)

    def _request_due(self, connection: _Connection) -> None:
        if not connection.lasting:
            self._close(connection)

    def _close(self, connection: _Connection) -> None:
        self.closed_early += 1
        self.forget(connection)
        connection.transport.abort()


def _peer(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


def host_is_ours(host_header: str) -> bool:
    """Whether a request's Host names this machine: an address, ``localhost`` or its host name."""
    host = host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header
    host = host.removeprefix("[").split("]", 1)[0].lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        names = {"localhost", socket.gethostname().lower(), f"{socket.gethostname().lower()}.local"}
        return host in names
    return True


@dataclass(slots=True)
class Keystrokes:
    """What the browser may type into the app: short messages, at a keyboard's rate."""

    per_message: int = KEYSTROKE_BYTES
    per_second: int = KEYSTROKES_PER_S
    dropped: int = 0
    """Bytes dropped so far (a paste, a flood, an empty message)."""
    _allowance: float = float(KEYSTROKES_PER_S)
    _at: float | None = None

    def admit(self, data: bytes, now: float) -> bool:
        """Whether ``data`` goes to the app (a whole message, or none of it: no escape cut in half)."""
        if self._at is not None:
            self._allowance = min(self.per_second, self._allowance + (now - self._at) * self.per_second)
        self._at = now
        if not data or len(data) > self.per_message or len(data) > self._allowance:
            self.dropped += len(data) or 1
            return False
        self._allowance -= len(data)
        return True


class OnceThenCount(logging.Filter):
    """Lets a message through once a minute; the next one to pass says how many were held back."""

    def __init__(self, every_s: float = 60.0, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.every_s = every_s
        self._clock = clock
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass the first of its kind in a minute (with the count held back since), hold the rest."""
        now = self._clock() if self._clock is not None else record.created
        key = (record.name, record.levelno, str(record.msg))
        last = self._seen.get(key)
        if last is not None and now - last[0] < self.every_s:
            self._seen[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.msg = f"{record.msg} (and {last[1]} more like it in the last {self.every_s:.0f} s)"
        self._seen[key] = (now, 0)
        return True

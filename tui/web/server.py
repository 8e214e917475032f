"""`treadmill serve`: the app in a browser, one session at a time, behind a token.

The app runs in its own process under Textual's web driver; textual-serve's
:class:`~textual_serve.app_service.AppService` carries its screen to the browser over a
websocket, and the browser's keys back. What this server adds around it:

- **A token.** Every request needs it, in the URL (``?token=...``, from the printed address
  or the QR code) or in the cookie the first such request sets; anything else is a 403. The
  address bar is then redirected to drop it, and no request is logged, so it is never written
  down anywhere but the terminal that started the server.
- **One screen per session.** One app process at a time, so one Bluetooth session to the
  treadmill. While a browser is attached, another gets a page saying the treadmill is in use
  (HTTP 409); the same browser reloading takes its screen back.
- **A session that outlives the browser.** When the websocket closes (a tab closed, a phone
  asleep, a reload), the app process goes on: the session runs and is recorded, its screen
  output is dropped. The next browser to connect re-attaches to it: the terminal modes are
  set again and the app repaints in full.
- **Limits** (:mod:`tui.web.guard`): connection caps and deadlines, this machine's names
  only, the page's own origin on the websocket, and keystrokes at a keyboard's rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shlex
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tui.web.guard import HEADERS_WITHIN_S, ConnectionGuard, Keystrokes, OnceThenCount, host_is_ours
from tui.web.motion import MotionHub
from tui.web.pages import CERTIFICATE_HINT, FORBIDDEN, IN_USE, WRONG_HOST, app_page, motion_page
from tui.web.tls import TlsFiles

log = logging.getLogger("treadmill.serve")

TOKEN_COOKIE: Final = "treadmill_token"  # noqa: S105 - the cookie's name, not its value
SEAT_COOKIE: Final = "treadmill_seat"
STATIC = Path(textual_serve.__file__).parent / "static"

# What Textual's web driver writes once when the app starts (alternate screen, mouse reports,
# hidden cursor, bracketed paste): a browser that attaches later needs them too.
TERMINAL_MODES: Final = b"\x1b[?1049h\x1b[?1000h\x1b[?1003h\x1b[?1015h\x1b[?1006h\x1b[?25l\x1b[?2004h"
QUIT_WITHIN_S: Final = 15.0
"""How long the app gets to close its session when the server stops, before it is killed."""
KEEP_ALIVE_S: Final = 15.0
"""An idle connection between two requests is closed after this long (aiohttp's default is an hour)."""
_NOISY_LOGGERS: Final = ("asyncio", "aiohttp.server", "aiohttp.web", "aiohttp.websocket", "treadmill.serve")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What `treadmill serve` was asked for."""

    command: Sequence[str]
    """The app's own command line, run once per session."""
    host: str = "127.0.0.1"
    port: int = 8765
    font_size: int = 16
    tls: TlsFiles | None = None
    """Serve HTTPS with this certificate (None: plain HTTP)."""


class AttachedBrowser:
    """Where the app's output goes: the attached browser's websocket, or nowhere."""

    def __init__(self) -> None:
        self.socket: web.WebSocketResponse | None = None
        self.seat: str | None = None

    @property
    def attached(self) -> bool:
        """A browser is connected."""
        return self.socket is not None and not self.socket.closed

    async def send_bytes(self, data: bytes) -> None:
        """Screen output to the browser, if one is there."""
        if self.attached:
            assert self.socket is not None
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.socket.send_bytes(data)

    async def send_str(self, data: str) -> None:
        """A message (e.g. open a URL) to the browser, if one is there."""
        if self.attached:
            assert self.socket is not None
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.socket.send_str(data)

    async def close(self) -> None:
        """Disconnect the browser (the app closed, or the same browser reconnected)."""
        if self.socket is not None:
            await self.socket.close()


class SessionServer:
    """The web server: token check, the app's page, and the one app process."""

    def __init__(self, options: ServeOptions, token: str | None = None) -> None:
        self.options = options
        self.token = token or secrets.token_urlsafe(18)
        self.browser = AttachedBrowser()
        self.service: AppService | None = None
        self.guard = ConnectionGuard()
        self.keystrokes = Keystrokes()
        self.motion = MotionHub()
        self._downloads = DownloadManager()

    # -- the web application -------------------------------------------------------------

    def application(self) -> web.Application:
        """The aiohttp application: every route behind the token."""
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/", self._index),
                web.get("/ws", self._websocket),
                web.get("/motion", self._motion_page),
                web.get("/certificate", self._certificate),
                web.get("/motion/ws", self._motion_socket),
                web.get("/download/{key}", self._download),
                web.static("/static", STATIC),
            ]
        )
        app.on_response_prepare.append(self._headers)
        app.on_shutdown.append(self._on_shutdown)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not host_is_ours(request.host):
            return web.Response(status=421, text=WRONG_HOST, content_type="text/html")
        given = request.query.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return web.Response(status=403, text=FORBIDDEN, content_type="text/html")
        return await handler(request)

    @staticmethod
    async def _headers(_request: web.Request, response: web.StreamResponse) -> None:
        """On every response, before it is sent: not cached, no referrer, not framed, no versions."""
        response.headers["Server"] = ""  # aiohttp would name itself and Python, with their versions
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"

    @staticmethod
    def _drop_token(request: web.Request) -> web.StreamResponse | None:
        """A redirect to the same address without the token (kept out of the address bar and the history)."""
        if "token" not in request.query:
            return None
        rest = {k: v for k, v in request.query.items() if k != "token"}
        return web.HTTPSeeOther(request.url.with_query(rest).relative())

    def _set_token(self, response: web.StreamResponse) -> None:
        response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="Lax", path="/")

    @property
    def _hint(self) -> str:
        """What a page says if its link does not come up: trust this server's own certificate."""
        tls = self.options.tls
        return CERTIFICATE_HINT if tls is not None and tls.own else ""

    async def _certificate(self, _request: web.Request) -> web.StreamResponse:
        """This server's own certificate, for a phone to install and trust (iOS needs it for websockets)."""
        tls = self.options.tls
        if tls is None or not tls.own:
            return web.Response(status=404, text="This server has no certificate of its own to install.")
        return web.Response(
            body=tls.cert.read_bytes(),
            content_type="application/x-x509-ca-cert",
            headers={"Content-Disposition": 'attachment; filename="treadmill-companion.crt"'},
        )

    async def _motion_page(self, request: web.Request) -> web.StreamResponse:
        page = motion_page(hint=self._hint)
        response = self._drop_token(request) or web.Response(text=page, content_type="text/html")
        self._set_token(response)
        return response

    async def _motion_socket(self, request: web.Request) -> web.StreamResponse:
        if not _same_origin(request):
            return web.Response(status=403, text=FORBIDDEN, content_type="text/html")
        return await self.motion.handle(request, lasting=self.guard.lasting)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        seat = request.cookies.get(SEAT_COOKIE) or secrets.token_urlsafe(12)
        redirect = self._drop_token(request)
        if redirect is not None:
            response: web.StreamResponse = redirect
        elif self.browser.attached and self.browser.seat != seat:
            return web.Response(status=409, text=IN_USE, content_type="text/html")
        else:
            font_size = _int(request.query.get("fontsize"), self.options.font_size, 8, 40)
            scheme = "wss" if request.secure else "ws"
            response = web.Response(
                text=app_page(f"{scheme}://{request.host}/ws", font_size, hint=self._hint),
                content_type="text/html",
            )
        self._set_token(response)
        response.set_cookie(SEAT_COOKIE, seat, httponly=True, samesite="Lax", path="/")
        return response

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        seat = request.cookies.get(SEAT_COOKIE)
        if not _same_origin(request):
            return web.Response(status=403, text=FORBIDDEN, content_type="text/html")
        if self.browser.attached and self.browser.seat != seat:
            return web.Response(status=409, text=IN_USE, content_type="text/html")
        await self.browser.close()  # the same browser, reloaded: the new page takes over
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)
        self.guard.lasting(request.transport)
        self.browser.socket, self.browser.seat = socket, seat
        width = _int(request.query.get("width"), 80, 20, 500)
        height = _int(request.query.get("height"), 24, 8, 300)
        try:
            service = await self._attach(width, height)
            await self._relay(socket, service)
        finally:
            if self.browser.socket is socket:
                self.browser.socket = self.browser.seat = None
                if self.service is not None:
                    await self.service.blur()
        return socket

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file the app delivers to the browser (an export from the summary), streamed once."""
        key = request.match_info["key"]
        try:
            meta = await self._downloads.get_download_metadata(key)
        except KeyError:
            return web.Response(status=404, text="No such download (each link works once).")
        response = web.StreamResponse()
        response.content_type = meta.mime_type
        response.headers["Content-Disposition"] = f'attachment; filename="{_safe_name(meta.file_name)}"'
        await response.prepare(request)
        async for chunk in self._downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _attach(self, width: int, height: int) -> AppService:
        """The running app, re-attached to this screen; or a new one."""
        if self.service is not None:
            await self.browser.send_bytes(TERMINAL_MODES)
            await self.service.set_terminal_size(width, height)
            await self.service.focus()  # then the app repaints in full (the closed-tab test checks it)
            return self.service
        command = [*self.options.command, "--phone-feed", str(self.motion.path)]
        service = AppService(
            "exec " + shlex.join(command),  # the shell becomes the app: signals reach it
            write_bytes=self.browser.send_bytes,
            write_str=self.browser.send_str,
            close=self.browser.close,
            download_manager=self._downloads,
        )
        await service.start(width, height)
        self.service = service
        assert service._task is not None  # noqa: SLF001 - textual-serve keeps the process's reader there
        service._task.add_done_callback(lambda _task: self._ended(service))  # noqa: SLF001
        return service

    def _ended(self, service: AppService) -> None:
        """The app closed (its user quit): the next browser starts a new one."""
        if self.service is service:
            self.service = None

    async def _relay(self, socket: web.WebSocketResponse, service: AppService) -> None:
        """The browser's keys, size and focus to the app, until the browser goes."""
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, *data = message.json()
            except (ValueError, TypeError, RecursionError):  # not JSON, or nested past reason
                continue
            payload = data[0] if data else None
            if kind == "stdin" and isinstance(payload, str):
                keys = payload.encode(errors="replace")
                if self.keystrokes.admit(keys, asyncio.get_running_loop().time()):
                    await service.send_bytes(keys)
            elif kind == "resize" and isinstance(payload, dict):
                width = _int(payload.get("width"), 80, 20, 500)
                await service.set_terminal_size(width, _int(payload.get("height"), 24, 8, 300))
            elif kind == "ping":
                await socket.send_json(["pong", payload])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _on_shutdown(self, _app: web.Application) -> None:
        await self.browser.close()
        await self.close_session()
        await self.motion.close()

    async def close_session(self) -> None:
        """Ask the app to close (its session is saved as on any quit); kill it if it does not."""
        service = self.service
        if service is None:
            return
        process = service._process  # noqa: SLF001 - textual-serve does not expose it
        try:
            await asyncio.wait_for(service.stop(), QUIT_WITHIN_S)
        except TimeoutError:
            log.warning("the app did not close within %.0f s: stopping it", QUIT_WITHIN_S)
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()


def _same_origin(request: web.Request) -> bool:
    """A websocket opened by this server's own page (browsers always send Origin on one)."""
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


def _safe_name(name: str) -> str:
    """A file name fit for a header: printable ASCII, no quotes or path."""
    kept = "".join(c for c in Path(name).name if c.isascii() and c.isprintable() and c not in '"\\')
    return kept or "download"


def _int(text: object, default: int, low: int, high: int) -> int:
    """A bounded integer from a browser's parameter; the default when it is not one."""
    try:
        value = int(str(text))
    except ValueError:
        return default
    return min(max(value, low), high)


async def serve(server: SessionServer, announce: Callable[[str, str], None], stop: asyncio.Event) -> None:
    """Listen until ``stop`` is set; ``announce`` gets the app's and the sensor page's addresses.

    Both carry the token; they are announced once the socket is bound.
    """
    once = OnceThenCount()
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).addFilter(once)
    runner = web.AppRunner(
        server.application(), access_log=None, handle_signals=False, keepalive_timeout=KEEP_ALIVE_S
    )
    await runner.setup()
    listening: asyncio.Server | None = None
    tls = server.options.tls
    try:
        assert runner.server is not None
        await server.motion.start()
        listening = await asyncio.get_running_loop().create_server(
            server.guard.protocol(runner.server),
            server.options.host,
            server.options.port,
            ssl=None if tls is None else tls.context(),
            ssl_handshake_timeout=None if tls is None else HEADERS_WITHIN_S,
        )
        port = listening.sockets[0].getsockname()[1]  # the bound one, for port 0
        base = f"{'https' if tls else 'http'}://{shown_host(server.options.host)}:{port}"
        announce(f"{base}/?token={server.token}", f"{base}/motion?token={server.token}")
        await stop.wait()
    finally:
        if listening is not None:
            listening.close()
        await runner.cleanup()
        await server.motion.close()
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).removeFilter(once)


def shown_host(host: str) -> str:
    """The address a phone can reach: this machine's LAN address when listening on all of them."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return f"[{host}]" if ":" in host else host
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): picks the outgoing interface, sends nothing
        return str(probe.getsockname()[0])
    return socket.gethostname()

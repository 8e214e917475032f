"""What `treadmill serve` lets in (tui/web/guard.py): no browser message takes away the stop key,
a paste cannot starve the session, half-open connections cannot starve a browser, and only this
machine's names and the page's own origin are answered."""

from __future__ import annotations

import logging
import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.browser import ESCAPES, Served, start_serve
from tests.support import wait_until
from tests.test_serve import fetch, needs_chromium
from tui.web.guard import KEYSTROKE_BYTES, KEYSTROKES_PER_S, Keystrokes, OnceThenCount, host_is_ours

WAIT_S = 60.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    serving = start_serve(["--virtual", "--plan", "first-steps-backward", "--time-scale", "10"], tmp_path)
    try:
        yield serving
    finally:
        serving.stop()


class Screen:
    """The app's screen as one websocket receives it, searchable as text."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.text = ""

    async def until(self, words: str) -> None:
        """Read screen updates until ``words`` is on the screen (from this call on)."""
        start = len(self.text)
        deadline = time.monotonic() + WAIT_S
        while words not in self.text[start:]:
            assert time.monotonic() < deadline, f"never saw {words!r}"
            message = await self.socket.receive(timeout=WAIT_S)
            if message.type is aiohttp.WSMsgType.BINARY:
                self.text += ESCAPES.sub("", message.data.decode(errors="replace"))
            elif message.type is not aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the websocket ended: {message.type}")

    async def key(self, key: str) -> None:
        await self.socket.send_json(["stdin", key])


MESSAGES: list[str | bytes] = [
    '["stdin", ""]',  # once read as the end of the app's input: no key got through after it
    '["stdin", "' + "x" * 20_000 + '"]',  # a 20 KB paste
    '["stdin", "' + "y" * 3_900_000 + '"]',  # a 3.9 MB one
    '["stdin", "\\u0000"]',
    '["stdin", 42]',
    '["stdin"]',
    '["resize", {"width": 0, "height": 0}]',
    '["resize", {"width": 1e308, "height": "x"}]',
    '["resize", "wide"]',
    '["ping", {"a": [[[[]]]]}]',
    '["blur"]',
    '["focus"]',
    '["blur", 1, 2, 3]',
    '["unknown", 1]',
    "[]",
    "{}",
    "not json",
    "[" * 10_000,
    b"\x00\xff" * 1000,
]
"""Every kind of message the relay knows, the odd shapes of each, and some it does not."""


async def test_no_browser_message_takes_away_the_keys_and_s_still_stops(tmp_path: Path) -> None:
    served = start_serve(["--virtual", "--plan", "first-steps-backward"], tmp_path)  # the first turn at 3 min
    try:
        await _every_message_then_s(served)
    finally:
        served.stop()
    [recording] = served.recordings()
    assert recording.stat().st_size > 0


async def _every_message_then_s(served: Served) -> None:
    cookies = {"treadmill_token": served.token}
    url = served.base.replace("http", "ws") + "/ws?width=100&height=30"
    async with aiohttp.ClientSession(cookies=cookies) as client, client.ws_connect(url) as socket:
        screen = Screen(socket)
        await screen.until("Now: 3 min")
        for message in MESSAGES:
            if isinstance(message, bytes):
                await socket.send_bytes(message)
            else:
                await socket.send_str(message)
            await socket.send_json(["resize", {"width": 100, "height": 30}])  # back from the odd sizes
            await screen.key("?")  # a key after every message: the help comes up, so keys get through
            await screen.until("The live workout")
            await screen.key("\x1b")
            await screen.until("Now: 3 min")  # the help closed (beside it, "Now:" alone shows)
        await screen.key("s")
        await screen.until("recorded to")  # the summary: the session ended


def test_a_paste_never_reaches_the_app_and_typing_goes_at_a_keyboards_rate() -> None:
    keys = Keystrokes()
    assert not keys.admit(b"", 0.0), "an empty message is the end of input to the app: never sent"
    assert keys.admit(b"s", 0.0)
    assert keys.admit(b"\x1b[<35;10;5M", 0.0), "a mouse report"
    assert not keys.admit(b"x" * (KEYSTROKE_BYTES + 1), 0.0), "a paste: dropped whole, no escape cut"
    sent = sum(keys.admit(b"k" * 16, 0.01 * n) for n in range(1000))  # 1,600 bytes a second for 10 s
    assert sent == 1000, "fast typing and mouse motion all get through"
    flood = sum(16 * keys.admit(b"k" * 16, 10.0 + 0.001 * n) for n in range(10_000))  # 16 KB a second
    assert flood <= KEYSTROKES_PER_S * 11, "a flood is held to the keyboard's rate"
    assert keys.dropped > 0


def test_a_repeated_warning_is_logged_once_then_counted() -> None:
    now = [0.0]
    once = OnceThenCount(every_s=60.0, clock=lambda: now[0])
    record = logging.LogRecord(
        "aiohttp.server", logging.ERROR, __file__, 1, "Error handling request", (), None
    )
    passed = []
    for second in range(130):
        now[0] = float(second)
        passed.append(once.filter(logging.makeLogRecord(record.__dict__)))
    assert passed.count(True) == 3  # at 0, 60 and 120 s
    last = logging.makeLogRecord(record.__dict__)
    now[0] = 200.0
    assert once.filter(last)
    assert "9 more like it" in str(last.msg)


@pytest.mark.parametrize(
    ("host", "ours"),
    [
        ("127.0.0.1:8765", True),
        ("[::1]:8765", True),
        ("192.168.1.20:8765", True),
        ("localhost:8765", True),
        (f"{socket.gethostname()}:8765", True),
        ("evil.example:8765", False),
        ("127.0.0.1.evil.example", False),
    ],
)
def test_only_this_machines_names_are_answered(host: str, ours: bool) -> None:
    assert host_is_ours(host) is ours


def test_other_names_origins_and_versions_are_refused_or_hidden(served: Served) -> None:
    cookie = f"treadmill_token={served.token}"
    status, _, headers = fetch(served.base + "/", cookie=cookie)
    assert status == 200
    assert "aiohttp" not in headers.get("Server", "")
    assert "Python" not in headers.get("Server", "")
    port = served.base.rsplit(":", 1)[1]
    with socket.create_connection(("127.0.0.1", int(port))) as raw:  # a name a web page elsewhere controls
        raw.sendall(f"GET / HTTP/1.1\r\nHost: rebound.example:{port}\r\nCookie: {cookie}\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 421")
    with socket.create_connection(("127.0.0.1", int(port))) as raw:
        raw.sendall(
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nOrigin: https://evil.example\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 403"), "a websocket from another site's page"


def _half_open(port: int, count: int) -> list[socket.socket]:
    """``count`` connections from another address on this machine that start a request and never end it.

    One after the other, as an attack tool does; one the server does not take within half a second
    is given up (the attack has made its point: the server is full).
    """
    held = []
    for _ in range(count):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.bind(("127.0.0.2", 0))
        raw.settimeout(0.5)
        try:
            raw.connect(("127.0.0.1", port))
            raw.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            raw.close()
            continue
        held.append(raw)
    return held


@pytest.fixture
def many_files() -> Iterator[None]:
    """This process holds over a thousand sockets: its own limit raised to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"needs 4,096 open files in the test process; the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_half_open_connections_leave_the_server_answering(many_files: None, tmp_path: Path) -> None:
    """1,100 connections that never finish their headers, against a server limited to 1,024 files."""
    del many_files
    served = start_serve(["--virtual", "--plan", "first-steps-backward"], tmp_path, max_files=1024)
    held: list[socket.socket] = []
    try:
        port = int(served.base.rsplit(":", 1)[1])
        held = _half_open(port, 1100)
        cookie = f"treadmill_token={served.token}"
        status, page, _ = fetch(served.base + "/", cookie=cookie)
        assert status == 200, "served while 1,100 connections hang"
        assert "/static/js/textual.js" in page
    finally:
        for raw in held:
            raw.close()
        printed = served.stop()
    assert len(printed) < 10_000, f"the log stays short: {len(printed)} characters"


@needs_chromium
def test_a_real_browser_is_served_through_a_slowloris(many_files: None, tmp_path: Path) -> None:
    from tests.browser import Browser  # noqa: PLC0415 - only where Chromium is

    del many_files
    served = start_serve(
        ["--virtual", "--plan", "first-steps-backward", "--time-scale", "10"], tmp_path, max_files=1024
    )
    held: list[socket.socket] = []
    browser = None
    try:
        held = _half_open(int(served.base.rsplit(":", 1)[1]), 1100)
        browser = Browser()
        browser.open(served.url)
        wait_until(lambda: "Now:" in browser.screen_text(), "the live screen, with the server under attack")
        browser.press("s")
        wait_until(lambda: "recorded to" in browser.screen_text(), "the summary: s still stops")
    finally:
        if browser is not None:
            browser.close()
        for raw in held:
            raw.close()
        served.stop()

"""`treadmill serve` in its own process, reached over HTTP and from headless Chromium.

The browser tests skip, saying so, where Chromium and chromium-driver are not installed
(`.ci/run` installs them); the HTTP ones run everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import fitdecode
import pytest

from tests.browser import CHROMEDRIVER, CHROMIUM, PHONE, SERVE, TABLET, Browser, Served, start_serve
from tests.support import wait_until
from treadmill.storage.history import History
from tui.cli.commands.serve import forwarded
from tui.cli.parsers import build_parser

WAIT_S = 60.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    serving = start_serve(["--virtual", "--plan", "first-steps-backward", "--time-scale", "10"], tmp_path)
    try:
        yield serving
    finally:
        serving.stop()


def fetch(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - our server
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def test_without_the_token_everything_is_forbidden(tmp_path: Path) -> None:
    served = start_serve(["--virtual", "--plan", "first-steps-backward"], tmp_path, log="debug")
    try:
        for path in (
            "/",
            "/?token=wrong",
            f"/?token={served.token[:-1]}",
            "/static/js/textual.js",
            "/ws",
            "/download/x",
        ):
            status, body, _ = fetch(served.base + path)
            assert status == 403, path
            assert "needs its key" in body
        assert fetch(served.base + "/static/js/textual.js", cookie="treadmill_token=nope")[0] == 403
        assert fetch(served.url)[0] == 303
    finally:
        printed = served.stop()
    assert served.token not in printed, "no request, good or bad, is logged, even at debug level"


def test_the_token_sets_a_cookie_and_leaves_the_address_bar(served: Served) -> None:
    status, _, headers = fetch(served.url)
    assert status == 303
    assert headers["Location"] == "/", "the token does not stay in the address or the history"
    cookies = headers["Set-Cookie"]
    assert "HttpOnly" in cookies
    assert "SameSite=Lax" in cookies, "sent on a top-level navigation from elsewhere (a QR code), no more"
    status, page, headers = fetch(served.base + "/", cookie=f"treadmill_token={served.token}")
    assert status == 200
    assert "/static/js/textual.js" in page
    assert "//fonts." not in page, "nothing is fetched from outside"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert fetch(served.base + "/static/js/textual.js", cookie=f"treadmill_token={served.token}")[0] == 200
    assert fetch(served.base + "/download/nothing", cookie=f"treadmill_token={served.token}")[0] == 404


def test_bad_options_fail_before_serving(tmp_path: Path) -> None:
    done = subprocess.run(
        [*SERVE, "--virtual", "--device", "AA:BB:CC:DD:EE:FF", "--port", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "TREADMILL_CONFIG_DIR": str(tmp_path)},
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--virtual brings its own treadmill" in done.stderr


# -- in a real browser ---------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless Chromium and chromium-driver are not installed (apt-get install chromium "
    "chromium-driver)",
)


@pytest.fixture
def browsers() -> Iterator[Callable[[], Browser]]:
    opened: list[Browser] = []

    def new(size: tuple[int, int] = TABLET) -> Browser:
        opened.append(Browser(size))
        return opened[-1]

    try:
        yield new
    finally:
        for browser in opened:
            browser.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@needs_chromium
def test_a_phone_follows_the_workout_and_stops_it(
    served: Served, browsers: Callable[..., Browser], tmp_path: Path
) -> None:
    phone = browsers(PHONE)
    phone.open(served.url)
    wait_until(phone.first_frame, "the first frame")
    wait_until(lambda: "Now: 3 min forward at 3.5 km/h" in phone.screen_text(), "the first cue")
    wait_until(lambda: "TURN BACKWARD IN" in phone.screen_text(), "the countdown to the first turn")
    wait_until(lambda: "?\xa0Help" in phone.screen_text(), "the compact layout's key bar, whole on a phone")
    assert "q\xa0Quit" in phone.screen_text(), "the key bar wraps rather than cutting off its last keys"
    assert "speed, top" not in phone.screen_text(), "no chart on a phone"
    assert png_size(phone.screenshot(tmp_path / "phone.png")) == PHONE
    phone.resize(TABLET)
    wait_until(lambda: "speed, top" in phone.screen_text(), "the chart, on a tablet")
    assert png_size(phone.screenshot(tmp_path / "tablet.png")) == TABLET
    phone.press("s")
    wait_until(lambda: "recorded to" in phone.screen_text(), "the summary")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    phone.downloads_to(downloads)
    phone.press("f")  # the FIT export: written beside the history, and sent to the phone
    wait_until(lambda: any(downloads.glob("*.fit")), "the FIT file in the phone's downloads")
    [fit] = downloads.glob("*.fit")  # Chrome names it only once it is whole
    assert fit.read_bytes() == (served.data / "exports" / fit.name).read_bytes()
    with fitdecode.FitReader(fit, check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        assert any(isinstance(f, fitdecode.FitDataMessage) and f.name == "session" for f in reader)
    [recording] = served.recordings()
    [entry] = History(served.data / "sessions").records()
    assert entry.fixture == recording
    assert not entry.interrupted, "the summary was written: the session ended properly"
    replay = subprocess.run(
        [sys.executable, "-m", "tui", "replay", str(recording), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(replay.stdout)["samples"] >= 3


@needs_chromium
def test_an_address_opened_from_elsewhere_opens_the_app(
    served: Served, browsers: Callable[..., Browser]
) -> None:
    """A QR code scanned by the camera, a link in a message: the browser counts it a navigation from
    another site. The cookie the token sets must still come back on the redirect (SameSite=Strict
    would not: the page was "needs its key")."""
    app = followed_from_elsewhere(browsers(PHONE), served.url)
    wait_until(lambda: app.first_frame() or refused(app), "the app, or a refusal")
    assert not refused(app)
    sensor = followed_from_elsewhere(browsers(PHONE), served.motion_url)
    wait_until(
        lambda: "Motion sensor" in sensor.page_text() or refused(sensor), "the sensor page, or a refusal"
    )
    assert not refused(sensor)
    for browser in (app, sensor):
        assert "token=" not in browser.driver.current_url, "and the token has left the address bar"


def followed_from_elsewhere(browser: Browser, url: str) -> Browser:
    """``browser`` on a page of another site, following its link to ``url``."""
    browser.open("data:text/html," + urllib.parse.quote(f"<a id='scan' href='{url}'>scanned</a>"))
    browser.driver.find_element("id", "scan").click()
    return browser


def refused(browser: Browser) -> bool:
    return "needs its key" in browser.page_text()


def test_a_second_browser_is_turned_away(served: Served, browsers: Callable[..., Browser]) -> None:
    first = browsers()
    first.open(served.url)
    wait_until(lambda: "Now:" in first.screen_text(), "the live screen")
    second = browsers()
    second.open(served.url)
    assert "The treadmill is in use" in second.page_text()
    assert not second.first_frame()
    assert len([p for p in _children(served.process.pid) if "tui run" in p]) == 1, "one app, one BLE session"


@needs_chromium
def test_a_closed_tab_leaves_the_session_recording(served: Served, browsers: Callable[..., Browser]) -> None:
    first = browsers()
    first.open(served.url)
    wait_until(lambda: "Now:" in first.screen_text(), "the live screen")
    first.close()
    wait_until(lambda: len(served.recordings()) == 1, "the recording")
    [recording] = served.recordings()
    size = recording.stat().st_size
    wait_until(lambda: recording.stat().st_size > size + 2_000, "the recording to grow with no browser")
    again = browsers()
    again.open(served.url)
    wait_until(again.first_frame, "the screen again")
    wait_until(lambda: "Now:" in again.screen_text(), "the live screen, repainted in full")
    assert "palette" in again.screen_text(), "the footer too, which changes only with the keys"
    assert served.recordings() == [recording], "the same session, not a new one"
    served.stop()  # Ctrl-C with the session under way
    assert served.process.returncode == 0
    [record] = History(served.data / "sessions").records()
    assert not record.interrupted, "the app closed the session and wrote its summary"


@needs_chromium
def test_the_browser_gets_the_same_screens_picker_to_history(
    tmp_path: Path, browsers: Callable[..., Browser]
) -> None:
    served = start_serve(["--virtual", "--time-scale", "10"], tmp_path)  # no --plan: the picker
    try:
        tablet = browsers()
        tablet.open(served.url)
        wait_until(lambda: "Pick a workout" in tablet.screen_text(), "the workout picker")
        assert "Free run" in tablet.screen_text()
        tablet.press("\n")  # the first: First steps backward
        wait_until(lambda: "Now: 3 min forward at 3.5 km/h" in tablet.screen_text(), "the live screen")
        tablet.press("s")
        wait_until(lambda: "recorded to" in tablet.screen_text(), "the summary")
        tablet.press("h")
        wait_until(lambda: "felt" in tablet.screen_text(), "the history table")
    finally:
        served.stop()


def _children(pid: int) -> list[str]:
    """The command lines of ``pid``'s child processes (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                out.append(
                    (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
        except (OSError, ValueError, IndexError):
            continue
    return out


async def next_text(socket: aiohttp.ClientWebSocketResponse) -> object:
    """The next text message as JSON, past the screen updates (binary) in between."""
    while (message := await socket.receive(timeout=WAIT_S)).type is aiohttp.WSMsgType.BINARY:
        continue
    return message.json()


async def test_garbage_from_a_browser_changes_nothing(served: Served) -> None:
    """Whatever comes over the websocket, the server and the session go on."""
    cookies = {"treadmill_token": served.token}
    url = served.base.replace("http", "ws") + "/ws?width=abc&height=-5"
    async with aiohttp.ClientSession(cookies=cookies) as client, client.ws_connect(url) as socket:
        received = await socket.receive_bytes(timeout=WAIT_S)  # the app's first screen bytes
        assert received
        for junk in (
            "not json",
            "5",
            '"stdin"',
            "[]",
            "{}",
            '["stdin"]',
            '["stdin", 42]',
            '["resize", {"width": 1e308, "height": "x"}]',
            '["resize", [1, 2]]',
            '["ping", {"a": [[[[]]]]}]',
            '["unknown", 1]',
            "[" * 10_000,
            "[" * 10_000 + "]" * 10_000,
            '["resize", {"width": "9' + "9" * 5000 + '"}]',
        ):
            await socket.send_str(junk)
        await socket.send_bytes(b"\x00\xff" * 1000)
        await socket.send_str('["ping", "still there?"]')
        assert await next_text(socket) == ["pong", {"a": [[[[]]]]}]
        assert await next_text(socket) == ["pong", "still there?"]
    assert fetch(served.base + "/", cookie=f"treadmill_token={served.token}")[0] == 200
    assert served.process.poll() is None, "the server is still up"


def test_the_served_app_gets_exactly_serves_run_options() -> None:
    """Every option `serve` shares with `run` reaches the app, unchanged (and nothing else)."""
    parser = build_parser()
    shared = [
        "--device", "AA:BB:CC:DD:EE:FF", "--strap", "11:22:33:44:55:66", "--footpod", "66:55:44:33:22:11",
        "--hci", "usb:0", "--virtual", "--seed", "7", "--time-scale", "2.5", "--plan", "zone2-reverse",
        "--control", "--speak", "--mqtt", "mqtt://broker.local", "--duration", "600", "--phone",
    ]  # fmt: skip
    defaults, given = vars(parser.parse_args(["run"])), vars(parser.parse_args(["run", *shared]))
    own = {"command", "phone_feed"}  # serve gives the app its sensor page's feed itself
    assert {k for k in given if given[k] != defaults[k]} == set(defaults) - own, "every run option"
    served = parser.parse_args(["serve", *shared, "--host", "192.168.1.20", "--port", "0"])
    assert vars(parser.parse_args(["run", *forwarded(served)])) == vars(parser.parse_args(["run", *shared]))
    assert vars(parser.parse_args(["run", *forwarded(parser.parse_args(["serve"]))])) == vars(
        parser.parse_args(["run"])
    ), "the defaults too"

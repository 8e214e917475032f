"""The sensor page in a real browser: headless Chromium over HTTPS, its sensors driven through DevTools.

Chromium's DevTools protocol overrides what the device's sensors read (``Emulation.
setSensorOverrideEnabled`` / ``setSensorOverrideReadings``): the accelerometer (gravity and each
step's bounce), the gyroscope (the turn) and linear acceleration. The page does not know:
it asks for permission as on a phone, thins ``devicemotion`` to 20 readings a second and
streams them. The browser trusts the server's own certificate by its key only, as a person
who accepted it once. The checks run the whole path: the session on the tablet's screen sees
the turn, its recording holds the readings, and a replay of the recording agrees.

Skipped, saying so, where Chromium and chromium-driver are not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.browser import CHROMEDRIVER, CHROMIUM, PHONE, TABLET, Browser, Served, start_serve
from tests.support import wait_until
from treadmill.model import LinkEventKind, Sensor
from treadmill.phone.reading import MotionReading
from treadmill.storage.fixtures import read_fixture
from tui.web.tls import CERT_NAME, FOLDER

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs chromium and chromium-driver (Debian: apt-get install chromium chromium-driver)",
)
GRAVITY = 9.80665
STEP_HZ = 1.8
"""A walker's 108 steps a minute."""
SENSORS = ("accelerometer", "gyroscope", "linear-acceleration")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    serving = start_serve(["--virtual", "--plan", "first-steps-backward", "--tls"], tmp_path)
    try:
        yield serving
    finally:
        serving.stop()


@pytest.fixture
def browsers(served: Served) -> Iterator[Callable[..., Browser]]:
    opened: list[Browser] = []
    certificate = served.data.parent / FOLDER / CERT_NAME

    def make(size: tuple[int, int] = PHONE) -> Browser:
        browser = Browser(size, trusting=certificate)
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        browser.close()


class Pocket:
    """The phone's sensors, as DevTools sets them: upright in a pocket (gravity along y), walking."""

    def __init__(self, browser: Browser) -> None:
        self.driver = browser.driver
        self.started = time.monotonic()
        for sensor in SENSORS:
            self.driver.execute_cdp_cmd(
                "Emulation.setSensorOverrideEnabled", {"enabled": True, "type": sensor}
            )
        self.set("linear-acceleration", 0.0, 0.0, 0.0)
        self.tick(yaw_dps=0.0)

    def set(self, sensor: str, x: float, y: float, z: float) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setSensorOverrideReadings",
            {"type": sensor, "reading": {"xyz": {"x": x, "y": y, "z": z}}},
        )

    def tick(self, yaw_dps: float) -> None:
        """The readings now: the step's bounce on gravity, and a turn about the vertical (y) axis."""
        bounce = 2.5 * math.sin(2.0 * math.pi * STEP_HZ * (time.monotonic() - self.started))
        self.set("accelerometer", 0.0, GRAVITY + bounce, 0.3)
        self.set("gyroscope", 0.0, math.radians(yaw_dps), 0.0)

    def walk_until(self, condition: Callable[[], bool], what: str, within_s: float = 60.0) -> None:
        """Walk on until ``condition`` holds (an AssertionError after ``within_s``)."""
        deadline = time.monotonic() + within_s
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up after {within_s:g} s walking until {what}")
            self.walk(0.25)

    def walk(self, seconds: float, yaw_dps: float = 0.0) -> None:
        """Drive the sensors at 50 Hz for ``seconds`` (the page samples them at 60 and sends 20)."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            self.tick(yaw_dps)
            time.sleep(0.02)  # the sensor's own pace, not a wait for anything


class Wifi:
    """A TCP relay to the server that can drop every connection and refuse new ones, then come back."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target))
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def drop(self) -> None:
        self.up = False
        for connection in self.open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.open.clear()

    def back(self) -> None:
        self.up = True

    def close(self) -> None:
        self.drop()
        self.listener.close()


def port_of(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def first_heard(browser: Browser) -> bool:
    """The server told the page it had the page's first reading."""
    return browser.driver.execute_script("return window.__firstHeard") is not None


def linked(browser: Browser) -> bool:
    """The sensor page is the sensor: on (a session listens) or waiting (none yet)."""
    return any(state in page(browser) for state in ("Sensor on", "Sensor waiting"))


def page(browser: Browser) -> str:
    return browser.page_text()


def local(url: str) -> str:
    """The printed address on this machine's name (the certificate names it)."""
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    return url.replace(host, "localhost", 1)


def test_a_turn_of_the_phone_you_carry_is_the_sessions_turn_live_and_in_the_replay(
    served: Served, browsers: Callable[..., Browser]
) -> None:
    tablet = browsers(TABLET)
    tablet.open(local(served.url))
    wait_until(tablet.first_frame, "the app on the tablet")
    wait_until(lambda: "Now: 3 min forward" in tablet.screen_text(), "the session under way")

    phone = browsers(PHONE)
    pocket = Pocket(phone)
    phone.open(local(served.motion_url))
    assert phone.driver.execute_script("return window.isSecureContext"), "the certificate, accepted once"
    phone.driver.find_element("id", "go").click()
    wait_until(lambda: "Sensor on" in page(phone), "the sensor page's link")
    wait_until(
        partial(first_heard, phone), "the first reading heard (the bench times it: serve_bench --phone)"
    )
    assert "Put the phone in your pocket" in page(phone), "a session listens"

    pocket.walk_until(lambda: "phone ✓" in tablet.screen_text(), "the phone counts (on the body, stepping)")
    pocket.walk(2.0, yaw_dps=90.0)  # the turn: 180 degrees in 2 s
    pocket.walk_until(
        lambda: "facing backward" in tablet.screen_text().rsplit("facing forward", 1)[-1],
        "the session turned with the phone",
    )
    assert "from the phone you carry" in tablet.screen_text(), "the phone is the evidence"

    printed = served.stop()
    assert served.token not in printed
    [recording] = served.recordings()
    fixture = read_fixture(recording)
    motion = [f for f in fixture.frames if f.src is Sensor.PHONE]
    assert len(motion) >= 40, "the readings are in the recording"
    span = motion[-1].t - motion[0].t
    assert len(motion) / span <= 22.5, "thinned to 20 a second (the page skips closer than 45 ms)"
    turning = [f.t for f in motion if MotionReading.from_bytes(f.data).rotation_dps[1] > 45.0]
    assert turning, "the turn's readings"
    assert next(e.kind for e in fixture.events if e.src is Sensor.PHONE) is LinkEventKind.CONNECTED
    analysis = subprocess.run(
        [sys.executable, "-m", "tui", "analyze", str(recording), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    intervals = json.loads(analysis.stdout)["intervals"]
    backward = [i for i in intervals if i["direction"] == "reverse"]
    assert backward, "the replay sees the turn too"
    assert abs(backward[0]["start_s"] - turning[-1]) <= 3.0, "where the phone turned"
    assert backward[0]["confidence"] >= 0.95


def test_a_second_sensor_page_is_told_and_a_dropped_one_comes_back(
    served: Served, browsers: Callable[..., Browser]
) -> None:
    first = browsers(PHONE)
    Pocket(first)
    first.open(local(served.motion_url))
    first.driver.find_element("id", "go").click()
    wait_until(lambda: linked(first), "the first sensor page")

    second = browsers(PHONE)
    Pocket(second)
    second.open(local(served.motion_url))
    second.driver.find_element("id", "go").click()
    wait_until(lambda: "Another phone is the sensor" in page(second), "the second page, told")
    assert linked(first), "the first is still the sensor"
    assert "Sensor waiting" in page(first), "no session listens yet: it says so"
    second.open("about:blank")  # it stops asking: the rest is the first page's

    wifi = Wifi(port_of(served.motion_url))  # the first page's way to the server, which can drop
    try:
        first.open(f"https://localhost:{wifi.port}/motion")  # the cookie holds the key
        first.driver.find_element("id", "go").click()
        wait_until(lambda: linked(first), "the first page, through the Wi-Fi")
        wifi.drop()
        wait_until(lambda: "Sensor lost" in page(first), "the dropped page says so")
        wifi.back()
        wait_until(lambda: linked(first), "the page, back by itself")
    finally:
        wifi.close()


def test_the_sensor_page_without_its_key_is_refused(served: Served, browsers: Callable[..., Browser]) -> None:
    phone = browsers(PHONE)
    phone.open(local(served.motion_url).replace("token=", "token=x"))
    assert "needs its key" in page(phone)
    assert phone.driver.find_elements("id", "go") == []

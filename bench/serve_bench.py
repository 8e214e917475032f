"""`treadmill serve` measured in headless Chromium, beside the terminal app.

* **Page load to first frame**: from the browser's navigation start to the first screen
  bytes drawn (the page's ``-first-byte`` mark), with a new server each time, so the app
  process starts cold (median and worst of 5, phone size); and a browser re-attaching to a
  session under way (median of 5).
* **CPU over a whole workout**: `treadmill serve --virtual --plan first-steps-backward` with
  a tablet-sized browser attached, the server and the app process together, against the
  peer run side by side: `treadmill run` with the same options in tmux, at the same size in
  cells as the browser's terminal. Both read from ``/proc``; the browser's own CPU is not
  counted (it is on the tablet).
* ``--phone``: the same with the phone you carry streaming its motion sensors at 20 Hz to the
  sensor socket (a client sending what the page sends), the peer ``treadmill run --phone``
  (the virtual runner's phone, 20 readings a second through the same pipeline); and the time
  from the tap on the sensor page's Start to the first reading heard by the server, in
  Chromium with its sensors set through DevTools (median and worst of 5).
* ``--screenshots DIR`` also saves the phone and tablet screenshots used in docs/serve.md.

Run: ``python -m bench.serve_bench`` (about 13 minutes: the workout runs at 1x), or
``--time-scale 4`` for a quick look (not the figure). Needs Chromium, chromium-driver, tmux.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import aiohttp

from bench.tui_bench import Run, session_env
from tests.browser import CHROMEDRIVER, CHROMIUM, PHONE, TABLET, Browser, Served, start_serve
from tests.support import wait_until
from tests.terminal import Tmux, wait_for
from treadmill.virtual.phone import PHONE_RATE_HZ, BodyPhone, Mount
from treadmill.workout.builtin import builtin_plans

PLAN = "first-steps-backward"
FIRST_FRAME_JS = """
const done = arguments[0];
const seen = () => document.body && document.body.classList.contains('-first-byte');
(function check() { seen() ? done(performance.now()) : setTimeout(check, 5); })();
"""


def shows(browser: Browser, text: str) -> Callable[[], bool]:
    """A condition: ``text`` is on the browser's screen."""
    return lambda: text in browser.screen_text()


def first_frame_ms(browser: Browser, url: str) -> float:
    browser.open(url)
    browser.driver.set_script_timeout(60)
    return float(browser.driver.execute_async_script(FIRST_FRAME_JS))


def load_times(repeats: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            served = start_serve(["--virtual", "--plan", PLAN], Path(home))
            try:
                browser = Browser(PHONE)
                cold.append(first_frame_ms(browser, served.url))
                wait_until(shows(browser, "Now:"), "the live screen")
                browser.close()
                again = Browser(PHONE)
                warm.append(first_frame_ms(again, served.url))
                again.close()
            finally:
                served.stop()
    return cold, warm


def screenshots(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        served = start_serve(["--virtual", "--plan", PLAN, "--time-scale", "10"], Path(home))
        try:
            browser = Browser(PHONE)
            browser.open(served.url)
            wait_until(shows(browser, "CAUTION"), "the first turn's warning", within_s=120)
            browser.screenshot(folder / "serve-phone.png")
            browser.resize(TABLET)
            time.sleep(1.0)  # the app redraws for the new size
            browser.screenshot(folder / "serve-tablet.png")
            browser.close()
        finally:
            served.stop()
    print(f"screenshots: {folder / 'serve-phone.png'}, {folder / 'serve-tablet.png'}")


class SensorPage:
    """What the sensor page sends, at 20 readings a second, from a thread of its own."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.stopped = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=lambda: asyncio.run(self._stream()), daemon=True)
        self.thread.start()

    async def _stream(self) -> None:
        phone = BodyPhone(1, mount=Mount.POCKET)
        url = self.served.base.replace("http", "ws", 1) + "/motion/ws?id=bench"
        async with (
            aiohttp.ClientSession(cookies={"treadmill_token": self.served.token}) as client,
            client.ws_connect(url) as socket,
        ):
            started = time.monotonic()
            while not self.stopped.is_set():
                t = time.monotonic() - started
                await socket.send_str(json.dumps(phone.reading(t, 0.0, 110.0, 4.0).to_json()))
                self.sent += 1
                await asyncio.sleep(1.0 / PHONE_RATE_HZ)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)


def heard(browser: Browser) -> bool:
    """The sensor page has heard that the server got its first reading."""
    return browser.driver.execute_script("return window.__firstHeard") is not None


def tap_to_first_reading(repeats: int) -> list[float]:
    """Milliseconds from the tap on Start to the page hearing that the server had its first reading."""
    out = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            served = start_serve(["--virtual", "--plan", PLAN, "--tls"], Path(home))
            try:
                browser = Browser(PHONE, trusting=Path(home) / "serve-tls" / "certificate.pem")
                for sensor, reading in (
                    ("accelerometer", {"x": 0.0, "y": 9.8, "z": 0.3}),
                    ("gyroscope", {"x": 0.0, "y": 0.0, "z": 0.0}),
                    ("linear-acceleration", {"x": 0.0, "y": 0.0, "z": 0.0}),
                ):
                    browser.driver.execute_cdp_cmd(
                        "Emulation.setSensorOverrideEnabled", {"enabled": True, "type": sensor}
                    )
                    browser.driver.execute_cdp_cmd(
                        "Emulation.setSensorOverrideReadings", {"type": sensor, "reading": {"xyz": reading}}
                    )
                host = served.motion_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
                browser.open(served.motion_url.replace(host, "localhost", 1))
                browser.driver.find_element("id", "go").click()
                wait_until(partial(heard, browser), "a reading")
                tapped, first = browser.driver.execute_script("return [window.__tapped, window.__firstHeard]")
                out.append(float(first) - float(tapped))
                browser.close()
            finally:
                served.stop()
    return out


def whole_workout(time_scale: float, sample_s: float, *, phone: bool) -> None:
    plan = builtin_plans()[PLAN]
    options = ["--virtual", "--plan", PLAN, "--time-scale", f"{time_scale:g}"]
    length_s = (plan.duration_s or 0.0) / time_scale + 10
    sensor: SensorPage | None = None
    with tempfile.TemporaryDirectory() as home:
        served = start_serve(options, Path(home))
        tmux = Tmux()
        try:
            browser = Browser(TABLET)
            browser.open(served.url)
            wait_until(
                lambda: "Now:" in browser.screen_text() and browser.cells() is not None, "the live screen"
            )
            cells = browser.cells()
            assert cells is not None
            app_pid = next(
                int(p.name)
                for p in Path("/proc").iterdir()
                if p.name.isdigit() and b"tui\0run" in (p / "cmdline").read_bytes()
            )
            server, app = Run("serve: server", served.process.pid), Run("serve: app", app_pid)
            if phone:
                sensor = SensorPage(served)
            with session_env() as env:
                peer = [*options, "--phone"] if phone else options
                pid = tmux.start("terminal", cells, [sys.executable, "-m", "tui", "run", *peer], env)
                wait_for(tmux, "terminal", "Now:", 60)
                terminal = Run(f"terminal {cells[0]}x{cells[1]}", pid)
                runs = [server, app, terminal]
                started = time.perf_counter()
                while time.perf_counter() - started < length_s:
                    for run in runs:
                        run.sample()
                    time.sleep(sample_s)
                for run in runs:
                    run.sample()
            browser.close()
        finally:
            if sensor is not None:
                sensor.stop()
            tmux.kill()
            served.stop()
    both = server.percent() + app.percent()
    streaming = f", the phone streaming ({sensor.sent} readings sent)" if sensor is not None else ""
    print(
        f"CPU over a whole '{PLAN}' workout at {time_scale:g}x ({length_s / 60:.1f} min), "
        f"browser {cells}{streaming}:"
    )
    print(f"  serve (server {server.percent():.1f} % + app {app.percent():.1f} %): {both:.1f} % of a core")
    print(f"  terminal app at the same size (the peer): {terminal.percent():.1f} %")
    print(f"  ratio serve / terminal: {both / terminal.percent():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="the CPU run's speed (1: the figure)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="save the docs' screenshots here")
    parser.add_argument("--phone", action="store_true", help="with the phone you carry streaming at 20 Hz")
    args = parser.parse_args()
    if CHROMIUM is None or CHROMEDRIVER is None:
        print("skipped: needs chromium and chromium-driver (apt-get install chromium chromium-driver)")
        return
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        screenshots(args.screenshots)
    if args.phone:
        taps = tap_to_first_reading(args.repeats)
        print(
            f"tap on the sensor page to its first reading heard: median {statistics.median(taps):.0f} ms, "
            f"worst {max(taps):.0f} ms (n={len(taps)})"
        )
        whole_workout(args.time_scale, 30.0 / args.time_scale, phone=True)
        return
    cold, warm = load_times(args.repeats)
    print(
        f"page load to first frame, new app (phone): median {statistics.median(cold):.0f} ms, "
        f"worst {max(cold):.0f} ms (n={len(cold)})"
    )
    print(f"page load to first frame, re-attaching: median {statistics.median(warm):.0f} ms (n={len(warm)})")
    whole_workout(args.time_scale, 30.0 / args.time_scale, phone=False)


if __name__ == "__main__":
    main()

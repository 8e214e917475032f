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
* ``--screenshots DIR`` also saves the phone and tablet screenshots used in docs/serve.md.

Run: ``python -m bench.serve_bench`` (about 13 minutes: the workout runs at 1x), or
``--time-scale 4`` for a quick look (not the figure). Needs Chromium, chromium-driver, tmux.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.tui_bench import Run, session_env
from tests.browser import CHROMEDRIVER, CHROMIUM, PHONE, TABLET, Browser, start_serve
from tests.support import wait_until
from tests.terminal import Tmux, wait_for
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


def whole_workout(time_scale: float, sample_s: float) -> None:
    plan = builtin_plans()[PLAN]
    options = ["--virtual", "--plan", PLAN, "--time-scale", f"{time_scale:g}"]
    length_s = (plan.duration_s or 0.0) / time_scale + 10
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
            with session_env() as env:
                pid = tmux.start("terminal", cells, [sys.executable, "-m", "tui", "run", *options], env)
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
            tmux.kill()
            served.stop()
    both = server.percent() + app.percent()
    print(f"CPU over a whole '{PLAN}' workout at {time_scale:g}x ({length_s / 60:.1f} min), browser {cells}:")
    print(f"  serve (server {server.percent():.1f} % + app {app.percent():.1f} %): {both:.1f} % of a core")
    print(f"  terminal app at the same size (the peer): {terminal.percent():.1f} %")
    print(f"  ratio serve / terminal: {both / terminal.percent():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="the CPU run's speed (1: the figure)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="save the docs' screenshots here")
    args = parser.parse_args()
    if CHROMIUM is None or CHROMEDRIVER is None:
        print("skipped: needs chromium and chromium-driver (apt-get install chromium chromium-driver)")
        return
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        screenshots(args.screenshots)
    cold, warm = load_times(args.repeats)
    print(
        f"page load to first frame, new app (phone): median {statistics.median(cold):.0f} ms, "
        f"worst {max(cold):.0f} ms (n={len(cold)})"
    )
    print(f"page load to first frame, re-attaching: median {statistics.median(warm):.0f} ms (n={len(warm)})")
    whole_workout(args.time_scale, 30.0 / args.time_scale)


if __name__ == "__main__":
    main()

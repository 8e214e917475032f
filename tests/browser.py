"""`treadmill serve` in its own process, and headless Chromium to look at it (tests and bench).

The browser is the system's Chromium driven through Selenium and chromium-driver (Debian:
``apt-get install chromium chromium-driver``). What the page receives over its websocket is
collected by a script the browser runs before the page's own: the screen's text, as the
browser drew it, and the size in cells the page asked the app for.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PHONE = (390, 844)
TABLET = (1024, 768)
SERVE = (sys.executable, "-m", "tui", "serve")
START_S = 60.0

# Collects the screen output the page receives, before the page's own script runs.
TAP = """
(() => {
  const Native = window.WebSocket;
  window.__screen = [];
  window.WebSocket = function (url, protocols) {
    const socket = new Native(url, protocols);
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      if (typeof data === 'string' && data.startsWith('["resize"')) window.__size = JSON.parse(data)[1];
      send(data);
    };
    socket.addEventListener('message', (e) => {
      if (typeof e.data !== 'string') window.__screen.push(new TextDecoder().decode(e.data));
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?<>]*[A-Za-z]")


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    data: Path
    motion_url: str = ""
    """The sensor page's address, for the phone you carry."""
    announced: str = ""
    """What it printed when it started (the addresses, the certificate)."""

    @property
    def base(self) -> str:
        return self.url.split("/?", 1)[0]

    @property
    def token(self) -> str:
        return self.url.rsplit("token=", 1)[1]

    def stop(self) -> str:
        """Ctrl-C, as a person would (the app saves its session first); what it printed since."""
        if self.process.poll() is not None:
            return ""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return out + err

    def recordings(self) -> list[Path]:
        return sorted((self.data / "sessions").glob("*.jsonl"))


def start_serve(
    options: Sequence[str], home: Path, log: str = "warning", max_files: int | None = None
) -> Served:
    """`treadmill serve OPTIONS --port 0` with its own history under ``home``; once it printed its address.

    ``max_files``: the server's limit on open files (a desktop's usual 1,024, say).
    """
    env = {**os.environ, "TREADMILL_DATA_DIR": str(home / "data"), "TREADMILL_CONFIG_DIR": str(home)}
    env["TREADMILL_LOG"] = log

    def limit_files() -> None:
        if max_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))

    process = subprocess.Popen(
        [*SERVE, *options, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=limit_files,  # noqa: PLW1509 - setrlimit only, in the child before exec
    )
    assert process.stdout is not None
    # Raw reads: the text wrapper's readline would buffer lines that select() then never sees.
    fd, seen = process.stdout.fileno(), b""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 1.0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:  # it ended
                break
            seen += chunk
            whole = seen[: seen.rfind(b"\n") + 1]  # only lines that have ended
            lines = whole.decode(errors="replace").splitlines()
            urls = [line.strip() for line in lines if line.strip().startswith(("http://", "https://"))]
            if any(line.startswith("Ctrl-C stops the server") for line in lines):  # the last it announces
                return Served(process, urls[0], home / "data", urls[1], "\n".join(lines))
    process.kill()
    raise RuntimeError(f"serve printed no address: {process.communicate()[1].strip()}")


def spki_pin(certificate: Path) -> str:
    """The base64 SHA-256 of a certificate's public key (what Chromium pins a key by)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class Browser:
    """One headless Chromium with its own profile (so its own cookies: another person's phone)."""

    def __init__(self, size: tuple[int, int] = TABLET, *, trusting: Path | None = None) -> None:
        """A new browser, its viewport ``size`` (CSS pixels).

        ``trusting``: a certificate (PEM) this browser accepts, as a person does once on their phone;
        it trusts that key only (Chromium's ``--ignore-certificate-errors-spki-list``), not any other.
        """
        from selenium import webdriver  # noqa: PLC0415 - only where Chromium is
        from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
            options.add_argument(argument)
        if trusting is not None:
            options.add_argument(f"--ignore-certificate-errors-spki-list={spki_pin(trusting)}")
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})
        self.resize(size)

    def resize(self, size: tuple[int, int]) -> None:
        width, height = size
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def downloads_to(self, folder: Path) -> None:
        """Save what the page downloads into ``folder``."""
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
        )

    def open(self, url: str) -> None:
        self.driver.get(url)

    def cells(self) -> tuple[int, int] | None:
        """The terminal's size in cells, as the page last asked the app for it."""
        size = self.driver.execute_script("return window.__size || null")
        return (int(size["width"]), int(size["height"])) if size else None

    def screen_text(self) -> str:
        return ESCAPES.sub("", "".join(self.driver.execute_script("return window.__screen || []")))

    def first_frame(self) -> bool:
        return "-first-byte" in (self.driver.find_element("tag name", "body").get_attribute("class") or "")

    def press(self, keys: str) -> None:
        """Type ``keys`` into the terminal, as a person would (focused by script: Chromium 150 finds the
        terminal's hidden textarea "not interactable" for element-targeted keys)."""
        from selenium.webdriver.common.action_chains import ActionChains  # noqa: PLC0415

        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        ActionChains(self.driver).send_keys(keys).perform()

    def page_text(self) -> str:
        return str(self.driver.find_element("tag name", "body").text)

    def screenshot(self, path: Path) -> bytes:
        self.driver.save_screenshot(str(path))
        return path.read_bytes()

    def close(self) -> None:
        self.driver.quit()

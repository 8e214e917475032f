"""A real terminal for the app: a private tmux server (tests and bench)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMUX = shutil.which("tmux")


class Tmux:
    """A private tmux server (its own socket), torn down at the end."""

    def __init__(self) -> None:
        self.socket = f"treadmill-{os.getpid()}-{id(self)}"
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "keep")
        self.run("set-option", "-g", "remain-on-exit", "on")  # a command that fails leaves its words

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def start(self, name: str, size: tuple[int, int], command: list[str], env: dict[str, str]) -> int:
        """``command`` in a new session of ``size``; its process id (the pane's own)."""
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        line = f"cd {ROOT} && exec env {exports} " + " ".join(command)
        self.run("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), line)
        pid = self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip()
        if not pid.isdigit():
            raise RuntimeError(f"tmux did not start {command}")
        return int(pid)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def ended(self, name: str) -> bool:
        """The command in session ``name`` has exited (its pane is kept, dead)."""
        return self.run("display-message", "-p", "-t", name, "#{pane_dead}").strip() == "1"

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def kill(self) -> None:
        self.run("kill-server")


def wait_for(tmux: Tmux, name: str, text: str, timeout_s: float, every_s: float = 0.01) -> float:
    """Seconds until ``text`` is in the pane."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if text in tmux.screen(name):
            return time.perf_counter() - started
        time.sleep(every_s)
    raise TimeoutError(f"{name}: {text!r} did not show in {timeout_s:g} s:\n{tmux.screen(name)}")

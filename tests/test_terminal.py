"""The app in a real terminal (tmux): `treadmill demo` as a person starts it, keys and all.

Skips, saying so, where tmux is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import wait_until
from tests.terminal import TMUX, Tmux, wait_for

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
WAIT_S = 60.0


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    terminal = Tmux()
    try:
        yield terminal
    finally:
        terminal.kill()


def test_demo_in_a_terminal_coaches_then_quits_and_keeps_the_session(tmux: Tmux, tmp_path: Path) -> None:
    env = {"TREADMILL_DATA_DIR": str(tmp_path), "TREADMILL_CONFIG_DIR": str(tmp_path)}
    env["TERM"] = "xterm-256color"
    tmux.start("demo", (80, 24), [sys.executable, "-m", "tui", "demo", "--time-scale", "20"], env)
    wait_for(tmux, "demo", "TURN BACKWARD IN", WAIT_S)
    wait_for(tmux, "demo", "Now: 3 min forward at 3.5 km/h", WAIT_S)
    wait_for(tmux, "demo", "CAUTION", WAIT_S)  # the rails banner before the first turn
    tmux.keys("demo", "?")
    wait_for(tmux, "demo", "Tell the detector you face backward", WAIT_S)
    tmux.keys("demo", "Escape")
    wait_until(lambda: "Tell the detector you face backward" not in tmux.screen("demo"), "the help to close")
    tmux.keys("demo", "q")
    wait_for(tmux, "demo", "A workout is running.", WAIT_S)
    tmux.keys("demo", "y")
    wait_until(lambda: tmux.ended("demo"), "the app to quit")
    [summary] = (tmp_path / "sessions").glob("*.json")
    assert json.loads(summary.read_text())["duration_s"] > 0


def process_ended(pid: int) -> bool:
    """The process has exited (gone, or a zombie its parent has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


IGNORING_HANGUPS = (  # as nohup starts a program: the hang-up signal ignored
    "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'tui', 'demo', '--time-scale', '20'])"
)


@pytest.mark.parametrize("hangup", [True, False], ids=["hang-up", "hang-up-ignored"])
def test_a_terminal_that_goes_away_ends_the_session_saved_and_the_app(
    tmux: Tmux, tmp_path: Path, hangup: bool
) -> None:
    """The terminal closes mid-workout (its window, an SSH link). With a hang-up signal, or
    without one (started under nohup), the session ends as the stop key ends it, its summary is
    written, and the process ends: never a session nobody can see, spinning a core."""
    env = {
        "TREADMILL_DATA_DIR": str(tmp_path),
        "TREADMILL_CONFIG_DIR": str(tmp_path),
        "TERM": "xterm-256color",
    }
    command = [sys.executable, "-m", "tui", "demo", "--time-scale", "20"]
    if not hangup:
        command = [sys.executable, "-c", shlex.quote(IGNORING_HANGUPS)]
    pid = tmux.start("demo", (80, 24), command, env)
    wait_for(tmux, "demo", "TURN BACKWARD IN", WAIT_S)
    tmux.run("kill-session", "-t", "demo")
    wait_until(lambda: process_ended(pid), "the app to end after its terminal went away", within_s=WAIT_S)
    [summary] = (tmp_path / "sessions").glob("*.json")
    assert json.loads(summary.read_text())["duration_s"] > 0
    [recording] = (tmp_path / "sessions").glob("*.jsonl")
    assert recording.read_text().endswith("\n"), "no line cut short"


def test_a_terminal_that_goes_away_after_the_session_ends_the_app(tmux: Tmux, tmp_path: Path) -> None:
    """On the summary, with the session saved: the app ends at once when its terminal goes."""
    env = {
        "TREADMILL_DATA_DIR": str(tmp_path),
        "TREADMILL_CONFIG_DIR": str(tmp_path),
        "TERM": "xterm-256color",
    }
    pid = tmux.start("demo", (80, 24), [sys.executable, "-c", shlex.quote(IGNORING_HANGUPS)], env)
    wait_for(tmux, "demo", "TURN BACKWARD IN", WAIT_S)
    tmux.keys("demo", "s")
    wait_for(tmux, "demo", "How did it feel?", WAIT_S)
    tmux.run("kill-session", "-t", "demo")
    wait_until(lambda: process_ended(pid), "the app to end", within_s=10.0)

"""The app in a real terminal (tmux): `treadmill demo` as a person starts it, keys and all.

Skips, saying so, where tmux is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import json
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

"""What the user asked the app to open: ``treadmill demo``, ``run``, ``replay`` or ``dashboard``.

The command line (``treadmill.cli``) parses and checks the request; the Textual app
(``tui``) opens it. The library never imports the app: the app's entry point hands the
command line a launcher (``AppLauncher``) that takes an :class:`AppRequest`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from treadmill.mqtt.settings import MqttSettings
from treadmill.session.recording import RecordOptions

__all__ = ["AppLauncher", "AppRequest"]


@dataclass(frozen=True, slots=True)
class AppRequest:
    """One app session to open."""

    mode: str
    """``demo`` (virtual treadmill, built-in workout), ``run`` (a treadmill), ``replay`` (a fixture) or
    ``dashboard`` (every treadmill publishing to ``mqtt``)."""
    options: RecordOptions | None = None
    """demo and run: what to connect to and how; the app picks the fixture path (``out``) itself."""
    plan_id: str | None = None
    """The workout's id or file as the user named it; None: the user picks one in the app."""
    pick_device: bool = False
    """run without ``--device``: the user picks the treadmill (and sensors) from a scan."""
    fixture: Path | None = None
    """replay: the fixture to play."""
    replay_speed: float | None = 1.0
    """replay: session seconds per wall second (None: as fast as possible)."""
    tolerant: bool = False
    """replay: skip bad fixture lines."""
    mqtt: MqttSettings | None = None
    """replay: publish to this broker (demo and run carry it in ``options``); dashboard: follow it."""


AppLauncher = Callable[[AppRequest], int]
"""Opens the app for a request; returns the exit status."""

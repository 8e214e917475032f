"""What the person asked the app to open: a demo, a live run, a replay, or the dashboard."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from treadmill.mqtt.settings import MqttSettings
from treadmill.session.options import SessionOptions

__all__ = ["AppMode", "AppRequest"]


class AppMode(enum.StrEnum):
    """Which way into the app."""

    DEMO = "demo"
    """The virtual treadmill coaching a built-in workout."""
    RUN = "run"
    """A treadmill (or the virtual one), picked and coached."""
    REPLAY = "replay"
    """A recording played back through the same pipeline."""
    DASHBOARD = "dashboard"
    """Every treadmill publishing to a broker."""


@dataclass(frozen=True, slots=True)
class AppRequest:
    """One app session to open."""

    mode: AppMode
    options: SessionOptions | None = None
    """demo and run: what to connect to and how (the app picks the recording's name itself)."""
    plan_id: str | None = None
    """The workout's id or file as the person named it; None: they pick one in the app."""
    control: bool = False
    """Let the app drive the belt through the workout (once one is picked)."""
    pick_device: bool = False
    """run without ``--device``: the person picks the treadmill (and sensors) from a scan."""
    fixture: Path | None = None
    """replay: the recording to play."""
    replay_speed: float | None = 1.0
    """replay: session seconds per wall second (None: as fast as possible)."""
    tolerant: bool = False
    """replay: skip bad lines."""
    mqtt: MqttSettings | None = None
    """Publish to this broker (demo, run, replay); dashboard: follow it."""
    speak: bool = False
    """Say the cues aloud as well."""

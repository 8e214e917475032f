"""What flows out of a source: raw frames and link events, stamped with session time.

A :class:`Frame` is what arrived, when, from which characteristic and sensor: raw bytes,
recorded before anything decodes them (architecture.md). A :class:`LinkEvent` says what
happened to the link (connected, disconnected, stale, ...). Both are plain and frozen;
foreign types (bleak's ``bytearray``, devices) are converted before they get here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Cue", "Frame", "LinkEvent", "LinkEventKind", "Sensor"]


class Sensor(enum.StrEnum):
    """Which device a frame came from (fixture ``src``, contracts.md §2)."""

    TREADMILL = "treadmill"
    HEART_RATE = "hr"
    FOOTPOD = "footpod"


@dataclass(frozen=True, slots=True)
class Frame:
    """One notification or indication payload as it arrived."""

    t: float
    """Session time of arrival, s."""
    char: str
    """Characteristic, canonical short form (``2acd``)."""
    data: bytes
    src: Sensor = Sensor.TREADMILL


class LinkEventKind(enum.StrEnum):
    """Session events a source reports (fixture ``event`` lines)."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    GAVE_UP = "gave_up"
    STALE = "stale"
    """No Treadmill Data for longer than the watchdog allows."""
    FRESH = "fresh"
    """Data flows again after a stale period."""
    CONTROL_GRANTED = "control_granted"
    CONTROL_LOST = "control_lost"
    MARKED = "marked"
    """The user pressed the key: ``detail`` is the direction they face (``forward``/``reverse``)."""


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """Something that happened to a sensor's link."""

    t: float
    kind: LinkEventKind
    src: Sensor = Sensor.TREADMILL
    detail: str = ""
    """Human-readable detail (the reason, the gap length, the attempt number)."""


@dataclass(frozen=True, slots=True)
class Cue:
    """The app told the user to switch direction (fixture ``cue`` lines)."""

    t: float
    direction: str
    """``forward``, ``reverse`` or ``stop``."""

    @property
    def words(self) -> str:
        """What the cue told the user, for a replay or a subscriber that has no coach to ask."""
        return {
            "reverse": "Turn now: face backward.",
            "forward": "Turn now: face forward.",
            "stop": "Stop.",
        }.get(self.direction, self.direction)

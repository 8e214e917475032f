"""A treadmill that lies: bogus frames for testing that bad data can never steer the belt.

Real peers misbehave: a second app writing to the same machine, firmware that reports a
stale speed after an emergency stop, a radio that corrupts a notification. An outside red
team made these patterns drive the app's belt control; the virtual treadmill can now play
them (``treadmill simulate --hostile KIND``, ``treadmill record --virtual --hostile KIND``),
and ``bench.hostile_peer`` runs each through a whole controlled workout.

Pure: :class:`HostileFrames` says which payloads to send when; the peripheral sends them.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field

from treadmill.ftms import TreadmillData

__all__ = ["HostileFrames", "Hostility", "StopBy"]


class Hostility(enum.StrEnum):
    """What the hostile treadmill does, from its start time on."""

    ALTERNATING = "alternating"
    """Speed-only Treadmill Data frames alternating 0 and 12 km/h, twice a second, beside the real ones."""
    FLOOD = "flood"
    """The same at ten frames a second."""
    ABSURD = "absurd"
    """Frames of 655.35 km/h and an incline of -3276.8 %, mixed with 0 and 12 km/h, twice a second."""
    STALE_AFTER_STOP = "stale-after-stop"
    """The safety key is pulled, and the treadmill goes on reporting the speed from before the stop."""
    RANDOM = "random"
    """Random bytes of random length on Treadmill Data, twice a second."""

    @property
    def words(self) -> str:
        """One line for ``--help`` and the bench's report."""
        return _WORDS[self]


class StopBy(enum.StrEnum):
    """How the stale-after-stop treadmill is stopped: each reports a different Machine Status."""

    SAFETY_KEY = "safety_key"
    """Stopped by Safety Key (op 0x03)."""
    CONSOLE_STOP = "console_stop"
    """Stopped or Paused by the User, stop (op 0x02, parameter 0x01)."""
    CONSOLE_PAUSE = "console_pause"
    """Stopped or Paused by the User, pause (op 0x02, parameter 0x02)."""


_WORDS = {
    Hostility.ALTERNATING: "0 and 12 km/h speed-only frames, 2 a second, beside the real ones",
    Hostility.FLOOD: "0 and 12 km/h speed-only frames, 10 a second, beside the real ones",
    Hostility.ABSURD: "655.35 km/h, -3276.8 % incline, 0 and 12 km/h frames, 2 a second",
    Hostility.STALE_AFTER_STOP: "the safety key pulled, then the old speed reported on and on",
    Hostility.RANDOM: "random bytes on Treadmill Data, 2 a second",
}
_BOGUS_KMH = (0.0, 12.0)
_ABSURD = (
    TreadmillData(instantaneous_speed_kmh=655.35),
    TreadmillData(instantaneous_speed_kmh=0.0),
    TreadmillData(instantaneous_speed_kmh=5.0, inclination_pct=-3276.8, ramp_angle_deg=-3276.8),
    TreadmillData(instantaneous_speed_kmh=12.0),
)


@dataclass
class HostileFrames:
    """The bogus payloads of one hostile treadmill, in order."""

    kind: Hostility
    start_s: float = 60.0
    """Session time the lying starts (the workout under way)."""
    stop_by: StopBy = StopBy.SAFETY_KEY
    """How the stale-after-stop treadmill is stopped."""
    seed: int = 1
    _count: int = 0
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        """A seeded source of junk."""
        self._rng = random.Random(self.seed)

    @property
    def period_s(self) -> float | None:
        """Session seconds between bogus frames (None: this kind sends none of its own)."""
        if self.kind is Hostility.STALE_AFTER_STOP:
            return None
        return 0.1 if self.kind is Hostility.FLOOD else 0.5

    def next_payload(self) -> bytes:
        """The next bogus Treadmill Data payload."""
        self._count += 1
        if self.kind is Hostility.RANDOM:
            return self._rng.randbytes(self._rng.randrange(0, 24))
        if self.kind is Hostility.ABSURD:
            return bytes(_ABSURD[self._count % len(_ABSURD)])
        return bytes(TreadmillData(instantaneous_speed_kmh=_BOGUS_KMH[self._count % 2]))

"""The session clock: seconds since the session began, optionally running faster than real time.

One clock per session (docs/architecture.md): sources timestamp frames with it, the virtual
treadmill schedules its ticks with it, so a session recorded at ``time_scale=20`` has the
same session times as one recorded at 1x. Only I/O code reads it; the numpy core gets time
with the data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["SessionClock"]


class SessionClock:
    """Session time in seconds: ``(monotonic now - start) * time_scale``."""

    def __init__(self, time_scale: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        """Start counting now.

        Args:
            time_scale: session seconds per wall-clock second (20 runs a session 20x faster).
            monotonic: the wall clock, injectable for tests.
        """
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._start = monotonic()

    def now(self) -> float:
        """Session seconds since the start."""
        return (self._monotonic() - self._start) * self.time_scale

    def wall_seconds(self, session_seconds: float) -> float:
        """How long ``session_seconds`` take on the wall clock."""
        return session_seconds / self.time_scale

    async def sleep_until(self, t: float) -> None:
        """Sleep until session time ``t`` (at once when it has passed)."""
        delay = self.wall_seconds(t - self.now())
        await asyncio.sleep(max(delay, 0.0))

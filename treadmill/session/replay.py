"""A recorded fixture as a session source: at recorded speed, N times faster, or flat out.

:class:`ReplaySource` yields the same items a live source does (frames, link events) plus
the cues the app gave, each at its recorded session time. It keeps its own position on
the session timeline, so it can pause, resume and seek.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncIterator

from treadmill.clock import loop_time
from treadmill.model import ControlReply, Cue, Frame, LinkEvent, StatusReport
from treadmill.storage.fixtures import Fixture

__all__ = ["ReplaySource"]

ReplayItem = Frame | LinkEvent | Cue


class ReplaySource:
    """Plays a fixture's items back on a session timeline.

    Args:
        fixture: what to play.
        speed: session seconds per second of the event loop's clock (1.0: as recorded, on an
            ordinary loop); None: as fast as possible.
    """

    def __init__(self, fixture: Fixture, *, speed: float | None = 1.0) -> None:
        """Positioned at the start, playing."""
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive (or None: as fast as possible)")
        self.fixture = fixture
        self.speed = speed
        self._times = [item.t for item in fixture.items]
        self._next = 0
        self._anchor_wall = loop_time()
        self._anchor_t = 0.0
        self._playing = asyncio.Event()
        self._playing.set()
        self._moved = asyncio.Event()

    @property
    def position_s(self) -> float:
        """Where playback is on the session timeline."""
        if self.speed is None:
            return self._times[self._next - 1] if self._next else 0.0
        if not self._playing.is_set():
            return self._anchor_t
        return self._anchor_t + (loop_time() - self._anchor_wall) * self.speed

    @property
    def finished(self) -> bool:
        """True once every item has been yielded."""
        return self._next >= len(self._times)

    @property
    def paused(self) -> bool:
        """True while playback is held."""
        return not self._playing.is_set()

    def pause(self) -> None:
        """Hold playback where it is."""
        if self._playing.is_set():
            self._anchor_t = self.position_s
            self._playing.clear()
            self._moved.set()

    def resume(self) -> None:
        """Play on from where it was paused."""
        if not self._playing.is_set():
            self._anchor_wall = loop_time()
            self._playing.set()
            self._moved.set()

    def seek(self, t: float) -> None:
        """Jump to session time ``t``: the next item is the first at or after it."""
        self._next = bisect.bisect_left(self._times, t)
        self._anchor_t = t
        self._anchor_wall = loop_time()
        self._moved.set()

    async def _wait_until(self, t: float, speed: float) -> None:
        """Sleep until playback reaches ``t``, waking early when paused, resumed or moved."""
        while True:
            await self._playing.wait()
            delay = (t - self.position_s) / speed
            if delay <= 0:
                return
            self._moved.clear()
            try:
                async with asyncio.timeout(delay):
                    await self._moved.wait()
            except TimeoutError:
                return

    def pending_items(self) -> list[ReplayItem]:
        """Nothing is buffered: a stopped replay simply ends."""
        return []

    def acknowledge(self, item: StatusReport | ControlReply) -> None:
        """A recorded reply answers nothing: a replay sends no commands."""

    async def items(self) -> AsyncIterator[ReplayItem]:
        """Every item from the current position on, in recorded order and at recorded pace."""
        items = self.fixture.items
        while self._next < len(items):
            index = self._next
            if self.speed is not None:
                await self._wait_until(items[index].t, self.speed)
                if self._next != index:  # a seek moved playback while waiting
                    continue
            self._next = index + 1
            yield items[index]

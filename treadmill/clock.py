"""The session clock, and virtual time for sessions that need no wall clock.

One clock per session (docs/architecture.md): sources timestamp frames with it, the virtual
treadmill schedules its ticks with it, the coach times its cues by it. It reads the running
event loop's own clock, so the same code runs on two kinds of time:

* **wall-clock time**, on an ordinary event loop: a real treadmill, or the virtual one
  being watched (``time_scale`` > 1 runs the demo faster than life);
* **virtual time**, on a :class:`VirtualTimeLoop`: whenever nothing is ready to run, the
  loop's clock jumps straight to its next timer. A virtual session then runs as fast as
  the CPU allows, and its frames, cues and events are the same on a busy machine as on an
  idle one, because nothing in it waits on the wall clock.

Only I/O code reads the clock; the numpy core gets time with the data.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["SessionClock", "VirtualTimeLoop", "loop_time", "run_in_virtual_time"]

_T = TypeVar("_T")


def loop_time() -> float:
    """The running event loop's clock: monotonic seconds, virtual on a :class:`VirtualTimeLoop`.

    Outside a running loop, the monotonic clock, which is what an ordinary loop's clock reads.
    """
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


class SessionClock:
    """Session time in seconds: ``(loop time now - start) * time_scale``, to the millisecond.

    A millisecond is what a recording keeps (and finer than any Bluetooth connection interval,
    7.5 ms at least), so a live session's times and its replay's are the same numbers. Create
    the clock inside the event loop whose time it follows (the session's).
    """

    def __init__(self, time_scale: float = 1.0, monotonic: Callable[[], float] = loop_time) -> None:
        """Start counting now.

        Args:
            time_scale: session seconds per second of loop time (20 runs a watched session 20x
                faster than life; on a virtual-time loop, 1 is already as fast as it goes).
            monotonic: the clock to follow; the running loop's by default (injectable for tests).
        """
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._start = monotonic()

    def now(self) -> float:
        """Session seconds since the start."""
        return round((self._monotonic() - self._start) * self.time_scale, 3)

    def wall_seconds(self, session_seconds: float) -> float:
        """How long ``session_seconds`` take on the loop's clock."""
        return session_seconds / self.time_scale

    async def sleep_until(self, t: float) -> None:
        """Sleep until session time ``t`` (at once when it has passed)."""
        delay = self.wall_seconds(t - self.now())
        await asyncio.sleep(max(delay, 0.0))


class _JumpingSelector(selectors.DefaultSelector):
    """The loop's selector: instead of blocking until the next timer, move the clock to it.

    Ready I/O is still taken at once (polled without waiting); with no timer at all, the
    selector blocks on I/O as usual, so a virtual-time loop still waits for a thread or a
    socket when that is all there is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout <= 0:
            return super().select(timeout)
        ready = super().select(0)
        if not ready:
            self.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps to the next timer whenever nothing is ready to run.

    ``asyncio.sleep``, timeouts and every timer run on it unchanged, in order, without
    waiting. Meant for sessions whose every part is in this process (the virtual treadmill
    on its virtual radio, the recorder, the coach): their results then depend on the seed
    alone, never on how busy the machine is.
    """

    def __init__(self) -> None:
        """A loop at virtual time 0."""
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        """Virtual seconds since the loop was made."""
        return self._jumping.now


def run_in_virtual_time(main: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run(main)`` on a :class:`VirtualTimeLoop`."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)

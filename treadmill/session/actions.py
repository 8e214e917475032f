"""What the user's keys do to a running session: pause, stop, speed, incline, direction marks.

Two kinds of session answer them: a live one (:class:`LiveActions`, the treadmill through the
FTMS client, with the workout coach) and a replay (:class:`ReplayActions`). Every action
returns one line to show the user: what happened, or why nothing did and what to do instead.

Safety (reverse-running.md §4): the app never starts the belt. Resuming a paused workout
only restarts its clock; the user starts the belt on the console. Speed and incline keys
work only with control on, only on a moving belt, and always within the user's caps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from treadmill.clock import SessionClock
from treadmill.errors import TreadmillError
from treadmill.model import LinkEvent, LinkEventKind
from treadmill.session.coach import WorkoutCoach
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource

__all__ = ["Belt", "LiveActions", "ReplayActions", "SessionActions"]

_MOVING_KMH = 0.3


class SessionActions(Protocol):
    """The user's intents, as the screen sends them."""

    @property
    def can_drive(self) -> bool:
        """Speed and incline keys do something (control is on)."""
        ...

    async def toggle_pause(self) -> str:
        """Pause, or resume after a pause."""
        ...

    def stop(self) -> str:
        """End the session (and, with control on, stop the belt)."""
        ...

    def change_speed(self, delta_kmh: float) -> str:
        """Nudge the belt's target speed."""
        ...

    def change_incline(self, delta_pct: float) -> str:
        """Nudge the target incline."""
        ...

    async def mark(self, direction: str) -> str:
        """The user says which way they face (``forward`` or ``reverse``)."""
        ...


class Belt(Protocol):
    """What a live session needs of the treadmill to pause it (the FTMS client offers it)."""

    belt_speed_kmh: float | None

    async def pause(self) -> None:
        """Pause the belt."""
        ...


async def _mark(session: Session, t: float, direction: str) -> str:
    if direction not in ("forward", "reverse"):
        raise ValueError("a mark is forward or reverse")
    await session.add_event(LinkEvent(t, LinkEventKind.MARKED, detail=direction))
    return f"Marked: you face {'backward' if direction == 'reverse' else 'forward'} (kept with the session)."


@dataclass(slots=True)
class LiveActions:
    """The keys in a live session."""

    session: Session
    clock: SessionClock
    belt: Belt
    coach: WorkoutCoach | None
    control: bool

    @property
    def can_drive(self) -> bool:
        """Speed and incline keys work: control is on and a workout is being coached."""
        return self.control and self.coach is not None

    async def toggle_pause(self) -> str:
        """Hold the workout's clock (and, with control on, pause the belt); again to go on."""
        coach, t = self.coach, self.clock.now()
        if coach is None:
            return "A free run has no workout clock: pause the belt on the treadmill's console."
        if coach.paused:
            coach.resume(t)
            if self.control:
                return "Resumed: start the belt on the treadmill's console when you are ready."
            return "Resumed."
        coach.pause(t)
        moving = self.belt.belt_speed_kmh is not None and self.belt.belt_speed_kmh >= _MOVING_KMH
        if not (self.control and moving):
            return "Workout paused: pause the belt on the treadmill's console."
        try:
            await self.belt.pause()
        except (TreadmillError, TimeoutError) as exc:
            return f"Workout paused, but the treadmill did not pause ({exc}): use its console."
        return "Paused: the belt is stopping. Space again to go on."

    def stop(self) -> str:
        """End the session; a coached belt is stopped on the way out (the coach does it)."""
        self.session.stop()
        if self.can_drive:
            return "Stopping: the belt is being stopped."
        return "Session ended: stop the belt on the treadmill's console."

    def change_speed(self, delta_kmh: float) -> str:
        """Nudge the target speed (control on only)."""
        if self.coach is None or not self.control:
            return "Control is off: change the speed on the treadmill's console."
        return self.coach.user_speed(delta_kmh)

    def change_incline(self, delta_pct: float) -> str:
        """Nudge the target incline (control on only)."""
        if self.coach is None or not self.control:
            return "Control is off: change the incline on the treadmill's console."
        return self.coach.user_incline(delta_pct)

    async def mark(self, direction: str) -> str:
        """Record which way the user faces (the detector takes it as decisive)."""
        return await _mark(self.session, self.clock.now(), direction)


@dataclass(slots=True)
class ReplayActions:
    """The keys in a replay: pause and stop the playback; nothing to drive."""

    session: Session
    source: ReplaySource
    can_drive: bool = False

    async def toggle_pause(self) -> str:
        """Pause or resume the playback."""
        if self.source.paused:
            self.source.resume()
            return "Replay resumed."
        self.source.pause()
        return "Replay paused. Space to go on."

    def stop(self) -> str:
        """End the replay here."""
        self.session.stop()
        return "Replay stopped."

    def change_speed(self, delta_kmh: float) -> str:  # noqa: ARG002 (the protocol's signature)
        """Nothing to drive in a replay."""
        return "A replay: there is no belt to drive."

    def change_incline(self, delta_pct: float) -> str:  # noqa: ARG002
        """Nothing to drive in a replay."""
        return "A replay: there is no belt to drive."

    async def mark(self, direction: str) -> str:
        """Marks in a replay are for this viewing only (the fixture is not changed)."""
        return await _mark(self.session, self.source.position_s, direction)

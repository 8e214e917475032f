"""What the user's keys do to a running session: pause, stop, speed, incline, direction marks.

Two kinds of session answer them: a live one (:class:`LiveActions`, the treadmill through the
FTMS client, with the workout coach) and a replay (:class:`ReplayActions`). Every action
returns one line to show the user: what happened, or why nothing did and what to do instead.

Safety (docs/safety.md): the app never starts the belt. Resuming a paused workout only
restarts its clock; the person starts the belt on the console. Speed and incline keys,
and remote speed commands, work only with control on, only on a moving belt, and always
through the control policy: within the caps, on the ramps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from treadmill.clock import SessionClock
from treadmill.errors import TreadmillError
from treadmill.model import Facing, LinkEvent, LinkEventKind, belt_moving
from treadmill.session.coach import WorkoutCoach
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource

__all__ = ["Console", "LiveActions", "Pausable", "ReplayActions", "SessionActions"]


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

    def set_speed(self, kmh: float) -> str:
        """A target speed (a remote command): ramped to, within the caps, never above the plan."""
        ...

    def change_incline(self, delta_pct: float) -> str:
        """Nudge the target incline."""
        ...

    async def mark(self, facing: Facing) -> str:
        """The person says which way they face."""
        ...


class Pausable(Protocol):
    """What a live session needs of the treadmill to pause it (the FTMS client offers it)."""

    async def pause(self) -> None:
        """Pause the belt."""
        ...


class Console(Protocol):
    """The virtual treadmill's console, pressed by its virtual runner when the workout pauses and resumes.

    A real treadmill's console is the person's: the app never presses Start on it.
    """

    async def console_pause(self) -> None:
        """The runner presses Pause."""
        ...

    async def console_start(self) -> None:
        """The runner presses Start."""
        ...


async def _mark(session: Session, t: float, facing: Facing) -> None:
    await session.add_event(LinkEvent(t, LinkEventKind.MARKED, detail=facing.value))


@dataclass(slots=True)
class LiveActions:
    """The keys in a live session."""

    session: Session
    clock: SessionClock
    belt: Pausable
    coach: WorkoutCoach | None
    """The session's coach (its plan None in a free run)."""
    control: bool
    end: Callable[[], None]
    """Ends the live session (the coach stops a belt it drives first, then the recording ends)."""
    console: Console | None = None
    """The virtual treadmill's console (None: a real treadmill, whose console is the person's)."""

    @property
    def _workout(self) -> WorkoutCoach | None:
        """The coach, when it runs a workout."""
        return None if self.coach is None or self.coach.plan is None else self.coach

    @property
    def can_drive(self) -> bool:
        """Speed and incline keys work: control is on and a workout is being coached."""
        return self.control and self._workout is not None

    async def toggle_pause(self) -> str:
        """Hold the workout's clock (and, with control on, pause the belt); again to go on."""
        coach, t = self._workout, self.clock.now()
        if coach is None:
            return "A free run has no workout clock: pause the belt on the treadmill's console."
        if coach.paused:
            coach.resume(t)
            return await self._resumed()
        coach.pause(t)
        return await self._paused()

    async def _resumed(self) -> str:
        if self.console is not None:
            await self.console.console_start()
            return "Resumed: the virtual runner starts the belt again. The plan goes on once it moves."
        return "Resumed: start the belt on the console when you are ready; the plan waits for it."

    async def _paused(self) -> str:
        if self.console is not None:
            await self.console.console_pause()
            return "Paused: the virtual runner pauses the belt. Space again to go on."
        latest = self.session.board.latest
        if not (self.control and latest is not None and belt_moving(latest.speed_kmh)):
            return "Workout paused: pause the belt on the treadmill's console."
        try:
            await self.belt.pause()
        except (TreadmillError, TimeoutError) as exc:
            return f"Workout paused, but the treadmill did not pause ({exc}): use its console."
        return "Paused: the belt is stopping. Space again to go on."

    def stop(self) -> str:
        """End the session; a coached belt is stopped on the way out (the coach does it)."""
        self.end()
        if self.can_drive:
            return "Stopping: the belt is being stopped."
        return "Session ended: stop the belt on the treadmill's console."

    def change_speed(self, delta_kmh: float) -> str:
        """Nudge the target speed (control on only): presses add up from where the speed is heading."""
        coach = self._workout
        if coach is None or not self.control:
            return "Control is off: change the speed on the treadmill's console."
        return coach.user_speed(delta_kmh)

    def set_speed(self, kmh: float) -> str:
        """A remote target speed (control on only): the plan's caps and ramps, and never above the plan."""
        coach = self._workout
        if coach is None or not self.control:
            return "Control is off: change the speed on the treadmill's console."
        return coach.remote_speed(kmh)

    def change_incline(self, delta_pct: float) -> str:
        """Nudge the target incline (control on only)."""
        coach = self._workout
        if coach is None or not self.control:
            return "Control is off: change the incline on the treadmill's console."
        return coach.user_incline(delta_pct)

    async def mark(self, facing: Facing) -> str:
        """Record which way the person faces: the detector holds it until they turn again."""
        await _mark(self.session, self.clock.now(), facing)
        return f"Marked: you face {facing.words}. Kept with the session."


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

    def set_speed(self, kmh: float) -> str:  # noqa: ARG002
        """Nothing to drive in a replay."""
        return "A replay: there is no belt to drive."

    async def mark(self, facing: Facing) -> str:
        """A mark in a replay corrects this viewing only (the recording is not changed)."""
        await _mark(self.session, self.source.position_s, facing)
        return f"This viewing takes you as facing {facing.words}; the recording is not changed."

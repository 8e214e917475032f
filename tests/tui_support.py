"""Helpers for the app's tests: a recorded session replayed through the real coach and board."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult

from treadmill.clock import SessionClock
from treadmill.model import Cue, Frame, LinkEvent
from treadmill.mqtt.messages import MqttStatus
from treadmill.session.actions import SessionActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.session.consumer import SessionItem
from treadmill.session.decoding import SampleDecoder
from treadmill.storage.fixtures import read_fixture
from treadmill.workout.builtin import builtin_plans
from tui.feed import Outcome
from tui.screens.live import LiveScreen

ROOT = Path(__file__).resolve().parent.parent
GUIDED = ROOT / "fixtures" / "workout-control.jsonl"
"""The Zone 2 workout recorded under control: turns cued at 540, 660 and 900 s."""


class FrozenFeed:
    """A session stopped at one moment: the board and coach as the recording left them at ``t``."""

    def __init__(self, board: LiveBoard, t: float, title: str = "Zone 2 with reverse intervals") -> None:
        self.board = board
        self.t = t
        self.title = title
        self.actions: SessionActions | None = None
        self.mqtt: MqttStatus | None = None
        self.live = True
        self.can_drive = False
        self.paused = False

    def now(self) -> float:
        return self.t

    def mqtt_status(self) -> MqttStatus | None:
        return self.mqtt

    async def run(self, on_coach: Callable[[CoachEvent], None]) -> Outcome:  # noqa: ARG002
        raise AssertionError("a frozen session does not run")


async def coached_until(
    t_end: float, path: Path = GUIDED, extra: list[LinkEvent] | None = None
) -> tuple[LiveBoard, list[CoachEvent]]:
    """Replay ``path`` to ``t_end`` through a real WorkoutCoach (ticking every 0.1 s) and a LiveBoard.

    The coach's own cues go back to the coach and the board, as the session does live; the
    recording's cue lines are left out (the coach makes them again). Every item passes the
    board first, as in the session engine.
    """
    fixture = read_fixture(path)
    board = LiveBoard()
    events: list[CoachEvent] = []

    async def take(item: SessionItem) -> None:
        await coach.handle(board.take(item))

    async def add_cue(cue: Cue) -> None:
        await take(cue)

    coach = WorkoutCoach(builtin_plans()["zone2-reverse"], add_cue, SessionClock(), on_event=events.append)
    board.coach = coach
    decoder = SampleDecoder()
    items = [i for i in fixture.items if not isinstance(i, Cue)] + list(extra or [])
    items.sort(key=lambda i: i.t)
    tick = 0.0
    for item in items:
        if item.t > t_end:
            break
        while tick <= item.t:
            await coach.tick(tick)
            tick = round(tick + 0.1, 1)
        if isinstance(item, Frame):
            await coach.handle(item)
            decoded = decoder.feed(item)
            if decoded is not None:
                await take(decoded)
        else:
            decoder.on_event(item)
            await take(item)
    while tick <= t_end:
        await coach.tick(tick)
        tick = round(tick + 0.1, 1)
    return board, events


def replayed_until(t_end: float, path: Path = GUIDED) -> LiveBoard:
    """A replay of ``path`` with no plan in its header, stopped at ``t_end``: no coach, the board
    counting to the recording's own cue lines (as :class:`tui.feed.ReplayFeed` sets it up)."""
    fixture = read_fixture(path)
    board = LiveBoard(recorded_cues=tuple(fixture.cues))
    decoder = SampleDecoder()
    for item in fixture.items:
        if item.t > t_end:
            break
        if isinstance(item, Frame):
            decoded = decoder.feed(item)
            if decoded is not None:
                board.take(decoded)
        elif isinstance(item, LinkEvent):
            decoder.on_event(item)
            board.take(item)
    return board


class FrozenApp(App[None]):
    """The live screen alone (with the app's stylesheet), fed a frozen session; refreshed by the test."""

    CSS_PATH = str(ROOT / "tui" / "app.tcss")

    def __init__(
        self,
        board: LiveBoard,
        t: float,
        events: list[CoachEvent],
        title: str = "Zone 2 with reverse intervals",
        screen: type[LiveScreen] = LiveScreen,
    ) -> None:
        super().__init__()
        feed = FrozenFeed(board, t, title)
        feed.live = screen is LiveScreen
        self.screen_under_test = screen(feed, refresh_s=None, autostart=False)
        self.events = events

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test)


async def show_events(app: FrozenApp) -> None:
    """Hand the coach's events to the screen the way the coach does live, then refresh once."""
    for event in app.events:
        app.screen_under_test._said(event)
    await asyncio.sleep(0)

"""The live screen, drawn: snapshots at four moments of a recorded guided workout, and the cue path.

Each moment is the recording (fixtures/workout-control.jsonl) replayed through the real
coach and board up to that second; the screen is refreshed once, by hand, so the pictures do
not depend on timing. Review a changed picture in the report before ``--snapshot-update``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui_support import FrozenApp, FrozenRunner, coached_until, show_events
from treadmill.model import CoachEventKind, Direction, LinkEvent, LinkEventKind
from treadmill.mqtt.messages import MqttState, MqttStatus
from treadmill.session.coach import CoachEvent
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import CueEngine, CueKind
from treadmill.workout.safety import Rule
from tui.widgets.banners import CueBanner, WarningBanner
from tui.widgets.direction import DirectionIndicator

SIZE = (80, 24)


async def frozen_app(t: float, extra: list[LinkEvent] | None = None) -> FrozenApp:
    board, events = await coached_until(t, extra=extra)
    return FrozenApp(board, t, events)


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, FrozenApp)
    await show_events(app)
    await pilot.pause()
    app.screen_under_test.refresh_view()
    await pilot.pause()


MOMENTS = [
    ("forward", 300.5, "forward", None, "Change in 10 s", "(stride from the footpod)"),
    ("turning", 544.5, "forward", Rule.TURNAROUND, "TURN NOW: face backward", "(plan cues and sensors)"),
    ("reversing", 559.0, "reverse", Rule.REVERSE_START, "TURN NOW: face backward", "(plan cues and sensors)"),
]


@pytest.mark.parametrize(("name", "t"), [m[:2] for m in MOMENTS])
def test_live_screen_snapshots(snap_compare: Any, name: str, t: float) -> None:
    assert snap_compare(asyncio.run(frozen_app(t)), terminal_size=SIZE, run_before=settle), name


@pytest.mark.parametrize(("name", "t", "direction", "warning", "cue", "evidence"), MOMENTS)
async def test_live_screen_moments(
    name: str, t: float, direction: str, warning: Rule | None, cue: str, evidence: str
) -> None:
    """What each picture must show, checked in words as well as pixels."""
    app = await frozen_app(t)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        indicator = screen.query_one(DirectionIndicator)
        assert indicator.has_class(direction)
        assert evidence in str(indicator.render()), "the confidence says what it rests on"
        banner = screen.query_one(WarningBanner)
        assert (warning in banner.active) if warning else not banner.active
        assert banner.has_class("active") == bool(warning)
        shown = screen.query_one(CueBanner).cue
        assert shown is not None
        assert shown.text.startswith(cue), name


STALE = [LinkEvent(410.0, LinkEventKind.STALE, detail="no data for 5 s")]


def test_live_screen_snapshot_with_a_stale_link(snap_compare: Any) -> None:
    assert snap_compare(asyncio.run(frozen_app(420.0, STALE)), terminal_size=SIZE, run_before=settle)


async def test_live_screen_with_a_stale_link() -> None:
    app = await frozen_app(420.0, STALE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner = app.screen_under_test.query_one(WarningBanner)
        assert Rule.LINK_LOST in banner.active
        assert "stale" in str(app.screen_under_test.query_one("#status").render())


async def test_a_cue_reaches_the_screen_by_message_without_waiting_for_a_refresh() -> None:
    """The coach's callback posts a message; the banner shows it before any refresh tick."""
    app = await frozen_app(300.5)
    messages: list[object] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = app.screen_under_test
        turn = next(e for e in (await coached_until(544.0))[1] if e.cue is CueKind.TURN)
        refreshes_before = screen._ticks
        screen._said(turn)
        await pilot.pause()
        said = [m for m in messages if type(m).__name__ == "CoachSaid"]
        assert [m.event for m in said] == [turn]  # type: ignore[attr-defined]
        banner = screen.query_one(CueBanner)
        assert banner.cue == turn
        assert banner.has_class("turn")
        assert screen._ticks == refreshes_before  # shown by the message itself, not by a refresh
        assert len(screen.latencies) == 1  # how soon: bench/tui_bench.py


async def test_a_warning_clears_itself_when_the_coach_says_so() -> None:
    app = await frozen_app(571.0)  # the turn's warnings were raised and cleared by 570.1 s
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner = app.screen_under_test.query_one(WarningBanner)
        assert banner.active == {}
        assert not banner.has_class("active")


async def test_a_missed_turn_recheck_tells_the_user_how_to_correct_the_detector() -> None:
    """The detector may be the one that is wrong: the banner says which keys settle it."""
    app = await frozen_app(300.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen_under_test
        engine = CueEngine(builtin_plans()["zone2-reverse"])
        cues = [c for t in range(6300) for c in engine.update(t / 10, detected=Direction.FORWARD)]
        recheck = next(c for c in cues if c.kind is CueKind.RECHECK)
        screen._said(CoachEvent(recheck.t, CoachEventKind.CUE, recheck.text, recheck.more, cue=recheck.kind))
        await pilot.pause()
        shown = screen.query_one(CueBanner).cue
        assert shown is not None
        assert shown.text == "Still facing forward?"
        assert "Press r" in shown.more


async def test_the_status_line_shows_mqtt_and_a_broker_going_away_is_said_once() -> None:
    app = await frozen_app(300.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen_under_test
        runner = screen.runner
        assert isinstance(runner, FrozenRunner)
        runner.mqtt = MqttStatus(MqttState.CONNECTED, "mqtt://gym.local:1883")
        screen.refresh_view()
        await pilot.pause()
        assert "MQTT ✓" in str(screen.query_one("#status", Static).render())
        runner.mqtt = MqttStatus(
            MqttState.RETRYING, "mqtt://gym.local:1883 unreachable; the workout goes on", dropped=3
        )
        for _ in range(3):
            screen.refresh_view()
        await pilot.pause()
        status = str(screen.query_one("#status", Static).render())
        assert "MQTT retrying" in status
        assert "3 dropped" in status
        toasts = [n.message for n in app._notifications]
        assert toasts.count(runner.mqtt.text) == 1, "told once, not at every refresh"

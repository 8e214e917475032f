"""The screens, drawn: the live screen in each of its states, the summary and the history,
at 80x24 (the smallest full screen) and 160x50, plus the compact and too-small layouts.

Each live moment is the recorded guided workout (fixtures/workout-control.jsonl) replayed
through the real coach and board up to that second, then refreshed once by hand, so the
pictures do not depend on timing. Each picture is also checked in words, so that what it
must show is stated here and not only in the SVG. Review a changed picture in the report
before ``--snapshot-update``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tests.tui_support import GUIDED, FrozenApp, FrozenFeed, coached_until, replayed_until, show_events
from treadmill.core.body import Body
from treadmill.model import CoachEventKind, Direction, Facing, LinkEvent, LinkEventKind, Sample
from treadmill.mqtt.messages import MqttState, MqttStatus
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent
from treadmill.storage.history import History
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import CueEngine, CueKind
from treadmill.workout.safety import Level, Rule, SafetyMonitor, SafetyState
from tui.feed import Outcome, ReplayFeed
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.live import LiveScreen, ReplayScreen
from tui.screens.summary import SummaryScreen
from tui.widgets.banners import CueBanner, RailsBanner
from tui.widgets.bigtext import BigText, fitted_lines
from tui.widgets.direction import DirectionPanel
from tui.widgets.metrics import clock_text
from tui.widgets.readouts import Readout
from tui.widgets.scene import Shown

PHONE, SMALL, LARGE, HUGE = (45, 30), (80, 24), (120, 40), (200, 60)
SIZES = [pytest.param(size, id=f"{size[0]}x{size[1]}") for size in (PHONE, SMALL, LARGE, HUGE)]
STALE = [LinkEvent(410.0, LinkEventKind.STALE, detail="no treadmill data for 3.2 s")]


def danger_event(t: float) -> CoachEvent:
    """The warning the coach raises for a confident backward walk above the safe speed, in a
    backward step of the workout."""
    raised, _ = SafetyMonitor(safe_reverse_kmh=3.0).update(
        SafetyState(t, Direction.REVERSE, 0.95, speed_kmh=4.2, plan_facing=Facing.REVERSE)
    )
    [warning] = [w for w in raised if w.rule is Rule.REVERSE_SPEED]
    return CoachEvent(
        t, CoachEventKind.WARNING, "SLOW DOWN", warning.message, rule=warning.rule, level=warning.level
    )


def unsure_board() -> LiveBoard:
    """A free run with no cues and no footpod: a run, a stop, then a walk a third as fast. A walk
    break, or a runner walking backward: the speed cannot tell, and the detector says so."""
    board = LiveBoard()
    profile = [(0, 0.0), (3, 9.0), (300, 0.0), (320, 3.4)]
    metres = board_speed = 0.0
    for t in range(600):
        target = next(v for start, v in reversed(profile) if t >= start)
        speed = target if t < 3 else min(max(target, board_speed - 1.0), board_speed + 1.0)
        board_speed = speed
        metres += speed / 3.6
        board.take(Sample(float(t), speed, distance_m=float(int(metres))))
    assert board.pipeline.implausible == 0
    return board


async def frozen(state: str) -> FrozenApp:
    """The live screen at one of its states."""
    if state == "unsure":
        return FrozenApp(unsure_board(), 600.0, [], title="Free run")
    t, extra = {
        "forward": (300.5, None),
        "turning": (543.6, None),
        "reverse": (600.0, None),
        "warning": (549.0, None),
        "danger": (600.0, None),
        "paused": (330.0, None),
        "stale": (420.0, STALE),
        "done": (2046.0, None),
    }[state]
    board, events = await coached_until(t if state != "paused" else 300.5, extra=extra)
    if state == "paused":
        assert board.coach is not None
        board.coach.pause(300.5)
    if state == "danger":
        events.append(danger_event(t))
    return FrozenApp(board, t, events)


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, FrozenApp)
    await show_events(app)
    await pilot.pause()
    app.screen_under_test.refresh_view()
    await pilot.pause()


STATES = ["forward", "turning", "reverse", "warning", "danger", "paused", "stale", "unsure", "done"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", STATES)
def test_live_screen_snapshots(snap_compare: Any, state: str, size: tuple[int, int]) -> None:
    assert snap_compare(asyncio.run(frozen(state)), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_replay_snapshots(snap_compare: Any, size: tuple[int, int]) -> None:
    """A recording with no plan in it, half a minute before its first turn: it counts to its own cues."""
    app = FrozenApp(
        replayed_until(510.0), 510.0, [], title="Replay · guided-beginner.jsonl", screen=ReplayScreen
    )
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_help_snapshots(snap_compare: Any, size: tuple[int, int]) -> None:
    """The keys, each with a sentence, over the live screen; nothing under the scrollbar."""

    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.push_screen(HelpScreen(pilot.app.screen_under_test))  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(asyncio.run(frozen("forward")), terminal_size=size, run_before=open_help)


def digit_rows(screen: LiveScreen, readout: str = "next-turn") -> int:
    """How many rows a readout (the countdown to the next turn unless named) is drawn in, as on screen."""
    big = screen.query_one(f"#{readout} BigText", BigText)
    region = big.content_region
    rows = region.height if big.rows_cap is None else min(region.height, big.rows_cap)
    return sum(1 for line in fitted_lines(big.choices, region.width, rows) if line.strip())


@pytest.mark.parametrize(
    ("size", "rows", "share"),
    [
        (PHONE, 3, 0.1),
        (SMALL, 3, 0.12),
        (LARGE, 7, 0.17),
        (HUGE, 11, 0.18),
        ((113, 36), 7, 0.17),
        ((40, 44), 7, 0.15),
        ((43, 40), 7, 0.17),
        ((45, 39), 3, 0.07),
    ],
    ids=["45x30", "80x24", "120x40", "200x60", "tablet-browser", "phone-40x44", "phone-browser", "45x39"],
)
async def test_the_big_numbers_take_their_share_of_the_screen(
    size: tuple[int, int], rows: int, share: float
) -> None:
    """Measured, not judged by eye: the countdown's rows, and what share of the height they fill."""
    app = await frozen("forward")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        drawn = digit_rows(app.screen_under_test)
        assert drawn >= rows
        assert drawn / size[1] >= share
        others = {digit_rows(app.screen_under_test, name) for name in ("step-left", "speed")}
        assert others == {drawn}, "the three numbers are drawn at one size"


def word_shown(screen: LiveScreen) -> Shown | None:
    return screen.query_one(DirectionPanel).shown


def readout(screen: LiveScreen, name: str) -> str:
    return screen.query_one(f"#{name}", Readout).value


EXPECTED = {
    # state: (the big word, a rails warning (rule, level) or None, the start of the cue headline)
    "forward": (Shown.FORWARD, None, "Change in 3 s"),  # the announcement counts with the digits
    # Mid-turn, the app does not claim either way: the person may already face backward.
    "turning": (Shown.UNSURE, (Rule.TURNAROUND, Level.CAUTION), "TURN NOW: face backward"),
    "reverse": (Shown.REVERSE, None, "Now: 2 min backward"),
    "warning": (Shown.REVERSE, (Rule.REVERSE_START, Level.CAUTION), "You're backward ✓"),
    "danger": (Shown.REVERSE, (Rule.REVERSE_SPEED, Level.DANGER), "Now: 2 min backward"),
    "paused": (Shown.PAUSED, None, "Paused."),
    "stale": (Shown.FORWARD, (Rule.LINK_LOST, Level.CAUTION), "Now: "),
    "unsure": (Shown.UNSURE, None, "Free run"),
    # The workout is over: no turning warning left up (the belt is stopping), the word says so.
    "done": (Shown.STOPPED, None, "Workout done"),
}


@pytest.mark.parametrize("state", STATES)
async def test_each_state_says_what_it_must(state: str) -> None:
    word, warning, headline = EXPECTED[state]
    app = await frozen(state)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert word_shown(screen) is word
        rails = screen.query_one(RailsBanner)
        if warning is None:
            assert not rails.has_class("active")
        else:
            rule, level = warning
            assert rule in rails.active
            assert rails.has_class("active")
            assert rails.has_class("danger") is (level is Level.DANGER), "danger outranks caution"
        assert screen.query_one(CueBanner).text[0].startswith(headline), screen.query_one(CueBanner).text


async def test_the_big_numbers_count_down_to_the_turn_and_the_end_of_the_step() -> None:
    app = await frozen("forward")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        view = screen.feed.board.view(300.5)
        assert view.next_turn is not None
        assert view.next_turn_s is not None
        assert readout(screen, "next-turn") == "4:03"  # the turn cued at 543.1 s
        step = view.step
        assert step is not None
        assert step.seconds_left is not None
        assert readout(screen, "step-left") == "0:03"  # the step change at 303.1 s
        assert readout(screen, "speed") == f"{view.speed_kmh:.1f}"


@pytest.mark.parametrize("t", [533.5, 536.2, 539.9, 540.4, 541.3, 542.6])
async def test_the_cue_and_the_big_countdown_say_the_same_second(t: float) -> None:
    """One count: "Turn in 10 s" counts on with the digits, and "3", "2", "1" come with 0:03, 0:02,
    0:01 (at 1x the cue said 3 beside 0:04, and "Turn in 10 s" stayed up while the digits ran on)."""
    board, events = await coached_until(t)
    app = FrozenApp(board, t, events)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        digits = readout(screen, "next-turn")
        headline = str(screen.query_one("#cue-headline", Static).render())
        seconds = int(digits.split(":")[1])
        assert digits.startswith("0:")
        assert 0 < seconds <= 10
        said = headline if seconds > 3 else headline.split(maxsplit=1)[0]
        assert said in (f"Turn in {seconds} s: face backward", str(seconds)), (digits, headline)


async def test_paused_holds_the_time_and_the_distance() -> None:
    app = await frozen("paused")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        board = app.screen_under_test.feed.board
        at_pause, later = board.view(300.5), board.view(330.0)
        assert later.paused
        assert (later.active_s, later.distance_m) == (at_pause.active_s, at_pause.distance_m)


async def test_turn_now_clears_once_the_turn_is_seen() -> None:
    app = await frozen("turning")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        banner = screen.query_one(CueBanner)
        assert banner.cue is not None
        assert banner.cue.cue is CueKind.TURN
        banner.age(545.0, turn_pending=False)  # the detector saw the turn
        screen.refresh_view()
        assert banner.cue is None
        assert banner.text[0].startswith("Now: ")


async def test_turn_now_clears_after_a_few_seconds_even_unseen() -> None:
    app = await frozen("turning")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        banner = app.screen_under_test.query_one(CueBanner)
        banner.age(550.0, turn_pending=True)
        assert banner.cue is not None, "still up 7 s after the cue"
        banner.age(552.0, turn_pending=True)
        assert banner.cue is None


@pytest.mark.parametrize("state", ["reverse", "danger"])
def test_without_colour_the_shapes_and_words_still_tell(
    snap_compare: Any, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    """NO_COLOR (Textual renders in grey): the arrow, the word and DANGER/CAUTION carry the meaning."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(asyncio.run(frozen(state)), terminal_size=SMALL, run_before=settle)


COMPACT_STATES = ["forward", "warning"]


@pytest.mark.parametrize("state", COMPACT_STATES)
def test_compact_layout_for_a_phone(snap_compare: Any, state: str) -> None:
    """43x40, a phone's browser in portrait: the big parts stay, the chart and the small numbers
    fold away, the keys wrap into tappable words."""
    assert snap_compare(asyncio.run(frozen(state)), terminal_size=(43, 40), run_before=settle)


async def test_compact_layout_keeps_what_matters() -> None:
    app = await frozen("warning")
    async with app.run_test(size=(45, 40)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert screen.compact
        for visible in ("#direction", "#readouts", "#rails", "#cue"):
            assert screen.query_one(visible).display, visible
        for folded in ("#metrics", "#chart"):
            assert not screen.query_one(folded).display, folded


def test_too_small_snapshot(snap_compare: Any) -> None:
    assert snap_compare(asyncio.run(frozen("forward")), terminal_size=(60, 20), run_before=settle)


async def test_too_small_says_so() -> None:
    app = await frozen("forward")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert screen.has_class("-too-small")
        assert "Make the terminal bigger" in str(screen.query_one("#too-small", Static).render())
        assert not screen.query_one("#direction").display


EDGES = [
    (40, 24),
    (79, 24),
    (45, 39),
    (43, 40),
    (43, 46),
    (109, 41),
    (100, 42),
    (110, 36),
    (113, 36),
    (199, 59),
]
"""Sizes at each side of a layout's threshold, and the browsers' (a phone 43x40, a tablet 113x36)."""


@pytest.mark.parametrize("size", [*SIZES, *(pytest.param(size, id=f"{size[0]}x{size[1]}") for size in EDGES)])
async def test_nothing_is_cut_with_two_warnings(size: tuple[int, int]) -> None:
    """Every widget fits in its rows, at every size and each side of every layout threshold: the
    warning's text is not clipped, and nothing runs below the screen (which would scroll it)."""
    app = await frozen("warning")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        rails = screen.query_one(RailsBanner)
        assert len(rails.active) >= 2
        detail = screen.query_one("#rails-detail", Static)
        lines = detail.render_lines(detail.region.reset_offset)
        shown = " ".join("".join(seg.text for seg in line).strip() for line in lines)
        top = next(iter(sorted(rails.active.values(), key=lambda e: e.level is Level.DANGER, reverse=True)))
        assert (top.more or top.text).split()[-1] in shown, "the last word of the reason is on screen"
        bottom = max(w.region.bottom for w in screen.query("*") if w.display and w.region.height)
        assert bottom <= size[1]
        assert screen.query_one("#status").region.width == size[0], "no scrollbar takes a column"


async def test_a_cue_reaches_the_screen_by_message_without_waiting_for_a_refresh() -> None:
    """The coach's callback posts a message; the banner shows it before any refresh tick."""
    app = await frozen("forward")
    messages: list[object] = []
    async with app.run_test(size=SMALL, message_hook=messages.append) as pilot:
        screen = app.screen_under_test
        turn = next(e for e in (await coached_until(544.0))[1] if e.cue is CueKind.TURN)
        refreshes_before = screen.refreshes
        screen._said(turn)
        await pilot.pause()
        said = [m for m in messages if type(m).__name__ == "CoachSaid"]
        assert [m.event for m in said] == [turn]  # type: ignore[attr-defined]
        banner = screen.query_one(CueBanner)
        assert banner.cue == turn
        assert banner.has_class("turn")
        assert screen.refreshes == refreshes_before + 1  # the message takes one scene itself (no tick)
        await pilot.pause()
        assert len(screen.latencies) == 1  # stamped once the screen has refreshed; how soon: the bench


async def test_a_missed_turn_recheck_tells_the_user_how_to_correct_the_detector() -> None:
    """The detector may be the one that is wrong: the banner says which keys settle it."""
    app = await frozen("forward")
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen_under_test
        engine = CueEngine(builtin_plans()["zone2-reverse"])
        cues = [c for t in range(6300) for c in engine.update(t / 10, detected=Direction.FORWARD)]
        recheck = next(c for c in cues if c.kind is CueKind.RECHECK)
        screen._said(CoachEvent(recheck.t, CoachEventKind.CUE, recheck.text, recheck.more, cue=recheck.kind))
        await pilot.pause()
        headline, detail = screen.query_one(CueBanner).text
        assert headline == "Still facing forward?"
        assert "Press r" in detail


async def test_the_status_line_shows_mqtt_and_a_broker_going_away_is_said_once() -> None:
    app = await frozen("forward")
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen_under_test
        feed = screen.feed
        assert isinstance(feed, FrozenFeed)
        feed.mqtt = MqttStatus(MqttState.CONNECTED, "mqtt://gym.local:1883")
        screen.refresh_view()
        await pilot.pause()
        assert "MQTT ✓" in str(screen.query_one("#status", Static).render())
        feed.mqtt = MqttStatus(
            MqttState.RETRYING, "mqtt://gym.local:1883 unreachable; the workout goes on", dropped=3
        )
        for _ in range(3):
            screen.refresh_view()
        await pilot.pause()
        status = str(screen.query_one("#status", Static).render())
        assert "MQTT retrying" in status
        assert "3 dropped" in status
        toasts = [n.message for n in app._notifications]
        assert toasts.count(feed.mqtt.text) == 1, "told once, not at every refresh"


async def test_notes_do_not_stack_over_the_screen() -> None:
    """Stacked toasts covered "Now" and "Time" at 80x24: the newest note replaces the last."""
    app = await frozen("forward")
    async with app.run_test(size=SMALL) as pilot:
        screen = app.screen_under_test
        for n in range(4):
            screen._said(CoachEvent(300.0 + n, CoachEventKind.MESSAGE, f"note {n}"))
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["note 3"]


# --- the summary and the history -----------------------------------------------------------------


class ScreenApp(App[None]):
    """One screen on its own."""

    CSS_PATH = str(Path(__file__).resolve().parent.parent / "tui" / "app.tcss")

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.under_test = screen

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.push_screen(self.under_test)


async def summary_app(tmp_path: Path) -> ScreenApp:
    """The summary of the recorded guided workout, as a live session of the app would end."""
    feed = ReplayFeed(GUIDED, speed=None, tolerant=False, body=Body())
    result = await feed.session.run()
    history = History(tmp_path)
    fixture = tmp_path / "20261129-070000-zone2-reverse.jsonl"
    fixture.write_bytes(GUIDED.read_bytes())
    started = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    record = history.save(fixture, started, "zone2-reverse", "Zone 2", result.pipeline.summary())
    outcome = Outcome(result, started, Path("sessions") / fixture.name, record)
    feed.title = "Zone 2 with reverse intervals"
    return ScreenApp(SummaryScreen(outcome, feed, history))


@pytest.mark.parametrize("size", SIZES)
def test_summary_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(asyncio.run(summary_app(tmp_path)), terminal_size=size)


async def test_the_summary_has_no_empty_rows_above_the_chart(tmp_path: Path) -> None:
    app = await summary_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.under_test
        assert isinstance(screen, SummaryScreen)
        table = screen.query_one("#intervals", DataTable)
        assert table.region.height <= table.row_count + 1, "the table is no taller than its rows"
        chart = screen.query_one("#summary-chart")
        assert chart.region.y == table.region.bottom, "the chart takes the room that is left"


@pytest.mark.parametrize("size", SIZES)
async def test_the_summary_fits_without_scrolling(tmp_path: Path, size: tuple[int, int]) -> None:
    """At 45 columns the rating box covered the energy column and the footer was cut off."""
    app = await summary_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.under_test
        shown = [w for w in screen.query("*") if w.display and w.region.height]
        assert max(w.region.bottom for w in shown) <= size[1]
        assert screen.query_one("#summary-title").region.width == size[0], "no scrollbar takes a column"
        totals = screen.query_one("#totals", DataTable)
        assert totals.virtual_size.width <= totals.region.width, "every column of the totals is seen"
        rating, table = screen.query_one("#rating").region, totals.region
        assert not rating.overlaps(table), "the rating box covers nothing"
        keys = screen.query_one("#keybar") if size[0] < 80 else None
        assert keys is None or "Quit" in str(keys.render()), "every key reachable"


async def test_the_summary_times_add_up(tmp_path: Path) -> None:
    """The interval table ran two seconds past "session over · 9:52", and the total included pauses
    while the live Time did not, unsaid. The table ends at the title's time; the title says both."""
    app = await summary_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.under_test
        assert isinstance(screen, SummaryScreen)
        summary = screen.outcome.result.pipeline.summary()
        title = str(screen.query_one("#summary-title", Static).render())
        table = screen.query_one("#intervals", DataTable)
        first, last = table.get_row_at(0), table.get_row_at(table.row_count - 1)
        assert first[0] == "0:00"
        assert f"session over · {last[1]} in all" in title
        moving = summary.duration_s - summary.totals[Direction.STOPPED].time_s
        assert f"{clock_text(moving)} moving" in title


def history_folder(tmp_path: Path) -> History:
    """Three real sessions (one interrupted) and a 10-second one that was abandoned."""
    header = '{"format": "treadmill-fixture", "version": 1, "started_at": "%s"}\n'
    sessions = [
        ("20261120-070000-first-steps-backward", "First steps backward", 960, 760, 150, "easy"),
        ("20261122-070000-zone2-reverse", "Zone 2 with reverse intervals", 2040, 1560, 420, "ok"),
        ("20261124-070000-zone2-reverse", "Zone 2 with reverse intervals", 2070, 1500, 480, "hard"),
        ("20261125-070000-zone2-reverse", "Zone 2 with reverse intervals", 10, 6, 0, None),
    ]
    for stem, name, duration, forward, reverse, rating in sessions:
        started = f"{stem[:4]}-{stem[4:6]}-{stem[6:8]}T07:00:00+00:00"
        (tmp_path / f"{stem}.jsonl").write_text(header % started)
        summary = {
            "started_at": started,
            "plan_id": stem[16:],
            "plan_name": name,
            "duration_s": duration,
            "forward_s": forward,
            "reverse_s": reverse,
            "reverse_m": reverse * 0.6,
            "kcal": duration / 10,
            "rating": rating,
        }
        (tmp_path / f"{stem}.json").write_text(json.dumps(summary))
    crashed = header % "2026-11-26T07:00:00Z"
    frames = "".join(f'{{"t": {t}, "char": "2acd", "hex": "0000"}}\n' for t in range(0, 400, 1))
    (tmp_path / "20261126-070000-zone2-reverse.jsonl").write_text(crashed + frames)
    return History(tmp_path)


@pytest.mark.parametrize("size", SIZES)
def test_history_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(ScreenApp(HistoryScreen(history_folder(tmp_path))), terminal_size=size)


async def test_history_counts_what_it_lists(tmp_path: Path) -> None:
    app = ScreenApp(HistoryScreen(history_folder(tmp_path)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.under_test
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#sessions", DataTable)
        assert table.row_count == 4
        header = str(screen.query_one("#progress-text", Static).render())
        assert "4 sessions · 1 interrupted · 1 shorter than 1 min not listed" in header
        assert table.get_row_at(0)[1] == "(interrupted)"


async def test_an_empty_history_draws_no_chart(tmp_path: Path) -> None:
    app = ScreenApp(HistoryScreen(History(tmp_path)))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.under_test
        assert isinstance(screen, HistoryScreen)
        assert not screen.query_one("#progress").display
        assert "No sessions yet" in str(screen.query_one("#progress-text", Static).render())

"""The app driven by keys with Textual's pilot: on the virtual treadmill (through the real BLE
client over Bumble's virtual radio) and on a replayed fixture."""

from __future__ import annotations

import csv
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fitdecode
import pytest
from textual.binding import Binding
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from tests import support
from tests.tui_support import GUIDED
from treadmill.ftms import ControlOpCode
from treadmill.model import CoachEventKind, Direction, Facing, LinkEvent, LinkEventKind, Sensor
from treadmill.session.actions import LiveActions
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions
from treadmill.storage.files import StorageError
from treadmill.storage.fixtures import read_fixture
from treadmill.storage.history import History, SessionRecord
from treadmill.storage.known_devices import remembered
from treadmill.storage.paths import config_dir
from treadmill.workout.builtin import Rating
from treadmill.workout.cues import CueKind
from treadmill.workout.safety import Rule
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest
from tui.screens.confirm import ConfirmQuit
from tui.screens.devices import DevicePicker
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.live import CoachSaid, LiveScreen, ReplayScreen
from tui.screens.summary import SummaryScreen
from tui.screens.workouts import WorkoutPicker
from tui.widgets.banners import CueBanner
from tui.widgets.direction import DirectionPanel
from tui.widgets.scene import Shown

pytestmark = pytest.mark.virtual_time
"""The app's sessions run on virtual time: the same screens, cues and counts on a busy machine."""

SIZE = (100, 30)
SHORT_PLAN = """name = "Short test"
[[steps]]
direction = "forward"
duration = 40
speed_kmh = 4.0
[[steps]]
direction = "reverse"
duration = 30
speed_kmh = 2.0
handrail = true
[[steps]]
direction = "forward"
duration = 20
speed_kmh = 3.0
"""


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    """Let the app run until ``condition`` holds (the session runs on its own clock meanwhile)."""
    await support.until(condition, what, within_s=timeout_s, pause=lambda: pilot.pause(0.25))


async def live_screen(pilot: Pilot[Any]) -> LiveScreen:
    """The live screen, once the app has opened it."""
    await until(pilot, lambda: isinstance(pilot.app.screen, LiveScreen), "the live screen")
    live = pilot.app.screen
    assert isinstance(live, LiveScreen)
    return live


def marks_seen(live: LiveScreen) -> list[LinkEvent]:
    actions = live.feed.actions
    assert isinstance(actions, LiveActions)
    return actions.session.events


def virtual_options(**changes: Any) -> SessionOptions:
    return SessionOptions(SourceOptions(virtual=VirtualOptions(seed=3)), **changes)


def real_options(hci: str) -> SessionOptions:
    return SessionOptions(SourceOptions(device="AA:BB:CC:DD:EE:FF", hci=hci))


async def pick_the_virtual_treadmill(pilot: Pilot[Any]) -> None:
    """The device picker: the virtual treadmill shows up in the live scan; enter picks it, c goes on."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, DevicePicker), "the device picker")
    picker = app.screen
    assert isinstance(picker, DevicePicker)
    await until(pilot, lambda: any(d.kind == "treadmill" for d in picker.found.values()), "a treadmill")
    table = picker.query_one(DataTable)
    assert table.get_row_at(0)[0] == "treadmill"
    await pilot.press("enter", "c")
    assert remembered()[Sensor.TREADMILL].address in picker.found


async def pick_workout(pilot: Pilot[Any], plan_id: str) -> None:
    """The workout picker: built-ins, the challenge, the user's plans, a free run."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, WorkoutPicker), "the workout picker")
    workouts = app.screen
    assert isinstance(workouts, WorkoutPicker)
    assert {"first-steps-backward", "7-day-challenge", plan_id, "free"} <= set(workouts.plans)
    position = list(workouts.plans).index(plan_id)
    await pilot.press(*["down"] * position, "enter")


async def rate_and_export(pilot: Pilot[Any]) -> None:
    """The summary: totals and intervals; 2 rates it "ok", c exports CSV; the mark is in the recording."""
    app = pilot.app
    summary = app.screen
    assert isinstance(summary, SummaryScreen)
    assert summary.query_one("#totals", DataTable).row_count == 3
    assert summary.query_one("#intervals", DataTable).row_count >= 2
    await pilot.press("2", "c")
    record = History().records()[-1]
    assert record.rating is Rating.OK
    assert record.plan_id == "short"
    assert record.reverse_s > 0
    with summary.exported[0].open() as exported:
        rows = list(csv.DictReader(exported))
    assert len(rows) > 20
    fixture_lines = [json.loads(line) for line in record.fixture.read_text().splitlines()]
    assert {"event": "marked", "detail": "reverse"}.items() <= next(
        line for line in fixture_lines if line.get("event") == "marked"
    ).items()


async def test_pick_device_and_workout_then_pause_turn_mark_stop_rate_export_and_history() -> None:
    plans = config_dir() / "plans"
    plans.mkdir(parents=True)
    (plans / "short.toml").write_text(SHORT_PLAN)
    request = AppRequest(AppMode.RUN, virtual_options(), pick_device=True)
    app = TreadmillApp(request, refresh_s=0.1)
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pick_the_virtual_treadmill(pilot)
        await pick_workout(pilot, "short")
        # The live screen, on the real client path.
        live = await live_screen(pilot)
        await until(pilot, lambda: live.feed.actions is not None and live.feed.now() > 2, "the session")
        coach = live.feed.board.coach
        assert coach is not None
        await pilot.press("space")
        assert coach.paused
        assert live.told[-1] == "Paused: the virtual runner pauses the belt. Space again to go on."
        assert live.query_one(DirectionPanel).shown is Shown.PAUSED, "the pause is shown big"
        await pilot.press("space")
        assert not coach.paused
        # The turn at 40 s: the cue reaches the banner and a handrail warning goes up.
        await until(
            pilot, lambda: (c := live.query_one(CueBanner).cue) is not None and c.cue is CueKind.TURN, "turn"
        )
        said = [m.event for m in messages if isinstance(m, CoachSaid)]
        assert {CueKind.ANNOUNCE, CueKind.COUNTDOWN, CueKind.TURN} <= {e.cue for e in said}
        assert any(e.kind is CoachEventKind.WARNING and e.rule is Rule.TURNAROUND for e in said)
        await pilot.press("r")
        await until(
            pilot,
            lambda: any(e.kind is LinkEventKind.MARKED for e in marks_seen(live)),
            "the mark",
        )
        await until(
            pilot, lambda: live.feed.board.view().time_s.get(Direction.REVERSE, 0.0) > 5, "time backward"
        )
        await until(pilot, lambda: live.feed.board.view(live.feed.now()).active_s > 65, "a real session")
        await pilot.press("plus")  # control is off: the console is the way
        assert live.told[-1] == "Control is off: change the speed on the treadmill's console."
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary", 60.0)
        await rate_and_export(pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one("#sessions", DataTable).row_count == 1
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_with_control_pause_stops_everything_and_the_virtual_runner_starts_the_belt_again() -> None:
    """Paused, the time, the distance and the plan stand still; the app never writes Start.

    The virtual treadmill has a console: its runner pauses the belt and, on resume, presses
    Start on it (a real treadmill's console is the person's). The plan waits for the belt.
    """
    request = AppRequest(AppMode.DEMO, virtual_options(), plan_id="first-steps-backward", control=True)
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)

        def speed() -> float:
            return live.feed.board.view().speed_kmh or 0.0

        await until(pilot, lambda: speed() >= 3.0, "the belt at speed")
        await pilot.press("plus", "plus")  # two presses add up: 1 km/h above where the speed was heading
        await until(pilot, lambda: speed() >= 4.4, "the belt at the person's speed")
        await pilot.press("space")
        await until(pilot, lambda: speed() == 0, "the belt paused")
        board = live.feed.board  # the session's own, now it is connected
        paused = board.view(live.feed.now())
        assert paused.paused
        await until(pilot, lambda: live.feed.now() > paused.t + 30, "30 s into the pause")
        still = board.view(live.feed.now())
        assert (still.active_s, still.distance_m) == (paused.active_s, paused.distance_m)
        assert still.step is not None
        assert paused.step is not None
        assert still.step.seconds_left == paused.step.seconds_left, "the plan waits"
        await pilot.press("space")
        await until(pilot, lambda: speed() >= 3.0, "the belt moving again")
        treadmill = live.feed.session.treadmill  # type: ignore[attr-defined]
        assert treadmill.control_ops[ControlOpCode.START_OR_RESUME] == 0, "the app never writes Start"
        resumed = board.view(live.feed.now())
        assert resumed.active_s > paused.active_s
        await pilot.press("q", "y")
        await until(pilot, lambda: not app.is_running, "the app to end", 10.0)


async def test_replay_in_the_app_to_its_summary_and_fit_export() -> None:
    request = AppRequest(AppMode.REPLAY, fixture=GUIDED, replay_speed=None)
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        totals = summary.outcome.result.pipeline.summary()
        assert totals.totals[Direction.REVERSE].time_s > 300
        await pilot.press("f", "1")
        assert summary.record is None  # a replay is not rated
        laps = [
            frame
            for frame in fitdecode.FitReader(summary.exported[0])
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "lap"
        ]
        assert len(laps) == len(totals.intervals)
        await pilot.press("q")


async def test_a_replay_pauses_and_resumes() -> None:
    request = AppRequest(AppMode.REPLAY, fixture=GUIDED, replay_speed=50.0)
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        await until(pilot, lambda: live.feed.now() > 20, "playback")
        await pilot.press("space")
        held = live.feed.now()
        await pilot.pause(0.3)
        assert live.feed.now() == held
        await pilot.press("space")
        await until(pilot, lambda: live.feed.now() > held + 5, "playback again")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")


@pytest.mark.parametrize("closed_from_outside", [False, True], ids=["q-asks", "closed-from-outside"])
async def test_ending_the_app_mid_workout_keeps_the_session_and_summary(closed_from_outside: bool) -> None:
    """q asks first; closed from outside (what `treadmill serve` stopping does: the web driver's
    quit is an ExitApp message), the app ends the session as the stop key does, then closes."""
    request = AppRequest(AppMode.DEMO, virtual_options(duration_s=600.0), plan_id="first-steps-backward")
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        await until(pilot, lambda: live.feed.now() > 10, "the session")
        if closed_from_outside:
            app.exit()
        else:
            await pilot.press("q")
            assert isinstance(app.screen, ConfirmQuit)
            await pilot.press("n")
            current: object = app.screen
            assert current is live
            assert live.running
            await pilot.press("q", "y")
        await until(pilot, lambda: not app.is_running, "the app to end", 10.0)
    [record] = History().records()
    assert not record.interrupted, "the summary was written on the way out"
    data = [f.t for f in read_fixture(record.fixture).frames if f.char == "2acd"]
    assert data[-1] >= 10
    assert record.duration_s == pytest.approx(data[-1] - data[0], abs=1.5), "the summary covers the recording"
    assert app.saved_to is not None, "where it was saved is said on the terminal as the app closes"
    assert app.saved_to.resolve() == record.fixture.resolve()


@pytest.mark.parametrize("width", [40, 49])
async def test_on_a_phone_a_live_cue_wraps_whole(width: int) -> None:
    """A cue that arrives during the session, at a portrait phone's width (40-50 columns)."""
    request = AppRequest(AppMode.DEMO, virtual_options(), plan_id="first-steps-backward")
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=(width, 60)) as pilot:
        live = await live_screen(pilot)
        detail = live.query_one("#cue-detail", Static)
        await until(pilot, lambda: "3-2-1" in str(detail.render()), "the first cue's detail")
        await pilot.pause()
        text = str(detail.render())
        assert len(text) > detail.region.width, "long enough to need two lines"
        assert detail.region.height >= -(-len(text) // detail.region.width), "every line of it shows"


@pytest.mark.wall_clock
async def test_a_treadmill_that_cannot_be_reached_is_explained_not_a_crash() -> None:
    request = AppRequest(AppMode.RUN, real_options("tcp-client:127.0.0.1:9"), plan_id="free")
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        await until(pilot, lambda: live.ended is not None, "the failure")
        assert live.ended is not None
        assert live.ended.error
        assert "Could not run the session" in " ".join(live.query_one(CueBanner).text)
        await pilot.press("q")
    assert app.return_code == 0
    assert History().records() == [], "a session that never began is not in the history"


@pytest.mark.wall_clock
async def test_stop_while_connecting_gives_up_and_says_nothing_was_recorded() -> None:
    """An adapter that accepts the connection and never answers: `s` must still end it."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        options = real_options(f"tcp-client:127.0.0.1:{port}")
        app = TreadmillApp(AppRequest(AppMode.RUN, options, plan_id="free"), refresh_s=0.1)
        async with app.run_test(size=SIZE) as pilot:
            live = await live_screen(pilot)
            assert live.feed.actions is None, "still connecting"
            await pilot.press("s")
            await until(pilot, lambda: live.ended is not None, "the stop")
            shown = " ".join(live.query_one(CueBanner).text)
            assert "Stopped before the treadmill answered" in shown
            assert "Could not run" not in shown
            await pilot.press("q")
        assert app.return_code == 0
    assert History().records() == []


def test_the_workout_picker_offers_the_challenge_at_the_next_day(tmp_path: Path) -> None:
    history = History(tmp_path)
    for n in range(2):
        fixture = tmp_path / f"s{n}.jsonl"
        fixture.write_text('{"format": "treadmill-fixture", "version": 1}\n')
        (tmp_path / f"s{n}.json").write_text(
            json.dumps(
                {
                    "started_at": f"2026-11-2{n}T07:00:00+00:00",
                    "plan_id": "7-day-challenge",
                    "plan_name": "day",
                    "duration_s": 600,
                    "forward_s": 420,
                    "reverse_s": 120,
                    "rating": "easy",
                }
            )
        )
    assert history.challenge_next() == (3, Rating.EASY)


async def test_the_workout_picker_lists_the_challenge_day() -> None:
    request = AppRequest(AppMode.RUN, virtual_options())
    app = TreadmillApp(request, refresh_s=None)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WorkoutPicker), "the picker")
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("day 1" in label for label in labels)
        assert labels[-1].startswith("Free run")
        first = next(label for label in labels if label.startswith("First steps backward"))
        assert "beginner" in first, "the level"
        assert "Your first backward walk" in first, "the description"
        await pilot.press("q")


async def test_a_replay_has_its_own_words_and_keys() -> None:
    """No belt keys, no quit dialog, marks that say they change this viewing only."""
    request = AppRequest(AppMode.REPLAY, fixture=GUIDED, replay_speed=50.0)
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        assert isinstance(live, ReplayScreen)
        keys = {binding.key for binding in ReplayScreen.BINDINGS if isinstance(binding, Binding)}
        assert keys == {"space", "s", "r", "f"}
        await until(pilot, lambda: live.feed.now() > 5, "playback")
        assert live.query_one(CueBanner).text[0].startswith("Replay")
        # A planned session recorded with no plan in its header counts to its own cue lines; the
        # status line says a file plays, not that a treadmill is connected.
        first_cue = read_fixture(GUIDED).cues[0]
        scene = live.scene
        assert scene is not None
        view = scene.view
        assert (view.next_turn, view.recorded_turns) == (Facing.REVERSE, True)
        assert view.next_turn_s == pytest.approx(first_cue.t - view.t)
        assert scene.texts[0] == "TURN BACKWARD IN"
        status = str(live.query_one("#status", Static).render())
        assert "replay" in status
        assert "connected" not in status
        await pilot.press("plus")
        assert live.told == [], "no speed key in a replay"
        await pilot.press("r")
        assert live.told[-1] == "This viewing takes you as facing backward; the recording is not changed."
        await pilot.press("q")
        assert not isinstance(app.screen, ConfirmQuit), "nothing to lose: no question"
    assert app.return_code == 0


async def test_help_lists_every_key_with_a_sentence() -> None:
    request = AppRequest(AppMode.DEMO, virtual_options(), plan_id="first-steps-backward")
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen)
            rows = dict(app.screen.rows)
            bindings = [b for b in LiveScreen.BINDINGS if isinstance(b, Binding)]
            assert len(rows) >= len(bindings) + 3
            for binding in bindings:
                sentence = LiveScreen.KEY_HELP[binding.action]
                assert sentence in rows.values(), binding.action
                assert len(sentence.split()) >= 6, "a sentence, not a label"
            await pilot.press("escape")
            assert app.screen_stack[-1] is live
        await pilot.press("q", "y")


async def test_the_palette_offers_speed_and_incline_only_with_control() -> None:
    for control in (True, False):
        request = AppRequest(AppMode.DEMO, virtual_options(), plan_id="first-steps-backward", control=control)
        app = TreadmillApp(request, refresh_s=None)
        async with app.run_test(size=SIZE) as pilot:
            await live_screen(pilot)
            titles = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Pause or resume", "Stop the session", "I face backward", "Help", "History"} <= titles
            driving = {"Speed up 0.5 km/h", "Slow down 0.5 km/h", "Incline up 0.5 %", "Incline down 0.5 %"}
            assert (driving <= titles) is control
            assert not (driving & titles) or control
            await pilot.press("q", "y")


@pytest.mark.virtual_time
async def test_spoken_cues_in_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--speak: each cue's headline goes to the text-to-speech program (here a script that notes it)."""
    said = tmp_path / "said.txt"
    program = tmp_path / "espeak"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {said}\n')
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    request = AppRequest(AppMode.DEMO, virtual_options(), plan_id="first-steps-backward", speak=True)
    app = TreadmillApp(request, refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        banner = live.query_one(CueBanner)
        await until(
            pilot,
            lambda: banner.last_cue is not None and banner.last_cue.cue is CueKind.ANNOUNCE,
            "the turn announced",
        )
        speaker = live.speaker
        assert speaker is not None
        speaker.wait()  # the program has written what it was asked to say
        assert "Turn in 10 s: face backward" in said.read_text().splitlines()
        assert speaker.spoken >= 1
        await pilot.press("q", "y")


class FullDiskHistory(History):
    """A history on a disk that fills up as the session ends: its summary cannot be written."""

    def save(self, *args: Any, **kwargs: Any) -> SessionRecord:
        del args, kwargs
        raise StorageError(self.folder / "summary.json", "the disk is full", full=True)


@pytest.mark.virtual_time
async def test_a_full_disk_after_the_session_shows_its_summary_not_a_failure_to_run() -> None:
    """The session ran and is recorded; only its history entry is lost. The app once said "Could not run
    the session" here."""
    request = AppRequest(AppMode.DEMO, virtual_options(duration_s=120.0), plan_id="first-steps-backward")
    app = TreadmillApp(request, history=FullDiskHistory(), refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        live = await live_screen(pilot)
        await until(pilot, lambda: live.feed.now() > 30, "the session under way")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        text = " ".join(str(w.render()) for w in summary.query(Static))
    assert "recorded to" in text
    assert "could not be added to your history" in text
    assert "the disk is full" in text
    assert "Could not run the session" not in text
    [recording] = FullDiskHistory().folder.glob("*.jsonl")
    assert read_fixture(recording).frames, "the recording is kept"

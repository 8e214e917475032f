"""What the app builds on, without the screen: the live board, history, remembered devices,
the user's actions, pausing a workout, and the app commands of the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tui_support import GUIDED, coached_until
from treadmill import cli
from treadmill.clock import SessionClock
from treadmill.core.metrics import Body
from treadmill.launch import AppRequest
from treadmill.model import Cue, LinkEvent, LinkEventKind
from treadmill.session.actions import ReplayActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.session.decoding import Sample
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import read_fixture
from treadmill.storage.history import History
from treadmill.storage.known_devices import KnownDevice, remember, remembered
from treadmill.storage.profile import config_dir
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.control import ControlPolicy
from treadmill.workout.cues import CueEngine
from treadmill.workout.plan import Caps
from tui import cli as tui_cli

# --- the live board -----------------------------------------------------------------------------


async def replayed_board(path: Path = GUIDED) -> tuple[LiveBoard, Session]:
    board = LiveBoard()
    session = Session(ReplaySource(read_fixture(path), speed=None), [board])
    await session.run()
    return board, session


async def test_the_board_agrees_with_the_session_summary() -> None:
    board, session = await replayed_board()
    view = board.view()
    summary = session.summary()
    for direction in ("forward", "reverse"):
        assert view.time_s[direction] == pytest.approx(summary.totals[direction].time_s, abs=20.0)
        assert view.metres[direction] == pytest.approx(summary.totals[direction].distance_m, rel=0.05, abs=15)
    assert summary.totals["reverse"].kcal_low <= view.kcal_high
    assert view.kcal_low <= view.kcal <= view.kcal_high
    assert view.distance_m == pytest.approx(sum(view.metres.values()))
    assert view.link == "connected"


def sample(t: float, kmh: float | None, **more: object) -> Sample:
    return Sample(t, kmh, **more)  # type: ignore[arg-type]


def test_the_board_before_data_and_across_a_gap() -> None:
    board = LiveBoard()
    assert board.view().link == "waiting"
    assert board.view().direction == "stopped"
    board.take(sample(0.0, 5.0, distance_m=0.0))
    board.take(sample(1.0, 5.0, distance_m=1.4))
    board.take(sample(60.0, 5.0, distance_m=1000.0))  # a 59 s gap and a jumped counter: neither counts
    view = board.view()
    assert view.distance_m == pytest.approx(1.4)
    assert sum(view.time_s.values()) == pytest.approx(1.0)
    assert view.pace_s_per_km == pytest.approx(720.0)
    board.take(LinkEvent(61.0, LinkEventKind.STALE))
    assert board.view().link == "stale"
    board.take(LinkEvent(62.0, LinkEventKind.GAVE_UP))
    assert board.view().link == "lost"


def test_heart_rate_zones_by_percent_of_maximum() -> None:
    board = LiveBoard(body=Body(max_hr_bpm=200.0))
    for bpm, zone in ((80, None), (100, 1), (125, 2), (150, 3), (165, 4), (185, 5), (210, 5)):
        board.take(sample(float(bpm), 4.0, heart_rate_bpm=bpm))
        assert board.view().hr_zone == zone, bpm


def test_the_chart_slices_time_and_shows_the_reverse_stretch() -> None:
    board = LiveBoard()
    for t in range(120):
        board.take(sample(float(t), 2.0 if 60 <= t < 90 else 5.0))
    board.take(LinkEvent(119.5, LinkEventKind.MARKED, detail="reverse"))
    for t in range(120, 130):
        board.take(sample(float(t), 2.0))
    columns = board.chart(13, 130.0)
    assert len(columns) == 13
    assert columns[0].speed_kmh == 5.0
    assert columns[7].speed_kmh == 2.0
    assert columns[-1].direction == "reverse"
    assert board.chart(0, 60.0) == []
    assert all(c.speed_kmh is None for c in board.chart(4, 10.0, now=500.0))


def test_chart_slices_narrower_than_the_notifications_hold_the_speed_but_gaps_show() -> None:
    board = LiveBoard()
    for t in [*range(60), *range(70, 80)]:  # 1 Hz, then 10 s without data
        board.take(sample(float(t), 4.0))
    columns = board.chart(160, 80.0, now=80.0)  # half-second slices
    speeds = [c.speed_kmh for c in columns]
    assert all(s == 4.0 for s in speeds[2:119]), "no holes between 1 Hz samples"
    assert all(s is None for s in speeds[128:138]), "a real gap in the data stays a gap"


async def test_the_board_shows_the_coached_step_and_holds_it_while_paused() -> None:
    board, _ = await coached_until(100.0)
    assert board.coach is not None
    step = board.view(100.0).step
    assert step is not None
    assert (step.number, step.count, step.direction) == (1, 10, "forward")
    assert step.seconds_left == pytest.approx(200.0)
    assert step.done_fraction == pytest.approx(1 / 3)
    board.coach.pause(100.0)
    assert board.view(160.0).step.seconds_left == pytest.approx(200.0)  # type: ignore[union-attr]
    assert board.view(160.0).paused


# --- pausing a workout -----------------------------------------------------------------------------


def test_a_paused_workout_shifts_its_clock() -> None:
    engine = CueEngine(builtin_plans()["first-steps-backward"])
    engine.update(50.0)
    engine.shift(30.0)
    assert engine.seconds_left(50.0) == pytest.approx(160.0)
    assert [c.kind for c in engine.update(199.5)] == []  # the announce moved 30 s later too
    assert [c.kind for c in engine.update(200.0)] == ["announce"]


async def test_the_coach_stays_silent_while_paused_and_picks_up_after() -> None:
    events: list[CoachEvent] = []

    async def add_cue(cue: Cue) -> None:
        del cue

    coach = WorkoutCoach(
        builtin_plans()["first-steps-backward"], add_cue, SessionClock(), on_event=events.append
    )
    coach.pause(100.0)
    for tenth in range(1000, 2400):
        await coach.tick(tenth / 10)
    assert [e.detail for e in events] == ["pause"]
    coach.resume(240.0)
    for tenth in range(2400, 3210):
        await coach.tick(tenth / 10)
    turn = next(e for e in events if e.detail == "turn")
    assert turn.t == pytest.approx(180.0 + 140.0)


def test_the_speed_keys_stay_within_the_caps() -> None:
    policy = ControlPolicy(Caps(forward_kmh=8.0, reverse_kmh=3.0), None, None)
    assert policy.user_speed(10.0, "reverse", 3.5) == 3.0
    assert policy.user_speed(11.0, "forward", 9.0) == 8.0
    assert policy.following_user
    assert policy.on_target_speed(12.0, 8.0) is None  # our own command echoed back


async def test_the_speed_keys_need_control_and_a_moving_belt() -> None:
    async def add_cue(cue: Cue) -> None:
        del cue

    watching = WorkoutCoach(builtin_plans()["first-steps-backward"], add_cue, SessionClock())
    assert watching.user_speed(0.5).startswith("Control is off")
    assert watching.user_incline(0.5).startswith("Control is off")


# --- replay actions ------------------------------------------------------------------------------


async def test_replay_actions_pause_resume_and_mark() -> None:
    source = ReplaySource(read_fixture(GUIDED), speed=1000.0)
    session = Session(source, [])
    actions = ReplayActions(session, source)
    assert await actions.toggle_pause() == "Replay paused. Space to go on."
    assert source.paused
    assert await actions.toggle_pause() == "Replay resumed."
    assert actions.change_speed(0.5).startswith("A replay")
    assert (await actions.mark("reverse")).startswith("Marked")
    assert session.events[-1].kind is LinkEventKind.MARKED
    with pytest.raises(ValueError, match="forward or reverse"):
        await actions.mark("sideways")
    assert actions.stop() == "Replay stopped."


# --- history and remembered devices ----------------------------------------------------------------


async def test_history_keeps_sessions_ratings_and_interrupted_ones(tmp_path: Path) -> None:
    history = History(tmp_path / "sessions")
    started = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    first = history.new_fixture("7-day-challenge", started)
    assert first.name == "20261124-070000-7-day-challenge.jsonl"
    first.write_text((GUIDED).read_text())
    _, session = await replayed_board(first)
    record = history.save(first, started, "7-day-challenge", "day 1", session.summary())
    assert record.reverse_s > 300
    history.rate(record, "hard")
    with pytest.raises(ValueError, match="easy, ok, hard"):
        history.rate(record, "meh")
    second = history.new_fixture("7-day-challenge", started)
    assert second != first  # same second: never the same file
    second.write_text(GUIDED.read_text().splitlines()[0] + "\n" + '{"t": 12.0, "event": "connected"}\n')
    records = history.records()
    assert [r.interrupted for r in records] == [False, True]
    assert records[0].rating == "hard"
    assert records[1].duration_s == 12.0
    assert history.challenge_next() == (2, "hard")
    first.with_suffix(".json").write_text("{not json")
    assert history.records()[0].interrupted  # a broken summary falls back to the recording
    assert not history.discard_if_empty(first), "a recording with data is kept"
    assert first.exists()
    never_began = history.new_fixture(None, started)
    never_began.write_text(GUIDED.read_text().splitlines()[0] + "\n")
    assert history.discard_if_empty(never_began)
    assert not never_began.exists()


def test_devices_are_remembered_by_kind(tmp_path: Path) -> None:
    assert remembered(tmp_path) == {}
    remember([KnownDevice("treadmill", "AA", "Walker"), KnownDevice("heart_rate", "BB")], tmp_path)
    remember([KnownDevice("treadmill", "CC", "Runner")], tmp_path)
    known = remembered(tmp_path)
    assert known["treadmill"] == KnownDevice("treadmill", "CC", "Runner")
    assert known["heart_rate"].address == "BB"
    (tmp_path / "devices.json").write_text("[1, 2]")
    assert remembered(tmp_path) == {}
    (tmp_path / "devices.json").write_text(json.dumps({"treadmill": {"name": "no address"}}))
    assert remembered(tmp_path) == {}


# --- the app commands ----------------------------------------------------------------------------


def run_cli(argv: list[str]) -> tuple[int, list[AppRequest]]:
    asked: list[AppRequest] = []

    def launcher(request: AppRequest) -> int:
        asked.append(request)
        return 0

    return cli.main(argv, launch_app=launcher), asked


def test_demo_asks_for_the_virtual_treadmill_and_a_builtin_workout() -> None:
    status, [request] = run_cli(["demo"])
    assert status == 0
    assert request.mode == "demo"
    assert request.options is not None
    assert request.options.virtual
    assert request.options.time_scale == 4.0
    assert request.options.workout is not None
    assert request.options.workout.name == "First steps backward"
    assert request.options.duration_s == request.options.workout.duration_s + 30  # type: ignore[operator]


def test_run_and_replay_requests() -> None:
    _, [picking] = run_cli(["run"])
    assert picking.pick_device
    assert picking.plan_id is None
    _, [free] = run_cli(["run", "--device", "AA:BB", "--plan", "free"])
    assert not free.pick_device
    assert free.options is not None
    assert free.options.workout is None
    _, [replay] = run_cli(["replay", str(GUIDED), "--speed", "4"])
    assert (replay.mode, replay.fixture, replay.replay_speed) == ("replay", GUIDED, 4.0)
    _, [flat_out] = run_cli(["replay", str(GUIDED), "--speed", "max"])
    assert flat_out.replay_speed is None
    assert flat_out.mqtt is None, "no --mqtt, no url in the config file: MQTT is off"


def test_mqtt_requests_and_the_dashboard(capsys: pytest.CaptureFixture[str]) -> None:
    _, [demo] = run_cli(["demo", "--mqtt", "mqtt://gym.local"])
    assert demo.options is not None
    assert demo.options.mqtt is not None
    assert (demo.options.mqtt.host, demo.options.mqtt.port) == ("gym.local", 1883)
    _, [replay] = run_cli(["replay", str(GUIDED), "--mqtt", "mqtts://gym.local"])
    assert replay.mqtt is not None
    assert replay.mqtt.tls
    _, [dashboard] = run_cli(["dashboard", "--mqtt", "mqtt://gym.local:1884"])
    assert dashboard.mode == "dashboard"
    assert dashboard.mqtt is not None
    assert dashboard.mqtt.port == 1884
    assert run_cli(["dashboard"]) == (2, [])
    assert "which broker? give --mqtt URL" in capsys.readouterr().err
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text('[mqtt]\nurl = "mqtt://from-config"\n')
    _, [configured] = run_cli(["dashboard"])
    assert configured.mqtt is not None
    assert configured.mqtt.host == "from-config"


def test_app_commands_refuse_bad_input_before_the_screen_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"format": "treadmill-fixture", "version": 1}\nnot json\n')
    assert run_cli(["replay", str(broken)]) == (2, [])
    assert "broken.jsonl:2" in capsys.readouterr().err
    assert run_cli(["run", "--virtual", "--device", "AA"]) == (2, [])
    assert run_cli(["run", "--plan", "free", "--control"]) == (2, [])
    assert run_cli(["demo", "--plan", "no-such-plan"]) == (2, [])
    assert cli.main(["demo"]) == 2  # without the app (python -m treadmill)
    assert "opens the terminal app" in capsys.readouterr().err


def test_the_console_script_opens_the_app_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as leaving:
        tui_cli.main(["--help"])
    assert leaving.value.code == 0
    listed = capsys.readouterr().out
    assert "demo" in listed
    assert "the app on a treadmill" in listed

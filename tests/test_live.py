"""What the app builds on, without the screen: the live board, history, remembered devices,
the person's actions, pausing a workout, and the app commands of the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support import cli
from tests.tui_support import GUIDED, coached_until
from treadmill.clock import SessionClock
from treadmill.core.body import Body
from treadmill.core.pipeline import Pipeline
from treadmill.defaults import FREE_RUN_S, WORKOUT_MARGIN_S
from treadmill.model import Cue, Direction, Facing, LinkEvent, LinkEventKind, LinkState, Sample, Sensor
from treadmill.session.actions import ReplayActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.session.engine import Session, SessionResult
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import FixtureWriter, read_fixture
from treadmill.storage.history import History
from treadmill.storage.known_devices import KnownDevice, remember, remembered
from treadmill.storage.paths import config_dir
from treadmill.workout.builtin import Rating, builtin_plans
from treadmill.workout.control import ControlPolicy
from treadmill.workout.cues import CueKind
from treadmill.workout.plan import Caps
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest

F, R = Direction.FORWARD, Direction.REVERSE

# --- the live board -----------------------------------------------------------------------------


async def replayed(path: Path = GUIDED) -> SessionResult:
    return await Session(ReplaySource(read_fixture(path), speed=None)).run()


async def test_the_board_is_the_session_summary() -> None:
    """One pipeline: the screen's numbers at the end are the summary's, to the metre and the second."""
    result = await replayed()
    view = result.board.view()
    summary = result.pipeline.summary()
    for direction in (F, R):
        assert view.time_s[direction] == summary.totals[direction].time_s
        assert view.metres[direction] == summary.totals[direction].distance_m
    assert view.kcal_low <= view.kcal <= view.kcal_high
    assert view.distance_m == pytest.approx(sum(view.metres.values()))
    assert view.link is LinkState.CONNECTED
    assert [s.direction for s in result.samples] == [
        result.board.pipeline.verdicts[k].direction for k in range(len(result.samples))
    ]


def sample(t: float, kmh: float | None, **more: object) -> Sample:
    return Sample(t, kmh, **more)  # type: ignore[arg-type]


def test_the_board_before_data_and_across_a_gap() -> None:
    board = LiveBoard()
    assert board.view().link is LinkState.WAITING
    assert board.view().direction is Direction.STOPPED
    board.take(sample(0.0, 5.0, distance_m=0.0))
    board.take(sample(1.0, 5.0, distance_m=1.4))
    board.take(sample(60.0, 5.0, distance_m=1000.0))  # a 59 s gap and a jumped counter
    view = board.view()
    assert sum(view.time_s.values()) == pytest.approx(1.0 + 5.0), "a gap counts as at most 5 s"
    assert view.distance_m == pytest.approx(6.0 * 5.0 / 3.6), "the belt's speed, not the counter's jump"
    assert view.pace_s_per_km == pytest.approx(720.0)
    board.take(LinkEvent(61.0, LinkEventKind.STALE))
    assert board.view().link is LinkState.STALE
    board.take(LinkEvent(62.0, LinkEventKind.GAVE_UP))
    assert board.view().link is LinkState.LOST


def test_heart_rate_zones_by_percent_of_maximum() -> None:
    board = LiveBoard(Pipeline(Body(max_hr_bpm=200.0)))
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
    assert columns[-1].direction is R
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
    assert (step.number, step.count, step.facing) == (1, 10, Facing.FORWARD)
    started = board.coach.plan_time(100.0)  # the plan's clock starts with the belt, not the session
    assert step.seconds_left == pytest.approx(300.0 - started)
    board.coach.pause(100.0)
    assert board.view(160.0).step.seconds_left == pytest.approx(300.0 - started)  # type: ignore[union-attr]
    assert board.view(160.0).paused


# --- pausing a workout -----------------------------------------------------------------------------


def moving(t: float, kmh: float = 4.0) -> Sample:
    return Sample(t, kmh, direction=F, confidence=0.9)


async def test_the_plan_clock_starts_with_the_belt_and_holds_while_paused_or_stopped() -> None:
    events: list[CoachEvent] = []

    async def add_cue(cue: Cue) -> None:
        del cue

    coach = WorkoutCoach(
        builtin_plans()["first-steps-backward"], add_cue, SessionClock(), on_event=events.append
    )
    for tenth in range(500):  # 50 s before anyone starts the belt: the plan waits
        await coach.tick(tenth / 10)
    assert coach.plan_time(50.0) == 0.0
    assert coach.started_at is None
    await coach.handle(moving(50.0))
    assert coach.plan_time(100.0) == pytest.approx(50.0)
    coach.pause(100.0)
    for tenth in range(1000, 2400):
        await coach.tick(tenth / 10)
    assert [e.text for e in events] == ["Paused"], "nothing is cued while paused"
    coach.resume(240.0)
    assert coach.plan_time(250.0) == pytest.approx(60.0)
    await coach.handle(Sample(250.0, 0.0, direction=Direction.STOPPED))  # the person stops for a drink
    await coach.handle(moving(280.0))
    assert coach.plan_time(280.0) == pytest.approx(60.0), "a stopped belt holds the plan too"
    for tenth in range(2800, 4100):
        await coach.tick(tenth / 10)
    turn = next(e for e in events if e.cue is CueKind.TURN)
    assert coach.plan_time(turn.t) == pytest.approx(180.0, abs=0.11)


def test_the_speed_keys_stay_within_the_caps_and_ramp() -> None:
    policy = ControlPolicy(Caps(forward_kmh=8.0, reverse_kmh=3.0), None, None)
    plan = builtin_plans()["first-steps-backward"]

    def update(t: float) -> float | None:
        command = policy.update(
            t,
            step=plan.steps[0],
            step_index=0,
            coming=plan.steps[1],
            seconds_left=150.0,
            belt_kmh=3.5,
            running=True,
            detected=F,
        )
        return None if command is None else command.speed_kmh

    update(9.0)  # the warm-up at its 3.5 km/h
    assert policy.user_speed(10.0, Facing.REVERSE, 3.5) == 3.0
    assert policy.user_speed(11.0, Facing.FORWARD, 9.0) == 8.0
    assert policy.user_goal_kmh == 8.0
    commands = [kmh for t in range(12, 30) if (kmh := update(float(t))) is not None]
    assert commands[:3] == [4.0, 4.5, 5.0], "a ramp of 0.5 km/h a second, not a jump to 8"
    assert max(commands) == 8.0
    assert policy.on_target_speed(30.0, 8.0) is None  # our own command echoed back


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
    assert "recording is not changed" in await actions.mark(Facing.REVERSE)
    assert session.events[-1].kind is LinkEventKind.MARKED
    assert actions.stop() == "Replay stopped."


# --- history and remembered devices ----------------------------------------------------------------


async def test_history_keeps_sessions_ratings_and_interrupted_ones(tmp_path: Path) -> None:
    history = History(tmp_path / "sessions")
    started = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    stem = history.stem("7-day-challenge", started)
    assert stem == "20261124-070000-7-day-challenge"
    first = FixtureWriter.create_in(history.folder, stem)
    second = FixtureWriter.create_in(history.folder, stem)  # the same second: never the same file
    assert (first.path.name, second.path.name) == (f"{stem}.jsonl", f"{stem}-2.jsonl")
    first.close()
    first.path.write_text(GUIDED.read_text())
    record = history.save(
        first.path, started, "7-day-challenge", "day 1", (await replayed(first.path)).pipeline.summary()
    )
    assert record.reverse_s > 300
    history.rate(record, Rating.HARD)
    second.event(LinkEvent(12.0, LinkEventKind.CONNECTED))
    second.close()
    records = history.records()
    assert [r.interrupted for r in records] == [False, True]
    assert records[0].rating is Rating.HARD
    assert records[1].duration_s == 12.0
    assert history.challenge_next() == (2, Rating.HARD)
    first.path.with_suffix(".json").write_text("{not json")
    assert history.records()[0].interrupted  # a broken summary falls back to the recording


def test_devices_are_remembered_by_kind(tmp_path: Path) -> None:
    assert remembered(tmp_path) == {}
    remember([KnownDevice(Sensor.TREADMILL, "AA", "Walker"), KnownDevice(Sensor.HEART_RATE, "BB")], tmp_path)
    remember([KnownDevice(Sensor.TREADMILL, "CC", "Runner")], tmp_path)
    known = remembered(tmp_path)
    assert known[Sensor.TREADMILL] == KnownDevice(Sensor.TREADMILL, "CC", "Runner")
    assert known[Sensor.HEART_RATE].address == "BB"
    (tmp_path / "devices.json").write_text("[1, 2]")
    assert remembered(tmp_path) == {}
    (tmp_path / "devices.json").write_text(json.dumps({"treadmill": {"name": "no address"}}))
    assert remembered(tmp_path) == {}


# --- the app commands ----------------------------------------------------------------------------


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[AppRequest]]:
    """The real command line, with the app replaced by a recorder of what it was asked to open."""
    asked: list[AppRequest] = []

    def opened(request: AppRequest) -> int:
        asked.append(request)
        return 0

    monkeypatch.setattr("tui.app.run_app", opened)
    status, _, _ = cli(capsys, *argv)
    return status, asked


def test_demo_asks_for_the_virtual_treadmill_and_a_builtin_workout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, [request] = run_cli(monkeypatch, capsys, "demo")
    assert status == 0
    assert request.mode is AppMode.DEMO
    options = request.options
    assert options is not None
    assert options.source.is_virtual
    assert options.time_scale == 4.0
    assert options.workout is not None
    assert options.workout.plan.name == "First steps backward"
    assert options.duration_s == options.workout.plan.duration_s + WORKOUT_MARGIN_S  # type: ignore[operator]


def test_a_free_run_lasts_as_long_from_the_command_line_as_from_the_picker(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --plan free` once ended after 10 minutes, the picker's Free run after 3 hours."""
    _, [request] = run_cli(monkeypatch, capsys, "run", "--virtual", "--plan", "free")
    assert request.options is not None
    assert request.options.workout is None
    picked = TreadmillApp(AppRequest(AppMode.RUN, request.options))._with_plan(request.options, None)
    assert request.options.duration_s == picked.duration_s == FREE_RUN_S


def test_run_and_replay_requests(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, [picking] = run_cli(monkeypatch, capsys, "run")
    assert picking.pick_device
    assert picking.plan_id is None
    _, [free] = run_cli(monkeypatch, capsys, "run", "--device", "AA:BB", "--plan", "free")
    assert not free.pick_device
    assert free.options is not None
    assert free.options.workout is None
    _, [guided] = run_cli(
        monkeypatch, capsys, "run", "--device", "AA:BB", "--plan", "zone2-reverse", "--control"
    )
    assert guided.options is not None
    assert guided.options.workout is not None
    assert guided.options.workout.control, "the README's example: --plan is always a workout"
    _, [replay] = run_cli(monkeypatch, capsys, "replay", str(GUIDED), "--speed", "4")
    assert (replay.mode, replay.fixture, replay.replay_speed) == (AppMode.REPLAY, GUIDED, 4.0)
    _, [flat_out] = run_cli(monkeypatch, capsys, "replay", str(GUIDED), "--speed", "max")
    assert flat_out.replay_speed is None
    assert flat_out.mqtt is None, "no --mqtt, no url in the config file: MQTT is off"


def test_mqtt_requests_and_the_dashboard(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, [demo] = run_cli(monkeypatch, capsys, "demo", "--mqtt", "mqtt://gym.local")
    assert demo.mqtt is not None
    assert (demo.mqtt.host, demo.mqtt.port) == ("gym.local", 1883)
    _, [replay] = run_cli(monkeypatch, capsys, "replay", str(GUIDED), "--mqtt", "mqtts://gym.local")
    assert replay.mqtt is not None
    assert replay.mqtt.tls
    _, [dashboard] = run_cli(monkeypatch, capsys, "dashboard", "--mqtt", "mqtt://gym.local:1884")
    assert dashboard.mode is AppMode.DASHBOARD
    assert dashboard.mqtt is not None
    assert dashboard.mqtt.port == 1884
    status, _, err = cli(capsys, "dashboard")
    assert status == 2
    assert "which broker? give --mqtt mqtt://HOST" in err
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "config.toml").write_text('[mqtt]\nurl = "mqtt://from-config"\n')
    _, [configured] = run_cli(monkeypatch, capsys, "dashboard")
    assert configured.mqtt is not None
    assert configured.mqtt.host == "from-config"


def test_app_commands_refuse_bad_input_before_the_screen_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"format": "treadmill-fixture", "version": 1}\nnot json\n')
    assert run_cli(monkeypatch, capsys, "replay", str(broken)) == (2, [])
    assert run_cli(monkeypatch, capsys, "run", "--virtual", "--device", "AA") == (2, [])
    assert run_cli(monkeypatch, capsys, "run", "--plan", "free", "--control") == (2, [])
    assert run_cli(monkeypatch, capsys, "demo", "--plan", "no-such-plan") == (2, [])
    status, _, err = cli(capsys, "replay", str(broken))
    assert status == 2
    assert "broken.jsonl:2" in err


def test_the_console_script_lists_the_app_commands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "--help")
    assert status == 0
    assert "demo" in out
    assert "the app on a treadmill" in out

"""Hostile input: every class of defect an outside attack found, as one test (or one group) each.

docs/limits.md says what each limit is and what happens at it. Tested elsewhere, with the real
part they need:

* MQTT commands that once stopped publishing, and remote speeds capped and ramped:
  ``test_mqtt.py::test_remote_control_over_mqtt_stays_within_the_caps_and_stops_the_session``;
* the MQTT tests on a machine without mosquitto: ``tests/mqtt_broker.py`` falls back to
  amqtt, and ``.ci/run`` runs the MQTT tests both ways;
* bad data that would steer the belt: ``test_belt_safety.py``; the browser's messages and
  connections: ``test_serve_limits.py``.

Every command-line case holds the same contract: exit 2 (bad input) or 1 (a failure),
exactly one line on stderr, no traceback, nothing left half-written.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support import cli
from treadmill.ble import virtual_link
from treadmill.clock import SessionClock
from treadmill.core.pipeline import Pipeline
from treadmill.errors import LinkError
from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.ftms.treadmill_data import TreadmillData
from treadmill.model import ControlReply, Frame, StatusReport
from treadmill.session.board import LiveBoard
from treadmill.session.coach import WorkoutCoach
from treadmill.session.consumer import SessionItem, SourceItem
from treadmill.session.engine import Session
from treadmill.storage.export import Activity, ExportError, ExportFormat, render
from treadmill.storage.files import StorageError, create_new
from treadmill.storage.fixtures import FixtureError, FixtureWriter, read_fixture
from treadmill.storage.profile import load_profile
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.plan import PlanError, parse_plan
from treadmill.workout.zwo import NOTES, parse_zwo

ROOT = Path(__file__).resolve().parent.parent
GUIDED = ROOT / "fixtures" / "guided-beginner.jsonl"
HEADER = '{"format": "treadmill-fixture", "version": 1, "started_at": "2026-11-24T07:00:00Z", "device": {}}'
PACES = (300.0, 330.0, 345.0, 365.0, 390.0)


def one_line(status: int, err: str, expected: int = 2) -> str:
    """The command-line contract: the expected status and exactly one line, no traceback."""
    assert status == expected, err
    lines = err.splitlines()
    assert len(lines) == 1, err[:2000]
    assert "Traceback" not in err
    return lines[0]


def recording(tmp_path: Path, *body: str | bytes, name: str = "r.jsonl") -> Path:
    """A recording with a valid header and these body lines, as bytes on disk."""
    path = tmp_path / name
    lines = [HEADER.encode(), *(line if isinstance(line, bytes) else line.encode() for line in body)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


FIXTURE_COMMANDS = [("replay", "--headless"), ("analyze", "--json"), ("export", "--format", "csv")]
"""Every command that reads a recording, with the options that make it print rather than open the app."""


def read_with(command: Sequence[str], path: Path, tmp_path: Path, *more: str) -> list[str]:
    """argv that runs ``command`` on ``path`` (an export goes to a new file in ``tmp_path``)."""
    argv = [command[0], str(path), *command[1:], *more]
    if command[0] == "export":
        argv += ["--out", str(tmp_path / f"out-{len(list(tmp_path.iterdir()))}.csv")]
    return argv


# --- a malformed status frame, a coach that fails -------------------------------------------


class Frames:
    """A source of frames known in advance (what a treadmill would have sent)."""

    def __init__(self, frames: Sequence[Frame]) -> None:
        self._frames = frames
        self.acknowledged: list[StatusReport | ControlReply] = []

    async def items(self) -> AsyncIterator[SourceItem]:
        for frame in self._frames:
            yield frame

    def pending_items(self) -> list[SourceItem]:
        return []

    def acknowledge(self, item: StatusReport | ControlReply) -> None:
        self.acknowledged.append(item)


def walking(seconds: int, *extra: Frame) -> list[Frame]:
    """A belt at 4 km/h for ``seconds``, one Treadmill Data frame a second, with ``extra`` mixed in."""
    payload = bytes(TreadmillData(instantaneous_speed_kmh=4.0))
    frames = [Frame(float(t), "2acd", payload) for t in range(seconds)]
    return sorted([*frames, *extra], key=lambda f: f.t)


async def test_a_malformed_status_frame_is_counted_and_the_coach_keeps_seeing() -> None:
    clock = SessionClock()
    bad = [Frame(5.5, "2ada", b""), Frame(6.5, "2ada", b"\x05\x01")]  # empty; a speed change cut short
    session = Session(Frames(walking(30, *bad)), board=LiveBoard(Pipeline()))
    coach = WorkoutCoach(builtin_plans()["first-steps-backward"], session.add_cue, clock)
    session.add_consumer(coach)
    result = await session.run()
    assert result.decode.bad_frames["2ada"] >= 1
    report = next(r for r in result.consumers if r.name == "coach")
    assert report.error is None, "a bad frame is the decoder's to count, never the coach's to die of"
    assert coach.blind is None
    assert coach.started_at == 0.0, "the coach saw the belt move, before and after the bad frames"


class BrokenCoach(WorkoutCoach):
    """A coach with a bug: it fails on the sample at 10 s (the session must cut it off safely)."""

    async def handle(self, item: SessionItem) -> None:
        if item.t >= 10.0:
            raise RuntimeError("a bug in the coach")
        await super().handle(item)


class RecordingControls:
    """The machine's side of control, as the coach sees it: what was asked of the belt."""

    speed_range: SpeedRange | None = None
    incline_range: InclinationRange | None = None

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def set_target_speed(self, kmh: float) -> float:
        self.asked.append(f"speed {kmh}")
        return kmh

    async def set_target_inclination(self, pct: float) -> float:
        self.asked.append(f"incline {pct}")
        return pct

    async def stop(self) -> None:
        self.asked.append("stop")


async def test_a_coach_cut_off_by_the_session_stops_driving_the_belt_and_says_so() -> None:
    clock = SessionClock(time_scale=1000.0)
    session = Session(Frames(walking(30)), board=LiveBoard(Pipeline()))
    controls = RecordingControls()
    coach = BrokenCoach(
        builtin_plans()["first-steps-backward"], session.add_cue, clock, controls=controls, tick_s=0.1
    )
    session.add_consumer(coach)
    result = await session.run()
    assert next(r for r in result.consumers if r.name == "coach").error is not None
    assert coach.blind is not None
    said = [e.text for e in coach.events]
    assert "Coach off: hold the rails" in said
    before = len(controls.asked)
    await asyncio.wait_for(coach.run(), timeout=10.0)  # its ticker ends at once, acting on nothing
    assert len(controls.asked) == before, "a blind coach commands nothing more"


# --- two sessions in the same second ---------------------------------------------------------


def test_two_recordings_in_the_same_second_get_two_files_and_neither_deletes_the_other(
    tmp_path: Path,
) -> None:
    first = FixtureWriter.create_in(tmp_path, "2026-11-29-0700")
    second = FixtureWriter.create_in(tmp_path, "2026-11-29-0700")
    assert first.path != second.path
    first.frame(Frame(1.0, "2acd", bytes(TreadmillData(instantaneous_speed_kmh=3.0))))
    second.discard_if_empty()  # the second never got a frame: it removes its own file only
    first.close()
    assert not second.path.exists()
    assert read_fixture(first.path).frames, "the first session's recording is whole"


# --- profiles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "said"),
    [
        ('{"forward_cap_kmh": 1e9, "reverse_cap_kmh": 1e9}', ["forward_cap_kmh", "reverse_cap_kmh"]),
        ('{"forward_cap_kmh": "12", "reverse_cap_kmh": "x"}', ["forward_cap_kmh", "reverse_cap_kmh"]),
        ('{"forward_cap_kmh": -3, "reverse_cap_kmh": -1}', ["forward_cap_kmh", "reverse_cap_kmh"]),
        ('{"reference_paces_s_per_km": [0, 0, 0, 0, 0]}', ["reference_paces_s_per_km"]),
        ('{"mass_kg": NaN, "age": "old"}', ["mass_kg", "age"]),
        ("[1, 2, 3]", ["not a profile"]),
        ('{"caps": {"forward_kmh": 99}}', ["unknown fields ignored: caps"]),
        ('{"examples": [{"direction": "sideways", "t": 1}]}', ["examples"]),
    ],
)
def test_a_bad_profile_field_is_reported_and_falls_back_within_the_caps(
    tmp_path: Path, profile: str, said: list[str]
) -> None:
    (tmp_path / "profile.json").write_text(profile)
    loaded = load_profile(tmp_path)
    for word in said:
        assert any(word in problem for problem in loaded.problems), loaded.problems
    person = loaded.profile
    assert 0.5 <= person.forward_cap_kmh <= 25.0
    assert 0.5 <= person.reverse_cap_kmh <= 10.0
    assert all(120.0 <= pace <= 1200.0 for pace in person.reference_paces_s_per_km)
    assert person.mass_kg == 70.0 or "mass_kg" not in said
    assert all(example.direction in ("forward", "reverse") for example in person.examples)


def test_a_bad_profile_never_stops_a_controlled_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(os.environ["TREADMILL_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "profile.json").write_text('{"forward_cap_kmh": "fast", "reverse_cap_kmh": 1e9}')
    out = tmp_path / "c.jsonl"
    status, _, err = cli(
        capsys, "record", "--virtual", "--plan", "first-steps-backward", "--control", "--out", str(out),
        "--duration", "60", "--time-scale", "60",
    )  # fmt: skip
    assert status == 0, err
    assert "forward_cap_kmh" in err
    assert "reverse_cap_kmh" in err
    assert "Traceback" not in err
    assert read_fixture(out).frames


# --- NaN and infinity ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("key", ["speed_kmh", "incline_pct", "duration", "distance_m"])
def test_nan_and_infinity_in_a_toml_plan_are_refused_naming_the_line(key: str, value: str) -> None:
    other = "" if key in ("duration", "distance_m") else "duration = 60\n"
    text = f'name = "x"\n[[steps]]\ndirection = "forward"\n{other}{key} = {value}\n'
    with pytest.raises(PlanError) as info:
        parse_plan(text, "nan.toml")
    assert info.value.line >= 3
    assert key in info.value.field


@pytest.mark.parametrize(
    "block",
    [
        '<SteadyState Duration="nan" Power="0.8"/>',
        '<IntervalsT Repeat="nan" OnDuration="30" OffDuration="30" OnPower="1" OffPower="0.5"/>',
        '<Warmup Duration="1e400" PowerLow="0.5" PowerHigh="0.7"/>',
    ],
)
def test_nan_and_infinity_in_a_zwo_length_or_count_are_refused(block: str) -> None:
    data = f"<workout_file><sportType>run</sportType><workout>{block}</workout></workout_file>"
    with pytest.raises(PlanError) as info:
        parse_zwo(data.encode(), "bad.zwo", PACES)
    assert info.value.line == 1
    assert "block 1" in info.value.field


@pytest.mark.parametrize(
    "block",
    ['<SteadyState Duration="300" Power="inf"/>', '<SteadyState Duration="300" Power="0.8" pace="nan"/>'],
)
def test_nan_and_infinity_in_a_zwo_target_drop_the_target_and_say_so(block: str) -> None:
    """A target is optional (TOML's and .zwo's alike): a bad one is left out, never let through."""
    data = f"<workout_file><sportType>run</sportType><workout>{block}</workout></workout_file>"
    plan = parse_zwo(data.encode(), "bad.zwo", PACES)
    assert plan.steps[0].speed_kmh is None
    assert plan.steps[0].duration_s == 300
    [note] = plan.extra[NOTES]
    assert "no speed target" in note


def user_plans(files: dict[str, bytes | None]) -> Path:
    """The user's plans folder holding ``files`` (None: a FIFO)."""
    folder = Path(os.environ["TREADMILL_CONFIG_DIR"]) / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            os.mkfifo(folder / name)
        else:
            (folder / name).write_bytes(content)
    return folder


PLAN_COMMANDS = [
    ("plans",),
    ("plans", "--json"),
    ("record", "--virtual", "--plan", "first-steps-backward", "--duration", "3", "--time-scale", "50"),
]
"""Every command that loads the plans folder (the app's pickers use the same catalogue)."""


@pytest.mark.parametrize("command", PLAN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_bad_user_plans_are_skipped_and_never_stop_the_others(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = user_plans(
        {
            "nan.toml": b'name = "n"\n[[steps]]\ndirection = "forward"\nduration = nan\n',
            "inf.zwo": b'<workout_file><sportType>run</sportType><workout><SteadyState Duration="inf"'
            b' Power="1"/></workout></workout_file>',
            "fifo.toml": None,
            "huge.toml": b'name = "h"\n' + b"# padding\n" * 200_000,
            "repeat.zwo": b'<workout_file><sportType>run</sportType><workout><IntervalsT Repeat="10000000"'
            b' OnDuration="30" OffDuration="30" OnPower="1" OffPower="0.5"/></workout></workout_file>',
            "first-steps-backward.toml": b'name = "mine"\n[[steps]]\ndirection = "forward"\nduration = 60\n',
        }
    )
    (folder / "zero.toml").symlink_to("/dev/zero")
    argv = list(command)
    if command[0] == "record":
        argv += ["--out", str(tmp_path / "r.jsonl")]
    status, out, err = cli(capsys, *argv)
    assert status == 0, err
    assert "Traceback" not in err
    if command[0] == "plans":
        skipped = [line for line in err.splitlines() if line.startswith("skipped")]
        assert len(skipped) == 7, err
        assert "named like the built-in" in err
    if command == ("plans", "--json"):
        listed = json.loads(out)
        assert "first-steps-backward" in [p["id"] for p in listed]
        assert next(p for p in listed if p["id"] == "first-steps-backward")["name"] == "First steps backward"


@pytest.mark.parametrize(
    "argv",
    [
        ("record", "--virtual", "--out", "{out}", "--time-scale", "nan"),
        ("record", "--virtual", "--out", "{out}", "--time-scale", "inf"),
        ("record", "--virtual", "--out", "{out}", "--time-scale", "1e9"),
        ("record", "--virtual", "--out", "{out}", "--notify-hz", "nan"),
        ("record", "--virtual", "--out", "{out}", "--speed-resolution", "nan"),
        ("record", "--virtual", "--out", "{out}", "--drop-link-at", "nan"),
        ("record", "--virtual", "--out", "{out}", "--duration", "-1"),
        ("demo", "--time-scale", "nan"),
        ("replay", "{fixture}", "--speed", "nan"),
        ("replay", "{fixture}", "--speed", "1e400"),
        ("scan", "--timeout", "inf"),
    ],
    ids=lambda argv: " ".join(argv[i] for i in (0, -2, -1)),
)
def test_every_number_on_the_command_line_is_finite_and_in_range(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"out": str(tmp_path / "o.jsonl"), "fixture": str(GUIDED)}
    line = one_line(*cli(capsys, *(a.format(**values) for a in argv))[::2])
    assert argv[-2] in line
    assert not (tmp_path / "o.jsonl").exists()


# --- the recording reader -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b'{"t": 1.0, "cue": "reverse"\xff\xfe}', "not UTF-8"),
        (b'{"t": 1' + b"0" * 400 + b', "cue": "reverse"}', "'t'"),
        (b'{"t": ' + b"9" * 5000 + b', "cue": "reverse"}', "number"),
        (b"[" * 30_000 + b"]" * 30_000, "nested too deep"),
        (b'{"t": 1.0, "char": "2acd", "hex": 400}', "hex"),
        (b'{"t": 1.0, "event": "marked", "detail": "sideways"}', "forward or reverse"),
        (b'{"t": 1.0, "cue": "backwards"}', "cue"),
        (b'{"t": NaN, "cue": "reverse"}', "'t'"),
        (b'{"t": 1e6, "cue": "reverse"}', "25 hours"),
        (b'{"t": 1.0, "char": "2acd", "hex": "' + b"00" * 40_000 + b'"}', "longer than"),
    ],
    ids=["non_utf8", "t_400_digits", "5000_digits", "deep_json", "hex_number", "sideways_mark",
         "unknown_cue", "nan_t", "past_a_day", "huge_line"],
)  # fmt: skip
def test_a_bad_line_is_refused_strictly_and_skipped_tolerantly(
    line: bytes, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = b'{"t": 0.5, "char": "2acd", "hex": "0400e8030a00"}'
    path = recording(tmp_path, good, line, b'{"t": 2.0, "cue": "forward"}')
    with pytest.raises(FixtureError) as info:
        read_fixture(path)
    assert info.value.line == 3
    assert why in str(info.value)
    fixture = read_fixture(path, tolerant=True)
    assert fixture.skipped_count == 1
    assert len(fixture.frames) == 1
    assert len(fixture.cues) == 1, "the lines after the bad one are kept"
    for command in FIXTURE_COMMANDS:
        strict = one_line(*cli(capsys, *read_with(command, path, tmp_path))[::2])
        assert ":3:" in strict
        status, _, err = cli(capsys, *read_with(command, path, tmp_path, "--tolerant"))
        assert status == 0, err
        assert "skipped 1 bad lines" in err


@pytest.mark.parametrize("version", ["2", "999", "true", '"1"', "1.0", "null"])
def test_a_header_of_another_version_is_refused(version: str, tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text(f'{{"format": "treadmill-fixture", "version": {version}}}\n{{"t": 1.0, "cue": "stop"}}\n')
    for tolerant in (False, True):
        with pytest.raises(FixtureError) as info:
            read_fixture(path, tolerant=tolerant)
        assert info.value.line == 1


def test_learn_keeps_only_forward_and_reverse_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recording(
        tmp_path,
        '{"t": 0.5, "char": "2acd", "hex": "0400e8030a00"}',
        '{"t": 1.0, "event": "marked", "detail": "reverse"}',
        '{"t": 2.0, "event": "marked", "detail": "sideways"}',
    )
    status, _, err = cli(capsys, "analyze", str(path), "--tolerant", "--learn")
    assert status == 0, err
    assert [e.direction for e in load_profile().profile.examples] == ["reverse"]


# --- files that never end, files too large -----------------------------------------------


def special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    return {"fifo": fifo, "dev_zero_link": zero, "folder": folder}


@pytest.mark.parametrize("command", FIXTURE_COMMANDS, ids=lambda c: c[0])
def test_a_fifo_or_device_as_a_recording_is_refused_at_once(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in special_files(tmp_path).values():
        line = one_line(*cli(capsys, *read_with(command, path, tmp_path))[::2])
        assert "not a regular file" in line


def test_a_recording_longer_than_a_day_is_refused_by_its_first_line_past_it(tmp_path: Path) -> None:
    lines = [f'{{"t": {t}.0, "char": "2acd", "hex": "0400e8030a00"}}' for t in range(0, 200_000, 500)]
    path = recording(tmp_path, *lines)
    with pytest.raises(FixtureError) as info:
        read_fixture(path)
    assert "25 hours" in info.value.reason
    assert info.value.line == 2 + 90_000 // 500 + 1
    kept = read_fixture(path, tolerant=True)
    assert kept.duration_s <= 90_000
    assert kept.skipped_count == len(lines) - len(kept.frames)


@pytest.mark.parametrize(
    "command",
    [("replay", "--headless"), ("analyze", "--json"), ("export", "--format", "csv")],
    ids=["replay", "analyze", "export"],
)
def test_a_day_long_recording_as_the_recorder_ends_it_is_read_back(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 24 h session ends a few seconds past 24 h (the belt coming to rest): what the recorder
    writes, every reader reads."""
    path = tmp_path / "day.jsonl"
    with FixtureWriter.create(path) as writer:
        for t in (0.0, 1.0, 2.0, 86_400.0, 86_401.0, 86_408.0):
            writer.frame(
                Frame(t, "2acd", bytes(TreadmillData(instantaneous_speed_kmh=4.0, total_distance_m=0)))
            )
    status, _, err = cli(capsys, *read_with(command, path, tmp_path))
    assert status == 0, err


def test_the_recorder_stops_where_the_reader_would() -> None:
    """Past the longest a recording holds, the writer ends (the live session then ends, keeping it)."""
    path = Path(tempfile.mkdtemp()) / "full.jsonl"
    with FixtureWriter.create(path) as writer:
        writer.frame(Frame(90_000.0, "2acd", bytes(TreadmillData(instantaneous_speed_kmh=4.0))))
        with pytest.raises(StorageError, match="full"):
            writer.frame(Frame(90_000.5, "2acd", bytes(TreadmillData(instantaneous_speed_kmh=4.0))))
    assert read_fixture(path).duration_s == 90_000.0


def test_a_recording_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as file:
        file.write(HEADER.encode() + b"\n")
        file.truncate(65 * 2**20)  # a sparse file: large on paper, nothing to read
    with pytest.raises(FixtureError) as info:
        read_fixture(path, tolerant=True)
    assert "too large" in info.value.reason


# --- counts with no limit ----------------------------------------------------------------------


def test_repeats_steps_and_duration_are_capped_the_same_in_every_format() -> None:
    toml = 'name = "x"\n[[steps]]\nrepeat = 51\n[[steps.steps]]\ndirection = "forward"\nduration = 10\n'
    with pytest.raises(PlanError, match="1 to 50"):
        parse_plan(toml)
    many = 'name = "x"\n' + '[[steps]]\ndirection = "forward"\nduration = 10\n' * 1001
    with pytest.raises(PlanError, match="1000 steps"):
        parse_plan(many)
    long = 'name = "x"\n' + '[[steps]]\ndirection = "forward"\nduration = "23:59:00"\n' * 2
    with pytest.raises(PlanError, match="24 hours"):
        parse_plan(long)
    zwo = (
        '<workout_file><sportType>run</sportType><workout><IntervalsT Repeat="{n}" OnDuration="{d}"'
        ' OffDuration="{d}" OnPower="1" OffPower="0.5"/></workout></workout_file>'
    )
    with pytest.raises(PlanError, match="between 1 and 50"):
        parse_zwo(zwo.format(n=10_000_000, d=30).encode(), "z.zwo", PACES)
    with pytest.raises(PlanError, match="24 hours"):
        parse_zwo(zwo.format(n=50, d=1000).encode(), "z.zwo", PACES)
    with pytest.raises(PlanError, match="too large"):
        parse_zwo(b" " * 1_000_001, "z.zwo", PACES)


# --- exports ------------------------------------------------------------------------------


def activity(started: datetime) -> Activity:
    from tui.cli import setup  # noqa: PLC0415 (the app's own way to replay a recording)

    result = setup.replayed(read_fixture(GUIDED), load_profile().profile)
    return Activity.from_pipeline(result.pipeline, started)


def test_dates_a_format_cannot_hold_are_refused_not_wrapped() -> None:
    for started in (datetime(1985, 6, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)):
        with pytest.raises(ExportError, match="FIT stores dates from 1989-12-31"):
            render(activity(started), ExportFormat.FIT)
        data, _ = render(activity(started), ExportFormat.TCX)  # any year TCX can write, it writes
        assert str(started.year).encode() in data
    for fmt in ExportFormat:
        with pytest.raises(ExportError, match="past the year 9999"):
            render(activity(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)), fmt)


@pytest.mark.parametrize("fmt", ["fit", "tcx", "csv"])
@pytest.mark.parametrize(
    "where", ["missing/x", "readonly/x", "dangling", "/proc/x", "long"], ids=lambda w: w.split("/")[0]
)
def test_an_export_that_cannot_be_written_says_why_in_one_line_and_leaves_nothing(
    fmt: str, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readonly = tmp_path / "readonly"
    readonly.mkdir(mode=0o500)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    target = {
        "missing/x": tmp_path / "missing" / f"x.{fmt}",
        "readonly/x": readonly / f"x.{fmt}",
        "dangling": tmp_path / "dangling",
        "/proc/x": Path(f"/proc/x.{fmt}"),
        "long": tmp_path / ("n" * 300 + f".{fmt}"),
    }[where]
    if where == "readonly/x" and os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder anyway")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    status, _, err = cli(capsys, "export", str(GUIDED), "--format", fmt, "--out", str(target))
    line = one_line(status, err, expected=2)
    assert "exists" in line or "does not exist" in line or "longer than" in line or "denied" in line
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "nothing half-written"


@pytest.mark.parametrize("fmt", ["fit", "tcx", "csv"])
def test_an_export_onto_a_full_disk_leaves_no_partial_file(fmt: str, tmp_path: Path) -> None:
    """The kernel refuses the write (a file-size limit stands in for a full disk: the same EFBIG/ENOSPC
    path), in a child process so the limit does not reach the tests."""
    target = tmp_path / f"x.{fmt}"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))\n"
        "from tui.cli import main\n"
        f"sys.exit(main(['export', {str(GUIDED)!r}, '--format', {fmt!r}, '--out', {str(target)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode in (1, 2), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == [], "no partial file, no temporary left behind"
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] != 2000


def test_a_recording_onto_a_full_disk_says_so_once_and_keeps_every_whole_line(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
        "from tui.cli import main\n"
        f"sys.exit(main(['record', '--virtual', '--out', {str(out)!r}, '--duration', '900',"
        " '--time-scale', '100']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert sum("cannot write" in line for line in done.stderr.splitlines()) == 1, done.stderr
    assert 0 < out.stat().st_size <= 20000
    kept = read_fixture(out)  # strict: every line whole
    assert kept.frames
    assert f"keeps the {len(kept.frames)} frames" in done.stderr


# --- the command line ---------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("record", "--virtual", "--bogus-option"),
        ("record", "--virtual", "--out", "{tmp}/a\nb.jsonl", "--split", "0"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--split", "1"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--split", "2"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--trailing-bytes", "-1"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--mqtt", "mqtt://[::1"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--mqtt", "mqtt://" + "h" * 300),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--mqtt", "mqtt://host:0"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--mqtt", "mqtt://host/some/path"),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--mqtt", ""),
        ("record", "--virtual", "--out", "{tmp}/x.jsonl", "--speed-resolution", "0.05"),
        ("record", "--virtual", "--out", "{tmp}/" + "o" * 300 + ".jsonl"),
        ("record", "--virtual", "--out", "{tmp}/no/such/folder/x.jsonl"),
        ("record", "--device", "AA:BB", "--hci", "bogus:1", "--out", "{tmp}/x.jsonl"),
        ("simulate", "--transport", "bogus"),
        ("decode", "2acd", "zz" * 60_000),
        ("decode", "2acd", "04"),
        ("replay", "{tmp}/missing\n.jsonl", "--headless"),
    ],
    ids=lambda argv: " ".join(a[:24] for a in argv[-2:]),
)
def test_bad_usage_is_one_line_exit_2_and_leaves_no_file(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line(*cli(capsys, *(a.replace("{tmp}", str(tmp_path)) for a in argv))[::2])
    assert len(line) <= 500, "an echoed argument is cut to a readable length"
    assert list(tmp_path.iterdir()) == [], "no header-only or partial file"


def test_remote_control_must_be_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREADMILL_MQTT_REMOTE_CONTROL", "yes please")
    argv = ["record", "--virtual", "--out", str(tmp_path / "x.jsonl"), "--mqtt", "mqtt://127.0.0.1:1"]
    line = one_line(*cli(capsys, *argv)[::2])
    assert "remote_control" in line
    assert "yes please" in line


def test_a_treadmill_that_cannot_be_reached_leaves_no_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.jsonl"
    argv = ["record", "--device", "AA:BB:CC:DD:EE:FF", "--hci", "tcp-client:127.0.0.1:9", "--out", str(out)]
    line = one_line(*cli(capsys, *argv)[::2], expected=1)
    assert "HCI transport" in line
    assert not out.exists(), "no header-only recording"


# --- terminal injection ----------------------------------------------------------------------


def test_names_from_files_are_shown_without_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = r"\u001b[2J\u001b]0;owned\u0007Clear\rscreen"  # TOML escapes: real control characters
    user_plans({"evil.toml": f'name = "{evil}"\n[[steps]]\ndirection = "forward"\nduration = 60\n'.encode()})
    status, out, err = cli(capsys, "plans")
    assert status == 0, err
    assert "Clear" in out
    for text in (out, err):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\r" not in text
    decoded = json.loads(cli(capsys, "plans", "--json")[1])
    assert all("\x1b" not in plan["name"] for plan in decoded)
    bad = tmp_path / "\x1b[31mred.jsonl"
    status, _, err = cli(capsys, "replay", str(bad), "--headless")
    assert "\x1b" not in err


# --- decode 2ad3 ------------------------------------------------------------------------------


@pytest.mark.parametrize("flags", ["00", "01", "02", "03"])
def test_a_lone_training_status_flags_byte_keeps_its_flags(
    flags: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = cli(capsys, "decode", "2ad3", flags)
    assert status == 0
    decoded = json.loads(out)
    assert decoded["flags"] == int(flags, 16)
    assert decoded["training_status"] is None
    assert "training_status" in decoded["diagnostics"]["truncated"]


# --- the last word when the process goes away ---------------------------------------------------


def test_availability_goes_offline_however_the_process_ends(tmp_path: Path) -> None:
    """SIGKILL leaves no time for a goodbye: the broker publishes the will (offline, retained)."""
    from tests.mqtt_broker import Broker  # noqa: PLC0415
    from tests.mqtt_support import Subscriber  # noqa: PLC0415

    broker = Broker(tmp_path).start()
    try:
        out = tmp_path / "k.jsonl"
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "record", "--virtual", "--out", str(out), "--duration", "600",
             "--mqtt", broker.url],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

        async def watch() -> list[bytes]:
            async with Subscriber(broker.port, "treadmill/+/availability") as sub:
                await sub.until(lambda: any(m.payload == b"online" for m in sub.seen), "online")
                process.kill()
                await sub.until(lambda: sub.seen[-1].payload == b"offline", "the will: offline")
            async with Subscriber(broker.port, "treadmill/+/availability") as late:
                await late.until(lambda: bool(late.seen), "the retained availability")
                return [m.payload for m in late.seen]

        try:
            assert asyncio.run(watch()) == [b"offline"]
        finally:
            process.kill()
            process.wait(timeout=30)
    finally:
        broker.stop()


async def test_a_controller_that_never_answers_is_one_clear_error_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An HCI transport that opens but never answers (a wedged dongle, a stale relay)."""
    monkeypatch.setattr(virtual_link, "POWER_ON_S", 0.5)
    silent: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(lambda _r, w: silent.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        radio = virtual_link.VirtualRadio(f"tcp-client:127.0.0.1:{port}")
        with pytest.raises(LinkError, match=r"did not answer within 0\.5 s"):
            await radio.central()
    finally:
        for writer in silent:
            writer.close()
        server.close()
        await server.wait_closed()


def test_a_data_folder_that_is_a_link_to_nothing_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data folder on a disk that is not mounted: once "it exists", which is no help."""
    link = tmp_path / "data"
    link.symlink_to(tmp_path / "unmounted-disk")
    line = one_line(*cli(capsys, "export", str(GUIDED), "--out", str(link / "x.fit"))[::2])
    assert "is a link to" in line
    assert "which is not there" in line
    with pytest.raises(StorageError, match="which is not there"):
        create_new(link / "sessions", "s", ".jsonl")

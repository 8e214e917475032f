"""Exports re-read by readers this project did not write: fitdecode and Garmin's SDK (FIT),
tcxreader (TCX), the csv module (CSV)."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime
from pathlib import Path

import fitdecode
import pytest
from garmin_fit_sdk import Decoder, Stream
from tcxreader.tcxreader import TCXReader

from tests.conftest import ROOT
from tests.support import cli
from treadmill.model import Direction
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.export import Activity, ExportFormat, write
from treadmill.storage.fixtures import read_fixture

FIXTURE = ROOT / "fixtures" / "guided-heart-rate.jsonl"


@pytest.fixture(scope="module")
def activity() -> Activity:
    fixture = read_fixture(FIXTURE)
    result = asyncio.run(Session(ReplaySource(fixture, speed=None)).run())
    assert fixture.started_at is not None
    return Activity.from_pipeline(result.pipeline, fixture.started_at)


def test_laps_follow_the_intervals(activity: Activity) -> None:
    directions = [lap.direction for lap in activity.laps]
    assert directions[:4] == [Direction.FORWARD, Direction.REVERSE, Direction.FORWARD, Direction.REVERSE]
    assert [lap.name for lap in activity.laps[:4]] == ["Forward 1", "Reverse 1", "Forward 2", "Reverse 2"]
    assert all(a.end_s == b.start_s for a, b in zip(activity.laps, activity.laps[1:], strict=False))
    assert activity.sport == "walking"


def test_fit_reads_back_with_fitdecode_and_garmins_decoder(activity: Activity, tmp_path: Path) -> None:
    path = tmp_path / "s.fit"
    write(activity, path, ExportFormat.FIT)
    laps, steps, records, sessions = [], {}, [], []
    with fitdecode.FitReader(path) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "lap":
                laps.append(frame)
            elif frame.name == "workout_step":
                steps[frame.get_value("message_index")] = frame.get_value("wkt_step_name")
            elif frame.name == "record":
                records.append(frame)
            elif frame.name == "session":
                sessions.append(frame)
    assert len(laps) == len(activity.laps)
    assert [steps[lap.get_value("wkt_step_index")] for lap in laps] == [lap.name for lap in activity.laps]
    assert {lap.get_value("sub_sport") for lap in laps} == {"indoor_walking"}, (
        "the FIT profile's walk indoors"
    )
    assert sessions[0].get_value("sport") == "walking"
    assert sessions[0].get_value("sub_sport") == "indoor_walking"
    distances = [r.get_value("distance") for r in records]
    assert len(records) == len(activity.per_second())
    assert distances == sorted(distances)  # per-record distance, so apps can draw pace
    assert distances[-1] == pytest.approx(sum(lap.distance_m for lap in activity.laps), abs=60)
    assert any(r.get_value("heart_rate", fallback=None) for r in records)
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    assert len(messages["lap_mesgs"]) == len(activity.laps)
    assert messages["activity_mesgs"][0]["num_sessions"] == 1


def test_tcx_reads_back_with_tcxreader(activity: Activity, tmp_path: Path) -> None:
    path = tmp_path / "s.tcx"
    write(activity, path, ExportFormat.TCX)
    exercise = TCXReader().read(str(path), only_gps=False)  # a treadmill has no GPS
    assert len(exercise.laps) == len(activity.laps)
    assert sum(len(lap.trackpoints) for lap in exercise.laps) == len(activity.timeline)
    assert exercise.hr_avg is not None
    assert exercise.distance == pytest.approx(activity.cumulative_m[-1], abs=1)
    notes = path.read_text().count("<Notes>Reverse ")
    assert notes == sum(lap.direction == "reverse" for lap in activity.laps)


def test_csv_reads_back(activity: Activity, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    write(activity, path, ExportFormat.CSV)
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(activity.timeline)
    assert {"forward", "reverse"} <= {row["direction"] for row in rows}
    assert rows[-1]["interval"] == activity.laps[-1].name
    assert float(rows[-1]["distance_m"]) == pytest.approx(activity.cumulative_m[-1], abs=0.1)


def test_export_command_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.tcx"
    command = ("export", str(FIXTURE), "--format", "tcx", "--out", str(out))
    status, _, err = cli(capsys, *command)
    assert status == 0, err
    assert "laps" in err
    written = out.read_bytes()
    status, _, err = cli(capsys, *command)
    assert status == 2
    assert "never overwrites" in err
    assert out.read_bytes() == written


def test_export_with_no_out_writes_here_under_a_free_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the README shows it, on a repository fixture: once it wrote into fixtures/, and the
    second export failed. It writes in the current folder, then NAME-2, never over a file."""
    monkeypatch.chdir(tmp_path)
    before = sorted(FIXTURE.parent.iterdir())
    for _ in range(2):
        status, _, err = cli(capsys, "export", str(FIXTURE))
        assert status == 0, err
    stem = FIXTURE.stem
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stem}-2.fit", f"{stem}.fit"]
    assert (tmp_path / f"{stem}.fit").read_bytes() == (tmp_path / f"{stem}-2.fit").read_bytes()
    assert sorted(FIXTURE.parent.iterdir()) == before, "nothing written beside the recording"


def test_started_at_is_used_for_times(activity: Activity) -> None:
    assert activity.started_at.tzinfo is not None
    assert activity.time_at(60.0) > activity.started_at
    assert activity.started_at > datetime(2026, 1, 1, tzinfo=UTC)

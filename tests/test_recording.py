"""`treadmill record --virtual`: a fixture the reader loads, at the configured rate, with truth."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from treadmill.session.recording import RecordOptions, record
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.runner import RunnerPlan


async def test_record_virtual_session(tmp_path: Path) -> None:
    out = tmp_path / "session.jsonl"
    result = await record(
        RecordOptions(out=out, duration_s=240.0, virtual=True, seed=3, time_scale=60.0, notify_hz=2.0)
    )
    fixture = read_fixture(out)
    assert result.frames == len(fixture.frames)
    data = [f for f in fixture.frames if f.char == "2acd"]
    connected_at = next(t for t, event, _ in fixture.events if event == "connected")
    span = data[-1].t - data[0].t
    # 2 Hz from the first frame to the last: one frame per 0.5 s, give or take one.
    assert abs(len(data) - (span * 2.0 + 1)) <= 2
    assert data[0].t - connected_at < 1.0
    assert {f.src.value for f in fixture.frames} == {"treadmill", "hr", "footpod"}
    truth = [label for _, label in fixture.truth]
    assert truth[0] == "stopped"
    assert {"forward", "reverse"} <= set(truth)
    assert fixture.cues == [
        (30.0, "reverse"),
        (90.0, "forward"),
        (180.0, "reverse"),
    ]  # the turns before 240 s
    assert fixture.header["seed"] == 3


async def test_free_run_has_truth_but_no_cues(tmp_path: Path) -> None:
    out = tmp_path / "free.jsonl"
    await record(RecordOptions(out=out, duration_s=120.0, virtual=True, seed=5, time_scale=60.0, plan=None))
    fixture = read_fixture(out)
    assert fixture.cues == []
    assert fixture.truth


def test_record_command_prints_progress_and_writes(tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "treadmill",
            "record",
            "--virtual",
            "--out",
            str(out),
            "--duration",
            "60",
            "--time-scale",
            "60",
            "--seed",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "recording cli.jsonl:" in result.stderr
    assert f"wrote {out}" in result.stderr
    assert result.stdout == ""
    assert read_fixture(out).frames


def test_record_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "exists.jsonl"
    out.write_text("keep me")
    result = subprocess.run(
        [sys.executable, "-m", "treadmill", "record", "--virtual", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "never overwritten" in result.stderr
    assert out.read_text() == "keep me"


def test_demo_plan_turns() -> None:
    plan = RunnerPlan.intervals_demo(rounds=2)
    assert [i.direction.value for i in plan.intervals] == [
        "forward",
        "reverse",
        "forward",
        "reverse",
        "forward",
        "forward",
    ]

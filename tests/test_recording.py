"""`treadmill record --virtual`: a recording the reader loads, at the configured rate, with truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli, record_virtual
from treadmill.model import CueDirection, Direction, LinkEventKind, Sensor
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.runner import RunnerPlan


@pytest.mark.virtual_time
async def test_record_virtual_session(tmp_path: Path) -> None:
    out = tmp_path / "session.jsonl"
    result = await record_virtual(out, duration_s=240.0, seed=3, notify_hz=2.0)
    fixture = read_fixture(out)
    assert result.frames == len(fixture.frames)
    data = [f for f in fixture.frames if f.char == "2acd"]
    # 2 Hz from the first tick at 0.5 s to the end at 240 s, every one of them: on virtual time a
    # busy machine changes nothing.
    assert [f.t for f in data] == pytest.approx([0.5 * k for k in range(1, 481)], abs=0.01)
    assert {f.src for f in fixture.frames} == set(Sensor) - {Sensor.PHONE}, "a phone only when one is worn"
    assert not [e for e in fixture.events if e.kind is LinkEventKind.BEHIND]
    truth = [label for _, label in fixture.truth]
    assert truth[0] is Direction.STOPPED
    assert {Direction.FORWARD, Direction.REVERSE} <= set(truth)
    # The turns before 240 s, on the plan's clock from when the runner presses Start (3 s).
    assert [c.direction for c in fixture.cues] == [
        CueDirection.REVERSE,
        CueDirection.FORWARD,
        CueDirection.REVERSE,
    ]
    assert [c.t for c in fixture.cues] == [33.0, 93.0, 183.0]
    assert fixture.header["seed"] == 3


@pytest.mark.virtual_time
async def test_the_same_seed_records_the_same_session(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    await record_virtual(first, duration_s=120.0, seed=8)
    await record_virtual(second, duration_s=120.0, seed=8)
    assert first.read_text().splitlines()[1:] == second.read_text().splitlines()[1:]


@pytest.mark.virtual_time
async def test_free_run_has_truth_but_no_cues(tmp_path: Path) -> None:
    out = tmp_path / "free.jsonl"
    await record_virtual(out, duration_s=120.0, seed=5, runner=None)
    fixture = read_fixture(out)
    assert fixture.cues == []
    assert fixture.truth


def test_record_command_prints_progress_and_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.jsonl"
    argv = ("record", "--virtual", "--out", str(out), "--duration", "60", "--time-scale", "60", "--seed", "2")
    status, stdout, stderr = cli(capsys, *argv)
    assert status == 0, stderr
    assert "recording cli.jsonl:" in stderr
    assert f"wrote {out}" in stderr
    assert stdout == ""
    assert read_fixture(out).frames


def test_record_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "exists.jsonl"
    out.write_text("keep me")
    status, _, err = cli(capsys, "record", "--virtual", "--out", str(out))
    assert status == 2
    assert "never overwrites" in err
    assert out.read_text() == "keep me"


def test_demo_plan_turns() -> None:
    plan = RunnerPlan.demo(rounds=2)
    assert [i.direction.value for i in plan.legs] == [
        "forward",
        "reverse",
        "forward",
        "reverse",
        "forward",
        "forward",
    ]

"""The curated fixtures load, replay cleanly, and are what fixtures/README.md says they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from treadmill.ftms import MachineStatus
from treadmill.ftms.machine_status import StatusOpCode
from treadmill.session.engine import Session, SessionResult
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import Fixture, read_fixture

FIXTURES = sorted((ROOT / "fixtures").glob("*.jsonl"))


async def replay(fixture: Fixture) -> SessionResult:
    return await Session(ReplaySource(fixture, speed=None)).run()


def test_every_fixture_is_listed_in_the_readme() -> None:
    readme = (ROOT / "fixtures" / "README.md").read_text()
    assert FIXTURES
    for path in FIXTURES:
        assert f"`{path.name}`" in readme, path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
async def test_fixture_loads_strictly_and_replays(path: Path) -> None:
    fixture = read_fixture(path)
    assert fixture.truth, "every curated fixture has truth lines"
    result = await replay(fixture)
    assert result.samples
    assert result.source_error is None
    assert sum(result.decode.bad_frames.values()) == 0


async def test_guided_has_cues_and_free_run_has_none() -> None:
    assert read_fixture(ROOT / "fixtures" / "guided-beginner.jsonl").cues
    assert not read_fixture(ROOT / "fixtures" / "free-run.jsonl").cues


async def test_sensor_fixtures_carry_their_sensor() -> None:
    footpod = await replay(read_fixture(ROOT / "fixtures" / "free-run-footpod.jsonl"))
    assert any(s.cadence_per_min for s in footpod.samples)
    assert all(s.heart_rate_bpm is None for s in footpod.samples)
    strap = await replay(read_fixture(ROOT / "fixtures" / "guided-heart-rate.jsonl"))
    assert any(s.heart_rate_bpm for s in strap.samples)


async def test_disconnects_fixture_reconnects_twice() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "disconnects.jsonl")
    events = [name for _, name, _ in fixture.events if name in ("connected", "disconnected")]
    assert events.count("disconnected") == 2
    assert events[-1] == "connected"


async def test_split_records_merge_on_replay() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "split-records.jsonl")
    parts = [f for f in fixture.frames if f.char == "2acd" and f.data[0] & 1]
    assert len(parts) > 100
    result = await replay(fixture)
    assert result.decode.dropped_parts == 0
    assert all(s.record is not None and s.record.average_speed_kmh is not None for s in result.samples[5:])


async def test_walking_pad_quirks_decode() -> None:
    result = await replay(read_fixture(ROOT / "fixtures" / "walking-pad-steps.jsonl"))
    steps = [s.steps for s in result.samples if s.steps is not None]
    assert steps
    assert steps[-1] > steps[0]
    speeds = {s.speed_kmh for s in result.samples if s.speed_kmh is not None}
    assert all(round(v * 10) == v * 10 for v in speeds)  # 0.1 km/h resolution


async def test_padded_frames_keep_their_values() -> None:
    result = await replay(read_fixture(ROOT / "fixtures" / "padded-frames.jsonl"))
    assert all(s.record is not None and s.record.diagnostics.trailing_bytes == 3 for s in result.samples)
    assert any((s.speed_kmh or 0) > 0 for s in result.samples)


async def test_the_controlled_workout_kept_the_belt_within_the_reverse_cap() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "workout-control.jsonl")
    assert fixture.cues[-1][1] == "stop"
    turns = fixture.cues[:-1]
    backward = [(t, end) for (t, d), (end, _) in zip(turns, fixture.cues[1:], strict=True) if d == "reverse"]
    assert backward
    targets = [
        (f.t, float(status.parameter("target_speed_kmh") or 0.0))
        for f in fixture.frames
        if f.char == "2ada"
        and (status := MachineStatus.from_bytes(f.data)).op_code == StatusOpCode.TARGET_SPEED_CHANGED
    ]
    assert len(targets) > 20
    in_reverse = [kmh for t, kmh in targets if any(a <= t < b for a, b in backward)]
    assert in_reverse
    assert max(in_reverse) <= 3.0

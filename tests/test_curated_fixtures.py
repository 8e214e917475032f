"""The curated fixtures load, replay cleanly, and are what fixtures/README.md says they are."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, load_vectors
from tests.real_sequences import SEQUENCES, build
from treadmill.ftms import MachineStatus, TreadmillData
from treadmill.ftms.machine_status import StatusOpCode
from treadmill.model import CueDirection, Direction, Evidence, LinkEventKind
from treadmill.session.engine import Session, SessionResult
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import Fixture, read_fixture

FIXTURES = sorted((ROOT / "fixtures").glob("*.jsonl"))


async def replay(fixture: Fixture) -> SessionResult:
    return await Session(ReplaySource(fixture, speed=None)).run()


def test_the_readme_lists_exactly_the_fixtures_there_are() -> None:
    """Each file in its table, and no row for a file that is not there (three once were)."""
    readme = (ROOT / "fixtures" / "README.md").read_text()
    rows = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert FIXTURES
    assert rows == {path.name for path in FIXTURES}


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


async def test_the_phone_fixture_replays_each_turn_from_the_phone() -> None:
    """A free run with no cue and no footpod: the recorded phone alone places every turn."""
    fixture = read_fixture(ROOT / "fixtures" / "free-run-phone.jsonl")
    result = await replay(fixture)
    assert all(s.phone is not None for s in result.samples[10:])
    moving = [d for _, d in fixture.truth if d in (Direction.FORWARD, Direction.REVERSE)]
    switches = [s for s in result.pipeline.verdicts if s.switched]
    assert len(switches) == sum(a is not b for a, b in itertools.pairwise(moving))
    assert {s.evidence for s in result.samples[20:] if s.direction is not Direction.STOPPED} == {
        Evidence.PHONE
    }


@pytest.mark.parametrize("name", SEQUENCES)
async def test_real_device_frames_strung_into_a_session_replay(name: str, tmp_path: Path) -> None:
    """Frames from real treadmills, straps and footpods (../shared/vectors) through the whole pipeline."""
    vectors = load_vectors()
    if not vectors:
        pytest.skip("needs ../shared/vectors (real frames from public repositories, not committed)")
    fixture = read_fixture(build(name, vectors, tmp_path))
    result = await replay(fixture)
    assert result.samples
    assert result.source_error is None
    assert sum(result.decode.bad_frames.values()) == 0


async def test_disconnects_fixture_reconnects_twice() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "disconnects.jsonl")
    kinds = [
        e.kind for e in fixture.events if e.kind in (LinkEventKind.CONNECTED, LinkEventKind.DISCONNECTED)
    ]
    assert kinds.count(LinkEventKind.DISCONNECTED) == 2
    assert kinds[-1] is LinkEventKind.CONNECTED


async def test_split_records_merge_on_replay() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "split-records.jsonl")
    parts = [f for f in fixture.frames if f.char == "2acd" and f.data[0] & 1]
    assert len(parts) > 100
    result = await replay(fixture)
    assert result.decode.dropped_parts == 0
    # Speed comes in the first part, elapsed time in the last: every sample has both.
    assert all(s.speed_kmh is not None and s.elapsed_s is not None for s in result.samples[5:])


async def test_walking_pad_quirks_decode() -> None:
    result = await replay(read_fixture(ROOT / "fixtures" / "walking-pad-steps.jsonl"))
    steps = [s.steps for s in result.samples if s.steps is not None]
    assert steps
    assert steps[-1] > steps[0]
    speeds = {s.speed_kmh for s in result.samples if s.speed_kmh is not None}
    assert all(round(v * 10) == v * 10 for v in speeds)  # 0.1 km/h resolution


async def test_padded_frames_keep_their_values() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "padded-frames.jsonl")
    data = [TreadmillData.from_bytes(f.data) for f in fixture.frames if f.char == "2acd"]
    assert all(record.diagnostics.trailing_bytes == 3 for record in data)
    result = await replay(fixture)
    assert len(result.samples) == len(data)
    assert any((s.speed_kmh or 0) > 0 for s in result.samples)


async def test_the_controlled_workout_kept_the_belt_within_the_reverse_cap() -> None:
    fixture = read_fixture(ROOT / "fixtures" / "workout-control.jsonl")
    assert fixture.cues[-1].direction is CueDirection.STOP
    turns = fixture.cues[:-1]
    backward = [
        (a.t, b.t)
        for a, b in zip(turns, fixture.cues[1:], strict=True)
        if a.direction is CueDirection.REVERSE
    ]
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

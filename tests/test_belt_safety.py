"""Bad data cannot steer the belt: implausible readings are refused, and after a stop the machine
reports nothing is written to it until status and data agree it runs again.

The over-the-air cases run the built-in workout with control on against the virtual treadmill
playing each hostile pattern (:mod:`treadmill.virtual.hostile`) through the real client, on
virtual time: the same frames on a busy machine as on an idle one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support import cli, record_virtual
from treadmill.core.plausibility import DoubtWindow, ReadingCheck
from treadmill.ftms import ControlOpCode
from treadmill.ftms.treadmill_data import TreadmillData
from treadmill.model import CoachEventKind, Implausible, Sample
from treadmill.session.coach import CoachEvent
from treadmill.session.live import LiveResult
from treadmill.session.options import WorkoutOptions
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.hostile import HostileFrames, Hostility, StopBy
from treadmill.virtual.peripheral import VirtualTreadmill
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.plan import Caps
from treadmill.workout.safety import Rule

PLAN = builtin_plans()["first-steps-backward"]
CAPS = Caps(forward_kmh=16.0, reverse_kmh=8.0)
"""Generous caps: what holds the belt here must be the plan, not the caps."""
RAMP_KMH = 0.5
LIE_FROM_S = 60.0


def check(readings: Sequence[tuple[float, float | None, float | None]]) -> list[Implausible | None]:
    """The verdict on each (t, km/h, counter m) reading, in order."""
    checker = ReadingCheck()
    return [checker.check(Sample(t, v, distance_m=d)) for t, v, d in readings]


def test_a_belt_cannot_jump_and_a_bogus_blip_never_becomes_the_speed() -> None:
    steady = [(float(t), 3.5, None) for t in range(10)]
    alternating = [(9.0 + k / 2, 12.0 if k % 2 else 0.0, None) for k in range(1, 21)]
    verdicts = check(steady + alternating)
    assert verdicts[:10] == [None] * 10
    assert verdicts[10::2] == [Implausible.JUMP] * 10, "12 km/h half a second after 3.5 or 0: never"
    assert verdicts[11::2] == [None] * 10, "a belt may stop (the doubt window catches the pattern)"
    window = DoubtWindow()
    assert any(window.see(implausible=v is not None) for v in verdicts)
    assert window.doubtful


def test_real_starts_stops_and_quick_keys_are_believed() -> None:
    start = [(float(t), min(1.2 * t, 6.0), None) for t in range(12)]  # a belt on its ramp
    quick = [(12.0, 6.0, None), (13.0, 9.0, None), (14.0, 9.0, None)]  # a quick key: 3 km/h at once
    stop = [(15.0, 3.5, None), (16.0, 0.0, None)]  # a hard stop: zero a second later
    verdicts = check(start + quick + stop)
    assert verdicts[:13] == [None] * 13
    assert verdicts[13:] == [None, None, None, None]


def test_a_new_level_is_believed_once_a_second_reading_confirms_it() -> None:
    """A console that reports its target (0 to 8.4 km/h as the belt starts), or data back after a gap."""
    verdicts = check([(0.0, 0.0, None), (0.5, 8.4, None), (1.0, 8.4, None), (1.5, 8.3, None)])
    assert verdicts == [None, Implausible.JUMP, None, None]


def test_absurd_values_are_refused_whatever_came_before() -> None:
    checker = ReadingCheck()
    for t, sample in enumerate(
        [
            Sample(0.0, float("nan")),
            Sample(1.0, -1.0),
            Sample(2.0, 655.35),
            Sample(3.0, 4.0, incline_pct=-3276.8),
            Sample(4.0, 4.0, incline_pct=float("inf")),
        ]
    ):
        assert checker.check(sample) is Implausible.ABSURD, t


def test_a_speed_the_distance_counter_contradicts_is_refused() -> None:
    """A bogus speed built up slowly, within what a belt can do, while the counter runs at 3.6 km/h."""
    counter = [(float(t), 3.6, float(t)) for t in range(20)]
    creeping = [(20.0 + t, 3.6 + 0.5 * t, 20.0 + t) for t in range(1, 20)]
    verdicts = check(counter + creeping)
    assert verdicts[:20] == [None] * 20
    assert Implausible.DISTANCE in verdicts[20:]
    first = verdicts.index(Implausible.DISTANCE)
    assert creeping[first - 20][1] < 10.0, "caught before the reading reached 10 km/h"


def test_a_counter_that_counts_in_ten_metre_steps_is_not_held_against_the_speed() -> None:
    coarse = [(float(t), 3.6, float(10 * (t // 10))) for t in range(60)]
    assert check(coarse) == [None] * 60


def test_doubt_starts_at_two_bad_readings_in_eight_and_ends_after_eight_good_ones() -> None:
    window = DoubtWindow()
    assert [window.see(implausible=bad) for bad in (False, True, False, False)] == [False] * 4
    assert window.see(implausible=True)
    assert window.doubtful
    for _ in range(7):
        window.see(implausible=False)
    assert window.doubtful
    assert window.see(implausible=False)
    assert not window.doubtful


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.jsonl")),
    ids=lambda p: p.stem,
)
def test_no_reading_of_a_recorded_session_is_refused(path: Path) -> None:
    checker = ReadingCheck()
    fixture = read_fixture(path)
    for frame in fixture.frames:
        if frame.char == "2acd":
            record = TreadmillData.from_bytes(frame.data)
            if record.instantaneous_speed_kmh is not None:
                distance = None if record.total_distance_m is None else float(record.total_distance_m)
                verdict = checker.check(
                    Sample(frame.t, record.instantaneous_speed_kmh, record.inclination_pct, distance)
                )
                assert verdict is None, (frame.t, record.instantaneous_speed_kmh)


# --- over the air ---------------------------------------------------------------------------------


def ceiling(step: int) -> float:
    """The highest a target may be in ``step``: the plan's speed for it or the step before (a ramp
    down from there), plus one ramp step."""
    step = step if step >= 0 else len(PLAN.steps) - 1  # -1: the finish, after the last step
    speeds = [s.speed_kmh or 0.0 for s in PLAN.steps[max(step - 1, 0) : step + 1]]
    return max(speeds) + RAMP_KMH


async def lying_workout(
    out: Path, hostile: HostileFrames
) -> tuple[LiveResult, list[CoachEvent], VirtualTreadmill]:
    said: list[CoachEvent] = []
    treadmills: list[VirtualTreadmill] = []
    result = await record_virtual(
        out,
        duration_s=(PLAN.duration_s or 0.0) + 60.0,
        seed=3,
        workout=WorkoutOptions(PLAN, control=True, caps=CAPS),
        on_coach=said.append,
        scripted=treadmills.append,
        hostile=hostile,
    )
    return result, said, treadmills[0]


@pytest.mark.virtual_time
@pytest.mark.parametrize("kind", [k for k in Hostility if k is not Hostility.STALE_AFTER_STOP])
async def test_bogus_frames_never_move_the_belt_beyond_the_plan(kind: Hostility, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.jsonl"
    result, said, treadmill = await lying_workout(out, HostileFrames(kind, start_s=LIE_FROM_S))
    assert result.coach is not None
    commands = [c for c in result.coach.commands if c.speed_kmh is not None]
    assert commands, "the app drove the belt before the lying began"
    for command in commands:
        assert command.speed_kmh is not None
        assert command.speed_kmh <= ceiling(command.step), command
    assert not [c for c in commands if c.t > LIE_FROM_S + 2.0], "control paused while the data lies"
    belt = [s.speed_kmh for s in result.session.samples if s.t > LIE_FROM_S]
    assert max(v for v in belt if v is not None) <= max(s.speed_kmh or 0.0 for s in PLAN.steps)
    paused = [e for e in said if e.text == "Control paused"]
    assert paused, "the screen is told why the app stopped driving the belt"
    assert paused[0].t <= LIE_FROM_S + 3.0
    assert any(e.rule is Rule.DOUBTFUL_DATA and e.kind is CoachEventKind.WARNING for e in said)
    assert result.session.pipeline.implausible > 0
    recorded = [f for f in read_fixture(out).frames if f.char == "2acd"]
    assert len(recorded) == treadmill.sent["2acd"], "every frame is recorded, the bogus ones too"
    assert treadmill.control_ops[ControlOpCode.START_OR_RESUME] == 0


@pytest.mark.virtual_time
@pytest.mark.parametrize("stop_by", list(StopBy))
async def test_after_a_stop_the_machine_reports_stale_frames_never_revive_control(
    stop_by: StopBy, tmp_path: Path
) -> None:
    """The red team's safety-key case, and each other stop status: the machine says it stopped,
    its data goes on saying 3.5 km/h; nothing is written until it reports a start."""
    hostile = HostileFrames(Hostility.STALE_AFTER_STOP, start_s=LIE_FROM_S, stop_by=stop_by)
    result, said, treadmill = await lying_workout(tmp_path / "stale.jsonl", hostile)
    targets = [
        payload
        for t, payload in treadmill.control_log
        if t >= LIE_FROM_S
        and payload[0] in (ControlOpCode.SET_TARGET_SPEED, ControlOpCode.SET_TARGET_INCLINATION)
    ]
    assert targets == [], "no target is written to a machine that reported a stop"
    assert result.coach is not None
    assert not [c for c in result.coach.commands if c.t >= LIE_FROM_S and c.speed_kmh is not None]
    if stop_by is StopBy.SAFETY_KEY:
        assert any(e.rule is Rule.SAFETY_KEY and e.kind is CoachEventKind.WARNING for e in said)
        cleared = [e for e in said if e.rule is Rule.SAFETY_KEY and e.kind is CoachEventKind.CLEARED]
        assert cleared == [], "stale frames do not clear the safety-key warning"


@pytest.mark.virtual_time
async def test_control_comes_back_once_the_machine_reports_a_start_and_the_belt_is_seen_moving(
    tmp_path: Path,
) -> None:
    """The person pauses on the console and starts the belt again: control picks up from there."""
    said: list[CoachEvent] = []
    treadmills: list[VirtualTreadmill] = []

    def pause_and_restart(treadmill: VirtualTreadmill) -> None:
        treadmills.append(treadmill)
        treadmill.at(100.0, treadmill.console_pause)
        treadmill.at(110.0, treadmill.console_start)

    result = await record_virtual(
        tmp_path / "restart.jsonl",
        duration_s=300.0,
        seed=3,
        workout=WorkoutOptions(PLAN, control=True, caps=CAPS),
        on_coach=said.append,
        scripted=pause_and_restart,
    )
    treadmill = treadmills[0]
    targets = [t for t, p in treadmill.control_log if p[0] == ControlOpCode.SET_TARGET_SPEED]
    assert not [t for t in targets if 100.0 <= t < 112.0], "nothing while stopped, nor on the first readings"
    assert [t for t in targets if t >= 112.0], "control came back once status and data agreed"
    assert result.coach is not None
    after = [c for c in result.coach.commands if c.t >= 110.0 and c.speed_kmh is not None]
    for a, b in itertools.pairwise(after):
        assert a.speed_kmh is not None
        assert b.speed_kmh is not None
        assert b.speed_kmh - a.speed_kmh <= RAMP_KMH + 1e-9, "ramped up again from where the belt was"


def test_record_plays_a_hostile_treadmill_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lying.jsonl"
    argv = ["record", "--virtual", "--out", str(out), "--plan", "first-steps-backward", "--control"]
    argv += ["--hostile", "absurd", "--hostile-from", "30", "--duration", "60", "--time-scale", "max"]
    status, _, err = cli(capsys, *argv)
    assert status == 0, err
    assert "Control paused" in err
    speeds = [
        TreadmillData.from_bytes(f.data).instantaneous_speed_kmh
        for f in read_fixture(out).frames
        if f.char == "2acd"
    ]
    assert 655.35 in speeds, "the absurd frames are recorded as they came"

"""The runner model and the treadmill machine, without Bluetooth: deterministic and plausible."""

from __future__ import annotations

import random

import pytest

from treadmill.ftms import ControlPointRequest, ResultCode
from treadmill.model import Direction, Facing
from treadmill.virtual.machine import Belt, TreadmillMachine
from treadmill.virtual.runner import Leg, Person, Runner, RunnerPlan, TurnStyle
from treadmill.virtual.world import VirtualWorld


def run(world: VirtualWorld, seconds: float, dt: float = 1.0) -> list[tuple[float, str, float, int, int]]:
    rows = []
    for _ in range(int(seconds / dt)):
        tick = world.step(dt)
        rows.append(
            (
                tick.t,
                tick.truth.value,
                tick.treadmill.instantaneous_speed_kmh or 0.0,
                tick.heart_rate.heart_rate_bpm,
                tick.footpod.instantaneous_cadence_per_min,
            )
        )
    return rows


def test_same_seed_same_session() -> None:
    assert run(VirtualWorld(seed=11), 600) == run(VirtualWorld(seed=11), 600)
    assert run(VirtualWorld(seed=11), 600) != run(VirtualWorld(seed=12), 600)


def test_obedient_person_turns_at_each_cue_after_reacting() -> None:
    person = Person(turn_style=TurnStyle.SLOW_DOWN, reaction_s=2.0, turn_duration_s=2.0)
    world = VirtualWorld(seed=1, person=person)
    rows = run(world, 400)
    switches = [
        t for (t, d, *_), (_, prev, *_) in zip(rows[1:], rows, strict=False) if d not in (prev, "stopped")
    ]
    plan_turns = [t + Runner.START_DELAY_S for t in (30.0, 90.0, 180.0, 240.0, 330.0)]  # from pressing Start
    assert len(switches) >= len(plan_turns)
    for turn in plan_turns:
        first_after = min(t for t in switches if t > turn)
        assert turn + 2.0 < first_after < turn + 12.0


def test_reverse_is_slower_shorter_strided_and_harder() -> None:
    rng = random.Random(4)
    for _ in range(20):
        person = Person.sample(rng)
        assert 0.6 <= person.reverse_factor <= 0.8
        assert person.own_speed_kmh(Facing.REVERSE) < person.own_speed_kmh(Facing.FORWARD)
    person = Person(reverse_cadence_factor=1.2, reverse_hr_extra_bpm=35.0, follows_plan_speeds=False)
    # Same belt speed both ways: backward gives a higher step rate (shorter strides).
    plan = RunnerPlan.demo(rounds=1)
    runner = Runner(person, plan, seed=1)
    forward = runner._cadence(4.0, Direction.FORWARD)
    backward = runner._cadence(4.0, Direction.REVERSE)
    assert backward > forward * 1.1


@pytest.mark.parametrize("style", list(TurnStyle))
def test_turn_styles_show_in_the_belt_speed(style: TurnStyle) -> None:
    person = Person(
        forward_speed_kmh=5.0, turn_style=style, turn_speed_kmh=2.0, reaction_s=1.0, follows_plan_speeds=False
    )
    rows = run(VirtualWorld(seed=2, person=person), 60)
    around_turn = [speed for t, _, speed, *_ in rows if 31 <= t <= 45]
    if style is TurnStyle.STOP:
        assert min(around_turn) == 0.0
    elif style is TurnStyle.SLOW_DOWN:
        assert 1.5 <= min(around_turn) <= 2.5
    else:
        assert min(around_turn) > 2.5


def test_heart_rate_rises_backward_at_the_same_speed() -> None:
    def steady_hr(direction: Facing) -> int:
        person = Person(
            forward_speed_kmh=4.0, reverse_factor=1.0, follows_plan_speeds=False, reverse_hr_extra_bpm=35
        )
        plan = RunnerPlan((Leg(direction, 900.0, 4.0),))
        world = VirtualWorld(seed=3, person=person, plan=plan)
        return run(world, 600)[-1][3]

    assert steady_hr(Facing.REVERSE) - steady_hr(Facing.FORWARD) >= 25


def test_machine_control_results() -> None:
    machine = TreadmillMachine()
    speed = bytes(ControlPointRequest.set_target_speed(5.0))
    assert machine.control(speed, permitted=False)[0].result_code == ResultCode.CONTROL_NOT_PERMITTED
    response, statuses = machine.control(speed, permitted=True)
    assert response.succeeded
    assert [s.event for s in statuses] == ["target_speed_changed"]
    assert (
        machine.control(bytes(ControlPointRequest.stop()), permitted=True)[0].result_code
        == ResultCode.OPERATION_FAILED
    )
    response, statuses = machine.control(bytes(ControlPointRequest.start_or_resume()), permitted=True)
    assert response.succeeded
    assert machine.belt is Belt.RUNNING
    assert [s.event for s in statuses] == ["started_or_resumed_by_user"]
    assert (
        machine.control(b"\x02\x10", permitted=True)[0].result_code == ResultCode.INVALID_PARAMETER
    )  # cut short
    assert machine.control(b"\x13\x01", permitted=True)[0].result_code == ResultCode.OP_CODE_NOT_SUPPORTED
    statuses = machine.safety_key()
    assert [s.event for s in statuses] == ["stopped_by_safety_key"]
    assert machine.speed_kmh == 0.0

"""The control policy: never starts the belt, ramps, caps, slows for turns, yields to the console."""

from __future__ import annotations

import itertools

import pytest

from treadmill.ftms.ranges import SpeedRange
from treadmill.model import Direction, Facing
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.control import ControlCommand, ControlPolicy
from treadmill.workout.cues import TURN_SPEED_KMH, CueEngine
from treadmill.workout.plan import Caps, Plan, Step, StepKind

PLAN = Plan(
    "control",
    (
        Step(Facing.FORWARD, 60.0, None, kind=StepKind.WARMUP, speed_kmh=6.0),
        Step(Facing.REVERSE, 60.0, None, speed_kmh=5.0),  # above the reverse cap below
        Step(Facing.FORWARD, 60.0, None, kind=StepKind.COOLDOWN, speed_kmh=4.0),
    ),
)


def drive(
    plan: Plan, policy: ControlPolicy, until: float, *, start_at: float = 0.0, dt: float = 0.1
) -> tuple[list[ControlCommand], CueEngine]:
    """Run the cue engine and the policy over a belt that takes each target at once."""
    engine, commands, belt = CueEngine(plan), [], 1.0
    for i in range(round(until / dt) + 1):
        t = i * dt
        engine.update(t)
        command = policy.update(
            t,
            step=engine.step,
            step_index=engine.index,
            coming=engine.coming,
            seconds_left=engine.seconds_left(t),
            belt_kmh=belt if t >= start_at else 0.0,
            running=t >= start_at,
        )
        if command is not None:
            commands.append(command)
            belt = command.speed_kmh if command.speed_kmh is not None else belt
            if command.stop:
                break
    return commands, engine


def test_it_never_starts_the_belt() -> None:
    commands, _ = drive(PLAN, ControlPolicy(Caps()), 50.0, start_at=1e9)
    assert commands == []


def test_speed_ramps_up_at_most_half_a_km_h_a_second_and_down_at_one() -> None:
    commands, _ = drive(PLAN, ControlPolicy(Caps(reverse_kmh=3.0)), 200.0, start_at=5.0)
    speeds = [(c.t, c.speed_kmh) for c in commands if c.speed_kmh is not None]
    assert speeds[0] == (5.0, 1.5)
    for (t0, v0), (t1, v1) in itertools.pairwise(speeds):
        assert t1 - t0 >= 1.0 - 1e-9
        assert -1.0 - 1e-9 <= v1 - v0 <= 0.5 + 1e-9
    assert any(v == 6.0 for _, v in speeds)


def test_every_command_respects_the_direction_cap_and_the_device_range() -> None:
    device = SpeedRange(0.8, 5.5, 0.1)
    commands, _ = drive(PLAN, ControlPolicy(Caps(forward_kmh=16.0, reverse_kmh=3.0), device), 200.0)
    for c in commands:
        if c.speed_kmh is None:
            continue
        assert 0.8 <= c.speed_kmh <= 5.5
        if 60.0 <= c.t < 120.0:
            assert c.speed_kmh <= 3.0
    reverse = [c.speed_kmh for c in commands if 60.0 <= c.t < 120.0 and c.speed_kmh is not None]
    assert max(reverse) == 3.0


def test_the_belt_is_at_turn_speed_by_each_turn_and_builds_up_after() -> None:
    commands, _ = drive(PLAN, ControlPolicy(Caps(reverse_kmh=3.0)), 200.0)
    before = [c for c in commands if c.t < 60.0 and c.speed_kmh is not None]
    assert before[-1].speed_kmh == TURN_SPEED_KMH
    assert before[-1].reason == "turn"
    held = [c for c in commands if 60.0 <= c.t < 72.0 and c.speed_kmh is not None]
    assert held == []  # held at turn speed while the user turns
    after = [c for c in commands if 72.0 <= c.t < 80.0 and c.speed_kmh is not None]
    assert after[0].t == pytest.approx(72.0)
    assert after[0].speed_kmh == pytest.approx(TURN_SPEED_KMH + 0.5)


def test_a_console_change_hands_speed_to_the_user_until_the_next_step() -> None:
    policy = ControlPolicy(Caps())
    policy.update(
        0.0,
        step=PLAN.steps[0],
        step_index=0,
        coming=PLAN.steps[1],
        seconds_left=60.0,
        belt_kmh=3.0,
        running=True,
    )
    assert policy.on_target_speed(0.2, 3.5) is None  # our own command echoed back
    message = policy.on_target_speed(10.0, 4.2)
    assert message is not None
    assert "following you" in message
    assert policy.following_user
    for t in range(11, 40):
        assert (
            policy.update(
                t,
                step=PLAN.steps[0],
                step_index=0,
                coming=PLAN.steps[1],
                seconds_left=60 - t,
                belt_kmh=4.2,
                running=True,
            )
            is None
        )
    resumed = policy.update(
        60.0,
        step=PLAN.steps[1],
        step_index=1,
        coming=PLAN.steps[2],
        seconds_left=60.0,
        belt_kmh=4.2,
        running=True,
    )
    assert resumed is not None
    assert not policy.following_user


def test_the_end_slows_to_turn_speed_then_stops() -> None:
    commands, engine = drive(PLAN, ControlPolicy(Caps(reverse_kmh=3.0)), 260.0)
    assert engine.finished
    assert commands[-1].stop
    assert commands[-2].speed_kmh == TURN_SPEED_KMH


def test_every_builtin_plan_stays_within_the_caps_under_control() -> None:
    caps = Caps(forward_kmh=10.0, reverse_kmh=3.0)
    for plan in builtin_plans().values():
        commands, _ = drive(plan, ControlPolicy(caps), (plan.duration_s or 3600.0) + 30.0, dt=0.5)
        assert commands[-1].stop, plan.name
        assert all(c.speed_kmh is None or c.speed_kmh <= caps.forward_kmh for c in commands)


def test_someone_the_detector_sees_backward_is_never_sped_past_the_reverse_cap() -> None:
    policy = ControlPolicy(Caps(forward_kmh=12.0, reverse_kmh=3.0))
    steps = PLAN.steps
    speeds = []
    for t in range(120, 150):  # the forward cool-down at 4 km/h, but the user never turned
        command = policy.update(
            float(t),
            step=steps[2],
            step_index=2,
            coming=None,
            seconds_left=180.0 - t,
            belt_kmh=2.0,
            running=True,
            detected=Direction.REVERSE,
        )
        if command is not None and command.speed_kmh is not None:
            speeds.append(command.speed_kmh)
    assert speeds
    assert max(speeds) == 3.0
    command = policy.update(
        151.0,
        step=steps[2],
        step_index=2,
        coming=None,
        seconds_left=29.0,
        belt_kmh=3.0,
        running=True,
        detected=Direction.FORWARD,
    )
    assert command is not None
    assert command.speed_kmh == 3.5


def test_a_repeated_step_is_still_a_new_step_for_the_console_override() -> None:
    walk = Step(Facing.FORWARD, 60.0, None, speed_kmh=5.0)
    policy = ControlPolicy(Caps())  # a repeat block of one step repeats the same Step object
    policy.update(0.0, step=walk, step_index=0, coming=walk, seconds_left=60.0, belt_kmh=5.0, running=True)
    assert policy.on_target_speed(5.0, 6.5) is not None
    assert (
        policy.update(
            30.0, step=walk, step_index=0, coming=walk, seconds_left=30.0, belt_kmh=6.5, running=True
        )
        is None
    )
    resumed = policy.update(
        60.0, step=walk, step_index=1, coming=None, seconds_left=60.0, belt_kmh=6.5, running=True
    )
    assert resumed is not None
    assert resumed.speed_kmh == 5.5

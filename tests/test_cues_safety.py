"""The cue engine's timing and wording, and every safety rule raised and cleared."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from treadmill.model import CueDirection, Direction, Facing, LinkState
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import CueEngine, CueEvent, CueKind, describe_step
from treadmill.workout.plan import Plan, Step, StepKind
from treadmill.workout.safety import RULES, Level, Rule, SafetyMonitor, SafetyState

F, R, S = Direction.FORWARD, Direction.REVERSE, Direction.STOPPED
PLAN = Plan(
    "test",
    (
        Step(Facing.FORWARD, 60.0, None, kind=StepKind.WARMUP, speed_kmh=5.0),
        Step(Facing.REVERSE, 300.0, None, speed_kmh=3.0, handrail=True),
        Step(Facing.REVERSE, 30.0, None, speed_kmh=2.5),
        Step(Facing.FORWARD, None, 100.0, kind=StepKind.COOLDOWN, speed_kmh=4.0),
    ),
)


def run(
    engine: CueEngine,
    until: float,
    *,
    dt: float = 0.1,
    detected: Direction | None = None,
    speed_kmh: float = 4.0,
) -> list[CueEvent]:
    """Drive the engine at ``dt`` steps, with distance integrated from ``speed_kmh``."""
    cues: list[CueEvent] = []
    for i in range(round(until / dt) + 1):
        t = i * dt
        cues += engine.update(t, detected=detected, distance_m=t * speed_kmh / 3.6, speed_kmh=speed_kmh)
        if engine.finished:
            break
    return cues


def test_each_change_is_announced_ten_seconds_ahead_then_counted_down_and_cued_on_time() -> None:
    cues = run(CueEngine(PLAN), 500.0)
    first = [c for c in cues if c.step_index == 0]
    assert [c.kind for c in first] == [CueKind.ANNOUNCE, *[CueKind.COUNTDOWN] * 3]
    assert first[0].t == pytest.approx(50.0)
    assert first[0].text == "Turn in 10 s: face backward"  # one glance
    assert "hold the rails" in first[0].more  # and the detail under it
    assert len(first[0].text) <= 30
    assert [c.text for c in first[1:]] == ["3", "2", "1"]
    assert [c.t for c in first[1:]] == pytest.approx([57.0, 58.0, 59.0])
    assert all(c.bell for c in first[1:])
    turn = next(c for c in cues if c.kind is CueKind.TURN)
    assert turn.t == pytest.approx(60.0)
    assert turn.direction is CueDirection.REVERSE
    assert turn.step_index == 1
    assert "face backward" in turn.text
    # Reverse → reverse is a speed change: a step cue, no countdown, no turn line.
    step = next(c for c in cues if c.kind is CueKind.STEP)
    assert step.t == pytest.approx(360.0)
    assert step.direction is None
    assert step.text == "Now: 2.5 km/h backward"
    assert not [c for c in cues if c.kind is CueKind.COUNTDOWN and c.step_index == 1]


def test_a_distance_step_ends_when_the_distance_is_covered_and_the_workout_finishes_cleanly() -> None:
    engine = CueEngine(PLAN)
    cues = run(engine, 600.0)
    finished = [c for c in cues if c.kind is CueKind.FINISHED]
    assert len(finished) == 1
    assert finished[0].direction is CueDirection.STOP
    # 100 m at 4 km/h after the turn at 390 s takes 90 s.
    assert finished[0].t == pytest.approx(390.0 + 90.0, abs=0.11)
    assert engine.finished
    assert engine.step is None
    assert engine.update(600.0) == []


def test_a_turn_the_detector_does_not_see_is_rechecked_once_and_noted() -> None:
    engine = CueEngine(PLAN)
    cues = run(engine, 120.0, detected=F)
    rechecks = [c for c in cues if c.kind is CueKind.RECHECK]
    assert len(rechecks) == 1
    assert rechecks[0].t == pytest.approx(80.0)
    assert rechecks[0].text == "Still facing forward?"
    assert "face backward" in rechecks[0].more
    assert "Press r" in rechecks[0].more, "the person can correct the detector with one key"
    assert engine.missed_turns == [1]


def test_a_turn_the_detector_confirms_is_not_rechecked() -> None:
    engine = CueEngine(PLAN)
    run(engine, 59.0, detected=F)
    cues = [c for t in range(590, 1200) for c in engine.update(t / 10, detected=R)]
    assert not [c for c in cues if c.kind is CueKind.RECHECK]
    assert engine.missed_turns == []
    [seen] = [c for c in cues if c.kind is CueKind.TURNED]  # the moment the turn is seen, once
    assert seen.t == pytest.approx(60.0, abs=0.11)  # the first update after the turn cue
    assert (seen.text, seen.bell) == ("You're backward ✓", True)
    assert seen.more == "Hold the rails until you are steady."


def test_form_reminders_come_during_backward_steps_only_spaced_and_capped() -> None:
    cues = run(CueEngine(PLAN), 500.0)
    forms = [c for c in cues if c.kind is CueKind.FORM]
    assert forms
    assert all(PLAN.steps[c.step_index].direction is Facing.REVERSE for c in forms)
    per_step = [c for c in forms if c.step_index == 1]
    assert len(per_step) == 3
    assert [b.t - a.t for a, b in itertools.pairwise(per_step)] == pytest.approx([90.0, 90.0], abs=0.2)
    spoken = [c for c in cues if c.kind not in (CueKind.FORM, CueKind.COUNTDOWN)]
    assert all(not (f.t - 10.0 < o.t <= f.t) for f in forms for o in spoken)
    assert len({c.text for c in per_step}) == 3


def test_every_builtin_plan_runs_to_its_end_with_a_turn_cue_for_every_turn() -> None:
    for plan in builtin_plans().values():
        cues = run(CueEngine(plan), (plan.duration_s or 3600.0) + 5.0, dt=0.5)
        turns = [c for c in cues if c.kind is CueKind.TURN]
        planned = sum(a.direction is not b.direction for a, b in itertools.pairwise(plan.steps))
        assert len(turns) == planned, plan.name
        assert cues[-1].kind is CueKind.FINISHED, plan.name


# --- safety rules: one test each, raised then cleared --------------------------------------


def raised_and_cleared(
    monitor: SafetyMonitor, states: list[SafetyState], rule: Rule
) -> tuple[float | None, float | None]:
    """When ``rule`` was raised and when cleared along ``states``."""
    up = down = None
    for s in states:
        raised, cleared = monitor.update(s)
        if any(w.rule is rule for w in raised):
            up = s.t
        if any(w.rule is rule for w in cleared):
            down = s.t
    return up, down


def state(
    t: float, direction: Direction, speed: float, confidence: float = 0.95, **more: object
) -> SafetyState:
    return SafetyState(t, direction, confidence, speed, **more)  # type: ignore[arg-type]


def test_reverse_start_holds_for_the_first_seconds_backward() -> None:
    states = [state(float(t), F if t < 10 else R, 2.0) for t in range(60)]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.REVERSE_START) == (10.0, 30.0)


def test_every_turnaround_raises_a_warning_around_the_turn() -> None:
    states = [state(float(t), F, 4.0, turn_at=40.0) for t in range(80)]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.TURNAROUND) == (25.0, 61.0)


def test_an_unsure_direction_after_a_turn_keeps_the_turnaround_warning_up() -> None:
    """Right after a turn the detector may not be sure yet: the rails warning covers the person meanwhile."""
    states = [
        state(float(t), Direction.UNSURE, 4.0, 0.5, turn_at=40.0)
        if t < 75
        else state(float(t), F, 4.0, turn_at=40.0)
        for t in range(90)
    ]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.TURNAROUND) == (25.0, 75.0)


def test_reverse_speed_above_the_safe_speed_is_a_danger_until_slowed() -> None:
    monitor = SafetyMonitor(safe_reverse_kmh=3.0)
    speeds = [2.5, 3.0, 3.6, 4.0, 3.0]
    states = [state(100.0 + i, R, v, plan_facing=Facing.REVERSE) for i, v in enumerate(speeds)]
    assert raised_and_cleared(monitor, states[:3], Rule.REVERSE_SPEED) == (102.0, None)
    assert monitor.active[Rule.REVERSE_SPEED].level is Level.DANGER
    assert "3.6 km/h" in monitor.active[Rule.REVERSE_SPEED].message
    assert raised_and_cleared(monitor, states[3:], Rule.REVERSE_SPEED) == (None, 104.0)
    # The same speed forward is no concern of this rule.
    assert raised_and_cleared(SafetyMonitor(), [state(0.0, F, 9.0)], Rule.REVERSE_SPEED) == (None, None)


def test_a_backward_guess_without_confidence_raises_no_danger() -> None:
    """Wrong and sure is the worst output: a 53 % "backward" after a turn to forward warns of nothing."""
    monitor = SafetyMonitor(safe_reverse_kmh=3.0)
    guess = state(0.0, R, 3.1, confidence=0.53, backed=True)
    assert raised_and_cleared(monitor, [guess], Rule.REVERSE_SPEED) == (None, None)
    sure = state(1.0, R, 3.1, confidence=0.9, backed=True)
    assert raised_and_cleared(monitor, [sure], Rule.REVERSE_SPEED) == (1.0, None)


@pytest.mark.parametrize(
    ("support", "danger"),
    [
        ({}, False),  # the belt's speed alone: a free run without a footpod
        ({"backed": True}, True),  # the step rate (or a mark) says backward too
        ({"plan_facing": Facing.REVERSE}, True),  # the workout's step is backward
        ({"plan_facing": Facing.FORWARD, "turn_at": 95.0, "backed": True}, False),  # cued forward 5 s ago
        ({"plan_facing": Facing.REVERSE, "coming_facing": Facing.FORWARD}, False),  # forward any moment
        ({"plan_facing": Facing.FORWARD, "turn_at": 60.0, "backed": True}, True),  # long after the cue
    ],
    ids=["speed_alone", "backed", "plan", "cued_forward", "forward_due", "stayed_backward"],
)
def test_backward_too_fast_needs_a_second_signal_and_never_rides_a_turn_to_forward(
    support: dict[str, Any], danger: bool
) -> None:
    """A direction danger rests on a confident backward the plan or a second signal supports, and
    a cued turn to forward under way (the belt speeding up because they turned) never raises it."""
    raised, _ = raised_and_cleared(SafetyMonitor(safe_reverse_kmh=3.0), [state(100.0, R, 5.0, **support)],
                                   Rule.REVERSE_SPEED)  # fmt: skip
    assert (raised is not None) is danger


def test_reverse_incline_at_the_threshold_warns() -> None:
    states = [state(100.0 + i, R, 2.0, incline_pct=incline) for i, incline in enumerate([2.0, 5.0, 8.0, 4.5])]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.REVERSE_INCLINE) == (101.0, 103.0)


def test_a_speed_change_while_backward_warns_for_a_while() -> None:
    states = [state(float(t), R, 2.5, speed_changed_at=50.0) for t in range(40, 70)]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.REVERSE_SPEED_CHANGE) == (50.0, 61.0)


@pytest.mark.parametrize("link", [LinkState.STALE, LinkState.RECONNECTING])
def test_stale_data_or_a_lost_link_warns_until_data_flows(link: LinkState) -> None:
    states = [state(float(t), F, 5.0, link=link if 3 <= t < 7 else LinkState.CONNECTED) for t in range(10)]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.LINK_LOST) == (3.0, 7.0)


def test_a_safety_key_stop_is_a_danger_until_the_belt_restarts() -> None:
    monitor = SafetyMonitor()
    states = [state(float(t), S, 0.0, safety_key=4 <= t < 9) for t in range(12)]
    assert raised_and_cleared(monitor, states[:6], Rule.SAFETY_KEY) == (4.0, None)
    assert monitor.active[Rule.SAFETY_KEY].level is Level.DANGER
    assert raised_and_cleared(monitor, states[6:], Rule.SAFETY_KEY) == (None, 9.0)


def test_an_unexpected_belt_stop_warns_until_it_is_explained() -> None:
    states = [state(float(t), S, 0.0, stopped_unexpectedly=2 <= t < 5) for t in range(8)]
    assert raised_and_cleared(SafetyMonitor(), states, Rule.UNEXPECTED_STOP) == (2.0, 5.0)


def test_every_warning_carries_its_reason() -> None:
    monitor = SafetyMonitor()
    raised, _ = monitor.update(
        state(
            0.0,
            R,
            9.0,
            incline_pct=10.0,
            link=LinkState.STALE,
            turn_at=0.0,
            speed_changed_at=0.0,
            safety_key=True,
            stopped_unexpectedly=True,
            doubtful=True,
            backed=True,
        )
    )
    assert {w.rule for w in raised} == set(Rule)
    assert all(w.reason and w.message for w in raised)


def test_every_rule_is_specified_once_for_every_screen() -> None:
    """The one table the monitor, the coach's events, the banners and MQTT read: a rule missing from
    it would raise only when it fires."""
    assert set(RULES) == set(Rule)
    for rule, spec in RULES.items():
        assert all((spec.reason, spec.message, spec.headline, spec.name, spec.big)), rule
        assert list(spec.big) == sorted(spec.big, key=len, reverse=True), rule


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (25.0, "25 s"),
        (60.0, "1 min"),
        (90.0, "1 min 30 s"),
        (300.0, "5 min"),
        (29.6, "30 s"),
        (119.7, "2 min"),
    ],
)
def test_a_step_length_is_said_as_people_say_it(seconds: float, words: str) -> None:
    """A 25 s step read "0.4167 min forward" on the screen; minutes and seconds, whole."""
    said = describe_step(Step(Facing.FORWARD, seconds, None, speed_kmh=4.0))
    assert said == f"{words} forward at 4 km/h"

"""A whole built-in workout, headless, with control on, on the virtual treadmill through bleak.

One recording (40x session time) checked from every side: cue lines at the plan's times,
a turnaround warning at every turn, the belt within the caps and on the ramps, nothing
commanded before the person starts the belt, and a console press that wins over the plan.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from treadmill.session.coach import CoachEvent
from treadmill.session.recording import RecordOptions, RecordResult, record
from treadmill.storage.fixtures import read_fixture
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import TURN_SPEED_KMH
from treadmill.workout.plan import Caps, Plan

PLAN_ID = "first-steps-backward"
CAPS = Caps(forward_kmh=12.0, reverse_kmh=3.0)
PRESS_AT, PRESS_KMH = 820.0, 4.5
"""In the forward cool-down (780-960 s, 3 km/h), someone sets 4.5 km/h on the console."""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return builtin_plans()[PLAN_ID]


@pytest.fixture(scope="module")
def run(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordResult, list[CoachEvent]]:
    events: list[CoachEvent] = []
    out = tmp_path_factory.mktemp("workout") / "guided.jsonl"
    options = RecordOptions(
        out=out,
        virtual=True,
        seed=7,
        time_scale=40.0,
        duration_s=(plan.duration_s or 0.0) + 60.0,
        workout=plan,
        control=True,
        caps=CAPS,
        console_presses=((PRESS_AT, PRESS_KMH),),
    )
    return asyncio.run(record(options, on_coach=events.append)), events


def test_the_fixture_holds_a_cue_line_at_every_turn_on_time(
    plan: Plan, run: tuple[RecordResult, list[CoachEvent]]
) -> None:
    result, _ = run
    planned = plan.cue_lines()
    cues = read_fixture(result.path).cues
    assert [d for _, d in cues] == [d for _, d in planned]
    for (t, _), (cue_t, _) in zip(planned, cues, strict=True):
        assert cue_t == pytest.approx(t, abs=0.2)
    assert result.coach is not None
    assert result.coach.cues.finished


def test_every_turn_is_announced_counted_down_and_warned(
    plan: Plan, run: tuple[RecordResult, list[CoachEvent]]
) -> None:
    _, events = run
    turns = [e.t for e in events if e.kind == "cue" and e.detail == "turn"]
    assert len(turns) == sum(a.direction != b.direction for a, b in itertools.pairwise(plan.steps))
    for t in turns:
        assert any(e.detail == "announce" and t - 10.3 <= e.t <= t - 9.7 for e in events)
        assert sum(e.detail == "countdown" and t - 3.3 <= e.t < t for e in events) == 3
        last = [e for e in events if e.detail.split("/")[0] == "turnaround" and e.t <= t + 0.2]
        assert last, f"no turnaround warning by the turn at {t}"
        assert last[-1].kind == "warning"


def test_the_belt_stays_within_the_caps_and_follows_the_ramps(
    plan: Plan, run: tuple[RecordResult, list[CoachEvent]]
) -> None:
    result, _ = run
    assert result.coach is not None
    commands = [c for c in result.coach.commands if c.speed_kmh is not None]
    assert commands
    reverse = [(a, b) for a, b, step in plan.timeline() if step.direction == "reverse"]

    def backward(t: float) -> bool:
        return any(a <= t < b for a, b in reverse)

    for c in commands:
        assert c.speed_kmh is not None
        assert c.speed_kmh <= (CAPS.reverse_kmh if backward(c.t) else CAPS.forward_kmh)
    for a, b in itertools.pairwise([c for c in commands if c.t < PRESS_AT]):
        assert b.t - a.t >= 1.0 - 1e-6
        assert b.speed_kmh is not None
        assert a.speed_kmh is not None
        assert -1.0 - 1e-6 <= b.speed_kmh - a.speed_kmh <= 0.5 + 1e-6
    belt_backward = [s.speed_kmh for s in result.session.samples if s.speed_kmh is not None and backward(s.t)]
    assert belt_backward
    assert max(belt_backward) <= CAPS.reverse_kmh + 0.05
    # Slowed to the turn speed by each turn.
    for t, _ in plan.cue_lines()[:-1]:
        before = [c for c in commands if t - 12.0 <= c.t < t]
        if before:
            assert before[-1].speed_kmh == pytest.approx(TURN_SPEED_KMH)


def test_nothing_is_commanded_before_the_person_starts_the_belt(
    run: tuple[RecordResult, list[CoachEvent]],
) -> None:
    result, _ = run
    assert result.coach is not None
    started = next(s.t for s in result.session.samples if s.speed_kmh is not None and s.speed_kmh >= 0.3)
    assert result.coach.commands[0].t >= started


def test_a_console_press_wins_over_the_plan_and_the_app_says_so(
    run: tuple[RecordResult, list[CoachEvent]],
) -> None:
    result, events = run
    assert result.coach is not None
    # The runner presses Stop as the workout ends; the app's own stop is then no news.
    assert [e for e in events if e.kind == "message"] == [e for e in events if e.detail == "console"]
    said = [e for e in events if e.kind == "message" and e.detail == "console"]
    assert len(said) == 1
    assert said[0].t == pytest.approx(PRESS_AT, abs=1.0)
    assert "4.5 km/h" in said[0].text
    finish = next(e.t for e in events if e.detail == "finished")
    assert not [c for c in result.coach.commands if PRESS_AT < c.t < finish]
    belt = [s.speed_kmh for s in result.session.samples if PRESS_AT + 10 <= s.t < finish - 1 and s.speed_kmh]
    assert belt
    assert min(belt) == pytest.approx(PRESS_KMH, abs=0.05)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--control"], "--control drives the belt through a workout"),
        (["--plan", "no-such-plan"], "no such plan"),
    ],
)
def test_record_refuses_control_without_a_workout_and_unknown_plans(
    args: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "x.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "treadmill", "record", "--virtual", "--out", str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert not out.exists()


async def test_ending_a_controlled_workout_early_stops_the_belt(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "ended.jsonl"
    turned = asyncio.Event()
    events: list[CoachEvent] = []

    def on_coach(event: CoachEvent) -> None:
        events.append(event)
        if event.detail == "turn":
            turned.set()

    options = RecordOptions(
        out=out,
        virtual=True,
        seed=7,
        time_scale=40.0,
        duration_s=3600.0,
        workout=plan,
        control=True,
        caps=CAPS,
    )
    recording = asyncio.create_task(record(options, on_coach=on_coach))
    await turned.wait()  # mid-workout, the belt moving under app control
    recording.cancel()
    with pytest.raises(asyncio.CancelledError):
        await recording
    # The machine acknowledged the stop (the client waits for its answer) before the app let go.
    assert [e.text for e in events if e.kind == "control"] == ["Workout ended early: belt stopped."]
    fixture = read_fixture(out)
    assert fixture.cues  # everything recorded until then is kept, the turn's cue line too
    assert fixture.frames[-1].t >= fixture.cues[0][0] - 2.0

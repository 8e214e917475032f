"""A whole built-in workout, headless, with control on, on the virtual treadmill through bleak.

One recording, on virtual time, checked from every side: cue lines at the plan's times,
a turnaround warning at every turn, the belt within the caps and on the ramps, nothing
commanded before the person starts the belt, and a console press that wins over the plan.
On virtual time the session is the same whatever the machine's load, so times are exact.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
from functools import partial
from pathlib import Path

import pytest

from tests.support import cli, record_virtual
from treadmill.clock import run_in_virtual_time
from treadmill.model import CoachEventKind, Facing
from treadmill.session.coach import CoachEvent
from treadmill.session.live import LiveResult
from treadmill.session.options import WorkoutOptions
from treadmill.storage.fixtures import read_fixture
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import TURN_SPEED_KMH, CueKind
from treadmill.workout.plan import Caps, Plan
from treadmill.workout.safety import Rule

PLAN_ID = "first-steps-backward"
CAPS = Caps(forward_kmh=12.0, reverse_kmh=3.0)
PRESS_AT, PRESS_KMH = 820.0, 4.5
"""In the forward cool-down (780-960 s of the plan, 3 km/h), someone sets 4.5 km/h on the console."""
Run = tuple[LiveResult, list[CoachEvent]]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return builtin_plans()[PLAN_ID]


@pytest.fixture(scope="module")
def run(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Run:
    events: list[CoachEvent] = []
    out = tmp_path_factory.mktemp("workout") / "guided.jsonl"
    result = run_in_virtual_time(
        record_virtual(
            out,
            duration_s=(plan.duration_s or 0.0) + 60.0,
            seed=7,
            workout=WorkoutOptions(plan, control=True, caps=CAPS),
            on_coach=events.append,
            scripted=lambda treadmill: treadmill.at(PRESS_AT, partial(treadmill.console_speed, PRESS_KMH)),
        )
    )
    return result, events


def plan_time(result: LiveResult, t: float) -> float:
    """Session time ``t`` on the plan's clock (this person never stops the belt mid-workout)."""
    assert result.coach is not None
    assert result.coach.started_at is not None
    return t - result.coach.started_at


def test_the_recording_holds_a_cue_line_at_every_turn_of_the_plan(plan: Plan, run: Run) -> None:
    result, _ = run
    assert result.path is not None
    planned = plan.cue_lines()
    cues = read_fixture(result.path).cues
    assert [c.direction for c in cues] == [d for _, d in planned]
    for (t, _), cue in zip(planned[:-1], cues, strict=False):
        assert plan_time(result, cue.t) == pytest.approx(t, abs=0.001), "on the plan's clock, to the tick"
    assert result.coach is not None
    assert result.coach.cues is not None
    assert result.coach.cues.finished


def test_every_turn_is_announced_counted_down_and_warned(plan: Plan, run: Run) -> None:
    _, events = run
    turns = [e.t for e in events if e.cue is CueKind.TURN]
    assert len(turns) == sum(a.direction is not b.direction for a, b in itertools.pairwise(plan.steps))
    for t in turns:
        assert any(e.cue is CueKind.ANNOUNCE and t - 11.0 <= e.t <= t - 9.0 for e in events)
        assert sum(e.cue is CueKind.COUNTDOWN and t - 4.0 <= e.t <= t for e in events) == 3
        last = [e for e in events if e.rule is Rule.TURNAROUND and e.t <= t + 1.0]
        assert last, f"no turnaround warning by the turn at {t}"
        assert last[-1].kind is CoachEventKind.WARNING


def test_the_belt_stays_within_the_caps_and_follows_the_ramps(plan: Plan, run: Run) -> None:
    result, _ = run
    assert result.coach is not None
    commands = [c for c in result.coach.commands if c.speed_kmh is not None]
    assert commands
    reverse = [(a, b) for a, b, step in plan.timeline() if step.direction is Facing.REVERSE]

    def backward(t: float) -> bool:
        return any(a <= plan_time(result, t) < b for a, b in reverse)

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
        before = [c for c in commands if t - 12.0 <= plan_time(result, c.t) < t]
        if before:
            assert before[-1].speed_kmh == pytest.approx(TURN_SPEED_KMH)


def test_nothing_is_commanded_before_the_person_starts_the_belt(run: Run) -> None:
    result, _ = run
    assert result.coach is not None
    started = next(s.t for s in result.session.samples if s.speed_kmh is not None and s.speed_kmh >= 0.3)
    assert result.coach.commands[0].t >= started


def test_a_console_press_wins_over_the_plan_and_the_app_says_so(run: Run) -> None:
    result, events = run
    assert result.coach is not None
    # The runner presses Stop as the workout ends; the app's own stop is then no news.
    said = [e for e in events if e.kind is CoachEventKind.MESSAGE]
    assert [e.text for e in said] == ["Following the console"]
    assert said[0].t == pytest.approx(PRESS_AT, abs=0.05)
    assert "4.5 km/h" in said[0].more
    finish = next(e.t for e in events if e.cue is CueKind.FINISHED)
    assert not [c for c in result.coach.commands if PRESS_AT < c.t < finish]
    # The belt holds the console's speed until the runner stops it at the end.
    belt = [round(s.speed_kmh or 0.0, 1) for s in result.session.samples if PRESS_AT + 10 <= s.t < finish]
    assert statistics.mode(belt) == pytest.approx(PRESS_KMH, abs=0.05)
    assert max(belt) == pytest.approx(PRESS_KMH, abs=0.05), "nothing sped the belt up again"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--control"], "--control drives the belt through a workout"),
        (["--plan", "no-such-plan"], "no such plan"),
    ],
)
def test_record_refuses_control_without_a_workout_and_unknown_plans(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.jsonl"
    status, _, err = cli(capsys, "record", "--virtual", "--out", str(out), *args)
    assert status == 2
    assert message in err
    assert not out.exists()


@pytest.mark.virtual_time
async def test_ending_a_controlled_workout_early_stops_the_belt(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "ended.jsonl"
    turned = asyncio.Event()
    events: list[CoachEvent] = []

    def on_coach(event: CoachEvent) -> None:
        events.append(event)
        if event.cue is CueKind.TURN:
            turned.set()

    recording = asyncio.create_task(
        record_virtual(
            out,
            duration_s=3600.0,
            seed=7,
            workout=WorkoutOptions(plan, control=True, caps=CAPS),
            on_coach=on_coach,
        )
    )
    await turned.wait()  # mid-workout, the belt moving under app control
    recording.cancel()
    with pytest.raises(asyncio.CancelledError):
        await recording
    # The machine acknowledged the stop (the client waits for its answer) before the app let go.
    assert [(e.text, e.more) for e in events if e.kind is CoachEventKind.CONTROL] == [
        ("Belt stopped", "Workout ended early.")
    ]
    fixture = read_fixture(out)
    assert fixture.cues  # everything recorded until then is kept, the turn's cue line too
    assert fixture.frames[-1].t >= fixture.cues[0].t - 2.0
    assert [f.char for f in fixture.frames[-3:]].count("2ad9") >= 1, "the stop's acknowledgement is recorded"

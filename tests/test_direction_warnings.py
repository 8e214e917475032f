"""Warnings people can trust: no false danger after a turn back to forward, the free run's rules,
"Did you turn?", and a replay that warns as the live session did.

Whole sessions on the virtual treadmill through the real client, on virtual time, so every count
and time is exact whatever the machine's load.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support import record_virtual
from treadmill.clock import SessionClock
from treadmill.model import CoachEventKind, Cue, CueDirection, Direction, Sample
from treadmill.session.coach import ASK_TEXT, CoachEvent, WorkoutCoach
from treadmill.session.engine import Session
from treadmill.session.options import WorkoutOptions
from treadmill.session.recorded_coach import COACH_KEY, coach_header, replay_coach
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.peripheral import VirtualTreadmill
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import CueKind
from treadmill.workout.plan import Caps
from treadmill.workout.safety import Level, Rule

pytestmark = pytest.mark.virtual_time

DEMO_PLAN = "first-steps-backward"
"""What ``make demo`` coaches."""


def warnings(events: list[CoachEvent]) -> list[tuple[float, Rule | None]]:
    return [(round(e.t, 1), e.rule) for e in events if e.kind is CoachEventKind.WARNING]


async def test_the_demo_raises_no_danger_after_a_turn_back_to_forward(tmp_path: Path) -> None:
    """The last round's `make demo` said "SLOW DOWN: backward at 3.1 km/h" after every turn to
    forward. The same workout, the same virtual runner: no direction danger while facing forward."""
    plan = builtin_plans()[DEMO_PLAN]
    events: list[CoachEvent] = []
    out = tmp_path / "demo.jsonl"
    await record_virtual(
        out,
        duration_s=(plan.duration_s or 0.0) + 30.0,
        workout=WorkoutOptions(plan, caps=Caps(forward_kmh=12.0, reverse_kmh=3.0)),
        on_coach=events.append,
    )
    fixture = read_fixture(out)
    turns = [c for c in fixture.cues if c.direction is CueDirection.FORWARD]
    assert len(turns) >= 2, "the workout turns back to forward more than once"
    dangers = [e for e in events if e.kind is CoachEventKind.WARNING and e.level is Level.DANGER]
    assert dangers == []
    assert any(rule is Rule.TURNAROUND for _, rule in warnings(events)), "the rails warning still comes"


async def test_a_free_run_has_the_handrail_rules_too(tmp_path: Path) -> None:
    """No workout: the coach still says when the data stops (the belt may be moving unseen)."""
    events: list[CoachEvent] = []

    def silent_between(treadmill: VirtualTreadmill) -> None:
        async def hush() -> None:
            treadmill.silent = True

        async def speak() -> None:
            treadmill.silent = False

        treadmill.at(60.0, hush)
        treadmill.at(75.0, speak)

    await record_virtual(
        tmp_path / "free.jsonl", duration_s=120.0, on_coach=events.append, scripted=silent_between
    )
    lost = [e for e in events if e.rule is Rule.LINK_LOST and e.kind is CoachEventKind.WARNING]
    assert len(lost) == 1
    assert 63.0 <= lost[0].t <= 64.0, "once the data is 3 s stale"
    assert any(e.rule is Rule.LINK_LOST and e.kind is CoachEventKind.CLEARED for e in events), "and clears"
    header = read_fixture(tmp_path / "free.jsonl").header
    assert header[COACH_KEY] == coach_header(None, 3.0)[COACH_KEY]


async def test_the_app_asks_did_you_turn_once_per_unsettled_transition() -> None:
    said: list[CoachEvent] = []

    async def no_cue(cue: Cue) -> None:
        del cue

    coach = WorkoutCoach(None, no_cue, SessionClock(), on_event=said.append, ticks_on_data=True)
    asking = [False] * 5 + [True] * 10 + [False] * 5 + [True] * 3
    for k, ask in enumerate(asking):
        sample = Sample(float(k), 3.5).labelled(Direction.UNSURE, 0.6, Sample(0.0, 0.0).evidence, asking=ask)
        await coach.handle(sample)
    asks = [e for e in said if e.cue is CueKind.ASK]
    assert [e.t for e in asks] == [5.0, 20.0]
    assert asks[0].text == ASK_TEXT
    assert asks[0].more.startswith("r: ")
    assert "f: " in asks[0].more


async def test_a_replay_warns_as_the_live_session_did(tmp_path: Path) -> None:
    """The recording keeps the workout; its replay runs the same coach and raises the same warnings."""
    plan = builtin_plans()[DEMO_PLAN]
    live: list[CoachEvent] = []
    out = tmp_path / "workout.jsonl"
    await record_virtual(
        out,
        duration_s=400.0,
        workout=WorkoutOptions(plan, caps=Caps(forward_kmh=12.0, reverse_kmh=3.0)),
        on_coach=live.append,
    )
    fixture = read_fixture(out)
    coach, note = replay_coach(fixture.header)
    assert note is None
    assert coach.plan is not None
    assert [s.direction for s in coach.plan.steps] == [s.direction for s in plan.steps]
    replayed: list[CoachEvent] = []
    coach.on_event = replayed.append
    await Session(ReplaySource(fixture, speed=None), [coach]).run()
    live_rules = [rule for _, rule in warnings(live)]
    assert live_rules, "the live session warned"
    assert [rule for _, rule in warnings(replayed)] == live_rules
    for (t_live, _), (t_replay, _) in zip(warnings(live), warnings(replayed), strict=True):
        assert abs(t_live - t_replay) <= 0.6, "within a sample of the live warning"


def test_a_recording_without_its_coach_replays_with_the_free_runs_rules_and_says_so() -> None:
    coach, note = replay_coach({"format": "treadmill-fixture", "version": 1})
    assert coach.plan is None
    assert note is not None
    assert "free run" in note
    broken, why = replay_coach({COACH_KEY: {"plan": {"name": "x", "steps": []}, "safe_reverse_kmh": 3.0}})
    assert broken.plan is None
    assert why is not None
    assert "does not read" in why
    assert asyncio.iscoroutinefunction(broken.handle)

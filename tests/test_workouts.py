"""Workout plans: built-ins, the TOML format's errors (with lines), .zwo import, `treadmill plans`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.support import cli
from treadmill.storage.plans import catalogue
from treadmill.storage.profile import UserProfile, save_profile
from treadmill.workout.builtin import BUILTIN_IDS, Rating, builtin_plans, challenge_day
from treadmill.workout.plan import Caps, PlanError, parse_plan
from treadmill.workout.zwo import parse_zwo

PACES = (300.0, 330.0, 345.0, 365.0, 390.0)


def test_every_builtin_plan_validates_and_follows_the_beginner_advice() -> None:
    plans = builtin_plans()
    assert set(plans) == {*BUILTIN_IDS, "7-day-challenge"}
    for plan in plans.values():
        assert plan.steps[0].kind == "warmup"
        assert plan.steps[-1].kind == "cooldown"
        assert any(s.direction == "reverse" for s in plan.steps)
    first = plans["first-steps-backward"]
    backward = [s for s in first.steps if s.direction == "reverse"]
    assert all(s.speed_kmh is not None and s.speed_kmh <= 3.0 and s.handrail for s in backward)
    assert first.reverse_s <= 600  # at most 10 min backward in a first session (§2.1)


def test_repeat_blocks_expand_in_order() -> None:
    plan = parse_plan(
        """
name = "r"
[[steps]]
direction = "forward"
duration = 60
[[steps]]
repeat = 3
  [[steps.steps]]
  direction = "reverse"
  duration = "0:30"
  [[steps.steps]]
  direction = "forward"
  distance_m = 200
"""
    )
    assert [s.direction for s in plan.steps] == ["forward", "reverse", "forward"] * 1 + [
        "reverse",
        "forward",
    ] * 2
    assert plan.steps[1].duration_s == 30.0
    assert plan.steps[2].distance_m == 200.0
    assert plan.duration_s is None  # distance steps have no fixed time


GOOD_STEP = 'direction = "forward"\nduration = 60\n'


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ('name = "x"\n[[steps]\ndirection = 1', 2, "", "not valid TOML"),
        (
            'name = "x"\n[[steps]]\ndirection = "backwards"\nduration = 60\n',
            3,
            "steps[0].direction",
            "neither forward nor reverse",
        ),
        (
            'name = "x"\n[[steps]]\ndirection = "forward"\nduration = -5\n',
            4,
            "steps[0].duration",
            "not a positive time",
        ),
        (
            'name = "x"\n[[steps]]\n'
            + GOOD_STEP
            + '[[steps]]\ndirection = "reverse"\nduration = 30\nspeed_kmh = 12.0\n',
            8,
            "steps[1].speed_kmh",
            "above the backward cap",
        ),
        ('name = "x"\n', 0, "steps", "the plan has no steps"),
        ('name = "x"\nsteps = []\n', 2, "steps", "the plan has no steps"),
        ('name = "x"\n[[steps]]\n' + GOOD_STEP + "speed = 4\n", 5, "steps[0].speed", "unknown field"),
        (
            'name = "x"\n[[steps]]\ndirection = "forward"\nduration = 60\ndistance_m = 100\n',
            2,
            "steps[0]",
            "exactly one of",
        ),
        (
            'name = "x"\n[[steps]]\nrepeat = 0\n  [[steps.steps]]\n  ' + GOOD_STEP,
            3,
            "steps[0].repeat",
            "not a count",
        ),
        ("[[steps]]\n" + GOOD_STEP, 1, "name", "needs a name"),
    ],
    ids=[
        "bad_toml",
        "unknown_direction",
        "negative_duration",
        "speed_above_cap",
        "empty",
        "empty_list",
        "typo",
        "duration_and_distance",
        "repeat_zero",
        "no_name",
    ],
)
def test_malformed_plans_name_the_line_and_field(text: str, line: int, field: str, reason: str) -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(text, "mine.toml", Caps(forward_kmh=16, reverse_kmh=8))
    assert info.value.line == line
    assert info.value.field == field
    assert reason in info.value.reason
    assert str(info.value).startswith(f"mine.toml:{line}: " if line else "mine.toml: ")


def test_the_challenge_progresses_and_adapts() -> None:
    days = [challenge_day(day) for day in range(1, 8)]
    backward = [plan.reverse_s for plan in days]
    assert backward == sorted(backward)
    assert backward[-1] > 3 * backward[0]
    fastest = [max(s.speed_kmh or 0 for s in p.steps if s.direction == "reverse") for p in days]
    assert all(b - a <= 0.5 for a, b in itertools.pairwise(fastest))  # at most +0.5 km/h a session
    hard, easy = challenge_day(4, Rating.HARD), challenge_day(4, Rating.EASY)
    assert hard.reverse_s < days[3].reverse_s < easy.reverse_s
    with pytest.raises(ValueError, match="days 1 to 7"):
        challenge_day(8)


ZWO = b"""<workout_file>
    <author>Zwift</author>
    <name>Reverse pyramid</name>
    <description>Test file shaped like a Zwift run workout</description>
    <sportType>run</sportType>
    <tags/>
    <workout>
        <Warmup Duration="300" PowerLow="0.5" PowerHigh="0.7" pace="1"/>
        <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="0.45" OffPower="0.6" pace="1">
            <textevent timeoffset="0" message="REVERSE: hold the rails"/>
        </IntervalsT>
        <SteadyState Duration="120" Power="0.8" pace="2"/>
        <Cooldown Duration="240" PowerLow="0.6" PowerHigh="0.4" pace="1"/>
    </workout>
</workout_file>
"""


def test_zwo_run_workout_imports_with_paces_and_reverse_blocks() -> None:
    plan = parse_zwo(ZWO, "pyramid.zwo", PACES, Caps(reverse_kmh=8))
    assert plan.name == "Reverse pyramid"
    assert len(plan.steps) == 1 + 3 * 2 + 1 + 1
    five_k_kmh = 3600 / 330
    assert plan.steps[0].speed_kmh == pytest.approx(five_k_kmh * 0.6, abs=0.01)
    assert plan.steps[0].kind == "warmup"
    assert [s.direction for s in plan.steps[1:7]] == ["reverse"] * 6  # the text event marks the block
    assert plan.steps[1].speed_kmh == pytest.approx(five_k_kmh * 0.45, abs=0.01)
    assert plan.steps[7].speed_kmh == pytest.approx(3600 / 345 * 0.8, abs=0.01)  # pace="2": 10 km
    assert plan.duration_s == 300 + 3 * 150 + 120 + 240


def test_zwo_distance_workouts_and_refusals() -> None:
    distance = ZWO.replace(
        b"<sportType>run</sportType>", b"<sportType>run</sportType><durationType>distance</durationType>"
    )
    plan = parse_zwo(distance, "d.zwo", PACES, Caps(reverse_kmh=8.0))  # 6.6 km/h backward: a trained runner
    assert plan.steps[0].distance_m == 300.0
    assert plan.steps[0].duration_s is None
    with pytest.raises(PlanError, match="only run workouts"):
        parse_zwo(ZWO.replace(b"run</sportType>", b"bike</sportType>"), "b.zwo", PACES)
    with pytest.raises(PlanError, match="above the backward cap"):
        parse_zwo(ZWO, "fast.zwo", PACES, Caps(reverse_kmh=4.0))
    with pytest.raises(PlanError, match="not a Zwift workout"):
        parse_zwo(b"<not xml", "x.zwo", PACES)
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><workout_file>&b;</workout_file>'
    with pytest.raises(PlanError):
        parse_zwo(bomb, "bomb.zwo", PACES)


def test_plans_command_lists_builtins_and_the_users_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "mine.toml").write_text(
        'name = "Mine"\n[[steps]]\ndirection = "reverse"\nduration = 45\nspeed_kmh = 2.0\n'
    )
    (plans / "pyramid.zwo").write_bytes(ZWO)
    (plans / "broken.toml").write_text('name = "Broken"\n[[steps]]\ndirection = "sideways"\nduration = 5\n')
    # The .zwo asks for 4.9 km/h backward: above the default 3 km/h cap, so this user raised theirs.
    save_profile(UserProfile(reverse_cap_kmh=8.0), tmp_path)
    monkeypatch.setenv("TREADMILL_CONFIG_DIR", str(tmp_path))
    status, out, err = cli(capsys, "plans", "--json")
    assert status == 0, err
    listed = {p["id"]: p for p in json.loads(out)}
    assert {"first-steps-backward", "7-day-challenge", "mine", "pyramid"} <= set(listed)
    assert listed["mine"]["kind"] == "user"
    assert "broken" not in listed
    assert "broken.toml:3: steps[0].direction" in err


def test_catalogue_finds_by_id_name_and_path(tmp_path: Path) -> None:
    found = catalogue(UserProfile())
    assert found.find("first-steps-backward", UserProfile()).name == "First steps backward"
    assert found.find("retro incline walk", UserProfile()).name == "Retro incline walk"
    path = tmp_path / "x.toml"
    path.write_text('name = "X"\n[[steps]]\n' + GOOD_STEP)
    assert found.find(str(path), UserProfile()).name == "X"
    with pytest.raises(PlanError, match="no such plan"):
        found.find("nope", UserProfile())


def test_a_timed_plan_knows_its_cue_lines_and_a_distance_plan_says_it_cannot() -> None:
    first = builtin_plans()["first-steps-backward"]
    lines = first.cue_lines()
    assert lines[0] == (180.0, "reverse")
    assert lines[-1] == (first.duration_s, "stop")
    assert [d for _, d in lines[:-1]] == ["reverse", "forward"] * (len(lines) // 2)
    distance = parse_plan('name = "d"\n[[steps]]\ndirection = "forward"\ndistance_m = 400\n')
    with pytest.raises(ValueError, match="distance steps"):
        distance.timeline()

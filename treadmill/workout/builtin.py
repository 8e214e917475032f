"""The built-in programmes, and the 7-day reverse-running challenge.

The fixed programmes are TOML files shipped with the package (``treadmill/workout/plans``),
parsed by the same validator as a user's own plans. The challenge is generated day by day
from the usual advice for starting backward (docs/safety.md: short, slow reverse bouts with
handrails first; at most +0.5 km/h or a little more time per session) and adapts
to how the last session felt: ``hard`` repeats the day more gently, ``easy`` moves on faster.
"""

from __future__ import annotations

import enum
from importlib import resources

from treadmill.model import Facing
from treadmill.workout.plan import Caps, Plan, Step, StepKind, parse_plan

__all__ = ["BUILTIN_IDS", "CHALLENGE_ID", "Rating", "builtin_plans", "challenge_day"]

BUILTIN_IDS = ("first-steps-backward", "zone2-reverse", "retro-incline-walk")
CHALLENGE_ID = "7-day-challenge"


class Rating(enum.StrEnum):
    """How a session felt: the one-key rating the app keeps with each session."""

    EASY = "easy"
    OK = "ok"
    HARD = "hard"


def builtin_plans() -> dict[str, Plan]:
    """The fixed programmes by id, plus the challenge's first day.

    They are checked against the standard caps; a user's lower caps clamp their targets when
    the workout runs.
    """
    folder = resources.files("treadmill.workout") / "plans"
    plans = {
        plan_id: parse_plan(
            (folder / f"{plan_id}.toml").read_text(encoding="utf-8"), f"builtin:{plan_id}", Caps()
        )
        for plan_id in BUILTIN_IDS
    }
    plans[CHALLENGE_ID] = challenge_day(1)
    return plans


def challenge_day(day: int, last_rating: Rating | None = None) -> Plan:
    """Day ``day`` (1-7) of the challenge, adjusted by how the last session felt.

    Day 1: 4 x 30 s backward at 2.0 km/h with handrails. Each day adds 15 s per bout and
    0.25 km/h (at most 3.5 km/h, still a walk), and one bout every other day; the rails
    are optional from day 5. ``hard`` repeats the previous day's load; ``easy`` skips ahead
    half a day's progression.
    """
    if not 1 <= day <= 7:
        raise ValueError("the challenge has days 1 to 7")
    level = day - 1 + {Rating.HARD: -1.0, Rating.EASY: 0.5, Rating.OK: 0.0, None: 0.0}[last_rating]
    level = max(level, 0.0)
    bouts = 4 + int(level // 2)
    seconds = 30 + 15 * level
    speed = min(2.0 + 0.25 * level, 3.5)
    handrail = level < 4
    steps: list[Step] = [Step(Facing.FORWARD, 180.0, None, StepKind.WARMUP, 3.5)]
    for _ in range(bouts):
        steps.append(
            Step(
                Facing.REVERSE,
                seconds,
                None,
                StepKind.INTERVAL,
                round(speed, 2),
                handrail=handrail,
                note="Upright, short steps" + (", hands on the rails." if handrail else "."),
            )
        )
        steps.append(Step(Facing.FORWARD, 90.0, None, StepKind.RECOVERY, 4.0))
    steps.append(Step(Facing.FORWARD, 180.0, None, StepKind.COOLDOWN, 3.0))
    note = {
        None: "",
        Rating.OK: "",
        Rating.HARD: " (eased: the last one felt hard)",
        Rating.EASY: " (stepped up: the last one felt easy)",
    }
    return Plan(
        f"7-day reverse challenge, day {day}{note[last_rating]}",
        tuple(steps),
        f"{bouts} x {seconds:.0f} s backward at {speed:.2f} km/h" + (" with handrails" if handrail else ""),
        "beginner",
        f"builtin:{CHALLENGE_ID}",
    )

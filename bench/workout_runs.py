"""Guided workouts with control on, over the real bleak path: cue timing, caps, turns, false alarms.

Runs every built-in workout for several virtual people (seeds) through ``record`` with
``--control``, and prints per run: the worst cue-line error against the plan's clock, the
fastest commanded and measured backward speeds against the reverse cap, the turns the
detector did not confirm within 20 s (rechecks), and ``reverse_speed`` danger warnings
raised while the person was in truth facing forward (false alarms from detector lag).

Run: ``python -m bench.workout_runs [--seeds 1 2 3] [--time-scale 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import tempfile
from pathlib import Path

from treadmill.model import CoachEventKind, Direction
from treadmill.session.coach import CoachEvent
from treadmill.session.live import LiveResult, Recording, open_live_session
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.storage.fixtures import read_fixture
from treadmill.workout.builtin import BUILTIN_IDS, builtin_plans
from treadmill.workout.plan import Caps, Plan
from treadmill.workout.safety import Rule

CAPS = Caps(forward_kmh=12.0, reverse_kmh=3.0)


async def guided(plan: Plan, seed: int, time_scale: float, out: Path, said: list[CoachEvent]) -> LiveResult:
    """One guided workout, control on, on the virtual treadmill, recorded to ``out``."""
    options = SessionOptions(
        SourceOptions(virtual=VirtualOptions(seed=seed)),
        workout=WorkoutOptions(plan, control=True, caps=CAPS),
        duration_s=(plan.duration_s or 0.0) + 60.0,
        time_scale=time_scale,
    )
    async with open_live_session(options, recording=Recording(path=out), on_coach=said.append) as live:
        return await live.wait()


async def one(plan: Plan, seed: int, time_scale: float, folder: Path) -> dict[str, float]:
    events: list[CoachEvent] = []
    out = folder / f"{plan.name}-{seed}.jsonl"
    result = await guided(plan, seed, time_scale, out, events)
    coach = result.coach
    assert coach is not None
    assert coach.started_at is not None
    engine = coach.cues
    assert engine is not None, "a planned session has a cue engine"
    fixture = read_fixture(out)
    cue_error = max(
        abs(c.t - (coach.started_at + p)) for c, (p, _) in zip(fixture.cues, plan.cue_lines(), strict=True)
    )
    truth_t = [t for t, _ in fixture.truth]

    def truth_at(t: float) -> Direction:
        return fixture.truth[max(bisect.bisect_right(truth_t, t) - 1, 0)][1]

    backward = [
        s.speed_kmh for s in result.session.samples if s.speed_kmh and truth_at(s.t) is Direction.REVERSE
    ]
    false_alarms = sum(
        e.kind is CoachEventKind.WARNING
        and e.rule is Rule.REVERSE_SPEED
        and truth_at(e.t) is not Direction.REVERSE
        for e in events
    )
    commanded = [c.speed_kmh for c in coach.commands if c.speed_kmh is not None]
    return {
        "cue_error_s": cue_error,
        "max_commanded": max(commanded),
        "max_backward": max(backward, default=0.0),
        "turns": len(plan.cue_lines()) - 1,
        "rechecks": len(engine.missed_turns),
        "false_danger": false_alarms,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-scale", type=float, default=60.0)
    args = parser.parse_args()
    plans = builtin_plans()
    columns = ("cue err s", "max cmd", "max back", "turns", "rechecks", "false danger")
    print(f"{'plan':24} {'seed':>4} " + " ".join(f"{c:>12}" for c in columns))
    totals = {"turns": 0, "rechecks": 0, "false_danger": 0}
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for plan_id in BUILTIN_IDS:
            for seed in args.seeds:
                r = await one(plans[plan_id], seed, args.time_scale, Path(folder))
                worst = max(worst, r["cue_error_s"])
                for key in totals:
                    totals[key] += int(r[key])
                keys = ("cue_error_s", "max_commanded", "max_backward", "turns", "rechecks", "false_danger")
                print(f"{plan_id:24} {seed:4d} " + " ".join(f"{r[k]:12.3g}" for k in keys))
    print(
        f"\nworst cue error {worst:.3f} s (target <= 0.2); reverse cap {CAPS.reverse_kmh} km/h; "
        f"rechecks {totals['rechecks']} of {totals['turns']} turns; "
        f"false danger warnings {totals['false_danger']}"
    )


if __name__ == "__main__":
    asyncio.run(main())

"""False danger warnings: the real coach, fed the detector's labels, against the truth.

Each session's samples, labelled by the live detector as the app labels them, go through the
same :class:`~treadmill.session.coach.WorkoutCoach` the app runs, as a replay of a recording
runs it: in a guided session with the plan the person followed (a step for each stretch between
the cues they heard, from when the belt first moved), in a free run with none. Every second a
danger warning about facing backward is up while the person in fact faces forward (or stands)
is a false danger: the kind of warning people learn to ignore.
"""

from __future__ import annotations

import asyncio

from bench.evaluation import truth_at
from bench.population import Session
from treadmill.clock import SessionClock
from treadmill.core.analysis import Analysis
from treadmill.model import Cue, Direction, Facing, belt_moving
from treadmill.session.coach import WorkoutCoach
from treadmill.workout.plan import Caps, Plan, Step
from treadmill.workout.safety import Level, Rule

__all__ = ["false_danger"]

_BACKWARD_DANGER = frozenset(rule for rule in Rule if rule is Rule.REVERSE_SPEED)
"""The danger rules that rest on the direction."""


def _plan(session: Session) -> Plan | None:
    """The plan the cues came from: one step per stretch between cues, timed from the belt's start."""
    if not session.cues:
        return None
    started = next((s.t for s in session.samples if belt_moving(s.speed_kmh)), 0.0)
    times = [started] + [t for t, _ in session.cues] + [session.samples[-1].t + 60.0]
    facings = [Facing.FORWARD] + [facing for _, facing in session.cues]
    steps = tuple(
        Step(facing, max(end - start, 1.0), None)
        for facing, start, end in zip(facings, times, times[1:], strict=False)
    )
    return Plan("the cues the person heard", steps)


async def _replay(session: Session, analysis: Analysis) -> tuple[float, float]:
    async def no_cue(cue: Cue) -> None:
        del cue

    coach = WorkoutCoach(_plan(session), no_cue, SessionClock(), caps=Caps(30.0, 30.0), ticks_on_data=True)
    verdicts = {v.t: v for v in analysis.verdicts}
    samples = [s for s in session.samples if s.t in verdicts]
    truth = truth_at(session.truth, [s.t for s in samples])
    total = longest = run = 0.0
    last_t = None
    for sample, true in zip(samples, truth, strict=True):
        v = verdicts[sample.t]
        await coach.handle(sample.labelled(v.direction, v.confidence, v.evidence, v.backed))
        danger = any(
            w.level is Level.DANGER and w.rule in _BACKWARD_DANGER for w in coach.safety.active.values()
        )
        dt = 0.0 if last_t is None else min(sample.t - last_t, 10.0)
        last_t = sample.t
        if danger and true is not Direction.REVERSE:
            total += dt
            run += dt
            longest = max(longest, run)
        else:
            run = 0.0
    return total, longest


def false_danger(session: Session, analysis: Analysis) -> tuple[float, float]:
    """(seconds of false backward danger, the longest episode) in one session."""
    return asyncio.run(_replay(session, analysis))

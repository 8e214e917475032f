"""The coach as a recording keeps it, so that a replay warns as the live session did.

A recording's header carries ``"coach"``: the workout's plan as a plan file holds it (or null
for a free run) and the person's safe backward speed. :func:`replay_coach` builds the same
:class:`~treadmill.session.coach.WorkoutCoach` from it, ticking on the recorded data's time,
its own cues shown but never sent (the recorded cue lines already reach the detector). A
recording made before the header had it, or whose plan no longer reads, replays with the free
run's rules, and the note says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from treadmill.clock import SessionClock
from treadmill.defaults import REVERSE_CAP_KMH
from treadmill.inputs import InputError, finite
from treadmill.model import Cue
from treadmill.session.coach import CoachEvent, WorkoutCoach
from treadmill.workout.plan import Caps, Plan, PlanError, plan_of

__all__ = ["COACH_KEY", "coach_header", "replay_coach"]

COACH_KEY = "coach"
"""The header key."""
_RECORDED_CAPS = Caps(forward_kmh=30.0, reverse_kmh=30.0, incline_pct=40.0)
"""A recorded plan was checked against the person's caps when it ran; reading it back only
checks that it is a plan."""


def coach_header(plan: Plan | None, safe_reverse_kmh: float) -> dict[str, object]:
    """The header entry for a session coached with ``plan`` (None: a free run)."""
    return {
        COACH_KEY: {"plan": None if plan is None else plan.to_data(), "safe_reverse_kmh": safe_reverse_kmh}
    }


async def _recorded_cues_only(cue: Cue) -> None:
    """A replay's cues are the recorded ones: the coach's own are shown, not sent."""
    del cue


def replay_coach(
    header: Mapping[str, Any], on_event: Callable[[CoachEvent], None] | None = None
) -> tuple[WorkoutCoach, str | None]:
    """The coach a recording was made with, and a note when it cannot be the same one."""
    entry = header.get(COACH_KEY)
    plan, safe, note = None, REVERSE_CAP_KMH, None
    if not isinstance(entry, dict):
        note = "This recording does not say how it was coached: replaying with the free run's rules."
    else:
        try:
            safe = finite(
                entry.get("safe_reverse_kmh", REVERSE_CAP_KMH), "safe_reverse_kmh", low=0.5, high=30.0
            )
            raw = entry.get("plan")
            if isinstance(raw, dict):
                plan = plan_of(raw, "the recording's plan", _RECORDED_CAPS)
        except (InputError, PlanError) as exc:
            note = f"The recording's coach does not read ({exc}): replaying with the free run's rules."
    coach = WorkoutCoach(
        plan,
        _recorded_cues_only,
        SessionClock(),
        safe_reverse_kmh=safe,
        on_event=on_event,
        ticks_on_data=True,
    )
    return coach, note

"""What a screen (or MQTT) shows of a running session, kept up to date as items pass through.

:class:`LiveBoard` is a stage of the session engine, not a consumer: the engine hands it
every item before any consumer sees it, so whatever a consumer reads of the board already
includes that item. It owns the session's :class:`~treadmill.core.pipeline.Pipeline` (the
one direction detector and the totals), follows the link, and reads the coach for the
workout step. :meth:`LiveBoard.view` takes a snapshot at any moment: the screen asks at its
own refresh rate, MQTT at its own, whatever the notify rate.

No clock is read here: times are the session times of the items, and the caller says
when "now" is.
"""

from __future__ import annotations

import bisect
import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from treadmill.core.pipeline import Pipeline
from treadmill.core.timeline import CODE, DIRECTIONS
from treadmill.core.zones import zone_bounds
from treadmill.model import (
    Cue,
    CueDirection,
    Direction,
    Evidence,
    Facing,
    ImplausibleReading,
    LinkEvent,
    LinkEventKind,
    LinkState,
    Sample,
    Sensor,
    belt_moving,
)
from treadmill.workout.cues import describe_step

if TYPE_CHECKING:
    from collections.abc import Sequence

    from treadmill.session.coach import WorkoutCoach
    from treadmill.session.consumer import SessionItem
    from treadmill.workout.plan import Step

__all__ = ["CHART_HOLD_S", "ChartColumn", "LiveBoard", "LiveView", "StepView"]

_FACINGS = frozenset(Facing)
CHART_HOLD_S = 3.0
BEHIND_SHOWN_S = 30.0
"""How long the screen says the virtual treadmill fell behind (it says so again every 10 s while it is)."""
"""How long a sample's speed holds in the chart: the link's stale threshold (docs/ble-client.md)."""


@dataclass(frozen=True, slots=True)
class StepView:
    """The workout's current step, for the countdown."""

    number: int
    """1-based position in the plan."""
    count: int
    text: str
    facing: Facing
    seconds_left: float | None
    length_s: float | None
    """The step's planned (or, for a distance step, estimated) length."""
    next_text: str | None
    """What comes next ("Finish" after the last step)."""
    next_facing: Facing | None = None
    """The way the next step faces (None: the last step)."""
    bout: int = 0
    """Which backward bout of the plan this is or was last (0: none yet)."""
    bouts: int = 0
    """How many backward bouts the plan has (a run of backward steps is one)."""

    @property
    def done_fraction(self) -> float:
        """How much of the step is behind, 0-1."""
        if self.seconds_left is None or not self.length_s:
            return 0.0
        return min(max(1.0 - self.seconds_left / self.length_s, 0.0), 1.0)


def _bouts(steps: Sequence[Step], index: int) -> tuple[int, int]:
    """(the backward bout the step at ``index`` is in, or the last one begun; how many the plan has)."""
    starts = [k for k, step in enumerate(steps) if step.direction is Facing.REVERSE
              and (k == 0 or steps[k - 1].direction is not Facing.REVERSE)]  # fmt: skip
    return sum(k <= index for k in starts), len(starts)


class PhoneSeen(enum.StrEnum):
    """A body-worn phone as the screen and MQTT show it."""

    WORN = "worn"
    """On the body and counting turns."""
    OFF_BODY = "off_body"
    """Linked, but taken out, put down, or not yet steady: its evidence does not count."""
    LOST = "lost"
    """Its page went (closed, asleep, out of Wi-Fi)."""

    @property
    def words(self) -> str:
        """How the status line says it."""
        return _PHONE_WORDS[self]


_PHONE_WORDS = {
    PhoneSeen.WORN: "phone ✓",
    PhoneSeen.OFF_BODY: "phone out",
    PhoneSeen.LOST: "phone lost",
}


@dataclass(frozen=True, slots=True)
class LiveView:
    """One snapshot of the session for the screen."""

    t: float
    active_s: float
    """The workout's time: from the belt's first movement, without the paused stretches."""
    speed_kmh: float | None
    incline_pct: float | None
    pace_s_per_km: float | None
    distance_m: float
    """Metres covered in the workout, without the paused stretches."""
    heart_rate_bpm: int | None
    hr_zone: int | None
    """1-5 by percent of maximum heart rate (docs/physiology.md); None without a heart rate."""
    kcal: float
    kcal_low: float
    kcal_high: float
    direction: Direction
    """As the live detector committed it."""
    confidence: float
    evidence: Evidence
    link: LinkState
    time_s: dict[Direction, float]
    """Seconds in each direction so far."""
    metres: dict[Direction, float]
    """Metres in each direction so far."""
    step: StepView | None = None
    next_turn_s: float | None = None
    """Seconds to the workout's next change of direction (or to its end: see :attr:`next_turn`)."""
    next_turn: Facing | None = None
    """The way the next change turns to (None with :attr:`next_turn_s` set: the end comes first)."""
    recorded_turns: bool = False
    """The turns counted to are a recording's cue lines (a replay with no plan to follow)."""
    turn_pending: bool = False
    """A turn was cued and the detector has not seen it yet."""
    asking: bool = False
    """The detector asks the person which way they face (a free run's unsettled transition)."""
    behind: str | None = None
    """The virtual treadmill fell behind the session clock lately (what it said), else None."""
    paused: bool = False
    finished: bool = False
    """The guided workout has ended."""
    doubtful: bool = False
    """Implausible treadmill readings came too often lately: the numbers shown may be stale, and a
    coach does not drive the belt (:class:`~treadmill.core.plausibility.DoubtWindow`)."""
    implausible: int = 0
    phone: PhoneSeen | None = None
    """A body-worn phone's state (None: no phone in this session)."""
    """Treadmill readings refused as physically impossible so far."""


@dataclass(frozen=True, slots=True)
class ChartColumn:
    """One column of the speed chart: the top speed in its time slice, and the direction most seen."""

    speed_kmh: float | None
    direction: Direction


@dataclass(slots=True)
class _Pauses:
    """The workout's paused stretches so far: their time, and the metres the belt ran in them."""

    seconds: float = 0.0
    metres: float = 0.0
    since: tuple[float, float] | None = None
    """(session time, metres so far) when the pause under way began."""

    def follow(self, paused_since: float | None, t: float, metres: float) -> tuple[float, float]:
        """Seconds and metres paused up to ``t``, with ``metres`` covered by then.

        ``paused_since``: when the pause under way began (None: not paused). The metres are
        counted from the first call that sees the pause, at most one sample after it began.
        """
        if paused_since is not None and self.since is None:
            self.since = (paused_since, metres)
        elif paused_since is None and self.since is not None:
            self.seconds, self.metres = self._with_current(t, metres)
            self.since = None
        return self._with_current(t, metres)

    def _with_current(self, t: float, metres: float) -> tuple[float, float]:
        if self.since is None:
            return self.seconds, self.metres
        start_t, start_m = self.since
        return self.seconds + max(t - start_t, 0.0), self.metres + max(metres - start_m, 0.0)


@dataclass(slots=True)
class LiveBoard:
    """See the module docstring."""

    pipeline: Pipeline = field(default_factory=Pipeline)
    coach: WorkoutCoach | None = None
    """The guided workout's coach, read for the current step (None: a free run or a replay)."""
    recorded_cues: tuple[Cue, ...] = ()
    """A recording's cue lines, known ahead (a replay with no plan): the next turn counts to them."""
    _last: Sample | None = None
    _link: LinkState = LinkState.WAITING
    _zones: tuple[float, ...] = ()
    _started_at: float | None = None
    _behind: LinkEvent | None = None
    _phone_linked: bool | None = None
    """A phone's page is linked (None: no phone has been)."""
    """Session time of the belt's first movement: the workout's time counts from it."""
    _paused: _Pauses = field(default_factory=_Pauses)

    def __post_init__(self) -> None:
        """Zone edges from the person's maximum heart rate."""
        body = self.pipeline.body
        self._zones = zone_bounds(
            "max_hr", age=body.age, resting_bpm=body.resting_hr_bpm, max_bpm=body.max_hr_bpm
        )

    @property
    def latest(self) -> Sample | None:
        """The last sample, labelled."""
        return self._last

    @property
    def link(self) -> LinkState:
        """The treadmill's link as the items told it."""
        return self._link

    def take(self, item: SessionItem) -> SessionItem:
        """Take one item on its way to the consumers; a sample comes back labelled."""
        if isinstance(item, Sample):
            if self._link is LinkState.WAITING:
                self._link = LinkState.CONNECTED
            self.pipeline.expect(self._planned_turn(item.t))
            checked = self.pipeline.sample(item)
            if isinstance(checked, ImplausibleReading):
                return checked
            if self._started_at is None and belt_moving(checked.speed_kmh):
                self._started_at = checked.t
            item = self._last = checked
        elif isinstance(item, Cue):
            self.pipeline.cue(item)
        elif isinstance(item, LinkEvent):
            self._event(item)
        return item

    def _event(self, event: LinkEvent) -> None:
        """A mark goes to the detector; the treadmill's link and lag are kept for the view."""
        if event.kind is LinkEventKind.MARKED:
            if event.detail in _FACINGS:  # a recording's marks were checked when it was read
                self.pipeline.mark(event.t, Facing(event.detail))
        elif event.kind is LinkEventKind.BEHIND:
            self._behind = event
        elif event.src is Sensor.TREADMILL and event.kind.link_state is not None:
            self._link = event.kind.link_state
        elif event.src is Sensor.PHONE and event.kind in (
            LinkEventKind.CONNECTED,
            LinkEventKind.DISCONNECTED,
        ):
            self._phone_linked = event.kind is LinkEventKind.CONNECTED

    def _planned_turn(self, t: float) -> tuple[float, Facing] | None:
        """When the plan's next turn is, and its way: the coach's plan, else the recording's cue lines."""
        coach = self.coach
        planned = coach is not None and coach.plan is not None
        coming = coach.next_turn(t) if coach is not None and planned else self._recorded_turn(t)
        if coming is None or coming[1] is None:
            return None
        return t + coming[0], coming[1]

    def _recorded_turn(self, t: float) -> tuple[float, Facing | None] | None:
        """Seconds to the recording's next cue line after ``t`` and the way it turns (None: a stop)."""
        times = [cue.t for cue in self.recorded_cues]
        index = bisect.bisect_right(times, t)
        if index == len(times):
            return None
        cue = self.recorded_cues[index]
        facing = None if cue.direction is CueDirection.STOP else Facing(cue.direction.value)
        return cue.t - t, facing

    def _behind_now(self, t: float) -> str | None:
        """What the virtual treadmill last said of falling behind, while it is recent."""
        behind = self._behind
        if behind is None or t - behind.t > BEHIND_SHOWN_S:
            return None
        return behind.detail

    def _zone(self, bpm: int | None) -> int | None:
        if bpm is None or bpm < self._zones[0]:
            return None
        return min(int(np.searchsorted(self._zones[1:-1], bpm, side="right")) + 1, 5)

    def _step_view(self, t: float) -> StepView | None:
        coach = self.coach
        engine = None if coach is None else coach.cues
        if coach is None or coach.plan is None or engine is None or engine.step is None:
            return None
        step = engine.step
        last = self._last
        speed = None if last is None else last.speed_kmh
        left = engine.seconds_left(coach.plan_time(t), speed, None if last is None else last.distance_m)
        if step.duration_s is not None:
            length: float | None = step.duration_s
        elif left is not None:
            length = step.seconds_for(step.distance_m or 0.0, speed)
        else:
            length = None
        coming = engine.coming
        bout, bouts = _bouts(coach.plan.steps, engine.index)
        return StepView(
            number=engine.index + 1,
            count=len(coach.plan.steps),
            text=describe_step(step),
            facing=step.direction,
            seconds_left=None if left is None else max(left, 0.0),
            length_s=length,
            next_text="Finish" if coming is None else describe_step(coming),
            next_facing=None if coming is None else coming.direction,
            bout=bout,
            bouts=bouts,
        )

    def view(self, now: float | None = None) -> LiveView:
        """The session as of ``now`` (default: the last sample's time)."""
        last = self._last
        t = now if now is not None else (last.t if last is not None else 0.0)
        speed = None if last is None else last.speed_kmh
        bpm = None if last is None else last.heart_rate_bpm
        totals = self.pipeline.summary().totals
        coach = self.coach
        paused_since = None if coach is None else coach.paused_since
        metres = sum(v.distance_m for v in totals.values())
        paused_s, paused_m = self._paused.follow(paused_since, t, metres)
        started = self._started_at
        turn = None
        cues = None if coach is None else coach.cues
        if coach is not None and cues is not None and coach.started_at is not None:
            plan_t = coach.plan_time(t)
            turn = cues.next_turn(plan_t, speed, None if last is None else last.distance_m)
        elif self.recorded_cues:
            turn = self._recorded_turn(t)
        return LiveView(
            t=t,
            active_s=0.0 if started is None else max(round(t - started - paused_s, 3), 0.0),
            speed_kmh=speed,
            incline_pct=None if last is None else last.incline_pct,
            pace_s_per_km=3600.0 / speed if speed is not None and belt_moving(speed) else None,
            distance_m=max(metres - paused_m, 0.0),
            heart_rate_bpm=bpm,
            hr_zone=self._zone(bpm),
            kcal=sum(v.kcal for v in totals.values()),
            kcal_low=sum(v.kcal_low for v in totals.values()),
            kcal_high=sum(v.kcal_high for v in totals.values()),
            direction=Direction.STOPPED if last is None else last.direction,
            confidence=0.0 if last is None else last.confidence,
            evidence=Evidence.SPEED if last is None else last.evidence,
            link=self._link,
            time_s={d: v.time_s for d, v in totals.items()},
            metres={d: v.distance_m for d, v in totals.items()},
            step=self._step_view(t),
            next_turn_s=None if turn is None else turn[0],
            next_turn=None if turn is None else turn[1],
            recorded_turns=bool(self.recorded_cues) and cues is None,
            turn_pending=cues is not None and cues.turn_pending,
            asking=last is not None and last.asking,
            behind=self._behind_now(t),
            paused=paused_since is not None,
            finished=cues is not None and cues.finished,
            doubtful=self.pipeline.doubt.doubtful,
            implausible=self.pipeline.implausible,
            phone=self._phone_seen(last),
        )

    def _phone_seen(self, last: Sample | None) -> PhoneSeen | None:
        linked = self._phone_linked
        if linked is None and (last is None or last.phone is None):
            return None
        if linked is False:
            return PhoneSeen.LOST
        return (
            PhoneSeen.WORN
            if last is not None and last.phone is not None and last.phone.worn
            else PhoneSeen.OFF_BODY
        )

    def chart(self, columns: int, window_s: float, now: float | None = None) -> list[ChartColumn]:
        """The last ``window_s`` seconds in ``columns`` slices, oldest first.

        A slice narrower than the notification interval holds the last sample's speed; a slice
        with no sample for :data:`CHART_HOLD_S` shows no speed (a gap in the data).
        """
        if columns <= 0:
            return []
        timeline = self.pipeline.timeline
        times, speeds, labels = timeline.t, timeline.speed_kmh, timeline.labels
        end = now if now is not None else (float(times[-1]) if len(times) else 0.0)
        edges = end - window_s + window_s / columns * np.arange(1, columns + 1)
        his = np.searchsorted(times, edges, side="right")
        los = np.concatenate(([np.searchsorted(times, end - window_s, side="right")], his[:-1]))
        out: list[ChartColumn] = []
        for lo, hi, edge in zip(los.tolist(), his.tolist(), edges.tolist(), strict=True):
            seen = speeds[lo:hi]
            known = seen[~np.isnan(seen)]
            if len(known):
                counts = np.bincount(labels[lo:hi], minlength=len(DIRECTIONS))
                most = max(
                    (Direction.REVERSE, Direction.FORWARD, Direction.UNSURE, Direction.STOPPED),
                    key=lambda d: counts[CODE[d]],
                )
                out.append(ChartColumn(float(known.max()), most))
            elif lo > 0 and edge - times[lo - 1] <= CHART_HOLD_S and not math.isnan(speeds[lo - 1]):
                out.append(ChartColumn(float(speeds[lo - 1]), DIRECTIONS[labels[lo - 1]]))
            else:
                out.append(ChartColumn(None, Direction.STOPPED))
        return out

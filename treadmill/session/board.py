"""What a screen (or a dashboard) shows of a running session, kept up to date as items arrive.

:class:`LiveBoard` is a session consumer. It runs its own live direction detector (fed the
same samples, cues and marks as the coach's, so it commits the same way), keeps the
running totals (time, distance and energy per direction), the heart-rate zone, the link
state and a speed history for the chart. :meth:`LiveBoard.view` takes a snapshot at any
moment: the screen asks for one at its own refresh rate, whatever the notify rate.

No clock is read here: times are the session times of the items, and the caller says
when "now" is.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np

from treadmill.core.detector import DirectionDetector
from treadmill.core.energy import kcal_per_min
from treadmill.core.metrics import Body
from treadmill.core.zones import zone_bounds
from treadmill.model import Cue, LinkEvent, LinkEventKind, Sensor
from treadmill.session.coach import WorkoutCoach
from treadmill.session.decoding import Sample
from treadmill.session.engine import Overflow, SessionItem
from treadmill.workout.cues import describe_step

__all__ = ["ChartColumn", "LiveBoard", "LiveView", "StepView"]

_GAP_S = 10.0
"""Longer than this between samples is a gap (a lost link): no distance or energy across it."""
_MOVING_KMH = 0.3
_MAX_STEP_M = 50.0
"""A jump in the treadmill's distance counter bigger than this between samples is a reset, not metres."""

_LINK_STATES = {
    LinkEventKind.CONNECTED: "connected",
    LinkEventKind.FRESH: "connected",
    LinkEventKind.STALE: "stale",
    LinkEventKind.DISCONNECTED: "reconnecting",
    LinkEventKind.RECONNECTING: "reconnecting",
    LinkEventKind.GAVE_UP: "lost",
}


@dataclass(frozen=True, slots=True)
class StepView:
    """The workout's current step, for the countdown bar."""

    number: int
    """1-based position in the plan."""
    count: int
    text: str
    direction: str
    seconds_left: float | None
    length_s: float | None
    """The step's planned (or, for a distance step, estimated) length."""
    next_text: str | None
    """What comes next ("Finish" after the last step)."""

    @property
    def done_fraction(self) -> float:
        """How much of the step is behind, 0-1."""
        if self.seconds_left is None or not self.length_s:
            return 0.0
        return min(max(1.0 - self.seconds_left / self.length_s, 0.0), 1.0)


@dataclass(frozen=True, slots=True)
class LiveView:
    """One snapshot of the session for the screen."""

    t: float
    speed_kmh: float | None
    incline_pct: float | None
    pace_s_per_km: float | None
    distance_m: float
    heart_rate_bpm: int | None
    hr_zone: int | None
    """1-5 by percent of maximum heart rate (reverse-running.md §7.2); None without a heart rate."""
    kcal: float
    kcal_low: float
    kcal_high: float
    direction: str
    """``forward``, ``reverse`` or ``stopped``, as the live detector committed it."""
    confidence: float
    evidence: str
    """What the direction rests on: ``cued``, ``footpod``, ``heart_rate`` or ``speed``."""
    link: str
    """``waiting``, ``connected``, ``stale``, ``reconnecting`` or ``lost``."""
    time_s: dict[str, float]
    """Seconds in each direction so far."""
    metres: dict[str, float]
    """Metres in each direction so far."""
    step: StepView | None = None
    paused: bool = False
    finished: bool = False
    """The guided workout has ended."""


CHART_HOLD_S = 3.0
"""How long a sample's speed holds in the chart: the link's stale threshold (ble-client.md)."""


@dataclass(frozen=True, slots=True)
class ChartColumn:
    """One column of the speed chart: the top speed in its time slice, and the direction most seen."""

    speed_kmh: float | None
    direction: str


@dataclass(slots=True)
class LiveBoard:
    """Session consumer that keeps :class:`LiveView` state (see the module docstring)."""

    body: Body = field(default_factory=Body)
    coach: WorkoutCoach | None = None
    """The guided workout's coach, read for the current step (None: a free run or a replay)."""
    name: str = "board"
    overflow: Overflow = Overflow.NEVER_DROP
    capacity: int = 10_000
    detector: DirectionDetector = field(default_factory=DirectionDetector)
    times: list[float] = field(default_factory=list)
    """Session time of each sample (the chart's x)."""
    speeds: list[float] = field(default_factory=list)
    """Belt speed of each sample, NaN when the frame had none."""
    directions: list[str] = field(default_factory=list)
    """The committed direction at each sample."""
    _last: Sample | None = None
    _direction: str = "stopped"
    _confidence: float = 0.0
    _link: str = "waiting"
    _time: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("forward", "reverse", "stopped"), 0.0)
    )
    _metres: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("forward", "reverse", "stopped"), 0.0)
    )
    _kcal: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    _zones: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        """Zone edges from the person's maximum heart rate."""
        body = self.body
        self._zones = zone_bounds(
            "max_hr", age=body.age, resting_bpm=body.resting_hr_bpm, max_bpm=body.max_hr_bpm
        )

    async def handle(self, item: SessionItem) -> None:
        """Take one session item."""
        self.take(item)

    async def close(self) -> None:
        """Nothing to release."""

    def take(self, item: SessionItem) -> None:
        """Take one session item (synchronously: replays and tests feed it directly)."""
        if isinstance(item, Sample):
            self._on_sample(item)
        elif isinstance(item, Cue):
            self.detector.cue(item.t, item.direction)
        elif isinstance(item, LinkEvent):
            if item.kind is LinkEventKind.MARKED:
                self.detector.mark(item.detail)
            elif item.src is Sensor.TREADMILL and item.kind in _LINK_STATES:
                self._link = _LINK_STATES[item.kind]

    def _on_sample(self, sample: Sample) -> None:
        if self._link == "waiting":
            self._link = "connected"
        previous, self._last = self._last, sample
        speed = math.nan if sample.speed_kmh is None else sample.speed_kmh
        if not math.isnan(speed):
            step = self.detector.update(
                sample.t,
                speed,
                math.nan if sample.cadence_per_min is None else float(sample.cadence_per_min),
                math.nan if sample.heart_rate_bpm is None else float(sample.heart_rate_bpm),
            )
            self._direction, self._confidence = step.direction, step.confidence
        self.times.append(sample.t)
        self.speeds.append(speed)
        self.directions.append(self._direction)
        if previous is None:
            return
        dt = sample.t - previous.t
        if not 0.0 < dt <= _GAP_S:
            return
        self._time[self._direction] += dt
        self._metres[self._direction] += self._step_metres(previous, sample, dt)
        rates = kcal_per_min(
            np.array([0.0 if math.isnan(speed) else speed]),
            np.array([sample.incline_pct or 0.0]),
            np.array([self._direction == "reverse"]),
            self.body.mass_kg,
        )
        for k, rate in enumerate((rates.low, rates.mid, rates.high)):
            self._kcal[k] += float(rate[0]) * dt / 60.0

    @staticmethod
    def _step_metres(previous: Sample, sample: Sample, dt: float) -> float:
        """The treadmill's own distance step when it is sane, else speed times time."""
        if previous.distance_m is not None and sample.distance_m is not None:
            step = sample.distance_m - previous.distance_m
            if 0.0 <= step <= _MAX_STEP_M:
                return step
        return (sample.speed_kmh or 0.0) / 3.6 * dt

    def _zone(self, bpm: int | None) -> int | None:
        if bpm is None or bpm < self._zones[0]:
            return None
        return min(bisect.bisect_right(self._zones[1:-1], bpm) + 1, 5)

    def _step_view(self, t: float) -> StepView | None:
        coach = self.coach
        if coach is None or coach.cues.step is None:
            return None
        engine, step = coach.cues, coach.cues.step
        last = self._last
        left = engine.seconds_left(
            coach.plan_time(t),
            None if last is None else last.speed_kmh,
            None if last is None else last.distance_m,
        )
        if step.duration_s is not None:
            length: float | None = step.duration_s
        elif left is not None:
            speed = (last.speed_kmh if last is not None else None) or step.speed_kmh or 4.0
            length = (step.distance_m or 0.0) / max(speed / 3.6, 0.1)
        else:
            length = None
        coming = engine.coming
        return StepView(
            number=engine.index + 1,
            count=len(coach.plan.steps),
            text=describe_step(step),
            direction=step.direction,
            seconds_left=None if left is None else max(left, 0.0),
            length_s=length,
            next_text="Finish" if coming is None else describe_step(coming),
        )

    def view(self, now: float | None = None) -> LiveView:
        """The session as of ``now`` (default: the last sample's time)."""
        last = self._last
        t = now if now is not None else (last.t if last is not None else 0.0)
        speed = None if last is None else last.speed_kmh
        pace = 3600.0 / speed if speed is not None and speed >= _MOVING_KMH else None
        bpm = None if last is None else last.heart_rate_bpm
        coach = self.coach
        return LiveView(
            t=t,
            speed_kmh=speed,
            incline_pct=None if last is None else last.incline_pct,
            pace_s_per_km=pace,
            distance_m=sum(self._metres.values()),
            heart_rate_bpm=bpm,
            hr_zone=self._zone(bpm),
            kcal=self._kcal[1],
            kcal_low=self._kcal[0],
            kcal_high=self._kcal[2],
            direction=self._direction,
            confidence=self._confidence,
            evidence=self.detector.evidence,
            link=self._link,
            time_s=dict(self._time),
            metres=dict(self._metres),
            step=self._step_view(t),
            paused=coach is not None and coach.paused,
            finished=coach is not None and coach.cues.finished,
        )

    def chart(self, columns: int, window_s: float, now: float | None = None) -> list[ChartColumn]:
        """The last ``window_s`` seconds in ``columns`` slices, oldest first.

        A slice narrower than the notification interval holds the last sample's speed; a slice
        with no sample for :data:`CHART_HOLD_S` shows no speed (a gap in the data).
        """
        if columns <= 0:
            return []
        end = now if now is not None else (self.times[-1] if self.times else 0.0)
        start = end - window_s
        width = window_s / columns
        out: list[ChartColumn] = []
        lo = bisect.bisect_right(self.times, start)
        for column in range(columns):
            edge = start + (column + 1) * width
            hi = bisect.bisect_right(self.times, edge, lo)
            speeds = [s for s in self.speeds[lo:hi] if not math.isnan(s)]
            if speeds:
                seen = self.directions[lo:hi]
                direction = max(("reverse", "forward", "stopped"), key=seen.count)
                out.append(ChartColumn(max(speeds), direction))
            elif lo > 0 and edge - self.times[lo - 1] <= CHART_HOLD_S and not math.isnan(self.speeds[lo - 1]):
                out.append(ChartColumn(self.speeds[lo - 1], self.directions[lo - 1]))
            else:
                out.append(ChartColumn(None, "stopped"))
            lo = hi
        return out

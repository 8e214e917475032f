"""The belt's speed as plateaus and the transitions between them: where a turn can happen.

A person turns between two steady stretches of the belt: they slow it to a walk, or stop
it, turn round, and set the new speed; or, less often, turn at speed. :class:`Segmenter`
follows the speed sample by sample and says when a plateau begins, when it is left, and
when the transition that followed has settled at a new level, with its :class:`Shape`.

A level is settled once it has held for :attr:`SegmenterParams.settle_s` over at least two
samples, so one stray sample (a watch's dropout, a treadmill's first notification after a
stop) never makes a plateau of its own. A walk well below the speed before is held longer
(:attr:`SegmenterParams.turn_hold_s`): it may be where the person turns, not a level.

Pure: no I/O, no clock; time arrives with the samples.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

from treadmill.model import MOVING_FROM_KMH

__all__ = ["TURN_S", "Change", "Phase", "Segmenter", "SegmenterParams", "Shape", "Transition"]


TURN_S = 2.5
"""How long a turn on the belt takes, typically (people take 1.5-4 s: docs/detection.md)."""


class Shape(enum.StrEnum):
    """How a transition looked."""

    DIP = "dip"
    """Down below both the old and the new speed, then up to the new one: how people turn."""
    STOP = "stop"
    """The belt stopped, then went on at another speed."""
    STEP = "step"
    """A plain change of level."""
    RETURN = "return"
    """Back to the same speed as before after going down (a pause, a drink, a shoelace)."""
    CADENCE = "cadence"
    """The step rate jumped at an unchanged speed (found by the stride evidence, not here)."""


class Phase(enum.Enum):
    """Where the segmenter is."""

    WAITING = "waiting"
    """Before the belt first runs steadily."""
    PLATEAU = "plateau"
    TRANSITION = "transition"


class Change(enum.Enum):
    """What a sample changed."""

    BEGAN = "began"
    """The first plateau of the session."""
    DEPARTED = "departed"
    """The plateau was left: a transition began."""
    SETTLED = "settled"
    """The transition settled at a new level: a plateau began."""


@dataclass(frozen=True, slots=True)
class SegmenterParams:
    """When a level counts as held, and what counts as leaving it."""

    settle_s: float = 3.0
    """A level is settled once it has held this long (two samples at least)."""
    turn_hold_s: float = 6.0
    """... or this long when it is a walk well below the speed before: where people turn. Longer
    than a turn takes (1.5-4 s) with a notification or two to spare; chosen on the bench's tuning
    people (8 s answered a cued turn 2 s later at the 95th percentile and placed no turn better)."""
    turn_walk_kmh: float = 3.5
    """A level this slow, well below the one before, may be where the person turns."""
    turn_drop: tuple[float, float] = (0.5, 0.2)
    """"Well below": this many km/h, or this share of the speed before if more (a slow walker at
    3 km/h slows by 0.6 km/h to turn)."""
    window_s: float = 20.0
    """The recent samples kept to find a level."""
    gap_s: float = 3.0
    """A gap this long between samples that left the level starts a transition at once."""
    tolerance: tuple[float, float] = (0.5, 0.1)
    """A sample this far from the level leaves it: km/h, or this share of the level if more."""
    cued_tolerance: tuple[float, float] = (0.15, 0.03)
    """... just after a cue to the other way, where a small change of level is the new interval's speed."""
    level_follow: float = 0.2
    """How fast the plateau's level follows samples on it (an exponential average)."""


@dataclass(slots=True)
class Transition:
    """A transition under way, or settled: where it began, how low it went."""

    start_t: float
    before_kmh: float
    low_kmh: float
    low_t: float
    """The last time the belt was near its lowest."""
    reached_t: float = 0.0
    """When the belt first came near its lowest (where a slow-down to the new level ended)."""
    stopped: bool = False
    end_t: float = 0.0
    after_kmh: float = 0.0

    def shape(self, after_kmh: float) -> Shape:
        """How it looked, ending at ``after_kmh``."""
        before, low = self.before_kmh, self.low_kmh
        went_down = self.stopped or before - low >= max(0.8, 0.2 * before)
        if went_down and self.back_at_start(after_kmh):
            return Shape.RETURN
        if self.stopped:
            return Shape.STOP
        if low < min(before, after_kmh) - max(0.5, 0.15 * after_kmh) and low <= 3.5:
            return Shape.DIP
        return Shape.STEP

    def back_at_start(self, speed_kmh: float) -> bool:
        """``speed_kmh`` is the level it left (within 0.4 km/h or 6 %): a pause, if it stays there."""
        return abs(speed_kmh - self.before_kmh) <= max(0.4, 0.06 * self.before_kmh)

    @property
    def went_down(self) -> bool:
        """It went well below the speed before (a dip or a stop)."""
        return self.before_kmh - self.low_kmh >= 0.8

    def turn_at(self, at_speed: float = 0.5) -> float:
        """Where a turn in it would have happened.

        At the low point when the belt went lower than where it settled (a dip, a stop); at its
        start for a plain change upward or a small one. A slow-down to a new level is either a turn
        at speed, made before the belt slowed, or one made where it reached its new level, taking
        :data:`TURN_S`: between the two, by ``at_speed``, the chance this person turns at speed
        (at an even chance, the middle, never further than half the way from either).
        """
        rose = self.after_kmh - self.low_kmh >= 0.2 and self.low_kmh < self.before_kmh
        shape = self.shape(self.after_kmh)
        if shape in (Shape.DIP, Shape.STOP) or rose:
            return self.low_t
        if not self.went_down:
            return self.start_t
        return at_speed * self.start_t + (1.0 - at_speed) * (self.reached_t + TURN_S)


@dataclass(slots=True)
class Segmenter:
    """Feed samples in time order with :meth:`feed` (see the module docstring)."""

    params: SegmenterParams = field(default_factory=SegmenterParams)
    phase: Phase = Phase.WAITING
    level: float = 0.0
    """The current plateau's speed."""
    transition: Transition | None = None
    """The transition under way (None on a plateau)."""
    last: Transition | None = None
    """The transition that settled last."""
    _recent: deque[tuple[float, float]] = field(default_factory=deque)
    _departing: int = 0

    def feed(self, t: float, speed: float, *, cued: bool = False) -> Change | None:
        """One sample; ``cued``: a cue to the other way is waiting to be answered."""
        recent = self._recent
        recent.append((t, speed))
        while len(recent) > 2 and t - recent[0][0] > self.params.window_s:
            recent.popleft()
        if self.phase is Phase.WAITING:
            if self._settled(t):
                self._plateau()
                return Change.BEGAN
            return None
        if self.phase is Phase.PLATEAU:
            return self._on_plateau(t, speed, cued)
        return self._in_transition(t, speed)

    def _on_plateau(self, t: float, speed: float, cued: bool) -> Change | None:
        p = self.params
        absolute, share = p.cued_tolerance if cued else p.tolerance
        if abs(speed - self.level) > max(absolute, share * self.level) or speed < MOVING_FROM_KMH:
            self._departing += 1
            gap = len(self._recent) > 1 and t - self._recent[-2][0] > p.gap_s
            if self._departing >= 2 or speed < MOVING_FROM_KMH or gap:
                start = self._recent[-2][0] if self._departing >= 2 and len(self._recent) > 1 else t
                self.phase = Phase.TRANSITION
                self.transition = Transition(start, self.level, speed, t, t, stopped=speed < MOVING_FROM_KMH)
                return Change.DEPARTED
        else:
            self._departing = 0
            self.level += p.level_follow * (speed - self.level)
        return None

    def _in_transition(self, t: float, speed: float) -> Change | None:
        transition = self.transition
        assert transition is not None
        if speed <= transition.low_kmh + 0.3:
            transition.low_t = t
        if speed < transition.low_kmh - 0.3:
            transition.reached_t = t
        transition.low_kmh = min(transition.low_kmh, speed)
        transition.stopped = transition.stopped or speed < MOVING_FROM_KMH
        p = self.params
        absolute, share = p.turn_drop
        slowed = (
            speed <= p.turn_walk_kmh
            and transition.before_kmh - speed >= max(absolute, share * transition.before_kmh) - 1e-9
        )
        if not self._settled(t, p.turn_hold_s if slowed else 0.0):
            return None
        transition.end_t, transition.after_kmh = t, self._level_now()
        self.last, self.transition = transition, None
        self._plateau()
        return Change.SETTLED

    def settle_on(self, t: float, speed: float) -> None:
        """Begin a plateau here without a transition (a turn at speed found by other evidence)."""
        self.transition = None
        self._recent.append((t, speed))
        self._plateau()

    def _plateau(self) -> None:
        self.phase = Phase.PLATEAU
        self.level = self._level_now()
        self._departing = 0

    def _settled(self, t: float, hold: float = 0.0) -> bool:
        """The last samples hold one moving level for at least ``settle_s`` (two samples at least)."""
        last = self._recent[-1][1]
        if last < MOVING_FROM_KMH:
            return False
        tolerance = max(0.25, 0.04 * last)
        start, count = t, 0
        for ti, v in reversed(self._recent):
            if abs(v - last) > tolerance:
                break
            start, count = ti, count + 1
        return count >= 2 and t - start >= max(self.params.settle_s, hold)

    def _level_now(self) -> float:
        last = self._recent[-1][1]
        tolerance = max(0.25, 0.04 * last)
        values = []
        for _, v in reversed(self._recent):
            if abs(v - last) > tolerance:
                break
            values.append(v)
        return sum(values) / len(values)

    @property
    def gap_before_last(self) -> float:
        """Seconds between the last two samples."""
        recent = self._recent
        return recent[-1][0] - recent[-2][0] if len(recent) > 1 else 0.0

"""Is a treadmill reading physically possible? Readings that are not never steer anything.

A Bluetooth peer can send anything: a firmware bug, a second app on the same machine, a
hostile device. A belt, though, is a heavy loop driven by a motor: it cannot go from 0 to
12 km/h in half a second, and the distance it covers is the integral of its speed. Each
reading of the treadmill is checked against that before the detector, the totals, the coach
or the control see it (docs/safety.md):

* **absurd**: not a number, below zero, faster than any treadmill goes, or an incline no
  deck has;
* **jump**: a change of speed from the last believed reading that no belt makes in the time
  between them; a new level is believed once a second reading confirms it (a belt really
  stopped by its safety key reports zero again, a bogus blip does not repeat);
* **distance**: the speed disagrees with the treadmill's own distance counter over the last
  several seconds.

The recording keeps every frame as it arrived; only the session's view of the belt skips
what is implausible. :class:`DoubtWindow` says when implausible readings come too often to
trust the stream at all: the coach then stops driving the belt and the screen says why.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import collections
import itertools
import math
from dataclasses import dataclass, field

from treadmill.model import MOVING_FROM_KMH, Implausible, Sample

__all__ = ["DoubtWindow", "PlausibilityParams", "ReadingCheck"]


@dataclass(frozen=True, slots=True)
class PlausibilityParams:
    """The physics a reading must obey."""

    top_speed_kmh: float = 45.0
    """Faster than any treadmill made (research treadmills for sprinters reach 40 km/h)."""
    incline_pct: tuple[float, float] = (-25.0, 45.0)
    """Decks tilt from about -25 % (downhill research treadmills) to +40 % (incline trainers)."""
    speed_up_kmh_per_s: float = 5.0
    """Belts accelerate at 0.5-1.5 km/h per s (the virtual machine: 1.2), but some consoles report
    where the belt is going rather than where it is: a recorded Domyos went from 0 to 8.4 km/h
    in 1.9 s (4.4 km/h per s). A jump to a bogus value is several times faster."""
    slow_down_kmh_per_s: float = 6.0
    """A belt braked hard (a stop at speed) loses a few km/h per second; not 12 in half a second."""
    slack_kmh: float = 0.6
    """Reporting resolution and timing jitter on top of the rates (coarse consoles report 0.1 km/h
    steps, and a notification can arrive a connection interval late)."""
    distance_window_s: tuple[float, float] = (8.0, 20.0)
    """The distance check compares the counter with the speeds since the latest reading at least
    8 s back (and at most 20 s: a gap longer than that starts the check afresh)."""
    distance_tolerance_kmh: float = 1.0
    """How far the counter's speed may differ from the readings' mean: the counter counts whole
    metres (over 8 s, up to 0.45 km/h), plus :attr:`distance_tolerance_share` of the speed for a
    console whose counter and speed disagree a little, and for notifications a moment late."""
    distance_tolerance_share: float = 0.2
    distance_step_m: float = 3.0
    """The check runs only on a counter seen to move in steps this small (some pads count in 10 m)."""


@dataclass(slots=True)
class ReadingCheck:
    """Judges each treadmill reading in time order (see the module docstring)."""

    params: PlausibilityParams = field(default_factory=PlausibilityParams)
    _last: tuple[float, float] | None = None
    """(t, km/h) of the last believed speed."""
    _pending: tuple[float, float] | None = None
    """A reading that broke from the last believed one: believed if the next one agrees with it."""
    _believed: collections.deque[tuple[float, float, float | None]] = field(
        default_factory=lambda: collections.deque(maxlen=128)
    )
    """(t, km/h, counter m or None) of the believed readings of the last :attr:`distance_window_s`."""
    _fine_counter: bool = False
    """The distance counter has been seen to move in small steps."""

    def check(self, sample: Sample) -> Implausible | None:
        """Why ``sample`` is not possible (None: it is, and it is now the believed reading)."""
        speed, incline = sample.speed_kmh, sample.incline_pct
        if self._absurd(speed, incline):
            return Implausible.ABSURD
        if speed is None:
            return None
        if not self._reachable(self._last, sample.t, speed):
            if self._pending is None or not self._reachable(self._pending, sample.t, speed):
                self._pending = (sample.t, speed)
                return Implausible.JUMP
            self._believed.clear()  # a new level: the counter is judged from here on
        distance = (
            sample.distance_m if sample.distance_m is None or math.isfinite(sample.distance_m) else None
        )
        if self._against_counter(sample.t, speed, distance):
            return Implausible.DISTANCE
        self._believed.append((sample.t, speed, distance))
        self._last, self._pending = (sample.t, speed), None
        return None

    def _absurd(self, speed: float | None, incline: float | None) -> bool:
        p = self.params
        if speed is not None and not (math.isfinite(speed) and 0.0 <= speed <= p.top_speed_kmh):
            return True
        low, high = p.incline_pct
        return incline is not None and not (math.isfinite(incline) and low <= incline <= high)

    def _reachable(self, since: tuple[float, float] | None, t: float, speed: float) -> bool:
        """Whether a belt at ``since`` can read ``speed`` at ``t`` (nothing to go on: yes)."""
        if since is None:
            return True
        t0, v0 = since
        p, dt = self.params, max(t - t0, 0.0)
        return (
            v0 - p.slow_down_kmh_per_s * dt - p.slack_kmh
            <= speed
            <= v0 + p.speed_up_kmh_per_s * dt + p.slack_kmh
        )

    def _against_counter(self, t: float, speed: float, distance: float | None) -> bool:
        """The distance the believed speeds cover since several seconds back disagrees with the counter."""
        p, seen = self.params, self._believed
        shortest, longest = p.distance_window_s
        while seen and t - seen[0][0] > longest:
            seen.popleft()
        counted = [(t1, d1) for t1, _, d1 in seen if d1 is not None]
        if distance is None or not counted or speed < MOVING_FROM_KMH:
            return False
        if distance < counted[-1][1]:  # the counter was reset: judge from here on
            seen.clear()
            return False
        if 0 < distance - counted[-1][1] <= p.distance_step_m:
            self._fine_counter = True
        back = [(t1, d1) for t1, d1 in counted if t - t1 >= shortest]
        if not self._fine_counter or not back:
            return False
        t0, d0 = back[-1]  # the latest counted reading at least the shortest window back
        path = [(t1, v1) for t1, v1, _ in seen if t1 >= t0] + [(t, speed)]
        metres = sum((b - a) * (va + vb) / 2 for (a, va), (b, vb) in itertools.pairwise(path)) / 3.6
        by_readings, by_counter = 3.6 * metres / (t - t0), 3.6 * (distance - d0) / (t - t0)
        allowed = p.distance_tolerance_kmh + p.distance_tolerance_share * max(by_counter, by_readings)
        return abs(by_readings - by_counter) > allowed


@dataclass(slots=True)
class DoubtWindow:
    """Whether the stream as a whole can be trusted: too many implausible readings lately.

    Doubt starts when :attr:`doubt_at` of the last :attr:`size` treadmill readings were
    implausible, and ends once that many readings in a row were plausible.
    """

    size: int = 8
    doubt_at: int = 2
    doubtful: bool = False
    _recent: collections.deque[bool] = field(init=False)
    _good_run: int = 0

    def __post_init__(self) -> None:
        """An empty window of :attr:`size` readings."""
        self._recent = collections.deque(maxlen=self.size)

    def see(self, *, implausible: bool) -> bool:
        """One more reading; True when the doubt started or ended with it."""
        self._recent.append(implausible)
        self._good_run = 0 if implausible else self._good_run + 1
        was = self.doubtful
        if not was and sum(self._recent) >= self.doubt_at:
            self.doubtful = True
        elif was and self._good_run >= self.size:
            self.doubtful = False
            self._recent.clear()
        return self.doubtful is not was

    @property
    def implausible_recently(self) -> int:
        """Implausible readings among the last :attr:`size`."""
        return sum(self._recent)

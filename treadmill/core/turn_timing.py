"""When in a slow-down the turn was: the step rates and footpod speeds read while the belt slowed.

A plain slow-down to a walk holds a turn either made at speed, before the belt slowed, or made
once the belt reached the walk (:meth:`Transition.turn_at
<treadmill.core.segments.Transition.turn_at>`). The belt's speed cannot tell the two apart. The
readings taken while it slowed can: after a turn at speed they are the new way's, otherwise
still the old way's.

They only date a turn. As evidence that there was one at all they did harm on the bench's
held-out people (backward walkers whose steps, as the belt slowed, fit a forward gait).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field

from treadmill.core.evidence import PodSpeedModel, StrideModel
from treadmill.core.segments import Transition
from treadmill.model import MOVING_FROM_KMH

READING_SPAN_S = 2.0
"""A footpod's step rate and speed may average the last strides (up to two of 0.7-1.1 s each):
a reading counts only when it says the same against the belt's speed of the moment and its mean
speed over this span, whatever the footpod's lag. Our estimate."""
READING_CAP = 1.0
"""One sample's readings count for at most e to 1 (the belt's speed changes under them)."""
SLOWING_CAP = math.log(20.0)
"""The readings of one slow-down count for at most 20 to 1: they are a few seconds of one person,
whose own step rate is one unknown shared by them all. Our choice."""
_KEPT = 64
"""Readings kept: a slow-down lasts well under a minute at 0.3 km/h a second or faster."""


@dataclass(slots=True)
class SlowDownReadings:
    """The readings of the transition under way: :meth:`keep` each, :meth:`restart` at the next."""

    _kept: deque[tuple[float, float, float, float]] = field(default_factory=lambda: deque(maxlen=_KEPT))
    """(time, belt km/h, the footpod's steps a minute and km/h, each NaN when not read)."""

    def restart(self, t: float, speed_kmh: float) -> None:
        """A new transition, leaving ``speed_kmh`` at ``t``: forget the last one's readings."""
        self._kept.clear()
        self._kept.append((t, speed_kmh, math.nan, math.nan))

    def keep(self, t: float, speed_kmh: float, steps_per_min: float, pod_kmh: float) -> None:
        """One sample of the transition (NaN: that reading is missing)."""
        if speed_kmh >= MOVING_FROM_KMH:  # NaN is no speed
            self._kept.append((t, speed_kmh, steps_per_min, pod_kmh))

    def backward_log_ratio(self, transition: Transition, *, stride: StrideModel, pod: PodSpeedModel) -> float:
        """Log P(readings | backward) - log P(readings | forward) while the belt slowed, capped.

        Only the readings from its start to where it first reached its new level count, and
        only when it went well down (0 otherwise).
        """
        if not transition.went_down:
            return 0.0
        backward = 0.0
        kept = self._kept
        for index, (t, now, steps, pod_kmh) in enumerate(kept):
            if not transition.start_t < t <= transition.reached_t:
                continue
            span = [v for u, v, _, _ in itertools.islice(kept, 0, index + 1) if t - u <= READING_SPAN_S]
            said = [_said(speed, steps, pod_kmh, stride, pod) for speed in (now, sum(span) / len(span))]
            if min(said) > 0 or max(said) < 0:  # the same, whatever the footpod's lag
                backward += min(said, key=abs)
        return min(max(backward, -SLOWING_CAP), SLOWING_CAP)


def _said(speed: float, steps: float, pod_kmh: float, stride: StrideModel, pod: PodSpeedModel) -> float:
    """What one sample's readings say, at the belt speed ``speed``: log P(backward) - log P(forward)."""
    said = 0.0
    if not math.isnan(steps):
        said += stride.log_ratio(speed, steps)
    if pod_kmh > 0:  # NaN compares false
        said += pod.log_ratio(pod_kmh / speed)
    return min(max(said, -READING_CAP), READING_CAP)

"""A body-worn phone's motion readings, turned into what the detector can use: turns, steadiness, steps.

A phone in a pocket or an armband turns with the body. Its gyroscope measures rotation about
the phone's own axes; projected on the direction of gravity (which the accelerometer gives,
low-passed), that is the body's **yaw rate** whatever way the phone sits. Integrated, it is
the heading. A turn on the belt is about 180° of heading within a few seconds; walking on,
the heading stays put but for the sway of each stride. The compass (``alpha``) is not used:
a treadmill's motor bends the magnetic field around it.

The gyroscope drifts (phone gyroscopes' zero-rate offset is of the order of ±1 °/s, e.g.
±0.5-1 °/s in the Bosch BMI270 and ST LSM6DSO datasheets), so the heading is only compared
over seconds: a turn is a change of 150-210° (:data:`TURNED_DEG`) between two steady headings,
and where the heading stays within :data:`SAME_DEG` of where it was, the reference follows it.

The phone is **worn** (its evidence counts) only when:

* readings arrive (none missing for :data:`MAX_GAP_S`);
* its attitude has not jumped for :data:`STEADY_S` (taken out of the pocket, put down,
  picked up: the direction of gravity in the phone's frame, low-passed over
  :data:`ATTITUDE_TAU_S`, strays more than :data:`ATTITUDE_JUMP_DEG` from where it settled);
* it was stepping when it began to count (:data:`STEPPING_STEPS` within :data:`STEPPING_S`,
  after it settled), and while the belt moves it still feels steps (:data:`NO_STEPS_S`); on
  a stopped belt a worn phone keeps counting through the turn. A phone laid on the console
  sees no turn because it does not turn, and one held in the hand hardly bounces.

Pure Python on floats: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Final

from treadmill.model import PhoneState
from treadmill.phone.reading import MotionReading

__all__ = ["ATTITUDE_JUMP_DEG", "SAME_DEG", "STEADY_S", "TURNED_DEG", "BodyMotion", "wrap180"]

GRAVITY_TAU_S: Final = 1.0
"""The low-pass that finds gravity in the accelerometer: a stride (0.6-1.2 s) is averaged out,
a change of attitude shows within about a second."""
MAX_GAP_S: Final = 1.0
"""A pause in the readings longer than this loses the heading (10-20 readings at the page's rate)."""
STALE_S: Final = 1.0
"""No reading for this long: the phone is silent (page closed, screen off, out of range)."""
ATTITUDE_TAU_S: Final = 0.5
"""A quicker low-pass of gravity, for noticing the phone being moved."""
ATTITUDE_JUMP_DEG: Final = 30.0
"""How far the quick gravity may stray from the attitude the phone settled in. A pocket swings
with the thigh by ±20-30° a stride (hip flexion in gait, Perry & Burnfield, *Gait Analysis*,
2nd ed., ch. 8), under ±8° once low-passed; taking a phone out to look at it, or laying it
down, moves it 35-90°."""
ATTITUDE_FOLLOW_TAU_S: Final = 30.0
"""The settled attitude follows slow changes (a pocket's contents shifting)."""
STEADY_S: Final = 4.0
"""After an attitude jump or a gap, this long of steady readings before the phone counts again."""
NO_STEPS_S: Final = 6.0
"""While the belt moves, a phone that has felt no step for this long is not on the walker."""
STEP_RISE_MS2: Final = 1.0
"""A step's bounce lifts the size of the acceleration past this above its mean (walking peaks at
2-4 m/s², running at 8-15; Mathie et al., *Physiol. Meas.* 25 (2004) R1); it must fall below
the mean again first. The size, not the vertical part: turning the phone over in the hand does
not change it."""
STEPPING_S: Final = 4.0
STEPPING_STEPS: Final = 3
"""To begin counting, at the start or after it was moved: this many steps within
:data:`STEPPING_S` (45 a minute, slower than anyone walks on a belt)."""
SHORTEST_STEP_S: Final = 0.25
"""240 steps a minute: faster than any sprinter's cadence."""
STEP_WINDOW_S: Final = 6.0
HEADING_SPAN_S: Final = 1.0
HEADING_STEADY_DEG: Final = 20.0
"""The heading is steady when it stays within this over :data:`HEADING_SPAN_S` (a stride's sway
is ±5-10° of pelvic and trunk rotation; Perry & Burnfield, ch. 9)."""
SAME_DEG: Final = 45.0
"""A heading this close to the reference is the same facing; farther, the body is part way round."""
FOLLOW_DEG: Final = 15.0
"""A steady heading this close to the reference moves it (the gyroscope's drift, a few degrees a
second at worst); the start of a turn, farther, does not."""
TURNED_DEG: Final = 150.0
"""A steady heading at least this far round (up to 180°, either way) is the other facing: a turn."""
TURN_WITHIN_S: Final = 8.0
"""... if it got there within this long of leaving the reference: people turn on a belt in 1.5-4 s.
Slower, it is drift or wandering, not a turn."""
SIDEWAYS_S: Final = 10.0
"""Part way round for longer than this is no turn under way: the reference is lost (the phone
shifted in the pocket), and the phone counts again only once it is steady."""


def wrap180(degrees: float) -> float:
    """The same angle in (-180, 180]."""
    wrapped = math.fmod(degrees + 180.0, 360.0)
    return (wrapped + 360.0 if wrapped <= 0.0 else wrapped) - 180.0


def _unit(v: tuple[float, ...]) -> tuple[float, float, float]:
    n = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) or 1.0
    return v[0] / n, v[1] / n, v[2] / n


def _angle_deg(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    return math.degrees(math.acos(min(max(dot, -1.0), 1.0)))


@dataclass(slots=True)
class BodyMotion:
    """Feed readings in time order with :meth:`feed`; ask :meth:`state` at each sample."""

    heading_deg: float = 0.0
    """The integrated yaw, unwrapped, from an arbitrary start."""
    _last_t: float | None = None
    _gravity: tuple[float, float, float] | None = None
    _disturbed_at: float = 0.0
    _quick: tuple[float, float, float] | None = None
    _felt: float | None = None
    """The acceleration's size, low-passed: what is left is each step's bounce."""
    _settled: tuple[float, float, float] | None = None
    """The gravity direction the phone settled in, in its own frame."""
    _headings: deque[tuple[float, float]] = field(default_factory=deque)
    _steps: deque[float] = field(default_factory=deque)
    _rising: bool = False
    _reference: float | None = None
    _sideways: bool = False
    _near_at: float = 0.0
    """The last time the heading was near the reference."""
    _turns: int = 0
    _turned_at: float | None = None
    _worn_since: float | None = None
    _moving_since: float | None = None

    def feed(self, t: float, reading: MotionReading) -> None:
        """One reading at session time ``t``."""
        last = self._last_t
        self._last_t = t
        if last is None or t - last > MAX_GAP_S:
            self._lose(t)
            dt = 0.0
        else:
            dt = max(t - last, 0.0)
        a = reading.accel_ms2
        norm = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        if norm < 1.0:  # no gravity in it: not an accelerometer reading this can use
            return
        g = self._gravity
        if g is None:
            g = a
        else:
            k = dt / (GRAVITY_TAU_S + dt)
            g = (g[0] + k * (a[0] - g[0]), g[1] + k * (a[1] - g[1]), g[2] + k * (a[2] - g[2]))
        self._gravity = g
        g_norm = math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]) or 1.0
        up = (g[0] / g_norm, g[1] / g_norm, g[2] / g_norm)
        wx, wy, wz = reading.rotation_dps  # alpha, beta, gamma: about x, y, z
        self.heading_deg += (wx * up[0] + wy * up[1] + wz * up[2]) * dt
        self._attitude(t, a, dt)
        k = dt / (GRAVITY_TAU_S + dt)
        self._felt = norm if self._felt is None else self._felt + k * (norm - self._felt)
        self._step(t, norm - self._felt)  # the bounce, whichever way the phone is turned
        self._follow_heading(t)

    def _lose(self, t: float) -> None:
        """The heading's thread is lost (the first reading, or a gap): start over, unworn."""
        self._disturbed_at = t
        self._headings.clear()
        self._quick = self._settled = None
        self._reference, self._worn_since = None, None

    def _attitude(self, t: float, a: tuple[float, float, float], dt: float) -> None:
        """Notice the phone being moved on the body: its quick gravity strays from where it settled."""
        q = self._quick
        k = dt / (ATTITUDE_TAU_S + dt)
        q = a if q is None else (q[0] + k * (a[0] - q[0]), q[1] + k * (a[1] - q[1]), q[2] + k * (a[2] - q[2]))
        self._quick = q
        now = _unit(q)
        settled = self._settled
        if settled is None or t - self._disturbed_at < STEADY_S / 2:  # settling: it is where it is now
            self._settled = now
        elif _angle_deg(settled, now) > ATTITUDE_JUMP_DEG:
            self._disturbed_at, self._settled = t, now
            self._reference, self._worn_since = None, None
            self._headings.clear()  # a heading from before it moved is no reference after
        else:
            f = dt / (ATTITUDE_FOLLOW_TAU_S + dt)
            self._settled = _unit(tuple(s + f * (n - s) for s, n in zip(settled, now, strict=True)))

    def _step(self, t: float, vertical: float) -> None:
        if vertical > STEP_RISE_MS2 and not self._rising:
            self._rising = True
            if not self._steps or t - self._steps[-1] >= SHORTEST_STEP_S:
                self._steps.append(t)
        elif vertical < 0.0:
            self._rising = False
        while self._steps and t - self._steps[0] > STEP_WINDOW_S:
            self._steps.popleft()

    def _follow_heading(self, t: float) -> None:
        """Count a turn between two steady headings; let the reference follow drift."""
        headings = self._headings
        headings.append((t, self.heading_deg))
        while len(headings) > 1 and t - headings[1][0] >= HEADING_SPAN_S:
            headings.popleft()
        values = [h for _, h in headings]
        spanned = t - headings[0][0] >= HEADING_SPAN_S * 0.9
        steady = spanned and max(values) - min(values) <= HEADING_STEADY_DEG
        mean = sum(values) / len(values)  # the stride's sway averages out
        if self._reference is None:
            if steady:
                self._reference, self._near_at = mean, t
            return
        away = abs(wrap180(mean - self._reference))
        self._sideways = away > SAME_DEG
        if not self._sideways:
            self._near_at = t
        elif t - self._near_at > SIDEWAYS_S:
            self._lose(t)
            return
        if not steady:
            return
        if away <= FOLLOW_DEG:
            self._reference = mean
        elif away >= TURNED_DEG and t - self._near_at <= TURN_WITHIN_S:
            self._turns += 1
            self._turned_at = headings[0][0]  # steady since then: the turn ended about there
            self._reference, self._sideways, self._near_at = mean, False, t

    def state(self, t: float, *, belt_moving: bool) -> PhoneState:
        """What the phone says at session time ``t``, the belt moving or not."""
        if not belt_moving:
            self._moving_since = None
        elif self._moving_since is None:
            self._moving_since = t
        steps = [s for s in self._steps if t - s <= STEP_WINDOW_S]
        rate = 60.0 * (len(steps) - 1) / (steps[-1] - steps[0]) if len(steps) >= 3 else 0.0
        silent = self._last_t is None or t - self._last_t > STALE_S
        moving_for = 0.0 if self._moving_since is None else t - self._moving_since
        settled_at = self._disturbed_at + STEADY_S / 2  # steps felt while it settled may be its own jolts
        if self._worn_since is not None:  # on the body: it stays so until the steps stop
            stepless = moving_for >= NO_STEPS_S and (not steps or t - steps[-1] > NO_STEPS_S)
        else:  # to count (again), it must be stepping now: a phone on the console never is
            recent = [s for s in steps if s > settled_at and t - s <= STEPPING_S]
            stepless = len(recent) < STEPPING_STEPS
        worn = (
            not silent and not stepless and self._reference is not None and t - self._disturbed_at >= STEADY_S
        )
        if not worn:
            self._worn_since = None
            return PhoneState(worn=False, turns=0, turned_at=None, sideways=False, steps_per_min=rate)
        if self._worn_since is None:  # a new stretch on the body: its turns count from here
            self._worn_since, self._turns, self._turned_at = t, 0, None
        return PhoneState(
            worn=True,
            turns=self._turns,
            turned_at=self._turned_at,
            sideways=self._sideways,
            steps_per_min=rate,
            worn_since=self._worn_since,
        )

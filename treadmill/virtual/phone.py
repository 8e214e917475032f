"""The virtual runner's phone: what its motion sensors would say, worn in a pocket, an armband or a waistband.

Deterministic for a seed. What a real phone on a real walker shows, and so what the detector
must cope with:

* the body's **yaw**, turns included (:meth:`treadmill.virtual.runner.Runner.heading_at`),
  plus the pelvis's sway of each stride (±4-6°, Perry & Burnfield, *Gait Analysis*, 2nd ed.,
  ch. 9);
* a **thigh** that swings the pocket through ±20° walking, ±30° running (ibid., ch. 8);
* the body's **bounce** each step (2-3 m/s² walking, 6-9 running; Mathie et al. 2004);
* a **gyroscope** with a zero-rate offset of up to ±1 °/s per axis, wandering slowly, and
  white noise (the BMI270 and LSM6DSO datasheets' orders of magnitude);
* a **compass** heading bent by the motor's field, more the faster the belt runs (recorded,
  as a phone sends it; the detector does not trust it);
* the stream's own hiccups (a reading late, a fraction of a second lost);
* moments when the phone is **taken out** and held (to read it, to change the music), or
  **put down** on the console, then put back in another attitude.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from treadmill.clock import SessionClock
from treadmill.model import Frame
from treadmill.phone.reading import MotionReading
from treadmill.virtual.world import VirtualWorld

__all__ = ["PHONE_RATE_HZ", "BodyPhone", "Mount", "OffBody", "stream"]

PHONE_RATE_HZ = 20.0
"""What the ``/motion`` page sends (browsers fire ``devicemotion`` at 50-60 Hz; the page thins it)."""
GRAVITY = 9.80665
HANDLING_S = 0.8
"""Taking a phone out of a pocket, or putting it back, takes most of a second."""

Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
Vector = tuple[float, float, float]


class Mount(enum.StrEnum):
    """Where the phone is worn."""

    POCKET = "pocket"
    ARMBAND = "armband"
    WAISTBAND = "waistband"


_SWING_DEG = {Mount.POCKET: (20.0, 30.0), Mount.ARMBAND: (6.0, 10.0), Mount.WAISTBAND: (3.0, 5.0)}
"""Pitch swing of the phone each stride, walking and running."""


@dataclass(frozen=True, slots=True)
class OffBody:
    """A stretch when the phone is not on the body."""

    start_s: float
    end_s: float
    put_down: bool
    """On the console (still, flat), rather than held in the hand."""


def _mul(m: Matrix, v: Vector) -> Vector:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def _rotation(axis: Vector, degrees: float) -> Matrix:
    """Rodrigues' rotation about a unit axis."""
    x, y, z = axis
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    k = 1.0 - c
    return (
        (c + x * x * k, x * y * k - z * s, x * z * k + y * s),
        (y * x * k + z * s, c + y * y * k, y * z * k - x * s),
        (z * x * k - y * s, z * y * k + x * s, c + z * z * k),
    )


def _compose(a: Matrix, b: Matrix) -> Matrix:
    def row(i: int) -> Vector:
        x, y, z = (a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j] for j in range(3))
        return x, y, z

    return row(0), row(1), row(2)


def _mount_matrix(mount: Mount, rng: random.Random) -> Matrix:
    """Body vectors (x forward, y left, z up) into the phone's axes, for this way of wearing it."""
    side = rng.choice((-1.0, 1.0))
    if mount is Mount.ARMBAND:  # long edge along the arm, screen outward
        base: Matrix = ((0.0, side, 0.0), (0.0, 0.0, 1.0), (side, 0.0, 0.0))
    else:  # upright in a pocket or waistband, screen in or out
        base = ((side, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, -side, 0.0))
    tilt = _rotation(_unit((rng.gauss(0, 1), rng.gauss(0, 1), rng.gauss(0, 1))), rng.uniform(0.0, 20.0))
    return _compose(base, tilt)


def _unit(v: Vector) -> Vector:
    n = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2) or 1.0
    return v[0] / n, v[1] / n, v[2] / n


_HELD: Matrix = ((0.0, -1.0, 0.0), (0.6, 0.0, 0.8), (-0.8, 0.0, 0.6))
"""In the hand, screen towards the face, tipped back about 50°."""
_FLAT: Matrix = ((0.0, -1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0))
"""Lying screen up on the console."""


class BodyPhone:
    """One person's phone for one session: call :meth:`reading` at increasing times."""

    def __init__(self, seed: int, *, mount: Mount | None = None, off_body: tuple[OffBody, ...] = ()) -> None:
        """``off_body``: when it is taken out or put down (none: worn throughout)."""
        self._rng = rng = random.Random(seed)
        self.mount = mount or rng.choices(list(Mount), weights=(0.5, 0.3, 0.2))[0]
        self.off_body = off_body
        self._worn = _mount_matrix(self.mount, rng)
        self._bias = [rng.uniform(-1.0, 1.0) for _ in range(3)]
        self._compass_offset = rng.uniform(0.0, 360.0)
        self._t: float | None = None
        self._heading = 0.0
        self._stride_phase = 0.0
        self._wiggle = 0.0
        self._off_index: int | None = None
        self._tumble_axis: Vector | None = None

    @classmethod
    def drawn(cls, seed: int, duration_s: float, *, taken_out: bool) -> BodyPhone:
        """A phone worn as people do: with ``taken_out``, 1-3 times off the body (a quarter put down)."""
        rng = random.Random(seed ^ 0x9E3779B9)
        stretches: list[OffBody] = []
        if taken_out:
            for _ in range(rng.randint(1, 3)):
                start = rng.uniform(60.0, max(duration_s - 120.0, 61.0))
                put_down = rng.random() < 0.25
                length = rng.uniform(20.0, 120.0) if put_down else rng.uniform(5.0, 40.0)
                stretches.append(OffBody(start, start + length, put_down))
        stretches.sort(key=lambda s: s.start_s)
        return cls(seed, off_body=tuple(stretches))

    def _off(self, t: float) -> tuple[int, OffBody] | None:
        for index, stretch in enumerate(self.off_body):
            if stretch.start_s <= t < stretch.end_s:
                return index, stretch
        return None

    def reading(self, t: float, heading_deg: float, cadence_per_min: float, belt_kmh: float) -> MotionReading:
        """What the sensors say at ``t``, the body at ``heading_deg`` stepping at ``cadence_per_min``."""
        rng = self._rng
        dt = 0.0 if self._t is None else max(t - self._t, 1e-3)
        self._t = t
        running = belt_kmh >= 7.0
        stride_hz = cadence_per_min / 120.0
        self._stride_phase += 2.0 * math.pi * stride_hz * dt
        phase = self._stride_phase
        sway = 5.0 * math.sin(phase)
        heading = heading_deg + sway
        yaw_rate = 0.0 if dt == 0.0 else (heading - self._heading) / dt
        self._heading = heading
        bounce = (7.5 if running else 2.5) * math.sin(2.0 * phase) if cadence_per_min > 0 else 0.0

        frame, body_rate, up = self._attitude(t, dt, phase, stride_hz, yaw_rate, bounce, running=running)
        gx, gy, gz = _mul(frame, up)
        wx, wy, wz = _mul(frame, body_rate)
        for k in range(3):
            self._bias[k] = max(min(self._bias[k] + rng.gauss(0.0, 0.002), 1.0), -1.0)
        rotation = (  # alpha, beta, gamma: about x, y, z
            wx + self._bias[0] + rng.gauss(0.0, 0.2),
            wy + self._bias[1] + rng.gauss(0.0, 0.2),
            wz + self._bias[2] + rng.gauss(0.0, 0.2),
        )
        accel = (gx + rng.gauss(0.0, 0.15), gy + rng.gauss(0.0, 0.15), gz + rng.gauss(0.0, 0.15))
        magnetic = 25.0 * belt_kmh / 10.0 * math.sin(t / 7.0) + 10.0 * math.sin(t / 31.0)
        alpha = (heading + self._compass_offset + magnetic) % 360.0
        beta = math.degrees(math.atan2(gy, gz))
        gamma = math.degrees(math.asin(max(min(-gx / math.sqrt(gx * gx + gy * gy + gz * gz), 1.0), -1.0)))
        return MotionReading(rotation, accel, (alpha, beta, gamma))

    def _attitude(
        self,
        t: float,
        dt: float,
        phase: float,
        stride_hz: float,
        yaw_rate: float,
        bounce: float,
        *,
        running: bool,
    ) -> tuple[Matrix, Vector, Vector]:
        """The phone's frame, the body's rotation rate and the felt acceleration (body axes) at ``t``."""
        rng = self._rng
        off = self._off(t)
        if off is not None and off[0] != self._off_index:  # just taken out: it goes back in another way
            self._off_index = off[0]
            self._worn = _mount_matrix(self.mount, rng)
        if off is None:
            swing = _SWING_DEG[self.mount][1 if running else 0] if stride_hz > 0 else 0.0
            pitch = swing * math.sin(phase)
            pitch_rate = math.radians(swing) * 2.0 * math.pi * stride_hz * math.cos(phase)
            frame = _compose(self._worn, _rotation((0.0, 1.0, 0.0), -pitch))
            body_rate: Vector = (0.0, math.degrees(pitch_rate), yaw_rate)
            up: Vector = (0.0, 0.0, GRAVITY + bounce)
        elif off[1].put_down:
            frame, body_rate, up = _FLAT, (0.0, 0.0, 0.0), (0.0, 0.0, GRAVITY)
        else:  # held: the hand wanders, the arm damps the bounce
            step = rng.gauss(0.0, 25.0) * dt
            self._wiggle = max(min(self._wiggle + step, 40.0), -40.0)
            frame = _compose(_HELD, _rotation((0.0, 0.0, 1.0), self._wiggle))
            body_rate = (rng.gauss(0.0, 8.0), rng.gauss(0.0, 8.0), yaw_rate + (step / dt if dt else 0.0))
            up = (0.0, 0.0, GRAVITY + 0.3 * bounce)
        if off is not None and (moved := min(t - off[1].start_s, off[1].end_s - t)) < HANDLING_S:
            # the hand moving it: lifted out of the pocket (or down to it), tipped up to 90° about a
            # level axis on the way
            if self._tumble_axis is None or moved < 1.0 / PHONE_RATE_HZ:
                bearing = rng.uniform(0.0, 2.0 * math.pi)
                self._tumble_axis = (math.cos(bearing), math.sin(bearing), 0.0)
            x = moved / HANDLING_S
            angle = 90.0 * math.sin(math.pi * x)
            rate = 90.0 * math.pi / HANDLING_S * math.cos(math.pi * x)
            if t - off[1].start_s > off[1].end_s - t:
                rate = -rate
            frame = _compose(frame, _rotation(self._tumble_axis, angle))
            axis = self._tumble_axis
            body_rate = (axis[0] * rate, axis[1] * rate, axis[2] * rate + yaw_rate)
        return frame, body_rate, up


async def stream(
    phone: BodyPhone, world: VirtualWorld, clock: SessionClock, deliver: Callable[[Frame], Awaitable[None]]
) -> None:
    """The phone's readings at :data:`PHONE_RATE_HZ` of session time, from the runner, until cancelled."""
    t = clock.now()
    while True:
        t += 1.0 / PHONE_RATE_HZ
        await clock.sleep_until(t)
        now = clock.now()  # later than t on a busy machine: the reading is of now
        runner = world.runner
        reading = phone.reading(now, runner.heading_at(now), runner.cadence_per_min, world.machine.speed_kmh)
        await deliver(reading.frame(now))

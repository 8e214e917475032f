"""A seeded model of a person on a treadmill who walks or runs forward and backward.

Pure Python, no I/O, no clock: :meth:`Runner.step` advances the person by ``dt`` seconds of
session time and returns what they did. The numbers and their sources are in
docs/physiology.md:

* speeds: backward is usually chosen slower than forward, from about 30 % (a runner who
  walks backward) to 95 % (a practised backward runner); the bands overlap;
* stride and cadence: walking and running are different curves, with a jump at the
  walk-run transition (forward about 7 km/h, backward 5.9 km/h, Hreljac et al. 2005); at
  the same belt speed, backward steps are shorter and quicker; each person's cadence sits
  a few percent above or below the typical curves;
* heart rate: first order toward a steady state, time constant about 58 s and gain about
  24 bpm per m/s (Hunt et al. 2015), backward adding 25-45 bpm at the same speed;
* turning: most people slow the belt (a dip to 1-3 km/h) or stop it to turn, some turn at
  speed; the turn itself takes a couple of seconds.

A person follows a :class:`RunnerPlan` (the app's cues), with a reaction time, and may be
late, turn before the cue, or skip a turn; with no plan they switch when they feel like it.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass, field
from typing import TypedDict

from treadmill.model import MOVING_FROM_KMH, CueDirection, Direction, Facing

__all__ = [
    "Leg",
    "Person",
    "Press",
    "Runner",
    "RunnerPlan",
    "RunnerState",
    "TurnStyle",
]


class TurnStyle(enum.StrEnum):
    """How a person turns around."""

    SLOW_DOWN = "slow_down"
    """Press the speed down to a walking pace, turn, build up again."""
    STOP = "stop"
    """Stop the belt, turn, start it again."""
    AT_SPEED = "at_speed"
    """Turn without touching the speed, then adjust it."""


@dataclass(frozen=True, slots=True)
class Leg:
    """A leg of the virtual runner's plan: a direction for a time, at a speed (None: own pace)."""

    direction: Facing
    duration_s: float
    speed_kmh: float | None = None
    incline_pct: float | None = None
    """The incline the person sets for this leg (None: leaves it as it is)."""


@dataclass(frozen=True, slots=True)
class RunnerPlan:
    """The legs the person is cued through, in order: a direction, for a time, at a speed."""

    legs: tuple[Leg, ...]

    @property
    def duration_s(self) -> float:
        """Total planned time."""
        return sum(i.duration_s for i in self.legs)

    def at(self, t: float) -> tuple[int, Leg] | None:
        """The leg planned at session time ``t`` (None after the end)."""
        start = 0.0
        for index, leg in enumerate(self.legs):
            if t < start + leg.duration_s:
                return index, leg
            start += leg.duration_s
        return None

    def cues(self, start_s: float = 0.0) -> list[tuple[float, CueDirection]]:
        """The plan's turns (time, direction) when it starts at ``start_s``: when the app cues them."""
        cues: list[tuple[float, CueDirection]] = []
        facing = Facing.FORWARD
        for start, leg in zip(self.starts(), self.legs, strict=True):
            if leg.direction is not facing:
                cues.append((start_s + start, CueDirection(leg.direction.value)))
                facing = leg.direction
        return cues

    def starts(self) -> list[float]:
        """Session time at which each leg starts."""
        out, t = [], 0.0
        for leg in self.legs:
            out.append(t)
            t += leg.duration_s
        return out

    @classmethod
    def demo(cls, rounds: int = 6) -> RunnerPlan:
        """The demo workout: a short warm-up, then reverse and forward intervals."""
        steps = [Leg(Facing.FORWARD, 30.0, 4.0)]
        for _ in range(rounds):
            steps += [Leg(Facing.REVERSE, 60.0, 2.5), Leg(Facing.FORWARD, 90.0, 4.5)]
        steps.append(Leg(Facing.FORWARD, 60.0, 3.5))
        return cls(tuple(steps))


class BodyDraw(TypedDict):
    """A person's heart and backward step rate, drawn by :func:`draw_body`."""

    hr_rest_bpm: float
    hr_max_bpm: float
    hr_gain_bpm_per_mps: float
    hr_tau_s: float
    reverse_hr_extra_bpm: float
    reverse_cadence_factor: float


def draw_body(rng: random.Random, age: float) -> BodyDraw:
    """Heart-rate response and backward step rate of someone of ``age``.

    The ranges are the ones :class:`Person` documents; the maximum is Tanaka's 208 - 0.7 x age.
    """
    return BodyDraw(
        hr_rest_bpm=rng.uniform(52, 78),
        hr_max_bpm=208 - 0.7 * age,
        hr_gain_bpm_per_mps=max(8.0, rng.gauss(24.2, 8.3)),
        hr_tau_s=min(max(rng.gauss(57.6, 23.6), 20.0), 120.0),
        reverse_hr_extra_bpm=rng.uniform(25, 45),
        reverse_cadence_factor=rng.uniform(1.08, 1.3),
    )


@dataclass(frozen=True, slots=True)
class Person:
    """Who is on the belt. :meth:`sample` draws a varied, plausible one from a seed."""

    forward_speed_kmh: float = 5.0
    reverse_factor: float = 0.7
    """Chosen backward speed / forward speed (from about 0.3 to 0.95 across people)."""
    turn_style: TurnStyle = TurnStyle.SLOW_DOWN
    turn_speed_kmh: float = 2.0
    turn_duration_s: float = 2.5
    reaction_s: float = 2.0
    """Delay between a cue and the first action."""
    late_s: float = 0.0
    """Extra delay on every turn after its cue."""
    early_s: float = 0.0
    """Turns this long before the planned change, ahead of the cue (0: waits for it)."""
    skip_probability: float = 0.0
    """Chance of ignoring a cued turn and staying in the current direction."""
    pause_probability: float = 0.0
    """Chance per leg of a 5-20 s pause mid-leg (a drink, a shoelace), going on the same way."""
    hr_rest_bpm: float = 65.0
    hr_max_bpm: float = 185.0
    hr_gain_bpm_per_mps: float = 24.2
    """Hunt et al. 2015: 24.2 ± 8.3 bpm per m/s."""
    hr_tau_s: float = 58.0
    """Hunt et al. 2015: 57.6 ± 23.6 s."""
    reverse_hr_extra_bpm: float = 35.0
    """Steady-state extra heart rate backward at the same speed (25-45 bpm)."""
    reverse_cadence_factor: float = 1.18
    """Backward step rate / forward step rate at the same belt speed."""
    cadence_scale: float = 1.0
    """This person's step rate / the typical one at the same speed and gait."""
    run_from_kmh: float = 7.2
    """Forward, this person breaks into a run from this belt speed."""
    reverse_run_from_kmh: float = 5.9
    """Backward, from this one (Hreljac et al. 2005: 1.63 m/s)."""
    follows_plan_speeds: bool = True
    """False: sets their own pace on the console rather than the plan's."""
    presses_speed: bool = True
    """False: leaves the speed to the app (control on); presses only Start and Stop, and turns
    once the app has slowed the belt to a walk (at most 2 km/h, or their own turn speed)."""

    @classmethod
    def sample(cls, rng: random.Random) -> Person:
        """A person drawn from plausible ranges (the virtual treadmill's default population)."""
        runner = rng.random() < 0.35
        forward = rng.uniform(8.0, 11.5) if runner else rng.uniform(3.8, 6.2)
        age = rng.uniform(20, 65)
        return cls(
            forward_speed_kmh=round(forward, 1),
            reverse_factor=rng.uniform(0.6, 0.8),
            turn_style=rng.choices(list(TurnStyle), weights=(0.6, 0.25, 0.15))[0],
            turn_speed_kmh=round(rng.uniform(1.0, 3.0), 1),
            turn_duration_s=rng.uniform(1.5, 4.0),
            reaction_s=rng.uniform(0.8, 4.0),
            late_s=rng.choice((0.0, 0.0, 0.0, rng.uniform(2.0, 12.0), -rng.uniform(1.0, 5.0))),
            skip_probability=rng.choice((0.0, 0.0, 0.05, 0.15)),
            pause_probability=rng.choice((0.0, 0.0, 0.1, 0.25)),
            **draw_body(rng, age),
            follows_plan_speeds=rng.random() < 0.8,
        )

    def own_speed_kmh(self, facing: Facing) -> float:
        """The speed this person picks facing ``facing`` when left alone."""
        return self.forward_speed_kmh * (self.reverse_factor if facing is Facing.REVERSE else 1.0)


class Press(enum.StrEnum):
    """A key the person presses on the console this step."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    """Stop the belt for a moment (to turn); Start resumes the same session."""
    SET_SPEED = "set_speed"
    SET_INCLINE = "set_incline"


@dataclass(slots=True)
class RunnerState:
    """The person's body this step: what sensors could see, and the truth."""

    direction: Direction
    heart_rate_bpm: float
    cadence_per_min: float
    """Step rate, 0 when standing."""
    presses: list[tuple[Press, float]] = field(default_factory=list)
    """Console presses made this step: (key, value), the value the target speed or incline."""


class Runner:
    """A person following (or not) a plan on a belt they control from the console.

    Each :meth:`step` takes the belt's current speed (what the treadmill reports) and
    returns the person's state and console presses. Deterministic for a given seed.
    """

    START_DELAY_S = 3.0
    """The person presses Start this long after the session begins; their plan's clock starts then."""

    def __init__(
        self, person: Person, plan: RunnerPlan | None, *, seed: int, duration_s: float | None = None
    ) -> None:
        """``plan`` None is a free run: switches at the person's whim until ``duration_s``."""
        self.person = person
        self.plan = plan or self._free_plan(person, random.Random(seed ^ 0x5EED), duration_s or 1800.0)
        self.free_run = plan is None
        self._rng = random.Random(seed)
        self._hr = person.hr_rest_bpm
        self._facing = Facing.FORWARD
        self._phase = "idle"
        self._phase_until = 0.0
        self._pending_turn_at: float | None = None
        self._leg_index = -1
        self._target_kmh = 0.0
        self._after_turn_kmh = 0.0
        self._skipped: set[int] = set()
        self._anticipated: int | None = None
        self._pause_at: float | None = None
        self._pause_for = 0.0
        self._held_s = 0.0
        self._heading = 0.0
        self._turn_from: tuple[float, float, float] | None = None
        """The turn under way: when it began, the heading then, and +1 or -1 (left or right)."""
        self._sides = random.Random(seed ^ 0x7A3)
        self.cadence_per_min = 0.0
        """The step rate of the last step (what a worn sensor feels)."""
        """Time the belt stood still with the person waiting on it: their plan waits as long."""

    def wait(self, dt: float) -> None:
        """The belt was stopped by someone else (the app): the person stands and their plan waits."""
        if self._phase == "steady":
            self._held_s += dt

    def _plan_t(self, t: float) -> float:
        """Where the person is in their plan at session time ``t``."""
        return t - self.START_DELAY_S - self._held_s

    @staticmethod
    def _free_plan(person: Person, rng: random.Random, duration_s: float) -> RunnerPlan:
        """Switches at random: forward blocks of 1-5 min, reverse blocks of 0.5-3 min."""
        steps: list[Leg] = []
        t, direction = 0.0, Facing.FORWARD
        while t < duration_s:
            length = rng.uniform(60, 300) if direction is Facing.FORWARD else rng.uniform(30, 180)
            length = min(length, duration_s - t)
            speed = person.own_speed_kmh(direction) * rng.uniform(0.9, 1.1)
            steps.append(Leg(direction, length, round(speed, 1)))
            t += length
            direction = direction.other
        return RunnerPlan(tuple(steps))

    @property
    def facing(self) -> Facing:
        """The way the person faces right now (even on a stopped belt)."""
        return self._facing

    def heading_at(self, t: float) -> float:
        """The body's heading at ``t`` (no later than the next step), degrees from where it began.

        A turn sweeps 180° to one side, smoothly (no jerk at either end), over the person's
        turn duration; which side is a coin toss per turn.
        """
        if self._turn_from is None:
            return self._heading
        start, heading, side = self._turn_from
        x = min(max((t - start) / self.person.turn_duration_s, 0.0), 1.0)
        return heading + side * 180.0 * x * x * (3.0 - 2.0 * x)

    def _begin_turn(self, t: float) -> None:
        self._phase, self._phase_until = "turning", t + self.person.turn_duration_s
        self._turn_from = (t, self._heading, self._sides.choice((-1.0, 1.0)))

    def _leg_speed(self, leg: Leg) -> float:
        if leg.speed_kmh is not None and self.person.follows_plan_speeds:
            return leg.speed_kmh
        return round(self.person.own_speed_kmh(leg.direction) * self._rng.uniform(0.95, 1.05), 1)

    def _cadence(self, belt_kmh: float, moving: Direction) -> float:
        if moving is Direction.STOPPED or belt_kmh < MOVING_FROM_KMH:
            return 0.0
        # Walking cadence rises with speed, running cadence barely; backward people break into a
        # run sooner than forward.
        p = self.person
        run_from = p.reverse_run_from_kmh if moving is Direction.REVERSE else p.run_from_kmh
        base = 80.0 + 6.5 * belt_kmh if belt_kmh < run_from else 150.0 + 2.5 * belt_kmh
        base *= p.cadence_scale
        if moving is Direction.REVERSE:
            base *= p.reverse_cadence_factor
        return max(base + self._rng.gauss(0.0, 1.5), 0.0)

    def _heart_rate(self, dt: float, belt_kmh: float, moving: Direction) -> float:
        p = self.person
        steady = p.hr_rest_bpm
        if moving is not Direction.STOPPED:
            steady += p.hr_gain_bpm_per_mps * belt_kmh / 3.6
            if moving is Direction.REVERSE:
                steady += p.reverse_hr_extra_bpm * min(belt_kmh / 4.0, 1.2)
        steady = min(steady, p.hr_max_bpm)
        self._hr += (steady - self._hr) * (1.0 - math.exp(-dt / p.hr_tau_s))
        return self._hr + self._rng.gauss(0.0, 0.8)

    def _plan_step(self, t: float, presses: list[tuple[Press, float]]) -> None:
        """React to the leg planned now: schedule a turn or a speed change."""
        current = self.plan.at(self._plan_t(t))
        if current is None:
            if self._phase == "steady" and self._target_kmh > 0:
                presses.append((Press.STOP, 0.0))
                self._phase, self._target_kmh = "idle", 0.0
            return
        index, leg = current
        if index == self._leg_index:
            return
        self._leg_index = index
        speed = self._leg_speed(leg)
        self._press_incline(presses, leg)
        if index == self._anticipated:  # dealt with ahead of the cue: turned early, or chose not to
            if index not in self._skipped:
                self._target_kmh = self._after_turn_kmh
            return
        if self._rng.random() < self.person.pause_probability and leg.duration_s > 40:
            self._pause_at = t + self._rng.uniform(20.0, leg.duration_s - 15.0)
            self._pause_for = self._rng.uniform(5.0, 20.0)
        if leg.direction is not self._facing:
            if index in self._skipped or self._rng.random() < self.person.skip_probability:
                self._skipped.add(index)
                return
            delay = max(self.person.reaction_s + self.person.late_s, 0.3)
            self._pending_turn_at = t + delay
            self._after_turn_kmh = speed
        else:
            self._pending_turn_at = None
            self._target_kmh = speed
            if self._phase == "steady":
                self._press_speed(presses, speed)

    def _anticipate(self, t: float) -> None:
        """A person who turns early: the turn starts ``early_s`` before the planned change."""
        early = self.person.early_s
        if early <= 0 or self.free_run or self._pending_turn_at is not None or self._phase != "steady":
            return
        ahead = self.plan.at(self._plan_t(t) + early)
        if ahead is None:
            return
        index, leg = ahead
        if index <= self._leg_index or index == self._anticipated or leg.direction is self._facing:
            return
        if self._rng.random() < self.person.skip_probability:
            self._skipped.add(index)
            self._anticipated = index
            return
        self._anticipated = index
        self._pending_turn_at = t
        self._after_turn_kmh = self._leg_speed(leg)

    def _press_speed(self, presses: list[tuple[Press, float]], kmh: float) -> None:
        if self.person.presses_speed:
            presses.append((Press.SET_SPEED, kmh))

    def _press_incline(self, presses: list[tuple[Press, float]], leg: Leg) -> None:
        if leg.incline_pct is not None and self.person.presses_speed:
            presses.append((Press.SET_INCLINE, leg.incline_pct))

    def _start(self, presses: list[tuple[Press, float]]) -> None:
        """Step on (facing the first leg's way) and start the belt at its speed and incline."""
        presses.append((Press.START, 0.0))
        first = self.plan.legs[0]
        if first.direction is Facing.REVERSE:
            self._facing = Facing.REVERSE  # steps on facing backward, then starts the belt
        self._leg_index = 0
        self._target_kmh = self._leg_speed(first)
        self._press_speed(presses, self._target_kmh)
        self._press_incline(presses, first)
        self._phase = "steady"

    def _turn_below_kmh(self) -> float:
        """The belt speed at which the person turns."""
        p = self.person
        return p.turn_speed_kmh if p.presses_speed else max(p.turn_speed_kmh, 2.0)

    def _mid_leg_pause(self, t: float, presses: list[tuple[Press, float]]) -> None:
        """A pause that is not a turn: stop the belt, stand, start again the same way."""
        if self._pause_at is None or t < self._pause_at or self._pending_turn_at is not None:
            return
        if self._phase == "steady":
            presses.append((Press.PAUSE, 0.0))
            self._phase = "pausing"
        elif self._phase == "pausing" and t >= self._pause_at + self._pause_for:
            presses.append((Press.START, 0.0))
            self._press_speed(presses, self._target_kmh)
            self._phase = "steady"
            self._pause_at = None

    def step(self, t: float, dt: float, belt_kmh: float) -> RunnerState:
        """Advance to session time ``t`` (``dt`` since the last step) given the belt speed."""
        presses: list[tuple[Press, float]] = []
        p = self.person
        if self._phase == "idle" and self._leg_index < 0 and t >= self.START_DELAY_S:
            self._start(presses)
        elif self._phase != "idle" or self._leg_index >= 0:
            self._plan_step(t, presses)
            self._anticipate(t)

        if self._pending_turn_at is not None and t >= self._pending_turn_at and self._phase == "steady":
            self._pending_turn_at = None
            if p.turn_style is TurnStyle.SLOW_DOWN or not p.presses_speed:
                self._press_speed(presses, p.turn_speed_kmh)
                self._phase = "slowing"
            elif p.turn_style is TurnStyle.STOP:
                presses.append((Press.PAUSE, 0.0))
                self._phase = "stopping"
            else:
                self._begin_turn(t)
        elif (self._phase == "slowing" and belt_kmh <= self._turn_below_kmh() + 0.15) or (
            self._phase == "stopping" and belt_kmh <= 0.05
        ):
            self._begin_turn(t)
        elif self._phase == "turning" and t >= self._phase_until:
            self._heading, self._turn_from = self.heading_at(t), None
            self._facing = self._facing.other
            self._target_kmh = self._after_turn_kmh
            if p.turn_style is TurnStyle.STOP and p.presses_speed:
                presses.append((Press.START, 0.0))
            self._press_speed(presses, self._target_kmh)
            self._phase = "steady"

        self._mid_leg_pause(t, presses)
        moving = Direction.facing(self._facing) if belt_kmh >= MOVING_FROM_KMH else Direction.STOPPED
        heart_rate = self._heart_rate(dt, belt_kmh, moving)
        self.cadence_per_min = self._cadence(belt_kmh, moving)
        return RunnerState(moving, heart_rate, self.cadence_per_min, presses)

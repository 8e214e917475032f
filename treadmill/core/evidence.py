"""What each signal says about the way a person faces: one likelihood each, its numbers named.

Two kinds of evidence, weighed by :mod:`treadmill.core.posterior`:

* **At a transition** (:mod:`treadmill.core.segments`): how likely a turn is there at all (a
  cue, the session so far), the transition's shape, the new speed against the old, the new
  speed itself, and this person's own levels and turns so far.
* **On a plateau**, sample by sample: the step rate (a footpod's cadence, or the treadmill's
  own step count) against this person's forward step rate at that speed; a footpod's speed
  against the belt's; the incline against the inclines this person walked each way.

Everything about the person is measured on them, while the facing is **anchored**: settled
by something other than the evidence being learned (the session's start, a mark, a turn the
app cued and the belt confirmed). Population curves are only the prior until then, and a
person far from typical (20 % either way, from leg length alone) is learned like any other:
plausibility bounds the learning, not a band around the population. Evidence beyond the
model is never dropped as noise: a step rate far above this person's forward one says
backward, the more so the further it is.

Pure Python on floats: no I/O, no clock.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from dataclasses import dataclass, field

from treadmill.core.segments import Shape

__all__ = [
    "CUED_SHAPE_LIKELIHOOD",
    "SHAPE_LIKELIHOOD",
    "WORKOUT_SHAPE_LIKELIHOOD",
    "InclineModel",
    "JumpWatch",
    "Levels",
    "PodSpeedModel",
    "StepCounter",
    "StrideModel",
    "TurnShapes",
    "forward_rate_anyone",
    "log_sum",
    "speed_level_log_ratio",
    "speed_ratio_likelihoods",
]

F, R = 0, 1
"""Forward and reverse, as indices."""


def log_sum(*terms: float) -> float:
    """log(sum(exp(terms))), safely."""
    top = max(terms)
    return top + math.log(sum(math.exp(x - top) for x in terms))


def _log_normal_pdf(x: float, mean: float, sd: float) -> float:
    z = (x - mean) / sd
    return -0.5 * z * z - math.log(sd)


def logistic(x: float) -> float:
    """1 / (1 + e^-x), safely."""
    return 1.0 / (1.0 + math.exp(-x)) if x > -40 else 0.0


# --- the transition's shape --------------------------------------------------------------------

SHAPE_LIKELIHOOD: dict[Shape, tuple[float, float]] = {
    Shape.DIP: (0.6, 0.005),
    Shape.STOP: (0.25, 0.15),
    Shape.STEP: (0.2, 0.6),
    Shape.RETURN: (0.05, 0.26),
    Shape.CADENCE: (0.5, 0.05),
}
"""P(shape | turn), P(shape | no turn), in a session the app does not cue. Our choice, from how
people turn (most slow the belt to a walk or stop it; some turn at speed: reverse-running
guidance tells beginners to slow to about 2 km/h and hold the rails, docs/safety.md) and how
forward sessions change speed (plain steps, recoveries, pauses that come back)."""
CUED_SHAPE_LIKELIHOOD: dict[Shape, tuple[float, float]] = {
    Shape.DIP: (0.5, 0.1),
    Shape.STOP: (0.3, 0.1),
    Shape.STEP: (0.2, 0.1),
    Shape.RETURN: (0.05, 0.5),
    Shape.CADENCE: (0.5, 0.05),
}
"""The same just after a cue: people who turn at speed then set the new interval's speed,
so a plain step is nearly as likely from a turn as from anything else."""
WORKOUT_SHAPE_LIKELIHOOD: dict[Shape, tuple[float, float]] = {**SHAPE_LIKELIHOOD, Shape.DIP: (0.6, 0.05)}
"""The same in a workout, away from any cue: a dip with no turn in it is a pause resumed before the
belt stopped, ten times likelier than in a forward session (the workout's low turn prior already
says how rare an uncued turn is; the shape must not say it twice). Our choice."""
QUIET_LIKELIHOOD = (0.15, 0.6)
"""P(no change of speed at all | turned at the cue), P(... | did not turn): those who turn at
speed usually set the new interval's speed soon after; those who skip carry on. Our choice."""
UNSEEN_TURN_AT_SPEED = 0.2
"""P(a footpod reading all along sees no jump in the step rate or its speed | turned at speed):
the jump watch misses only people whose steps backward are within 6 % of forward ones at that
speed (near-equal walkers whose footpod reads backward speed right). Our choice."""
REACTION_S = 2.5
"""From a cue to the turn, for someone who turns at speed (people react in 1-4 s)."""
_OWN_SHAPE_WEIGHT = 4.0
"""How many turns the shape table counts as, beside this person's own confirmed turns."""


@dataclass(slots=True)
class TurnShapes:
    """How this person's confirmed turns looked.

    A person who always stops to turn makes a stop more likely a turn, and a dip less so.
    """

    counts: dict[Shape, int] = field(default_factory=dict)
    at_speed: int = 0
    """Confirmed turns plainly made at speed: a plain change of level upward."""
    slowed: int = 0
    """... plainly made after slowing the belt: a dip or a stop."""

    def confirmed(self, shape: Shape, *, rose_from_speed: bool) -> None:
        """A turn the facing was anchored on (a cue the belt confirmed, a mark) looked like ``shape``.

        ``rose_from_speed``: the belt went up from faster than people slow to for a turn.
        """
        self.counts[shape] = self.counts.get(shape, 0) + 1
        if shape in (Shape.DIP, Shape.STOP):
            self.slowed += 1
        elif shape is Shape.STEP and rose_from_speed:
            self.at_speed += 1

    def at_speed_share(self) -> float:
        """The chance this person turns at speed rather than after slowing down.

        Even, until their own turns say (each counted against one even prior turn).
        """
        return (self.at_speed + 0.5) / (self.at_speed + self.slowed + 1.0)

    def if_turn(self, shape: Shape, table: dict[Shape, tuple[float, float]]) -> float:
        """P(shape | turn) for this person: the table's, moved towards their own turns."""
        total = sum(self.counts.values())
        prior = table[shape][0]
        return (self.counts.get(shape, 0) + _OWN_SHAPE_WEIGHT * prior) / (total + _OWN_SHAPE_WEIGHT)


# --- the new speed against the old --------------------------------------------------------------

BACKWARD_RATIO = ((0.85, math.log(0.72), 0.2), (0.15, math.log(0.3), 0.25))
"""Backward speed / forward speed across people (share, log-mean, log-sd): most about 0.6-0.9,
and runners who walk backward about 0.3 (docs/physiology.md); almost never faster backward."""
FORWARD_CHANGES = ((0.6, 0.15), (0.4, 0.7))
"""How a forward session changes speed at a transition, log-normal mixture (share, log-sd): small
adjustments, and runs to walks and back (recoveries at 30-65 %, walk breaks)."""
_RATIO_CAP = 3.0
"""At most e^3 (20 to one) from the ratio alone."""


def speed_ratio_likelihoods(ratio: float) -> tuple[float, float]:
    """Likelihood of new/old speed for a turn forward->backward and one backward->forward.

    Each relative to the same ratio with no turn (a forward session changing speed).
    """
    x = math.log(max(ratio, 1e-3))
    small, large = FORWARD_CHANGES
    same = log_sum(
        math.log(small[0]) + _log_normal_pdf(x, 0.0, small[1]),
        math.log(large[0]) + _log_normal_pdf(x, 0.0, large[1]),
    )

    def slower(y: float) -> float:  # below 0.98, falling off fast above it
        ceiling = math.log(0.98)
        level = min(y, ceiling)
        density = log_sum(
            *(math.log(share) + _log_normal_pdf(level, mean, sd) for share, mean, sd in BACKWARD_RATIO)
        )
        return density - (0.5 * ((y - ceiling) / 0.04) ** 2 if y > ceiling else 0.0)

    return math.exp(min(slower(x) - same, _RATIO_CAP)), math.exp(min(slower(-x) - same, _RATIO_CAP))


# --- the new speed itself -----------------------------------------------------------------------

BACKWARD_SPEED = (math.log(2.8), 0.3)
"""Backward speeds: median 2.8 km/h, log-sd 0.3 (about 1.5-5 km/h; docs/physiology.md)."""
FORWARD_WALK = (math.log(5.0), 0.2)
FORWARD_RUN = (math.log(10.0), 0.22)
FORWARD_RUN_SHARE = 0.4
SPEED_TAIL = 0.04
"""Share of either direction spread evenly over 0-20 km/h (trained backward runners,
rehabilitation walkers forward)."""
LEVEL_CAP = math.log(2.0)
"""The new speed alone never shifts the odds more than two to one: practised backward runners
come within 5-15 % of their forward pace, slow walkers walk forward at 3 km/h."""
FASTEST_BACKWARD_KMH = 10.0
"""Beyond this, backward is beyond what trained backward runners do (about 9.7 km/h, Flynn et
al. 1994)."""
SURELY_FORWARD_KMH = 11.0
"""On a plateau this fast, the person faces forward (well beyond the fastest backward runners)."""


def speed_level_log_ratio(speed_kmh: float, cap: float = LEVEL_CAP) -> float:
    """Log P(speed | backward) - log P(speed | forward), from what people choose each way.

    Within ``cap`` (two to one) below 10 km/h; beyond it, ever more surely forward.
    """
    v = max(speed_kmh, 0.3)
    x = math.log(v)
    tail = math.log(SPEED_TAIL / 20.0)
    backward = log_sum(math.log(1 - SPEED_TAIL) + _log_normal_pdf(x, *BACKWARD_SPEED) - x, tail)
    walk = math.log((1 - FORWARD_RUN_SHARE) * (1 - SPEED_TAIL)) + _log_normal_pdf(x, *FORWARD_WALK) - x
    run = math.log(FORWARD_RUN_SHARE * (1 - SPEED_TAIL)) + _log_normal_pdf(x, *FORWARD_RUN) - x
    forward = log_sum(log_sum(walk, run), tail)
    ratio = min(max(backward - forward, -cap), cap)
    if v > FASTEST_BACKWARD_KMH:
        ratio = max(-cap - 2.0 * (v - FASTEST_BACKWARD_KMH), -math.log(50.0))
    return ratio


SAME_LEVEL = 0.2
"""Within +-20 % of a speed this person held facing one way (anchored) is "their level"."""
ONE_SIDED = math.log(1.5)
"""A speed this person held anchored one way, before any anchored stretch the other way: weak
evidence for that way (the other may be as fast: near-equal walkers). Our choice."""
OWN_LEVEL = math.log(3.0)
"""... which counts three to one for that way, once both ways' levels are known (our choice)."""


@dataclass(slots=True)
class Levels:
    """The speeds this person held, anchored, each way; and every level the session held."""

    own: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))
    session: list[float] = field(default_factory=list)

    def held(self, speed_kmh: float, facing: int | None) -> None:
        """A plateau ended at ``speed_kmh``; ``facing`` when it was anchored (else None)."""
        self.session.append(speed_kmh)
        del self.session[:-20]
        if facing is not None:
            levels = self.own[facing]
            levels.append(speed_kmh)
            del levels[:-6]

    def beyond_backward(self, speed_kmh: float) -> bool:
        """Faster than any level this person held anchored backward, by more than "their level"."""
        backward = self.own[R]
        return bool(backward) and speed_kmh > max(backward) * math.exp(SAME_LEVEL)

    def novel(self, speed_kmh: float) -> bool:
        """A level this session has not held (the same walking speed seen again is not fresh evidence)."""
        return all(abs(math.log(speed_kmh / level)) > SAME_LEVEL for level in self.session)

    def log_ratio(self, speed_kmh: float) -> float:
        """Evidence of the new speed: what people choose each way, and this person's anchored levels.

        What people choose counts only for a level this session has not held: the same walking
        speed seen again is not fresh evidence (it would pile up, stop after stop).
        """
        population = speed_level_log_ratio(speed_kmh) if self.novel(speed_kmh) else 0.0
        near = [any(abs(math.log(speed_kmh / level)) < SAME_LEVEL for level in way) for way in self.own]
        if not all(self.own):  # one way's levels alone: its own speed again says a little
            one = ONE_SIDED if self.own[R] else -ONE_SIDED
            return min(max(population + (one if any(near) else 0.0), -LEVEL_CAP), LEVEL_CAP)
        if near[F] == near[R]:
            return population
        own = OWN_LEVEL if near[R] else -OWN_LEVEL
        return min(max(0.5 * population + own, -LEVEL_CAP), LEVEL_CAP)


# --- the step rate -------------------------------------------------------------------------------


def walk_cadence(speed_kmh: float) -> float:
    """Typical forward walking step rate (steps/min) on a treadmill: about 100 at 4 km/h, 119 at 6."""
    return 62.0 + 9.5 * speed_kmh


def run_cadence(speed_kmh: float) -> float:
    """Typical forward running step rate: about 163 at 7 km/h, 174 at 10, 188 at 14."""
    return 138.0 + 3.6 * speed_kmh


def run_share(speed_kmh: float, facing: int) -> float:
    """Chance of running rather than walking at this speed.

    Forward from about 6.8 km/h, backward from 5.9 km/h (Hreljac et al. 2005).
    """
    if facing == F:
        return logistic((speed_kmh - 6.8) / 0.6)
    return logistic((speed_kmh - 5.9) / 0.4)


WALK, RUN = 0, 1
"""The gaits, as indices."""
PERSON_SPREAD = 0.12
"""Log-sd of a person's step rate about the typical curve before they are measured: people
differ by up to 20 % either way (leg length alone), so the population curve is a weak prior."""
PROFILE_SD = 0.06
"""Log-sd of a person's step rate about what an earlier session measured on them (shoes, fatigue,
a different treadmill change it a little)."""
MEASURED_SD = 0.035
"""Log-sd of a person's step rate about what was measured on them, at the same speed."""
KNOWN_SD = 0.06
"""A measured forward rate this sure (near the speeds measured) can speak against an anchor."""
AWAY_SD_PER_LOG = 0.2
"""... growing by this per unit of log speed away from the speeds measured (step length and
rate change with speed in ways that differ between people)."""
OTHER_GAIT_SD = 0.07
"""A gait not yet measured, predicted from the other one's offset (people with short legs step
quickly in both): this much extra spread."""
MAX_OFFSET = 0.45
"""A measured forward step rate is believed between e^-0.45 and e^0.45 of the typical one (a
factor of about 0.64-1.57): the bounds are what a step rate can plausibly be, not a band."""
BACKWARD_SHIFTS = ((0.3, 0.08), (0.3, 0.16), (0.2, 0.26), (0.2, 0.45))
"""Backward, steps are shorter and quicker at the same belt speed (Cavagna et al. 2012; Wright &
Weyand 2001): (share, log shift of the step rate over the forward one). Not published for
treadmills; our choice, wide: some shuffle backward at 1.5-1.8 times their forward rate."""
BACKWARD_SHIFT_SD = 0.06
"""Spread of each backward shift component (log)."""
OWN_SHIFT_SD = 0.05
"""... once this person's backward step rate was measured on an anchored backward stretch."""
PLATEAU_CAP = 8.0
"""At most this much log-evidence (3000 to one) from one plateau's step rate."""
READING_SD = 0.04
"""Log-sd of one step-rate reading about the plateau's own rate (a footpod's jitter, a stumble)."""
PLAUSIBLE_STEPS = (30.0, 300.0)
"""Steps a minute a human body makes on a belt; outside, the reading is not a step rate."""
GAIT_MARGIN = math.log(4.0)
"""A gait is plain when it fits the measured rate four times better than the other."""
UNIT_FROM_KMH = 2.5
"""Readings at a slower belt say nothing of the unit: a watch or pod is still finding the rhythm."""
UNIT_MARGIN = math.log(4.0)
"""One reading's evidence of the unit counts at most four to one (a stumble, a pod finding its feet)."""
UNIT_PRIOR = math.log(3.0)
"""Most footpods send steps a minute, as the RSC profile asks: strides need three to one more."""
UNIT_OBVIOUS = math.log(1000.0)
"""... and is read in its own unit, whatever the vote, when the other is absurd (212 steps a
minute at a 5 km/h walk is a watch's strides doubled)."""


def _gait_fits(speed_kmh: float, steps_per_min: float) -> tuple[float, float]:
    """Log-likelihood of a forward step rate as a walk and as a run at this speed, anyone's."""
    x, running = math.log(steps_per_min), run_share(speed_kmh, F)
    walk = math.log(max(1 - running, 1e-6)) + _log_normal_pdf(
        x, math.log(walk_cadence(speed_kmh)), PERSON_SPREAD
    )
    run = math.log(max(running, 1e-6)) + _log_normal_pdf(x, math.log(run_cadence(speed_kmh)), PERSON_SPREAD)
    return walk, run


def forward_fit(speed_kmh: float, steps_per_min: float) -> float:
    """Log-likelihood of a forward step rate at this speed, walking or running (anyone's)."""
    return log_sum(*_gait_fits(speed_kmh, steps_per_min))


@functools.lru_cache(maxsize=4096)
def _unit_margin(speed_kmh: float, reading: float) -> float:
    """Log-evidence that a reading counts strides rather than steps, at this speed.

    Cached: a footpod sends whole numbers and the belt speed is rounded to tenths, so they repeat.
    """
    return forward_fit(speed_kmh, 2.0 * reading) - forward_fit(speed_kmh, reading)


def forward_rate_anyone(speed_kmh: float) -> float:
    """Anyone's typical forward step rate at this speed (the likelier gait's curve)."""
    return run_cadence(speed_kmh) if run_share(speed_kmh, F) >= 0.5 else walk_cadence(speed_kmh)


def _plain_gait(speed_kmh: float, steps_per_min: float) -> int | None:
    """Walk or run, given the speed and the rate itself (a fast walk at 7 km/h is a walk).

    None when neither is plainly likelier (a slow run and a fast walk look alike near the switch).
    """
    walk, run = _gait_fits(speed_kmh, steps_per_min)
    if abs(run - walk) < GAIT_MARGIN:
        return None
    return RUN if run > walk else WALK


@dataclass(slots=True)
class StrideModel:
    """This person's step rate facing forward (and, once seen, backward), and what a reading says.

    Learned only from anchored stretches: at least one plateau at a speed, per gait. Readings
    are steps a minute or strides a minute (half), whichever a footpod sends: decided by the
    readings so far against anyone's forward rate (a factor of two apart, where people differ by
    at most a factor of 1.25).
    """

    forward: tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]] = field(
        default_factory=lambda: ([], [])
    )
    """Per gait: (speed km/h, log offset from the typical curve, readings) measured facing forward."""
    prior: list[tuple[float, float]] = field(default_factory=lambda: [(0.0, PERSON_SPREAD)] * 2)
    """Per gait, before this session measures it: (log offset, log-sd); a profile narrows it."""
    backward_shift: float | None = None
    """Log step rate backward over the predicted forward one, measured on this person."""
    strides: bool = False
    """The source counts strides (as the readings so far say; a profile's to begin with)."""
    _unit_evidence: float = 0.0
    """Log-evidence, summed over steady readings, that the source counts strides."""

    def __post_init__(self) -> None:
        """A profile's unit starts the evidence as far past the prior as the prior is from zero."""
        self._unit_evidence = 2 * UNIT_PRIOR if self.strides else 0.0

    def steps_per_min(self, speed_kmh: float, reading: float, *, steady: bool = True) -> float:
        """The reading as steps a minute (NaN when it cannot be a step rate at all).

        ``steady``: the belt has held this speed a while, so the reading may vote on the unit.
        """
        if math.isnan(reading) or reading <= 0 or speed_kmh < 1.0:
            return math.nan
        # Each reading on a steady belt adds its (bounded) evidence of the unit, as anyone's forward
        # rate: the unit is the device's, one for the session. A reading is taken in that unit,
        # unless the other is absurd. A profile's unit to begin with.
        margin = _unit_margin(round(speed_kmh, 1), reading)
        if steady and speed_kmh >= UNIT_FROM_KMH:
            self._unit_evidence += min(max(margin, -UNIT_MARGIN), UNIT_MARGIN)
            self.strides = self._unit_evidence > UNIT_PRIOR
        strides = margin > 0 if abs(margin) > UNIT_OBVIOUS else self.strides
        steps = reading * 2.0 if strides else reading
        low, high = PLAUSIBLE_STEPS
        return steps if low <= steps <= high else math.nan

    def seed(self, gait: int, offset: float | None) -> None:
        """What an earlier session measured (None: nothing): the prior, never this session's measurement."""
        if offset is not None:
            self.prior[gait] = (min(max(offset, -MAX_OFFSET), MAX_OFFSET), PROFILE_SD)

    def measured(self, gait: int) -> tuple[float, float, int] | None:
        """The speed, log offset and readings of the most measured forward stretch in ``gait``."""
        return max(self.forward[gait], key=lambda m: m[2], default=None)

    def _offset(self, gait: int, speed_kmh: float) -> tuple[float, float]:
        """(log offset from the typical curve, log-sd) of this person's forward rate in ``gait`` here."""
        measured = self.forward[gait]
        if not measured:
            if not self.forward[1 - gait]:
                return self.prior[gait]
            offset, sd = self._offset(1 - gait, speed_kmh)
            return offset, math.hypot(sd, OTHER_GAIT_SD)
        weights = [math.exp(-abs(math.log(speed_kmh / v)) / 0.3) for v, _, _ in measured]
        offset = sum(w * o for w, (_, o, _) in zip(weights, measured, strict=True)) / sum(weights)
        away = min(abs(math.log(speed_kmh / v)) for v, _, _ in measured)
        return offset, math.hypot(MEASURED_SD, AWAY_SD_PER_LOG * away)

    def knows(self, speed_kmh: float) -> bool:
        """This person's forward step rate was measured near this speed (and so is known to a few percent)."""
        gait = RUN if run_share(speed_kmh, F) >= 0.5 else WALK
        return bool(self.forward[gait]) and self._offset(gait, speed_kmh)[1] <= KNOWN_SD

    def forward_rate(self, speed_kmh: float) -> tuple[float, float]:
        """This person's forward log step rate here, and its log-sd (the likelier gait's)."""
        gait = RUN if run_share(speed_kmh, F) >= 0.5 else WALK
        curve = run_cadence(speed_kmh) if gait == RUN else walk_cadence(speed_kmh)
        offset, sd = self._offset(gait, speed_kmh)
        return math.log(curve) + offset, sd

    def log_ratio(self, speed_kmh: float, steps_per_min: float, readings: int = 1) -> float:
        """Log P(step rate | backward) - log P(step rate | forward) here, capped.

        ``steps_per_min`` is a plateau's median over ``readings``: the person's own rate is one
        unknown shared by them all, so more readings narrow only the readings' jitter, never
        what is not known about the person (the evidence saturates by itself).
        """
        x = math.log(steps_per_min)
        jitter = READING_SD / math.sqrt(max(readings, 1))
        forward_terms, backward_terms = [], []
        for gait in (WALK, RUN):
            curve = run_cadence(speed_kmh) if gait == RUN else walk_cadence(speed_kmh)
            offset, sd = self._offset(gait, speed_kmh)
            sd = math.hypot(sd, jitter)
            mean = math.log(curve) + offset
            share_f = run_share(speed_kmh, F) if gait == RUN else 1 - run_share(speed_kmh, F)
            share_r = run_share(speed_kmh, R) if gait == RUN else 1 - run_share(speed_kmh, R)
            if share_f > 0.02:
                forward_terms.append(math.log(share_f) + _log_normal_pdf(x, mean, sd))
            if share_r > 0.02:
                if self.backward_shift is not None:
                    spread = math.hypot(sd, OWN_SHIFT_SD)
                    backward_terms.append(
                        math.log(share_r) + _log_normal_pdf(x, mean + self.backward_shift, spread)
                    )
                else:
                    spread = math.hypot(sd, BACKWARD_SHIFT_SD)
                    backward_terms += [
                        math.log(share_r * share) + _log_normal_pdf(x, mean + shift, spread)
                        for share, shift in BACKWARD_SHIFTS
                    ]
        llr = log_sum(*backward_terms) - log_sum(*forward_terms)
        return min(max(llr, -PLATEAU_CAP), PLATEAU_CAP)

    def learn_forward(self, speed_kmh: float, steps_per_min: float, readings: int) -> None:
        """A plateau anchored forward held this step rate (its median over ``readings``) at this speed.

        The gait is the likelier of the two given the speed and the rate itself: a fast walk at
        7 km/h is a walk, whatever most people would do at that speed. When neither is plainly
        likelier, nothing is learned: a rate put on the wrong gait's curve misleads every plateau
        after it.
        """
        gait = _plain_gait(speed_kmh, steps_per_min)
        if gait is None:
            return
        curve = run_cadence(speed_kmh) if gait == RUN else walk_cadence(speed_kmh)
        offset = min(max(math.log(steps_per_min / curve), -MAX_OFFSET), MAX_OFFSET)
        measured = self.forward[gait]
        near = [k for k, (v, _, _) in enumerate(measured) if abs(math.log(speed_kmh / v)) < 0.05]
        if near:
            measured[near[0]] = (speed_kmh, offset, measured[near[0]][2] + readings)
        else:
            measured.append((speed_kmh, offset, readings))
            del measured[:-6]

    def learn_backward(self, speed_kmh: float, steps_per_min: float) -> None:
        """A plateau anchored backward held this step rate: how much quicker this person steps backward."""
        mean, _ = self.forward_rate(speed_kmh)
        shift = math.log(steps_per_min) - mean
        self.backward_shift = min(max(shift, 0.0), 0.8)


@dataclass(slots=True)
class StepCounter:
    """A step rate from the treadmill's own step count (the de-facto bit-13 field walking pads send).

    The count is cumulative: the rate is the steps over the last :attr:`window_s`, at least
    ``min_s`` of them; a count that goes back (a reset) starts again. The count comes in whole
    steps, so the window is long enough that one step more or less moves the rate by a few
    percent only (at 90 steps a minute, 1/30 over 20 s), below what a turn changes.
    """

    window_s: float = 20.0
    min_s: float = 10.0
    _seen: deque[tuple[float, int]] = field(default_factory=deque)

    def restart(self) -> None:
        """Count afresh (a new plateau: the steps of the speed change before it are no evidence)."""
        self._seen.clear()

    def rate(self, t: float, steps: int | None) -> float:
        """Steps a minute as of ``t`` (NaN when the count says nothing yet)."""
        if steps is None:
            return math.nan
        seen = self._seen
        if seen and steps < seen[-1][1]:
            seen.clear()
        seen.append((t, steps))
        while len(seen) > 2 and t - seen[1][0] >= self.window_s:
            seen.popleft()
        t0, s0 = seen[0]
        if t - t0 < self.min_s:
            return math.nan
        rate = 60.0 * (steps - s0) / (t - t0)
        low, high = PLAUSIBLE_STEPS
        return rate if low <= rate <= high else math.nan


@dataclass(slots=True)
class JumpWatch:
    """A plateau's own level of a log quantity, and whether it just jumped away from it.

    The median of the last five readings against a slowly following level: a jump of more than
    ``threshold`` (log) at an unchanged belt speed is a turn at speed, or the sensor's doing.
    """

    threshold: float
    level: float | None = None
    _recent: deque[float] = field(default_factory=lambda: deque(maxlen=5))

    def restart(self) -> None:
        """A new plateau: no level yet."""
        self._recent.clear()
        self.level = None

    def jumped(self, value: float, upward: bool) -> bool:
        """One reading (log); True when the plateau's readings jumped away from its level.

        Only the way given counts (``upward``: up; else down): a jump the other way is no turn,
        but a sensor's glitch.
        """
        recent = self._recent
        recent.append(value)
        if len(recent) < 3:
            return False
        now = sorted(recent)[len(recent) // 2]
        if self.level is None:
            self.level = now
            return False
        jump = now - self.level
        if abs(jump) > self.threshold:
            return (jump > 0) == upward
        self.level += 0.1 * (now - self.level)
        return False


# --- the footpod's speed ----------------------------------------------------------------------

POD_FORWARD_SD = 0.05
"""Log-sd of a footpod's speed over the belt's facing forward, once measured on this person."""
POD_UNKNOWN_SD = 0.1
"""... before: a footpod calibrated for another shoe or surface reads a few percent off."""
POD_BACKWARD = ((0.3, 0.0, 0.06), (0.7, math.log(0.75), 0.14))
"""Backward, (share, log shift, log-sd) of its speed over the belt's: a footpod calibrated on
forward running reads backward steps as short ones, so most read backward speed low (about
0.6-0.9 of the belt); some read it right. Our choice; not published."""
POD_CAP = 6.0
"""At most this much log-evidence from one plateau's footpod speed."""
POD_READING_SD = 0.05
"""Log-sd of one footpod speed reading about the plateau's own."""


@dataclass(slots=True)
class PodSpeedModel:
    """A footpod's speed against the belt's: measured facing forward, read low backward."""

    forward_log_ratio: float | None = None
    _seen: list[float] = field(default_factory=list)

    def log_ratio(self, ratio: float, readings: int = 1) -> float:
        """Log P(pod speed | backward) - log P(... | forward), capped (0 when it says nothing).

        ``ratio``: the footpod's speed over the belt's, a plateau's median over ``readings``.
        """
        if math.isnan(ratio) or ratio <= 0:
            return 0.0
        y = math.log(ratio)
        base = self.forward_log_ratio if self.forward_log_ratio is not None else 0.0
        sd = POD_FORWARD_SD if self.forward_log_ratio is not None else POD_UNKNOWN_SD
        sd = math.hypot(sd, POD_READING_SD / math.sqrt(max(readings, 1)))
        forward = _log_normal_pdf(y, base, sd)
        backward = log_sum(
            *(
                math.log(share) + _log_normal_pdf(y, base + shift, math.hypot(sd, spread))
                for share, shift, spread in POD_BACKWARD
            )
        )
        return min(max(backward - forward, -POD_CAP), POD_CAP)

    def learn_forward(self, ratio: float) -> None:
        """A plateau anchored forward, where the footpod read ``ratio`` of the belt's speed."""
        if math.isnan(ratio) or ratio <= 0:
            return
        self._seen.append(math.log(ratio))
        del self._seen[:-20]
        self.forward_log_ratio = sorted(self._seen)[len(self._seen) // 2]


# --- the incline ----------------------------------------------------------------------------------

INCLINE_APART_PCT = 1.5
"""Inclines this far apart, each held one way, tell the ways apart."""
INCLINE_NEAR_PCT = 0.5
"""A plateau within this of one way's incline (and not the other's) is at that way's incline."""
INCLINE_LOG_RATIO = math.log(3.0)
"""... which counts three to one for that way (workouts that raise the incline backward)."""


@dataclass(slots=True)
class InclineModel:
    """The inclines this person walked, anchored, each way.

    A workout that raises the incline for the backward intervals makes the incline a sign of the
    way faced.
    """

    held: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))

    def learn(self, facing: int, incline_pct: float) -> None:
        """An anchored plateau, facing ``facing``, at this incline."""
        if math.isnan(incline_pct):
            return
        way = self.held[facing]
        way.append(incline_pct)
        del way[:-6]

    def log_ratio(self, incline_pct: float) -> float:
        """Log-evidence of backward at this incline (0 when the inclines do not tell the ways apart)."""
        if math.isnan(incline_pct) or not all(self.held):
            return 0.0
        forward, backward = (sum(way) / len(way) for way in self.held)
        if abs(forward - backward) < INCLINE_APART_PCT:
            return 0.0
        near_f, near_r = (abs(incline_pct - level) <= INCLINE_NEAR_PCT for level in (forward, backward))
        if near_f == near_r:
            return 0.0
        return INCLINE_LOG_RATIO if near_r else -INCLINE_LOG_RATIO

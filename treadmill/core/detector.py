"""Live, causal direction detection: plateaus, the transitions between them, and the evidence.

FTMS has no direction field, so the direction is inferred, with a confidence, and said to
be unsure when the evidence does not carry it (docs/detection.md has the why and the
figures). The model:

* **Turns happen at transitions.** The belt speed is cut into plateaus (steady stretches)
  and the transitions between them: a dip, a stop, a change of level. Facing can change only
  at a transition, or, with a footpod, where the cadence jumps at an unchanged speed (a turn
  at speed). Between transitions the facing holds: a plain slow-down never drifts into
  "backward" by itself.
* **At the end of a transition** the facing after it is weighed, Bayes' rule over the
  facing before and after: the chance that a transition is a turn (small in a free session,
  large when the app has just cued the other way), how the transition looked (a dip below
  both the old and the new speed is how people turn; a return to the same speed after a
  stop is a pause; a plain change of level is what forward sessions are made of), and the
  new speed against what people choose each way (backward walking is mostly 2-4.5 km/h;
  anything from 7 km/h up is almost always forward). A cue that arrives just after a
  transition (someone who turned early) re-weighs it.
* **The footpod's cadence** counts on every sample of a plateau, against the person's
  forward cadence for the gait the speed allows (walking and running are separate curves,
  never extrapolated across the walk-run boundary; Hreljac et al. 2005 for the backward
  transition at 5.9 km/h). Evidence beyond the model counts in its own direction, never as
  noise, and one plateau's evidence saturates: a small, steady bias cannot pile up into a
  switch. Heart rate is not used: it lags by a minute, handrails blunt it, and after a hard
  run it stays high through a forward walk.
* **Learning is bounded and anchored.** The person's forward cadence offset per gait is
  learned only on stretches whose facing was settled by something other than cadence (the
  start of the session, a mark, a cued turn), and stays within a few percent of the typical
  curve, so a mistake cannot teach itself.
* **Honest output.** The committed facing switches when the other one passes
  :attr:`DetectorParams.commit_probability`; a moving sample whose facing is less sure than
  :attr:`DetectorParams.unsure_below` is labelled :attr:`~treadmill.model.Direction.UNSURE`.
  A manual mark is decisive and holds until the next transition.

Pure Python on floats, no I/O and no clock: :meth:`DirectionDetector.update` per sample.
Each decided segment is recorded so that :func:`smooth` can weigh the whole session
afterwards (forward-backward over the segments).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from treadmill.inputs import finite
from treadmill.model import MOVING_FROM_KMH, CueDirection, Direction, Evidence, Facing

__all__ = [
    "DetectorParams",
    "DetectorState",
    "DirectionDetector",
    "Segment",
    "Signature",
    "Step",
    "smooth",
]

F, R = 0, 1
"""Forward and reverse, as indices."""


class Signature(enum.StrEnum):
    """How a transition looked."""

    DIP = "dip"
    """Down below both the old and the new speed, then up to the new one: how people turn."""
    STOP = "stop"
    """The belt stopped, then went on at another speed."""
    STEP = "step"
    """A plain change of level."""
    RETURN = "return"
    """Back to the same speed as before (a pause, a drink, a shoelace)."""
    CADENCE = "cadence"
    """The footpod's cadence jumped at an unchanged speed."""


_SIGNATURE_LIKELIHOOD: dict[Signature, tuple[float, float]] = {
    Signature.DIP: (0.6, 0.005),
    Signature.STOP: (0.25, 0.15),
    Signature.STEP: (0.2, 0.6),
    Signature.RETURN: (0.05, 0.26),
    Signature.CADENCE: (0.5, 0.05),
}
"""P(signature | turn), P(signature | no turn), in a session the app does not cue. Our
choice, from how people turn (most slow the belt to a walk or stop it; some turn at speed)
and how forward sessions change speed (plain steps, recoveries, pauses that come back)."""
_CUED_SIGNATURE_LIKELIHOOD: dict[Signature, tuple[float, float]] = {
    Signature.DIP: (0.5, 0.1),
    Signature.STOP: (0.3, 0.1),
    Signature.STEP: (0.2, 0.1),
    Signature.RETURN: (0.05, 0.5),
    Signature.CADENCE: (0.5, 0.05),
}
"""The same just after a cue: people who turn at speed then set the new interval's speed,
so a plain step is nearly as likely from a turn as from anything else."""


_QUIET_LIKELIHOOD = (0.15, 0.6)
"""P(no change of speed at all | turned at the cue), P(... | did not turn): those who turn at
speed usually set the new interval's speed soon after; those who skip carry on. Our choice."""
_REACTION_S = 2.5
"""From a cue to the turn, for someone who turns at speed (people react in 1-4 s)."""


_BACKWARD_RATIO = ((0.85, math.log(0.72), 0.2), (0.15, math.log(0.3), 0.25))
"""Backward speed / forward speed across people (share, log-mean, log-sd): most about 0.6-0.9,
and runners who walk backward about 0.3; almost never faster backward than forward."""
_FORWARD_CHANGES = ((0.6, 0.15), (0.4, 0.7))
"""How a forward session changes speed at a transition, log-normal mixture (share, log-sd): small
adjustments, and runs to walks and back (recoveries at 30-65 %, walk breaks)."""


def _relative_ratios(ratio: float) -> tuple[float, float]:
    """Likelihood of new/old speed for a turn forward->backward and one backward->forward.

    Each relative to the same ratio with no turn (a forward session changing speed).
    """
    x = math.log(max(ratio, 1e-3))
    small, large = _FORWARD_CHANGES
    same = _log_sum(
        math.log(small[0]) + _log_normal_pdf(x, 0.0, small[1]),
        math.log(large[0]) + _log_normal_pdf(x, 0.0, large[1]),
    )

    def slower(y: float) -> float:  # below 0.98, falling off fast above it
        ceiling = math.log(0.98)
        level = min(y, ceiling)
        density = _log_sum(
            *(math.log(share) + _log_normal_pdf(level, mean, sd) for share, mean, sd in _BACKWARD_RATIO)
        )
        return density - (0.5 * ((y - ceiling) / 0.04) ** 2 if y > ceiling else 0.0)

    return math.exp(min(slower(x) - same, 3.0)), math.exp(min(slower(-x) - same, 3.0))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -40 else 0.0


def _log_normal_pdf(x: float, mean: float, sd: float) -> float:
    z = (x - mean) / sd
    return -0.5 * z * z - math.log(sd)


def _log_sum(a: float, b: float) -> float:
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top))


# --- what people choose: speed -------------------------------------------------------------

_BACKWARD_SPEED = (math.log(2.8), 0.3)
"""Backward speeds: median 2.8 km/h, log-sd 0.3 (about 1.5-5 km/h; docs/physiology.md)."""
_FORWARD_WALK = (math.log(5.0), 0.2)
_FORWARD_RUN = (math.log(10.0), 0.22)
_FORWARD_RUN_SHARE = 0.4
_SPEED_TAIL = 0.04
"""Share of either direction spread evenly over 0-20 km/h (trained backward runners,
rehabilitation walkers forward)."""
_LEVEL_CAP = math.log(2.0)
"""The new speed alone never shifts the odds more than two to one: practised backward runners
come within 5-15 % of their forward pace, slow walkers walk forward at 3 km/h."""
_FASTEST_BACKWARD_KMH = 10.0
"""Beyond this, backward is beyond what trained backward runners do."""
_SURELY_FORWARD_KMH = 11.0
"""On a plateau this fast, the person faces forward (well beyond the fastest backward runners)."""
_SAME_LEVEL = 0.2
"""Within +-20 % of a speed this person held facing one way (anchored) is "their level"."""
_OWN_LEVEL = math.log(3.0)
"""... which counts three to one for that way, once both ways' levels are known (our choice)."""


def speed_log_ratio(speed_kmh: float) -> float:
    """Log P(speed | backward) - log P(speed | forward), from what people choose each way.

    Within two to one below 10 km/h (slow walkers walk forward at 3 km/h, practised backward
    runners come within 5-15 % of their forward pace); beyond it, faster than trained backward
    runners go (about 9.7 km/h, Flynn et al. 1994), ever more surely forward.
    """
    v = max(speed_kmh, 0.3)
    x = math.log(v)
    tail = math.log(_SPEED_TAIL / 20.0)
    backward = _log_sum(math.log(1 - _SPEED_TAIL) + _log_normal_pdf(x, *_BACKWARD_SPEED) - x, tail)
    walk = math.log((1 - _FORWARD_RUN_SHARE) * (1 - _SPEED_TAIL)) + _log_normal_pdf(x, *_FORWARD_WALK) - x
    run = math.log(_FORWARD_RUN_SHARE * (1 - _SPEED_TAIL)) + _log_normal_pdf(x, *_FORWARD_RUN) - x
    forward = _log_sum(_log_sum(walk, run), tail)
    ratio = min(max(backward - forward, -_LEVEL_CAP), _LEVEL_CAP)
    if v > _FASTEST_BACKWARD_KMH:
        ratio = max(-_LEVEL_CAP - 2.0 * (v - _FASTEST_BACKWARD_KMH), -math.log(50.0))
    return ratio


# --- what people do: cadence ----------------------------------------------------------------


def walk_cadence(speed_kmh: float) -> float:
    """Typical forward walking step rate (steps/min) on a treadmill: about 100 at 4 km/h, 119 at 6."""
    return 62.0 + 9.5 * speed_kmh


def run_cadence(speed_kmh: float) -> float:
    """Typical forward running step rate: about 163 at 7 km/h, 174 at 10, 188 at 14."""
    return 138.0 + 3.6 * speed_kmh


def _run_share(speed_kmh: float, facing: int) -> float:
    """Chance of running rather than walking at this speed.

    Forward from about 6.8 km/h, backward from 5.9 km/h (Hreljac et al. 2005).
    """
    if facing == F:
        return _logistic((speed_kmh - 6.8) / 0.6)
    return _logistic((speed_kmh - 5.9) / 0.4)


_GAIT_FLOOR = 0.02
"""A gait this unlikely at a speed is left out (a "run" at 3 km/h would catch any odd cadence)."""
_CADENCE_SD = 0.075
"""Log-sd of a person's step rate about the typical curve (people differ by about +-8 %)."""
_BACKWARD_CADENCE_SHIFTS = (0.08, 0.15, 0.24)
"""Backward, steps are shorter and quicker at the same belt speed (Cavagna et al. 2012; Wright &
Weyand 2001): about +8 % to +27 % here (log), our choice; the size is not published for treadmills.
Any step rate clearly above the person's forward one counts as backward, the more so the higher."""
_KNOWN_SD = 0.045
"""Log-sd of a person's step rate about their own learned curve (in a gait seen 20 times)."""
_CADENCE_CAP = 3.0
"""At most this much log-evidence from one sample, before its weight."""
_PLAINLY_FITS = -0.5 * 2.0**2
"""A reading within 2 sd of a gait is plainly a step rate read the way the footpod reads."""
_NO_SHIFT = (0.0,)
_IMPLAUSIBLE = -0.5 * 3.5**2
"""A reading further than 3.5 sd from every gait either way is not a step rate (a footpod
finding its feet, a stumble)."""
_UNIT_HABIT = 1.0
"""How much the way a footpod has counted so far weighs in a close call (log-likelihood)."""
_VALIDATED_AFTER = 10
"""Readings that fitted forward on an anchored stretch before the footpod is trusted in full."""
_UNVALIDATED_WEIGHT = 0.3
"""Until then its evidence counts this much (it might be worn oddly, or not be a footpod)."""


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """The constants a person cannot teach the detector, with where each comes from."""

    free_turn_prior: float = 0.12
    """Chance that a transition in a session the app does not cue is a turn (our choice: most
    speed changes in the world are forward-only sessions)."""
    free_return_prior: float = 0.3
    """... and that one is a turn back, from facing backward."""
    turning_session_prior: float = 0.3
    """... once the session has had a backward stretch the detector was sure of."""
    long_backward_per_s: float = 1 / 600
    """Without a workout, the chance per second that an unresolved backward stretch has in fact
    ended, or never was (a backward stretch lasts minutes, not a whole session)."""
    unseen_turn_per_s: float = 1 / 400
    """... and once it has turned, the rate at which a turn with no signature may have happened."""
    uncued_turn_prior: float = 0.03
    """In a workout the app cues, the chance that a transition with no cue near it is a turn."""
    cued_turn_prior: float = 0.9
    """Chance that the transition just after a cue to the other way is the turn (people skip
    a few: 0-15 %)."""
    cue_lead_s: float = 12.0
    """A cued turn may start this long before its cue (people who anticipate)."""
    cue_lag_s: float = 40.0
    """... and this long after it (reaction, lateness, slowing the belt)."""
    plateau_hazard: float = 0.002
    """Chance per second of a turn at speed with no change of speed (acted on only with a footpod)."""
    commit_probability: float = 0.8
    unsure_below: float = 0.65
    cadence_weight: float = 0.35
    """Consecutive cadence samples are not independent: each counts this much."""
    cadence_saturation: float = 8.0
    """One plateau's cadence evidence counts like at most this many samples' mean."""
    settle_s: float = 3.0
    """A new level is settled once it has held this long."""
    turn_hold_s: float = 8.0
    """... or this long when it is a walk well below the speed before: where people turn."""
    quiet_turn_s: float = 20.0
    """A cue to the other way followed by this long at an unchanged speed: taken as a turn at speed."""


@dataclass(slots=True)
class DetectorState:
    """What the detector has learned about this person (kept in their profile).

    Offsets of the person's forward step rate from the typical curves, per gait (log), and
    how many anchored samples each rests on. Bounded: a profile can seed them, never force them.
    """

    walk_offset: float = 0.0
    run_offset: float = 0.0
    walk_samples: int = 0
    run_samples: int = 0
    walk_speed_kmh: float = 0.0
    """Mean speed of the walking it learned from (0: none yet)."""
    run_speed_kmh: float = 0.0
    stride_units: bool = False
    """The footpod counts strides, not steps."""

    @classmethod
    def checked(cls, data: dict[str, object]) -> DetectorState:
        """A state from a profile's JSON, every number finite and in range (else :class:`InputError`)."""
        values: dict[str, object] = {}
        for name, (low, high) in _STATE_RANGES.items():
            if name in data and data[name] is not None:
                number = finite(data[name], f"detector.{name}", low=low, high=high)
                values[name] = int(number) if name.endswith("_samples") else number
        if isinstance(data.get("stride_units"), bool):
            values["stride_units"] = data["stride_units"]
        return cls(**values)  # type: ignore[arg-type]


_OFFSET_BOUND = 0.1
"""A person's learned cadence offset stays within +-10 % of the typical curve."""
_STATE_RANGES = {
    "walk_offset": (-_OFFSET_BOUND, _OFFSET_BOUND),
    "run_offset": (-_OFFSET_BOUND, _OFFSET_BOUND),
    "walk_samples": (0.0, 1e9),
    "run_samples": (0.0, 1e9),
    "walk_speed_kmh": (0.0, 25.0),
    "run_speed_kmh": (0.0, 25.0),
}


class Step(NamedTuple):
    """The detector's output for one sample (a named tuple: one is made per sample)."""

    t: float
    direction: Direction
    """Forward, reverse, unsure (moving, facing not settled) or stopped."""
    confidence: float
    """Probability of the committed facing."""
    p_reverse: float
    """Probability of facing backward."""
    switched: bool
    """True on the sample where a new committed facing was decided."""
    boundary_s: float
    """Best estimate of when the current facing began (may precede the decision)."""
    evidence: Evidence = Evidence.SPEED
    """What the confidence rests on."""


Move = tuple[tuple[float, float], tuple[float, float]]
"""A 2x2 of likelihoods, rows the facing before (forward, reverse), columns the facing after."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One plateau as decided, for the whole-session smoother.

    ``move`` is P(transition evidence | facing before, facing after) as a 2x2 (rows: before),
    ``evidence`` the likelihood of what the plateau showed under each facing.
    """

    t_start: float
    move: Move
    evidence: tuple[float, float]


class _Phase(enum.Enum):
    WAITING = "waiting"
    """Before the belt first runs steadily."""
    PLATEAU = "plateau"
    TRANSITION = "transition"


@dataclass(slots=True)
class _Transition:
    start_t: float
    before_kmh: float
    p_before: float
    """P(reverse) when it began."""
    low_kmh: float
    low_t: float
    stopped: bool = False
    cue_index: int | None = None
    decided_early: bool = False


@dataclass(slots=True)
class _Decided:
    """The last transition's inputs, kept so that a cue arriving just after can re-weigh it."""

    end_t: float
    signature: Signature
    before_kmh: float
    after_kmh: float
    p_before: float
    boundary_t: float


@dataclass(slots=True)
class DirectionDetector:
    """Feed samples in time order with :meth:`update`; cues and marks whenever they happen."""

    params: DetectorParams = field(default_factory=DetectorParams)
    state: DetectorState = field(default_factory=DetectorState)
    segments: list[Segment] | None = None
    """When a list: every decided plateau, for :func:`smooth`."""

    _phase: _Phase = _Phase.WAITING
    _p: float = 0.02
    """P(reverse)."""
    _committed: int = F
    _anchored: bool = True
    """The current plateau's facing was settled without cadence (start, mark, cue)."""
    _level: float = 0.0
    _departing: int = 0
    _recent: list[tuple[float, float]] = field(default_factory=list)
    _transition: _Transition | None = None
    _decided: _Decided | None = None
    _cues: list[tuple[float, int]] = field(default_factory=list)
    _used_cues: set[int] = field(default_factory=set)
    _mark: int | None = None
    _boundary: float = 0.0
    _pending: int = 0
    _plateau_llr: float = 0.0
    _plateau_n: int = 0
    _plateau_base: float = 0.0
    """Log-odds of reverse when the plateau's evidence began."""
    _cadence_level: float | None = None
    _cadence_recent: list[float] = field(default_factory=list)
    _evidence_from: float | None = None
    _turned_at: float | None = None
    _last_transition_t: float = -math.inf
    _next_move: Move | None = None
    """How the transition just decided weighed each way (for the plateau it leads to)."""
    _segment_start: tuple[float, Move] | None = None
    _seen_cadence: bool = False
    _stride_votes: list[float] = field(default_factory=list)
    _terms: tuple[float, float] = (0.0, 0.0)
    _components_key: tuple[float, float, float, bool, bool] | None = None
    _components_cache: tuple[list[tuple[float, float, float]], ...] = ()
    """Forward and backward log-likelihood of the last footpod reading taken."""
    _last_t: float | None = None
    _dt: float = 0.0
    _turned: bool = False
    """This session has had a backward stretch the detector was sure of: turns are part of it."""
    _levels: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))
    _session_levels: list[float] = field(default_factory=list)
    """Speeds of plateaus whose facing was anchored (forward, reverse): this person's own levels."""

    def __post_init__(self) -> None:
        """Seeded from a profile, the learned offsets are a starting point, not knowledge.

        They tighten the cadence model only after this session's own anchored samples confirm them.
        """
        self.state = dataclasses.replace(self.state, walk_samples=0, run_samples=0)

    # --- what the app tells it ----------------------------------------------------------------

    def cue(self, t: float, direction: CueDirection) -> None:
        """The app cued a turn at ``t`` (a stop cue says nothing about the way faced)."""
        facing = direction.facing
        if facing is None:
            return
        self._cues.append((t, F if facing is Facing.FORWARD else R))
        if self._phase is _Phase.WAITING:  # the plan's first step: the person starts facing that way
            self._committed = self._cues[-1][1]
            self._p = 0.98 if self._committed == R else 0.02
            self._used_cues.add(len(self._cues) - 1)
            return
        decided = self._decided
        if (
            decided is not None
            and self._phase is _Phase.PLATEAU
            and t - decided.end_t <= self.params.cue_lead_s
            and self._cues[-1][1] != self._committed
        ):  # the person turned just before the cue: weigh that transition again, as cued
            index = len(self._cues) - 1
            p = self._after(decided.p_before, decided.signature, decided.before_kmh, decided.after_kmh, index)
            if (p if self._cues[index][1] == R else 1 - p) >= self.params.commit_probability:
                self._set(p, decided.boundary_t, anchored=True)
                self._used_cues.add(index)  # else the turn is still to come: the cue waits for it

    def mark(self, facing: Facing) -> None:
        """The person pressed the key: they face ``facing`` (decisive, until the next transition)."""
        self._mark = F if facing is Facing.FORWARD else R

    # --- one sample -----------------------------------------------------------------------------

    def update(
        self, t: float, speed_kmh: float, cadence_per_min: float = math.nan, heart_rate_bpm: float = math.nan
    ) -> Step:
        """One sample (NaN for missing evidence; the heart rate is accepted and not used)."""
        del heart_rate_bpm  # see the module docstring: it is not evidence of direction
        self._dt = 0.0 if self._last_t is None else min(max(t - self._last_t, 0.0), 10.0)
        self._last_t = t
        switched = False
        if self._mark is not None:
            switched = self._committed != self._mark
            self._p = 0.997 if self._mark == R else 0.003
            self._committed, self._mark = self._mark, None
            self._anchored = True
            if switched:
                self._boundary = t
        cadence = self._steps_per_min(speed_kmh, cadence_per_min)
        if not math.isnan(speed_kmh):
            switched = self._track(t, speed_kmh, cadence) or switched
        if self._phase is _Phase.PLATEAU and not math.isnan(cadence):
            switched = self._cadence_sample(t, speed_kmh, cadence) or switched
        if self._phase is _Phase.PLATEAU and not self._cues and self._plateau_n == 0 and math.isnan(cadence):
            switched = self._drift(t) or switched  # with a footpod, its cadence speaks instead
        if self._phase is _Phase.PLATEAU and speed_kmh >= _SURELY_FORWARD_KMH and self._p > 0.01:
            before = self._committed
            self._set(0.01, self._last_transition_t, anchored=True)  # nobody runs backward this fast
            switched = switched or self._committed != before
        return self._step(t, speed_kmh, switched)

    @property
    def committed(self) -> Direction:
        """The way the person is taken to face now, moving or not."""
        return Direction.FORWARD if self._committed == F else Direction.REVERSE

    @property
    def evidence(self) -> Evidence:
        """The strongest evidence seen so far."""
        if self._cues:
            return Evidence.CUED
        return Evidence.FOOTPOD if self._seen_cadence else Evidence.SPEED

    # --- the belt's speed: plateaus and transitions -------------------------------------------

    def _track(self, t: float, speed: float, cadence: float) -> bool:
        """Follow the speed; True when a transition's end (or a cued turn in it) switched the facing."""
        self._recent.append((t, speed))
        while len(self._recent) > 2 and t - self._recent[0][0] > 20.0:
            self._recent.pop(0)
        if self._phase is _Phase.WAITING:
            if self._settled(t):
                self._next_move = ((1 - self._p, self._p), (1 - self._p, self._p))  # how it started
                self._begin_plateau(t, speed, anchored=True)
            return False
        if self._phase is _Phase.PLATEAU:
            return self._on_plateau(t, speed, cadence)
        return self._in_transition(t, speed)

    def _on_plateau(self, t: float, speed: float, cadence: float) -> bool:
        """A plateau sample: a departure may start a transition; a cue may meet no change at all."""
        cued = self._live_cue(t)
        # Just after a cue to the other way, a small change of level is the new interval's speed.
        tolerance = max(0.15, 0.03 * self._level) if cued is not None else max(0.5, 0.1 * self._level)
        quiet = cued is not None and self._departing == 0 and self._last_transition_t < self._cues[cued][0]
        if cued is not None and quiet and t - self._cues[cued][0] >= self.params.quiet_turn_s:
            return self._quiet_turn(cued)
        if abs(speed - self._level) > tolerance or speed < MOVING_FROM_KMH:
            self._departing += 1
            gap = len(self._recent) > 1 and t - self._recent[-2][0] > 3.0
            if self._departing >= 2 or speed < MOVING_FROM_KMH or gap:
                self._begin_transition(t, speed)
        else:
            self._departing = 0
            self._level += 0.2 * (speed - self._level)
            if not math.isnan(cadence):
                self._watch_cadence(t, speed, cadence)
        return False

    def _in_transition(self, t: float, speed: float) -> bool:
        """A transition sample: follow the low point; decide once the new level settles."""
        transition = self._transition
        assert transition is not None
        if speed <= transition.low_kmh + 0.3:
            transition.low_t = t
        transition.low_kmh = min(transition.low_kmh, speed)
        transition.stopped = transition.stopped or speed < MOVING_FROM_KMH
        switched = self._cued_turn_under_way(t, speed, transition)
        # Slowed to a walk from well above it: the low speed may be where the person turns, not yet
        # a level; it becomes one only if it lasts.
        slowed = speed <= 3.5 and transition.before_kmh - speed >= max(0.8, 0.2 * transition.before_kmh)
        hold = self.params.turn_hold_s if slowed else 0.0
        if self._settled(t, hold):
            switched = self._end_transition(t, speed) or switched
        return switched

    def _live_cue(self, t: float) -> int | None:
        """The latest cue, unanswered, whose window is open now."""
        if not self._cues:
            return None
        index = len(self._cues) - 1
        if index in self._used_cues or not 0.0 <= t - self._cues[index][0] <= self.params.cue_lag_s:
            return None
        return index

    def _quiet_turn(self, index: int) -> bool:
        """A cue, then no change of speed at all.

        Those facing the other way have mostly turned at speed (a few skip); those already
        facing the cued way carry on.
        """
        cue_t, cued = self._cues[index]
        self._used_cues.add(index)
        if_turn, if_not = _QUIET_LIKELIHOOD
        turn = self.params.cued_turn_prior
        away = self.params.free_turn_prior
        p_cued = 1 - self._p if cued == F else self._p
        to_cued = (1 - p_cued) * turn * if_turn + p_cued * (1 - away) * if_not
        to_other = (1 - p_cued) * (1 - turn) * if_not + p_cued * away * if_turn
        p_cued = to_cued / (to_cued + to_other)
        stay, leave = (1 - away) * if_not, away * if_turn
        arrive, miss = turn * if_turn, (1 - turn) * if_not
        self._record_segment()
        if cued == R:
            self._next_move = ((miss, arrive), (leave, stay))
        else:
            self._next_move = ((stay, leave), (arrive, miss))
        before = self._committed
        self._set(p_cued if cued == R else 1 - p_cued, cue_t + _REACTION_S, anchored=True)
        self._begin_plateau(cue_t, self._level, anchored=True)
        return self._committed != before

    def _settled(self, t: float, hold: float = 0.0) -> bool:
        """The last samples hold one moving level for at least ``settle_s`` (two samples at least)."""
        last = self._recent[-1][1]
        if last < MOVING_FROM_KMH:
            return False
        tolerance = max(0.25, 0.04 * last)
        start = t
        count = 0
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

    def _begin_plateau(
        self, t: float, speed: float, *, anchored: bool, turned_at: float | None = None
    ) -> None:
        """A new plateau.

        ``turned_at``: where a turn found on it would have happened (the transition's low
        point), rather than where its evidence began.
        """
        self._phase = _Phase.PLATEAU
        self._level = self._level_now() if self._recent else speed
        self._departing = 0
        self._anchored = anchored
        self._plateau_llr, self._plateau_n = 0.0, 0
        self._plateau_base = _log_odds(self._p)
        self._cadence_level, self._cadence_recent = None, []
        self._evidence_from = None
        self._turned_at = turned_at
        move = self._next_move if self._next_move is not None else _STAY
        self._segment_start, self._next_move = (turned_at if turned_at is not None else t, move), None

    def _begin_transition(self, t: float, speed: float) -> None:
        self._record_segment()
        self._remember_level()
        self._last_transition_t = t
        start = self._recent[-2][0] if self._departing >= 2 and len(self._recent) > 1 else t
        self._phase = _Phase.TRANSITION
        self._transition = _Transition(
            start_t=start,
            before_kmh=self._level,
            p_before=self._p,
            low_kmh=speed,
            low_t=t,
            stopped=speed < MOVING_FROM_KMH,
            cue_index=self._cue_for(start, t),
        )

    def _cue_for(self, start: float, now: float) -> int | None:
        """The unused cue a transition over [start, now] may answer (the latest fitting one)."""
        p = self.params
        for index in range(len(self._cues) - 1, -1, -1):
            cue_t, _ = self._cues[index]
            if index in self._used_cues:
                continue
            if cue_t - p.cue_lead_s <= now and start <= cue_t + p.cue_lag_s:
                return index
        return None

    def _signature(self, transition: _Transition, after: float) -> Signature:
        before, low = transition.before_kmh, transition.low_kmh
        went_down = transition.stopped or before - low >= max(0.8, 0.2 * before)
        if went_down and abs(after - before) <= max(0.4, 0.06 * before):
            return Signature.RETURN
        if transition.stopped:
            return Signature.STOP
        if low < min(before, after) - max(0.5, 0.15 * after) and low <= 3.5:
            return Signature.DIP
        return Signature.STEP

    def _after(
        self,
        p_before: float,
        signature: Signature,
        before_kmh: float,
        after_kmh: float,
        cue_index: int | None,
    ) -> float:
        """P(reverse) after a transition, given P(reverse) before it and what it showed."""
        move = self._weighed(signature, before_kmh, after_kmh, cue_index)
        self._next_move = move
        to_reverse = (1 - p_before) * move[F][R] + p_before * move[R][R]
        to_forward = (1 - p_before) * move[F][F] + p_before * move[R][F]
        return to_reverse / (to_reverse + to_forward)

    def _weighed(
        self, signature: Signature, before_kmh: float, after_kmh: float, cue_index: int | None
    ) -> Move:
        """P(what the transition showed, facing a after | facing b before), rows b.

        The move, the new level, and the new speed against the old one.
        """
        move = self._move(signature, cue_index)
        if signature is Signature.RETURN:  # the same level again is no new evidence of either way
            return move
        # A level this session has held before was weighed then: the same person's walking
        # speed seen again is not fresh evidence (it would pile up, stop after stop).
        novel = all(abs(math.log(after_kmh / level)) > _SAME_LEVEL for level in self._session_levels)
        level = math.exp(self._level_log_ratio(after_kmh)) if novel else 1.0
        # The new speed against the old one: backward is slower than forward (30-95 %).
        ratio = _relative_ratios(after_kmh / before_kmh) if before_kmh >= MOVING_FROM_KMH else (1.0, 1.0)
        if cue_index is not None:  # a workout sets the speeds: what people choose counts half
            level, ratio = math.sqrt(level), (math.sqrt(ratio[0]), math.sqrt(ratio[1]))
        return (
            (move[F][F], move[F][R] * ratio[0] * level),
            (move[R][F] * ratio[1], move[R][R] * level),
        )

    def _level_log_ratio(self, speed: float) -> float:
        """Evidence of the new speed: what people choose each way, and this person's anchored levels."""
        population = speed_log_ratio(speed)
        if not all(self._levels):
            return population  # one way's levels alone say nothing: the other may be as fast
        near = [
            any(abs(math.log(speed / level)) < _SAME_LEVEL for level in levels) for levels in self._levels
        ]
        if near[F] == near[R]:
            return population
        own = _OWN_LEVEL if near[R] else -_OWN_LEVEL
        return min(max(0.5 * population + own, -_LEVEL_CAP), _LEVEL_CAP)

    def _move(
        self, signature: Signature, cue_index: int | None
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """P(transition looks like ``signature`` and ends facing a | facing b), rows b."""
        p = self.params
        if cue_index is None:
            if self._cues:  # a workout: people turn when it says so, hardly ever in between
                to = (p.uncued_turn_prior, p.uncued_turn_prior)
            elif self._turned:
                to = (p.turning_session_prior, p.turning_session_prior)
            else:  # backward stretches are short: from backward, a turn is the likelier way out
                to = (p.free_turn_prior, p.free_return_prior)
            table = _SIGNATURE_LIKELIHOOD
        else:
            table = _CUED_SIGNATURE_LIKELIHOOD
            cued = self._cues[cue_index][1]
            # Towards the cued way a turn is likely; away from it, only a free turn.
            to = (p.cued_turn_prior if cued == R else p.free_turn_prior,
                  p.cued_turn_prior if cued == F else p.free_turn_prior)  # fmt: skip
        if_turn, if_not = table[signature]
        flip_f, flip_r = to
        return (
            ((1 - flip_f) * if_not, flip_f * if_turn),
            (flip_r * if_turn, (1 - flip_r) * if_not),
        )

    def _cued_turn_under_way(self, t: float, speed: float, transition: _Transition) -> bool:
        """In a transition answering a cue: the turn is decided once the belt picks up again.

        After the low point the person has turned; the cue and the shape are enough to say so
        now rather than when the new speed settles.
        """
        if transition.decided_early:
            return False
        index = (
            transition.cue_index if transition.cue_index is not None else self._cue_for(transition.start_t, t)
        )
        if index is None or self._cues[index][1] == self._committed or t < self._cues[index][0]:
            return False
        transition.cue_index = index
        went_down = transition.before_kmh - transition.low_kmh >= 0.8
        if went_down and speed >= transition.low_kmh + 0.5:
            shape, boundary = (Signature.STOP if transition.stopped else Signature.DIP), transition.low_t
        elif not went_down and speed >= transition.before_kmh + 0.5 and self._cues[index][1] == F:
            # Straight up to a faster level without a dip: turned at speed, now speeding up forward.
            shape, boundary = Signature.STEP, transition.start_t
        else:
            return False
        move = self._move(shape, index)
        p0 = transition.p_before
        to_reverse = (1 - p0) * move[F][R] + p0 * move[R][R]
        to_forward = (1 - p0) * move[F][F] + p0 * move[R][F]
        p = to_reverse / (to_reverse + to_forward)
        new = R if self._committed == F else F
        if (p if new == R else 1 - p) < self.params.commit_probability:
            return False
        transition.decided_early = True
        self._used_cues.add(index)
        self._set(p, boundary, anchored=True)
        return True

    def _end_transition(self, t: float, speed: float) -> bool:
        transition = self._transition
        assert transition is not None
        after = self._level_now()
        signature = self._signature(transition, after)
        index = (
            transition.cue_index if transition.cue_index is not None else self._cue_for(transition.start_t, t)
        )
        if index is not None and self._cues[index][1] != (R if transition.p_before < 0.5 else F):
            index = None
        if transition.decided_early:  # the cue and the turn's shape decided; the new level adds to that
            level = math.exp(self._level_log_ratio(after))
            p = self._p * level / (self._p * level + 1 - self._p)
        else:
            p = self._after(transition.p_before, signature, transition.before_kmh, after, index)
        if (
            index is not None
            and (p if self._cues[index][1] == R else 1 - p) >= self.params.commit_probability
        ):
            self._used_cues.add(index)  # answered; an inconclusive transition leaves it for the next one
        # Where the turn was, if it was one: at the low point when the belt went lower than where it
        # settled (a dip, a stop, or a walk slightly slower than the new level); else at the start.
        rose = after - transition.low_kmh >= 0.2 and transition.low_kmh < transition.before_kmh
        boundary = (
            transition.low_t if signature in (Signature.DIP, Signature.STOP) or rose else transition.start_t
        )
        before = self._committed
        self._phase = _Phase.TRANSITION  # _set may commit; the plateau begins after
        self._set(p, boundary, anchored=index is not None or abs(p - 0.5) > 0.45)
        self._decided = _Decided(t, signature, transition.before_kmh, after, transition.p_before, boundary)
        self._transition = None
        self._begin_plateau(t, speed, anchored=self._anchored, turned_at=boundary)
        return self._committed != before and not transition.decided_early

    def _set(self, p: float, boundary: float, *, anchored: bool) -> None:
        """Take P(reverse) = ``p``; commit the other facing when it is sure enough."""
        self._p = min(max(p, 1e-4), 1 - 1e-4)
        self._plateau_base = _log_odds(self._p)
        self._plateau_llr, self._plateau_n = 0.0, 0
        other = R if self._committed == F else F
        if (self._p if other == R else 1 - self._p) >= self.params.commit_probability:
            self._committed = other
            self._boundary = boundary
        self._turned = self._turned or self._p >= 0.9
        self._anchored = anchored

    # --- the footpod -----------------------------------------------------------------------------

    def _steps_per_min(self, speed: float, cadence: float) -> float:
        """The footpod's cadence as steps per minute, or NaN when it cannot be a step rate at this speed.

        Footpods count steps or strides (half as many). Each reading is taken the way that makes
        it a plausible step rate for walking or running either way at this speed, the way this
        footpod has read so far winning a close call; a reading plausible neither way is dropped.
        """
        if math.isnan(cadence) or cadence <= 0 or math.isnan(speed) or speed < 1.5:
            return math.nan
        self._seen_cadence = True
        state = self.state
        habit = 2.0 if state.stride_units else 1.0
        terms = self._cadence_terms(speed, cadence * habit)
        fit = _log_sum(*terms) + math.log(_CADENCE_SD) + _UNIT_HABIT
        strides = state.stride_units
        if fit < _PLAINLY_FITS:  # not plainly a step rate read this way: try the other
            other = self._cadence_terms(speed, cadence * (3.0 - habit))
            if _log_sum(*other) + math.log(_CADENCE_SD) > fit:
                terms, strides = other, not strides
                fit = _log_sum(*other) + math.log(_CADENCE_SD)
        if fit < _IMPLAUSIBLE:
            return math.nan
        self._stride_votes.append(1.0 if strides else 0.0)
        del self._stride_votes[:-30]
        state.stride_units = sum(self._stride_votes) > len(self._stride_votes) / 2
        self._terms = terms
        return cadence * 2.0 if strides else cadence

    def _cadence_terms(self, speed_kmh: float, steps_per_min: float) -> tuple[float, float]:
        """Log-likelihood of a step rate facing forward and facing backward, walking or running.

        A gait this person has been seen in, near the speeds seen, is known to a few percent;
        otherwise to +-8 %, less surely the further the speed is from where it was learned.
        """
        x = math.log(steps_per_min)
        out = []
        for parts in self._components(speed_kmh):
            exponents = [weight - 0.5 * ((x - mean) / sd) ** 2 for weight, mean, sd in parts]
            top = max(exponents)
            out.append(top + math.log(sum(math.exp(e - top) for e in exponents)))
        return out[F], out[R]

    def _components(self, speed_kmh: float) -> tuple[list[tuple[float, float, float]], ...]:
        """(log weight, log-mean, log-sd) of each gait's step rate, forward and backward, at this speed.

        Kept for the last speed and what was learned (a plateau asks for the same speed each sample).
        """
        s = self.state
        speed_kmh = round(speed_kmh * 20.0) / 20.0  # to 0.05 km/h: a step rate is not that precise
        walk_known, run_known = s.walk_samples >= 20, s.run_samples >= 20
        key = (speed_kmh, round(s.walk_offset, 3), round(s.run_offset, 3), walk_known, run_known)
        if self._components_key == key:
            return self._components_cache
        walk_sd = _spread(speed_kmh, s.walk_samples, s.walk_speed_kmh)
        run_sd = _spread(speed_kmh, s.run_samples, s.run_speed_kmh)
        walk = (math.log(walk_cadence(speed_kmh)) + s.walk_offset, walk_sd)
        run = (math.log(run_cadence(speed_kmh)) + s.run_offset, run_sd)
        both = []
        for facing, shifts in ((F, _NO_SHIFT), (R, _BACKWARD_CADENCE_SHIFTS)):
            running = _run_share(speed_kmh, facing)
            running = 0.0 if running < _GAIT_FLOOR else 1.0 if running > 1 - _GAIT_FLOOR else running
            both.append(
                [
                    (math.log(share / len(shifts) / sd), mean + shift, sd)
                    for share, (mean, sd) in ((1.0 - running, walk), (running, run))
                    if share > 0.0
                    for shift in shifts
                ]
            )
        self._components_key, self._components_cache = key, (both[F], both[R])
        return self._components_cache

    def cadence_log_ratio(self, speed_kmh: float, steps_per_min: float) -> float:
        """Log P(cadence | backward) - log P(cadence | forward) at this speed, per gait, capped."""
        forward, backward = self._cadence_terms(speed_kmh, steps_per_min)
        return min(max(backward - forward, -_CADENCE_CAP), _CADENCE_CAP)

    def _sample_log_ratio(self) -> float:
        """:meth:`cadence_log_ratio` of the reading :meth:`_steps_per_min` just took (already computed)."""
        forward, backward = self._terms
        return min(max(backward - forward, -_CADENCE_CAP), _CADENCE_CAP)

    def _watch_cadence(self, t: float, speed: float, cadence: float) -> None:
        """A jump of the cadence at an unchanged speed starts a transition of its own (a turn at speed)."""
        recent = self._cadence_recent
        recent.append(cadence)
        if len(recent) > 5:
            recent.pop(0)
        if self._cadence_level is None:
            if len(recent) >= 3:
                self._cadence_level = sorted(recent)[len(recent) // 2]
            return
        now = sorted(recent)[len(recent) // 2]
        if len(recent) >= 3 and abs(math.log(now / self._cadence_level)) > 0.06:
            self._cadence_jump(t, speed)
        else:
            self._cadence_level += 0.1 * (cadence - self._cadence_level)

    def _cadence_jump(self, t: float, speed: float) -> None:
        self._record_segment()
        self._remember_level()
        index = self._cue_for(t - 5.0, t)
        if index is not None and self._cues[index][1] == self._committed:
            index = None
        move = self._move(Signature.CADENCE, index)
        self._next_move = move
        p0 = self._p
        to_reverse = (1 - p0) * move[F][R] + p0 * move[R][R]
        to_forward = (1 - p0) * move[F][F] + p0 * move[R][F]
        if index is not None:
            self._used_cues.add(index)
        self._set(to_reverse / (to_reverse + to_forward), t - 3.0, anchored=index is not None)
        self._begin_plateau(t, speed, anchored=self._anchored, turned_at=t - 3.0)

    def _cadence_sample(self, t: float, speed: float, cadence: float) -> bool:
        """One plateau sample's cadence evidence; True when it switched the committed facing."""
        p = self.params
        if self._anchored:
            # The facing here was settled without the footpod (the start, a mark, a cue): a cadence
            # that disagrees says more about this person's stride than about their facing.
            if self._p < 0.05:
                self._learn(speed, cadence)
            return False
        llr = self._sample_log_ratio()
        if self.state.walk_samples + self.state.run_samples < _VALIDATED_AFTER:
            llr *= _UNVALIDATED_WEIGHT
        self._plateau_llr += llr
        self._plateau_n += 1
        mean = self._plateau_llr / self._plateau_n
        evidence = p.cadence_weight * mean * min(self._plateau_n, p.cadence_saturation)
        hazard = p.plateau_hazard * self._plateau_n
        base = self._plateau_base
        # A turn at speed may have happened since the plateau began (small, growing chance).
        prior_r = _logistic(base)
        prior_r = prior_r + (1 - 2 * prior_r) * min(hazard, 0.5)
        self._p = _logistic(_log_odds(prior_r) + evidence)
        if self._evidence_from is None or (llr > 0) != (self._p > 0.5):
            self._evidence_from = t
        other = R if self._committed == F else F
        if (self._p if other == R else 1 - self._p) >= p.commit_probability:
            self._pending += 1
            if self._pending >= 2:
                self._committed, self._pending = other, 0
                self._boundary = self._turned_at if self._turned_at is not None else self._evidence_from
                self._anchored = False
                return True
        else:
            self._pending = 0
        return False

    def _learn(self, speed: float, steps: float) -> None:
        """The person's forward offset for this gait, from a plateau whose facing is anchored."""
        s = self.state
        running = _run_share(speed, F) > 0.9
        walking = _run_share(speed, F) < 0.1
        if not (running or walking):
            return  # between gaits: which curve the step belongs to is not known
        curve = run_cadence(speed) if running else walk_cadence(speed)
        error = math.log(steps / curve)
        if abs(error) > 2.5 * _CADENCE_SD:
            return  # not this curve (the other gait, or a stumble): nothing to learn
        if running:
            s.run_offset = _bounded(s.run_offset + 0.05 * (error - s.run_offset))
            s.run_speed_kmh += (speed - s.run_speed_kmh) / min(s.run_samples + 1, 50)
            s.run_samples += 1
        else:
            s.walk_offset = _bounded(s.walk_offset + 0.05 * (error - s.walk_offset))
            s.walk_speed_kmh += (speed - s.walk_speed_kmh) / min(s.walk_samples + 1, 50)
            s.walk_samples += 1

    def _drift(self, t: float) -> bool:
        """Without a workout or a footpod, what a long plateau says as time passes.

        Before any sure backward stretch, it drifts towards forward: backward stretches are
        short (minutes), forward ones can be the whole session. In a session that has turned,
        it drifts towards unsure: someone who turns every few minutes may have turned at speed,
        or stopped and restarted the other way, unseen.
        """
        p = self.params
        if self._turned:
            unseen = p.unseen_turn_per_s * self._dt
            self._p = self._p + (0.5 - self._p) * unseen
        else:
            self._p = self._p * (1 - p.long_backward_per_s * self._dt)
        self._plateau_base = _log_odds(self._p)
        if self._committed == R and 1 - self._p >= p.commit_probability:
            self._committed = F
            self._boundary = t
            return True
        return False

    def _remember_level(self) -> None:
        """Keep the ending plateau's speed.

        As a level this session has held, and as this person's own level for a facing when that
        facing was anchored.
        """
        if self._level >= MOVING_FROM_KMH:
            self._session_levels.append(self._level)
            del self._session_levels[:-20]
        confidence = max(self._p, 1 - self._p)
        if self._anchored and confidence >= 0.9 and self._level >= MOVING_FROM_KMH:
            levels = self._levels[R if self._p > 0.5 else F]
            levels.append(self._level)
            del levels[:-6]

    # --- output ----------------------------------------------------------------------------------

    def _record_segment(self) -> None:
        """Note the plateau ending now for the smoother: how it began, and its footpod evidence."""
        if self.segments is None or self._segment_start is None:
            return
        p = self.params
        cadence = p.cadence_weight * self._plateau_llr / max(self._plateau_n, 1)
        cadence *= min(self._plateau_n, p.cadence_saturation)
        start, move = self._segment_start
        self.segments.append(Segment(start, move, (1.0, math.exp(min(max(cadence, -30.0), 30.0)))))
        self._segment_start = None

    def open_segments(self) -> list[Segment]:
        """The decided plateaus and the one under way (for the smoother, mid-session or at its end)."""
        if self.segments is None:
            return []
        if self._segment_start is None:
            return list(self.segments)
        kept = list(self.segments)
        self._record_segment()
        out, self.segments = self.segments, kept
        return out

    def _step(self, t: float, speed: float, switched: bool) -> Step:
        p = self.params
        confidence = self._p if self._committed == R else 1 - self._p
        if not math.isnan(speed) and speed < MOVING_FROM_KMH:
            direction = Direction.STOPPED
        elif confidence < p.unsure_below and self._phase is not _Phase.WAITING:
            direction = Direction.UNSURE
        else:
            direction = self.committed
        return Step(t, direction, confidence, self._p, switched, self._boundary, self.evidence)


def _spread(speed_kmh: float, seen: int, learned_kmh: float) -> float:
    """Log-sd of the step rate about a gait's curve at this speed (see :meth:`_cadence_terms`)."""
    if seen == 0 or learned_kmh <= 0:
        return _CADENCE_SD
    away = abs(math.log(speed_kmh / learned_kmh))
    if seen >= 20 and away < 0.25:
        return _KNOWN_SD
    return _CADENCE_SD + 0.1 * max(away - 0.25, 0.0)


def _bounded(offset: float) -> float:
    return min(max(offset, -_OFFSET_BOUND), _OFFSET_BOUND)


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


_STAY: Move = ((1.0, 1e-6), (1e-6, 1.0))
"""A plateau that began without a weighed transition (the start, a mark, a quiet cue): it keeps
the facing (the smoother takes the live decision for those)."""


def smooth(segments: Sequence[Segment]) -> list[float]:
    """P(reverse) of each segment given the whole session (forward-backward over the segments)."""
    n = len(segments)
    if n == 0:
        return []
    alpha: list[tuple[float, float]] = []
    prev = (0.98, 0.02)
    for segment in segments:
        m, e = segment.move, segment.evidence
        a = (
            (prev[0] * m[0][0] + prev[1] * m[1][0]) * e[0],
            (prev[0] * m[0][1] + prev[1] * m[1][1]) * e[1],
        )
        total = sum(a) or 1.0
        prev = (a[0] / total, a[1] / total)
        alpha.append(prev)
    out = [0.0] * n
    beta = (1.0, 1.0)
    for k in range(n - 1, -1, -1):
        g = (alpha[k][0] * beta[0], alpha[k][1] * beta[1])
        out[k] = g[1] / (sum(g) or 1.0)
        m, e = segments[k].move, segments[k].evidence
        b = (
            m[0][0] * e[0] * beta[0] + m[0][1] * e[1] * beta[1],
            m[1][0] * e[0] * beta[0] + m[1][1] * e[1] * beta[1],
        )
        total = sum(b) or 1.0
        beta = (b[0] / total, b[1] / total)
    return out

"""Live, causal direction detection: the segmenter, the evidence and the posterior, put together.

FTMS has no direction field, so the direction is inferred, with a confidence, and said to be
unsure when the evidence does not carry it (docs/detection.md has the why and the figures).

* :mod:`treadmill.core.segments` cuts the belt speed into plateaus and the transitions between
  them. Facing changes only at a transition, or where the step rate jumps at an unchanged
  speed (a turn at speed), or at a cue the belt gives no sign of at all.
* :mod:`treadmill.core.evidence` says what each signal means: the transition's shape and speeds,
  and on a plateau the step rate (footpod or the treadmill's own count), the footpod's speed
  against the belt's, and the incline, each against **this person's** own, measured while the
  facing was anchored (the start, a mark, a cued turn the belt confirmed, a speed nobody runs
  backward).
* :mod:`treadmill.core.turn_timing` reads the footpod while the belt slows: a turn made at speed
  before it shows there, one made at its bottom does not.
* :mod:`treadmill.core.posterior` holds the belief: the one Bayes update, the commit, and
  :mod:`treadmill.core.calibration` turns it into the confidence the app states.

A phone worn on the body (:mod:`treadmill.core.phone_turns`) sees each turn itself: from a
facing it can trust, it decides; from one it cannot, it dates the turns and the rest decides.

Heart rate is not used: it lags by a minute, handrails blunt it, and after a hard run it stays
high through a forward walk.

In a session without a workout, when a transition leaves the facing unsure, the detector
**asks** (:attr:`Verdict.asking`): the app says "Did you turn?" and the answer is a mark.

Pure Python on floats, no I/O and no clock: :meth:`DirectionDetector.update` per sample.
Each plateau is recorded so that :func:`smooth` can weigh the whole session afterwards.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from treadmill.core.calibration import Basis, stated
from treadmill.core.evidence import (
    CUED_SHAPE_LIKELIHOOD,
    MAX_OFFSET,
    QUIET_LIKELIHOOD,
    REACTION_S,
    RUN,
    SHAPE_LIKELIHOOD,
    SURELY_FORWARD_KMH,
    UNSEEN_TURN_AT_SPEED,
    WALK,
    WORKOUT_SHAPE_LIKELIHOOD,
    F,
    InclineModel,
    JumpWatch,
    Levels,
    PodSpeedModel,
    R,
    StepCounter,
    StrideModel,
    TurnShapes,
    forward_rate_anyone,
    speed_level_log_ratio,
    speed_ratio_likelihoods,
)
from treadmill.core.phone_turns import PhoneTurns
from treadmill.core.posterior import (
    STAY,
    Belief,
    Move,
    PlateauEvidence,
    logistic,
    moved,
    turn_move,
)
from treadmill.core.segments import Change, Phase, Segmenter, SegmenterParams, Shape, Transition
from treadmill.core.turn_timing import SlowDownReadings
from treadmill.inputs import finite
from treadmill.model import MOVING_FROM_KMH, CueDirection, Direction, Evidence, Facing, Sample

__all__ = [
    "DetectorParams",
    "DetectorState",
    "DirectionDetector",
    "Segment",
    "Verdict",
    "smooth",
]


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
    cue_lag_s: float = 45.0
    """... and this long after it (reaction, lateness, slowing the belt from a run)."""
    quiet_turn_s: float = 20.0
    """A cue to the other way followed by this long at an unchanged speed: taken as a turn at
    speed, until a transition within :attr:`cue_lag_s` of the cue says otherwise."""
    commit_probability: float = 0.8
    """The other facing is committed once its probability passes this."""
    unsure_below: float = 0.8
    """A stated (calibrated) confidence below this is shown as unsure."""
    confirmed: float = 0.95
    """A cued turn this sure after the transition is confirmed: the facing is anchored on it."""
    keep_anchor: float = 0.98
    """An anchored facing this sure after a transition (plainly no turn) stays anchored."""
    stride_jump: float = 0.06
    """A step rate this much (log) off the plateau's own, at an unchanged speed, may be a turn at speed."""
    pod_jump: float = 0.1
    """... and a footpod's speed this much (log) off its own against the belt's (it reads backward low)."""
    stale_s: float = 5.0
    """A footpod reading older than this says nothing (it stopped sending)."""
    ask_within_s: float = 45.0
    """How long after a transition that left the facing unsure the app asks "Did you turn?"."""
    segmenter: SegmenterParams = field(default_factory=SegmenterParams)


@dataclass(slots=True)
class DetectorState:
    """What the detector has learned about this person (kept in their profile).

    Log offsets of the person's forward step rate from the typical curves, per gait, the speed
    each was measured at, and how many anchored readings it rests on. Bounded by what a step
    rate can be (:data:`~treadmill.core.evidence.MAX_OFFSET`); a profile seeds the prior of the
    next session, never this session's measurement.
    """

    walk_offset: float = 0.0
    run_offset: float = 0.0
    walk_samples: int = 0
    run_samples: int = 0
    walk_speed_kmh: float = 0.0
    """Speed of the walking it learned from (0: none yet)."""
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


_STATE_RANGES = {
    "walk_offset": (-MAX_OFFSET, MAX_OFFSET),
    "run_offset": (-MAX_OFFSET, MAX_OFFSET),
    "walk_samples": (0.0, 1e9),
    "run_samples": (0.0, 1e9),
    "walk_speed_kmh": (0.0, 25.0),
    "run_speed_kmh": (0.0, 25.0),
}


class Verdict(NamedTuple):
    """The detector's output for one sample (a named tuple: one is made per sample)."""

    t: float
    direction: Direction
    """Forward, reverse, unsure (moving, facing not settled) or stopped."""
    confidence: float
    """The stated confidence in the committed facing: how often a label stated so is right."""
    p_reverse: float
    """The model's probability of facing backward (before calibration)."""
    switched: bool
    """True on the sample where a new committed facing was decided."""
    boundary_s: float
    """Best estimate of when the current facing began (may precede the decision)."""
    evidence: Evidence = Evidence.SPEED
    """What the confidence rests on."""
    backed: bool = False
    """Something besides the belt's speed says backward: the step rate on this plateau, on its
    own, or the person's mark since the last transition. The safety rules' second signal."""
    asking: bool = False
    """The facing is unsure after a transition in a session without a workout: ask the person."""
    basis: Basis = Basis.SPEED
    """What the stated confidence was calibrated for."""
    settled: tuple[float, Direction] | None = None
    """A transition resolved on this sample: from the time given, the samples shown unsure
    while it was under way were the facing given (up to :attr:`boundary_s` if it switched)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One plateau as decided, for the whole-session smoother.

    ``move`` is P(transition evidence | facing before, facing after) as a 2x2 (rows: before),
    ``evidence`` the likelihood of what the plateau showed under each facing.
    """

    t_start: float
    move: Move
    evidence: tuple[float, float]


@dataclass(slots=True)
class _Weighed:
    """A transition's inputs, kept so that a cue arriving just after it can weigh it again."""

    transition: Transition
    shape: Shape
    p_before: float
    slowing: float
    """What the footpod read as the belt slowed: log P(backward) - log P(forward)."""


PHONE_STEPS_BELOW_KMH = 7.0
"""A worn phone's step count stands in for a footpod's below this belt speed. Above it, on the
bench's runners, its count (peaks 0.35 s apart, seven readings each) misled the stride model
more often than it helped: a running phone's steps are not used."""
_STRIDE_SAYS = math.log(10.0)
"""Log-evidence from which a plateau's step rate "says" backward on its own (ten to one)."""
_STRIDE_SAYS_AFTER = 5
"""... over at least this many readings."""
LONGEST_STEP_S = 10.0
"""A gap between samples counts as at most this long (a watch paused, a link down)."""
PICKED_UP_KMH = 0.5
"""In a cued transition, the belt this far up from its low point: the person has turned."""
TURNED_FROM = 0.9
"""A backward stretch this sure makes turns part of the session."""
SURELY_FORWARD_P = 0.01
"""P(backward) on a plateau at :data:`~treadmill.core.evidence.SURELY_FORWARD_KMH` or faster."""
FROM_THE_START_S = 20.0
"""Plateau evidence that pointed its way this soon after the plateau began dates the turn to
the transition before it; later, to when it began to point that way."""
JUMP_SEEN_AFTER_S = 3.0
"""A jump of the step rate shows this long after the turn (the median of five readings)."""
JUMP_CUE_S = 5.0
"""A jump answers a cue given up to this long before it was seen."""
DRIFT_CAP = math.log(20.0)
"""Without a workout or a step rate, a long plateau in a turning session drifts towards what its
speed says, at most twenty to one."""
POD_FROM_KMH = 1.5
"""Below this belt speed a footpod's speed is too rough to compare."""
STEADY_S = 10.0
"""A plateau this old has a steady rhythm: its step readings may vote on the footpod's unit."""
POD_CONTRADICTS = math.log(4.0)
"""A footpod speed saying the other way this strongly keeps an anchored plateau from teaching."""
LEARN_FROM = 0.75
"""An anchored plateau is learned from while its facing is at least this likely."""
ANCHORED_CAP = math.log(20.0)
"""On a plateau whose facing is anchored, the footpod's speed counts at most twenty to one:
enough to say unsure when it plainly contradicts the anchor (a turn at the same speed the belt
could not show), never enough to overturn it."""
_RECENT_READINGS = 20
"""A plateau's step rate and footpod speed are the median of its last readings: the belt's speed
may drift within a plateau (a few tenths of a km/h), and the rate with it."""


@dataclass(slots=True)
class DirectionDetector:
    """Feed samples in time order with :meth:`update`; cues and marks whenever they happen."""

    params: DetectorParams = field(default_factory=DetectorParams)
    state: DetectorState = field(default_factory=DetectorState)
    """Seeds the stride model's prior; :meth:`learned` is what this session measured."""
    segments: list[Segment] | None = None
    """When a list: every decided plateau, for :func:`smooth`."""

    _segmenter: Segmenter = field(init=False)
    _belief: Belief = field(init=False)
    _plateau: PlateauEvidence = field(init=False)
    _stride: StrideModel = field(init=False)
    _counter: StepCounter = field(default_factory=StepCounter)
    _pod: PodSpeedModel = field(default_factory=PodSpeedModel)
    _incline: InclineModel = field(default_factory=InclineModel)
    _levels: Levels = field(default_factory=Levels)
    _shapes: TurnShapes = field(default_factory=TurnShapes)
    _cues: list[tuple[float, int]] = field(default_factory=list)
    _used_cues: set[int] = field(default_factory=set)
    _mark: int | None = None
    _marked: bool = False
    """The facing was marked since the last transition."""
    _p_before: float = 0.02
    """P(backward) when the transition under way began."""
    _early: bool = False
    """The transition under way was decided as a cued turn before it settled."""
    _early_cue: int | None = None
    """... answering this cue."""
    _quiet: tuple[int, float, bool] | None = None
    """A cue taken as a turn at speed: its index, and the belief and commitment before it."""
    _weighed: _Weighed | None = None
    _turned: bool = False
    """This session has had a backward stretch the detector was sure of: turns are part of it."""
    _stride_jump: JumpWatch = field(init=False)
    _pod_jump: JumpWatch = field(init=False)
    _stride_seen: bool = False
    _steps_here: deque[float] = field(default_factory=lambda: deque(maxlen=_RECENT_READINGS))
    """Step rates on the plateau under way (learned from when it ends anchored, else weighed)."""
    _pods_here: deque[float] = field(default_factory=lambda: deque(maxlen=_RECENT_READINGS))
    """The footpod's speed over the belt's, reading by reading, on the plateau under way."""
    _stride_evidence: tuple[float, int] = (0.0, 0)
    """The plateau's step-rate log-evidence, and the readings it rests on."""
    _t: float = 0.0
    _stride_memo: tuple[tuple[float, float, int] | None, float] = (None, 0.0)
    _pod_memo: tuple[tuple[float, int] | None, float] = (None, 0.0)
    """The last plateau evidence computed, by what it was computed from (readings repeat)."""
    _settled: tuple[float, Direction] | None = None
    """What this sample resolved (see :attr:`Verdict.settled`)."""
    _incline_here: float = math.nan
    _segment_start: tuple[float, Move] | None = None
    _next_move: Move = STAY
    _last_t: float | None = None
    _dt: float = 0.0
    _asked_at: float | None = None
    """When the last transition left the facing unsure, in a session without a workout."""
    _phone: PhoneTurns = field(default_factory=PhoneTurns)
    """A worn phone's turns, followed against the belief."""
    _departed_at: float = -math.inf
    """When the belt last left a steady speed."""
    _read_span: tuple[float, float] = (math.inf, -math.inf)
    """The first and the last footpod reading on the plateau under way."""
    _expected: tuple[float, int] | None = None
    """The plan's next turn: when, and to which way."""
    _slowing: SlowDownReadings = field(default_factory=SlowDownReadings)
    """The footpod's readings in the transition under way: where in it a turn was."""

    def __post_init__(self) -> None:
        """The parts, and the profile's learning as a prior."""
        self._segmenter = Segmenter(self.params.segmenter)
        self._belief = Belief(self.params.commit_probability)
        self._plateau = PlateauEvidence()
        self._stride_jump = JumpWatch(self.params.stride_jump)
        self._pod_jump = JumpWatch(self.params.pod_jump)
        s = self.state
        self._stride = StrideModel(strides=s.stride_units)
        self._stride.seed(WALK, s.walk_offset if s.walk_samples else None)
        self._stride.seed(RUN, s.run_offset if s.run_samples else None)

    # --- what the app tells it ----------------------------------------------------------------

    def cue(self, t: float, direction: CueDirection) -> None:
        """The app cued a turn at ``t`` (a stop cue says nothing about the way faced)."""
        facing = direction.facing
        if facing is None:
            return
        way = F if facing is Facing.FORWARD else R
        self._cues.append((t, way))
        index = len(self._cues) - 1
        if self._segmenter.phase is Phase.WAITING:  # the plan's first step: they start facing that way
            self._belief.decide(way, t)
            self._used_cues.add(index)
            self._phone.forget()  # a worn phone's count starts from the way the plan says
            return
        weighed = self._weighed
        if (
            weighed is not None
            and self._segmenter.phase is Phase.PLATEAU
            and t - weighed.transition.end_t <= self.params.cue_lead_s
            and way != self._belief.committed
        ):  # the person turned just before the cue: weigh that transition again, as cued
            p = moved(weighed.p_before, self._move(weighed.transition, weighed.shape, way))
            if (p if way == R else 1 - p) >= self.params.commit_probability:
                self._used_cues.add(index)  # else the turn is still to come: the cue waits for it
                turn_at = self._turn_at(weighed.transition, weighed.slowing)
                self._settle_belief(p, turn_at, anchored=True)

    def expect(self, turn: tuple[float, Facing] | None) -> None:
        """The plan's next turn: when, and the way it faces (None: none planned).

        The app knows its plan ahead, and so do people who follow it: some turn before the cue.
        """
        self._expected = None if turn is None else (turn[0], F if turn[1] is Facing.FORWARD else R)

    def mark(self, facing: Facing) -> None:
        """The person said which way they face (decisive, until the next transition)."""
        self._mark = F if facing is Facing.FORWARD else R

    # --- one sample -----------------------------------------------------------------------------

    def update(self, sample: Sample) -> Verdict:
        """One sample; its missing readings are simply no evidence."""
        t = sample.t
        self._dt = 0.0 if self._last_t is None else min(max(t - self._last_t, 0.0), LONGEST_STEP_S)
        self._last_t = self._t = t
        self._settled = None
        switched = False
        before, p_before = self._belief.committed, self._belief.p
        if self._mark is not None:
            switched = self._belief.decide(self._mark, t)
            self._mark, self._asked_at, self._marked = None, None, True
            self._phone.forget()
            self._plateau.restart(self._belief.p, t)
        speed = math.nan if sample.speed_kmh is None else sample.speed_kmh
        if not math.isnan(speed):
            switched = self._follow(t, speed) or switched
        steps = self._steps_per_min(sample, speed)  # after the plateau is known: a new one counts afresh
        if self._segmenter.phase is Phase.PLATEAU:
            switched = self._on_plateau(t, speed, steps, sample) or switched
        elif self._segmenter.phase is Phase.TRANSITION and not self._stale(sample):
            # The footpod's own readings, not a rate counted over many seconds of changing speed.
            pod = sample.pod_speed_kmh if speed >= POD_FROM_KMH else None
            self._slowing.keep(t, speed, steps if sample.cadence_per_min else math.nan, pod or math.nan)
        said = self._phone.see(
            t,
            sample.phone,
            self._belief,
            self._plateau,
            (before, p_before),
            on_level=self._segmenter.phase is Phase.PLATEAU,
            waiting=self._segmenter.phase is Phase.WAITING,
            departed_at=self._departed_at,
            cued=bool(self._cues),
        )
        self._turned = self._turned or said.backward
        if said.ask is not None:
            self._asked_at = t if said.ask else None
        if said.changed:  # a change over the whole sample counts as a switch
            switched = self._belief.committed != before
        return self._verdict(t, speed, switched)

    @property
    def committed(self) -> Direction:
        """The way the person is taken to face now, moving or not."""
        return Direction.FORWARD if self._belief.committed == F else Direction.REVERSE

    @property
    def evidence(self) -> Evidence:
        """What the facing rests on now: the person's mark, the cues, a step rate, or the speed."""
        if self._marked:
            return Evidence.MARK
        if self._phone.decides:
            return Evidence.PHONE
        if self._cues:
            return Evidence.CUED
        return Evidence.FOOTPOD if self._stride_seen else Evidence.SPEED

    def learned(self) -> DetectorState:
        """What this session measured of the person (for their profile)."""
        walk, run = (self._stride.measured(gait) for gait in (WALK, RUN))
        return DetectorState(
            walk_offset=walk[1] if walk else self.state.walk_offset,
            run_offset=run[1] if run else self.state.run_offset,
            walk_samples=self.state.walk_samples + (walk[2] if walk else 0),
            run_samples=self.state.run_samples + (run[2] if run else 0),
            walk_speed_kmh=walk[0] if walk else self.state.walk_speed_kmh,
            run_speed_kmh=run[0] if run else self.state.run_speed_kmh,
            stride_units=bool(self._stride.strides),
        )

    # --- the signals ---------------------------------------------------------------------------

    def _steps_per_min(self, sample: Sample, speed: float) -> float:
        """This sample's step rate: the footpod's (fresh), else the treadmill's own count; else NaN."""
        cadence = sample.cadence_per_min
        phone = sample.phone
        if (
            not cadence
            and phone is not None
            and phone.worn
            and phone.steps_per_min > 0
            and speed < PHONE_STEPS_BELOW_KMH
        ):
            cadence = round(phone.steps_per_min)  # a worn phone counts a walker's steps as a footpod does
        if cadence and not self._stale(sample) and not math.isnan(speed):
            steady = self._segmenter.phase is Phase.PLATEAU and sample.t - self._plateau_start >= STEADY_S
            unit = self._stride.strides
            steps = self._stride.steps_per_min(speed, float(cadence), steady=steady)
            if (
                self._stride.strides != unit
            ):  # the footpod's unit is settled otherwise: no jump, the same rate
                factor = 2.0 if self._stride.strides else 0.5
                kept = [x * factor for x in self._steps_here]
                self._steps_here.clear()
                self._steps_here.extend(kept)
                self._stride_jump.restart()
        else:
            steps = self._counter.rate(sample.t, sample.steps)
        if not math.isnan(steps):
            self._stride_seen = True
        return steps

    def _stale(self, sample: Sample) -> bool:
        """The footpod's reading is old: it stopped sending (taken off, out of range)."""
        age = sample.cadence_age_s
        return age is not None and age > self.params.stale_s

    # --- the belt's speed: plateaus and transitions -------------------------------------------

    def _follow(self, t: float, speed: float) -> bool:
        """Follow the speed; True when a transition (or a cued turn in it) switched the facing."""
        change = self._segmenter.feed(t, speed, cued=self._live_cue(t) is not None)
        if change is Change.BEGAN:
            self._next_move = STAY
            self._begin_plateau(t, anchored=True)
            return False
        if change is Change.DEPARTED:
            self._phone.belt_changed(self._belief, self._plateau, t)
            self._end_plateau()
            self._p_before, self._early = self._belief.p, False
            self._departed_at = t
            transition = self._segmenter.transition
            assert transition is not None
            self._slowing.restart(transition.start_t, transition.before_kmh)
            return False
        if change is Change.SETTLED:
            return self._transition_settled(t)
        if self._segmenter.phase is Phase.TRANSITION:
            return self._cued_turn_under_way(t, speed)
        return False

    def _live_cue(self, t: float) -> int | None:
        """The latest cue, unanswered, whose window is open now."""
        if not self._cues:
            return None
        index = len(self._cues) - 1
        if index in self._used_cues or not 0.0 <= t - self._cues[index][0] <= self.params.cue_lag_s:
            return None
        return index

    def _cue_for(self, start: float, now: float) -> int | None:
        """The cue a transition over [start, now] may answer (the latest fitting one).

        A cue taken as a turn at speed is still open to a transition within its window: that
        transition, not the silence, was the answer.
        """
        p = self.params
        for index in range(len(self._cues) - 1, -1, -1):
            cue_t, _ = self._cues[index]
            quiet = self._quiet is not None and self._quiet[0] == index
            if index in self._used_cues and not quiet:
                continue
            if cue_t - p.cue_lead_s <= now and start <= cue_t + p.cue_lag_s:
                return index
        return None

    def _way(self, cue: int | None) -> int | None:
        """The way cue number ``cue`` asked for (None: no cue)."""
        return None if cue is None else self._cues[cue][1]

    def _flip(self, cued: int | None) -> tuple[float, float]:
        """The chance a transition is a turn, from forward and from backward, after a cue to ``cued``."""
        p = self.params
        if cued is not None:  # towards the cued way a turn is likely; away from it, only a free turn
            return (p.cued_turn_prior if cued == R else p.free_turn_prior,
                    p.cued_turn_prior if cued == F else p.free_turn_prior)  # fmt: skip
        if self._cues:  # a workout: people turn when it says so, hardly ever in between
            return p.uncued_turn_prior, p.uncued_turn_prior
        if self._turned:
            return p.turning_session_prior, p.turning_session_prior
        return p.free_turn_prior, p.free_return_prior  # backward stretches are short: a turn ends them

    def _shape_table(self, cued: int | None) -> dict[Shape, tuple[float, float]]:
        """P(shape | turn), P(shape | no turn): after a cue, in a workout away from cues, or free."""
        if cued is not None:
            return CUED_SHAPE_LIKELIHOOD
        return WORKOUT_SHAPE_LIKELIHOOD if self._cues else SHAPE_LIKELIHOOD

    def _move(self, transition: Transition, shape: Shape, cued: int | None) -> Move:
        """P(what the transition showed, facing after | facing before).

        From its shape, its speeds, and a cue to ``cued`` (None: no cue).
        """
        table = self._shape_table(cued)
        move = turn_move(self._flip(cued), self._shapes.if_turn(shape, table), table[shape][1])
        if shape in (Shape.RETURN, Shape.CADENCE):  # the same level again says nothing new
            return move
        after, before = transition.after_kmh, transition.before_kmh
        level = math.exp(self._levels.log_ratio(after))
        ratio = speed_ratio_likelihoods(after / before) if before >= MOVING_FROM_KMH else (1.0, 1.0)
        if cued is not None:  # a workout sets the speeds: what people choose counts half
            level, ratio = math.sqrt(level), (math.sqrt(ratio[0]), math.sqrt(ratio[1]))
        return (
            (move[F][F], move[F][R] * ratio[0] * level),
            (move[R][F] * ratio[1], move[R][R] * level),
        )

    def _answerable(self, cue: int | None, p_before: float) -> int | None:
        """The cue, if it asks for the other way than the one faced before (else it is no cue here)."""
        if cue is None or self._cues[cue][1] == (R if p_before < 0.5 else F):
            return cue
        return None

    def _cued_turn_under_way(self, t: float, speed: float) -> bool:
        """In a transition answering a cue: the turn is decided once the belt picks up again.

        After the low point the person has turned; the cue and the shape say so now rather
        than when the new speed settles.
        """
        transition = self._segmenter.transition
        if self._early or transition is None:
            return False
        p_before = self._before_quiet(transition)
        index = self._answerable(self._cue_for(transition.start_t, t), p_before)
        if index is None or t < self._cues[index][0]:
            return False
        cue_t, cued = self._cues[index]
        if transition.start_t - cue_t > self.params.quiet_turn_s:
            return False  # not a prompt answer: weighed once settled, with all the plateau said
        if (
            transition.went_down
            and speed >= transition.low_kmh + PICKED_UP_KMH
            and cue_t <= transition.low_t  # picking up before the cue: a pause, or a turn the new level shows
        ):
            shape, boundary = (Shape.STOP if transition.stopped else Shape.DIP), transition.low_t
        elif not transition.went_down and speed >= transition.before_kmh + PICKED_UP_KMH and cued == F:
            shape, boundary = Shape.STEP, transition.start_t  # turned at speed, now speeding up forward
        else:
            return False
        table = CUED_SHAPE_LIKELIHOOD
        p = moved(p_before, turn_move(self._flip(cued), self._shapes.if_turn(shape, table), table[shape][1]))
        if (p if cued == R else 1 - p) < self.params.commit_probability:
            return False
        self._early, self._early_cue = True, index
        self._settled = (transition.start_t, self.committed)
        self._used_cues.add(index)
        return self._settle_belief(p, boundary, anchored=True)

    def _before_quiet(self, transition: Transition) -> float:
        """P(backward) before the transition; before a quiet cued turn, if this transition is its answer."""
        quiet = self._quiet
        if quiet is not None and transition.start_t <= self._cues[quiet[0]][0] + self.params.cue_lag_s:
            return quiet[1]
        return self._p_before

    def _transition_settled(self, t: float) -> bool:
        transition = self._segmenter.last
        assert transition is not None
        after = transition.after_kmh
        shape = transition.shape(after)
        p_before = self._before_quiet(transition)
        index = self._answerable(self._cue_for(transition.start_t, t), p_before)
        if index is not None and shape is Shape.RETURN and self._cues[index][0] > transition.low_t:
            index = None  # back up to the same speed before the cue was heard: a pause, not its answer
        if self._quiet is not None and index == self._quiet[0]:
            # The silence after the cue was not the answer: this transition is. Undo the quiet turn.
            self._belief.committed = R if self._quiet[2] else F
        self._quiet = None
        slowing = self._slowing.backward_log_ratio(transition, stride=self._stride, pod=self._pod)
        move = self._move(transition, shape, self._way(index))
        # Decided early on the cue and the turn's shape, the new level adds to that.
        p = self._with_level(after) if self._early else moved(p_before, move)
        self._next_move = move
        if self._early:
            index = self._early_cue
        confirmed = index is not None and (p if self._cues[index][1] == R else 1 - p) >= self.params.confirmed
        # A change of speed that plainly was no turn keeps the anchor (the start's ramp up, say).
        kept = (
            self._belief.anchored
            and self._belief.confidence_in(self._belief.committed) >= 0.5
            and ((p if self._belief.committed == R else 1 - p) >= self.params.keep_anchor)
        )
        if (
            index is not None
            and (p if self._cues[index][1] == R else 1 - p) >= self.params.commit_probability
        ):
            self._used_cues.add(index)  # answered; an inconclusive transition leaves it for the next one
        if confirmed:
            rose = transition.after_kmh > transition.before_kmh > self.params.segmenter.turn_walk_kmh
            self._shapes.confirmed(shape, rose_from_speed=rose)
        self._weighed = _Weighed(transition, shape, p_before, slowing)
        if not self._early:
            self._settled = (transition.start_t, self.committed)
        anchored = confirmed or kept
        turn_at = self._turn_at(transition, slowing)
        switched = self._settle_belief(p, turn_at, anchored=anchored) and not self._early
        self._begin_plateau(t, anchored=anchored, turned_at=turn_at)
        self._asked_at = None
        if not self._cues and shape is not Shape.RETURN and self._stated < self.params.unsure_below:
            self._asked_at = t
        return switched

    def _turn_at(self, transition: Transition, slowing: float) -> float:
        """Where a turn in ``transition``, from the way committed to, was.

        By this person's habit, and ``slowing``: what the footpod read as the belt slowed, log
        P(backward) - log P(forward).
        """
        share = self._shapes.at_speed_share()
        odds = slowing if self._belief.committed == F else -slowing
        return transition.turn_at(logistic(math.log(share / (1.0 - share)) + odds))

    def _settle_belief(self, p: float, boundary: float, *, anchored: bool) -> bool:
        switched = self._belief.set(p, boundary, anchored=anchored)
        self._turned = self._turned or self._belief.p >= TURNED_FROM
        self._plateau.restart(self._belief.p, self._t)
        return switched

    def _begin_plateau(self, t: float, *, anchored: bool, turned_at: float | None = None) -> None:
        self._belief.anchored = anchored or (self._belief.anchored and self._segment_start is None)
        self._plateau.restart(self._belief.p, t)
        self._stride_jump.restart()
        self._pod_jump.restart()
        self._counter.restart()
        self._stride_evidence = (0.0, 0)
        self._stride_memo, self._pod_memo = (None, 0.0), (None, 0.0)
        self._steps_here.clear()
        self._pods_here.clear()
        self._incline_here = math.nan
        self._read_span = (math.inf, -math.inf)
        self._marked = False
        self._segment_start = (turned_at if turned_at is not None else t, self._next_move)
        self._next_move = STAY

    def _end_plateau(self) -> None:
        """The plateau ends: keep it for the smoother, and learn from it if its facing was anchored."""
        belief, level = self._belief, self._segmenter.level
        # Learned from while the anchor still holds: its own readings may have made it less sure
        # (they are compared with anyone's until now), not unsure.
        facing = belief.committed if belief.anchored and belief.confidence >= LEARN_FROM else None
        if level >= MOVING_FROM_KMH:
            self._levels.held(level, facing)
        if facing is not None and not self._pod_contradicts(facing):
            self._learn(facing, level)
        self._record_segment()

    def _pod_contradicts(self, facing: int) -> bool:
        """The footpod's speed plainly says the other way: a turn the belt did not show; learn nothing."""
        if not self._pods_here:
            return False
        llr = self._pod.log_ratio(_median(self._pods_here), len(self._pods_here))
        return (llr if facing == F else -llr) > POD_CONTRADICTS

    def _learn(self, facing: int, level: float) -> None:
        if self._steps_here:
            rate = _median(self._steps_here)
            if facing == F:
                self._stride.learn_forward(level, rate, len(self._steps_here))
            else:
                self._stride.learn_backward(level, rate)
        if facing == F and self._pods_here:
            self._pod.learn_forward(_median(self._pods_here))
        self._incline.learn(facing, self._incline_here)

    # --- on a plateau: the stride evidence ----------------------------------------------------

    def _on_plateau(self, t: float, speed: float, steps: float, sample: Sample) -> bool:
        """One plateau sample.

        A cue met by silence, a speed nobody runs backward, a turn at speed, or the plateau's own
        evidence.
        """
        cue = self._live_cue(t)
        if cue is not None and self._quiet_since(cue, t):
            return self._quiet_turn(cue)
        if sample.incline_pct is not None:
            self._incline_here = sample.incline_pct
        belief = self._belief
        if (
            not math.isnan(speed)
            and speed >= SURELY_FORWARD_KMH
            and (belief.p > SURELY_FORWARD_P or not belief.anchored)
        ):
            # Nobody runs backward this fast.
            return self._settle_belief(SURELY_FORWARD_P, self._plateau_start, anchored=True)
        if not math.isnan(speed):
            pod = None if self._stale(sample) else sample.pod_speed_kmh
            if self._jumped(self._segmenter.level, steps, pod):
                return self._turn_at_speed(t)
            self._keep_readings(speed, steps, pod)
            if steps > 0 or (pod or 0.0) > 0:  # NaN compares false
                self._read_span = (min(self._read_span[0], t), t)
        return self._weigh_readings(t)

    def _keep_readings(self, speed: float, steps: float, pod: float | None) -> None:
        if not math.isnan(steps):
            self._steps_here.append(steps)
        if pod is not None and pod > 0 and speed >= POD_FROM_KMH:
            self._pods_here.append(pod / speed)

    def _weigh_readings(self, t: float) -> bool:
        """The plateau's readings so far as evidence (or, with none to read, the drift)."""
        evidence = 0.0
        if self._pods_here:
            pods = (_median(self._pods_here), len(self._pods_here))
            if self._pod_memo[0] != pods:  # the model changes only between plateaus
                self._pod_memo = (pods, self._pod.log_ratio(*pods))
            evidence = self._pod_memo[1]
        if self._belief.anchored:
            # The step rate is what is being learned here: against anyone's, it says nothing of
            # the facing. Against this person's own, measured near this speed, it may (a cued
            # turn the person skipped, pausing instead), as may the footpod's speed against the
            # belt's (a turn at the same speed the belt hid); never enough to overturn the anchor.
            level = self._segmenter.level
            if self._steps_here and self._stride.knows(level):
                evidence += self._stride.log_ratio(level, _median(self._steps_here), len(self._steps_here))
            return self._weigh_plateau(t, min(max(evidence, -ANCHORED_CAP), ANCHORED_CAP))
        evidence += self._incline.log_ratio(self._incline_here)
        if self._steps_here:
            n = len(self._steps_here)
            steps = (round(self._segmenter.level, 2), _median(self._steps_here), n)
            if self._stride_memo[0] != steps:
                self._stride_memo = (steps, self._stride.log_ratio(*steps))
            stride = self._stride_memo[1]
            self._stride_evidence = (stride, n)
            evidence += stride
        if not evidence and not self._cues and not self._stride_seen:
            return self._drift(t)
        return self._weigh_plateau(t, evidence)

    def _weigh_plateau(self, t: float, evidence: float) -> bool:
        """The plateau's evidence so far; True when it switched the facing."""
        p = self._plateau.weigh(t, evidence)
        since = self._plateau.since if self._plateau.since is not None else t
        # Evidence that pointed this way from the plateau's start dates the turn to the transition.
        boundary = self._plateau_start if since - self._plateau_start < FROM_THE_START_S else since
        switched = self._belief.set(p, boundary, anchored=self._belief.anchored)
        self._belief.anchored = self._belief.anchored and not switched
        self._turned = self._turned or self._belief.p >= TURNED_FROM
        return switched

    @property
    def _plateau_start(self) -> float:
        return self._segment_start[0] if self._segment_start is not None else 0.0

    def _quiet_since(self, cue: int, t: float) -> bool:
        """No change of speed at all since the cue, for :attr:`DetectorParams.quiet_turn_s`."""
        cue_t = self._cues[cue][0]
        return self._plateau_start < cue_t and t - cue_t >= self.params.quiet_turn_s

    def _quiet_turn(self, index: int) -> bool:
        """A cue, then no change of speed at all.

        Those facing the other way have mostly turned at speed (a few skip); those already
        facing the cued way carry on.
        """
        cue_t = self._cues[index][0]
        self._used_cues.add(index)
        self._quiet = (index, self._belief.p, self._belief.committed == R)
        if_turn, if_not = QUIET_LIKELIHOOD
        if self._watched_since(cue_t):  # the footpod read all along, and saw no jump
            if_turn *= UNSEEN_TURN_AT_SPEED
        move = turn_move(self._flip(self._way(index)), if_turn, if_not)
        self._end_plateau()
        self._next_move = move
        switched = self._settle_belief(moved(self._belief.p, move), cue_t + REACTION_S, anchored=True)
        self._begin_plateau(cue_t, anchored=True)
        return switched

    def _watched_since(self, cue_t: float) -> bool:
        """The footpod read on this plateau from before ``cue_t`` until now.

        A turn at speed in that time would have shown as a jump.
        """
        first, last = self._read_span
        return first <= cue_t - JUMP_CUE_S and self._t - last <= self.params.stale_s

    def _jumped(self, level: float, steps: float, pod: float | None) -> bool:
        """The step rate, or the footpod's speed against the belt's, jumped at an unchanged speed.

        Only the way a turn would move it counts: backward, steps are quicker and a footpod reads slow.

        The step rate is watched against anyone's forward rate at the belt's speed of the moment,
        so that the belt drifting a few tenths within a plateau is no jump.
        """
        to_backward = self._belief.committed == F
        jumped = False
        if steps > 0 and level > 0:  # NaN compares false: no reading
            relative = math.log(steps) - math.log(forward_rate_anyone(level))
            jumped = self._stride_jump.jumped(relative, upward=to_backward)
        if pod is not None and pod > 0 and level > 0:
            jumped = self._pod_jump.jumped(math.log(pod / level), upward=not to_backward) or jumped
        return jumped

    def _turn_at_speed(self, t: float) -> bool:
        """The step rate jumped at an unchanged speed: a transition of its own (a turn at speed)."""
        self._end_plateau()
        index = self._answerable(self._cue_for(t - JUMP_CUE_S, t), self._belief.p)
        cued = self._way(index)
        table = self._shape_table(cued)
        if_turn = self._shapes.if_turn(Shape.CADENCE, table)
        move = turn_move(self._flip(cued), if_turn, table[Shape.CADENCE][1])
        if index is not None:
            self._used_cues.add(index)
        self._next_move = move
        turned_at = t - JUMP_SEEN_AFTER_S
        switched = self._settle_belief(moved(self._belief.p, move), turned_at, anchored=index is not None)
        self._begin_plateau(t, anchored=index is not None, turned_at=turned_at)
        return switched

    def _drift(self, t: float) -> bool:
        """Without a workout or a step rate, what a long plateau says as time passes.

        Before any sure backward stretch it drifts towards forward: backward stretches are
        short (minutes), forward ones can be the whole session. In a session that has turned it
        drifts towards what the speed itself says: someone who turns every few minutes may have
        turned unseen, at speed or in a stop and restart; at 9-10 km/h that is forward.
        """
        p, belief = self.params, self._belief
        if self._turned:
            target = logistic(speed_level_log_ratio(self._segmenter.level, cap=DRIFT_CAP))
            belief.p += (target - belief.p) * p.unseen_turn_per_s * self._dt
        else:
            belief.p *= 1 - p.long_backward_per_s * self._dt
        self._plateau.restart(belief.p, t)
        if belief.committed == R and 1 - belief.p >= p.commit_probability:
            belief.committed, belief.boundary = F, t
            return True
        return False

    # --- output ----------------------------------------------------------------------------------

    def _record_segment(self) -> None:
        """Note the plateau ending now for the smoother: how it began, and its stride evidence."""
        if self.segments is None or self._segment_start is None:
            return
        start, move = self._segment_start
        self.segments.append(Segment(start, move, (1.0, self._plateau.likelihood_ratio)))
        self._segment_start = None

    def open_segments(self) -> list[Segment]:
        """The decided plateaus and the one under way (for the smoother, mid-session or at its end)."""
        if self.segments is None:
            return []
        if self._segment_start is None:
            return list(self.segments)
        start, move = self._segment_start
        return [*self.segments, Segment(start, move, (1.0, self._plateau.likelihood_ratio))]

    @property
    def _basis(self) -> Basis:
        if self._phone.decides:
            return Basis.PHONE
        return Basis.of(cued=bool(self._cues), stride=self._stride_seen, turned=self._turned)

    @property
    def _stated(self) -> float:
        """The confidence to state in the committed facing (calibrated)."""
        return stated(self._belief.confidence, self._basis)

    @property
    def _backed(self) -> bool:
        """A second signal says backward: a mark, the phone, or the step rate of the plateau under way.

        In a transition the step rate is still the last plateau's, and a turn may be changing it.
        """
        if self._belief.committed != R:
            return False
        stride, count = self._stride_evidence
        on_level = self._segmenter.phase is Phase.PLATEAU
        return (
            self._marked
            or self._phone.decides
            or (on_level and count >= _STRIDE_SAYS_AFTER and stride >= _STRIDE_SAYS)
        )

    def _with_level(self, speed: float) -> float:
        """P(backward), the belief moved by what ``speed`` says as a level this person holds."""
        p, level = self._belief.p, math.exp(self._levels.log_ratio(speed))
        return p * level / (p * level + 1 - p)

    def _in_transition(self, t: float, speed: float) -> float:
        """P(the committed facing) now: while a transition that may be a turn is under way, less.

        A cue to the other way makes any change of speed likely the turn; without one, going
        down to a walk or a stop is how most people turn (the shape table's dip and stop, against
        all that go down without a turn), and in a workout it, or any change of speed while the
        plan's next turn is due, may be a turn made ahead of its cue.
        Until the transition settles, the old facing is stated only as sure as that allows: the
        person may already face the other way.
        """
        belief, transition = self._belief, self._segmenter.transition
        if self._phone.decides:  # the phone sees the turn itself: the belt's speed adds nothing
            return belief.confidence
        if transition is None:
            return belief.confidence
        if self._early:  # decided on the cue and the dip, unless now faster than they go backward
            withdrawn = belief.committed == R and self._levels.beyond_backward(speed)
            return min(belief.confidence, 0.5) if withdrawn else belief.confidence
        cued = self._way(self._answerable(self._cue_for(transition.start_t, t), self._p_before))
        other = F if belief.committed == R else R
        if cued is None and self._cues and (transition.went_down or self._due(t) == other):
            cued = other  # the turn its cue has not come for yet
        if cued is not None:
            move = turn_move(self._flip(cued), 1.0, 1.0)
        elif transition.went_down:
            table = SHAPE_LIKELIHOOD
            down = (Shape.DIP, Shape.STOP, Shape.RETURN)
            if_turn = sum(table[shape][0] for shape in down)
            if_not = sum(table[shape][1] for shape in down)
            move = turn_move(self._flip(None), if_turn, if_not)
        else:
            return belief.confidence
        p = moved(belief.p, move)
        return min(belief.confidence, p if belief.committed == R else 1 - p)

    def _due(self, t: float) -> int | None:
        """The way the plan's next turn faces, when it is due within :attr:`DetectorParams.cue_lead_s`."""
        expected = self._expected
        if expected is None or not 0.0 <= expected[0] - t <= self.params.cue_lead_s:
            return None
        return expected[1]

    def _verdict(self, t: float, speed: float, switched: bool) -> Verdict:
        belief, evidence = self._belief, self.evidence
        confidence = stated(self._in_transition(t, speed), self._basis)
        if not math.isnan(speed) and speed < MOVING_FROM_KMH:
            direction = Direction.STOPPED
        elif (
            confidence < self.params.unsure_below and self._segmenter.phase is not Phase.WAITING
        ) or self._phone.doubts:
            direction = Direction.UNSURE
        else:
            direction = self.committed
        asked = self._asked_at
        asking = asked is not None and t - asked <= self.params.ask_within_s and direction is Direction.UNSURE
        return Verdict(
            t,
            direction,
            confidence,
            belief.p,
            switched,
            belief.boundary,
            evidence,
            self._backed,
            asking,
            self._basis,
            self._settled,
        )


def _median(values: deque[float]) -> float:
    return sorted(values)[len(values) // 2]


def smooth(segments: Sequence[Segment]) -> list[float]:
    """P(backward) of each segment given the whole session (forward-backward over the segments)."""
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

"""Live, causal direction detection: a small HMM filter over the evidence (reverse-running.md §4).

FTMS has no direction field, so the direction is inferred, with a confidence. Four hidden
states: Forward, Reverse, and Turning-from-forward / Turning-from-reverse (a dip, a stop
or a turn in progress; a turn normally flips the direction, so the turning state
remembers where it came from). Each sample updates the forward-filter posterior with
whatever evidence is present; missing evidence simply drops out of the likelihood:

* **cues** (the app's plan): a cued switch raises the hazard of leaving the current
  direction for ~30 s after the cue (people react within seconds, some turn late), and a
  turn after a cue is expected to end facing the cued way;
* **the turnaround signature**: belt speed well below the person's recent steady speed,
  or stopped;
* **speed bands**: backward is chosen at 60-80 % of forward speed; each person's bands are
  learned online from confident samples (they overlap, so this is weak evidence);
* **stride**: log(cadence / the person's forward cadence at this speed), about +0.08 to
  +0.26 backward (shorter, quicker steps); the forward cadence model is learned online;
* **heart rate**: the residual above the forward response (first order, tau ~58 s, Hunt et
  al. 2015), weak and down-weighted: it confirms, it never leads;
* **manual marks** (a key press): decisive.

A switch is committed when the new direction's probability stays above
:data:`COMMIT_PROBABILITY` for :data:`COMMIT_SAMPLES` samples (hysteresis). The detector is
pure Python on floats (no I/O, no clock): :meth:`DirectionDetector.update` per sample, and
:func:`detect` over a batch is the same loop, so one-by-one equals batch exactly.
"""

from __future__ import annotations

import collections
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from treadmill.inputs import finite
from treadmill.model import MOVING_FROM_KMH, CueDirection, Direction, Evidence, Facing

__all__ = [
    "COMMIT_PROBABILITY",
    "COMMIT_SAMPLES",
    "DetectorParams",
    "DetectorState",
    "DirectionDetector",
    "Step",
    "smooth",
]

F, R, TF, TR = 0, 1, 2, 3
"""Forward, reverse, turning from forward, turning from reverse."""
COMMIT_PROBABILITY = 0.8
COMMIT_SAMPLES = 2
RUNNING_FROM_KMH = 7.5
WALK_CADENCE_SLOPE = 7.0
RUN_CADENCE_SLOPE = 2.5
Transition = tuple[float, float, float, float, float, float]
"""One step's transition numbers: leave F, leave R, end a turn, flip from F, flip from R, turn at speed."""
TraceStep = tuple[Transition, list[float], list[float]]
"""What a step records for smoothing: its transition numbers, prior and posterior."""
MIN_RATE_DT_S = 0.25
"""Shortest interval a speed change is measured over (FTMS consoles notify at about 1 Hz)."""
RECENT_WINDOW_S = 40.0
"""How far back a late commit looks for the dip where the turn happened."""
MIN_DWELL_S = 10.0
"""No second switch this soon after one: real intervals last half a minute or more."""
_LOG_2PI = math.log(2 * math.pi)


def _log_normal(x: float, mean: float, sd: float) -> float:
    z = (x - mean) / sd
    return -0.5 * (z * z + _LOG_2PI) - math.log(sd)


def _log_mix(weight_a: float, log_a: float, weight_b: float, log_b: float) -> float:
    """``log(weight_a * exp(log_a) + weight_b * exp(log_b))`` without underflow to ``log(0)``."""
    top = max(log_a, log_b)
    return top + math.log(weight_a * math.exp(log_a - top) + weight_b * math.exp(log_b - top))


def _robust(x: float, mean: float, sd: float, tail: float, width: float) -> float:
    """Log of a normal with a uniform tail: a model that is off weakens the evidence, never vetoes."""
    return _log_mix(1.0 - tail, _log_normal(x, mean, sd), tail, -math.log(width))


CALIBRATION: dict[Evidence, tuple[tuple[float, float], ...]] = {
    Evidence.CUED: (
        (0.25, 0.532),
        (0.552, 0.678),
        (0.711, 0.792),
        (0.83, 0.86),
        (0.879, 0.96),
        (0.964, 0.997),
    ),
    Evidence.SPEED: (
        (0.126, 0.142),
        (0.282, 0.292),
        (0.548, 0.358),
        (0.826, 0.452),
        (0.876, 0.543),
        (0.927, 0.553),
        (0.999, 0.954),
    ),
    Evidence.FOOTPOD: (
        (0.014, 0.005),
        (0.099, 0.038),
        (0.171, 0.08),
        (0.228, 0.102),
        (0.29, 0.436),
        (0.368, 0.627),
        (0.5, 0.65),
        (0.576, 0.7),
        (0.703, 0.765),
        (0.877, 0.793),
        (1.0, 0.995),
    ),
    Evidence.HEART_RATE: (
        (0.125, 0.239),
        (0.288, 0.277),
        (0.472, 0.286),
        (0.7, 0.312),
        (0.775, 0.393),
        (0.829, 0.535),
        (0.902, 0.675),
        (0.999, 0.901),
    ),
}
"""Raw confidence -> how often right, per evidence class: isotonic fits on the runner model's
tuning people (bench/calibrate_detector.py prints this table; bench/eval_detector.py checks it
on held-out people)."""


def _calibrated(raw: float, evidence: Evidence) -> float:
    """Piecewise-linear interpolation through the evidence class's calibration knots."""
    knots = CALIBRATION.get(evidence)
    if not knots:
        return raw
    if raw <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(knots):
        if raw <= x1:
            return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1
    return knots[-1][1]


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """Tunable constants, with where each comes from.

    Defaults were set looking at the runner model's tuning people only (bench/eval_detector.py
    splits by person).
    """

    unscheduled_hazard_per_s: float = 1 / 600
    """Leaving a direction with no cue (free runs switch every few minutes)."""
    cue_hazard_per_s: float = 0.25
    cue_window_s: float = 30.0
    """Cued switches happen within this long of the cue (reaction plus lateness, §5)."""
    turn_mean_s: float = 4.0
    """Mean time spent slowed down or stopped while turning."""
    flip_after_turn: float = 0.7
    """Chance a slow-down ends in the other direction when no cue says which."""
    flip_after_cued_turn: float = 0.95
    at_speed_turn_share: float = 0.15
    """Share of switches without a dip (turns at speed)."""
    dip_ratio: float = 0.55
    """Turning: speed at about this fraction of the recent steady speed (or stopped)."""
    reverse_speed_ratio: float = 0.7
    """Prior for backward / forward speed (§1.1: 0.6-0.8) before the bands are learned."""
    speed_sd_kmh: float = 1.0
    cadence_shift: float = 0.15
    """Prior backward log-cadence excess at equal speed (§1.2)."""
    cadence_sd: float = 0.06
    hr_extra_bpm: float = 30.0
    """Backward heart-rate excess at equal speed (§3.3: 25-45 bpm)."""
    hr_sd_bpm: float = 15.0
    hr_weight: float = 0.2
    """Heart rate lags by a minute: its log-likelihood counts this much."""
    learn_rate: float = 0.05
    """How fast the person's bands and cadence model follow confident samples."""
    learn_confidence: float = 0.95
    calibrate: bool = True
    """Map raw confidence through :data:`CALIBRATION` (off only to fit it)."""


@dataclass(slots=True)
class DetectorState:
    """What the detector has learned about this person so far (kept in their profile)."""

    forward_kmh: float = 5.0
    reverse_kmh: float | None = None
    """None until learned: then the forward band times the prior ratio."""
    cadence_a: float = 70.0
    """Forward cadence model: a + b x speed (steps/min, km/h); learned online."""
    cadence_b: float = 8.0
    cadence_shift: float = 0.15
    hr_rest_bpm: float = 70.0
    hr_gain_bpm_per_kmh: float = 7.0
    learned_samples: int = 0

    @classmethod
    def checked(cls, data: dict[str, object]) -> DetectorState:
        """A state from a profile's JSON, every number finite and in range (else :class:`InputError`)."""
        values: dict[str, object] = {}
        for name, (low, high) in _STATE_RANGES.items():
            if name in data and data[name] is not None:
                number = finite(data[name], f"detector.{name}", low=low, high=high)
                values[name] = int(number) if name == "learned_samples" else number
        return cls(**values)  # type: ignore[arg-type]


_STATE_RANGES = {
    "forward_kmh": (0.3, 25.0),
    "reverse_kmh": (0.3, 12.0),
    "cadence_a": (-200.0, 250.0),
    "cadence_b": (-20.0, 40.0),
    "cadence_shift": (-0.6, 0.6),
    "hr_rest_bpm": (30.0, 200.0),
    "hr_gain_bpm_per_kmh": (0.0, 40.0),
    "learned_samples": (0.0, 1e9),
}


@dataclass(frozen=True, slots=True)
class Step:
    """The detector's output for one sample."""

    t: float
    direction: Direction
    """Committed direction (stopped while the belt is)."""
    confidence: float
    """Posterior probability of the committed direction (turning mass counts for where it is heading)."""
    p_reverse: float
    """Posterior probability of facing backward (including turning towards backward)."""
    switched: bool
    """True on the sample where a new forward/reverse direction was committed."""
    boundary_s: float
    """Best estimate of when the current direction began (may precede the commit)."""
    evidence: Evidence = Evidence.SPEED
    """What the confidence rests on."""


@dataclass(slots=True)
class DirectionDetector:
    """Feed samples in time order with :meth:`update`; cues and marks whenever they happen."""

    params: DetectorParams = field(default_factory=DetectorParams)
    state: DetectorState = field(default_factory=DetectorState)
    _p: list[float] = field(default_factory=lambda: [0.94, 0.02, 0.02, 0.02])
    _t: float | None = None
    _last_speed: float | None = None
    _belt_started: bool = False
    _steady_since: float | None = None
    _plateau_kmh: float | None = None
    _turn_end: float | None = None
    _turn_low: float | None = None
    _last_commit: float | None = None
    _seen_cadence: bool = False
    trace: list[TraceStep] | None = None
    """When a list: every step's (transition matrix, prior, posterior), for :func:`smooth`."""
    _recent: collections.deque[tuple[float, float]] = field(default_factory=collections.deque)
    _hr_pred: float | None = None
    _cues: list[tuple[float, int]] = field(default_factory=list)
    _mark: int | None = None
    _committed: int = F
    _pending: int = 0
    _candidate_start: float = 0.0
    _boundary: float = 0.0

    def cue(self, t: float, direction: CueDirection) -> None:
        """The app cued a switch at ``t`` (a stop cue says nothing about the way faced)."""
        facing = direction.facing
        if facing is not None:
            self._cues.append((t, F if facing is Facing.FORWARD else R))

    def mark(self, facing: Facing) -> None:
        """The person pressed the key: they face ``facing`` (decisive for the next sample)."""
        self._mark = F if facing is Facing.FORWARD else R

    def _cue_context(self, t: float) -> tuple[float, int | None]:
        """Extra hazard from the latest cue, and the direction it asks for (None: no recent cue)."""
        if not self._cues:
            return 0.0, None
        cue_t, target = self._cues[-1]
        age = t - cue_t
        if 0.0 <= age <= self.params.cue_window_s:
            return self.params.cue_hazard_per_s, target
        return 0.0, target if 0.0 <= age <= 4 * self.params.cue_window_s else None

    def _flip_odds(self, t: float) -> tuple[float, float]:
        """Chance that a turn from forward (and from reverse) ends facing the other way."""
        p = self.params
        _, target = self._cue_context(t)
        if target is None:
            return p.flip_after_turn, p.flip_after_turn
        cued = p.flip_after_cued_turn
        return (cued, 1.0 - cued) if target == R else (1.0 - cued, cued)

    def _transitions(self, t: float, dt: float) -> Transition:
        """This step's transition numbers (see :data:`Transition`)."""
        p = self.params
        extra, target = self._cue_context(t)
        leave_f = 1.0 - math.exp(-(p.unscheduled_hazard_per_s + (extra if target == R else 0.0)) * dt)
        leave_r = 1.0 - math.exp(-(p.unscheduled_hazard_per_s + (extra if target == F else 0.0)) * dt)
        end_turn = 1.0 - math.exp(-dt / p.turn_mean_s)
        flip_f, flip_r = self._flip_odds(t)
        return (leave_f, leave_r, end_turn, flip_f, flip_r, p.at_speed_turn_share)

    def _reverse_band(self) -> float:
        s = self.state
        return s.reverse_kmh if s.reverse_kmh is not None else s.forward_kmh * self.params.reverse_speed_ratio

    def _log_likelihood(self, speed: float, dv: float, cadence: float, hr: float) -> list[float]:
        """Log-likelihood of the evidence under F, R, TF, TR (NaN evidence is left out)."""
        p, s = self.params, self.state
        out = [0.0, 0.0, 0.0, 0.0]
        if math.isnan(speed):
            return out
        if speed < MOVING_FROM_KMH:
            return [-8.0, -8.0, 0.0, 0.0]  # a stopped belt: stopping or turning, not walking
        reverse = self._reverse_band()
        # Moving: near the person's band for that direction, at a steady speed (console changes allowed).
        steady = _log_mix(0.85, _log_normal(dv, 0.0, 0.2), 0.15, _log_normal(dv, 0.0, 1.5))
        out[F] = _robust(speed, s.forward_kmh, max(p.speed_sd_kmh, 0.15 * s.forward_kmh), 0.2, 20.0) + steady
        out[R] = _robust(speed, reverse, max(p.speed_sd_kmh, 0.15 * reverse), 0.2, 20.0) + steady
        # Turning: slowing from the last plateau to a walking turn (1-3 km/h) and building up
        # again, so any speed below the plateau, most likely a slow one; the speed may change a lot.
        plateau = max(self._plateau_kmh or s.forward_kmh, 3.0)
        slow = math.exp(_log_normal(speed, min(2.0, p.dip_ratio * reverse), 1.0))
        anywhere = 1.0 / plateau if speed <= plateau else 1e-4
        turning = math.log(0.5 * slow + 0.5 * anywhere) + _log_normal(dv, 0.0, 1.5)
        out[TF] = out[TR] = turning
        if not math.isnan(cadence) and cadence > 0 and speed >= 1.0:
            residual = math.log(cadence / max(s.cadence_a + s.cadence_b * speed, 30.0))
            forward = _robust(residual, 0.0, p.cadence_sd, 0.1, 1.0)
            backward = _robust(residual, s.cadence_shift, p.cadence_sd, 0.1, 1.0)
            out[F] += forward
            out[R] += backward
            out[TF] += max(forward, backward)
            out[TR] += max(forward, backward)
        if not math.isnan(hr) and self._hr_pred is not None:
            residual = hr - self._hr_pred
            forward = p.hr_weight * _log_normal(residual, 0.0, p.hr_sd_bpm)
            backward = p.hr_weight * _log_normal(residual, p.hr_extra_bpm, p.hr_sd_bpm)
            out[F] += forward
            out[R] += backward
            out[TF] += max(forward, backward)
            out[TR] += max(forward, backward)
        return out

    def _calibrate(self, facing: int, speed: float, cadence: float) -> None:
        """The first steady stretch is the one time the direction is known: calibrate on it."""
        s = self.state
        if facing == F:
            s.forward_kmh = speed
            if not math.isnan(cadence) and cadence > 0 and speed >= 1.0:
                # Walking cadence rises ~7 steps/min per km/h; running cadence barely (~2.5).
                s.cadence_b = RUN_CADENCE_SLOPE if speed >= RUNNING_FROM_KMH else WALK_CADENCE_SLOPE
                s.cadence_a = cadence - s.cadence_b * speed
        else:
            s.reverse_kmh = speed
            s.forward_kmh = max(s.forward_kmh, speed / self.params.reverse_speed_ratio)

    def _learn(self, posterior: list[float], speed: float, cadence: float, hr: float, dt: float) -> None:
        """Follow the person: bands and the forward cadence model from confident samples."""
        p, s = self.params, self.state
        if math.isnan(speed) or speed < MOVING_FROM_KMH:
            return
        a = p.learn_rate
        if posterior[F] > p.learn_confidence:
            s.forward_kmh += a * (speed - s.forward_kmh)
            if not math.isnan(cadence) and cadence > 0 and speed >= 1.0:
                error = cadence - (s.cadence_a + s.cadence_b * speed)
                s.cadence_a += a * error * 0.5
                s.cadence_b += a * error * 0.5 / max(speed, 1.0)
            if not math.isnan(hr) and self._hr_pred is not None:
                # Slow (minutes): it follows cardiac drift, not a turn's sudden excess.
                s.hr_rest_bpm += 0.002 * (hr - self._hr_pred)
            s.learned_samples += 1
        elif posterior[R] > p.learn_confidence:
            band = self._reverse_band()
            s.reverse_kmh = band + a * (speed - band)
            if not math.isnan(cadence) and cadence > 0 and speed >= 1.0:
                residual = math.log(cadence / max(s.cadence_a + s.cadence_b * speed, 30.0))
                s.cadence_shift += a * (residual - s.cadence_shift)
            s.learned_samples += 1
        if not math.isnan(hr):
            steady_hr = s.hr_rest_bpm + s.hr_gain_bpm_per_kmh * speed
            if self._hr_pred is None:
                self._hr_pred = hr
            else:
                self._hr_pred += (steady_hr - self._hr_pred) * (1.0 - math.exp(-dt / 58.0))

    def _hold_start(self, t: float, speed: float, dv: float, cadence: float) -> list[float]:
        """Hold the state until the belt first runs steadily: there is nothing to turn from yet.

        The person stands facing the way the plan starts (forward without a plan); the first
        plateau calibrates their models.
        """
        _, target = self._cue_context(t)
        facing = R if target == R else F
        self._committed = facing
        steady = not math.isnan(speed) and speed >= MOVING_FROM_KMH and abs(dv) < 0.3
        self._steady_since = (self._steady_since if self._steady_since is not None else t) if steady else None
        self._belt_started = self._steady_since is not None and t - self._steady_since >= 3.0
        if self._belt_started:
            self._calibrate(facing, speed, cadence)
        return [0.97 if i == facing else 0.01 for i in range(4)]

    def update(
        self, t: float, speed_kmh: float, cadence_per_min: float = math.nan, heart_rate_bpm: float = math.nan
    ) -> Step:
        """One sample (NaN for missing evidence); returns the committed direction and confidence."""
        dt = 1.0 if self._t is None else min(max(t - self._t, 0.0), 10.0)
        self._t = t
        dv = self._remember(t, dt, speed_kmh)
        self._seen_cadence = self._seen_cadence or (not math.isnan(cadence_per_min) and cadence_per_min > 0)
        step = self._transitions(t, dt)
        prior = _propagate(self._p, step)
        log_lik = self._log_likelihood(speed_kmh, dv, cadence_per_min, heart_rate_bpm)
        peak = max(log_lik)
        weights = [q * math.exp(ll - peak) for q, ll in zip(prior, log_lik, strict=True)]
        total = sum(weights) or 1.0
        posterior = [w / total for w in weights]
        if self._mark is not None:
            posterior = [0.997 if i == self._mark else 0.001 for i in range(4)]
            self._mark = None
        elif not self._belt_started:
            posterior = self._hold_start(t, speed_kmh, dv, cadence_per_min)
        self._p = posterior
        if self.trace is not None:
            self.trace.append((step, prior, posterior))
        if self._belt_started:  # nothing is learned from the first ramp-up
            self._learn(posterior, speed_kmh, cadence_per_min, heart_rate_bpm, dt)
        if posterior[TF] + posterior[TR] > 0.5 and not math.isnan(speed_kmh):
            # A person turns at the low point, just before building up again: the boundary is
            # the last moment at the turn's lowest speed.
            if self._turn_low is None or (self._turn_end is not None and t - self._turn_end > 10.0):
                self._turn_low = speed_kmh
            self._turn_low = min(self._turn_low, speed_kmh)
            if speed_kmh <= self._turn_low + 0.3:
                self._turn_end = t
        elif posterior[F] + posterior[R] > 0.9 and not math.isnan(speed_kmh) and abs(dv) < 0.3:
            self._plateau_kmh = speed_kmh
        return self._commit(t, speed_kmh, posterior)

    @property
    def committed(self) -> Direction:
        """The way the person is taken to face now, moving or not."""
        return Direction.FORWARD if self._committed == F else Direction.REVERSE

    @property
    def evidence(self) -> Evidence:
        """The strongest evidence seen so far: it picks the calibration applied to the confidence."""
        if self._cues:
            return Evidence.CUED
        if self._seen_cadence:
            return Evidence.FOOTPOD
        return Evidence.HEART_RATE if self._hr_pred is not None else Evidence.SPEED

    def _remember(self, t: float, dt: float, speed: float) -> float:
        """Keep the recent speeds; return the speed change per second since the last sample."""
        if math.isnan(speed):
            return 0.0
        self._recent.append((t, speed))
        while self._recent and t - self._recent[0][0] > RECENT_WINDOW_S:
            self._recent.popleft()
        # A burst of notifications (a console catching up after a reconnect) can be milliseconds
        # apart; the change is measured over at least MIN_RATE_DT_S so it stays a rate of walking.
        dv = (
            (speed - self._last_speed) / max(dt, MIN_RATE_DT_S)
            if self._last_speed is not None and dt > 0
            else 0.0
        )
        self._last_speed = speed
        return dv

    def _low_point(self, since: float, *, need_dip: bool) -> float | None:
        """The last moment at the bottom of the most recent slow stretch after ``since``.

        Walking back from now: the latest stretch below 80 % of the current speed (or, without
        ``need_dip``, the latest stretch near the window's lowest speed), and the last moment at
        its lowest. The most recent one: an earlier pause is not where the person turned.
        """
        window = [(ti, v) for ti, v in self._recent if ti >= since]
        if len(window) < 2:
            return None
        now = window[-1][1]
        threshold = 0.8 * now if need_dip else min(v for _, v in window) + 0.3
        end = next((k for k in range(len(window) - 1, -1, -1) if window[k][1] <= threshold), None)
        if end is None:
            return None
        start = end
        while start > 0 and window[start - 1][1] <= threshold:
            start -= 1
        low = min(v for _, v in window[start : end + 1])
        return max(ti for ti, v in window[start : end + 1] if v <= low + 0.3)

    def _commit(self, t: float, speed: float, posterior: list[float]) -> Step:
        # Heading: a turn from forward heads backward, and vice versa, with the flip odds.
        flip_f, flip_r = self._flip_odds(t)
        p_reverse = posterior[R] + posterior[TF] * flip_f + posterior[TR] * (1.0 - flip_r)
        p_new = p_reverse if self._committed == F else 1.0 - p_reverse
        switched = False
        if p_new > 0.5 and self._pending == 0:
            self._candidate_start = t
        new = R if self._committed == F else F
        _, target = self._cue_context(t)
        # A turn the plan asked for, and the speed is building up again after the dip's low point:
        # the person has turned, heading that way is enough. Otherwise the new direction must settle.
        rising = self._turn_low is not None and not math.isnan(speed) and speed > self._turn_low + 0.5
        evidence = p_new if target == new and rising else posterior[new]
        settling = self._last_commit is not None and t - self._last_commit < MIN_DWELL_S
        if evidence > COMMIT_PROBABILITY and not settling:
            self._pending += 1
            if self._pending >= COMMIT_SAMPLES:
                self._committed = R if self._committed == F else F
                # Look for the turn since this switch became likely (less a margin), not further
                # back: an earlier pause mid-interval is not where the person turned.
                since = t - RECENT_WINDOW_S
                if self._cues and self._cues[-1][1] == self._committed:
                    since = max(since, self._cues[-1][0])  # a cued switch happened after its cue
                if self._turn_end is not None and self._turn_end >= since:
                    # A person turns at the end of the slow stretch: when the new speed is close
                    # to the turning speed, that can outlast the turning state itself.
                    anchored = self._low_point(self._turn_end - 15.0, need_dip=False)
                    self._boundary = max(self._turn_end, anchored or self._turn_end)
                else:
                    self._boundary = self._low_point(since, need_dip=True) or self._candidate_start
                self._pending = 0
                self._last_commit = t
                switched = True
        elif p_new <= 0.5:
            self._pending = 0
        stopped = not math.isnan(speed) and speed < MOVING_FROM_KMH
        direction = Direction.FORWARD if self._committed == F else Direction.REVERSE
        confidence = 1.0 - p_reverse if self._committed == F else p_reverse
        resting_on = self.evidence
        if self.params.calibrate:
            confidence = _calibrated(confidence, resting_on)
        shown = Direction.STOPPED if stopped else direction
        return Step(t, shown, confidence, p_reverse, switched, self._boundary, resting_on)


def _matrix(step: Transition) -> list[list[float]]:
    """The 4x4 transition matrix (rows: from F, R, TF, TR) of one step's numbers."""
    leave_f, leave_r, end_turn, flip_f, flip_r, at_speed = step
    return [
        [1 - leave_f, leave_f * at_speed, leave_f * (1 - at_speed), 0.0],
        [leave_r * at_speed, 1 - leave_r, 0.0, leave_r * (1 - at_speed)],
        [end_turn * (1 - flip_f), end_turn * flip_f, 1 - end_turn, 0.0],
        [end_turn * flip_r, end_turn * (1 - flip_r), 0.0, 1 - end_turn],
    ]


def _propagate(p: list[float], step: Transition) -> list[float]:
    """``p`` times the step's transition matrix, written out (it is sparse; this runs every sample)."""
    leave_f, leave_r, end_turn, flip_f, flip_r, at_speed = step
    f, r, tf, tr = p
    return [
        f * (1 - leave_f) + r * leave_r * at_speed + tf * end_turn * (1 - flip_f) + tr * end_turn * flip_r,
        r * (1 - leave_r) + f * leave_f * at_speed + tr * end_turn * (1 - flip_r) + tf * end_turn * flip_f,
        f * leave_f * (1 - at_speed) + tf * (1 - end_turn),
        r * leave_r * (1 - at_speed) + tr * (1 - end_turn),
    ]


def smooth(trace: Sequence[TraceStep]) -> list[list[float]]:
    """Offline forward-backward: each step's posterior given the whole session (for replay and history).

    The live filter's recorded steps hold what the backward pass needs: the likelihood of
    step k is proportional to posterior_k / prior_k.
    """
    n = len(trace)
    out: list[list[float]] = [[0.0] * 4 for _ in range(n)]
    beta = [1.0, 1.0, 1.0, 1.0]
    for k in range(n - 1, -1, -1):
        _, _, alpha = trace[k]
        gamma = [alpha[i] * beta[i] for i in range(4)]
        total = sum(gamma) or 1.0
        out[k] = [g / total for g in gamma]
        if k == 0:
            break
        step, prior, posterior = trace[k]
        matrix = _matrix(step)
        likelihood = [posterior[j] / prior[j] if prior[j] > 1e-300 else 0.0 for j in range(4)]
        weighted = [likelihood[j] * beta[j] for j in range(4)]
        beta = [sum(matrix[i][j] * weighted[j] for j in range(4)) for i in range(4)]
        norm = sum(beta) or 1.0
        beta = [b / norm for b in beta]
    return out

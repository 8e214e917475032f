"""The belief about the way a person faces: the one Bayes update, the commit, and what is stated.

Two states, forward and backward. Facing changes only at a transition (or a turn at speed the
stride evidence finds), so the belief moves in two ways:

* **a move** (:func:`moved`) at a transition: P(what it showed, facing after | facing before)
  as a 2x2, weighed over the facing before. Every transition, cued or not, goes through it;
* **plateau evidence** (:class:`PlateauEvidence`), sample by sample between transitions, which
  saturates: consecutive readings of one body are not independent, so one plateau's evidence
  counts like at most a few readings' mean, and a small steady bias cannot pile up into a switch.

:class:`Belief` commits the other facing once it passes :attr:`Belief.commit_probability`.
What the app states is a *calibrated* confidence (:mod:`treadmill.core.calibration`): the
share of the time a label stated at that confidence was right, measured per kind of evidence
on simulated people; below the unsure threshold the label is "unsure".

Pure Python on floats: no I/O, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from treadmill.core.evidence import F, R

__all__ = ["STAY", "Belief", "Move", "PlateauEvidence", "log_odds", "logistic", "moved", "turn_move"]

Move = tuple[tuple[float, float], tuple[float, float]]
"""A 2x2 of likelihoods, rows the facing before (forward, backward), columns the facing after."""

STAY: Move = ((1.0, 1e-6), (1e-6, 1.0))
"""A plateau that began without a weighed transition (the start, a mark): it keeps the facing."""

FLOOR = 1e-4
"""The belief never reaches certainty: the next transition can always move it."""


def logistic(x: float) -> float:
    """1 / (1 + e^-x), safely."""
    if x < -40.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def log_odds(p: float) -> float:
    """log(p / (1 - p)), safely."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def turn_move(flip: tuple[float, float], if_turn: float, if_not: float) -> Move:
    """P(the transition looks as it did, facing after | facing before).

    ``flip``: the chance it is a turn, from forward and from backward; ``if_turn``/``if_not``:
    the chance of its look given a turn or not.
    """
    from_f, from_r = flip
    return ((1 - from_f) * if_not, from_f * if_turn), (from_r * if_turn, (1 - from_r) * if_not)


def moved(p_reverse: float, move: Move) -> float:
    """P(backward) after a move, from P(backward) before it (Bayes' rule over the facing before)."""
    to_r = (1 - p_reverse) * move[F][R] + p_reverse * move[R][R]
    to_f = (1 - p_reverse) * move[F][F] + p_reverse * move[R][F]
    return to_r / (to_r + to_f)


@dataclass(slots=True)
class Belief:
    """P(backward), the facing committed to, when it began, and whether it is anchored.

    Anchored: the facing was settled by something other than the stride evidence (the start, a
    mark, a cued turn the belt confirmed, a speed nobody runs backward), so the person's own
    step rate, footpod and inclines may be measured on it.
    """

    commit_probability: float
    p: float = 0.02
    committed: int = F
    boundary: float = 0.0
    """When the committed facing began (best estimate; may precede the decision)."""
    anchored: bool = True

    def set(self, p: float, boundary: float, *, anchored: bool) -> bool:
        """Take P(backward) = ``p``; commit the other facing once it is sure enough. True if it switched."""
        self.p = min(max(p, FLOOR), 1 - FLOOR)
        self.anchored = anchored
        if self.confidence_in(1 - self.committed) >= self.commit_probability:
            self.committed = 1 - self.committed
            self.boundary = boundary
            return True
        return False

    def decide(self, facing: int, t: float) -> bool:
        """The person said which way they face (a mark): certain, anchored. True if it switched."""
        switched = facing != self.committed
        self.p = 1 - 3e-3 if facing == R else 3e-3
        self.committed, self.anchored = facing, True
        if switched:
            self.boundary = t
        return switched

    def confidence_in(self, facing: int) -> float:
        """P(``facing``)."""
        return self.p if facing == R else 1 - self.p

    @property
    def confidence(self) -> float:
        """P(the committed facing)."""
        return self.confidence_in(self.committed)


@dataclass(slots=True)
class PlateauEvidence:
    """What one plateau showed (its step rate, footpod speed, incline), on top of the belief it began with.

    The evidence is the plateau's as a whole, recomputed as readings arrive (not a sum over
    readings: they share one unknown, the person), so it saturates by itself. A turn at speed
    in the middle of a plateau shows as a jump of the step rate, which ends the plateau
    (:meth:`treadmill.core.detector.DirectionDetector.update`), so the evidence never mixes the
    two facings.
    """

    base: float = 0.0
    """Log-odds of backward when the plateau began."""
    start_t: float = 0.0
    evidence: float = 0.0
    since: float | None = None
    """When the evidence began to point the way it points now."""

    def restart(self, p_reverse: float, t: float) -> None:
        """A new plateau at ``t``, beginning at P(backward) = ``p_reverse``."""
        self.base, self.start_t, self.evidence, self.since = log_odds(p_reverse), t, 0.0, None

    def weigh(self, t: float, evidence: float) -> float:
        """The plateau's log-evidence of backward as of ``t``; its P(backward) now."""
        if self.since is None or (evidence > 0) != (self.evidence > 0):
            self.since = t
        self.evidence = evidence
        return logistic(self.base + evidence)

    @property
    def likelihood_ratio(self) -> float:
        """What the plateau showed, as P(it | backward) / P(it | forward), for the smoother."""
        return math.exp(min(max(self.evidence, -30.0), 30.0))

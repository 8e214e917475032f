"""From the model's probability to the confidence the app states: how often it is right.

The detector's posterior is a model's number; what the person is told must mean what it says:
of the moments labelled at 0.9, nine in ten right. :func:`stated` maps the model's probability
of the committed facing through a monotone table per kind of evidence, fitted by isotonic
regression (pool-adjacent-violators; Zadrozny & Elkan 2002) on the tuning half of the bench's
simulated people: ``python -m bench.eval_detector --split tune --fit-calibration`` prints the
tables below. The held-out half checks them (docs/detection.md has the figures).

Monotone, so the order of confidences, and so every commit, is the model's: calibration only
changes what is said, and where "unsure" begins.
"""

from __future__ import annotations

import bisect
import enum

__all__ = ["CALIBRATION", "Basis", "stated"]


class Basis(enum.StrEnum):
    """What the belief rests on, as far as calibration goes: each is right at its own rate."""

    CUED = "cued"
    """A workout's cues, speed only."""
    CUED_STRIDE = "cued_stride"
    """Cues and a step rate (footpod or the treadmill's count)."""
    STRIDE = "stride"
    """No cues; a step rate; no backward stretch yet."""
    STRIDE_TURNED = "stride_turned"
    """No cues; a step rate; the session has turned (turns are part of it: each may be missed)."""
    SPEED = "speed"
    """No cues; the belt speed alone; no backward stretch yet."""
    SPEED_TURNED = "speed_turned"
    """No cues; the belt speed alone; the session has turned."""
    PHONE = "phone"
    """A phone worn on the body counts the turns (cues or not)."""

    @classmethod
    def of(cls, *, cued: bool, stride: bool, turned: bool) -> Basis:
        """The basis for a session with or without cues, a step rate, and a backward stretch so far."""
        if cued:
            return cls.CUED_STRIDE if stride else cls.CUED
        if stride:
            return cls.STRIDE_TURNED if turned else cls.STRIDE
        return cls.SPEED_TURNED if turned else cls.SPEED


Table = tuple[tuple[float, float], ...]
"""(model probability, how often right), increasing in both; straight lines between the knots."""

IDENTITY: Table = ((0.5, 0.5), (1.0, 1.0))
CALIBRATION: dict[Basis, Table] = {
    Basis.CUED: (  # 67741 labels
        (0.5, 0.5),
        (0.8715, 0.9763),
        (0.9411, 0.9763),
        (0.962, 0.9763),
        (0.9714, 0.9763),
        (0.9782, 0.9763),
        (0.981, 0.9763),
        (0.9838, 0.9763),
        (0.987, 0.9763),
        (0.9902, 0.9763),
        (0.9917, 0.9784),
        (0.9923, 0.988),
        (0.993, 0.988),
        (1.0, 0.999),
    ),
    Basis.CUED_STRIDE: (  # 75949 labels
        (0.5, 0.5),
        (0.923, 0.978),
        (0.9818, 0.978),
        (0.9908, 0.978),
        (0.9964, 0.978),
        (0.9983, 0.978),
        (0.9989, 0.978),
        (0.9992, 0.978),
        (0.9994, 0.978),
        (0.9995, 0.978),
        (0.9996, 0.978),
        (0.9998, 0.9841),
        (1.0, 0.9841),
    ),
    Basis.STRIDE: (  # 107734 labels
        (0.5, 0.5),
        (0.9694, 0.9854),
        (0.98, 0.9854),
        (0.992, 0.9898),
        (0.9927, 0.9898),
        (0.9968, 0.9898),
        (0.9988, 0.998),
        (0.9993, 0.999),
        (0.9994, 0.999),
        (0.9996, 0.999),
        (0.9999, 0.999),
        (1.0, 0.999),
    ),
    Basis.STRIDE_TURNED: (  # 53530 labels
        (0.5, 0.5),
        (0.9063, 0.9124),
        (0.9711, 0.9445),
        (0.982, 0.9477),
        (0.9892, 0.9477),
        (0.9943, 0.9477),
        (0.9962, 0.9477),
        (0.9979, 0.9477),
        (0.9993, 0.9477),
        (0.9996, 0.9477),
        (0.9999, 0.9477),
        (1.0, 0.9477),
    ),
    Basis.SPEED: (  # 79845 labels
        (0.5, 0.5),
        (0.8178, 0.5),
        (0.8992, 0.8105),
        (0.9315, 0.8449),
        (0.9642, 0.8812),
        (0.9789, 0.9639),
        (0.98, 0.9639),
        (0.9802, 0.9639),
        (0.99, 0.9639),
        (0.992, 0.9639),
        (1.0, 0.999),
    ),
    Basis.SPEED_TURNED: (  # 9199 labels
        (0.5, 0.5),
        (0.571, 0.7667),
        (0.6761, 0.8952),
        (0.7679, 0.8952),
        (0.8598, 0.8952),
        (0.9194, 0.8952),
        (0.9551, 0.9114),
        (0.975, 0.9224),
        (0.9835, 0.9224),
        (0.9874, 0.9663),
        (0.99, 0.9676),
        (0.9924, 0.9806),
        (0.9951, 0.9806),
        (1.0, 0.999),
    ),
    Basis.PHONE: (  # 148371 labels
        (0.5, 0.5),
        (0.997, 0.9932),
        (1.0, 0.999),
    ),
}

"""Per basis (fitted 2026-12-08 on people 0-39 of ``bench.population``, 20 min each)."""


def stated(probability: float, basis: Basis) -> float:
    """The confidence to state for a facing the model gives ``probability`` (at least 0.5)."""
    table = CALIBRATION[basis]
    xs = [x for x, _ in table]
    k = bisect.bisect_right(xs, probability)
    if k == 0:
        return table[0][1]
    if k == len(table):
        return table[-1][1]
    (x0, y0), (x1, y1) = table[k - 1], table[k]
    return y0 + (y1 - y0) * (probability - x0) / (x1 - x0)

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
        (0.8491, 0.9678),
        (0.9411, 0.9767),
        (0.9606, 0.9767),
        (0.9714, 0.9767),
        (0.9775, 0.9767),
        (0.9806, 0.9767),
        (0.9836, 0.9767),
        (0.9868, 0.9767),
        (0.9897, 0.9767),
        (0.9912, 0.9801),
        (0.992, 0.9921),
        (0.9928, 0.9921),
        (1.0, 0.999),
    ),
    Basis.CUED_STRIDE: (  # 73797 labels
        (0.5, 0.5),
        (0.9065, 0.9665),
        (0.9683, 0.9665),
        (0.9811, 0.9665),
        (0.9854, 0.9665),
        (0.9902, 0.9665),
        (0.9924, 0.9665),
        (0.9951, 0.977),
        (0.9971, 0.977),
        (0.9979, 0.977),
        (0.9983, 0.9869),
        (0.9993, 0.9869),
        (0.9998, 0.9869),
        (1.0, 0.999),
    ),
    Basis.STRIDE: (  # 97664 labels
        (0.5, 0.5),
        (0.968, 0.954),
        (0.98, 0.954),
        (0.9903, 0.9854),
        (0.9927, 0.9854),
        (0.9953, 0.9935),
        (0.9977, 0.9935),
        (0.9991, 0.9947),
        (0.9993, 0.999),
        (0.9994, 0.999),
        (0.9999, 0.999),
        (1.0, 0.999),
    ),
    Basis.STRIDE_TURNED: (  # 59303 labels
        (0.5, 0.5),
        (0.7979, 0.6889),
        (0.9532, 0.9353),
        (0.9776, 0.9353),
        (0.9848, 0.9353),
        (0.9925, 0.9353),
        (0.9948, 0.9353),
        (0.997, 0.9353),
        (0.9977, 0.9353),
        (0.9993, 0.9353),
        (0.9998, 0.9353),
        (0.9999, 0.9353),
        (1.0, 0.999),
    ),
    Basis.SPEED: (  # 79049 labels
        (0.5, 0.5),
        (0.8213, 0.5),
        (0.9004, 0.7922),
        (0.9306, 0.844),
        (0.9652, 0.8691),
        (0.9785, 0.8691),
        (0.98, 0.8691),
        (0.9808, 0.975),
        (0.99, 0.975),
        (0.992, 0.975),
        (1.0, 0.999),
    ),
    Basis.SPEED_TURNED: (  # 9199 labels
        (0.5, 0.5),
        (0.571, 0.7667),
        (0.6761, 0.8947),
        (0.7679, 0.8947),
        (0.8598, 0.8947),
        (0.9194, 0.8947),
        (0.9551, 0.9176),
        (0.975, 0.9228),
        (0.9835, 0.9228),
        (0.9874, 0.9533),
        (0.99, 0.9533),
        (0.9924, 0.9809),
        (0.9951, 0.9809),
        (1.0, 0.999),
    ),
    Basis.PHONE: ((0.5, 0.5), (0.997, 0.9942), (1.0, 0.999)),  # 148758 labels, the phone regimes
}

"""Per basis (fitted 2026-12-07 on people 0-39 of ``bench.population``, 20 min each)."""


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

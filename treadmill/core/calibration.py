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
        (0.6, 0.5),
        (0.7, 0.5),
        (0.8, 0.9279),
        (0.8491, 0.977),
        (0.9411, 0.9791),
        (0.962, 0.9797),
        (0.9714, 0.9797),
        (0.9782, 0.9797),
        (0.981, 0.9797),
        (0.9838, 0.9797),
        (0.987, 0.9797),
        (0.9902, 0.9797),
        (0.9917, 0.9827),
        (0.9923, 0.9895),
        (0.9932, 0.9895),
        (1.0, 0.999),
    ),
    Basis.CUED_STRIDE: (  # 75949 labels
        (0.5, 0.5),
        (0.6, 0.5),
        (0.7, 0.5),
        (0.8, 0.8636),
        (0.9232, 0.9809),
        (0.9811, 0.9809),
        (0.9909, 0.9809),
        (0.9964, 0.9809),
        (0.9983, 0.9809),
        (0.9989, 0.9809),
        (0.9992, 0.9809),
        (0.9994, 0.9809),
        (0.9995, 0.9809),
        (0.9996, 0.9809),
        (0.9998, 0.9874),
        (1.0, 0.9874),
    ),
    Basis.STRIDE: (  # 106703 labels
        (0.5, 0.5),
        (0.6, 0.6036),
        (0.7, 0.7601),
        (0.8, 0.7672),
        (0.9768, 0.9866),
        (0.98, 0.9874),
        (0.992, 0.9909),
        (0.9927, 0.9909),
        (0.997, 0.9978),
        (0.9988, 0.9987),
        (0.9993, 0.999),
        (0.9994, 0.999),
        (0.9996, 0.999),
        (0.9999, 0.999),
        (1.0, 0.999),
    ),
    Basis.STRIDE_TURNED: (  # 54589 labels
        (0.5, 0.5),
        (0.6, 0.5),
        (0.7, 0.5874),
        (0.8, 0.8539),
        (0.8886, 0.8539),
        (0.9665, 0.9498),
        (0.9818, 0.9498),
        (0.9878, 0.9498),
        (0.9936, 0.9498),
        (0.9961, 0.9498),
        (0.9978, 0.9498),
        (0.9993, 0.9498),
        (0.9996, 0.9498),
        (0.9999, 0.9498),
        (1.0, 0.9498),
    ),
    Basis.SPEED: (  # 79838 labels
        (0.5, 0.5),
        (0.6, 0.5),
        (0.7, 0.5),
        (0.8, 0.5),
        (0.8121, 0.5),
        (0.8989, 0.8135),
        (0.9312, 0.8489),
        (0.9641, 0.8824),
        (0.9789, 0.965),
        (0.98, 0.965),
        (0.9802, 0.965),
        (0.99, 0.965),
        (0.992, 0.965),
        (1.0, 0.999),
    ),
    Basis.SPEED_TURNED: (  # 9206 labels
        (0.5, 0.5),
        (0.5697, 0.7674),
        (0.6761, 0.9),
        (0.7669, 0.9),
        (0.8604, 0.9),
        (0.9198, 0.9),
        (0.9551, 0.9103),
        (0.9752, 0.9215),
        (0.9833, 0.9215),
        (0.9874, 0.9642),
        (0.99, 0.9694),
        (0.9924, 0.9806),
        (0.9951, 0.9806),
        (1.0, 0.999),
    ),
    Basis.PHONE: (  # 148343 labels
        (0.5, 0.5),
        (0.6, 0.8),
        (0.7, 0.8),
        (0.8, 0.8),
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

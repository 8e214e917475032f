"""Energy: ACSM treadmill equations with an honest backward multiplier (docs/physiology.md).

ACSM (GETP 10th ed., Table 6.3), S in m/min, G the grade as a fraction, VO2 in ml/kg/min:
walking ``3.5 + 0.1 S + 1.8 S G``, running ``3.5 + 0.2 S + 0.9 S G``; kcal/min = VO2 x kg x 5/1000.
Backward applies a multiplier M to the net (above-rest) part, ``3.5 + M (VO2 - 3.5)``:
walking M = 1.5 (1.25 habituated - 1.65 first sessions; Kim & Choi 2001, Compendium, Heath
2001), running M = 1.35 (1.25-1.45; Wright & Weyand 2001, Rasica 2020). Backward switches
to the running equation above 5.9 km/h (Hreljac 2005), forward above 7.5 km/h.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from treadmill.core.body import Sex
from treadmill.core.timeline import FloatArray

__all__ = ["EnergyRange", "kcal_per_min", "keytel_kcal_per_min"]

REST_VO2 = 3.5
KCAL_PER_ML_O2 = 5.0 / 1000.0
FORWARD_RUN_FROM_KMH = 7.5
BACKWARD_RUN_FROM_KMH = 5.9
WALK_M = (1.25, 1.5, 1.65)
RUN_M = (1.25, 1.35, 1.45)


@dataclass(frozen=True, slots=True)
class EnergyRange:
    """kcal per minute: a low, a best and a high estimate, each of shape (n,)."""

    low: FloatArray
    mid: FloatArray
    high: FloatArray


def _acsm_vo2(speed_kmh: FloatArray, grade: FloatArray, running: np.ndarray) -> FloatArray:
    s = speed_kmh * 1000.0 / 60.0
    walk = REST_VO2 + 0.1 * s + 1.8 * s * grade
    run = REST_VO2 + 0.2 * s + 0.9 * s * grade
    return np.where(running, run, walk)


HANDRAIL_NET_FACTOR = 0.8
"""Gripping the rails cuts VO2 by 15-21 % (J Cardiopulm Rehabil 2006;26:391): x0.8 on the net cost."""
KJ_PER_KCAL = 4.184


def keytel_kcal_per_min(
    heart_rate_bpm: FloatArray, mass_kg: float, age: float, sex: Sex | None
) -> FloatArray:
    """Keytel et al. 2005 (J Sports Sci 23:289): energy from heart rate; NaN where there is none.

    kJ/min = -55.0969 + 0.6309 HR + 0.1988 kg + 0.2017 age (men),
    -20.4022 + 0.4472 HR - 0.1263 kg + 0.074 age (women); unknown sex averages the two.
    Never below the resting rate (the formula is not meant for low heart rates).
    """
    men = -55.0969 + 0.6309 * heart_rate_bpm + 0.1988 * mass_kg + 0.2017 * age
    women = -20.4022 + 0.4472 * heart_rate_bpm - 0.1263 * mass_kg + 0.074 * age
    kj = men if sex is Sex.MALE else women if sex is Sex.FEMALE else (men + women) / 2.0
    rest = REST_VO2 * mass_kg * KCAL_PER_ML_O2
    return np.where(np.isfinite(kj), np.maximum(kj / KJ_PER_KCAL, rest), np.nan)


def kcal_per_min(
    speed_kmh: FloatArray,
    incline_pct: FloatArray,
    reverse: np.ndarray,
    mass_kg: float,
    handrail: np.ndarray | None = None,
) -> EnergyRange:
    """Energy rate per sample; a stopped belt (speed 0 or NaN) burns the resting rate.

    ``handrail`` marks samples where the user holds the rails: the net cost is cut by
    :data:`HANDRAIL_NET_FACTOR`.
    """
    speed = np.nan_to_num(speed_kmh, nan=0.0)
    grade = np.clip(np.nan_to_num(incline_pct, nan=0.0), 0.0, None) / 100.0
    running = np.where(reverse, speed > BACKWARD_RUN_FROM_KMH, speed > FORWARD_RUN_FROM_KMH)
    net = _acsm_vo2(speed, grade, running) - REST_VO2
    out = []
    for k in range(3):
        multiplier = np.where(running, RUN_M[k], WALK_M[k])
        factor = np.where(reverse, multiplier, 1.0)
        if handrail is not None:
            factor = factor * np.where(handrail, HANDRAIL_NET_FACTOR, 1.0)
        vo2 = REST_VO2 + factor * net
        out.append(vo2 * mass_kg * KCAL_PER_ML_O2)
    return EnergyRange(*out)

"""Fit the detector's calibration tables (:mod:`treadmill.core.calibration`) on the tuning people.

Runs every tuning session with the model's raw probabilities stated as they are, collects for
each moving sample the probability of the committed facing and whether that facing was true,
per basis (cued or not, with a step rate or not), and fits a monotone map by isotonic
regression (pool-adjacent-violators; Zadrozny & Elkan 2002). The knots are printed as Python,
to paste into the module with the date and the people they came from.

Run: ``python -m bench.eval_detector --fit-calibration [--people 80]``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from unittest import mock

from bench.evaluation import run_detector, truth_at
from bench.population import Regime, session
from treadmill.core import calibration
from treadmill.core.calibration import IDENTITY, Basis
from treadmill.model import Direction

__all__ = ["fit_tables", "isotonic", "knots"]

KNOTS = 12
"""Knots per table (at quantiles of the model's probability): enough to follow the curve, few
enough to read."""
LOW_KNOTS = (0.6, 0.7, 0.8)
"""Knots also here, below the first quantile, where the model's probability holds labels."""


def isotonic(pairs: Sequence[tuple[float, float]]) -> list[tuple[float, float, float]]:
    """Pool-adjacent-violators over (x, y): blocks of (highest x, mean y, weight), y increasing."""
    tied: dict[float, list[float]] = {}  # equal x are one point (else their 0s and 1s sort apart)
    for x, y in pairs:
        cell = tied.setdefault(x, [0.0, 0.0])
        cell[0] += y
        cell[1] += 1.0
    blocks: list[list[float]] = []
    for x, (total, weight) in sorted(tied.items()):
        blocks.append([x, total / weight, weight])
        while len(blocks) > 1 and blocks[-2][1] >= blocks[-1][1]:
            x2, y2, w2 = blocks.pop()
            _, y1, w1 = blocks[-1]
            w = w1 + w2
            blocks[-1] = [x2, (y1 * w1 + y2 * w2) / w, w]
    return [(x, y, w) for x, y, w in blocks]


def knots(pairs: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The isotonic fit read at :data:`KNOTS` quantiles of the model's probability, from 0.5 to 1.0.

    Also at :data:`LOW_KNOTS` below the first quantile (where it holds labels): most labels sit
    near 1, and a straight line from 0.5 to the first quantile would say less than the few
    labels between them show.
    """
    blocks = isotonic(pairs)
    xs = sorted(x for x, _ in pairs)
    tops = [x for x, _, _ in blocks]
    points = [(0.5, 0.5)]
    quantiles = [xs[min(len(xs) - 1, round(k / (KNOTS + 1) * (len(xs) - 1)))] for k in range(1, KNOTS + 1)]
    low = [x for x in LOW_KNOTS if xs[0] <= x < quantiles[0]]
    for x in low + quantiles:
        y = blocks[min(bisect.bisect_left(tops, x), len(blocks) - 1)][1]
        if round(x, 4) > points[-1][0] and round(x, 4) < 1.0:
            points.append((round(x, 4), round(min(max(y, points[-1][1]), 0.999), 4)))
    if points[-1][0] < 1.0:
        points.append((1.0, round(min(max(blocks[-1][1], points[-1][1]), 0.999), 4)))
    return tuple(points)


def fit_tables(people: Iterable[int], regimes: Sequence[Regime], duration_s: float) -> None:
    """Fit and print a table per basis from ``people`` in ``regimes`` (raw probabilities)."""
    pairs: dict[Basis, list[tuple[float, float]]] = {basis: [] for basis in Basis}
    identity = dict.fromkeys(Basis, IDENTITY)
    with mock.patch.dict(calibration.CALIBRATION, identity):
        for regime in regimes:
            for person in people:
                drawn = session(person, regime, duration_s=duration_s)
                analysis = run_detector(drawn)
                live = analysis.verdicts
                labels = truth_at(drawn.truth, [v.t for v in live])
                for verdict, label in zip(live, labels, strict=True):
                    if verdict.direction is Direction.STOPPED or label not in (
                        Direction.FORWARD,
                        Direction.REVERSE,
                    ):
                        continue
                    committed = Direction.REVERSE if verdict.p_reverse >= 0.5 else Direction.FORWARD
                    raw = max(verdict.p_reverse, 1 - verdict.p_reverse)
                    pairs[verdict.basis].append((raw, float(committed is label)))
            print(f"# {regime.value}: done", flush=True)
    print("CALIBRATION: dict[Basis, Table] = {")
    for basis, found in pairs.items():
        if not found:
            continue
        table = knots(found)
        print(f"    Basis.{basis.name}: (  # {len(found)} labels")
        for k in range(0, len(table), 4):
            print("        " + " ".join(f"({x}, {y})," for x, y in table[k : k + 4]))
        print("    ),")
    print("}")

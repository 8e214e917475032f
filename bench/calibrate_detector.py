"""Fit the detector's confidence calibration on the tuning people, and print it as code.

For each evidence class (cues seen; footpod; heart rate; speed only), the live detector's
raw confidence is mapped to how often it is right, by isotonic regression
(pool-adjacent-violators) over 20 bins, on people 0..N/2-1 only. The printed table is what
``treadmill/core/detector.py`` holds as ``CALIBRATION``; bench/eval_detector.py checks it
on the held-out people.

Run: ``python -m bench.calibrate_detector``.
"""

from __future__ import annotations

import argparse

from bench.evaluation import REGIMES, isotonic, run_detector, simulate_session, truth_at
from treadmill.core.detector import DetectorParams

CLASS_OF_REGIME = {"guided": "cued", "free": "speed", "free_footpod": "footpod", "free_hr": "heart_rate"}
BINS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    raw = DetectorParams(calibrate=False)
    table: dict[str, list[tuple[float, float]]] = {}
    for regime in REGIMES:
        sums = [[0.0, 0.0, 0.0] for _ in range(BINS)]  # sum of confidence, right, count
        for person in range(args.people // 2):
            session = simulate_session(person, regime, duration_s=args.minutes * 60)
            steps = run_detector(session, raw)
            labels = truth_at(session.truth, [s.t for s in steps])
            for step, label in zip(steps, labels, strict=True):
                if label not in ("forward", "reverse") or step.direction == "stopped":
                    continue
                cell = sums[min(int(step.confidence * BINS), BINS - 1)]
                cell[0] += step.confidence
                cell[1] += step.direction == label
                cell[2] += 1
        points = [(c[0] / c[2], c[1] / c[2]) for c in sums for _ in range(1) if c[2] >= 20]
        knots = isotonic(points)
        table[CLASS_OF_REGIME[regime]] = [(round(x, 3), round(y, 3)) for x, y in knots]
    print("CALIBRATION: dict[str, tuple[tuple[float, float], ...]] = {")
    for name, knots in table.items():
        print(f'    "{name}": {tuple(knots)},')
    print("}")


if __name__ == "__main__":
    main()

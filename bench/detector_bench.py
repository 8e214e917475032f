"""The live detector's cost: per-sample update time, and a 10-hour session analysed offline.

Targets (issue 5): the live update is cheap enough for any notify rate (printed in µs); a
10-hour session analysed in under 0.5 s. The session is a long free run with a footpod and
a strap from the runner model (every kind of evidence present, so every term is computed).

Run: ``python -m bench.detector_bench``.
"""

from __future__ import annotations

import math
import time

from bench.evaluation import simulate_session
from treadmill.core.analysis import analyze
from treadmill.core.detector import DirectionDetector


def main() -> None:
    hours = 10.0
    session = simulate_session(7, "free_footpod", duration_s=hours * 3600)
    samples = session.samples
    nan = math.nan
    t = [s.t for s in samples]
    speed = [nan if s.speed_kmh is None else s.speed_kmh for s in samples]
    cadence = [nan if s.cadence_per_min is None else float(s.cadence_per_min) for s in samples]
    hr = [70.0 + 0.1 * (k % 300) for k in range(len(samples))]  # a strap too: every term computed

    best = float("inf")
    for _ in range(3):
        detector = DirectionDetector()
        started = time.perf_counter()
        for k in range(len(t)):
            detector.update(t[k], speed[k], cadence[k], hr[k])
        best = min(best, time.perf_counter() - started)
    per_sample = best / len(t) * 1e6
    print(f"live update: {per_sample:.1f} µs per sample (speed, cadence and heart rate), {len(t):,} samples")

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        analysis = analyze(samples)
        best = min(best, time.perf_counter() - started)
    print(
        f"offline analysis of {hours:g} h ({len(samples):,} samples, {len(analysis.intervals)} intervals): "
        f"{best:.2f} s (target < 0.5 s)"
    )


if __name__ == "__main__":
    main()

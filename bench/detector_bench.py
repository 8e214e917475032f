"""The live detector's cost: per-sample update time, and a 10-hour session analysed offline.

Targets (issue 13): under 20 µs per live update; a 10-hour session analysed offline (the
detector, the labels and the smoother's segments) in under 0.5 s. The session is a long free
run with a footpod from the bench population, so every kind of evidence is computed.

Run: ``python -m bench.detector_bench``.
"""

from __future__ import annotations

import time

from bench.population import Regime, session
from treadmill.core.analysis import analyze
from treadmill.core.detector import DirectionDetector


def main() -> None:
    hours = 10.0
    example = session(7, Regime.FREE_FOOTPOD, duration_s=hours * 3600)
    samples = example.samples

    best = float("inf")
    for _ in range(3):
        detector = DirectionDetector()
        started = time.perf_counter()
        for sample in samples:
            detector.update(sample)
        best = min(best, time.perf_counter() - started)
    per_sample = best / len(samples) * 1e6
    print(
        f"live update: {per_sample:.1f} µs per sample (speed, cadence, footpod speed), {len(samples):,} "
        "samples (target < 20 µs)"
    )

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        analysis = analyze(samples)
        labels = analysis.offline_labels()
        best = min(best, time.perf_counter() - started)
    print(
        f"offline analysis of {hours:g} h ({len(samples):,} samples, {len(analysis.intervals)} intervals, "
        f"{len(analysis.segments)} segments smoothed, {len(labels):,} labels): {best:.2f} s (target < 0.5 s)"
    )


if __name__ == "__main__":
    main()

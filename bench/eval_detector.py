"""Evaluate the live direction detector on runner-model sessions, split by person.

People 0..N/2-1 are the tuning set (the detector's defaults were chosen looking at them
only); people N/2..N-1 are held out and are what the headline figures report. Every person
runs four regimes: guided (cues, speed and incline only), free (speed and incline only),
free with a footpod, free with a heart-rate strap; each session on a randomly drawn
treadmill (0.5-2 Hz, 0.1 or 0.01 km/h, dropped and duplicated notifications, split records).

Run: ``python -m bench.eval_detector [--people 60] [--minutes 20]``.
"""

from __future__ import annotations

import argparse
import time

from bench.evaluation import REGIMES, EvalSession, Scores, score, simulate_session, summarize_latency


def row(name: str, scores: Scores, baseline: Scores) -> str:
    return (
        f"{name:14} {scores.f1(5.0):6.3f} {scores.f1(10.0):6.3f} {summarize_latency(scores.latencies):>14}"
        f" {scores.false_per_hour:6.2f} {scores.accuracy:7.3f}   {baseline.f1(5.0):6.3f}"
        f" {baseline.accuracy:6.3f}   {scores.calibration_error:5.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--split", choices=("test", "tune"), default="test")
    args = parser.parse_args()
    started = time.perf_counter()
    people = range(args.people // 2, args.people) if args.split == "test" else range(args.people // 2)
    sessions: dict[str, list[EvalSession]] = {
        regime: [simulate_session(p, regime, duration_s=args.minutes * 60) for p in people]
        for regime in REGIMES
    }
    built = time.perf_counter() - started
    total = sum(len(v) for v in sessions.values()) * 2  # both halves exist; this run scores one
    print(
        f"{total} sessions of {args.minutes:g} min ({args.people} people x {len(REGIMES)} regimes); "
        f"scoring the {args.split} half ({len(people)} people), built in {built:.1f} s"
    )
    print(
        f"{'regime':14} {'F1@5':>6} {'F1@10':>6} {'latency med/p95':>14} {'FP/h':>6} {'acc':>7}   "
        f"{'plan F1@5':>6} {'plan acc':>6}"
    )
    for regime, group in sessions.items():
        scores, baseline = score(group)
        print(row(regime, scores, baseline))
        if regime == "free":
            reliability, reliability_sums = scores.reliability, scores.confidence_sums
    deviating = [s for s in sessions["guided"] if Person_deviates(s)]
    if deviating:
        scores, baseline = score(deviating)
        print(row("guided, off-plan", scores, baseline))
    print("reliability (free, speed only): confidence -> how often right")
    for decile in sorted(reliability):
        right, count = reliability[decile]
        mean = reliability_sums[decile] / count
        band = f"{decile / 10:.1f}-{(decile + 1) / 10:.1f}"
        print(f"  {band} (mean {mean:.2f}): right {right / count:.3f} of {count}")
    print(f"total time {time.perf_counter() - started:.1f} s")


def Person_deviates(session: EvalSession) -> bool:  # noqa: N802
    """True when the person did not simply follow the cues (late, early, skipped turns)."""
    from bench.evaluation import switch_times  # noqa: PLC0415

    true = [t for t, _ in switch_times(session.truth)]
    cued = [t for t, _ in session.cues]
    return len(true) != len(cued) or any(abs(a - b) > 15 for a, b in zip(true, cued, strict=False))


if __name__ == "__main__":
    main()

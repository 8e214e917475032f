"""Evaluate the live direction detector on simulated people it was not tuned on, and on real sessions.

People are split by id: the first half is the tuning set (the only one looked at while
choosing the detector's constants), the second half is held out, and the headline figures
are the held-out half's. Every person runs every regime (bench/population.py): guided
(cues; speed only, and with a footpod), free (no cues; speed only, and with a footpod), and
forward-only sessions (speed only, and with a footpod) where every backward label is a
false alarm. Then the real forward-only sessions others recorded (../shared/real-sessions,
with and without their heart rate and cadence), when that folder is there.

Targets (issue 13): guided F1@5 s >= 0.97, latency median <= 3 s and p95 <= 8 s, <= 0.5
false switches/h; free with footpod F1@5 s >= 0.95; free speed only F1@5 s >= 0.85; no
session under 0.90 per-second accuracy; real sessions <= 0.3 backward intervals/h, <= 1 %
of moving time backward, no session over 5 %.

Run: ``python -m bench.eval_detector [--people 80] [--minutes 20] [--split test|tune|all]``.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from bench.evaluation import Scores, SessionScore, median_p95, score
from bench.population import Kind, Regime, session
from bench.real_sessions import REAL, evaluate_real

TARGETS = {
    Regime.GUIDED: 0.97,
    Regime.GUIDED_FOOTPOD: 0.97,
    Regime.FREE: 0.85,
    Regime.FREE_FOOTPOD: 0.95,
}


def _latency(scores: Scores) -> str:
    if not scores.latencies:
        return "      -"
    median, p95 = median_p95(scores.latencies)
    return f"{median:4.1f}/{p95:4.1f}"


def regime_row(regime: Regime, scores: Scores, baseline: Scores) -> str:
    sessions = scores.sessions
    worst = min(sessions, key=lambda s: s.accuracy)
    under = sum(s.accuracy < 0.90 for s in sessions)
    backward = sum(s.backward_share * s.hours for s in sessions) / max(sum(s.hours for s in sessions), 1e-9)
    unsure = sum(s.unsure_share * s.hours for s in sessions) / max(sum(s.hours for s in sessions), 1e-9)
    if regime.forward_only:
        runs = sum(s.backward_intervals for s in sessions) / max(sum(s.hours for s in sessions), 1e-9)
        return (
            f"{regime.value:21} {'-':>6} {'-':>6} {'-':>11} {runs:6.2f}* {scores.accuracy:6.3f} "
            f"{100 * backward:5.1f}% {100 * unsure:5.1f}%  {worst.accuracy:5.3f} (#{worst.person_id}) "
            f"{under:3d}"
        )
    plan = f"{baseline.f1(5.0):5.3f}" if regime.guided else "    -"
    return (
        f"{regime.value:21} {scores.f1(5.0):6.3f} {scores.f1(10.0):6.3f} {_latency(scores):>11} "
        f"{scores.false_per_hour:6.2f}  {scores.accuracy:6.3f} {100 * backward:5.1f}% {100 * unsure:5.1f}%  "
        f"{worst.accuracy:5.3f} (#{worst.person_id}) {under:3d}   {plan}"
    )


def by_kind(all_sessions: list[SessionScore]) -> None:
    rows: dict[tuple[str, str], list[SessionScore]] = defaultdict(list)
    for s in all_sessions:
        rows[(s.kind, s.regime)].append(s)
    regimes = [r.value for r in Regime]
    print("\nper kind of person: mean per-second accuracy (worst session), by regime")
    print(f"{'kind':22}" + "".join(f"{r[:14]:>16}" for r in regimes))
    for kind in Kind:
        cells = []
        for regime in regimes:
            group = rows.get((kind.value, regime), [])
            if not group:
                cells.append(f"{'-':>16}")
                continue
            mean = sum(s.accuracy for s in group) / len(group)
            cells.append(f"{mean:8.3f} ({min(s.accuracy for s in group):.2f})")
        print(f"{kind.value:22}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=80)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--regimes", nargs="*", default=[r.value for r in Regime])
    args = parser.parse_args()
    started = time.perf_counter()
    half = args.people // 2
    people = {"test": range(half, args.people), "tune": range(half), "all": range(args.people)}[args.split]
    print(
        f"{len(people)} people ({args.split} half of {args.people}), {args.minutes:g} min per session, "
        f"{len(args.regimes)} regimes"
    )
    print(
        f"{'regime':21} {'F1@5':>6} {'F1@10':>6} {'lat med/p95':>11} {'FP/h':>6}  {'acc':>6} {'back':>6} "
        f"{'unsure':>6}  {'worst session':>14} {'<0.90':>3}   plan F1@5"
    )
    everyone: list[SessionScore] = []
    for name in args.regimes:
        regime = Regime(name)
        group = [session(p, regime, duration_s=args.minutes * 60) for p in people]
        scores, baseline = score(group)
        everyone += scores.sessions
        print(regime_row(regime, scores, baseline))
        if regime is Regime.FREE:
            reliability = (scores.reliability, scores.confidence_sums)
    print("  (* on forward-only sessions: backward intervals per hour; every one is a false alarm)")
    worst = min(everyone, key=lambda s: s.accuracy)
    under = [s for s in everyone if s.accuracy < 0.90]
    print(
        f"\nworst session: person {worst.person_id} ({worst.kind}), {worst.regime}: accuracy "
        f"{worst.accuracy:.3f}, backward {100 * worst.backward_share:.1f} %, "
        f"unsure {100 * worst.unsure_share:.1f} %"
    )
    print(f"sessions under 0.90 accuracy: {len(under)} of {len(everyone)}")
    for s in sorted(under, key=lambda s: s.accuracy)[:12]:
        print(
            f"  person {s.person_id:3d} {s.kind:22} {s.regime:21} {s.accuracy:.3f} "
            f"(unsure {s.unsure_share:.2f})"
        )
    by_kind(everyone)
    if Regime.FREE.value in args.regimes:
        cells, sums = reliability
        print("\nreliability (free, speed only): reported confidence -> how often right")
        for decile in sorted(cells):
            right, count = cells[decile]
            print(
                f"  {decile / 10:.1f}-{(decile + 1) / 10:.1f} (mean {sums[decile] / count:.2f}): "
                f"right {right / count:.3f} of {count}"
            )
    if REAL.exists():
        evaluate_real(REAL)
        evaluate_real(REAL / "with-sensors")
    else:
        print(f"\n(real sessions: {Path('../shared/real-sessions')} is not here; skipped)")
    print(f"\ntotal time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

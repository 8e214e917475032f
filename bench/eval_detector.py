"""Evaluate the live direction detector on simulated people it was not tuned on, and on real sessions.

People are split by id: the first half is the tuning set (the only one looked at while
choosing the detector's constants and fitting its calibration), the second half is held
out, and the headline figures are the held-out half's. Every person runs every regime
(bench/population.py): guided (cues; speed only, with a footpod, with a heart-rate strap),
free (no cues; speed only, and with a footpod), and forward-only sessions (speed only, with
a footpod, from a watch) where every backward label is a false alarm. Then the real
forward-only sessions others recorded (../shared/real-sessions, with and without their
heart rate and cadence), when that folder is there.

Per regime it prints event F1 and latency; what was **stated wrongly** (moving time shown as
the wrong way, and the worst session); backward time shown as forward; unsure time; asks per
hour; the calibration gap (the largest |stated - observed| over bins holding >= 2 % of the
labels; the full tables with ``--tables``); and false DANGER from the real coach
(:mod:`bench.coach_replay`). Targets: docs/detection.md.

``--fit-calibration`` runs the tuning people with the model's raw probabilities and prints
the isotonic tables for :mod:`treadmill.core.calibration`.

Run: ``python -m bench.eval_detector [--people 80] [--minutes 20] [--split test|tune|all]``.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from bench.coach_replay import false_danger
from bench.evaluation import Scores, SessionScore, median_p95, run_detector, score_session
from bench.fit_calibration import fit_tables
from bench.population import Kind, Regime, session
from bench.real_sessions import REAL, evaluate_real

HEADER = (
    f"{'regime':21} {'F1@5':>5} {'F1@10':>5} {'lat med/p95':>11} {'FP/h':>5} {'acc':>5} "
    f"{'wrong':>6} {'worst':>6} {'b->f':>6} {'unsure':>6} {'ask/h':>5} {'calib':>5} "
    f"{'danger s':>8} {'longest':>7} {'<0.90':>5}"
)


def _latency(scores: Scores) -> str:
    if not scores.latencies:
        return "      -"
    median, p95 = median_p95(scores.latencies)
    return f"{median:4.1f}/{p95:4.1f}"


def regime_row(regime: Regime, scores: Scores) -> str:
    """One line of the table."""
    sessions = scores.sessions
    worst = max(sessions, key=lambda s: s.stated_wrong)
    under = sum(s.accuracy < 0.90 for s in sessions)
    danger = sum(s.false_danger_s for s in sessions)
    longest = max(s.longest_false_danger_s for s in sessions)
    if regime.forward_only:
        runs = sum(s.backward_intervals for s in sessions) / max(sum(s.hours for s in sessions), 1e-9)
        events = f"{'-':>5} {'-':>5} {'-':>11} {runs:4.2f}*"
    else:
        f1 = f"{scores.f1(5.0):5.3f} {scores.f1(10.0):5.3f}"
        events = f"{f1} {_latency(scores):>11} {scores.false_per_hour:5.2f}"
    return (
        f"{regime.value:21} {events} {scores.share('accuracy'):5.3f} "
        f"{100 * scores.share('stated_wrong'):5.2f}% {100 * worst.stated_wrong:5.1f}% "
        f"{100 * scores.share('backward_as_forward'):5.1f}% {100 * scores.share('unsure_share'):5.1f}% "
        f"{scores.asks_per_hour:5.2f} {scores.calibration_gap:5.3f} {danger:8.0f} {longest:7.1f} {under:5d}"
    )


def calibration_table(regime: Regime, scores: Scores) -> None:
    print(f"  calibration, {regime.value}: stated -> observed (share of labels)")
    total = sum(row[3] for row in scores.calibration_rows())
    for low, stated, observed, count, big in scores.calibration_rows():
        flag = "" if not big else ("  ok" if abs(stated - observed) <= 0.05 else "  OFF")
        share = 100 * count / total
        print(f"    {low:.2f}-{low + 0.05:.2f}: {stated:.3f} -> {observed:.3f} ({share:4.1f} %){flag}")


def by_kind(all_sessions: list[SessionScore]) -> None:
    rows: dict[tuple[str, str], list[SessionScore]] = defaultdict(list)
    for s in all_sessions:
        rows[(s.kind, s.regime)].append(s)
    regimes = [r.value for r in Regime]
    print("\nper kind of person: moving time stated wrongly, mean (worst session), by regime")
    print(f"{'kind':22}" + "".join(f"{r[:14]:>16}" for r in regimes))
    for kind in Kind:
        cells = []
        for regime in regimes:
            group = rows.get((kind.value, regime), [])
            if not group:
                cells.append(f"{'-':>16}")
                continue
            mean = sum(s.stated_wrong for s in group) / len(group)
            cells.append(f"{100 * mean:7.1f}% ({100 * max(s.stated_wrong for s in group):4.1f})")
        print(f"{kind.value:22}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=80)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--regimes", nargs="*", default=[r.value for r in Regime])
    parser.add_argument("--tables", action="store_true", help="print each regime's calibration table")
    parser.add_argument(
        "--no-coach", action="store_true", help="skip the false-danger replay through the coach"
    )
    parser.add_argument(
        "--fit-calibration", action="store_true", help="fit the calibration tables (tuning half)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    half = args.people // 2
    people = {"test": range(half, args.people), "tune": range(half), "all": range(args.people)}[args.split]
    regimes = [Regime(name) for name in args.regimes]
    if args.fit_calibration:
        fit_tables(range(half), regimes, args.minutes * 60)
        return
    print(f"{len(people)} people ({args.split} half of {args.people}), {args.minutes:g} min per session")
    print(HEADER)
    everyone: list[SessionScore] = []
    tables: list[tuple[Regime, Scores]] = []
    for regime in regimes:
        scores = Scores()
        for person in people:
            drawn = session(person, regime, duration_s=args.minutes * 60)
            analysis = run_detector(drawn)
            result = score_session(scores, drawn, analysis)
            if not args.no_coach:
                result.false_danger_s, result.longest_false_danger_s = false_danger(drawn, analysis)
        everyone += scores.sessions
        tables.append((regime, scores))
        print(regime_row(regime, scores), flush=True)
    print(
        "  wrong: moving time shown as the wrong way (worst: the worst session); b->f: backward time\n"
        "  shown as forward; calib: largest |stated - observed| over confidence bins with >= 2 % of\n"
        "  the labels; danger s: seconds of a backward DANGER from the real coach while facing forward\n"
        "  (* on forward-only sessions: backward intervals per hour; every one is a false alarm)"
    )
    if args.tables:
        for regime, scores in tables:
            calibration_table(regime, scores)
    under = [s for s in everyone if s.accuracy < 0.90]
    print(f"\nsessions under 0.90 accuracy: {len(under)} of {len(everyone)}")
    for s in sorted(everyone, key=lambda s: -s.stated_wrong)[:10]:
        print(
            f"  person {s.person_id:3d} {s.kind:22} {s.regime:21} wrong {100 * s.stated_wrong:5.1f} %, "
            f"accuracy {s.accuracy:.3f}, unsure {100 * s.unsure_share:.1f} %"
        )
    by_kind(everyone)
    if REAL.exists():
        evaluate_real(REAL)
        evaluate_real(REAL / "with-sensors")
        evaluate_real(REAL, phone=True)
    else:
        print(f"\n(real sessions: {Path('../shared/real-sessions')} is not here; skipped)")
    print(f"\ntotal time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

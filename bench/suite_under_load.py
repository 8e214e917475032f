"""Does the test suite hold on a busy machine? ``make test``'s pytest run, N times, beside CPU burners.

A user's laptop building something else, or a CI runner shared with others, is a loaded
machine. This starts ``--burners`` processes that each spin a core (``yes > /dev/null``), then
runs the suite as ``make test`` does (same workers) ``--runs`` times in a row, and prints per
run: passed, failed, skipped, the wall time and the load average, then the failing tests.

Run: ``python -m bench.suite_under_load [--burners 6] [--runs 5]`` (about 2-4 minutes a run on
2 cores under six burners).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|errors?)")


def pytest_command() -> list[str]:
    """The Makefile's own pytest line (so the workers are the README's default)."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        if "-m pytest" in line and "test_" not in line:
            words = shlex.split(line.strip().replace("$(BIN)/python", sys.executable))
            return [w for w in words if not w.startswith("$")]
    raise SystemExit("no pytest line in the Makefile")


def one_run(command: list[str]) -> tuple[dict[str, int], float, list[str], str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY.findall(tail)}
    failed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    return counts, wall, failed, tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burners", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = pytest_command()
    print(f"{os.cpu_count()} cores; {args.burners} burners; {' '.join(command[1:])}", flush=True)
    burners = [subprocess.Popen(["/bin/sh", "-c", "exec yes > /dev/null"]) for _ in range(args.burners)]
    passed_runs = 0
    try:
        time.sleep(5)  # let the load average rise
        for n in range(1, args.runs + 1):
            counts, wall, failed, tail = one_run(command)
            load = os.getloadavg()[0]
            ok = (
                not failed
                and counts.get("failed", 0) == 0
                and counts.get("error", 0) == 0
                and "passed" in tail
            )
            passed_runs += ok
            print(
                f"run {n}: {counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
                f"{counts.get('skipped', 0)} skipped in {wall:.0f} s, load {load:.1f}"
                + ("" if ok else f"  FAILED: {', '.join(failed) or tail}"),
                flush=True,
            )
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    print(f"{passed_runs} of {args.runs} runs passed with {args.burners} burners")


if __name__ == "__main__":
    main()

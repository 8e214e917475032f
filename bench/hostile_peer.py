"""A treadmill that lies, through a whole controlled workout: can bad data steer the belt?

Each pattern of :mod:`treadmill.virtual.hostile` (bogus frames beside the real ones, a flood,
absurd values, random bytes, and a stale speed after each kind of stop) plays from one minute
into "first steps backward" with control on and generous caps (16 km/h forward, 8 backward),
so that what holds the belt is the plan, not the caps. Beside each, the same person on an
honest treadmill. On virtual time: the figures are the same on any machine.

Reported per pattern:

* the highest target commanded, and its excess over the plan's speed for its step (or the
  step before: a ramp down) plus one ramp step (target: never above 0);
* targets written after the machine reported a stop and before it reported a start (target 0);
* seconds of recording lost: Treadmill Data the treadmill sent that the recording lacks (target 0);
* readings refused, and how long control was paused.

Run: ``python -m bench.hostile_peer [--seed 3]``.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from treadmill.clock import run_in_virtual_time
from treadmill.ftms import ControlOpCode, MachineStatus, StatusOpCode
from treadmill.ftms.uuids import MACHINE_STATUS, TREADMILL_DATA
from treadmill.session.coach import CoachEvent
from treadmill.session.live import Recording, open_live_session
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.storage.fixtures import read_fixture
from treadmill.virtual.hostile import HostileFrames, Hostility, StopBy
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.plan import Caps

PLAN = builtin_plans()["first-steps-backward"]
CAPS = Caps(forward_kmh=16.0, reverse_kmh=8.0)
RAMP_KMH = 0.5
LIE_FROM_S = 60.0
_TARGETS = (ControlOpCode.SET_TARGET_SPEED, ControlOpCode.SET_TARGET_INCLINATION)


@dataclass(frozen=True, slots=True)
class Figures:
    name: str
    top_target_kmh: float
    excess_kmh: float
    writes_after_stop: int
    lost_s: float
    refused: int
    paused_s: float


def _ceiling(step: int) -> float:
    step = step if step >= 0 else len(PLAN.steps) - 1  # -1: the finish, after the last step
    speeds = [s.speed_kmh or 0.0 for s in PLAN.steps[max(step - 1, 0) : step + 1]]
    return max(speeds) + RAMP_KMH


async def _run(name: str, hostile: HostileFrames | None, seed: int, folder: Path) -> Figures:
    out = folder / f"{name}.jsonl"
    options = SessionOptions(
        SourceOptions(virtual=VirtualOptions(seed=seed, hostile=hostile)),
        workout=WorkoutOptions(PLAN, control=True, caps=CAPS),
        duration_s=(PLAN.duration_s or 0.0) + 60.0,
    )
    said: list[CoachEvent] = []
    async with open_live_session(options, recording=Recording(path=out), on_coach=said.append) as live:
        result = await live.wait()
        treadmill = live.treadmill
    assert treadmill is not None
    assert result.coach is not None
    speeds = [c for c in result.coach.commands if c.speed_kmh is not None]
    fixture = read_fixture(out)
    stopped: list[tuple[float, float]] = []  # (stop, start) spans the machine reported
    for frame in fixture.frames:
        if frame.char == MACHINE_STATUS:
            op = MachineStatus.from_bytes(frame.data).op_code
            if op in (StatusOpCode.STOPPED_BY_SAFETY_KEY, StatusOpCode.STOPPED_OR_PAUSED_BY_USER):
                stopped.append((frame.t, float("inf")))
            elif op == StatusOpCode.STARTED_OR_RESUMED_BY_USER and stopped and stopped[-1][1] == float("inf"):
                stopped[-1] = (stopped[-1][0], frame.t)
    after_stop = sum(
        1
        for t, payload in treadmill.control_log
        if payload and payload[0] in _TARGETS and any(a < t < b for a, b in stopped)
    )
    recorded = sum(1 for f in fixture.frames if f.char == TREADMILL_DATA)
    period_s = 1.0 / options.source.virtual.notify_hz if options.source.virtual else 1.0
    lost_s = max(treadmill.sent[TREADMILL_DATA] - recorded, 0) * period_s
    paused_at = [e.t for e in said if e.text == "Control paused"]
    back_at = [e.t for e in said if e.text == "Control back"]
    paused_s = sum(
        (back_at[k] if k < len(back_at) else result.session_s) - t for k, t in enumerate(paused_at)
    )
    return Figures(
        name,
        max(c.speed_kmh or 0.0 for c in speeds),
        max((c.speed_kmh or 0.0) - _ceiling(c.step) for c in speeds),
        after_stop,
        lost_s,
        result.session.pipeline.implausible,
        paused_s,
    )


async def _all(seed: int) -> list[Figures]:
    runs: list[tuple[str, HostileFrames | None]] = [("honest (the peer)", None)]
    runs += [
        (k.value, HostileFrames(k, start_s=LIE_FROM_S))
        for k in Hostility
        if k is not Hostility.STALE_AFTER_STOP
    ]
    runs += [
        (f"stale after {s.value}", HostileFrames(Hostility.STALE_AFTER_STOP, start_s=LIE_FROM_S, stop_by=s))
        for s in StopBy
    ]
    with tempfile.TemporaryDirectory() as folder:
        return [await _run(name, hostile, seed, Path(folder)) for name, hostile in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    figures = run_in_virtual_time(_all(args.seed))
    plan_top = max(s.speed_kmh or 0.0 for s in PLAN.steps)
    print(
        f"'{PLAN.name}' with control on, caps {CAPS.forward_kmh:g}/{CAPS.reverse_kmh:g} km/h, plan's top "
        f"{plan_top:g} km/h; lying from {LIE_FROM_S:g} s (virtual time, seed {args.seed})"
    )
    print(
        f"{'pattern':28s} {'top target':>10s} {'over plan':>9s} {'writes after stop':>17s} "
        f"{'lost s':>6s} {'refused':>7s} {'paused s':>8s}"
    )
    for f in figures:
        print(
            f"{f.name:28s} {f.top_target_kmh:10.1f} {f.excess_kmh:+9.1f} {f.writes_after_stop:17d} "
            f"{f.lost_s:6.1f} {f.refused:7d} {f.paused_s:8.0f}"
        )
    honest = figures[0]
    worst = max(figures[1:], key=lambda f: f.top_target_kmh)
    print(
        f"\nworst top target against the honest peer: {worst.top_target_kmh:.1f} / "
        f"{honest.top_target_kmh:.1f} km/h = {worst.top_target_kmh / honest.top_target_kmh:.2f}"
    )
    ok = all(f.excess_kmh <= 1e-9 and f.writes_after_stop == 0 and f.lost_s == 0 for f in figures)
    print("targets met: never above the plan plus a ramp step, 0 writes after a stop, 0 s lost:", ok)


if __name__ == "__main__":
    main()

"""The live direction detector: each kind of evidence on its own, chunked = batch, the analysis contract."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from bench.evaluation import REGIMES, isotonic, score, simulate_session
from treadmill.core.analysis import analyze
from treadmill.core.detector import (
    CALIBRATION,
    COMMIT_SAMPLES,
    DetectorState,
    DirectionDetector,
    Step,
    _calibrated,
)
from treadmill.model import Cue, CueDirection, Direction, Facing, Sample

NAN = math.nan


def detect(
    t: Sequence[float],
    speeds: Sequence[float],
    cadence_per_min: Sequence[float] | None = None,
    heart_rate_bpm: Sequence[float] | None = None,
    *,
    cues: Sequence[tuple[float, str]] = (),
    marks: Sequence[tuple[float, str]] = (),
    state: DetectorState | None = None,
) -> list[Step]:
    """The session's pipeline over plain columns (NaN: no value)."""

    def value(column: Sequence[float] | None, k: int) -> int | None:
        return None if column is None or math.isnan(column[k]) else round(column[k])

    samples = [
        Sample(
            t=t[k],
            speed_kmh=speeds[k],
            cadence_per_min=value(cadence_per_min, k),
            heart_rate_bpm=value(heart_rate_bpm, k),
        )
        for k in range(len(t))
    ]
    return analyze(
        samples,
        [Cue(ct, CueDirection(d)) for ct, d in cues],
        [(mt, Facing(d)) for mt, d in marks],
        state=state,
    ).steps


def profile(*segments: tuple[float, float]) -> list[float]:
    """Speeds: (seconds, km/h) held for each segment, at 1 Hz, starting from a standing belt."""
    out = [0.0] * 3
    for seconds, speed in segments:
        out += [speed] * int(seconds)
    return out


def directions(speeds: list[float], **evidence: object) -> list[str]:
    t = [float(i) for i in range(len(speeds))]
    return [s.direction for s in detect(t, speeds, **evidence)]  # type: ignore[arg-type]


def test_a_steady_forward_walk_stays_forward() -> None:
    speeds = profile((600, 5.0))
    out = directions(speeds)
    assert set(out[4:]) == {"forward"}


def test_the_belt_starting_is_not_a_turn() -> None:
    ramp = [0.0, 0.0, 0.6, 1.2, 1.8, 2.4, 2.4, 3.0, 3.6, 4.2, 4.8] + [5.0] * 100
    assert "reverse" not in directions(ramp)


def test_cue_and_dip_switch_to_reverse_and_back() -> None:
    speeds = profile((60, 5.0), (3, 3.5), (5, 2.0), (60, 3.5), (3, 2.5), (5, 2.0), (60, 5.0))
    out = directions(speeds, cues=[(63.0, "reverse"), (131.0, "forward")])
    assert out[70:125].count("reverse") > 50
    assert out[-20:] == ["forward"] * 20


def test_the_turnaround_dip_alone_switches_a_free_run() -> None:
    """No cues: slow to a walk, then a slower plateau (60-80 % of forward) reads as backward."""
    speeds = profile((120, 6.0), (2, 4.0), (4, 1.5), (2, 3.0), (120, 4.2))
    out = directions(speeds)
    assert out[-60:] == ["reverse"] * 60


def test_a_dip_that_comes_back_to_the_same_speed_stays_forward() -> None:
    speeds = profile((120, 6.0), (2, 4.0), (4, 1.5), (2, 4.0), (120, 6.0))
    assert "reverse" not in directions(speeds)[-60:]


def test_stride_alone_detects_a_turn_at_speed() -> None:
    """Same belt speed, no dip: only the footpod shows shorter, quicker steps (+17 % cadence)."""
    speeds = profile((180, 4.5), (180, 4.5))
    cadence = [NAN] * 3 + [110.0] * 180 + [129.0] * 180
    with_footpod = directions(speeds, cadence_per_min=cadence)
    without = directions(speeds)
    assert with_footpod[-100:] == ["reverse"] * 100
    assert "reverse" not in without


def test_heart_rate_alone_moves_the_belief_slowly() -> None:
    """No dip, no footpod, and a person whose learned bands are the same both ways (so the
    speed says nothing): a heart rate 35 bpm above the forward response."""
    speeds = profile((300, 4.0), (300, 4.0))
    hr = [NAN] * 3 + [100.0] * 300 + [135.0] * 300
    t = [float(i) for i in range(len(speeds))]
    with_hr = detect(t, speeds, heart_rate_bpm=hr, state=DetectorState(reverse_kmh=4.0))
    without = detect(t, speeds, state=DetectorState(reverse_kmh=4.0))
    assert with_hr[400].p_reverse > without[400].p_reverse + 0.05
    assert with_hr[306].p_reverse < 0.5  # it confirms over time; it never leads a switch


def test_a_manual_mark_is_decisive() -> None:
    speeds = profile((200, 5.0))
    out = directions(speeds, marks=[(100.0, "reverse")])
    assert out[100 + COMMIT_SAMPLES - 1] == "reverse"


def test_learned_speed_bands_follow_the_person() -> None:
    detector = DirectionDetector()
    for i, speed in enumerate(profile((300, 9.0))):
        detector.update(float(i), speed)
    assert detector.state.forward_kmh == pytest.approx(9.0, abs=0.3)


def test_feeding_in_random_chunks_gives_the_batch_result() -> None:
    session = simulate_session(3, "free_footpod", duration_s=600)
    t = [s.t for s in session.samples]
    speed = [NAN if s.speed_kmh is None else s.speed_kmh for s in session.samples]
    cadence = [NAN if s.cadence_per_min is None else float(s.cadence_per_min) for s in session.samples]
    batch = detect(t, speed, cadence)
    rng = random.Random(5)
    detector = DirectionDetector()
    live = []
    k = 0
    while k < len(t):
        chunk = rng.randint(1, 40)
        live += [detector.update(t[i], speed[i], cadence[i]) for i in range(k, min(k + chunk, len(t)))]
        k += chunk
    assert live == batch


def test_analysis_intervals_meet_the_contract() -> None:
    session = simulate_session(5, "guided", duration_s=900)
    analysis = analyze(session.samples, [Cue(t, d) for t, d in session.cues])
    intervals = analysis.intervals
    assert intervals[0].start_s == session.samples[0].t
    assert intervals[-1].end_s == session.samples[-1].t
    for a, b in itertools.pairwise(intervals):
        assert a.end_s == b.start_s  # no gaps, no overlaps
        assert a.direction != b.direction
    for interval in intervals:
        assert interval.direction in ("forward", "reverse", "stopped")
        assert interval.detected_at_s >= interval.start_s
        assert 0.0 <= interval.confidence <= 1.0
    out = analysis.to_dict()
    assert set(out) == {"intervals", "summary"}
    summary = analysis.summary.totals
    assert set(summary) == {"forward", "reverse", "stopped"}
    assert {"time_s", "distance_m", "kcal"} <= set(summary[Direction.FORWARD].to_dict())


@pytest.mark.parametrize("regime", REGIMES)
def test_evaluation_floor_on_a_few_held_out_people(regime: str) -> None:
    """A regression guard, not the evaluation (bench/eval_detector.py): a handful of people."""
    sessions = [simulate_session(person, regime, duration_s=900) for person in range(40, 46)]
    detector, baseline = score(sessions)
    floors = {"guided": 0.9, "free": 0.5, "free_footpod": 0.7, "free_hr": 0.4}
    assert detector.f1(10.0) >= floors[regime]
    assert detector.accuracy > baseline.accuracy
    assert np.isfinite(detector.latency(0.5))


def test_calibration_maps_are_monotone_and_bounded() -> None:
    assert set(CALIBRATION) == {"cued", "speed", "footpod", "heart_rate"}  # every kind of evidence
    for name in CALIBRATION:
        values = [_calibrated(x / 100, name) for x in range(101)]
        assert values == sorted(values), name
        assert all(0.0 <= v <= 1.0 for v in values)


def test_isotonic_fit_pools_violators() -> None:
    knots = isotonic([(0.1, 0.2), (0.3, 0.5), (0.5, 0.4), (0.9, 0.9)])
    assert [y for _, y in knots] == sorted(y for _, y in knots)
    assert knots[1] == pytest.approx((0.4, 0.45))


def test_a_burst_of_notifications_milliseconds_apart_is_ordinary_evidence() -> None:
    """Consoles catching up after a reconnect send frames 1 ms apart; no error, no flip."""
    detector = DirectionDetector()
    for second in range(60):
        detector.update(float(second), 5.0)
    detector.update(60.0, 5.0)
    detector.update(60.001, 12.0)  # a 7 km/h jump in a millisecond
    estimate = detector.update(60.002, 5.0)
    assert estimate.direction == "forward"

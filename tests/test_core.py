"""The numpy core's first pieces: energy, the cue labelling, intervals, the summary."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from treadmill.core.energy import kcal_per_min
from treadmill.core.intervals import FORWARD, REVERSE, STOPPED, intervals, plan_directions, summarize
from treadmill.core.timeline import Timeline
from treadmill.session.decoding import Sample


@pytest.mark.parametrize(
    ("speed", "grade", "reverse", "kcal"),
    [
        (5.0, 0.0, False, 4.1),  # forward walk
        (3.0, 0.0, True, 3.9),  # backward walk, M = 1.5
        (4.0, 0.0, True, 4.7),
        (5.0, 0.0, True, 5.6),
        (5.6, 5.0, True, 10.6),
        (8.0, 0.0, False, 10.6),  # forward run
        (6.0, 0.0, True, 10.7),  # backward run, M = 1.35
    ],
)
def test_energy_matches_the_worked_table(speed: float, grade: float, reverse: bool, kcal: float) -> None:
    """reverse-running.md §1.5, 70 kg."""
    rate = kcal_per_min(np.array([speed]), np.array([grade]), np.array([reverse]), 70.0)
    assert rate.mid[0] == pytest.approx(kcal, abs=0.1)  # the table rounds its VO2 to 0.1
    if reverse:
        assert rate.low[0] < rate.mid[0] < rate.high[0]
    else:
        assert rate.low[0] == rate.mid[0] == rate.high[0]


def test_standing_still_burns_the_resting_rate_either_way() -> None:
    rate = kcal_per_min(np.array([0.0, np.nan]), np.array([0.0, 0.0]), np.array([True, False]), 70.0)
    assert np.allclose(rate.mid, 3.5 * 70 * 5 / 1000)


def test_plan_directions_follow_cues_and_the_belt() -> None:
    t = np.arange(0.0, 10.0)
    speed = np.array([0, 3, 3, 3, 3, 0.1, 3, 3, 3, 3.0])
    labels = plan_directions(t, speed, [(2.5, "reverse"), (7.0, "forward"), (8.0, "bogus")])
    assert labels.tolist() == [
        STOPPED,
        FORWARD,
        FORWARD,
        REVERSE,
        REVERSE,
        STOPPED,
        REVERSE,
        FORWARD,
        FORWARD,
        FORWARD,
    ]


def test_plan_directions_are_causal_prefix_equals_batch() -> None:
    """Labelling a prefix gives the batch labels' prefix: what the live app showed is what replay shows."""
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 600, 400))
    speed = rng.uniform(0, 6, 400)
    cues = [(100.0, "reverse"), (200.0, "forward"), (350.0, "reverse")]
    full = plan_directions(t, speed, cues)
    for n in (1, 57, 200, 399):
        assert (
            plan_directions(t[:n], speed[:n], [c for c in cues if c[0] <= t[n - 1]]).tolist()
            == full[:n].tolist()
        )


def test_intervals_cover_the_session_without_gaps() -> None:
    t = np.array([0.0, 1, 2, 3, 4, 5])
    labels = np.array([0, 1, 1, 2, 2, 1], dtype=np.int8)
    out = intervals(t, labels, end_s=6.0)
    assert [(i.start_s, i.end_s, i.direction) for i in out] == [
        (0.0, 1.0, "stopped"),
        (1.0, 3.0, "forward"),
        (3.0, 5.0, "reverse"),
        (5.0, 6.0, "forward"),
    ]
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(out))


def test_summary_uses_the_treadmill_distance_and_survives_a_counter_reset() -> None:
    samples = [Sample(t=float(i), speed_kmh=3.6, distance_m=float(i)) for i in range(60)]
    samples += [Sample(t=float(60 + i), speed_kmh=3.6, distance_m=float(i)) for i in range(60)]  # reset to 0
    timeline = Timeline.from_samples(samples)
    labels = np.where(timeline.t < 60, FORWARD, REVERSE).astype(np.int8)
    summary = summarize(timeline, labels)
    assert summary.totals["forward"].time_s == pytest.approx(60.0)
    assert summary.totals["forward"].distance_m == pytest.approx(60.0)
    assert summary.totals["reverse"].distance_m == pytest.approx(59.0)  # the last sample has no step after it
    assert summary.totals["reverse"].kcal > summary.totals["forward"].kcal


def test_gaps_are_not_exercise() -> None:
    samples = [Sample(t=0.0, speed_kmh=5.0), Sample(t=1.0, speed_kmh=5.0), Sample(t=301.0, speed_kmh=5.0)]
    summary = summarize(Timeline.from_samples(samples), np.full(3, FORWARD, dtype=np.int8))
    assert summary.totals["forward"].time_s == pytest.approx(6.0)  # 1 s + a 300 s gap capped at 5 s


def test_a_frozen_distance_counter_is_not_trusted() -> None:
    """Some pads count distance only with a person detected on the belt (ftms-notes.md §9)."""
    samples = [Sample(t=float(i), speed_kmh=3.6, distance_m=17.0) for i in range(101)]
    summary = summarize(Timeline.from_samples(samples), np.full(101, FORWARD, dtype=np.int8))
    assert summary.totals["forward"].distance_m == pytest.approx(100.0)

"""The numpy core's rules: energy, intervals, and one set of totals for the live screen and the summary."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from treadmill.core.body import Body
from treadmill.core.energy import kcal_per_min
from treadmill.core.intervals import intervals, summarize
from treadmill.core.pipeline import Pipeline
from treadmill.core.timeline import Timeline
from treadmill.model import Direction, Sample

F, R, S = Direction.FORWARD, Direction.REVERSE, Direction.STOPPED


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
    """The worked table in docs/physiology.md, 70 kg."""
    rate = kcal_per_min(np.array([speed]), np.array([grade]), np.array([reverse]), 70.0)
    assert rate.mid[0] == pytest.approx(kcal, abs=0.1)  # the table rounds its VO2 to 0.1
    if reverse:
        assert rate.low[0] < rate.mid[0] < rate.high[0]
    else:
        assert rate.low[0] == rate.mid[0] == rate.high[0]


def test_standing_still_burns_the_resting_rate_either_way() -> None:
    rate = kcal_per_min(np.array([0.0, np.nan]), np.array([0.0, 0.0]), np.array([True, False]), 70.0)
    assert np.allclose(rate.mid, 3.5 * 70 * 5 / 1000)


def labelled(t: float, speed: float, direction: Direction, distance: float | None = None) -> Sample:
    return Sample(t=t, speed_kmh=speed, distance_m=distance, direction=direction)


def test_intervals_cover_the_session_without_gaps() -> None:
    directions = [S, F, F, R, R, F]
    timeline = Timeline.from_samples([labelled(float(k), 3.0, d) for k, d in enumerate(directions)])
    out = intervals(timeline)
    assert [(i.start_s, i.end_s, i.direction) for i in out] == [
        (0.0, 1.0, S),
        (1.0, 3.0, F),
        (3.0, 5.0, R),
        (5.0, 5.0, F),
    ]
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(out))


def test_summary_uses_the_treadmill_distance_and_survives_a_counter_reset() -> None:
    samples = [labelled(float(i), 3.6, F, float(i)) for i in range(60)]
    samples += [labelled(float(60 + i), 3.6, R, float(i)) for i in range(60)]  # the counter resets to 0
    summary = summarize(Timeline.from_samples(samples), Body())
    assert summary.totals[F].time_s == pytest.approx(60.0)
    assert summary.totals[F].distance_m == pytest.approx(60.0)
    assert summary.totals[R].distance_m == pytest.approx(59.0)  # the last sample has no step after it
    assert summary.totals[R].kcal > summary.totals[F].kcal


def test_gaps_are_not_exercise() -> None:
    samples = [labelled(0.0, 5.0, F), labelled(1.0, 5.0, F), labelled(301.0, 5.0, F)]
    summary = summarize(Timeline.from_samples(samples), Body())
    assert summary.totals[F].time_s == pytest.approx(6.0)  # 1 s + a 300 s gap capped at 5 s


def test_a_frozen_distance_counter_is_not_trusted() -> None:
    """Some pads count distance only with a person detected on the belt (docs/ftms-codecs.md)."""
    samples = [labelled(float(i), 3.6, F, 17.0) for i in range(101)]
    summary = summarize(Timeline.from_samples(samples), Body())
    assert summary.totals[F].distance_m == pytest.approx(100.0)


def test_a_stopped_belt_covers_no_distance_and_unsure_time_has_its_own_block() -> None:
    samples = [
        labelled(0.0, 4.0, F),
        labelled(10.0, 0.1, S),
        labelled(15.0, 4.0, Direction.UNSURE),
        labelled(20.0, 4.0, F),
    ]
    summary = summarize(Timeline.from_samples(samples), Body())
    assert summary.totals[S].distance_m == 0.0
    assert summary.totals[Direction.UNSURE].time_s == pytest.approx(5.0)
    unsure, forward = summary.totals[Direction.UNSURE], summary.totals[F]
    assert (
        unsure.kcal_high > forward.kcal_high / 2
    )  # an unsure stretch may have been backward: its range says so


def test_live_totals_are_the_summary_at_every_moment() -> None:
    """One pipeline for the screen and the summary: a prefix's totals are the summary of that prefix."""
    rng = np.random.default_rng(3)
    pipeline = Pipeline()
    distance = 0.0
    for k in range(300):
        speed = float(rng.choice([0.0, 2.5, 5.0]))
        distance += speed / 3.6
        live = pipeline.summary()
        pipeline.sample(Sample(t=float(k), speed_kmh=speed, distance_m=distance))
        if k % 50 == 49:
            fresh = Pipeline()
            for sample in [Sample(t=float(j), speed_kmh=s, distance_m=d) for j, s, d in _replay(pipeline, k)]:
                fresh.sample(sample)
            assert fresh.summary() == pipeline.summary()
    assert live.duration_s == 298.0


def _replay(pipeline: Pipeline, k: int) -> list[tuple[int, float, float]]:
    timeline = pipeline.timeline
    return [(j, float(timeline.speed_kmh[j]), float(timeline.distance_m[j])) for j in range(k + 1)]

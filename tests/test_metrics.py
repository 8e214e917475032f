"""Metrics, zones, Keytel, the user profile and the offline smoother."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.support import cli
from treadmill.core.body import Body, Sex
from treadmill.core.energy import kcal_per_min, keytel_kcal_per_min
from treadmill.core.metrics import direction_stats
from treadmill.core.timeline import Timeline
from treadmill.core.zones import zone_bounds, zone_times
from treadmill.model import Direction, Facing, Sample
from treadmill.storage.profile import LabelledExample, UserProfile, load_profile, save_profile


def test_keytel_matches_the_published_formula() -> None:
    """Keytel et al. 2005: a 40-year-old 70 kg man at 150 bpm: (-55.0969 + 94.635 + 13.916 + 8.068) kJ/min."""
    kcal = keytel_kcal_per_min(np.array([150.0]), 70.0, 40.0, Sex.MALE)[0]
    assert kcal == pytest.approx((-55.0969 + 0.6309 * 150 + 0.1988 * 70 + 0.2017 * 40) / 4.184)
    woman = keytel_kcal_per_min(np.array([150.0]), 70.0, 40.0, Sex.FEMALE)[0]
    either = keytel_kcal_per_min(np.array([150.0]), 70.0, 40.0, None)[0]
    assert either == pytest.approx((kcal + woman) / 2)
    assert np.isnan(keytel_kcal_per_min(np.array([np.nan]), 70.0, 40.0, None)[0])


def test_handrails_lower_the_backward_cost() -> None:
    speed, incline, reverse = np.array([4.0, 4.0]), np.array([0.0, 0.0]), np.array([True, True])
    free = kcal_per_min(speed, incline, reverse, 70.0)
    held = kcal_per_min(speed, incline, reverse, 70.0, handrail=np.array([False, True]))
    assert held.mid[0] == free.mid[0]
    assert held.mid[1] < free.mid[1]


@pytest.mark.parametrize(
    ("method", "edges"),
    [
        ("max_hr", (90, 108, 126, 144, 162, 180)),  # 50/60/70/80/90/100 % of 180
        ("karvonen", (120, 132, 144, 156, 168, 180)),  # rest 60 + the same % of the 120 reserve
        ("maf", (120, 130, 140, 150, 160, 180)),  # 180 - 40 = 140 at the top of zone 2
    ],
)
def test_zone_edges(method: str, edges: tuple[int, ...]) -> None:
    bounds = zone_bounds(method, age=40, resting_bpm=60, max_bpm=180)
    assert [round(b) for b in bounds] == list(edges)


def test_time_in_zones() -> None:
    hr = np.array([100.0, 115.0, 130.0, np.nan, 85.0])
    seconds = np.ones(5) * 10
    zones = zone_times(hr, seconds, "max_hr", zone_bounds("max_hr", age=40, resting_bpm=60, max_bpm=180))
    assert zones.seconds == (10.0, 10.0, 10.0, 0.0, 0.0)
    assert zones.zone2_s == 10.0


def test_direction_stats_distance_elevation_pace() -> None:
    samples = [
        Sample(
            t=float(i),
            speed_kmh=3.6,
            incline_pct=10.0,
            distance_m=float(i),
            direction=Direction.FORWARD if i < 50 else Direction.REVERSE,
        )
        for i in range(101)
    ]
    stats = direction_stats(Timeline.from_samples(samples), Body())
    assert stats["forward"].distance_m == pytest.approx(50.0)
    assert stats["forward"].elevation_gain_m == pytest.approx(5.0)  # 10 % of 50 m
    assert stats["forward"].pace_s_per_km == pytest.approx(1000.0)  # 1 m/s
    assert stats["reverse"].kcal > stats["forward"].kcal


def test_profile_round_trip_and_bad_files(tmp_path: Path) -> None:
    profile = UserProfile(
        age=52, mass_kg=81.5, sex=Sex.FEMALE, examples=[LabelledExample("s.jsonl", 12.0, Facing.REVERSE)]
    )
    profile.detector.walk_offset = 0.04
    save_profile(profile, tmp_path)
    loaded = load_profile(tmp_path)
    assert loaded.profile == profile
    assert loaded.problems == ()
    assert loaded.profile.estimated_max_hr_bpm == pytest.approx(208 - 0.7 * 52)
    (tmp_path / "profile.json").write_text("{not json")
    unreadable = load_profile(tmp_path)
    assert unreadable.profile == UserProfile()  # the defaults, no crash, and the reason said
    assert "not JSON" in unreadable.problems[0]
    assert load_profile(tmp_path / "missing") == load_profile(tmp_path / "missing")
    assert load_profile(tmp_path / "missing").profile == UserProfile()


def test_analyze_learn_keeps_bands_and_marks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = tmp_path / "marked.jsonl"
    source = (ROOT / "fixtures" / "guided-beginner.jsonl").read_text().splitlines()
    source.insert(
        300, json.dumps({"t": json.loads(source[299])["t"], "event": "marked", "detail": "reverse"})
    )
    fixture.write_text("\n".join(source) + "\n")
    status, out, err = cli(capsys, "analyze", str(fixture), "--json", "--stats", "--learn")
    assert status == 0, err
    data = json.loads(out)
    assert {"intervals", "summary", "interval_stats", "direction_stats"} <= set(data)
    assert len(data["interval_stats"]) == len(data["intervals"])
    profile = load_profile().profile
    assert profile.examples == [LabelledExample("marked.jsonl", json.loads(source[299])["t"], Facing.REVERSE)]
    status, _, err = cli(capsys, "analyze", str(ROOT / "fixtures" / "free-run-footpod.jsonl"), "--learn")
    assert status == 0, err
    learned = load_profile().profile.detector
    assert learned.walk_samples + learned.run_samples > 0, "the footpod's cadence taught this person's stride"
    assert abs(learned.walk_offset) <= 0.1


def test_a_pause_adds_no_energy_however_high_the_heart_rate() -> None:
    """Time and distance froze during a pause while energy went on (17-22 to 19-29 kcal): a heart
    rate still high on a stopped belt is not exercise."""

    def session(pause_s: int) -> list[Sample]:
        walk = [Sample(float(i), 5.0, distance_m=i * 1.39, heart_rate_bpm=150) for i in range(120)]
        rest = [Sample(120.0 + i, 0.0, distance_m=166.8, heart_rate_bpm=150) for i in range(pause_s)]
        return [replace(s, direction=Direction.FORWARD) for s in walk] + [
            replace(s, direction=Direction.STOPPED) for s in rest
        ]

    short, long = (direction_stats(Timeline.from_samples(session(n)), Body()) for n in (2, 300))
    for name in ("forward", "stopped"):
        assert long[name].kcal == short[name].kcal
        assert (long[name].kcal_low, long[name].kcal_high) == (short[name].kcal_low, short[name].kcal_high)
    assert long["forward"].kcal > 5.0, "the walk itself still counts"

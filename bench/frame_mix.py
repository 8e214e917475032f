"""The realistic Treadmill Data mix that the benchmarks share.

Every real 0x2ACD frame in ``../shared/vectors/ftms_vectors.json`` when it is there
(CITYSPORTS, Technogym split parts, Urevo, a padded library frame; published by others, so
not committed) plus the shapes common treadmills send during a
workout, built with our own encoder: speed + distance + incline + energy + heart rate +
elapsed time; a walking pad with the bit-13 step count; a Matrix frame cut at 20 bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from treadmill.ftms import TreadmillData
from treadmill.ftms.uuids import TREADMILL_DATA

ROOT = Path(__file__).resolve().parent.parent


def real_frames() -> list[bytes]:
    """The 0x2ACD frames recorded from real devices (none without ../shared)."""
    path = ROOT.parent / "shared" / "vectors" / "ftms_vectors.json"
    if not path.exists():
        return []
    vectors = json.loads(path.read_text())
    return [bytes.fromhex(v["hex"]) for v in vectors if v["characteristic_uuid"][4:8] == TREADMILL_DATA]


def workout_frames() -> list[bytes]:
    """Frames shaped like those of common treadmills mid-workout."""
    full = TreadmillData(
        instantaneous_speed_kmh=8.4,
        total_distance_m=2310,
        inclination_pct=2.0,
        ramp_angle_deg=1.1,
        total_energy_kcal=188,
        energy_per_hour_kcal=640,
        energy_per_minute_kcal=10,
        heart_rate_bpm=142,
        elapsed_time_s=1210,
    )
    pad = TreadmillData(
        instantaneous_speed_kmh=4.5,
        average_speed_kmh=4.1,
        total_distance_m=812,
        total_energy_kcal=40,
        energy_per_hour_kcal=0,
        energy_per_minute_kcal=0,
        elapsed_time_s=700,
        step_count=1033,
    )
    matrix = TreadmillData(
        instantaneous_speed_kmh=6.0,
        average_speed_kmh=5.5,
        total_distance_m=1500,
        inclination_pct=1.5,
        ramp_angle_deg=None,
        positive_elevation_gain_m=12.0,
        negative_elevation_gain_m=0.0,
        total_energy_kcal=120,
        energy_per_hour_kcal=500,
        energy_per_minute_kcal=8,
        heart_rate_bpm=120,
        elapsed_time_s=900,
    )
    return [bytes(full), bytes(pad), bytes(matrix)[:20], bytes(TreadmillData(instantaneous_speed_kmh=3.2))]


def frame_mix(count: int, seed: int = 2026) -> list[bytes]:
    """``count`` frames drawn evenly from the real and the workout shapes."""
    shapes = real_frames() + workout_frames()
    rng = random.Random(seed)
    return [rng.choice(shapes) for _ in range(count)]

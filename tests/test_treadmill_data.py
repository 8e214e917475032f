"""Treadmill Data 0x2ACD: round trips, tolerance of real-device quirks, pace width."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given

from tests.conftest import load_vectors
from tests.strategies import treadmill_records
from treadmill.errors import EncodeError, FrameError
from treadmill.ftms import PaceFormat, TreadmillData
from treadmill.ftms.treadmill_data import FIELD_GROUPS, STEP_COUNT_BIT

# A plausible, non-sentinel value for every field, so that every flag combination
# can be built from the same numbers.
TYPICAL: dict[str, Any] = {
    "instantaneous_speed_kmh": 6.5,
    "average_speed_kmh": 5.25,
    "total_distance_m": 70000,
    "inclination_pct": -2.5,
    "ramp_angle_deg": 1.4,
    "positive_elevation_gain_m": 12.3,
    "negative_elevation_gain_m": 0.4,
    "instantaneous_pace_s_per_km": 600 / 12,
    "average_pace_s_per_km": 600 / 11,
    "total_energy_kcal": 250,
    "energy_per_hour_kcal": 600,
    "energy_per_minute_kcal": 10,
    "heart_rate_bpm": 131,
    "metabolic_equivalent": 7.2,
    "elapsed_time_s": 1805,
    "remaining_time_s": 600,
    "force_on_belt_n": -40,
    "power_output_w": 180,
}
REAL_2ACD = [bytes.fromhex(v["hex"]) for v in load_vectors() if v["characteristic_uuid"][4:8] == "2acd"]


def record_for(mask: int, *, steps: bool) -> TreadmillData:
    """The record announcing exactly the groups whose bits are set in ``mask``."""
    values = {
        f.name: TYPICAL[f.name] for g in FIELD_GROUPS if (mask >> g.bit & 1) != (g.bit == 0) for f in g.fields
    }
    if steps:
        values["step_count"] = 123456
    return TreadmillData(**values)


def test_every_combination_of_optional_fields_round_trips() -> None:
    """All 2^13 flag combinations, with and without the bit-13 step count."""
    for mask, steps in itertools.product(range(1 << len(FIELD_GROUPS)), (False, True)):
        record = record_for(mask, steps=steps)
        assert record.flags == mask | (STEP_COUNT_BIT if steps else 0)
        decoded = TreadmillData.from_bytes(bytes(record))
        assert decoded == record, hex(mask)
        assert not decoded.diagnostics


@given(treadmill_records())
def test_round_trip_any_values(record: TreadmillData) -> None:
    payload = bytes(record)
    decoded = TreadmillData.from_bytes(payload)
    assert decoded == record
    assert bytes(decoded) == payload


def test_sentinels_decode_to_none_and_stay_announced() -> None:
    record = TreadmillData(
        instantaneous_speed_kmh=3.0,
        inclination_pct=None,
        ramp_angle_deg=None,
        total_energy_kcal=None,
        wire_flags=0x0008 | 0x0080,
    )
    payload = bytes(record)
    assert payload.hex() == "88002c01ff7fff7fffffffffff"
    decoded = TreadmillData.from_bytes(payload)
    assert decoded.to_dict()["inclination_pct"] is None
    assert decoded.to_dict()["energy_per_minute_kcal"] is None
    assert "average_speed_kmh" not in decoded.to_dict()


@pytest.mark.parametrize("raw", ["ffff", "ff7f"])
def test_elevation_filler_from_life_fitness_and_matrix_is_unknown(raw: str) -> None:
    payload = bytes.fromhex("1000" + "6400" + raw + "0a00")
    decoded = TreadmillData.from_bytes(payload)
    assert decoded.positive_elevation_gain_m is None
    assert decoded.negative_elevation_gain_m == 1.0


@pytest.mark.skipif(not REAL_2ACD, reason="needs ../shared/vectors (real frames, not committed)")
@pytest.mark.parametrize("payload", REAL_2ACD, ids=lambda p: p.hex())
def test_truncation_keeps_every_field_that_fit(payload: bytes) -> None:
    full = TreadmillData.from_bytes(payload)
    standard = [n for n in full.present_fields() if n != "step_count"]
    for cut in range(2, len(payload)):
        part = TreadmillData.from_bytes(payload[:cut])
        truncated = part.diagnostics.truncated
        kept = standard[: len(standard) - len(truncated)]
        # The cut fields are exactly the tail of what the flags announce ...
        assert list(truncated) == standard[len(kept) :], cut
        # ... and everything before them has the full frame's values.
        for name in kept:
            assert getattr(part, name) == getattr(full, name), (cut, name)
        for name in truncated:
            assert getattr(part, name) is None


def test_matrix_overclaiming_frame_cut_at_20_bytes() -> None:
    """Flags promise more than 20 bytes; the decoder keeps what fits and names the rest."""
    full = record_for(0b1_1111_1001_1110, steps=False)  # like Matrix's 0x1F9E
    payload = bytes(full)[:20]
    decoded = TreadmillData.from_bytes(payload)
    assert decoded.diagnostics.truncated
    assert decoded.total_distance_m == TYPICAL["total_distance_m"]
    assert decoded.diagnostics.to_dict()["truncated"] == list(decoded.diagnostics.truncated)
    assert bytes(decoded) == payload[: len(bytes(decoded))]


def test_trailing_bytes_are_tolerated_and_counted() -> None:
    payload = bytes(TreadmillData(instantaneous_speed_kmh=4.0)) + b"\x00\x00"
    decoded = TreadmillData.from_bytes(payload)
    assert decoded.instantaneous_speed_kmh == 4.0
    assert decoded.diagnostics.trailing_bytes == 2


def test_bit13_needs_exactly_three_bytes_for_a_step_count() -> None:
    base = bytes(TreadmillData(instantaneous_speed_kmh=4.0, wire_flags=STEP_COUNT_BIT))
    assert TreadmillData.from_bytes(base + b"\x05\x00\x00").step_count == 5
    odd = TreadmillData.from_bytes(base + b"\x05\x00")
    assert odd.step_count is None
    assert odd.diagnostics.trailing_bytes == 2
    assert "rfu_flags_0x2000" in odd.diagnostics.notes


def test_other_rfu_bits_are_reported_not_rejected() -> None:
    decoded = TreadmillData.from_bytes(bytes.fromhex("00402c01"))
    assert decoded.instantaneous_speed_kmh == 3.0
    assert decoded.diagnostics.notes == ("rfu_flags_0x4000",)


def test_pace_width_follows_frame_length() -> None:
    legacy = TreadmillData(instantaneous_speed_kmh=7.5, instantaneous_pace_s_per_km=600 / 125)
    gss = replace(legacy, instantaneous_pace_s_per_km=480.0, pace_format=PaceFormat.UINT16_S_PER_500M)
    assert TreadmillData.from_bytes(bytes(legacy)).pace_format is PaceFormat.UINT8_KM_PER_MIN
    decoded = TreadmillData.from_bytes(bytes(gss))
    assert decoded.pace_format is PaceFormat.UINT16_S_PER_500M
    assert decoded.instantaneous_pace_s_per_km == 480.0


def test_pace_width_guess_is_reported() -> None:
    # Pace flag with three bytes after the speed: neither width fits, uint8 is assumed.
    decoded = TreadmillData.from_bytes(bytes.fromhex("20002c01" + "0a0000"))
    assert decoded.pace_format is PaceFormat.UINT8_KM_PER_MIN
    assert decoded.instantaneous_pace_s_per_km == 60.0
    assert "pace_width_guessed" in decoded.diagnostics.notes


def test_too_short_for_flags_is_a_frame_error() -> None:
    for payload in (b"", b"\x00"):
        with pytest.raises(FrameError) as info:
            TreadmillData.from_bytes(payload)
        assert info.value.reason == "too short for flags"
        assert info.value.characteristic == "2acd"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("instantaneous_speed_kmh", 700.0),
        ("instantaneous_speed_kmh", -1.0),
        ("total_distance_m", 1 << 24),
        ("inclination_pct", 3276.7),
        ("heart_rate_bpm", 256),
    ],
)
def test_values_outside_the_wire_format_are_refused(field: str, value: float) -> None:
    values: dict[str, Any] = {"instantaneous_speed_kmh": 1.0, field: value}
    record = TreadmillData(**values)
    with pytest.raises(EncodeError) as info:
        bytes(record)
    assert info.value.field == field


def test_absent_fields_are_absent_and_more_data_is_reported() -> None:
    part = TreadmillData(average_speed_kmh=4.0)
    assert part.more_data
    out = TreadmillData.from_bytes(bytes(part)).to_dict()
    assert out["more_data"] is True
    assert "instantaneous_speed_kmh" not in out
    assert out["average_speed_kmh"] == 4.0

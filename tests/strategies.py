"""Hypothesis strategies that build valid records of every codec from raw wire integers.

Values are made the way the decoders make them (raw / divisor), so that a round trip
through bytes must reproduce them exactly.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from treadmill.ftms import (
    FtmsAdvertisement,
    HeartRateMeasurement,
    PaceFormat,
    RSCMeasurement,
    SensorContact,
    TrainingStatus,
    TreadmillData,
)
from treadmill.ftms.fields import Field, Value
from treadmill.ftms.treadmill_data import FIELD_GROUPS, STEP_COUNT, STEP_COUNT_BIT, pace_to_s_per_km

_BOUNDS = {
    "u8": (0, 0xFF),
    "s8": (-0x80, 0x7F),
    "u16": (0, 0xFFFF),
    "s16": (-0x8000, 0x7FFF),
    "u24": (0, 0xFFFFFF),
    "u32": (0, 0xFFFFFFFF),
}


def field_value(field: Field, *, allow_none: bool = True) -> st.SearchStrategy[Value]:
    """A value of ``field``: any raw integer but a sentinel, or None where it has one."""
    low, high = _BOUNDS[field.kind]
    raw = st.integers(low, high).filter(lambda r: r not in field.sentinels)
    value = raw.map(field.convert)
    if field.sentinels and allow_none:
        return st.one_of(st.none(), value)
    return value


def _pace_value(pace: PaceFormat) -> st.SearchStrategy[float | None]:
    high = 0xFF if pace is PaceFormat.UINT8_KM_PER_MIN else 0xFFFF
    return st.integers(0, high).map(lambda raw: pace_to_s_per_km(raw, pace))


@st.composite
def treadmill_records(draw: st.DrawFn, *, final: bool | None = None) -> TreadmillData:
    """Any Treadmill Data record; ``final`` forces the speed in (True) or out (False)."""
    pace = draw(st.sampled_from(PaceFormat))
    values: dict[str, Any] = {}
    flags = 0
    for group in FIELD_GROUPS:
        present = final if group.bit == 0 and final is not None else draw(st.booleans())
        if not present:
            if group.bit == 0:
                flags |= 1
            continue
        if group.bit:
            flags |= 1 << group.bit
        for field in group.fields:
            if group.bit in (5, 6):
                values[field.name] = draw(_pace_value(pace))
            else:
                values[field.name] = draw(field_value(field))
    if draw(st.booleans()):
        values["step_count"] = draw(field_value(STEP_COUNT))
        flags |= STEP_COUNT_BIT
    has_pace = bool(flags & 0x60)
    return TreadmillData(
        **values, pace_format=pace if has_pace else PaceFormat.UINT8_KM_PER_MIN, wire_flags=flags
    )


def record_fields(fields: tuple[Field, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Values for every field of a fixed layout."""
    names = [f.name for f in fields]
    values = st.tuples(*(field_value(f, allow_none=False) for f in fields))
    return values.map(lambda drawn: dict(zip(names, drawn, strict=True)))


heart_rates = st.builds(
    HeartRateMeasurement,
    heart_rate_bpm=st.one_of(st.integers(0, 0xFF), st.integers(0, 0xFFFF)),
    sensor_contact=st.sampled_from(SensorContact),
    energy_expended_kj=st.one_of(st.none(), st.integers(0, 0xFFFF)),
    rr_intervals_s=st.one_of(
        st.none(), st.lists(st.integers(0, 0xFFFF).map(lambda r: r / 1024), max_size=8).map(tuple)
    ),
    uint16_format=st.booleans(),
)

rsc_measurements = st.builds(
    RSCMeasurement,
    instantaneous_speed_mps=st.integers(0, 0xFFFF).map(lambda r: r / 256),
    instantaneous_cadence_per_min=st.integers(0, 0xFF),
    stride_length_m=st.one_of(st.none(), st.integers(0, 0xFFFF).map(lambda r: r / 100)),
    total_distance_m=st.one_of(st.none(), st.integers(0, 0xFFFFFFFF).map(lambda r: r / 10)),
    running=st.booleans(),
    rfu_flags=st.integers(0, 0x1F).map(lambda r: r << 3),
)

training_statuses = st.builds(
    TrainingStatus,
    status=st.integers(0, 0xFF),
    string=st.one_of(st.none(), st.text(max_size=16)),
    extended_string=st.booleans(),
    rfu_flags=st.integers(0, 0x3F).map(lambda r: r << 2),
)

advertisements = st.builds(
    FtmsAdvertisement,
    available=st.booleans(),
    machine_types=st.integers(0, 0xFF),
    rfu_flags=st.integers(0, 0x7F).map(lambda r: r << 1),
)

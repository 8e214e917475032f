"""The batch decoder gives exactly what the per-frame decoder gives, row by row."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bench.batch_decode import decode_treadmill_batch
from tests.strategies import treadmill_records
from tests.test_fuzz import mutated_real_frames
from treadmill.errors import FrameError
from treadmill.ftms import TreadmillData


def assert_rows_match(payloads: list[bytes]) -> None:
    batch = decode_treadmill_batch(payloads)
    assert len(batch) == len(payloads)
    for row, payload in enumerate(payloads):
        try:
            record = TreadmillData.from_bytes(payload)
        except FrameError:
            assert not batch.valid[row]
            assert all(math.isnan(column[row]) for column in batch.columns.values())
            continue
        assert batch.valid[row]
        assert batch.flags[row] == record.flags
        assert batch.more_data[row] == record.more_data
        assert batch.truncated[row] == bool(record.diagnostics.truncated)
        assert batch.trailing_bytes[row] == record.diagnostics.trailing_bytes
        for name in TreadmillData.VALUE_FIELDS:
            value = getattr(record, name)
            cell = batch.columns[name][row]
            if value is None:
                assert math.isnan(cell), (row, name)
            else:
                assert cell == value, (row, name, cell, value)


@given(st.lists(treadmill_records().map(bytes), max_size=40))
def test_batch_matches_scalar_on_valid_frames(payloads: list[bytes]) -> None:
    assert_rows_match(payloads)


@given(st.lists(st.one_of(mutated_real_frames(), st.binary(max_size=3)), max_size=40))
def test_batch_matches_scalar_on_damaged_frames(payloads: list[bytes]) -> None:
    assert_rows_match(payloads)


def test_empty_batch() -> None:
    batch = decode_treadmill_batch([])
    assert len(batch) == 0
    assert batch.columns["instantaneous_speed_kmh"].shape == (0,)

"""Split records: merged for every split point, dropped when half-merged, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import treadmill_records
from treadmill.errors import EncodeError
from treadmill.ftms import RecordAssembler, TreadmillData, split_at, split_record
from treadmill.ftms.assembler import MAX_PARTS


def assemble(parts: list[TreadmillData]) -> tuple[list[TreadmillData | None], RecordAssembler]:
    assembler = RecordAssembler()
    return [assembler.feed(bytes(p)) for p in parts], assembler


@given(treadmill_records(final=True))
def test_every_split_point_assembles(record: TreadmillData) -> None:
    groups = (record.flags & 0x1FFE).bit_count()
    for first in range(groups + 1):
        parts = split_at(record, first)
        assert parts[0].more_data
        assert not parts[1].more_data
        out, assembler = assemble(parts)
        assert out[0] is None
        assert out[1] == record, first
        assert assembler.pending == 0


@given(treadmill_records(final=True), st.integers(20, 64))
def test_split_to_mtu_parts_assembles(record: TreadmillData, max_payload: int) -> None:
    """Any ATT payload size (20 bytes at the minimum MTU of 23) gives parts that merge back."""
    parts = split_record(record, max_payload)
    assert len(parts) <= MAX_PARTS
    assert all(len(bytes(p)) <= max_payload for p in parts)
    out, _ = assemble(parts)
    assert out[:-1] == [None] * (len(parts) - 1)
    assert out[-1] == record


def test_record_that_fits_is_not_split() -> None:
    record = TreadmillData(instantaneous_speed_kmh=5.0, total_distance_m=10)
    assert split_record(record) == [record]


def test_reset_drops_the_half_merged_record() -> None:
    record = TreadmillData(instantaneous_speed_kmh=5.0, average_speed_kmh=4.0, total_distance_m=99)
    first, final = split_at(record, 2)
    assembler = RecordAssembler()
    assert assembler.feed(bytes(first)) is None
    assembler.reset()
    out = assembler.feed(bytes(final))
    assert out == final  # the final part alone, not merged with the dropped part
    assert out is not None
    assert out.average_speed_kmh is None
    assert assembler.stats.dropped_parts == 1


def test_a_lost_final_part_does_not_leak_into_the_next_record() -> None:
    old = TreadmillData(instantaneous_speed_kmh=5.0, average_speed_kmh=4.0)
    new = TreadmillData(instantaneous_speed_kmh=6.0, average_speed_kmh=4.5)
    old_first, _lost = split_at(old, 1)
    new_first, new_final = split_at(new, 1)
    assembler = RecordAssembler()
    assert assembler.feed(bytes(old_first)) is None
    assert assembler.feed(bytes(new_first)) is None
    assert assembler.feed(bytes(new_final)) == new
    assert assembler.stats.dropped_parts == 1


def test_too_many_parts_are_dropped() -> None:
    assembler = RecordAssembler()
    groups = [
        TreadmillData(average_speed_kmh=1.0),
        TreadmillData(total_distance_m=1),
        TreadmillData(heart_rate_bpm=90),
        TreadmillData(elapsed_time_s=5),
        TreadmillData(remaining_time_s=5),
    ]
    for part in groups:
        assert assembler.feed(bytes(part)) is None
    assert assembler.stats.dropped_parts == 4
    assert assembler.pending == 1


@pytest.mark.parametrize("payload", [b"", b"\x01"])
def test_undecodable_payloads_are_counted(payload: bytes) -> None:
    assembler = RecordAssembler()
    assert assembler.feed(payload) is None
    assert assembler.stats.bad_frames == 1


def test_split_refuses_a_record_without_speed() -> None:
    with pytest.raises(EncodeError):
        split_record(TreadmillData(average_speed_kmh=1.0))

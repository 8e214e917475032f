"""Every real frame in ../shared/vectors decodes to its stated values, in the library and the CLI."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.conftest import load_vectors
from tests.support import cli
from treadmill.ftms import RecordAssembler, decode
from treadmill.ftms.uuids import short_uuid

VECTORS = load_vectors()
IDS = [v["id"] for v in VECTORS]
pytestmark = pytest.mark.skipif(
    not VECTORS, reason="needs ../shared/vectors (real frames from public repositories, not committed)"
)


def assert_matches(decoded: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every expected key is there with its value (floats to the vectors' 6 decimals)."""
    for key, want in expected.items():
        assert key in decoded, f"{key} missing from {decoded}"
        got = decoded[key]
        if isinstance(want, float) or isinstance(got, float):
            assert got is not None
            assert math.isclose(got, want, abs_tol=1e-6), (key, got, want)
        elif isinstance(want, list) and want and isinstance(want[0], float):
            assert got == pytest.approx(want, abs=1e-6), key
        else:
            assert got == want, (key, got, want)


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_library_decodes_vector(vector: dict[str, Any]) -> None:
    record = decode(vector["characteristic_uuid"], bytes.fromhex(vector["hex"]))
    assert_matches(record.to_dict(), vector["expected"])


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_cli_decodes_vector(vector: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cli(capsys, "decode", short_uuid(vector["characteristic_uuid"]), vector["hex"])
    assert status == 0, err
    assert_matches(json.loads(out), vector["expected"])


@pytest.mark.parametrize("vector", VECTORS, ids=IDS)
def test_vector_encodes_back(vector: dict[str, Any]) -> None:
    """Re-encoding gives the payload back, less the junk the decoder reported as trailing."""
    payload = bytes.fromhex(vector["hex"])
    record = decode(vector["characteristic_uuid"], payload)
    diagnostics: dict[str, Any] = record.to_dict().get("diagnostics", {})  # type: ignore[assignment]
    trailing = diagnostics.get("trailing_bytes", 0)
    assert bytes(record) == payload[: len(payload) - trailing]


def test_every_vector_decodes_in_one_run() -> None:
    """Not one test per vector only: with none of them (no ../shared), this still says why."""
    assert len(VECTORS) >= 20


def test_technogym_split_record_merges() -> None:
    """Technogym MyRun's two notifications make one record with the fields of both."""
    parts = {v["id"]: bytes.fromhex(v["hex"]) for v in VECTORS}
    assembler = RecordAssembler()
    assert assembler.feed(parts["technogym-myrun-part1-moredata"]) is None
    record = assembler.feed(parts["technogym-myrun-part2"])
    assert record is not None
    assert not record.more_data
    assert record.instantaneous_speed_kmh == 5.9
    assert record.average_speed_kmh == 3.88
    assert record.total_distance_m == 42
    assert record.positive_elevation_gain_m == 0.1
    assert record.metabolic_equivalent == 5.5
    assert record.elapsed_time_s == 39
    assert record.energy_per_hour_kcal is None

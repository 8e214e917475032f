"""The other characteristics: round trips over every op code and flag combination, unknown values."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import advertisements, heart_rates, record_fields, rsc_measurements, training_statuses
from treadmill.errors import FrameError
from treadmill.ftms import (
    ControlPointRequest,
    ControlPointResponse,
    Features,
    FtmsAdvertisement,
    HeartRateMeasurement,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    RSCMeasurement,
    SensorContact,
    SpeedRange,
    TargetSettingFeature,
    TrainingStatus,
)
from treadmill.ftms.control_point import REQUEST_PARAMETERS, decode_control_point
from treadmill.ftms.machine_status import STATUS_PARAMETERS


@given(st.data())
@pytest.mark.parametrize("record_type", [Features, SpeedRange, InclinationRange])
def test_fixed_records_round_trip(
    record_type: type[Features | SpeedRange | InclinationRange], data: st.DataObject
) -> None:
    record = record_type(**data.draw(record_fields(record_type.FIELDS)))
    assert record_type.from_bytes(bytes(record)) == record


@pytest.mark.parametrize("op_code", sorted(REQUEST_PARAMETERS))
@given(data=st.data())
def test_every_control_request_round_trips(op_code: int, data: st.DataObject) -> None:
    values = data.draw(record_fields(REQUEST_PARAMETERS[op_code]))
    request = ControlPointRequest(op_code, tuple(values.items()))
    decoded = decode_control_point(bytes(request))
    assert decoded == request
    assert isinstance(decoded, ControlPointRequest)
    assert not decoded.diagnostics


@pytest.mark.parametrize("op_code", sorted(STATUS_PARAMETERS))
@given(data=st.data())
def test_every_status_round_trips(op_code: int, data: st.DataObject) -> None:
    values = data.draw(record_fields(STATUS_PARAMETERS[op_code]))
    status = MachineStatus(op_code, tuple(values.items()))
    assert MachineStatus.from_bytes(bytes(status)) == status


@given(st.integers(0, 0xFF), st.integers(0, 0xFF), st.binary(max_size=4))
def test_responses_round_trip(op: int, result: int, parameter: bytes) -> None:
    response = ControlPointResponse(op, result, parameter)
    assert decode_control_point(bytes(response)) == response


@given(training_statuses)
def test_training_status_round_trips(status: TrainingStatus) -> None:
    assert TrainingStatus.from_bytes(bytes(status)) == status


@given(heart_rates)
def test_heart_rate_round_trips(measurement: HeartRateMeasurement) -> None:
    assert HeartRateMeasurement.from_bytes(bytes(measurement)) == measurement


@given(rsc_measurements)
def test_rsc_round_trips(measurement: RSCMeasurement) -> None:
    assert RSCMeasurement.from_bytes(bytes(measurement)) == measurement


@given(advertisements)
def test_advertisement_round_trips(advertisement: FtmsAdvertisement) -> None:
    assert FtmsAdvertisement.from_bytes(bytes(advertisement)) == advertisement


@pytest.mark.parametrize(
    ("wide", "contact", "energy", "rr"),
    itertools.product((False, True), SensorContact, (None, 512), (None, (), (0.5, 1.25))),
)
def test_heart_rate_every_flag_combination(
    wide: bool, contact: SensorContact, energy: int | None, rr: tuple[float, ...] | None
) -> None:
    measurement = HeartRateMeasurement(72, contact, energy, rr, wide)
    assert HeartRateMeasurement.from_bytes(bytes(measurement)) == measurement


def test_control_point_helpers_write_the_spec_bytes() -> None:
    assert bytes(ControlPointRequest.request_control()) == b"\x00"
    assert bytes(ControlPointRequest.reset()) == b"\x01"
    assert bytes(ControlPointRequest.set_target_speed(1.5)).hex() == "029600"
    assert bytes(ControlPointRequest.set_target_inclination(-2.0)).hex() == "03ecff"
    assert bytes(ControlPointRequest.start_or_resume()) == b"\x07"
    assert bytes(ControlPointRequest.stop()).hex() == "0801"
    assert bytes(ControlPointRequest.pause()).hex() == "0802"


@pytest.mark.parametrize(
    ("result_code", "name"),
    [
        (1, "success"),
        (2, "op_code_not_supported"),
        (3, "invalid_parameter"),
        (4, "operation_failed"),
        (5, "control_not_permitted"),
        (9, "unknown_9"),
    ],
)
def test_result_codes_have_names(result_code: int, name: str) -> None:
    response = ControlPointResponse.from_bytes(bytes((0x80, 0x02, result_code)))
    assert response.result == name
    assert response.to_dict()["result_code"] == result_code
    assert response.succeeded is (result_code == 1)


def test_unknown_values_decode_and_encode_back() -> None:
    request = decode_control_point(bytes.fromhex("30abcd"))
    assert request.to_dict() == {"op_code": 0x30, "op": "unknown_48", "parameter_hex": "abcd"}
    assert bytes(request).hex() == "30abcd"
    status = MachineStatus.from_bytes(bytes.fromhex("7701"))
    assert status.event == "unknown_119"
    assert bytes(status).hex() == "7701"
    training = TrainingStatus.from_bytes(bytes.fromhex("0042"))
    assert training.to_dict()["training_status_name"] == "unknown_66"
    stop_info = MachineStatus.from_bytes(bytes.fromhex("0209"))
    assert stop_info.to_dict()["control_information"] == "unknown_9"


def test_status_events_of_the_contract() -> None:
    expected = {
        "04": "started_or_resumed_by_user",
        "059600": "target_speed_changed",
        "03": "stopped_by_safety_key",
        "ff": "control_permission_lost",
        "0601ff": "target_incline_changed",
    }
    for payload, event in expected.items():
        assert MachineStatus.from_bytes(bytes.fromhex(payload)).event == event
    assert MachineStatus.from_bytes(bytes.fromhex("0601ff")).parameter("target_inclination_pct") == -25.5


def test_feature_names_cover_reserved_bits() -> None:
    features = Features(1 << 20 | MachineFeature.INCLINATION, TargetSettingFeature.INCLINATION_TARGET)
    out = features.to_dict()
    assert out["fitness_machine_features_names"] == ["inclination", "rfu_bit_20"]
    assert out["target_setting_features_names"] == ["inclination_target"]
    assert features.supports(TargetSettingFeature.INCLINATION_TARGET)
    assert not features.supports(TargetSettingFeature.SPEED_TARGET)


def test_short_feature_read_keeps_the_first_word() -> None:
    features = Features.from_bytes(bytes.fromhex("44120000"))
    assert features.fitness_machine_features == 0x1244
    assert features.target_setting_features is None
    assert features.diagnostics.truncated == ("target_setting_features",)
    assert bytes(features).hex() == "44120000"


def test_ranges_clamp() -> None:
    speed = SpeedRange.from_bytes(bytes.fromhex("640058023200"))
    assert (speed.clamp(9.0), speed.clamp(0.2), speed.clamp(3.3)) == (6.0, 1.0, 3.3)
    incline = InclinationRange.from_bytes(bytes.fromhex("c4ff96000500"))
    assert incline.minimum_inclination_pct == -6.0
    assert (incline.clamp(-9.0), incline.clamp(20.0)) == (-6.0, 15.0)


@pytest.mark.parametrize("flags", [0x00, 0x01, 0x02, 0x03, 0xFD])
def test_training_status_short_read_keeps_its_flags(flags: int) -> None:
    status = TrainingStatus.from_bytes(bytes((flags,)))
    assert status.status is None
    assert status.flags == flags
    assert status.to_dict()["flags"] == flags
    assert "training_status" in status.diagnostics.truncated
    assert bytes(status) == bytes((flags,))  # a short read encodes back as it came


def test_advertisement_quirks() -> None:
    normal = FtmsAdvertisement.from_bytes(bytes.fromhex("010100"))
    assert normal.available
    assert normal.is_treadmill
    reversed_ = FtmsAdvertisement.from_bytes(bytes.fromhex("010001"))
    assert reversed_.is_treadmill
    assert "machine_type_bytes_reversed" in reversed_.diagnostics.notes
    short = FtmsAdvertisement.from_bytes(bytes.fromhex("0101"))
    assert short.is_treadmill
    assert "machine_type_short" in short.diagnostics.notes
    busy_bike = FtmsAdvertisement.from_bytes(bytes.fromhex("002000"))
    assert not busy_bike.available
    assert not busy_bike.is_treadmill
    assert busy_bike.to_dict()["machine_types_names"] == ["indoor_bike"]


@pytest.mark.parametrize(
    ("decoder", "payload", "reason"),
    [
        (HeartRateMeasurement.from_bytes, b"\x01\x50", "too short for the heart-rate value"),
        (RSCMeasurement.from_bytes, b"\x00\x01\x02", "too short for speed and cadence"),
        (
            ControlPointResponse.from_bytes,
            b"\x80\x02",
            "a response needs 0x80, the request op code and a result code",
        ),
        (MachineStatus.from_bytes, b"", "empty payload, no op code"),
        (SpeedRange.from_bytes, b"\x01", "too short (1 bytes) for minimum_speed_kmh"),
    ],
)
def test_undecodable_payloads_say_why(decoder: object, payload: bytes, reason: str) -> None:
    with pytest.raises(FrameError) as info:
        decoder(payload)  # type: ignore[operator]
    assert info.value.reason == reason

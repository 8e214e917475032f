"""Which codec decodes which characteristic: one lookup for the CLI, fixtures and the client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from treadmill.errors import UnknownCharacteristicError
from treadmill.ftms import uuids
from treadmill.ftms.advertisement import FtmsAdvertisement
from treadmill.ftms.control_point import decode_control_point
from treadmill.ftms.feature import Features
from treadmill.ftms.heart_rate import HeartRateMeasurement
from treadmill.ftms.machine_status import MachineStatus
from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.ftms.rsc import RSCMeasurement
from treadmill.ftms.training_status import TrainingStatus
from treadmill.ftms.treadmill_data import TreadmillData

__all__ = ["DECODERS", "Decoded", "decode"]


class Decoded(Protocol):
    """What every codec returns: a record that encodes back and renders as JSON."""

    def __bytes__(self) -> bytes:
        """The payload."""
        ...

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        ...


DECODERS: dict[str, Callable[[bytes], Decoded]] = {
    uuids.TREADMILL_DATA: TreadmillData.from_bytes,
    uuids.FEATURE: Features.from_bytes,
    uuids.SPEED_RANGE: SpeedRange.from_bytes,
    uuids.INCLINATION_RANGE: InclinationRange.from_bytes,
    uuids.CONTROL_POINT: decode_control_point,
    uuids.MACHINE_STATUS: MachineStatus.from_bytes,
    uuids.TRAINING_STATUS: TrainingStatus.from_bytes,
    uuids.HEART_RATE_MEASUREMENT: HeartRateMeasurement.from_bytes,
    uuids.RSC_MEASUREMENT: RSCMeasurement.from_bytes,
    uuids.FITNESS_MACHINE_SERVICE: FtmsAdvertisement.from_bytes,
}


def decode(characteristic: str, payload: bytes) -> Decoded:
    """Decode ``payload`` as ``characteristic`` (any spelling :func:`uuids.short_uuid` takes).

    Raises:
        UnknownCharacteristicError: no codec for that characteristic.
        FrameError: the payload cannot be decoded at all.
    """
    try:
        key = uuids.short_uuid(characteristic)
    except ValueError:
        key = characteristic
    decoder = DECODERS.get(key)
    if decoder is None:
        raise UnknownCharacteristicError(characteristic, tuple(DECODERS))
    return decoder(payload)

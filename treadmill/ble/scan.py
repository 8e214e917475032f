"""Finding treadmills, heart-rate straps and footpods nearby.

A treadmill is a device that advertises the Fitness Machine service (0x1826), with or
without its service data: including it is only a "should" (Fitness Machine Profile v1.0
§5.1), so a device that lists the service UUID is accepted too. Straps
advertise 0x180D, footpods 0x1814.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from treadmill.ble.backend import BleBackend, bluetooth_errors
from treadmill.errors import FrameError
from treadmill.ftms import FtmsAdvertisement
from treadmill.ftms.advertisement import MachineType
from treadmill.ftms.feature import flag_names
from treadmill.ftms.uuids import FITNESS_MACHINE_SERVICE, HEART_RATE_SERVICE, RSC_SERVICE, full_uuid
from treadmill.inputs import printable
from treadmill.model import Sensor

__all__ = ["DeviceKind", "FoundDevice", "classify", "scan"]


class DeviceKind(enum.StrEnum):
    """What a device is to this app."""

    TREADMILL = "treadmill"
    FITNESS_MACHINE = "fitness_machine"
    """FTMS, but says it is not a treadmill (a bike or rower): listed, not picked."""
    HEART_RATE = "heart_rate"
    FOOTPOD = "footpod"

    @property
    def sensor(self) -> Sensor | None:
        """The kind of sensor a session connects it as (None: not one it can use)."""
        return _SENSORS.get(self)


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """One device seen while scanning."""

    name: str | None
    address: str
    kind: DeviceKind
    rssi: int | None
    """Signal strength, dBm (higher is nearer)."""
    machine_types: tuple[str, ...] = ()
    """FTMS machine types from the service data (empty when it sends none)."""
    available: bool | None = None
    """FTMS "available" flag (False: another app is using it); None when not advertised."""
    ble_device: BLEDevice | None = None
    """bleak's handle, to connect without scanning again."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for ``treadmill scan --json``."""
        return {
            "name": self.name,
            "address": self.address,
            "kind": self.kind.value,
            "rssi": self.rssi,
            "machine_types": list(self.machine_types),
            "available": self.available,
        }


def classify(device: BLEDevice, adv: AdvertisementData) -> FoundDevice | None:
    """What ``device`` is, from its advertisement (None when it is none of ours)."""
    uuids = set(adv.service_uuids)
    ftms_data = adv.service_data.get(full_uuid(FITNESS_MACHINE_SERVICE))
    raw_name = adv.local_name or device.name
    name = None if raw_name is None else printable(raw_name)[:64]  # a device's name is the radio's to choose
    if ftms_data is not None or full_uuid(FITNESS_MACHINE_SERVICE) in uuids:
        kind, available = DeviceKind.TREADMILL, None
        types: tuple[str, ...] = ()
        if ftms_data is not None:
            try:
                advert = FtmsAdvertisement.from_bytes(ftms_data)
            except FrameError:
                advert = None
            if advert is not None:
                types = tuple(flag_names(MachineType, advert.machine_types))
                available = advert.available
                if advert.machine_types and not advert.is_treadmill:
                    kind = DeviceKind.FITNESS_MACHINE
        return FoundDevice(name, device.address, kind, adv.rssi, types, available, device)
    if full_uuid(HEART_RATE_SERVICE) in uuids:
        return FoundDevice(name, device.address, DeviceKind.HEART_RATE, adv.rssi, ble_device=device)
    if full_uuid(RSC_SERVICE) in uuids:
        return FoundDevice(name, device.address, DeviceKind.FOOTPOD, adv.rssi, ble_device=device)
    return None


async def scan(duration_s: float = 5.0, backend: BleBackend | None = None) -> list[FoundDevice]:
    """Listen for ``duration_s`` seconds; treadmills first, then straps, then footpods, nearest first.

    Raises:
        BluetoothUnavailableError: no adapter, Bluetooth off, or no permission.
    """
    backend = backend or BleBackend.system()
    with bluetooth_errors():
        seen = await BleakScanner.discover(timeout=duration_s, return_adv=True, **backend.scanner_options)
    found = [f for device, adv in seen.values() if (f := classify(device, adv)) is not None]
    order = list(DeviceKind)
    return sorted(found, key=lambda f: (order.index(f.kind), -(f.rssi if f.rssi is not None else -999)))


_SENSORS = {
    DeviceKind.TREADMILL: Sensor.TREADMILL,
    DeviceKind.HEART_RATE: Sensor.HEART_RATE,
    DeviceKind.FOOTPOD: Sensor.FOOTPOD,
}

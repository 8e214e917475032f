"""A bleak backend over Bumble's in-process virtual radio: the real bleak API, no adapter.

``BleakScanner(..., backend=BumbleScanner, radio=radio)`` and
``BleakClient(..., backend=BumbleClient, radio=radio)`` find and talk to peripherals that
live on the same :class:`VirtualRadio` (the virtual treadmill, strap and footpod). Real
ATT PDUs cross the link: write requests and responses, notifications, indications with
confirmations, CCCD writes, MTU exchange, ATT errors. How it is built and what
it costs is in docs/ble-client.md; the demo runs on this path, so it is product code, not
a test fake.

Bumble 0.0.236's virtual controller never completes a cancelled connection attempt, so a
connect to an absent device would hang past its timeout; :class:`_Controller` fixes that
(Core Vol 4 Part E §7.8.13: a cancel ends with LE Connection Complete, status 0x02).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bumble import core, hci
from bumble.att import ATT_Error
from bumble.controller import Controller
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.gatt import Characteristic
from bumble.gatt_client import CharacteristicProxy, ServiceProxy
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport import open_transport
from bumble.transport.common import AsyncPipeSink, Transport

from treadmill.errors import LinkError
from treadmill.inputs import printable

__all__ = ["BumbleClient", "BumbleScanner", "VirtualRadio", "bleak_uuid", "open_hci"]

logger = logging.getLogger(__name__)

_PROPERTY_NAMES: dict[int, CharacteristicPropertyName] = {
    Characteristic.Properties.BROADCAST: "broadcast",
    Characteristic.Properties.READ: "read",
    Characteristic.Properties.WRITE_WITHOUT_RESPONSE: "write-without-response",
    Characteristic.Properties.WRITE: "write",
    Characteristic.Properties.NOTIFY: "notify",
    Characteristic.Properties.INDICATE: "indicate",
    Characteristic.Properties.AUTHENTICATED_SIGNED_WRITES: "authenticated-signed-writes",
    Characteristic.Properties.EXTENDED_PROPERTIES: "extended-properties",
}
_REQUESTED_MTU = 517


class _Controller(Controller):
    """Bumble's virtual controller, with LE Create Connection Cancel completed properly."""

    def on_hci_le_create_connection_cancel_command(
        self, _command: hci.HCI_LE_Create_Connection_Cancel_Command
    ) -> hci.HCI_StatusReturnParameters:
        pending = self.pending_le_connection
        self.pending_le_connection = None
        if pending is not None:
            event = hci.HCI_LE_Connection_Complete_Event(
                status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
                connection_handle=0,
                role=hci.Role.CENTRAL,
                peer_address_type=pending.peer_address.address_type,
                peer_address=pending.peer_address,
                connection_interval=0,
                peripheral_latency=0,
                supervision_timeout=0,
                central_clock_accuracy=0,
            )
            # After the Command Complete that returning the status produces.
            asyncio.get_running_loop().call_soon(self.send_hci_packet, event)
        return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)


POWER_ON_S = 10.0
"""How long a controller gets to answer the start-up commands (HCI Reset and the reads after it)."""


async def open_hci(spec: str) -> Transport:
    """A Bumble HCI transport (``usb:0``, ``serial:PORT``, ``tcp-client:HOST:PORT``), or LinkError."""
    try:
        return await open_transport(spec)
    except Exception as exc:  # Bumble raises assorted errors per transport kind (libusb, serial, socket)
        raise LinkError(
            printable(spec)[:80], f"cannot open the HCI transport: {printable(str(exc))[:200]}"
        ) from exc


class VirtualRadio:
    """One virtual link with its controllers: the host adapter of the virtual world.

    Create it inside the event loop that will use it (Bumble's controllers bind to the
    running loop). Peripherals get their devices from :meth:`device`; the scanner and the
    client share one central device, as an app shares its adapter.

    With ``hci`` (a Bumble transport such as ``tcp-client:127.0.0.1:9002`` or ``usb:0``),
    the central is a Bumble host on that controller instead: the app then reaches
    devices on another process's virtual link, or on the air through a USB dongle.
    """

    def __init__(self, hci: str | None = None) -> None:
        """An empty link; nothing is powered on or opened yet."""
        self.hci = hci
        self._transport: Transport | None = None
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self._addresses = (f"F0:00:00:00:{i >> 8:02X}:{i & 0xFF:02X}" for i in itertools.count(1))
        self._central: Device | None = None
        self._central_lock = asyncio.Lock()
        self.connect_lock = asyncio.Lock()
        """One LE connection attempt at a time per controller (BlueZ queues them the same way)."""

    def device(self, name: str, address: str | None = None) -> Device:
        """A new device with its own controller on this link (not powered on)."""
        address = address or next(self._addresses)
        controller = _Controller(name, link=self.link, public_address=address)
        return Device(
            name=name, address=hci.Address(address), host=Host(controller, AsyncPipeSink(controller))
        )

    async def central(self) -> Device:
        """The app's side of the link, powered on at first use."""
        async with self._central_lock:
            if self._central is None:
                central = await self._make_central()
                try:
                    async with asyncio.timeout(POWER_ON_S):
                        await central.power_on()
                except TimeoutError:
                    await self.aclose()
                    where = printable(self.hci or "the virtual radio")[:80]
                    raise LinkError(where, f"the controller did not answer within {POWER_ON_S:g} s") from None
                self._central = central
            return self._central

    async def _make_central(self) -> Device:
        address = "C0:00:00:00:00:01"
        if self.hci is None:
            return self.device("treadmill-companion", address)
        self._transport = await open_hci(self.hci)
        return Device.with_hci(
            "treadmill-companion", hci.Address(address), self._transport.source, self._transport.sink
        )

    async def aclose(self) -> None:
        """Close the HCI transport, if one was opened."""
        if self._transport is not None:
            await self._transport.close()
            self._transport = None


@contextlib.contextmanager
def _att_errors() -> Iterator[None]:
    """ATT error responses as bleak reports them on real stacks (``BleakGATTProtocolError``)."""
    try:
        yield
    except ATT_Error as exc:
        raise BleakGATTProtocolError(exc.error_code) from exc


def bleak_uuid(value: core.UUID) -> str:
    """Bumble's UUID as bleak spells it: lowercase 128-bit."""
    return str(uuid.UUID(bytes=bytes(reversed(value.to_bytes(force_128=True)))))


def _short(ad_bytes: bytes) -> str:
    return f"0000{int.from_bytes(ad_bytes, 'little'):04x}-0000-1000-8000-00805f9b34fb"


def _advertisement_data(advertisement: Advertisement) -> AdvertisementData:
    """Bleak's view of one advertising report."""
    name = None
    uuids: list[str] = []
    service_data: dict[str, bytes] = {}
    manufacturer: dict[int, bytes] = {}
    tx_power = None
    t = core.AdvertisingData.Type
    for ad_type, data in advertisement.data.ad_structures:
        if ad_type in (t.COMPLETE_LOCAL_NAME, t.SHORTENED_LOCAL_NAME):
            name = data.decode("utf-8", errors="replace")
        elif ad_type in (
            t.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
            t.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
        ):
            uuids += [_short(data[i : i + 2]) for i in range(0, len(data) - 1, 2)]
        elif ad_type in (
            t.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
            t.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
        ):
            uuids += [
                str(uuid.UUID(bytes=bytes(reversed(data[i : i + 16])))) for i in range(0, len(data) - 15, 16)
            ]
        elif ad_type == t.SERVICE_DATA_16_BIT_UUID and len(data) >= 2:
            service_data[_short(data[:2])] = bytes(data[2:])
        elif ad_type == t.MANUFACTURER_SPECIFIC_DATA and len(data) >= 2:
            manufacturer[int.from_bytes(data[:2], "little")] = bytes(data[2:])
        elif ad_type == t.TX_POWER_LEVEL and data:
            tx_power = int.from_bytes(data[:1], "little", signed=True)
    return AdvertisementData(
        local_name=name,
        manufacturer_data=manufacturer,
        service_data=service_data,
        service_uuids=list(dict.fromkeys(uuids)),  # active scans report the data twice
        tx_power=tx_power,
        rssi=advertisement.rssi,
        platform_data=(advertisement,),
    )


class BumbleScanner(BaseBleakScanner):
    """bleak scanner backend that listens on a :class:`VirtualRadio`."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str,
        *,
        radio: VirtualRadio,
        **_platform_options: Any,
    ) -> None:
        """Bleak passes ``radio`` through from ``BleakScanner(..., radio=...)``."""
        super().__init__(detection_callback, service_uuids)
        self._radio = radio
        self._active = scanning_mode == "active"
        self._central: Device | None = None

    async def start(self) -> None:
        """Start scanning (see :meth:`BaseBleakScanner.start`)."""
        self.seen_devices = {}
        self._central = await self._radio.central()
        self._central.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        await self._central.start_scanning(active=self._active, filter_duplicates=False)

    async def stop(self) -> None:
        """Stop scanning."""
        if self._central is not None:
            self._central.remove_listener(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
            await self._central.stop_scanning()

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        data = _advertisement_data(advertisement)
        if not self.is_allowed_uuid(data.service_uuids):
            return
        address = str(advertisement.address).removesuffix("/P")
        device = self.create_or_update_device(address, address, data.local_name, advertisement.address, data)
        self.call_detection_callbacks(device, data)


class BumbleClient(BaseBleakClient):
    """bleak client backend that connects over a :class:`VirtualRadio`."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        radio: VirtualRadio,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **_platform_options: Any,
    ) -> None:
        """Bleak passes ``radio`` through from ``BleakClient(..., radio=...)``."""
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        details = address_or_ble_device.details if isinstance(address_or_ble_device, BLEDevice) else None
        self._peer_address = details if isinstance(details, hci.Address) else hci.Address(self.address)
        self._radio = radio
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Callable[[bytes], None]] = {}

    @property
    def name(self) -> str:
        """The peer's address (the virtual link has no GAP name read)."""
        return self.address

    @property
    def mtu_size(self) -> int:
        """Negotiated ATT MTU."""
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        """True while the link is up."""
        return self._connection is not None

    async def connect(self, pair: bool, **_kwargs: Any) -> None:  # noqa: ARG002 (bleak's signature)
        """Connect, exchange the MTU and discover every service (bleak's contract)."""
        central = await self._radio.central()
        try:
            async with self._radio.connect_lock:
                connection = await central.connect(self._peer_address, timeout=self._timeout)
        except (core.TimeoutError, TimeoutError, core.BaseBumbleError, hci.HCI_Error) as exc:
            raise BleakDeviceNotFoundError(self.address, f"no answer from {self.address}: {exc}") from exc
        self._connection = connection
        connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
        peer = Peer(connection)
        self._peer = peer
        with _att_errors():
            await peer.request_mtu(_REQUESTED_MTU)
            await peer.discover_all()  # type: ignore[no-untyped-call]
        self.services = self._collect_services(peer.services)

    def _collect_services(self, services: list[ServiceProxy]) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in services:
            bleak_service = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
            collection.add_service(bleak_service)
            for char in service.characteristics:
                names = [name for bit, name in _PROPERTY_NAMES.items() if char.properties & bit]
                bleak_char = BleakGATTCharacteristic(
                    char, char.handle, bleak_uuid(char.uuid), names, lambda: self.mtu_size - 3, bleak_service
                )
                collection.add_characteristic(bleak_char)
                for descriptor in char.descriptors:
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor, descriptor.handle, bleak_uuid(descriptor.type), bleak_char
                        )
                    )
        return collection

    def _on_disconnection(self, _reason: int) -> None:
        self._connection = None
        self._peer = None
        self._subscribers.clear()
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        """Disconnect (a no-op when already disconnected)."""
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error):
                await connection.disconnect()

    async def pair(self, *_args: Any, **_kwargs: Any) -> None:
        """The virtual treadmill asks for no pairing."""

    async def unpair(self) -> None:
        """Nothing to forget."""

    def _require_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def _read(self, attribute: Any) -> bytearray:
        with _att_errors():
            return bytearray(await self._require_peer().read_value(attribute))

    async def _write(self, attribute: Any, data: SizedBuffer, *, response: bool) -> None:
        with _att_errors():
            await self._require_peer().write_value(attribute, bytes(data), with_response=response)

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **_kwargs: Any
    ) -> bytearray:
        """Read a characteristic's value (there is no cache: always from the device)."""
        del use_cached
        return await self._read(characteristic.obj)

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **_kwargs: Any
    ) -> bytearray:
        """Read a descriptor's value."""
        del use_cached
        return await self._read(descriptor.obj)

    async def write_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        data: SizedBuffer,
        response: bool,
    ) -> None:
        """Write a characteristic, with or without response."""
        await self._write(characteristic.obj, data, response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: SizedBuffer) -> None:
        """Write a descriptor."""
        await self._write(descriptor.obj, data, response=True)

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **_kwargs: Any
    ) -> None:
        """Subscribe: notifications when offered, else indications (bleak's rule)."""
        proxy: CharacteristicProxy[bytes] = characteristic.obj

        def deliver(value: bytes) -> None:
            callback(bytearray(value))

        with _att_errors():
            await self._require_peer().subscribe(proxy, deliver, prefer_notify=True)
        self._subscribers[characteristic.handle] = deliver

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe."""
        deliver = self._subscribers.pop(characteristic.handle, None)
        if deliver is not None and self._peer is not None:
            await self._peer.unsubscribe(characteristic.obj, deliver)

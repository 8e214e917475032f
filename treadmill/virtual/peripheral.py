"""The virtual treadmill on the air: FTMS, heart-rate and footpod GATT servers on Bumble.

One :class:`VirtualTreadmill` puts a :class:`~treadmill.virtual.world.VirtualWorld` on a
Bumble radio (the in-process :class:`~treadmill.ble.virtual_link.VirtualRadio`, or a real
HCI transport for ``treadmill simulate``):

* a treadmill advertising FTMS (service data ``01 01 00``: available, treadmill) with
  Feature, ranges, Treadmill Data (notify, optionally split across notifications as Matrix
  and Technogym machines do), Training Status, Control Point (write + indicate) and Machine
  Status, answering control writes as FTMS v1.0.1 §4.16 says: the status notification
  first, then the indication (the order captured from a CITYSPORTS walking pad), a write
  before indications are enabled refused with ATT error 0xFD;
* optionally a heart-rate strap (0x180D) and a footpod (0x1814), as separate devices.

For tests and demos it can misbehave on purpose: drop the link, go silent, send garbage.
What happens to it at set session times (someone pressing the console, the link dropping)
is scheduled on the treadmill itself with :meth:`VirtualTreadmill.at`; the truth (which
way the person really moves) reaches a recording through :meth:`VirtualTreadmill.on_truth`.

It keeps to the session clock: when a busy machine wakes its ticker late, the world is
moved on by the time that really passed, in steps of the notification period, so the
treadmill's counters (distance, elapsed time) stay in step with the session. Notifications
that could not be sent on time are skipped, never sent in a burst, and a lag beyond
:data:`BEHIND_REPORT_S` is said to the ``on_behind`` listeners (the live session records
it and shows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Self

from bumble import att, core, hci
from bumble.device import Connection, Device
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.profiles.device_information_service import DeviceInformationService

from treadmill import __version__
from treadmill.clock import SessionClock
from treadmill.ftms import (
    ControlInformation,
    ControlOpCode,
    ControlPointResponse,
    FtmsAdvertisement,
    MachineStatus,
    MachineType,
    ResultCode,
)
from treadmill.ftms.assembler import split_record
from treadmill.ftms.uuids import (
    CONTROL_POINT,
    FEATURE,
    FITNESS_MACHINE_SERVICE,
    HEART_RATE_MEASUREMENT,
    HEART_RATE_SERVICE,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    RSC_FEATURE,
    RSC_MEASUREMENT,
    RSC_SERVICE,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
)
from treadmill.model import Direction
from treadmill.virtual.hostile import HostileFrames, Hostility, StopBy
from treadmill.virtual.world import Tick, VirtualWorld

__all__ = ["PeripheralOptions", "VirtualTreadmill"]

logger = logging.getLogger(__name__)

CCCD_IMPROPERLY_CONFIGURED = 0xFD
"""ATT error for a Control Point write before indications are on (CSS Part B §1.2, FTMS §4.16.1)."""
_ADVERTISING_INTERVAL_MS = 20
BEHIND_REPORT_S = 1.0
"""Session seconds of lag from which the ticker says it fell behind (a notification or more at 1 Hz)."""
BEHIND_EVERY_S = 10.0
"""Session seconds between two reports of a lag that goes on."""


def _uuid(short: str) -> core.UUID:
    """A SIG-assigned UUID in its 16-bit form, as a real device declares it.

    Written out in full (the SIG base UUID) it compares equal in Python but goes over the air
    as 128 bits, and a client that discovers the service by its 16-bit UUID (ATT Find By Type
    Value, as phones and many apps do) finds nothing.
    """
    return core.UUID.from_16_bits(int(short, 16))


def _refuse_read(_connection: Connection | None) -> bytes:
    """A characteristic that is not readable answers a read with Read Not Permitted (ATT §3.4.1.1).

    Without a read function Bumble sends no answer at all, and a strict client waits for its
    30 s ATT timeout and drops the link.
    """
    raise att.ATT_Error(att.ErrorCode.READ_NOT_PERMITTED)


def _unreadable(write: Callable[[Connection, bytes], None] | None = None) -> CharacteristicValue[bytes]:
    return CharacteristicValue[bytes](read=_refuse_read, write=write)


def _advertising_data(name: str, service: str, service_data: bytes | None) -> bytes:
    t = core.AdvertisingData.Type
    structures: list[tuple[int, bytes]] = [
        (t.FLAGS, bytes((0x06,))),
        (t.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, int(service, 16).to_bytes(2, "little")),
    ]
    if service_data is not None:
        structures.append((t.SERVICE_DATA_16_BIT_UUID, int(service, 16).to_bytes(2, "little") + service_data))
    structures.append((t.COMPLETE_LOCAL_NAME, name.encode()))
    return bytes(core.AdvertisingData(structures))


def _advertised_address(device: Device) -> str:
    """Devices advertise with their (static) random address, Bumble's default."""
    return str(device.random_address).removesuffix("/R").removesuffix("/P")


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """The Device Information Service (0x180A) a real treadmill carries: who made it, what it runs."""

    manufacturer: str = "Treadmill Companion"
    model: str = "Virtual Treadmill"
    serial: str = "VT-0001"
    firmware: str = __version__
    software: str = __version__
    hardware: str = "virtual"


@dataclass(frozen=True, slots=True)
class PeripheralOptions:
    """How the virtual devices behave on the air."""

    notify_hz: float = 1.0
    """Treadmill Data rate (real machines: 0.5-2 Hz)."""
    split_payload: int | None = None
    """Split Treadmill Data into parts of at most this many bytes (20 like Matrix); None: never."""
    strap: bool = False
    """Also run a heart-rate strap."""
    footpod: bool = False
    """Also run a footpod."""
    trailing_bytes: int = 0
    """Pad every Treadmill Data notification with this many zero bytes (some firmware does)."""
    drop_link_at_s: tuple[float, ...] = ()
    """The treadmill drops every link at these session times (as a machine that reboots)."""
    hostile: HostileFrames | None = None
    """Lie from a set time on (:mod:`treadmill.virtual.hostile`): bogus frames, a stale speed."""
    name: str = "Virtual Treadmill"
    info: DeviceInfo = DeviceInfo()
    """What its Device Information Service says."""


class VirtualTreadmill:
    """A world's treadmill (and sensors) as Bumble GATT servers, ticking on a session clock.

    Use as an async context manager: devices power on and advertise on entry, the ticker
    stops and links drop on exit.
    """

    def __init__(
        self,
        make_device: Callable[[str], Device],
        world: VirtualWorld,
        clock: SessionClock,
        options: PeripheralOptions | None = None,
    ) -> None:
        """``make_device(name)`` gives a fresh Bumble device (a virtual radio's or an HCI transport's)."""
        self.world = world
        self.clock = clock
        self.options = options or PeripheralOptions()
        self.silent = False
        """True: the treadmill sends nothing (a machine that stops notifying)."""
        self.tick_listeners: list[Callable[[Tick], None]] = []
        self.behind_listeners: list[Callable[[float, float], Awaitable[None]]] = []
        """Called with (session time, seconds behind) when the ticker fell behind the session clock."""
        self.behind_s = 0.0
        """The largest lag seen, session seconds."""
        self._behind_said_at = -BEHIND_EVERY_S
        self.control_log: list[tuple[float, bytes]] = []
        """Every Control Point write, with its session time (what a hostile-peer bench counts)."""
        self.control_ops: Counter[int] = Counter()
        """Control Point writes by op code (a test checks the app never writes Start)."""
        self.sent: Counter[str] = Counter()
        """Notifications sent to a connected client, per characteristic."""
        self.last_data_perf = 0.0
        """``time.perf_counter()`` just before the latest Treadmill Data notification (for latency)."""
        self._device = make_device(self.options.name)
        self._strap = make_device("Virtual HR Strap") if self.options.strap else None
        self._footpod = make_device("Virtual Footpod") if self.options.footpod else None
        self._indications: set[Connection] = set()
        self._controller: Connection | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._scripted: list[tuple[float, int, Callable[[], Awaitable[None]]]] = []
        self._order = itertools.count()
        self._script_changed = asyncio.Event()
        self._script: asyncio.Task[None] | None = None
        self._stale_record: bytes | None = None
        """Once set (the stale-after-stop lie), every Treadmill Data notification repeats it."""
        self._background: set[asyncio.Task[None]] = set()
        self._build_treadmill()
        self._hr_char = self._sensor(self._strap, HEART_RATE_SERVICE, HEART_RATE_MEASUREMENT)
        self._rsc_char = self._sensor(
            self._footpod, RSC_SERVICE, RSC_MEASUREMENT, extra=(RSC_FEATURE, b"\x01\x00")
        )

    # -- GATT ------------------------------------------------------------------------
    def _build_treadmill(self) -> None:
        props = Characteristic.Properties
        readable = Characteristic.Permissions.READABLE
        spec = self.world.spec
        self._data_char = Characteristic[bytes](_uuid(TREADMILL_DATA), props.NOTIFY, readable, _unreadable())
        self._status_char = Characteristic[bytes](
            _uuid(MACHINE_STATUS), props.NOTIFY, readable, _unreadable()
        )
        self._training_char = Characteristic[bytes](
            _uuid(TRAINING_STATUS),
            props.READ | props.NOTIFY,
            readable,
            CharacteristicValue[bytes](read=lambda _c: bytes(self.world.machine.training_status())),
        )
        self._control_char = Characteristic[bytes](
            _uuid(CONTROL_POINT),
            props.WRITE | props.INDICATE,
            Characteristic.Permissions.READABLE | Characteristic.Permissions.WRITEABLE,
            _unreadable(write=self._on_control_write),
        )
        self._control_char.on(Characteristic.EVENT_SUBSCRIPTION, self._on_control_subscription)
        self._device.add_service(
            Service(
                _uuid(FITNESS_MACHINE_SERVICE),
                [
                    Characteristic(_uuid(FEATURE), props.READ, readable, bytes(spec.features())),
                    self._data_char,
                    self._training_char,
                    Characteristic(_uuid(SPEED_RANGE), props.READ, readable, bytes(spec.speed_range)),
                    Characteristic(_uuid(INCLINATION_RANGE), props.READ, readable, bytes(spec.incline_range)),
                    self._control_char,
                    self._status_char,
                ],
            )
        )
        info = self.options.info
        self._device.add_service(
            DeviceInformationService(
                manufacturer_name=info.manufacturer,
                model_number=info.model,
                serial_number=info.serial,
                firmware_revision=info.firmware,
                software_revision=info.software,
                hardware_revision=info.hardware,
            )
        )
        self._device.on(Device.EVENT_CONNECTION, self._on_connection)

    @staticmethod
    def _sensor(
        device: Device | None, service: str, char: str, extra: tuple[str, bytes] | None = None
    ) -> Characteristic[bytes] | None:
        if device is None:
            return None
        props = Characteristic.Properties
        measurement = Characteristic[bytes](
            _uuid(char), props.NOTIFY, Characteristic.Permissions.READABLE, _unreadable()
        )
        chars = [measurement]
        if extra is not None:
            chars.append(
                Characteristic(_uuid(extra[0]), props.READ, Characteristic.Permissions.READABLE, extra[1])
            )
        device.add_service(Service(_uuid(service), chars))
        return measurement

    # -- addresses ----------------------------------------------------------------------
    @property
    def address(self) -> str:
        """The treadmill's Bluetooth address (the one it advertises with)."""
        return _advertised_address(self._device)

    @property
    def strap_address(self) -> str | None:
        """The strap's address, when there is a strap."""
        return None if self._strap is None else _advertised_address(self._strap)

    @property
    def footpod_address(self) -> str | None:
        """The footpod's address, when there is one."""
        return None if self._footpod is None else _advertised_address(self._footpod)

    # -- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        """Power on, advertise, start ticking."""
        advert = FtmsAdvertisement(available=True, machine_types=int(MachineType.TREADMILL))
        await self._advertise(self._device, self.options.name, FITNESS_MACHINE_SERVICE, bytes(advert))
        if self._strap is not None:
            await self._advertise(self._strap, "Virtual HR Strap", HEART_RATE_SERVICE, None)
        if self._footpod is not None:
            await self._advertise(self._footpod, "Virtual Footpod", RSC_SERVICE, None)
        for t in self.options.drop_link_at_s:
            self.at(t, self.drop_link)
        hostile = self.options.hostile
        if hostile is not None:
            self.at(hostile.start_s, partial(self._lie, hostile))
        self._ticker = asyncio.create_task(self._tick_forever(), name="virtual-treadmill-ticker")
        self._script = asyncio.create_task(self._play_script(), name="virtual-treadmill-script")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop ticking first (so no notification races the teardown), then drop links."""
        for task in (self._ticker, self._script):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for task in list(self._background):
            task.cancel()
        for device in (self._device, self._strap, self._footpod):
            if device is not None:
                with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error):
                    await device.stop_advertising()
                for connection in list(device.connections.values()):
                    with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error):
                        await connection.disconnect()

    @staticmethod
    async def _advertise(device: Device, name: str, service: str, service_data: bytes | None) -> None:
        await device.power_on()
        await device.start_advertising(
            advertising_data=_advertising_data(name, service, service_data),
            advertising_interval_min=_ADVERTISING_INTERVAL_MS,
            advertising_interval_max=_ADVERTISING_INTERVAL_MS,
            auto_restart=True,
        )

    # -- connections and control ----------------------------------------------------------
    def _on_connection(self, connection: Connection) -> None:
        def forget(_reason: int) -> None:
            self._indications.discard(connection)
            if self._controller is connection:
                self._controller = None

        connection.on(Connection.EVENT_DISCONNECTION, forget)

    def _on_control_subscription(self, connection: Connection, _notify: bool, indicate: bool) -> None:
        if indicate:
            self._indications.add(connection)
        else:
            self._indications.discard(connection)

    def _on_control_write(self, connection: Connection, value: bytes) -> None:
        """Bumble calls this before it sends the write response, so the answer is scheduled."""
        if connection not in self._indications:
            raise att.ATT_Error(CCCD_IMPROPERLY_CONFIGURED)
        self.control_log.append((self.clock.now(), bytes(value)))
        op = value[0] if value else 0xFF
        self.control_ops[op] += 1
        if op == ControlOpCode.REQUEST_CONTROL and value[1:] == b"":
            if self._controller in (None, connection):
                self._controller = connection
                response, statuses = ControlPointResponse(op, ResultCode.SUCCESS), list[MachineStatus]()
            else:
                response, statuses = ControlPointResponse(op, ResultCode.CONTROL_NOT_PERMITTED), []
        else:
            response, statuses = self.world.control(value, permitted=self._controller is connection)
            if op == ControlOpCode.RESET and response.succeeded:
                self._controller = None  # Reset also revokes control (§4.16.2.2)
        task = asyncio.get_running_loop().create_task(self._answer(connection, bytes(response), statuses))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer(self, connection: Connection, response: bytes, statuses: list[MachineStatus]) -> None:
        await asyncio.sleep(0)  # let the ATT write response go out first
        with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error, att.ATT_Error):
            for status in statuses:
                await self._notify(self._device, self._status_char, bytes(status), MACHINE_STATUS)
            self.sent[CONTROL_POINT] += 1
            await self._device.indicate_subscriber(connection, self._control_char, response)

    # -- what happens to it, and what it tells -----------------------------------------------
    def at(self, t: float, action: Callable[[], Awaitable[None]]) -> None:
        """Do ``action`` at session time ``t`` (at once if that has passed); in time order, then as asked."""
        heapq.heappush(self._scripted, (t, next(self._order), action))
        self._script_changed.set()

    async def _play_script(self) -> None:
        while True:
            if not self._scripted:
                self._script_changed.clear()
                await self._script_changed.wait()
                continue
            t = self._scripted[0][0]
            self._script_changed.clear()
            with contextlib.suppress(TimeoutError):
                wait = self.clock.wall_seconds(t - self.clock.now())
                await asyncio.wait_for(self._script_changed.wait(), max(wait, 0.0))
            while self._scripted and self._scripted[0][0] <= self.clock.now():
                _t, _order, action = heapq.heappop(self._scripted)
                await action()

    def on_truth(self, listener: Callable[[float, Direction], None]) -> None:
        """Tell ``listener(t, direction)`` the person's real direction: stopped at 0, then each change."""
        listener(0.0, Direction.STOPPED)

        def on_tick(tick: Tick) -> None:
            if tick.truth_changed:
                listener(tick.t, tick.truth)

        self.tick_listeners.append(on_tick)

    # -- faults -------------------------------------------------------------------------
    async def _lie(self, hostile: HostileFrames) -> None:
        """Start lying (see :mod:`treadmill.virtual.hostile`)."""
        logger.info("the virtual treadmill starts lying: %s", hostile.kind.words)
        if hostile.kind is Hostility.STALE_AFTER_STOP:
            self._stale_record = bytes(self.world.machine.treadmill_data())
            stop = {
                StopBy.SAFETY_KEY: self.safety_key,
                StopBy.CONSOLE_STOP: self.console_stop,
                StopBy.CONSOLE_PAUSE: self.console_pause,
            }
            await stop[hostile.stop_by]()
            return
        period = hostile.period_s
        assert period is not None
        task = asyncio.get_running_loop().create_task(self._send_bogus(hostile, period))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send_bogus(self, hostile: HostileFrames, period: float) -> None:
        t = self.clock.now()
        while True:
            with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error):
                await self._notify(self._device, self._data_char, hostile.next_payload(), TREADMILL_DATA)
            t += period
            await self.clock.sleep_until(t)

    async def drop_link(self) -> None:
        """The treadmill drops every connection (as a machine that reboots or walks out of range)."""
        for connection in list(self._device.connections.values()):
            with contextlib.suppress(core.BaseBumbleError, hci.HCI_Error):
                await connection.disconnect()

    async def send_raw(self, payload: bytes) -> None:
        """Notify an arbitrary payload on Treadmill Data (garbage, for robustness tests)."""
        await self._device.notify_subscribers(self._data_char, payload)

    async def safety_key(self) -> None:
        """Pull the safety key: the belt stops at once and the machine says so."""
        await self._console(self.world.machine.safety_key())

    async def console_start(self) -> None:
        """The runner presses Start (or Resume) on the console."""
        await self._console(self.world.machine.start())

    async def console_stop(self) -> None:
        """The runner presses Stop on the console: the belt slows to a stop and the workout ends."""
        await self._console(self.world.machine.stop(ControlInformation.STOP))

    async def console_pause(self) -> None:
        """The runner presses Pause on the console: the belt slows to a stop, the counters are kept."""
        await self._console(self.world.machine.stop(ControlInformation.PAUSE))

    async def _console(self, statuses: list[MachineStatus]) -> None:
        for status in statuses:
            await self._device.notify_subscribers(self._status_char, bytes(status))

    async def console_speed(self, kmh: float) -> None:
        """Press the console's speed keys to ``kmh``: the machine reports it like any target change."""
        await self._console(self.world.machine.set_target_speed(kmh))

    # -- the ticker -----------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        period = 1.0 / self.options.notify_hz
        while True:
            await self.clock.sleep_until(self.world.t + period)
            late = self.clock.now() - (self.world.t + period)
            # Woken late (a busy machine): the world moves on by the time that passed, so its
            # counters keep to the session clock; only the last of those ticks is notified.
            for _ in range(max(int(late / period), 0)):
                self._told(self.world.step(period))
            tick = self.world.step(period)
            try:
                await self._publish(tick)
            except (core.BaseBumbleError, hci.HCI_Error) as exc:  # a link torn down mid-notify
                logger.debug("notification lost: %s", exc)
            self._told(tick)
            if late >= BEHIND_REPORT_S:
                self.behind_s = max(self.behind_s, late)
                if tick.t - self._behind_said_at >= BEHIND_EVERY_S:
                    self._behind_said_at = tick.t
                    for behind in self.behind_listeners:
                        await behind(tick.t, late)

    def _told(self, tick: Tick) -> None:
        for listener in self.tick_listeners:
            listener(tick)

    async def _notify(self, device: Device, char: Characteristic[bytes], payload: bytes, name: str) -> None:
        if device.connections:
            self.sent[name] += 1
        await device.notify_subscribers(char, payload)

    async def _publish(self, tick: Tick) -> None:
        if not self.silent:
            for status in tick.statuses:
                await self._notify(self._device, self._status_char, bytes(status), MACHINE_STATUS)
            for training in tick.training:
                await self._notify(self._device, self._training_char, bytes(training), TRAINING_STATUS)
            record = tick.treadmill
            split = self.options.split_payload
            parts = [record] if split is None else split_record(record, split)
            payloads = [bytes(part) for part in parts] if self._stale_record is None else [self._stale_record]
            self.last_data_perf = time.perf_counter()
            padding = bytes(self.options.trailing_bytes)
            for payload in payloads:
                await self._notify(self._device, self._data_char, payload + padding, TREADMILL_DATA)
        if self._strap is not None and self._hr_char is not None:
            await self._notify(self._strap, self._hr_char, bytes(tick.heart_rate), HEART_RATE_MEASUREMENT)
        if self._footpod is not None and self._rsc_char is not None:
            await self._notify(self._footpod, self._rsc_char, bytes(tick.footpod), RSC_MEASUREMENT)

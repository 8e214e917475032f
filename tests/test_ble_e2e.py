"""End to end through the real bleak API, over Bumble's virtual link, to the virtual treadmill.

Nothing is mocked: real ATT PDUs cross the virtual radio, and the client's items go through
the real session engine, which decodes them once and hands the machine's answers back to
the client. Tests wait for conditions (a frame, an event), never for a fixed time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from bleak import BleakClient
from bleak.exc import BleakGATTProtocolError

from tests.support import until
from treadmill.ble.backend import BleBackend
from treadmill.ble.client import ClientOptions, FtmsClient
from treadmill.ble.scan import DeviceKind, scan
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.errors import ControlRefusedError, ControlResultError, LinkError
from treadmill.ftms import ControlPointRequest, ResultCode
from treadmill.ftms.uuids import full_uuid
from treadmill.model import Frame, LinkEvent, LinkEventKind, Sample, Sensor
from treadmill.session.consumer import Overflow, SessionItem
from treadmill.session.engine import Session
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.world import VirtualWorld

pytestmark = pytest.mark.virtual_time
"""On virtual time: the stream, the watchdog and the reconnections are the same on a busy machine."""


@dataclass
class Rig:
    treadmill: VirtualTreadmill
    backend: BleBackend
    clock: SessionClock


@asynccontextmanager
async def rig(options: PeripheralOptions | None = None, seed: int = 7) -> AsyncIterator[Rig]:
    radio = VirtualRadio()
    clock = SessionClock()
    world = VirtualWorld(seed=seed)
    async with VirtualTreadmill(radio.device, world, clock, options or PeripheralOptions()) as treadmill:
        yield Rig(treadmill, BleBackend.on_radio(radio), clock)


def client_for(r: Rig, *, sensors: bool = False, **options: object) -> FtmsClient:
    return FtmsClient(
        r.treadmill.address,
        backend=r.backend,
        clock=r.clock,
        strap=r.treadmill.strap_address if sensors else None,
        footpod=r.treadmill.footpod_address if sensors else None,
        options=ClientOptions(**options),  # type: ignore[arg-type]
        seed=1,
    )


class Collector:
    """The real session engine over the client; keeps what it delivers and waits for conditions on it."""

    name = "collector"
    overflow = Overflow.NEVER_DROP
    capacity = 100_000

    def __init__(self, client: FtmsClient) -> None:
        self.client = client
        self.items: list[SessionItem] = []
        self.session = Session(client, [self])
        self._task = asyncio.create_task(self.session.run())

    async def handle(self, item: SessionItem) -> None:
        self.items.append(item)

    async def close(self, error: str | None) -> None:
        del error

    @property
    def samples(self) -> list[Sample]:
        return self.session.samples

    async def until(self, condition: Callable[[], bool]) -> None:
        await until(condition, "a condition on the stream", within_s=10.0)

    def events(self, kind: LinkEventKind, src: Sensor = Sensor.TREADMILL) -> list[LinkEvent]:
        return [i for i in self.items if isinstance(i, LinkEvent) and i.kind is kind and i.src is src]

    def moving(self) -> bool:
        return bool(self.samples) and (self.samples[-1].speed_kmh or 0.0) > 0

    def stop(self) -> None:
        self._task.cancel()


async def test_scan_finds_treadmill_strap_and_footpod() -> None:
    async with rig(PeripheralOptions(strap=True, footpod=True)) as r:
        found = await scan(0.2, r.backend)
    kinds = {f.kind: f for f in found}
    assert set(kinds) == {DeviceKind.TREADMILL, DeviceKind.HEART_RATE, DeviceKind.FOOTPOD}
    treadmill = kinds[DeviceKind.TREADMILL]
    assert treadmill.address == r.treadmill.address
    assert treadmill.machine_types == ("treadmill",)
    assert treadmill.available is True
    assert found[0].kind is DeviceKind.TREADMILL  # treadmills listed first


async def test_connect_reads_features_and_ranges() -> None:
    async with rig() as r, client_for(r) as client:
        assert client.features is not None
        assert client.features.to_dict()["target_setting_features_names"] == [
            "speed_target",
            "inclination_target",
        ]
        assert client.speed_range is not None
        assert (client.speed_range.minimum_speed_kmh, client.speed_range.maximum_speed_kmh) == (0.5, 18.0)
        assert client.incline_range is not None
        assert client.incline_range.maximum_inclination_pct == 15.0


async def test_notifications_become_samples_and_sensors_stream_beside() -> None:
    async with (
        rig(PeripheralOptions(notify_hz=2, strap=True, footpod=True)) as r,
        client_for(r, sensors=True) as client,
    ):
        seen = Collector(client)
        await seen.until(lambda: any(s.speed_kmh and s.speed_kmh > 1.0 for s in seen.samples))
        await seen.until(lambda: seen.samples[-1].heart_rate_bpm is not None)
        await seen.until(lambda: seen.samples[-1].cadence_per_min not in (None, 0))
        seen.stop()
    sources = {i.src for i in seen.items if isinstance(i, Frame)}
    assert sources == {Sensor.TREADMILL, Sensor.HEART_RATE, Sensor.FOOTPOD}
    times = [i.t for i in seen.items if isinstance(i, Frame) and i.char == "2acd"]
    assert times == sorted(times)
    last = seen.samples[-1]
    assert last.distance_m is not None
    assert last.elapsed_s is not None
    assert 40 <= (last.heart_rate_bpm or 0) <= 220


async def test_split_records_merge() -> None:
    async with rig(PeripheralOptions(notify_hz=2, split_payload=12)) as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(lambda: len(seen.samples) >= 6)
        seen.stop()
    parts = [i for i in seen.items if isinstance(i, Frame) and i.char == "2acd" and i.data[0] & 1]
    assert parts, "the treadmill should have split its records"
    for sample in seen.samples:
        assert sample.speed_kmh is not None  # from the first part
        assert sample.elapsed_s is not None  # from the last part
    assert seen.session.decoder.stats.dropped_parts == 0


async def test_control_procedures_round_trip() -> None:
    async with rig() as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(seen.moving)
        await client.request_control()
        assert client.has_control
        assert await client.set_target_speed(6.2) == 6.2
        assert r.treadmill.world.machine.target_speed_kmh == 6.2
        assert await client.set_target_inclination(2.5) == 2.5
        assert r.treadmill.world.machine.target_incline_pct == 2.5
        writes_before = len(r.treadmill.control_log)
        with pytest.raises(ControlRefusedError, match="never starts the belt"):
            await client.procedure(ControlPointRequest.start_or_resume())
        assert len(r.treadmill.control_log) == writes_before, "a Start is never written"
        await client.pause()
        await seen.until(lambda: not seen.moving())
        assert r.treadmill.world.machine.belt.value == "paused"
        seen.stop()
    assert len(client.stats.control_wall_s) == 4  # control, speed, incline, pause: the Start never went


@pytest.mark.parametrize("stop", ["safety_key", "console_stop", "console_pause"])
async def test_after_the_machine_reports_a_stop_targets_are_refused_until_it_reports_a_start(
    stop: str,
) -> None:
    """The client's own guard, under the coach's: a console that starts on a target would start the belt."""
    async with rig() as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(seen.moving)
        await client.request_control()
        await getattr(r.treadmill, stop)()
        await seen.until(lambda: client.stopped_by_machine)
        writes = len(r.treadmill.control_log)
        with pytest.raises(ControlRefusedError, match="reported a stop"):
            await client.set_target_speed(4.0)
        with pytest.raises(ControlRefusedError, match="reported a stop"):
            await client.set_target_inclination(2.0)
        assert len(r.treadmill.control_log) == writes, "nothing was written"
        await r.treadmill.console_start()
        await seen.until(lambda: not client.stopped_by_machine)
        assert await client.set_target_speed(4.0) == 4.0
        seen.stop()


async def test_targets_are_clamped_to_caps_and_range() -> None:
    async with rig() as r, client_for(r, max_speed_kmh=8.0, max_incline_pct=20.0) as client:
        seen = Collector(client)
        assert await client.set_target_speed(30.0) == 8.0  # the person's cap
        assert await client.set_target_speed(0.1) == 0.5  # the machine's minimum
        assert await client.set_target_inclination(20.0) == 15.0  # the machine's maximum
        assert r.treadmill.world.machine.target_incline_pct == 15.0
        seen.stop()


@pytest.mark.parametrize(
    ("request_", "with_control", "result"),
    [
        (ControlPointRequest.set_target_speed(5.0), False, ResultCode.CONTROL_NOT_PERMITTED),
        (ControlPointRequest.set_target_speed(30.0), True, ResultCode.INVALID_PARAMETER),
        (ControlPointRequest(0x05, (("target_power_w", 100),)), True, ResultCode.OP_CODE_NOT_SUPPORTED),
    ],
    ids=["control_not_permitted", "invalid_parameter", "op_code_not_supported"],
)
async def test_error_results_become_typed_errors(
    request_: ControlPointRequest, with_control: bool, result: ResultCode
) -> None:
    async with rig() as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(seen.moving)
        if with_control:
            await client.request_control()
        with pytest.raises(ControlResultError) as info:
            await client.procedure(request_)
        seen.stop()
    assert info.value.result_code == result
    assert info.value.result == result.name.lower()


async def test_a_stop_while_stopped_is_an_operation_failed() -> None:
    async with rig() as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(seen.moving)
        await client.request_control()
        await client.procedure(ControlPointRequest.stop())
        with pytest.raises(ControlResultError) as info:
            await client.procedure(ControlPointRequest.stop())
        seen.stop()
    assert info.value.result_code == ResultCode.OPERATION_FAILED


async def test_control_write_before_indications_is_refused_by_the_treadmill() -> None:
    async with rig() as r, BleakClient(r.treadmill.address, **r.backend.client_options) as raw:
        with pytest.raises(BleakGATTProtocolError) as info:
            await raw.write_gatt_char(full_uuid("2ad9"), b"\x00", response=True)
    assert info.value.code == 0xFD


async def test_link_drop_reconnects_and_carries_on() -> None:
    async with rig(PeripheralOptions(notify_hz=2)) as r, client_for(r, backoff_initial_s=0.01) as client:
        seen = Collector(client)
        await client.request_control()
        await seen.until(lambda: len(seen.samples) >= 3)
        await r.treadmill.drop_link()
        await seen.until(lambda: len(seen.events(LinkEventKind.CONNECTED)) == 2)
        before = len(seen.samples)
        await seen.until(lambda: len(seen.samples) >= before + 3)
        await seen.until(lambda: len(seen.events(LinkEventKind.CONTROL_GRANTED)) == 2)
        seen.stop()
    kinds = [i.kind for i in seen.items if isinstance(i, LinkEvent) and i.src is Sensor.TREADMILL]
    assert kinds.index(LinkEventKind.DISCONNECTED) < len(kinds) - 1 - kinds[::-1].index(
        LinkEventKind.CONNECTED
    )
    assert client.stats.disconnects == 1
    assert len(client.stats.reconnect_wall_s) == 1
    assert client.has_control


async def test_random_bytes_are_counted_and_skipped() -> None:
    async with rig(PeripheralOptions(notify_hz=2)) as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(lambda: len(seen.samples) >= 1)
        for garbage in (b"\x01", b"", b"\x00"):
            await r.treadmill.send_raw(garbage)
        await seen.until(lambda: seen.session.decoder.stats.bad_frames["2acd"] == 3)
        count = len(seen.samples)
        await seen.until(lambda: len(seen.samples) >= count + 2)  # and the stream goes on
        seen.stop()


async def test_silent_treadmill_is_reported_stale_then_fresh() -> None:
    """Judged on the loop's clock: 3 s of silence at the default threshold, exactly."""
    async with rig(PeripheralOptions(notify_hz=2)) as r, client_for(r) as client:
        seen = Collector(client)
        await seen.until(lambda: len(seen.samples) >= 1)
        r.treadmill.silent = True
        await seen.until(lambda: bool(seen.events(LinkEventKind.STALE)))
        stale = seen.events(LinkEventKind.STALE)[0]
        last_data = max(
            i.t for i in seen.items if isinstance(i, Frame) and i.char == "2acd" and i.t < stale.t
        )
        assert 3.0 < stale.t - last_data <= 3.0 + 0.75, "after 3 s, at the watchdog's next look"
        r.treadmill.silent = False
        await seen.until(lambda: bool(seen.events(LinkEventKind.FRESH)))
        seen.stop()


async def test_absent_treadmill_fails_with_a_link_error() -> None:
    async with rig() as r:
        client = FtmsClient(
            "F0:00:00:00:0F:0F",
            backend=r.backend,
            clock=r.clock,
            options=ClientOptions(connect_timeout_s=0.2, connect_attempts=2, backoff_initial_s=0.01),
        )
        with pytest.raises(LinkError) as info:
            await client.__aenter__()
    assert "after 2 attempts" in str(info.value)

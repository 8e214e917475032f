"""The virtual treadmill as apps we did not write see it: a raw GATT client (Bumble's own), and
the machine's counters as a real console keeps them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from bumble import att, core
from bumble.device import Peer

from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.ftms import ControlInformation, ControlPointRequest
from treadmill.virtual.machine import TreadmillMachine
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.world import VirtualWorld

FTMS = core.UUID.from_16_bits(0x1826)
DEVICE_INFORMATION = core.UUID.from_16_bits(0x180A)


@asynccontextmanager
async def raw_peer(options: PeripheralOptions | None = None) -> AsyncIterator[tuple[Peer, VirtualTreadmill]]:
    """A Bumble central connected to the virtual treadmill, GATT and ATT only: no bleak, no client of ours."""
    radio = VirtualRadio()
    world = VirtualWorld(seed=3)
    async with VirtualTreadmill(radio.device, world, SessionClock(20.0), options) as treadmill:
        central = await radio.central()
        connection = await central.connect(treadmill.address, timeout=10.0)
        peer = Peer(connection)
        try:
            yield peer, treadmill
        finally:
            await connection.disconnect()
            await radio.aclose()


async def test_the_services_are_found_by_their_16_bit_uuids() -> None:
    """Primary Service Discovery by UUID (ATT Find By Type Value), as phones and many apps do it."""
    async with raw_peer(PeripheralOptions(strap=True, footpod=True)) as (peer, _):
        [ftms] = await peer.discover_service(FTMS)
        assert ftms.uuid.to_bytes() == (0x1826).to_bytes(2, "little"), "declared in its 16-bit form"
        characteristics = await peer.discover_characteristics(service=ftms)
        shorts = {c.uuid.to_hex_str() for c in characteristics}
        assert {"2ACD", "2ACC", "2AD3", "2AD4", "2AD5", "2AD9", "2ADA"} <= shorts
        assert all(len(c.uuid.to_bytes()) == 2 for c in characteristics)


async def test_a_characteristic_that_is_not_readable_answers_a_read_with_an_error() -> None:
    """Not silence: a strict stack would wait for its 30 s ATT timeout and drop the link."""
    async with raw_peer() as (peer, _):
        [ftms] = await peer.discover_service(FTMS)
        characteristics = {c.uuid.to_hex_str(): c for c in await peer.discover_characteristics(service=ftms)}
        for short in ("2AD9", "2ACD", "2ADA"):
            with pytest.raises(att.ATT_Error) as info:
                await peer.read_value(characteristics[short])
            assert info.value.error_code == att.ErrorCode.READ_NOT_PERMITTED, short
        assert len(await peer.read_value(characteristics["2ACC"])) == 8, "the readable ones still read"


async def test_a_device_information_service_says_who_made_it() -> None:
    async with raw_peer() as (peer, treadmill):
        [info] = await peer.discover_service(DEVICE_INFORMATION)
        values = {
            c.uuid.to_hex_str(): bytes(await peer.read_value(c))
            for c in await peer.discover_characteristics(service=info)
        }
        said = treadmill.options.info
        assert values["2A29"] == said.manufacturer.encode()
        assert values["2A24"] == said.model.encode()
        assert values["2A26"] == said.firmware.encode()
        assert values["2A28"] == said.software.encode()
        assert values["2A27"] == said.hardware.encode()


def running_machine(seconds: int) -> TreadmillMachine:
    machine = TreadmillMachine()
    machine.start()
    machine.set_target_speed(8.0)
    for _ in range(seconds):
        machine.advance(1.0, cadence_per_min=160)
    return machine


def test_reset_clears_every_session_total() -> None:
    """After Reset a console starts from zero: time, distance and energy alike."""
    machine = running_machine(120)
    assert machine.treadmill_data().total_distance_m
    machine.control(bytes([0x00]), permitted=True)
    response, _ = machine.control(bytes(ControlPointRequest.reset()), permitted=True)
    assert response.succeeded
    for _ in range(20):  # the belt comes to rest
        machine.advance(1.0)
    data = machine.treadmill_data()
    assert (data.elapsed_time_s, data.total_distance_m, data.total_energy_kcal) == (0, 0, 0)


def test_after_stop_the_average_speed_does_not_climb_as_the_belt_slows() -> None:
    machine = running_machine(300)
    before = machine.treadmill_data().average_speed_kmh
    machine.stop(ControlInformation.STOP)
    averages = []
    while machine.speed_kmh > 0:
        machine.advance(1.0)
        averages.append(machine.treadmill_data().average_speed_kmh)
    assert before is not None
    assert max(a or 0.0 for a in averages) <= before, "time and distance run on together while it slows"

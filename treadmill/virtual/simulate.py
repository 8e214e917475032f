"""``treadmill simulate``: the virtual treadmill on a real HCI transport, for other apps to see.

The same :class:`~treadmill.virtual.peripheral.VirtualTreadmill` as the demo, on a Bumble
transport instead of the in-process link: ``usb:0`` (a dongle Bumble drives directly),
``serial:/dev/ttyACM0``, or ``tcp-client:HOST:PORT`` (a controller from
``python -m bumble.apps.controllers``). Set-up per OS is in docs/virtual-treadmill.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from bumble import hci
from bumble.device import Device
from bumble.transport.common import Transport

from treadmill.ble.virtual_link import open_hci
from treadmill.clock import SessionClock
from treadmill.virtual.hostile import HostileFrames
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.runner import RunnerPlan
from treadmill.virtual.world import Tick, VirtualWorld

__all__ = ["SimulateOptions", "simulate"]

_ADDRESSES = {"Virtual Treadmill": "F0:00:00:00:00:01", "Virtual HR Strap": "F0:00:00:00:00:02"}
_FOOTPOD_ADDRESS = "F0:00:00:00:00:03"


@dataclass(frozen=True, slots=True)
class SimulateOptions:
    """Where and how to simulate."""

    transport: str
    strap_transport: str | None = None
    footpod_transport: str | None = None
    seed: int = 1
    time_scale: float = 1.0
    duration_s: float | None = None
    """Session seconds to run (None: until interrupted)."""
    plan: RunnerPlan | None = None
    notify_hz: float = 1.0
    split_payload: int | None = None
    hostile: HostileFrames | None = None
    """Lie from a set time on, for testing other apps against bad data."""


async def simulate(options: SimulateOptions, report: Callable[[str], None]) -> None:
    """Run until ``options.duration_s`` of session time has passed (or forever)."""
    transports = {"Virtual Treadmill": await open_hci(options.transport)}
    if options.strap_transport:
        transports["Virtual HR Strap"] = await open_hci(options.strap_transport)
    if options.footpod_transport:
        transports["Virtual Footpod"] = await open_hci(options.footpod_transport)
    try:
        await _run(options, transports, report)
    finally:
        for transport in transports.values():
            await transport.close()


def _device_factory(transports: dict[str, Transport]) -> Callable[[str], Device]:
    def make(name: str) -> Device:
        transport = transports[name]
        address = hci.Address(_ADDRESSES.get(name, _FOOTPOD_ADDRESS))
        return Device.with_hci(name, address, transport.source, transport.sink)

    return make


async def _run(
    options: SimulateOptions, transports: dict[str, Transport], report: Callable[[str], None]
) -> None:
    clock = SessionClock(options.time_scale)
    world = VirtualWorld(seed=options.seed, plan=options.plan, duration_s=options.duration_s)
    peripheral_options = PeripheralOptions(
        notify_hz=options.notify_hz,
        split_payload=options.split_payload,
        strap="Virtual HR Strap" in transports,
        footpod="Virtual Footpod" in transports,
        hostile=options.hostile,
    )
    latest: list[Tick] = []

    def remember(tick: Tick) -> None:
        latest[:] = [tick]

    async with VirtualTreadmill(_device_factory(transports), world, clock, peripheral_options) as treadmill:
        treadmill.tick_listeners.append(remember)
        report(f"advertising as {treadmill.options.name} ({treadmill.address}) on {options.transport}")
        while options.duration_s is None or clock.now() < options.duration_s:
            await asyncio.sleep(min(1.0, clock.wall_seconds(5.0)))
            if latest:
                tick = latest[0]
                speed = tick.treadmill.instantaneous_speed_kmh or 0.0
                report(f"t={tick.t:7.1f} s  belt {speed:4.1f} km/h  runner {tick.truth.value}")

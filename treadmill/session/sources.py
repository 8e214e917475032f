"""Which radio a session or a scan uses: the system's, a Bumble HCI transport, or the virtual one.

The one place that picks a backend. :func:`radio` opens it for as long as it is needed;
:func:`virtual_treadmill` puts the built-in virtual treadmill on a fresh virtual radio and
returns the backend that reaches it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from treadmill.ble.backend import BleBackend
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.session.options import VirtualOptions
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.runner import RunnerPlan
from treadmill.virtual.world import VirtualWorld

__all__ = ["Radio", "radio", "virtual_treadmill"]


@dataclass(frozen=True, slots=True)
class Radio:
    """A backend to scan and connect with, and the virtual treadmill on it (if it is the virtual one)."""

    backend: BleBackend
    treadmill: VirtualTreadmill | None = None


@contextlib.asynccontextmanager
async def virtual_treadmill(
    options: VirtualOptions,
    clock: SessionClock,
    *,
    runner: RunnerPlan | None,
    duration_s: float | None = None,
    app_drives_speed: bool = False,
) -> AsyncIterator[Radio]:
    """The built-in virtual treadmill on a fresh virtual radio (``runner``: what its runner follows)."""
    link = VirtualRadio()
    world = VirtualWorld(
        seed=options.seed,
        plan=runner,
        spec=options.spec,
        duration_s=duration_s,
        app_drives_speed=app_drives_speed,
    )
    peripheral_options = PeripheralOptions(
        notify_hz=options.notify_hz,
        split_payload=options.split_payload,
        strap=options.strap,
        footpod=options.footpod,
        trailing_bytes=options.trailing_bytes,
        drop_link_at_s=options.drop_link_at_s,
        hostile=options.hostile,
    )
    async with VirtualTreadmill(link.device, world, clock, peripheral_options) as treadmill:
        yield Radio(BleBackend.on_radio(link), treadmill)


@contextlib.asynccontextmanager
async def radio(*, virtual: VirtualOptions | None = None, hci: str | None = None) -> AsyncIterator[Radio]:
    """The radio to scan and connect with: the virtual treadmill's, a Bumble transport, or the system's.

    Raises:
        LinkError: ``hci`` names no transport that can be opened (checked before anything waits).
    """
    if virtual is not None:
        async with virtual_treadmill(virtual, SessionClock(), runner=virtual.runner) as found:
            yield found
        return
    if hci is not None:
        link = VirtualRadio(hci)
        try:
            await link.central()  # a transport that cannot be opened fails here, at once
            yield Radio(BleBackend.on_radio(link))
        finally:
            await link.aclose()
        return
    yield Radio(BleBackend.system())

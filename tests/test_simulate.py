"""`treadmill simulate` on a real HCI transport, in its own process, found and driven by the app
and by an FTMS client we did not write (the link: tests/hci_link.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from bleak import BleakClient
from pycycling.fitness_machine_service import FitnessMachineService
from pycycling.ftms_parsers.control_point import FTMSControlPointOpCode, FTMSControlPointResponseResultCode

from tests.hci_link import host_attached, simulator_on_hci
from tests.support import until
from treadmill.ble.backend import BleBackend
from treadmill.ble.client import FtmsClient
from treadmill.ble.scan import DeviceKind, scan
from treadmill.ble.virtual_link import BumbleClient, VirtualRadio
from treadmill.clock import SessionClock
from treadmill.session.engine import Session

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads listening sockets from /proc"
)


@pytest.fixture
def simulator() -> Iterator[str]:
    """A running `treadmill simulate`; yields the HCI transport spec for the app's side."""
    with simulator_on_hci(
        "--time-scale",
        "10",
        "--duration",
        "3000",
        "--notify-hz",
        "2",
        "--split",
        "14",  # every record in parts, as a Matrix console sends them
    ) as spec:
        yield spec


@contextlib.asynccontextmanager
async def bleak_client(spec: str) -> AsyncIterator[BleakClient]:
    """The simulator, found by a scan and connected through bleak on our backend over ``spec``."""
    radio = VirtualRadio(spec)
    try:
        [found] = await scan(0.5, BleBackend.on_radio(radio))
        async with BleakClient(
            found.ble_device or found.address, backend=BumbleClient, radio=radio
        ) as client:
            yield client
    finally:
        await radio.aclose()


async def test_app_finds_and_drives_the_simulator_in_another_process(simulator: str) -> None:
    radio = VirtualRadio(simulator)
    backend = BleBackend.on_radio(radio)
    try:
        found = await scan(0.5, backend)
        assert [(f.kind, f.address) for f in found] == [(DeviceKind.TREADMILL, "F0:00:00:00:00:01")]
        async with FtmsClient(
            found[0].ble_device or found[0].address, backend=backend, clock=SessionClock(10)
        ) as client:
            assert client.speed_range is not None
            session = Session(client)  # decodes, and hands the machine's answers back to the client
            running = asyncio.create_task(session.run())
            await until(lambda: len(session.samples) >= 4, "four samples from the other process")
            assert await client.set_target_speed(7.5) == 7.5
            session.stop()
            await running
    finally:
        await radio.aclose()


async def test_an_ftms_client_we_did_not_write_drives_the_simulator(simulator: str) -> None:
    """pycycling (an FTMS library others wrote) through bleak, over HCI to the other process.

    Discovery and the machine's features; Treadmill Data arriving in split parts (the More Data
    flag, bit 0, set on every part but the last: FTMS v1.0.1 §4.4.1.2); and the control
    procedures, each answered with the right result code.
    """
    async with bleak_client(simulator) as client:
        ftms = FitnessMachineService(client)
        machine, targets = await ftms.get_all_features()
        assert machine.inclination_supported
        assert machine.total_distance_supported
        assert targets.speed_target_setting_supported
        assert targets.inclination_target_setting_supported
        parts: list[bytes] = []
        await client.start_notify(
            "00002acd-0000-1000-8000-00805f9b34fb", lambda _c, data: parts.append(bytes(data))
        )
        answers: list[tuple[FTMSControlPointOpCode, FTMSControlPointResponseResultCode]] = []
        ftms.set_control_point_response_handler(
            lambda r: answers.append((r.request_code_enum, r.result_code_enum))
        )
        await ftms.enable_control_point_indicate()
        await ftms.set_target_speed(600)  # before asking for control
        await ftms.request_control()
        await ftms.set_target_speed(750)
        await ftms.set_target_speed(9_000)  # 90 km/h: past the machine's range
        await ftms.set_target_incline(20)
        await ftms.stop_or_pause(pause=True)
        await ftms.reset()
        await until(lambda: len(answers) == 7, "seven answers")
        await until(lambda: len(parts) >= 6, "Treadmill Data in parts")
    op, result = FTMSControlPointOpCode, FTMSControlPointResponseResultCode
    assert answers == [
        (op.SET_TARGET_SPEED, result.CONTROL_NOT_PERMITTED),
        (op.REQUEST_CONTROL, result.SUCCESS),
        (op.SET_TARGET_SPEED, result.SUCCESS),
        (op.SET_TARGET_SPEED, result.INCORRECT_PARAMETER),
        (op.SET_TARGET_INCLINE, result.SUCCESS),
        (op.STOP_OR_PAUSE, result.SUCCESS),
        (op.RESET, result.SUCCESS),
    ]
    more_data = [part[0] & 0x01 for part in parts]
    assert 1 in more_data, "records arrive in parts"
    assert all(len(part) <= 14 for part in parts)


async def test_the_simulator_advertises_again_after_a_client_leaves(simulator: str) -> None:
    """A client that disconnects (as a real radio's supervision timeout ends a dead one's link)
    frees the treadmill for the next: the lockout after a killed client is the TCP relay's."""
    for _ in range(2):
        await until(lambda: not host_attached(simulator), "the relay to let the last client go")
        async with bleak_client(simulator) as client:
            assert client.is_connected

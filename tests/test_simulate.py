"""`treadmill simulate` on a real HCI transport, in its own process, found and driven by the app.

Bumble's ``controllers`` app runs two virtual controllers on one link and serves each as
HCI over TCP on loopback; the simulator takes one, the app's central the other.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bleak import BleakClient
from pycycling.fitness_machine_service import FitnessMachineService
from pycycling.ftms_parsers.control_point import FTMSControlPointOpCode, FTMSControlPointResponseResultCode

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    """True when something listens on 127.0.0.1:port (read from /proc: no probe connection)."""
    wanted = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(r.split()[1] == wanted and r.split()[3] == "0A" for r in rows)


@pytest.fixture
def simulator() -> Iterator[str]:
    """A running `treadmill simulate`; yields the HCI transport spec for the app's side."""
    app_port, sim_port = free_port(), free_port()
    controllers = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bumble.apps.controllers",
            f"tcp-server:127.0.0.1:{sim_port}",
            f"tcp-server:127.0.0.1:{app_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sim = None
    try:
        asyncio.run(until(lambda: listening(sim_port) and listening(app_port), "the virtual controllers"))
        sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui",
                "simulate",
                "--transport",
                f"tcp-client:127.0.0.1:{sim_port}",
                "--time-scale",
                "10",
                "--duration",
                "3000",
                "--notify-hz",
                "2",
                "--split",
                "14",  # every record in parts, as a Matrix console sends them
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert sim.stderr is not None
        line = sim.stderr.readline()
        assert line.startswith("advertising as Virtual Treadmill (F0:00:00:00:00:01)"), line
        yield f"tcp-client:127.0.0.1:{app_port}"
    finally:
        for process in (sim, controllers):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
                if process.stderr is not None:
                    process.stderr.close()


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
    radio = VirtualRadio(simulator)
    backend = BleBackend.on_radio(radio)
    try:
        [found] = await scan(0.5, backend)
        async with BleakClient(
            found.ble_device or found.address, backend=BumbleClient, radio=radio
        ) as client:
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
    finally:
        await radio.aclose()

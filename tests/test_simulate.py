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

from tests.support import until
from treadmill.ble.backend import BleBackend
from treadmill.ble.client import FtmsClient
from treadmill.ble.scan import DeviceKind, scan
from treadmill.ble.virtual_link import VirtualRadio
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

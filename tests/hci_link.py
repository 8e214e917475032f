"""`treadmill simulate` in its own process, linked over HCI to a client in another (tests and bench).

Bumble's ``controllers`` app runs two virtual controllers on one link and serves each as
HCI over TCP on loopback; the simulator takes one, the client the other.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.mqtt_broker import free_port
from tests.support import wait_until


def _sockets(port: int, state: str) -> int:
    """How many sockets on 127.0.0.1:port are in ``state`` (read from /proc: no probe connection)."""
    wanted = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(r.split()[1] == wanted and r.split()[3] == state for r in rows)


def listening(port: int) -> bool:
    """True when something listens on 127.0.0.1:port."""
    return _sockets(port, "0A") > 0


def host_attached(spec: str) -> bool:
    """True while the relay still holds a host's connection on ``spec``'s port.

    The relay takes a moment to let a closed host go; a host that connects before then
    gets no answers (Bumble's TCP server transport keeps one host at a time).
    """
    return _sockets(int(spec.rsplit(":", 1)[1]), "01") > 0


@contextlib.contextmanager
def simulator_on_hci(*options: str) -> Iterator[str]:
    """A running `treadmill simulate OPTIONS`; yields the HCI transport spec for the client's side."""
    client_port, sim_port = free_port(), free_port()
    controllers = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bumble.apps.controllers",
            f"tcp-server:127.0.0.1:{sim_port}",
            f"tcp-server:127.0.0.1:{client_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sim = None
    try:
        wait_until(lambda: listening(sim_port) and listening(client_port), "the virtual controllers")
        transport = f"tcp-client:127.0.0.1:{sim_port}"
        sim = subprocess.Popen(
            [sys.executable, "-m", "tui", "simulate", "--transport", transport, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert sim.stderr is not None
        line = sim.stderr.readline()
        if not line.startswith("advertising as Virtual Treadmill (F0:00:00:00:00:01)"):
            raise RuntimeError(f"the simulator did not advertise: {line.strip()}")
        yield f"tcp-client:127.0.0.1:{client_port}"
    finally:
        for process in (sim, controllers):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
                if process.stderr is not None:
                    process.stderr.close()

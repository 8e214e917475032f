"""No adapter, Bluetooth off, no permission: one line that says what to do, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakDBusError

from treadmill.ble import client as client_module
from treadmill.ble.backend import BleBackend, bluetooth_errors
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.errors import BluetoothUnavailableError
from treadmill.model import Sensor


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            "no Bluetooth adapter",
        ),
        (BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.POWERED_OFF), "switched off"),
        (BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.DENIED_BY_USER), "denied"),
        (BleakDBusError("org.bluez.Error.NotReady", []), "switched off"),
        (BleakDBusError("org.freedesktop.DBus.Error.AccessDenied", []), "no permission"),
        (PermissionError(13, "denied"), "no permission"),
        (FileNotFoundError(2, "no socket"), "no Bluetooth service found"),
    ],
)
def test_unusable_bluetooth_is_explained(error: Exception, reason: str) -> None:
    with pytest.raises(BluetoothUnavailableError) as info, bluetooth_errors():
        raise error
    assert reason in info.value.reason
    assert "--virtual" in info.value.hint


def test_other_dbus_errors_pass_through() -> None:
    with pytest.raises(BleakDBusError), bluetooth_errors():
        raise BleakDBusError("org.bluez.Error.InProgress", [])


def test_scan_without_bluetooth_exits_1_with_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path / 'no-such-socket'}")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "scan", "--timeout", "0.5"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("treadmill scan: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


async def test_a_link_ends_even_when_its_connect_swallowed_the_cancellation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python 3.11's asyncio.wait_for (inside Bumble's connect) can drop a cancellation that
    arrives as the connection completes: the link must end anyway, and drop what it opened."""
    started = asyncio.Event()
    dropped: list[str] = []

    class Opened:
        async def disconnect(self) -> None:
            dropped.append("disconnected")

    async def connect_once(_link: client_module._Link) -> Opened:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # what the library did
            await asyncio.sleep(10)
        return Opened()

    monkeypatch.setattr(client_module._Link, "_connect_once", connect_once)
    owner = client_module.FtmsClient("F0:00:00:00:00:01", backend=BleBackend.on_radio(VirtualRadio()))
    link = client_module._Link(owner, "F0:00:00:00:00:03", Sensor.FOOTPOD, ())
    running = asyncio.create_task(link.run(None))
    await started.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, 5.0)  # before the fix: waited for a link loss for ever
    assert dropped == ["disconnected"]

"""Which bleak backend a session uses, and bleak's failures as our errors.

The app always calls the real ``BleakScanner`` / ``BleakClient``; a :class:`BleBackend`
only adds keyword arguments: none for the operating system's Bluetooth, or the Bumble
backend and its radio for the built-in virtual treadmill (``--virtual``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakDBusError

from treadmill.ble.virtual_link import BumbleClient, BumbleScanner, VirtualRadio
from treadmill.errors import BluetoothUnavailableError

__all__ = ["BleBackend", "bluetooth_errors"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_TRY_DEMO = "Or use the built-in virtual treadmill: add --virtual."


@dataclass(frozen=True, slots=True)
class BleBackend:
    """Extra keyword arguments for ``BleakScanner`` and ``BleakClient``."""

    scanner_options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    client_options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    virtual: bool = False

    @classmethod
    def system(cls) -> BleBackend:
        """The operating system's Bluetooth stack (BlueZ, CoreBluetooth, WinRT)."""
        return cls()

    @classmethod
    def on_radio(cls, radio: VirtualRadio) -> BleBackend:
        """Bumble's in-process virtual radio, where the virtual treadmill lives."""
        return cls(
            scanner_options=MappingProxyType({"backend": BumbleScanner, "radio": radio}),
            client_options=MappingProxyType({"backend": BumbleClient, "radio": radio}),
            virtual=True,
        )


_REASONS = {
    BleakBluetoothNotAvailableReason.NO_BLUETOOTH: (
        "no Bluetooth adapter found",
        "Plug in a Bluetooth adapter.",
    ),
    BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE: (
        "this Bluetooth adapter cannot act as a Bluetooth LE central",
        "Use a Bluetooth 4.0 (LE) or newer adapter.",
    ),
    BleakBluetoothNotAvailableReason.POWERED_OFF: (
        "Bluetooth is switched off",
        "Switch it on in the system settings (Linux: `bluetoothctl power on`).",
    ),
    BleakBluetoothNotAvailableReason.DENIED_BY_USER: (
        "permission to use Bluetooth was denied",
        "Allow this terminal to use Bluetooth in the system's privacy settings.",
    ),
    BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM: (
        "the system does not allow this program to use Bluetooth",
        "Ask your administrator, or check the system's Bluetooth policy.",
    ),
}


@contextlib.contextmanager
def bluetooth_errors() -> Iterator[None]:
    """Turn "Bluetooth cannot be used at all" failures into :class:`BluetoothUnavailableError`."""
    try:
        yield
    except BleakBluetoothNotAvailableError as exc:
        reason, hint = _REASONS.get(
            exc.reason, ("Bluetooth is not available", "Check the adapter and its settings.")
        )
        raise BluetoothUnavailableError(reason, f"{hint} {_TRY_DEMO}") from exc
    except BleakDBusError as exc:
        if exc.dbus_error == "org.bluez.Error.NotReady":
            raise BluetoothUnavailableError(
                "Bluetooth is switched off", f"Switch it on with `bluetoothctl power on`. {_TRY_DEMO}"
            ) from exc
        if exc.dbus_error.endswith(("AccessDenied", "NotPermitted", "NotAuthorized")):
            raise BluetoothUnavailableError(
                "no permission to use Bluetooth",
                f"Add your user to the `bluetooth` group and log in again. {_TRY_DEMO}",
            ) from exc
        raise
    except PermissionError as exc:
        raise BluetoothUnavailableError(
            "no permission to use Bluetooth",
            f"Add your user to the `bluetooth` group and log in again. {_TRY_DEMO}",
        ) from exc
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        # BlueZ is reached over the system D-Bus; no socket means no Bluetooth service.
        raise BluetoothUnavailableError(
            "no Bluetooth service found (BlueZ is not running, or there is no adapter)",
            f"Install and start BlueZ (`sudo systemctl start bluetooth`) and plug in an adapter. {_TRY_DEMO}",
        ) from exc

"""The project's exceptions: one root, a small tree, typed attributes.

::

    TreadmillError                      every error this package raises on purpose
    ├── FrameError (+ ValueError)       a payload that cannot be decoded at all
    ├── EncodeError (+ ValueError)      a record that cannot be put on the wire
    ├── UnknownCharacteristicError      a characteristic we have no codec for
    │   (+ LookupError)
    ├── BluetoothUnavailableError       no adapter, Bluetooth off, no permission
    ├── LinkError (+ ConnectionError)   a device that cannot be reached or was lost
    ├── ControlError                    a Control Point procedure that did not succeed
    │   ├── ControlRefusedError         refused by this app before anything was sent
    │   ├── ControlTimeoutError         no answer in time (+ TimeoutError)
    │   └── ControlResultError          the machine answered with a failure result code
    ├── InputError (+ ValueError)       a value from outside that cannot be used (inputs.py)
    ├── PlanError (+ ValueError)        a workout plan that cannot be read (workout/plan.py)
    ├── FixtureError (+ ValueError)     a recording that cannot be read (storage/fixtures.py)
    ├── StorageError (+ OSError)        a file that cannot be written (storage/files.py)
    ├── ExportError (+ ValueError)      a session a format cannot hold (storage/export.py)
    └── MqttSettingsError (+ ValueError) MQTT settings that cannot be used (mqtt/settings.py)

Leaf errors also subclass the matching builtin, so a caller's generic
``except ValueError`` keeps working (bumble's ``InvalidPacketError`` does the same).
Errors carry what went wrong as attributes; callers never parse messages.
"""

from __future__ import annotations

__all__ = [
    "BluetoothUnavailableError",
    "ControlError",
    "ControlRefusedError",
    "ControlResultError",
    "ControlTimeoutError",
    "EncodeError",
    "FrameError",
    "LinkError",
    "TreadmillError",
    "UnknownCharacteristicError",
]


class TreadmillError(Exception):
    """Root of every error raised on purpose by this package."""


class FrameError(TreadmillError, ValueError):
    """A payload that cannot be decoded at all (for example too short for its flags).

    Attributes:
        characteristic: short UUID of the characteristic, e.g. ``"2acd"``.
        reason: what is wrong, in a few words (``"too short for flags"``).
        offset: byte offset at which decoding stopped.
    """

    def __init__(self, characteristic: str, reason: str, offset: int = 0) -> None:
        super().__init__(f"{characteristic}: {reason} (at byte {offset})")
        self.characteristic = characteristic
        self.reason = reason
        self.offset = offset


class EncodeError(TreadmillError, ValueError):
    """A record whose values do not fit the wire format.

    Attributes:
        field: the offending field's name.
        reason: why it cannot be encoded.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"cannot encode {field}: {reason}")
        self.field = field
        self.reason = reason


class UnknownCharacteristicError(TreadmillError, LookupError):
    """A characteristic name or UUID for which this package has no codec.

    Attributes:
        characteristic: what the caller asked for, as given.
    """

    def __init__(self, characteristic: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown characteristic {characteristic!r}; known: {', '.join(known)}")
        self.characteristic = characteristic
        self.known = known


class BluetoothUnavailableError(TreadmillError):
    """Bluetooth cannot be used at all: no adapter, switched off, or no permission.

    Attributes:
        reason: what is wrong, in a few words.
        hint: what the user can do about it.
    """

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(f"{reason}. {hint}")
        self.reason = reason
        self.hint = hint


class LinkError(TreadmillError, ConnectionError):
    """A device could not be reached, or the link was lost for good.

    Attributes:
        address: the device's address.
    """

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


class ControlError(TreadmillError):
    """A Control Point procedure did not succeed.

    Attributes:
        op_code: the request's op code.
    """

    def __init__(self, op_code: int, message: str) -> None:
        super().__init__(message)
        self.op_code = op_code


class ControlRefusedError(ControlError):
    """Refused by this app before anything was written (e.g. Start while the belt moves)."""


class ControlTimeoutError(ControlError, TimeoutError):
    """Neither a response indication nor a matching status arrived in time."""


class ControlResultError(ControlError):
    """The machine answered with a result code other than success (FTMS Table 4.24).

    Attributes:
        result_code: the code (2 op code not supported, 3 invalid parameter, 4 operation
            failed, 5 control not permitted, others reserved).
        result: its snake_case name.
    """

    def __init__(self, op_code: int, result_code: int, result: str) -> None:
        super().__init__(op_code, f"control op 0x{op_code:02x} failed: {result}")
        self.result_code = result_code
        self.result = result

"""The project's exceptions: one root, a small tree, typed attributes.

::

    TreadmillError                      every error this package raises on purpose
    ├── FrameError (+ ValueError)       a payload that cannot be decoded at all
    ├── EncodeError (+ ValueError)      a record that cannot be put on the wire
    └── UnknownCharacteristicError      a characteristic we have no codec for
        (+ LookupError)

Leaf errors also subclass the matching builtin, so a caller's generic
``except ValueError`` keeps working (bumble's ``InvalidPacketError`` does the same).
Errors carry what went wrong as attributes; callers never parse messages.
"""

from __future__ import annotations

__all__ = [
    "EncodeError",
    "FrameError",
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

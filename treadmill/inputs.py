"""Whatever comes from outside: numbers held to their range, text made safe to show, files read within bounds.

Every number that enters the program (an option, a plan, a profile, a recording, an MQTT
command) goes through :func:`finite`: NaN, infinity, a boolean or a string where a number
belongs is refused with one line naming it. Every string from a file or the network that
reaches a terminal goes through :func:`printable`: an escape code in a plan's name must not
clear the person's screen. Every file read goes through :func:`read_bounded`: only regular
files, never more than a stated size (a FIFO or ``/dev/zero`` would otherwise hang or eat
memory).

The limits themselves are here too, so docs/limits.md can list them from one place.
"""

from __future__ import annotations

import math
import os
import stat
import unicodedata
from pathlib import Path
from typing import TypeGuard

from treadmill.errors import TreadmillError

__all__ = [
    "MAX_FORWARD_CAP_KMH",
    "MAX_LINE_BYTES",
    "MAX_PLAN_FILE_BYTES",
    "MAX_PLAN_S",
    "MAX_PLAN_STEPS",
    "MAX_RECORDING_BYTES",
    "MAX_RECORDING_S",
    "MAX_REPEAT",
    "MAX_REVERSE_CAP_KMH",
    "MAX_SESSION_S",
    "InputError",
    "finite",
    "one_of",
    "open_regular",
    "parse_finite",
    "printable",
    "read_bounded",
]

MAX_FORWARD_CAP_KMH = 25.0
"""No treadmill sold for homes or gyms goes faster; a cap above it is a typing error."""
MAX_REVERSE_CAP_KMH = 10.0
"""Trained backward runners reach about 9.7 km/h (Flynn et al. 1994; Ordway et al. 2016)."""
MAX_SESSION_S = 24 * 3600.0
"""The longest session one may ask for (``--duration``, a plan)."""
MAX_RECORDING_S = MAX_SESSION_S + 3600.0
"""The latest session time a recording holds: the longest session and the margins around it (the
belt coming to rest after a workout, the last acknowledgements). The recorder stops there, so
whatever it writes, the reader reads."""
MAX_PLAN_S = MAX_SESSION_S
MAX_PLAN_STEPS = 1000
MAX_REPEAT = 50
"""Repeats of one block, in every plan format."""
MAX_PLAN_FILE_BYTES = 1_000_000
MAX_RECORDING_BYTES = 64 * 2**20
"""A day of a treadmill at 4 Hz with a strap and a footpod is about 31 MB; twice that is refused."""
MAX_LINE_BYTES = 64 * 1024
"""The longest line a recording may hold (a frame line is under 200 bytes)."""


class InputError(TreadmillError, ValueError):
    """A value from outside that cannot be used: what it is, and why.

    Attributes:
        what: where the value came from (``--time-scale``, ``caps.forward_kmh``).
        reason: what is wrong with it.
    """

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


def _shown(value: object) -> str:
    text = printable(repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


def finite(
    value: object,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
) -> float:
    """``value`` as a finite float within bounds, else :class:`InputError` naming ``what``.

    ``low`` and ``high`` are inclusive; ``above`` is an exclusive lower bound (``above=0``:
    positive). Booleans and strings are refused even where Python would convert them.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(what, f"{_shown(value)} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise InputError(what, "the number is too large") from None
    if not math.isfinite(number):
        raise InputError(what, f"{_shown(value)} is not a finite number")
    if above is not None and number <= above:
        raise InputError(what, f"{number:g} must be above {above:g}")
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise InputError(what, f"{number:g} is not between {low:g} and {high:g}")
        bound = f"at least {low:g}" if low is not None else f"at most {high:g}"
        raise InputError(what, f"{number:g} must be {bound}")
    return number


def parse_finite(text: str, what: str, **bounds: float | None) -> float:
    """A number typed by a person (an option's value): ``float(text)``, then :func:`finite`."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(what, f"{_shown(text)} is not a number") from None
    return finite(value, what, **bounds)


def one_of(value: object, allowed: frozenset[str]) -> TypeGuard[str]:
    """True when ``value`` is one of the words ``allowed`` (a list or a number never is, and never raises)."""
    return isinstance(value, str) and value in allowed


def printable(text: str) -> str:
    """``text`` without control characters (escape codes, bells, backspaces): safe to show.

    Line breaks and tabs become spaces, so one value stays on one line.
    """
    if text.isprintable():
        return text
    return "".join(
        " " if ch in "\n\r\t" else ch for ch in text if ch in "\n\r\t" or unicodedata.category(ch)[0] != "C"
    )


def _check_regular(info: os.stat_result, what: str, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise InputError(what, "not a regular file")
    if info.st_size > max_bytes:
        raise InputError(what, f"too large ({info.st_size / 1e6:.1f} MB; at most {max_bytes / 1e6:.0f} MB)")


def open_regular(path: Path, what: str, max_bytes: int) -> int:
    """An open file descriptor on ``path``, which must be a regular file of at most ``max_bytes``.

    Opened without blocking and checked after opening (a FIFO, a device or ``/dev/zero``,
    also behind a symlink, is refused before a byte is read). The caller closes it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{what} {printable(str(path))}", f"cannot read: {exc.strerror}") from None
    try:
        _check_regular(os.fstat(fd), f"{what} {printable(str(path))}", max_bytes)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: Path, what: str, max_bytes: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` (see :func:`open_regular`)."""
    fd = open_regular(path, what, max_bytes)
    with os.fdopen(fd, "rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while being read
        raise InputError(f"{what} {printable(str(path))}", f"too large (more than {max_bytes / 1e6:.0f} MB)")
    return data

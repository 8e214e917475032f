"""Noticing that the terminal went away: its window closed, or the SSH link under it dropped.

The app must not live on without a screen: a session nobody can see or stop, a coached belt
still driven, and a core spinning (Textual's input thread reads end-of-file in a loop once its
terminal is gone). Either sign ends the session as the app's own quit does (a coached belt
stopped, the summary written), and then the process:

* the hang-up signal (SIGHUP), which the terminal sends its processes when it closes; unless
  the app was started to ignore it (``nohup``), as is a program's duty;
* the terminal refusing a question about itself (``tcgetattr`` fails with EIO once the other
  end has closed), checked every :data:`CHECK_S` seconds, for when no hang-up came (a parent
  that died first, a hang-up ignored).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Callable

__all__ = ["CHECK_S", "exit_within", "gone", "let_go", "on_hangup", "terminal_fd"]

CHECK_S = 2.0
"""How often the terminal is checked: a lost terminal ends the session within this."""


def terminal_fd() -> int | None:
    """The terminal the app reads its keys from (None: not a terminal, as under a test's pilot)."""
    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else -1
    except (OSError, ValueError):  # closed, or replaced by something without a descriptor
        return None
    return fd if fd >= 0 and os.isatty(fd) else None


def gone(fd: int) -> bool:
    """The terminal on ``fd`` has been closed at its other end (or was never one)."""
    if sys.platform == "win32":
        return False
    import termios  # noqa: PLC0415 (POSIX only)

    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return True
    return False


def on_hangup(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    """Call ``callback`` on a hang-up, unless it was ignored when the app started (``nohup``)."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None or signal.getsignal(hangup) is signal.SIG_IGN:
        return
    loop.add_signal_handler(hangup, callback)


def let_go() -> None:
    """Point the standard streams at the null device, so that ending the session writes nowhere.

    Writes to the terminal that has gone would fail (a screen update, a log line).
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    finally:
        os.close(null)


def exit_within(seconds: float) -> None:
    """End the process after ``seconds``, however the app's own closing is going.

    A write that failed before the terminal was let go ends Textual's writer thread, and the
    app's closing then waits on it forever. The session is saved well within this (the quit
    path's own limit is :data:`tui.app.CLOSE_WITHIN_S`).
    """
    timer = threading.Timer(seconds, os._exit, args=(1,))
    timer.daemon = True
    timer.start()

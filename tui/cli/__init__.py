"""The ``treadmill`` command line: parse, run the command, keep the exit-status contract.

Exit status 0 on success, 2 on bad usage or bad input (one line on stderr naming what was
wrong and where), 1 on other failures (no Bluetooth, a treadmill that cannot be reached).
Machine-readable output goes to stdout; progress, logs and warnings go to stderr. Each
command lives in its own module under :mod:`tui.cli.commands`, imported only when it runs,
so ``treadmill --version`` and ``treadmill decode`` start in a fraction of a second.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence

from treadmill.errors import TreadmillError
from treadmill.inputs import InputError
from tui.cli.parsers import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, build_parser, say

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    configure_logging()
    command = importlib.import_module(f"tui.cli.commands.{args.command}")
    try:
        status: int = command.run(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the contract: one line, never a traceback
        message, status = _failure(exc)
        say(args.command, message, error=status == EXIT_BAD_INPUT)
    return status


def _failure(exc: BaseException) -> tuple[str, int]:
    """What to say of a command that failed, and its exit status: never a traceback."""
    if isinstance(exc, UsageError | InputError):
        return str(exc), EXIT_BAD_INPUT
    if isinstance(exc, TreadmillError):
        return str(exc), EXIT_FAILURE
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_FAILURE
    if isinstance(exc, OSError):  # the system refused something (a file, a device)
        return str(exc.strerror or exc), EXIT_FAILURE
    logging.getLogger("treadmill").debug("unexpected error", exc_info=exc)  # a bug: the details in the log
    return f"unexpected error ({type(exc).__name__}: {exc}); TREADMILL_LOG=debug shows where", EXIT_FAILURE


def configure_logging() -> None:
    """Warnings to stderr; ``TREADMILL_LOG=debug`` (or info) for more."""
    level = os.environ.get("TREADMILL_LOG", "warning").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING), format="%(levelname)s %(name)s: %(message)s"
    )
    # Bumble logs a harmless warning when a notification races a disconnect.
    logging.getLogger("bumble").setLevel(max(logging.ERROR, logging.getLogger().level))

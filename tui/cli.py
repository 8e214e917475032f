"""The ``treadmill`` console script: the library's command line, with the app for demo, run and replay."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

import platformdirs

from treadmill import cli
from treadmill.launch import AppRequest

__all__ = ["launch", "main"]


def _log_to_file() -> None:
    """The screen owns stderr: logs go to a file (``TREADMILL_LOG=debug`` for more)."""
    folder = platformdirs.user_log_path("treadmill-companion")
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(folder / "app.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    level = os.environ.get("TREADMILL_LOG", "warning").upper()
    root.setLevel(getattr(logging, level, logging.WARNING))


def launch(request: AppRequest) -> int:
    """Open the app for ``request``; returns the exit status."""
    from tui.app import TreadmillApp  # noqa: PLC0415 (the other commands start without Textual)

    _log_to_file()
    app = TreadmillApp(request)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line, opening the app where a command asks for it."""
    return cli.main(argv, launch_app=launch)


if __name__ == "__main__":
    sys.exit(main())

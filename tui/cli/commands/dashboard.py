"""``treadmill dashboard``: every treadmill publishing to one MQTT broker, on one screen."""

from __future__ import annotations

import argparse

from tui.cli import setup
from tui.cli.parsers import UsageError
from tui.request import AppMode, AppRequest


def run(args: argparse.Namespace) -> int:
    """Open the dashboard."""
    from tui.app import run_app  # noqa: PLC0415 (Textual only once the arguments are good)

    settings = setup.mqtt_settings(args.mqtt)
    if settings is None:
        raise UsageError(
            "which broker? give --mqtt mqtt://HOST[:PORT], or url = ... under [mqtt] in config.toml"
        )
    return run_app(AppRequest(AppMode.DASHBOARD, mqtt=settings))

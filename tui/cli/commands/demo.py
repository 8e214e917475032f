"""``treadmill demo``: the app on the built-in virtual treadmill, coaching a built-in workout."""

from __future__ import annotations

import argparse

from treadmill.defaults import FREE
from treadmill.session.options import SourceOptions, VirtualOptions
from tui.cli import setup
from tui.request import AppMode, AppRequest


def run(args: argparse.Namespace) -> int:
    """Open the app."""
    from tui.app import run_app  # noqa: PLC0415 (Textual only once the arguments are good)

    person = setup.profile("demo")
    plan = None if args.plan == FREE else setup.workout(args.plan, person)
    source = SourceOptions(
        virtual=VirtualOptions(seed=args.seed, phone=args.phone), phone_feed=args.phone_feed
    )
    options = setup.session_options(source, person, plan, control=args.control, time_scale=args.time_scale)
    request = AppRequest(
        AppMode.DEMO,
        options,
        plan_id=args.plan,
        control=args.control,
        mqtt=setup.mqtt_settings(args.mqtt),
        speak=args.speak,
    )
    return run_app(request)

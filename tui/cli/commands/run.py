"""``treadmill run``: the app on a treadmill; pick the devices and the workout unless given."""

from __future__ import annotations

import argparse

from treadmill.defaults import FREE
from treadmill.session.options import SourceOptions, VirtualOptions
from tui.cli import setup
from tui.cli.parsers import UsageError
from tui.request import AppMode, AppRequest


def run(args: argparse.Namespace) -> int:
    """Open the app."""
    request = app_request(args)
    from tui.app import run_app  # noqa: PLC0415 (Textual only once the arguments are good)

    return run_app(request)


def app_request(args: argparse.Namespace) -> AppRequest:
    """What the app is asked to do; a UsageError (exit 2) for options that do not go together."""
    if args.virtual and (args.device or args.strap or args.footpod or args.hci):
        raise UsageError(
            "--virtual brings its own treadmill and sensors: leave out --device, --strap, --footpod, --hci"
        )
    if args.phone and not args.virtual:
        raise UsageError("--phone puts a phone on the virtual runner: it goes with --virtual")
    if args.control and args.plan == FREE:
        raise UsageError("--control drives the belt through a workout: a free run has none")
    person = setup.profile("run")
    plan = None if args.plan in (None, FREE) else setup.workout(args.plan, person)
    virtual = VirtualOptions(seed=args.seed, phone=args.phone) if args.virtual else None
    source = SourceOptions(
        device=args.device,
        strap=args.strap,
        footpod=args.footpod,
        hci=args.hci,
        virtual=virtual,
        phone_feed=args.phone_feed,
    )
    options = setup.session_options(
        source,
        person,
        plan,
        control=args.control and plan is not None,
        time_scale=args.time_scale,
        duration_s=args.duration,
    )
    return AppRequest(
        AppMode.RUN,
        options,
        plan_id=args.plan,
        control=args.control,
        pick_device=args.device is None and not args.virtual,
        mqtt=setup.mqtt_settings(args.mqtt),
        speak=args.speak,
    )

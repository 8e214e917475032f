"""``treadmill simulate``: the virtual treadmill on a Bluetooth transport, for other apps to see."""

from __future__ import annotations

import argparse
import asyncio
import math
import sys

from treadmill.defaults import FREE
from treadmill.virtual.runner import RunnerPlan
from treadmill.virtual.simulate import SimulateOptions, simulate
from tui.cli import setup
from tui.cli.parsers import EXIT_OK, UsageError


def run(args: argparse.Namespace) -> int:
    """Advertise until the duration or Ctrl-C."""
    if math.isinf(args.time_scale):
        raise UsageError("--time-scale max is for record --virtual: other apps keep the wall clock's time")
    options = SimulateOptions(
        transport=args.transport,
        strap_transport=args.strap_transport,
        footpod_transport=args.footpod_transport,
        seed=args.seed,
        time_scale=args.time_scale,
        duration_s=args.duration,
        plan=None if args.runner == FREE else RunnerPlan.demo(),
        notify_hz=args.notify_hz,
        split_payload=args.split,
        hostile=setup.hostile(args),
    )
    try:
        asyncio.run(simulate(options, lambda line: print(line, file=sys.stderr, flush=True)))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return EXIT_OK

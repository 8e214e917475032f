"""``treadmill serve``: the app in a browser, for the tablet or phone on the treadmill's console."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import segno

from tui.cli.commands.run import app_request
from tui.cli.parsers import EXIT_OK
from tui.web.server import ServeOptions, SessionServer, serve

PLAIN_HTTP_WARNING = (
    "warning: this is plain HTTP (no TLS yet): anyone on this network can read the key in the "
    "address and the screen. Serve beyond this machine only on a network you trust."
)


def run(args: argparse.Namespace) -> int:
    """Check the options as `treadmill run` would, then serve until Ctrl-C."""
    app_request(args)  # bad options fail here, in one line, not later in a browser
    command = [sys.executable, "-m", "tui", "run", *forwarded(args)]
    server = SessionServer(ServeOptions(command, host=args.host, port=args.port))
    pace = f"The virtual treadmill runs at {args.time_scale:g}x real time." if args.virtual else ""
    asyncio.run(_serve(server, control=args.control, pace=pace))
    return EXIT_OK


def forwarded(args: argparse.Namespace) -> list[str]:
    """The `treadmill run` options that the served app gets: the same as serve's own."""
    out: list[str] = []
    for flag, value in (
        ("--device", args.device),
        ("--strap", args.strap),
        ("--footpod", args.footpod),
        ("--hci", args.hci),
        ("--plan", args.plan),
        ("--mqtt", args.mqtt),
        ("--duration", args.duration),
        ("--seed", args.seed),
        ("--time-scale", args.time_scale),
    ):
        if value is not None:
            out += [flag, str(value)]
    out += [
        flag
        for flag, on in (("--virtual", args.virtual), ("--control", args.control), ("--speak", args.speak))
        if on
    ]
    return out


async def _serve(server: SessionServer, *, control: bool, pace: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    def announce(url: str) -> None:
        print(f"Treadmill Companion is at\n\n  {url}\n", flush=True)
        segno.make(url, error="m").terminal(out=sys.stdout, compact=True)
        local = server.options.host in ("127.0.0.1", "localhost", "::1")
        where = (
            "Open it in a browser on this machine (start with --host 0.0.0.0 for a phone or tablet)."
            if local
            else "Scan the code with the phone or tablet on the treadmill (on the same network)."
        )
        belt = "on (--control)" if control else "off (start with --control to allow it)"
        print(f"\n{where}\nBelt control from the browser: {belt}.", flush=True)
        if not local:
            print(PLAIN_HTTP_WARNING, file=sys.stderr, flush=True)
        if pace:
            print(pace, flush=True)
        print("Ctrl-C stops the server; a session under way is saved first.", flush=True)

    await serve(server, announce, stop)

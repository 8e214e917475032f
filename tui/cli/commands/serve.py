"""``treadmill serve``: the app in a browser, for the tablet or phone on the treadmill's console."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import segno

from treadmill.storage.paths import config_dir
from tui.cli.commands.run import app_request
from tui.cli.parsers import EXIT_OK, UsageError
from tui.web.server import ServeOptions, SessionServer, serve, shown_host
from tui.web.tls import TlsError, TlsFiles, own_certificate, self_signed

PLAIN_HTTP_WARNING = (
    "warning: --plain-http: anyone on this network can read the key in the address and the "
    "screen, and phones give the sensor page no motion sensors. Use it only on a network you trust."
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def run(args: argparse.Namespace) -> int:
    """Check the options as `treadmill run` would, then serve until Ctrl-C."""
    if args.phone_feed is not None:
        raise UsageError("--phone-feed is serve's own: it gives it to the app it runs")
    app_request(args)  # bad options fail here, in one line, not later in a browser
    tls = certificate(args)
    command = [sys.executable, "-m", "tui", "run", *forwarded(args)]
    server = SessionServer(ServeOptions(command, host=args.host, port=args.port, tls=tls))
    pace = f"The virtual treadmill runs at {args.time_scale:g}x real time." if args.virtual else ""
    asyncio.run(_serve(server, control=args.control, pace=pace))
    return EXIT_OK


def certificate(args: argparse.Namespace) -> TlsFiles | None:
    """HTTPS as asked: the user's certificate, this computer's own, or none (plain HTTP).

    Beyond this machine HTTPS is the default; plain HTTP there needs ``--plain-http``.
    """
    if args.plain_http and (args.tls or args.cert or args.key):
        raise UsageError("--plain-http goes without --tls, --cert and --key")
    if (args.cert is None) != (args.key is None):
        raise UsageError("--cert and --key go together: a certificate and its private key")
    try:
        if args.cert is not None:
            return own_certificate(args.cert, args.key)
        if args.tls or (args.host not in LOOPBACK and not args.plain_http):
            return self_signed(config_dir(), [shown_host(args.host)])
    except TlsError as exc:
        raise UsageError(str(exc)) from None
    return None


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
        for flag, on in (
            ("--virtual", args.virtual),
            ("--control", args.control),
            ("--speak", args.speak),
            ("--phone", args.phone),
        )
        if on
    ]
    return out


async def _serve(server: SessionServer, *, control: bool, pace: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    def announce(url: str, motion_url: str) -> None:
        print(f"Treadmill Companion is at\n\n  {url}\n", flush=True)
        segno.make(url, error="m").terminal(out=sys.stdout, compact=True)
        local = server.options.host in LOOPBACK
        where = (
            "Open it in a browser on this machine (start with --host 0.0.0.0 for a phone or tablet)."
            if local
            else "Scan the code with the phone or tablet on the treadmill (on the same network)."
        )
        belt = "on (--control)" if control else "off (start with --control to allow it)"
        print(f"\n{where}\nBelt control from the browser: {belt}.", flush=True)
        print(f"\nThe motion sensor: scan with the phone you carry\n\n  {motion_url}\n", flush=True)
        segno.make(motion_url, error="m").terminal(out=sys.stdout, compact=True)
        tls = server.options.tls
        if tls is not None:
            made = " (new: each phone asks once to accept it)" if tls.made else ""
            print(f"\nHTTPS certificate {tls.cert}{made}\n  SHA-256 {tls.fingerprint}", flush=True)
        elif not local:
            print(PLAIN_HTTP_WARNING, file=sys.stderr, flush=True)
        if pace:
            print(pace, flush=True)
        print("Ctrl-C stops the server; a session under way is saved first.", flush=True)

    await serve(server, announce, stop)

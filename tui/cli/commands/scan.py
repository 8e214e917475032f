"""``treadmill scan``: treadmills, heart-rate straps and footpods nearby."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from treadmill.ble.scan import FoundDevice, scan
from treadmill.inputs import printable
from treadmill.session.options import VirtualOptions
from treadmill.session.sources import radio
from tui.cli.parsers import EXIT_OK


async def _scan(args: argparse.Namespace) -> list[FoundDevice]:
    async with radio(virtual=VirtualOptions() if args.virtual else None, hci=args.hci) as opened:
        return await scan(min(args.timeout, 0.5) if args.virtual else args.timeout, opened.backend)


def run(args: argparse.Namespace) -> int:
    """Scan and list."""
    found = asyncio.run(_scan(args))
    if args.json:
        print(json.dumps([d.to_dict() for d in found]))
        return EXIT_OK
    if not found:
        print(
            "No treadmills, heart-rate straps or footpods found. Is the treadmill awake, and no other app\n"
            "connected to it? (Try `treadmill scan --virtual` to see the built-in virtual treadmill.)",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"{'kind':<11} {'name':<24} {'address':<20} {'signal':>7}  machine")
    for device in found:
        rssi = f"{device.rssi} dBm" if device.rssi is not None else "?"
        types = ", ".join(device.machine_types) or "-"
        busy = " (busy)" if device.available is False else ""
        name = printable(device.name or "?")[:24]
        address = printable(device.address)[:20]
        print(f"{device.kind.value:<11} {name:<24} {address:<20} {rssi:>7}  {types}{busy}")
    return EXIT_OK

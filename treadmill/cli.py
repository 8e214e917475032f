"""The ``treadmill`` command line (contracts.md §1).

Exit status 0 on success, 2 on bad usage or bad input (one line on stderr naming what
was wrong), 1 on other failures. Machine-readable output goes to stdout; progress, logs
and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from treadmill import __version__
from treadmill.errors import FrameError, UnknownCharacteristicError
from treadmill.ftms.registry import DECODERS, decode
from treadmill.ftms.uuids import CHARACTERISTIC_NAMES, short_uuid

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    """Bad input found after argument parsing; exits with status 2."""


def _parse_hex(text: str) -> bytes:
    cleaned = "".join(text.split()).replace(":", "").replace("-", "").removeprefix("0x")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise _UsageError(f"not a hex payload: {text!r} (expected e.g. 0400e803 or '04 00 e8 03')") from None


def _cmd_decode(args: argparse.Namespace) -> int:
    payload = _parse_hex(args.hex)
    try:
        record = decode(args.char, payload)
    except UnknownCharacteristicError:
        raise _UsageError(f"unknown characteristic {args.char!r}; known: {', '.join(DECODERS)}") from None
    except FrameError as exc:
        raise _UsageError(
            f"cannot decode {exc.characteristic} payload {payload.hex() or '(empty)'}: {exc.reason}"
        ) from None
    key = short_uuid(args.char)
    out = {"characteristic": key, "name": CHARACTERISTIC_NAMES[key], **record.to_dict()}
    print(json.dumps(out))
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treadmill",
        description="Treadmill Companion: coach reverse running beside a smart (FTMS) treadmill.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    dec = commands.add_parser(
        "decode",
        help="decode one payload and print it as JSON",
        description="Decode one characteristic payload and print one JSON object (contracts.md §3).",
        epilog="characteristics: "
        + ", ".join(f"{uuid} ({name})" for uuid, name in CHARACTERISTIC_NAMES.items()),
    )
    dec.add_argument("char", metavar="CHAR", help="characteristic: 2acd, 0x2ACD, a full UUID or a name")
    dec.add_argument("hex", metavar="HEX", help="payload in hex; spaces and colons are ignored")
    dec.set_defaults(run=_cmd_decode)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        status: int = args.run(args)
    except _UsageError as exc:
        print(f"treadmill {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return status

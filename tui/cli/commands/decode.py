"""``treadmill decode CHAR HEX``: one payload as one JSON object (docs/ftms-codecs.md)."""

from __future__ import annotations

import argparse
import json

from treadmill.errors import FrameError, UnknownCharacteristicError
from treadmill.ftms.registry import DECODERS, decode
from treadmill.ftms.uuids import CHARACTERISTIC_NAMES, short_uuid
from treadmill.inputs import printable
from tui.cli.parsers import EXIT_OK, UsageError

_MAX_HEX = 1024
"""The longest payload a characteristic can carry (ATT's 512 bytes), in hex digits."""


def _parse_hex(text: str) -> bytes:
    cleaned = "".join(text.split()).replace(":", "").replace("-", "").removeprefix("0x")
    shown = printable(text[:40]) + ("..." if len(text) > 40 else "")
    if len(cleaned) > _MAX_HEX:
        raise UsageError(f"payload {shown!r} is longer than {_MAX_HEX // 2} bytes")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise UsageError(f"not a hex payload: {shown!r} (expected e.g. 0400e803 or '04 00 e8 03')") from None


def run(args: argparse.Namespace) -> int:
    """Decode and print."""
    payload = _parse_hex(args.hex)
    try:
        record = decode(args.char, payload)
    except UnknownCharacteristicError:
        shown = printable(args.char)[:40]
        raise UsageError(f"unknown characteristic {shown!r}; known: {', '.join(DECODERS)}") from None
    except FrameError as exc:
        raise UsageError(
            f"cannot decode {exc.characteristic} payload {payload.hex() or '(empty)'}: {exc.reason}"
        ) from None
    key = short_uuid(args.char)
    print(json.dumps({"characteristic": key, "name": CHARACTERISTIC_NAMES[key], **record.to_dict()}))
    return EXIT_OK

"""``treadmill export``: a recording to FIT, TCX or CSV, one lap per interval (docs/export.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from treadmill.inputs import printable
from treadmill.storage.export import Activity, ExportError, ExportFormat, devices_seen, render, write
from treadmill.storage.files import StorageError, write_new_in
from treadmill.storage.fixtures import Fixture
from treadmill.storage.installation import serial_number
from tui.cli import setup
from tui.cli.parsers import EXIT_OK, UsageError


def _started(fixture: Fixture) -> datetime:
    """The header's start, or (said on stderr) the file's time less the session's length."""
    started = fixture.started_at
    if started is not None:
        return started
    modified = datetime.fromtimestamp(fixture.path.stat().st_mtime, UTC)
    started = modified - timedelta(seconds=fixture.duration_s)
    print(
        f"no valid started_at in the header; taking the file's time: {started.isoformat()}", file=sys.stderr
    )
    return started


def run(args: argparse.Namespace) -> int:
    """Export."""
    fmt = ExportFormat(args.format)
    chosen = None if args.out is None else setup.out_path(args.out, "export")
    fixture = setup.read(args.fixture, tolerant=args.tolerant)
    result = setup.replayed(fixture, setup.profile("export"))
    try:
        device = fixture.header.get("device")
        name = str(device.get("name", ""))[:80] if isinstance(device, dict) else ""
        activity = Activity.from_pipeline(
            result.pipeline,
            _started(fixture),
            devices=devices_seen({frame.char for frame in fixture.frames}, printable(name)),
            serial_number=serial_number(),
        )
        if chosen is not None:
            out, warnings = chosen, write(activity, chosen, fmt)
        else:  # beside the person, not in the recording's folder (a repository's fixtures/)
            data, warnings = render(activity, fmt)
            out = write_new_in(Path.cwd(), Path(args.fixture).stem, f".{fmt.value}", data)
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    except StorageError as exc:
        if exc.full:
            raise  # a full disk is a failure (exit 1), not bad input
        raise UsageError(str(exc)) from None  # a place that cannot hold the file: the person's to change
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"wrote {printable(str(out))}: {len(activity.laps)} laps, {len(activity.timeline)} samples",
        file=sys.stderr,
    )
    return EXIT_OK

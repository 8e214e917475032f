"""``treadmill record``: a session to a new recording, without the app (progress on stderr)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
import time
from collections.abc import AsyncIterator

from treadmill.clock import run_in_virtual_time
from treadmill.defaults import FREE, RECORDING_S
from treadmill.inputs import printable
from treadmill.mqtt.messages import MqttStatus
from treadmill.mqtt.publisher import MqttPublisher
from treadmill.session.coach import CoachEvent
from treadmill.session.live import LiveResult, Progress, Recording, open_live_session
from treadmill.session.options import SessionOptions
from tui.cli import setup
from tui.cli.parsers import EXIT_FAILURE, EXIT_OK

PROGRESS_S = 1.0
"""Wall seconds between progress lines (to a log or a pipe)."""
PROGRESS_TTY_S = 0.1
"""Wall seconds between updates of the progress line on a terminal."""


@contextlib.asynccontextmanager
async def _publisher(
    args: argparse.Namespace, options: SessionOptions, tty: bool
) -> AsyncIterator[MqttPublisher | None]:
    settings = setup.mqtt_settings(args.mqtt)
    if settings is None:
        yield None
        return

    def said(status: MqttStatus) -> None:
        print(f"{chr(10) if tty else ''}{status.text}", file=sys.stderr, flush=True)

    workout = options.workout
    publisher = MqttPublisher(
        settings,
        caps_kmh=options.max_speed_kmh,
        title="free run" if workout is None else workout.plan.name,
        on_status=said,
    )
    async with publisher:  # first, so the broker is reached while Bluetooth connects
        yield publisher


async def _record(args: argparse.Namespace, options: SessionOptions, recording: Recording) -> LiveResult:
    tty = sys.stderr.isatty()
    name = printable(recording.path.name) if recording.path is not None else "recording"

    shown_at = [-math.inf]

    def show(p: Progress) -> None:
        now = time.monotonic()  # the wall clock: at --time-scale max an hour passes in seconds
        if now - shown_at[0] < (PROGRESS_TTY_S if tty else PROGRESS_S) and p.t < p.duration_s - 1:
            return
        shown_at[0] = now
        speed = "-" if p.speed_kmh is None else f"{p.speed_kmh:4.1f} km/h"
        line = f"recording {name}: {p.t:6.0f} / {p.duration_s:.0f} s  {p.frames:6d} frames  {speed}  {p.link}"
        print(f"\r{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    async with _publisher(args, options, tty) as mqtt:
        printer = setup.coach_printer("record", speak=args.speak)

        def on_coach(event: CoachEvent) -> None:
            printer(event)
            if mqtt is not None:
                mqtt.coach_event(event)

        async with open_live_session(
            options,
            recording=recording,
            consumers=[] if mqtt is None else [mqtt],
            on_coach=on_coach,
            on_progress=show,
        ) as live:
            if mqtt is not None:
                mqtt.attach(live.board, live.actions)
            return await live.wait()


def run(args: argparse.Namespace) -> int:
    """Record until the duration, the end of the workout, or Ctrl-C."""
    out = setup.out_path(args.out, "record")
    person = setup.profile("record")
    plan = None if args.plan in (None, FREE) else setup.workout(args.plan, person)
    virtual = setup.virtual_options(args) if args.virtual else None
    options = setup.session_options(
        setup.source_options(args, virtual),
        person,
        plan,
        control=args.control,
        time_scale=args.time_scale,
        duration_s=args.duration if args.duration is not None or plan is not None else RECORDING_S,
        mqtt=args.mqtt is not None,
        headless=True,
    )
    tty = sys.stderr.isatty()
    recording = _record(args, options, Recording(path=out))
    try:
        # max: on virtual time, as fast as the machine goes; the recording is the same as at 1x
        result = run_in_virtual_time(recording) if math.isinf(args.time_scale) else asyncio.run(recording)
    except KeyboardInterrupt:
        print(f"\nstopped; {printable(str(out))} holds everything recorded until now", file=sys.stderr)
        return EXIT_FAILURE
    lead = "\n" if tty else ""
    if result.storage_error is not None:
        print(
            f"{lead}treadmill record: {result.storage_error}; stopped, {printable(str(out))} keeps the "
            f"{result.frames} frames written before it",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(
        f"{lead}wrote {printable(str(result.path))}: {result.frames} frames, {result.lines} lines, "
        f"{result.session_s:.0f} s of session time",
        file=sys.stderr,
    )
    return EXIT_OK

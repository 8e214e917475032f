"""What many tests share: the in-process command line, and the one way to wait for something."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from treadmill.mqtt.publisher import MqttPublisher
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.coach import CoachEvent
from treadmill.session.consumer import Consumer
from treadmill.session.live import LiveResult, Recording, open_live_session
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.virtual.peripheral import VirtualTreadmill
from tui.cli import main

WAIT_S = 30.0
"""Longest wait for a state that must come (a failure, not a pause, when hit)."""


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``treadmill ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's own exits (--help, bad options)
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


async def until(
    condition: Callable[[], bool],
    what: str,
    *,
    within_s: float = WAIT_S,
    pause: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Wait until ``condition()`` holds, checking every 20 ms (or after each ``pause()``).

    A state held by a background task, a broker or a screen: there is no event to await, so
    this polls; ``within_s`` is a bound on a failure, never a timing the test relies on.
    """
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within_s:g} s waiting for {what}")
        if pause is not None:
            await pause()
        else:
            await asyncio.sleep(0.02)


def wait_until(condition: Callable[[], bool], what: str, *, within_s: float = WAIT_S) -> None:
    """:func:`until` for code with no event loop of its own (another process, a browser)."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within_s:g} s waiting for {what}")
        time.sleep(0.02)


async def record_virtual(
    out: Path | None,
    *,
    duration_s: float,
    seed: int = 1,
    time_scale: float = 1.0,
    workout: WorkoutOptions | None = None,
    on_coach: Callable[[CoachEvent], None] | None = None,
    publish: MqttSettings | None = None,
    scripted: Callable[[VirtualTreadmill], None] | None = None,
    **virtual: Any,
) -> LiveResult:
    """A live session on the virtual treadmill through the real client, recorded to ``out`` (None: not
    recorded), published to ``publish`` the way ``treadmill record --mqtt`` does.

    On a virtual-time loop (tests marked ``virtual_time``) the session runs as fast as it can and its
    counts are exact; ``time_scale`` is for the few tests that need the wall clock (a real broker).
    ``scripted`` schedules what happens to the treadmill (:meth:`VirtualTreadmill.at`) once it is up.
    """
    options = SessionOptions(
        SourceOptions(virtual=VirtualOptions(seed=seed, **virtual)),
        workout=workout,
        duration_s=duration_s,
        time_scale=time_scale,
    )
    recording = None if out is None else Recording(path=out)
    async with contextlib.AsyncExitStack() as stack:
        consumers: list[Consumer] = []
        said = on_coach
        mqtt = None
        if publish is not None:
            mqtt = await stack.enter_async_context(MqttPublisher(publish, caps_kmh=options.max_speed_kmh))
            consumers.append(mqtt)

            def said(event: CoachEvent) -> None:
                mqtt.coach_event(event)
                if on_coach is not None:
                    on_coach(event)

        live = await stack.enter_async_context(
            open_live_session(options, recording=recording, consumers=consumers, on_coach=said)
        )
        if mqtt is not None:
            mqtt.attach(live.board, live.actions)
        if scripted is not None:
            assert live.treadmill is not None
            scripted(live.treadmill)
        return await live.wait()
    raise AssertionError  # the stack returns or raises

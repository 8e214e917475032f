"""Recording a session to a fixture without the app: ``treadmill record``.

The source is the real FTMS client, talking either to a treadmill (the system's
Bluetooth) or to the built-in virtual treadmill over Bumble's virtual radio. Frames and
link events are written as they arrive; a virtual session adds truth lines from the
runner model and cue lines at the plan's direction changes (the cues the runner follows).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from treadmill.ble.backend import BleBackend
from treadmill.ble.client import ClientOptions, FtmsClient
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.fixtures import FixtureWriter
from treadmill.model import Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.runner import Direction, RunnerPlan
from treadmill.virtual.world import Tick, VirtualWorld

__all__ = ["RecordOptions", "RecordProgress", "RecordResult", "record", "virtual_treadmill"]


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """What to record, from where, for how long."""

    out: Path
    duration_s: float = 600.0
    """Session seconds to record."""
    device: str | None = None
    """A real treadmill's address; None with ``virtual``."""
    hci: str | None = None
    """Reach ``device`` through this Bumble HCI transport instead of the system's Bluetooth."""
    strap: str | None = None
    footpod: str | None = None
    virtual: bool = False
    seed: int = 1
    time_scale: float = 1.0
    notify_hz: float = 1.0
    split_payload: int | None = None
    virtual_sensors: bool = True
    """Virtual sessions: also run a strap and a footpod."""
    plan: RunnerPlan | None = field(default_factory=RunnerPlan.intervals_demo)
    """The plan the virtual runner is cued through (None: a free run)."""
    spec: MachineSpec = field(default_factory=MachineSpec)


@dataclass(frozen=True, slots=True)
class RecordProgress:
    """A progress report, a few times a second."""

    t: float
    duration_s: float
    frames: int
    speed_kmh: float | None
    connected: bool


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What was written."""

    path: Path
    lines: int
    frames: int
    session_s: float
    events: dict[str, int]


@contextlib.asynccontextmanager
async def virtual_treadmill(
    options: RecordOptions, clock: SessionClock
) -> AsyncIterator[tuple[VirtualTreadmill, BleBackend]]:
    """The built-in virtual treadmill on a fresh virtual radio, and the backend that reaches it."""
    radio = VirtualRadio()
    world = VirtualWorld(
        seed=options.seed, plan=options.plan, spec=options.spec, duration_s=options.duration_s
    )
    peripheral_options = PeripheralOptions(
        notify_hz=options.notify_hz,
        split_payload=options.split_payload,
        strap=options.virtual_sensors,
        footpod=options.virtual_sensors,
    )
    async with VirtualTreadmill(radio.device, world, clock, peripheral_options) as treadmill:
        yield treadmill, BleBackend.on_radio(radio)


def _cue_times(plan: RunnerPlan) -> list[tuple[float, str]]:
    """The plan's direction changes: when the app cues the user to turn."""
    cues: list[tuple[float, str]] = []
    facing = Direction.FORWARD
    for start, interval in zip(plan.starts(), plan.intervals, strict=True):
        if interval.direction is not facing:
            cues.append((start, interval.direction.value))
            facing = interval.direction
    return cues


async def _write_cues(writer: FixtureWriter, clock: SessionClock, cues: list[tuple[float, str]]) -> None:
    for t, cue in cues:
        await clock.sleep_until(t)
        writer.cue(t, cue)


async def record(
    options: RecordOptions, progress: Callable[[RecordProgress], None] | None = None
) -> RecordResult:
    """Record one session to ``options.out`` (which must not exist yet)."""
    clock = SessionClock(options.time_scale)
    async with contextlib.AsyncExitStack() as stack:
        if options.virtual:
            treadmill, backend = await stack.enter_async_context(virtual_treadmill(options, clock))
            device = {"name": treadmill.options.name, "address": treadmill.address, "virtual": "true"}
            address, strap, footpod = treadmill.address, treadmill.strap_address, treadmill.footpod_address
        else:
            if options.device is None:
                raise ValueError("a real session needs a device address")
            if options.hci is None:
                backend = BleBackend.system()
            else:
                radio = VirtualRadio(options.hci)
                stack.push_async_callback(radio.aclose)
                backend = BleBackend.on_radio(radio)
            treadmill = None
            device = {"address": options.device}
            address, strap, footpod = options.device, options.strap, options.footpod
        extra = {"seed": options.seed, "time_scale": options.time_scale} if options.virtual else {}
        writer = stack.enter_context(FixtureWriter(options.out, device=device, extra=extra))
        if treadmill is not None:
            writer.truth(0.0, Direction.STOPPED.value)

            def on_tick(tick: Tick) -> None:
                if tick.truth_changed:
                    writer.truth(tick.t, tick.truth.value)

            treadmill.tick_listeners.append(on_tick)
        client = await stack.enter_async_context(
            FtmsClient(
                address, backend=backend, clock=clock, strap=strap, footpod=footpod, options=ClientOptions()
            )
        )
        return await _capture(options, clock, _Tally(writer), client, progress)
    raise AssertionError  # unreachable: the stack returns or raises


@dataclass(slots=True)
class _Tally:
    """Writes what the source yields and counts it."""

    writer: FixtureWriter
    frames: int = 0
    events: dict[str, int] = field(default_factory=dict)
    connected: bool = True

    def add(self, item: Frame | LinkEvent) -> None:
        if isinstance(item, Frame):
            self.writer.frame(item)
            self.frames += 1
            return
        self.writer.event(item)
        self.events[item.kind.value] = self.events.get(item.kind.value, 0) + 1
        if item.src is Sensor.TREADMILL and item.kind in (
            LinkEventKind.CONNECTED,
            LinkEventKind.DISCONNECTED,
        ):
            self.connected = item.kind is LinkEventKind.CONNECTED


async def _capture(
    options: RecordOptions,
    clock: SessionClock,
    tally: _Tally,
    client: FtmsClient,
    progress: Callable[[RecordProgress], None] | None,
) -> RecordResult:
    cues = _cue_times(options.plan) if options.virtual and options.plan is not None else []
    cues = [(t, cue) for t, cue in cues if t < options.duration_s]
    async with asyncio.TaskGroup() as tasks:
        cue_task = tasks.create_task(_write_cues(tally.writer, clock, cues))
        next_report = 0.0
        while (now := clock.now()) < options.duration_s:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(clock.wall_seconds(min(1.0, options.duration_s - now)) + 0.01):
                    tally.add(await client.get())
            if progress is not None and now >= next_report:
                progress(
                    RecordProgress(
                        now, options.duration_s, tally.frames, client.belt_speed_kmh, tally.connected
                    )
                )
                next_report = now + options.time_scale * 0.5
        cue_task.cancel()
    for leftover in client.pending_items():
        tally.add(leftover)
    return RecordResult(options.out, tally.writer.lines, tally.frames, clock.now(), tally.events)

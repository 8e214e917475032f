"""The FTMS client: a treadmill (and optional strap and footpod) over bleak, as one source.

``async with FtmsClient(address, ...) as client: async for item in client.items(): ...``
yields raw :class:`~treadmill.model.Frame` objects stamped with session time, and
:class:`~treadmill.model.LinkEvent` objects (connected, disconnected, stale, ...).
Notification callbacks only timestamp and enqueue. The client decodes none of the stream:
the session's decoding stage does, once, and hands the machine's answers back through
:meth:`FtmsClient.acknowledge`.

Resilience (docs/ble-client.md): connect with retries; reconnect after a lost link with
capped exponential backoff and jitter, the session going on (the gap is an event, control
is asked for again); a watchdog reports a treadmill that stops notifying as stale.

Control (FTMS v1.0.1 §4.16.1): one procedure at a time, each awaiting its 0x80 indication
with a timeout, a matching status notification also counting as the answer (some machines
acknowledge only that way; docs/ble-client.md). Targets are clamped to the machine's range
and to the person's caps. Start is never sent: the app never starts a belt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Self, TypeVar

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError

from treadmill.ble.backend import BleBackend, bluetooth_errors
from treadmill.clock import SessionClock, loop_time
from treadmill.defaults import FORWARD_CAP_KMH
from treadmill.errors import (
    ControlError,
    ControlRefusedError,
    ControlResultError,
    ControlTimeoutError,
    FrameError,
    LinkError,
    TreadmillError,
)
from treadmill.ftms import (
    ControlOpCode,
    ControlPointRequest,
    ControlPointResponse,
    Features,
    InclinationRange,
    MachineStatus,
    SpeedRange,
    StatusOpCode,
)
from treadmill.ftms.uuids import (
    CONTROL_POINT,
    FEATURE,
    HEART_RATE_MEASUREMENT,
    INCLINATION_RANGE,
    MACHINE_STATUS,
    RSC_MEASUREMENT,
    SPEED_RANGE,
    TRAINING_STATUS,
    TREADMILL_DATA,
    full_uuid,
)
from treadmill.model import ControlReply, Frame, LinkEvent, LinkEventKind, Sensor, StatusReport

__all__ = ["ClientOptions", "ClientStats", "FtmsClient"]

logger = logging.getLogger(__name__)

_TREADMILL_NOTIFY = (TREADMILL_DATA, MACHINE_STATUS, TRAINING_STATUS, CONTROL_POINT)


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How hard to try, how long to wait, and the user's caps."""

    connect_timeout_s: float = 10.0
    """Per connection attempt, wall-clock seconds."""
    connect_attempts: int = 3
    """Attempts before the first connection is given up."""
    reconnect: bool = True
    """Reconnect after a lost link (False: a lost link ends the source)."""
    reconnect_attempts: int | None = None
    """Attempts per outage before giving up (None: keep trying until closed)."""
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 20.0
    stale_after_s: float = 3.0
    """Seconds of the event loop's clock without Treadmill Data before the link is reported stale.

    Judged on the loop's clock, not the session's: a session watched faster than real time (the
    demo at 4x) must not call a busy but healthy link stale after 0.75 s.
    """
    control_timeout_s: float = 3.0
    """Wall-clock seconds to wait for a procedure's answer (pyftms: 2 s; KingSmith pads: up to 5 s)."""
    max_speed_kmh: float = FORWARD_CAP_KMH
    """The user's cap on any target speed the app sends."""
    max_incline_pct: float = 10.0
    """The user's cap on any target incline the app sends."""


@dataclass(slots=True)
class ClientStats:
    """What went through the client, for the session report and the soak benchmark."""

    frames: Counter[str] = field(default_factory=Counter)
    connects: int = 0
    disconnects: int = 0
    reconnect_wall_s: list[float] = field(default_factory=list)
    """Wall-clock time from each lost link to the link being usable again."""
    control_wall_s: list[float] = field(default_factory=list)
    """Wall-clock round trip of each control procedure."""


@dataclass(slots=True)
class _Pending:
    op_code: int
    future: asyncio.Future[ControlPointResponse | MachineStatus]
    acknowledges: Callable[[MachineStatus], bool]


class FtmsClient:
    """A live source: one treadmill, and optionally a strap and a footpod.

    Use as an async context manager; entering waits for the treadmill's first connection
    (raising :class:`LinkError` if it cannot be made), the strap and footpod connect
    alongside and are reported by events. Reusable, not re-entrant.
    """

    def __init__(
        self,
        treadmill: str | BLEDevice,
        *,
        backend: BleBackend | None = None,
        clock: SessionClock | None = None,
        strap: str | BLEDevice | None = None,
        footpod: str | BLEDevice | None = None,
        options: ClientOptions | None = None,
        seed: int | None = None,
    ) -> None:
        """Nothing connects until the context is entered."""
        self.backend = backend or BleBackend.system()
        self.clock = clock or SessionClock()
        self.options = options or ClientOptions()
        self.stats = ClientStats()
        self.features: Features | None = None
        self.speed_range: SpeedRange | None = None
        self.incline_range: InclinationRange | None = None
        self.has_control = False
        self.stopped_by_machine = False
        """The machine reported a stop (safety key, console, a stop procedure) and no start since:
        target speeds and inclines are refused until it reports one (docs/safety.md)."""
        self._links = [_Link(self, treadmill, Sensor.TREADMILL, _TREADMILL_NOTIFY)]
        if strap is not None:
            self._links.append(_Link(self, strap, Sensor.HEART_RATE, (HEART_RATE_MEASUREMENT,)))
        if footpod is not None:
            self._links.append(_Link(self, footpod, Sensor.FOOTPOD, (RSC_MEASUREMENT,)))
        self._queue: asyncio.Queue[Frame | LinkEvent] = asyncio.Queue()
        self._control_lock = asyncio.Lock()
        self._pending: _Pending | None = None
        self._want_control = False
        self._rng = random.Random(seed)
        self._last_data_wall: float | None = None
        """When the last Treadmill Data arrived, on the event loop's clock (virtual in a virtual session)."""
        self._stale = False
        self._runner: asyncio.Task[None] | None = None
        self._tasks: asyncio.TaskGroup | None = None
        """The client's background work: the links, the watchdog, regaining control."""

    # -- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        """Connect the treadmill (with retries) and start the background work."""
        if self._runner is not None:
            raise RuntimeError("FtmsClient is reusable but not re-entrant")
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._runner = asyncio.create_task(self._run(first), name="ftms-client")
        try:
            await first
        except BaseException:
            await self._shutdown()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Cancel background work first, then disconnect."""
        await self._shutdown()

    async def _shutdown(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner

    async def _run(self, first: asyncio.Future[None]) -> None:
        async with asyncio.TaskGroup() as tasks:
            self._tasks = tasks
            for link in self._links:
                tasks.create_task(
                    link.run(first if link.src is Sensor.TREADMILL else None), name=f"link-{link.src}"
                )
            tasks.create_task(self._watchdog(), name="watchdog")

    async def items(self) -> AsyncIterator[Frame | LinkEvent]:
        """Frames and events in arrival order, until the context exits.

        Do not wrap ``anext()`` of this iterator in a timeout: cancelling it closes the
        generator. Use :meth:`get` for that.
        """
        while True:
            yield await self._queue.get()

    async def get(self) -> Frame | LinkEvent:
        """The next frame or event; safe to cancel (e.g. under ``asyncio.timeout``)."""
        return await self._queue.get()

    def pending_items(self) -> list[Frame | LinkEvent]:
        """Everything queued right now, without waiting (for tests and shutdown)."""
        out = []
        while not self._queue.empty():
            out.append(self._queue.get_nowait())
        return out

    # -- what the links call -----------------------------------------------------------------
    def emit(self, kind: LinkEventKind, src: Sensor, detail: str = "") -> None:
        """Queue a link event stamped with session time."""
        logger.info("%s %s %s", src, kind, detail)
        self._queue.put_nowait(LinkEvent(self.clock.now(), kind, src, detail))

    def on_frame(self, src: Sensor, char: str, data: bytearray) -> None:
        """The notification callback: timestamp, enqueue, nothing else."""
        frame = Frame(self.clock.now(), char, bytes(data), src)
        self.stats.frames[char] += 1
        self._queue.put_nowait(frame)
        if src is Sensor.TREADMILL and char == TREADMILL_DATA:
            self._last_data_wall = loop_time()
            if self._stale:
                self._stale = False
                self.emit(LinkEventKind.FRESH, Sensor.TREADMILL)

    async def on_treadmill_connected(self, client: BleakClient) -> None:
        """Read what the machine offers (optional characteristics never fail the connect)."""
        self.has_control = False
        self.features = await _read(client, FEATURE, Features.from_bytes)
        self.speed_range = await _read(client, SPEED_RANGE, SpeedRange.from_bytes)
        self.incline_range = await _read(client, INCLINATION_RANGE, InclinationRange.from_bytes)

    def after_treadmill_connected(self) -> None:
        """Ask for control again if the user had it before the link dropped."""
        self._last_data_wall = loop_time()
        if self._want_control and self._tasks is not None:
            self._tasks.create_task(self._regain_control(), name="regain-control")

    async def _regain_control(self) -> None:
        with contextlib.suppress(ControlError):
            await self.request_control()

    # -- the machine's answers ------------------------------------------------------------
    def acknowledge(self, item: StatusReport | ControlReply) -> None:
        """A decoded status or Control Point reply (from the session's decoding stage).

        It answers the procedure in flight when it matches; a loss of control is said as an event.
        """
        pending = self._pending
        if isinstance(item, StatusReport):
            status = item.status
            if status.op_code == StatusOpCode.CONTROL_PERMISSION_LOST:
                self.has_control = False
                self.emit(LinkEventKind.CONTROL_LOST, Sensor.TREADMILL, "the machine revoked control")
            elif _is_stop(status):
                self.stopped_by_machine = True
            elif status.op_code == StatusOpCode.STARTED_OR_RESUMED_BY_USER:
                self.stopped_by_machine = False
            if pending is not None and not pending.future.done() and pending.acknowledges(status):
                pending.future.set_result(status)
        elif (
            pending is not None
            and not pending.future.done()
            and item.response.request_op_code == pending.op_code
        ):
            pending.future.set_result(item.response)

    # -- background loops ------------------------------------------------------------------
    async def _watchdog(self) -> None:
        """Report a treadmill that stops sending data (Horizon T318 stops without a zero frame)."""
        limit = self.options.stale_after_s
        while True:
            await asyncio.sleep(limit / 4)
            last = self._last_data_wall
            silent_s = 0.0 if last is None else loop_time() - last
            if self._links[0].connected and last is not None and not self._stale and silent_s > limit:
                self._stale = True
                self.emit(LinkEventKind.STALE, Sensor.TREADMILL, f"no treadmill data for {silent_s:.1f} s")

    def backoff_s(self, attempt: int) -> float:
        """Wall-clock wait before reconnect attempt ``attempt`` (1-based): capped, exponential, jittered."""
        ceiling = min(self.options.backoff_max_s, self.options.backoff_initial_s * 2 ** (attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    # -- control ---------------------------------------------------------------------------
    async def request_control(self) -> None:
        """Ask for control permission (op 0x00). Remembered: asked again after a reconnect."""
        self._want_control = True
        await self._procedure(ControlPointRequest.request_control(), lambda _s: False)
        self.has_control = True
        self.emit(LinkEventKind.CONTROL_GRANTED, Sensor.TREADMILL)

    async def _ensure_control(self) -> None:
        if self.has_control:
            return
        try:
            await self.request_control()
        except ControlResultError as exc:
            # Some pads refuse Request Control yet accept the procedures (KingSmith pads; docs/ble-client.md).
            logger.warning("request control refused (%s); trying the procedure anyway", exc.result)

    def _refuse_targets_while_stopped(self, op_code: int) -> None:
        if self.stopped_by_machine:
            raise ControlRefusedError(
                op_code, "the treadmill reported a stop: no target until it reports a start again"
            )

    async def set_target_speed(self, kmh: float) -> float:
        """Set the belt's target speed; returns the value sent after clamping (km/h).

        Raises:
            ControlRefusedError: the machine reported a stop and no start since (a target could
                start a console that starts on one), or it is not connected.
        """
        self._refuse_targets_while_stopped(ControlOpCode.SET_TARGET_SPEED)
        kmh = min(kmh, self.options.max_speed_kmh)
        if self.speed_range is not None:
            kmh = self.speed_range.clamp(kmh)
        kmh = round(max(kmh, 0.0), 2)
        await self._ensure_control()
        await self._procedure(
            ControlPointRequest.set_target_speed(kmh),
            lambda s: (
                s.op_code == StatusOpCode.TARGET_SPEED_CHANGED and s.parameter("target_speed_kmh") == kmh
            ),
        )
        return kmh

    async def set_target_inclination(self, pct: float) -> float:
        """Set the target incline; returns the value sent after clamping (%) (refused as a speed is)."""
        self._refuse_targets_while_stopped(ControlOpCode.SET_TARGET_INCLINATION)
        pct = min(pct, self.options.max_incline_pct)
        if self.incline_range is not None:
            pct = self.incline_range.clamp(pct)
        pct = round(pct, 1)
        await self._ensure_control()
        await self._procedure(
            ControlPointRequest.set_target_inclination(pct),
            lambda s: (
                s.op_code == StatusOpCode.TARGET_INCLINE_CHANGED
                and s.parameter("target_inclination_pct") == pct
            ),
        )
        return pct

    async def stop(self) -> None:
        """Stop the belt."""
        await self._ensure_control()
        await self._procedure(ControlPointRequest.stop(), _is_stop)

    async def pause(self) -> None:
        """Pause the belt."""
        await self._ensure_control()
        await self._procedure(ControlPointRequest.pause(), _is_stop)

    async def procedure(self, request: ControlPointRequest) -> None:
        """Any Control Point request but Start, as it is: no clamping, no automatic Request Control.

        Raises:
            ControlResultError: the machine answered with a failure (op code not
                supported, invalid parameter, operation failed, control not permitted).
            ControlTimeoutError: no answer in time.
            ControlRefusedError: not connected, or a Start (this app never starts the belt).
        """
        if request.op_code == ControlOpCode.START_OR_RESUME:
            raise ControlRefusedError(request.op_code, "this app never starts the belt: use the console")
        await self._procedure(request, lambda _s: False)

    async def _procedure(
        self, request: ControlPointRequest, acknowledges: Callable[[MachineStatus], bool]
    ) -> None:
        link = self._links[0]
        client = link.client
        if client is None or not link.connected:
            raise ControlRefusedError(request.op_code, "the treadmill is not connected")
        async with self._control_lock:
            loop = asyncio.get_running_loop()
            pending = _Pending(request.op_code, loop.create_future(), acknowledges)
            self._pending = pending
            started = loop.time()
            try:
                await client.write_gatt_char(full_uuid(CONTROL_POINT), bytes(request), response=True)
                async with asyncio.timeout(self.options.control_timeout_s):
                    answer = await pending.future
            except TimeoutError:
                raise ControlTimeoutError(
                    request.op_code, f"no answer to control op 0x{request.op_code:02x}"
                ) from None
            except BleakError as exc:
                raise ControlError(
                    request.op_code, f"control op 0x{request.op_code:02x} not written: {exc}"
                ) from exc
            finally:
                self._pending = None
            self.stats.control_wall_s.append(loop.time() - started)
        if isinstance(answer, ControlPointResponse) and not answer.succeeded:
            if answer.result_code == 0x05:
                self.has_control = False
            raise ControlResultError(request.op_code, answer.result_code, answer.result)


def _is_stop(status: MachineStatus) -> bool:
    return status.op_code in (StatusOpCode.STOPPED_OR_PAUSED_BY_USER, StatusOpCode.STOPPED_BY_SAFETY_KEY)


_T = TypeVar("_T")


async def _read(client: BleakClient, char: str, decode: Callable[[bytes], _T]) -> _T | None:
    """Read an optional characteristic; a missing or short one is None, not a failed connect."""
    if client.services.get_characteristic(full_uuid(char)) is None:
        return None
    try:
        return decode(bytes(await client.read_gatt_char(full_uuid(char))))
    except (BleakError, FrameError) as exc:
        logger.warning("could not read %s: %s", char, exc)
        return None


class _Link:
    """One device's connection, kept alive across outages."""

    def __init__(
        self, owner: FtmsClient, target: str | BLEDevice, src: Sensor, chars: tuple[str, ...]
    ) -> None:
        self.owner = owner
        self.target = target
        self.address = target.address if isinstance(target, BLEDevice) else target
        self.src = src
        self.chars = chars
        self.client: BleakClient | None = None
        self.connected = False
        self._lost: asyncio.Event = asyncio.Event()

    def _on_disconnected(self, _client: BleakClient) -> None:
        self.connected = False
        self._lost.set()

    async def _connect_once(self) -> BleakClient:
        owner = self.owner
        client = BleakClient(
            self.target,
            disconnected_callback=self._on_disconnected,
            timeout=owner.options.connect_timeout_s,
            **owner.backend.client_options,
        )
        with bluetooth_errors():
            await client.connect()
        try:
            if self.src is Sensor.TREADMILL:
                await owner.on_treadmill_connected(client)
            for char in self.chars:
                if client.services.get_characteristic(full_uuid(char)) is None:
                    continue

                def callback(_c: BleakGATTCharacteristic, data: bytearray, char: str = char) -> None:
                    owner.on_frame(self.src, char, data)

                await client.start_notify(full_uuid(char), callback)
        except BaseException:
            with contextlib.suppress(BleakError, TimeoutError):
                await client.disconnect()
            raise
        return client

    def _give_up(self, first: asyncio.Future[None] | None, error: Exception) -> None:
        self.owner.emit(LinkEventKind.GAVE_UP, self.src, str(error))
        if first is not None and not first.done():
            first.set_exception(error)

    async def _connect_with_retries(self, first: asyncio.Future[None] | None, *, reconnecting: bool) -> bool:
        """Connect, backing off between attempts; False when out of attempts or Bluetooth is unusable."""
        owner = self.owner
        limit = owner.options.reconnect_attempts if reconnecting else owner.options.connect_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                self._lost = asyncio.Event()
                self.client = await self._connect_once()
            except TreadmillError as exc:  # Bluetooth unusable: retrying cannot help
                self._give_up(first, exc)
                return False
            except (BleakError, TimeoutError, OSError) as exc:
                if limit is not None and attempt >= limit:
                    self._give_up(
                        first, LinkError(self.address, f"no connection after {attempt} attempts: {exc}")
                    )
                    return False
                delay = owner.backoff_s(attempt)
                owner.emit(
                    LinkEventKind.RECONNECTING, self.src, f"attempt {attempt + 1} in {delay:.1f} s: {exc}"
                )
                await asyncio.sleep(delay)
            else:
                return True

    async def run(self, first: asyncio.Future[None] | None) -> None:
        """Connect, then keep reconnecting until cancelled (or out of attempts)."""
        owner = self.owner
        loop = asyncio.get_running_loop()
        lost_at: float | None = None
        try:
            while await self._connect_with_retries(first, reconnecting=lost_at is not None):
                self.connected = True
                if _cancel_requested():  # the connect finished as the session ended: end here too
                    raise asyncio.CancelledError
                owner.stats.connects += 1
                if lost_at is not None:
                    owner.stats.reconnect_wall_s.append(loop.time() - lost_at)
                detail = self.address if lost_at is None else f"after {loop.time() - lost_at:.2f} s"
                owner.emit(LinkEventKind.CONNECTED, self.src, detail)
                if self.src is Sensor.TREADMILL:
                    owner.after_treadmill_connected()
                if first is not None and not first.done():
                    first.set_result(None)
                await self._lost.wait()
                lost_at = loop.time()
                owner.stats.disconnects += 1
                owner.emit(LinkEventKind.DISCONNECTED, self.src, "link lost")
                if self.src is Sensor.TREADMILL:
                    owner.has_control = False
                if not owner.options.reconnect:
                    return
        finally:
            client, self.client = self.client, None
            if client is not None and self.connected:
                self.connected = False
                with contextlib.suppress(BleakError, TimeoutError, OSError):
                    await asyncio.shield(client.disconnect())


def _cancel_requested() -> bool:
    """Whether this task was asked to stop, even if a library swallowed the request on the way.

    Python 3.11's ``asyncio.wait_for`` (which Bumble's connect uses) can drop a cancellation
    that arrives as the operation it waits on completes (CPython gh-86296, fixed in 3.12);
    the task then carries on, and would wait for a link loss that never comes.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0

"""The session engine: one source, the decoding and the direction stages, and the consumers.

A source (the live client, or a replayed recording) yields frames, link events and cues on
one session clock. The engine passes each through two synchronous stages, in order:

1. :class:`~treadmill.session.decoding.SampleDecoder`: frames become samples and machine
   status reports, decoded once for everyone;
2. :class:`~treadmill.session.board.LiveBoard`: the one direction detector labels each
   sample, and the totals, the link state and the chart follow.

Then every item goes to each consumer through that consumer's own bounded queue, with the
overflow policy it states:

* :attr:`Overflow.NEVER_DROP`: a full queue makes the engine wait; nothing is ever lost.
  The recorder, the coach and MQTT use it (their ``handle`` never waits on the network; the
  MQTT outbox is what drops, and counts).
* :attr:`Overflow.DROP_OLDEST`: the oldest queued item goes, and is counted.
* :attr:`Overflow.KEEP_LATEST`: only the newest item waits (progress lines).

Everything runs in one ``asyncio.TaskGroup``. A consumer that fails is cut off and told so
(``close(error)``), so that nothing it runs beside the session (the coach's ticker) goes on
acting on what it can no longer see; the others and the source go on. A source that fails
ends the session, which is reported, and the consumers still get everything already read.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from treadmill.core.pipeline import Pipeline
from treadmill.model import Cue, Frame, ImplausibleReading, LinkEvent, Sample, StatusReport
from treadmill.session.board import LiveBoard
from treadmill.session.consumer import Consumer, Overflow, SessionItem, Source, SourceItem
from treadmill.session.decoding import DecodeStats, SampleDecoder

__all__ = ["ConsumerReport", "Session", "SessionResult"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ConsumerReport:
    """How one consumer fared."""

    name: str
    delivered: int = 0
    dropped: int = 0
    error: str | None = None


@dataclass(slots=True)
class SessionResult:
    """What a session produced."""

    samples: list[Sample]
    cues: list[Cue]
    events: list[LinkEvent]
    statuses: int
    """Machine status reports seen."""
    decode: DecodeStats
    consumers: list[ConsumerReport]
    board: LiveBoard
    """The session's board: its pipeline holds the labelled timeline and the totals."""
    source_error: str | None = None
    ended_at_s: float = field(default=0.0)
    """Session time of the last item."""

    @property
    def pipeline(self) -> Pipeline:
        """The session's detector, timeline and totals."""
        return self.board.pipeline


class _Outlet:
    """One consumer's queue and the task that drains it."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        self.report = ConsumerReport(consumer.name)
        self.queue: collections.deque[SessionItem | None] = collections.deque()
        self.ready = asyncio.Event()
        self.space = asyncio.Event()
        self.space.set()
        self.failed = False

    async def put(self, item: SessionItem | None) -> None:
        if self.failed:
            return
        policy = self.consumer.overflow
        while len(self.queue) >= self.consumer.capacity and item is not None:
            if policy is Overflow.NEVER_DROP:
                self.space.clear()
                await self.space.wait()
                if self.failed:
                    return
                continue
            if policy is Overflow.KEEP_LATEST:
                self.report.dropped += len(self.queue)
                self.queue.clear()
            else:
                self.queue.popleft()
                self.report.dropped += 1
        self.queue.append(item)
        self.ready.set()

    async def drain(self) -> None:
        consumer = self.consumer
        error = None
        try:
            while True:
                while not self.queue:
                    self.ready.clear()
                    await self.ready.wait()
                item = self.queue.popleft()
                self.space.set()
                if item is None:
                    break
                await consumer.handle(item)
                self.report.delivered += 1
        except Exception as exc:
            self.failed = True
            error = self.report.error = f"{type(exc).__name__}: {exc}"
            logger.exception("consumer %s failed; the session goes on without it", consumer.name)
            self.queue.clear()
            self.space.set()
        finally:
            try:
                await consumer.close(error)
            except Exception:
                logger.exception("consumer %s failed to close", consumer.name)


class Session:
    """Runs one session from a source to its end (or to ``until_s`` of session time)."""

    def __init__(
        self,
        source: Source,
        consumers: Sequence[Consumer] = (),
        *,
        board: LiveBoard | None = None,
        until_s: float | None = None,
    ) -> None:
        """Nothing runs until :meth:`run`. ``board`` carries the person's body and detector."""
        self.source = source
        self.until_s = until_s
        self.board = board or LiveBoard()
        self._outlets = [_Outlet(c) for c in consumers]
        self.decoder = SampleDecoder()
        self.samples: list[Sample] = []
        self.cues: list[Cue] = []
        self.events: list[LinkEvent] = []
        self.statuses = 0
        self._last_t = 0.0
        self._pump_task: asyncio.Task[None] | None = None

    def add_consumer(self, consumer: Consumer) -> None:
        """One more consumer (before :meth:`run`)."""
        if self._pump_task is not None:
            raise RuntimeError("consumers are added before the session runs")
        self._outlets.append(_Outlet(consumer))

    async def _deliver(self, item: SessionItem) -> None:
        self._last_t = max(self._last_t, item.t)
        for outlet in self._outlets:
            await outlet.put(item)

    def stop(self) -> None:
        """End the session now: what the source already received is still processed."""
        if self._pump_task is not None:
            self._pump_task.cancel()

    async def add_cue(self, cue: Cue) -> None:
        """A cue the app gives during the session (the coach's way in)."""
        await self._take(cue)

    async def add_frame(self, frame: Frame) -> None:
        """A frame from a sensor beside the source (a worn phone), stamped on the session clock."""
        await self._take(frame)

    async def add_event(self, event: LinkEvent) -> None:
        """A session event the app records (the person's direction marks)."""
        await self._take(event)

    async def _pump(self) -> None:
        async for item in self.source.items():
            if self.until_s is not None and item.t > self.until_s:
                break
            await self._take(item)

    async def _take(self, item: SourceItem) -> None:
        if isinstance(item, Frame):
            decoded = self.decoder.feed(item)
            await self._deliver(item)
            if isinstance(decoded, Sample):
                labelled = self.board.take(decoded)
                assert isinstance(labelled, Sample | ImplausibleReading)
                if isinstance(labelled, Sample):
                    self.samples.append(labelled)
                await self._deliver(labelled)
            elif decoded is not None:
                self.source.acknowledge(decoded)
                self.statuses += isinstance(decoded, StatusReport)
                await self._deliver(decoded)
            return
        if item.t < self._last_t:  # a cue or mark that comes a moment after a later frame
            item = replace(item, t=self._last_t)  # keeps session time in order, as the recording does
        if isinstance(item, LinkEvent):
            self.decoder.on_event(item)
            self.events.append(item)
        else:
            self.cues.append(item)
        await self._deliver(self.board.take(item))

    async def run(self) -> SessionResult:
        """Run to the end; never raises for a failing source or consumer (see the result)."""
        source_error = None
        async with asyncio.TaskGroup() as tasks:
            for outlet in self._outlets:
                tasks.create_task(outlet.drain(), name=f"consumer-{outlet.consumer.name}")
            # The pump is not a child of the group: its failure is reported, not propagated.
            pump = self._pump_task = asyncio.create_task(self._pump(), name="session-source")
            try:
                await asyncio.wait([pump])
            except asyncio.CancelledError:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
                raise
            if pump.cancelled():  # stop(): take what the source had already received
                for item in self.source.pending_items():
                    if self.until_s is None or item.t <= self.until_s:
                        await self._take(item)
            elif (exc := pump.exception()) is not None:
                source_error = f"{type(exc).__name__}: {exc}"
                logger.error("the source failed, ending the session: %s", source_error, exc_info=exc)
            for outlet in self._outlets:
                await outlet.put(None)
        return SessionResult(
            samples=self.samples,
            cues=self.cues,
            events=self.events,
            statuses=self.statuses,
            decode=self.decoder.stats,
            consumers=[o.report for o in self._outlets],
            board=self.board,
            source_error=source_error,
            ended_at_s=self._last_t,
        )

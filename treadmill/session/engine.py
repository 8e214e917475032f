"""The session engine: one source, the decoder and the core, and the consumers.

A source (the live client, or a replayed fixture) yields frames, link events and cues on
one session clock. The engine decodes frames into samples, keeps the session's timeline,
and hands every item to each consumer through that consumer's own bounded queue, with the
overflow policy the consumer states:

* :attr:`Overflow.NEVER_DROP` (the recorder): a full queue makes the engine wait; nothing
  is ever lost. The queue is large, so this only happens if the disk stalls for minutes.
* :attr:`Overflow.DROP_OLDEST` (MQTT): the oldest queued item goes, and is counted.
* :attr:`Overflow.KEEP_LATEST` (the screen): only the newest item waits.

Everything runs in one ``asyncio.TaskGroup``. A consumer that fails is reported and cut
off; the others and the source go on. A source that fails ends the session, which is
reported, and the consumers still get everything already read.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from treadmill.core.analysis import analyze
from treadmill.core.intervals import SessionSummary
from treadmill.model import Cue, Frame, LinkEvent, LinkEventKind
from treadmill.session.decoding import DecodeStats, Sample, SampleDecoder

__all__ = ["Consumer", "ConsumerReport", "Overflow", "Session", "SessionItem", "SessionResult", "Source"]

logger = logging.getLogger(__name__)

SessionItem = Frame | LinkEvent | Cue | Sample


class Source(Protocol):
    """Anything that yields a session's raw items in time order (FtmsClient, ReplaySource)."""

    def items(self) -> AsyncIterator[Frame | LinkEvent | Cue]:
        """The items, until the source ends."""
        ...

    def pending_items(self) -> Sequence[Frame | LinkEvent | Cue]:
        """Items already received but not yet yielded (taken when the session is stopped)."""
        ...


class Overflow(enum.StrEnum):
    """What a consumer's queue does when it is full."""

    NEVER_DROP = "never_drop"
    DROP_OLDEST = "drop_oldest"
    KEEP_LATEST = "keep_latest"


class Consumer(Protocol):
    """Something that takes the session's items: recorder, screen, MQTT, exporter."""

    name: str
    overflow: Overflow
    capacity: int

    async def handle(self, item: SessionItem) -> None:
        """Take one item."""
        ...

    async def close(self) -> None:
        """The session is over: flush and release."""
        ...


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
    decode: DecodeStats
    consumers: list[ConsumerReport]
    source_error: str | None = None
    summary: SessionSummary | None = field(default=None)


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
            self.report.error = f"{type(exc).__name__}: {exc}"
            logger.exception("consumer %s failed; the session goes on without it", consumer.name)
            self.queue.clear()
            self.space.set()
        finally:
            with contextlib.suppress(Exception):
                await consumer.close()


class Session:
    """Runs one session from a source to its end (or to ``until_s`` of session time)."""

    def __init__(
        self, source: Source, consumers: Sequence[Consumer] = (), *, until_s: float | None = None
    ) -> None:
        """Nothing runs until :meth:`run`."""
        self.source = source
        self.until_s = until_s
        self._outlets = [_Outlet(c) for c in consumers]
        self.decoder = SampleDecoder()
        self.samples: list[Sample] = []
        self.cues: list[Cue] = []
        self.events: list[LinkEvent] = []
        self._pump_task: asyncio.Task[None] | None = None

    async def _deliver(self, item: SessionItem) -> None:
        for outlet in self._outlets:
            await outlet.put(item)

    def stop(self) -> None:
        """End the session now: what the source already received is still processed."""
        if self._pump_task is not None:
            self._pump_task.cancel()

    async def add_cue(self, cue: Cue) -> None:
        """A cue the app gives during the session (the cue engine's way in)."""
        self.cues.append(cue)
        await self._deliver(cue)

    async def add_event(self, event: LinkEvent) -> None:
        """A session event the app records (the user's direction marks)."""
        self.events.append(event)
        await self._deliver(event)

    async def _pump(self) -> None:
        async for item in self.source.items():
            if self.until_s is not None and item.t > self.until_s:
                break
            await self._take(item)

    async def _take(self, item: Frame | LinkEvent | Cue) -> None:
        if isinstance(item, Frame):
            sample = self.decoder.feed(item)
            await self._deliver(item)
            if sample is not None:
                self.samples.append(sample)
                await self._deliver(sample)
            return
        if isinstance(item, LinkEvent):
            self.decoder.on_event(item)
            self.events.append(item)
        else:
            self.cues.append(item)
        await self._deliver(item)

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
            decode=self.decoder.stats,
            consumers=[o.report for o in self._outlets],
            source_error=source_error,
            summary=self.summary(),
        )

    def summary(self) -> SessionSummary:
        """Per-direction totals and intervals of what has been seen so far, as the live detector saw them."""
        marks = [(e.t, e.detail) for e in self.events if e.kind is LinkEventKind.MARKED]
        return analyze(self.samples, [(c.t, c.direction) for c in self.cues], marks).summary

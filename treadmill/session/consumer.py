"""What flows through a session and who takes it: the items, the source and consumer contracts.

A source (the live client, a replayed recording) yields :data:`SourceItem`; the engine
adds what its stages make of them (samples, status reports, control replies) and hands
every :data:`SessionItem` to each :class:`Consumer` through a bounded queue whose
:class:`Overflow` policy the consumer states.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from treadmill.model import ControlReply, Cue, Frame, ImplausibleReading, LinkEvent, Sample, StatusReport

__all__ = ["Consumer", "Overflow", "SessionItem", "Source", "SourceItem"]

SessionItem = Frame | LinkEvent | Cue | Sample | ImplausibleReading | StatusReport | ControlReply
SourceItem = Frame | LinkEvent | Cue


class Source(Protocol):
    """Anything that yields a session's raw items in time order (FtmsClient, ReplaySource)."""

    def items(self) -> AsyncIterator[SourceItem]:
        """The items, until the source ends."""
        ...

    def pending_items(self) -> Sequence[SourceItem]:
        """Items already received but not yet yielded (taken when the session is stopped)."""
        ...

    def acknowledge(self, item: StatusReport | ControlReply) -> None:
        """The machine's decoded status or control reply: it may answer a procedure the source awaits."""
        ...


class Overflow(enum.StrEnum):
    """What a consumer's queue does when it is full."""

    NEVER_DROP = "never_drop"
    DROP_OLDEST = "drop_oldest"
    KEEP_LATEST = "keep_latest"


class Consumer(Protocol):
    """Something that takes the session's items: the recorder, the coach, MQTT, a progress line."""

    name: str
    overflow: Overflow
    capacity: int

    async def handle(self, item: SessionItem) -> None:
        """Take one item."""
        ...

    async def close(self, error: str | None) -> None:
        """The session is over for this consumer: ``error`` says why it was cut off early (None: the end)."""
        ...

"""The recorder: a session consumer that writes every raw item to the recording as it arrives.

Frames, link events (marks among them) and cues are written; samples are derived, so they
are not. The queue never drops. A write that fails (a full disk) is said once through
``on_failure`` (the live session then ends cleanly), and the recording keeps everything
written before it.
"""

from __future__ import annotations

from collections.abc import Callable

from treadmill.model import Cue, Frame, LinkEvent
from treadmill.session.consumer import Overflow, SessionItem
from treadmill.storage.files import StorageError
from treadmill.storage.fixtures import FixtureWriter

__all__ = ["FixtureRecorder"]


class FixtureRecorder:
    """Session consumer that writes frames, events and cues to a recording. Never drops."""

    name = "recorder"
    overflow = Overflow.NEVER_DROP
    capacity = 10_000

    def __init__(
        self, writer: FixtureWriter, on_failure: Callable[[StorageError], None] | None = None
    ) -> None:
        """Writes to ``writer``; closes it when the session ends."""
        self.writer = writer
        self.on_failure = on_failure

    @property
    def frames(self) -> int:
        """Frames written so far."""
        return self.writer.frames

    async def handle(self, item: SessionItem) -> None:
        """Write a raw item (nothing more once a write has failed)."""
        if self.writer.error is not None:
            return
        try:
            if isinstance(item, Frame):
                self.writer.frame(item)
            elif isinstance(item, LinkEvent):
                self.writer.event(item)
            elif isinstance(item, Cue):
                self.writer.cue(item.t, item.direction)
        except StorageError as exc:
            if self.on_failure is not None:
                self.on_failure(exc)

    async def close(self, error: str | None) -> None:  # noqa: ARG002 (the file is closed either way)
        """Sync and close the file."""
        self.writer.close()

"""Past sessions: every app session's recording, a summary beside it, and how it felt.

Each session the app runs is recorded (docs/formats.md) in the sessions folder as it
happens, so a crash loses at most the last second. Its file is created exclusively under a
unique name, so two sessions started in the same second each keep their own. When the
session ends, a small JSON summary is written beside it (``<recording>.json``),
atomically; the one-key rating is added to it later. A recording without a summary (the
app was killed) still shows in the history, marked as interrupted.

The sessions folder is ``sessions/`` in the user data folder (platformdirs), or in
``TREADMILL_DATA_DIR`` when that is set.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from treadmill.core.intervals import SessionSummary
from treadmill.inputs import InputError, finite, one_of, printable, read_bounded
from treadmill.model import Direction
from treadmill.storage.files import being_written, replace_atomically
from treadmill.storage.fixtures import FixtureError, read_fixture
from treadmill.storage.paths import data_dir
from treadmill.workout.builtin import CHALLENGE_ID, Rating

__all__ = ["History", "SessionRecord"]

logger = logging.getLogger(__name__)
_RATINGS = frozenset(Rating)
SHORTEST_S = 60.0
"""Sessions with less belt time than this are left out of the history's list and counts."""


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One past session, as the history lists it."""

    fixture: Path
    started_at: str
    """ISO 8601, UTC."""
    plan_id: str | None
    plan_name: str
    duration_s: float
    forward_s: float = 0.0
    reverse_s: float = 0.0
    forward_m: float = 0.0
    reverse_m: float = 0.0
    kcal: float = 0.0
    rating: Rating | None = None
    interrupted: bool = False
    """No summary was written: the app did not get to the end of the session."""
    running: bool = False
    """No summary yet, and the recording is still being written (a session under way elsewhere)."""

    @property
    def moving_s(self) -> float:
        """Seconds the belt moved (facing either way)."""
        return self.forward_s + self.reverse_s

    @property
    def real(self) -> bool:
        """A session worth listing: under way, or with at least :data:`SHORTEST_S` of belt time.

        A session stopped in its first seconds (a wrong workout picked, the belt never
        started) is still on disk, but it is not progress.
        """
        if self.running:
            return True
        length = self.duration_s if self.interrupted else self.moving_s
        return length >= SHORTEST_S

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the summary file)."""
        out = asdict(self)
        out["fixture"] = self.fixture.name
        del out["interrupted"], out["running"]
        return out


class History:
    """The sessions folder."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder`` defaults to ``sessions/`` under :func:`data_dir`."""
        self.folder = folder or data_dir() / "sessions"

    def stem(self, plan_id: str | None, now: datetime) -> str:
        """The name a session starting ``now`` is recorded under (``-2``... is added if it is taken)."""
        slug = re.sub(r"[^a-z0-9]+", "-", (plan_id or "free-run").lower()).strip("-")[:40] or "session"
        return f"{now.astimezone(UTC):%Y%m%d-%H%M%S}-{slug}"

    @staticmethod
    def _summary_path(fixture: Path) -> Path:
        return fixture.with_suffix(".json")

    def save(
        self,
        fixture: Path,
        started_at: datetime,
        plan_id: str | None,
        plan_name: str,
        summary: SessionSummary,
    ) -> SessionRecord:
        """Write the summary of a finished session beside its fixture."""
        totals = summary.totals
        record = SessionRecord(
            fixture=fixture,
            started_at=started_at.astimezone(UTC).isoformat(timespec="seconds"),
            plan_id=plan_id,
            plan_name=plan_name,
            duration_s=summary.duration_s,
            forward_s=totals[Direction.FORWARD].time_s,
            reverse_s=totals[Direction.REVERSE].time_s,
            forward_m=totals[Direction.FORWARD].distance_m,
            reverse_m=totals[Direction.REVERSE].distance_m,
            kcal=summary.kcal,
        )
        self._write(record)
        return record

    def rate(self, record: SessionRecord, rating: Rating) -> SessionRecord:
        """Keep how the session felt."""
        rated = replace(record, rating=rating)
        self._write(rated)
        return rated

    def _write(self, record: SessionRecord) -> None:
        replace_atomically(
            self._summary_path(record.fixture), json.dumps(record.to_dict(), indent=1).encode()
        )

    def sessions(self) -> list[SessionRecord]:
        """The sessions worth listing (:attr:`SessionRecord.real`), oldest first."""
        return [r for r in self.records() if r.real]

    def records(self) -> list[SessionRecord]:
        """Every session on disk, oldest first; unreadable files are logged and left out."""
        if not self.folder.is_dir():
            return []
        out = []
        for fixture in sorted(self.folder.glob("*.jsonl")):
            record = self._load(fixture)
            if record is not None:
                out.append(record)
        return sorted(out, key=lambda r: r.started_at)

    def _load(self, fixture: Path) -> SessionRecord | None:
        summary = self._summary_path(fixture)
        try:
            return _record(fixture, json.loads(read_bounded(summary, "session summary", 100_000)))
        except InputError as exc:
            if summary.exists():
                logger.warning("unreadable session summary %s (%s)", summary, exc)
        except (ValueError, TypeError, RecursionError) as exc:
            logger.warning("unreadable session summary %s (%s)", summary, exc)
        try:
            found = read_fixture(fixture, tolerant=True)
        except (OSError, FixtureError) as exc:
            logger.warning("unreadable session %s (%s)", fixture, exc)
            return None
        running = being_written(fixture)
        return SessionRecord(
            fixture=fixture,
            started_at=str(found.header.get("started_at", "")),
            plan_id=None,
            plan_name="(under way)" if running else "(interrupted)",
            duration_s=found.duration_s,
            interrupted=not running,
            running=running,
        )

    def challenge_next(self) -> tuple[int, Rating | None]:
        """The 7-day challenge's next day (1-7) and how the last challenge session felt."""
        done = [r for r in self.sessions() if r.plan_id == CHALLENGE_ID and not r.interrupted]
        if not done:
            return 1, None
        return min(len(done) + 1, 7), done[-1].rating


_NUMBERS = ("duration_s", "forward_s", "reverse_s", "forward_m", "reverse_m", "kcal")


def _record(fixture: Path, data: object) -> SessionRecord:
    """A summary file's record, every field checked (a hand-edited file cannot crash the history)."""
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    plan_id, plan_name, started = data.get("plan_id"), data.get("plan_name"), data.get("started_at")
    if not isinstance(started, str) or not isinstance(plan_name, str):
        raise TypeError("started_at and plan_name must be text")
    rating = data.get("rating")
    return SessionRecord(
        fixture=fixture,
        started_at=printable(started)[:40],
        plan_id=plan_id if isinstance(plan_id, str) else None,
        plan_name=printable(plan_name)[:80],
        rating=Rating(rating) if one_of(rating, _RATINGS) else None,
        **{key: finite(data.get(key, 0.0), key, low=0.0) for key in _NUMBERS},  # type: ignore[arg-type]
    )

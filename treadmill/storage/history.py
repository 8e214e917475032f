"""Past sessions: every app session's fixture, a summary beside it, and how it felt.

Each session the app runs is recorded as a fixture (contracts.md §2) in the sessions folder
as it happens, so a crash loses at most the last second. When the session ends, a small
JSON summary is written beside it (``<fixture>.json``), atomically; the one-key rating
("easy", "ok", "hard") is added to it later. A fixture without a summary (the app was
killed) still shows in the history, marked as interrupted.

The sessions folder is ``sessions/`` in the user data folder (platformdirs), or in
``TREADMILL_DATA_DIR`` when that is set.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from treadmill.core.intervals import SessionSummary
from treadmill.storage.fixtures import FixtureError, read_fixture
from treadmill.workout.builtin import CHALLENGE_ID, RATINGS

__all__ = ["RATINGS", "History", "SessionRecord", "data_dir"]

logger = logging.getLogger(__name__)


def data_dir() -> Path:
    """Where sessions are kept: ``TREADMILL_DATA_DIR`` or the platform's user data folder."""
    override = os.environ.get("TREADMILL_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path("treadmill-companion")


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
    rating: str | None = None
    interrupted: bool = False
    """No summary was written: the app did not get to the end of the session."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the summary file)."""
        out = asdict(self)
        out["fixture"] = self.fixture.name
        del out["interrupted"]
        return out


class History:
    """The sessions folder."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder`` defaults to ``sessions/`` under :func:`data_dir`."""
        self.folder = folder or data_dir() / "sessions"

    def new_fixture(self, plan_id: str | None, now: datetime) -> Path:
        """A fresh fixture path for a session starting ``now`` (never an existing file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", (plan_id or "free-run").lower()).strip("-") or "session"
        stem = f"{now.astimezone(UTC):%Y%m%d-%H%M%S}-{slug}"
        path, n = self.folder / f"{stem}.jsonl", 1
        while path.exists():
            n += 1
            path = self.folder / f"{stem}-{n}.jsonl"
        return path

    def discard_if_empty(self, fixture: Path) -> bool:
        """Remove ``fixture`` if the treadmill never sent a frame (a session that never began)."""
        try:
            empty = not read_fixture(fixture, tolerant=True).frames
        except FixtureError:  # missing or not even a header: only a zero-length file goes
            empty = not fixture.exists() or fixture.stat().st_size == 0
        if empty:
            fixture.unlink(missing_ok=True)
        return empty

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
            forward_s=totals["forward"].time_s,
            reverse_s=totals["reverse"].time_s,
            forward_m=totals["forward"].distance_m,
            reverse_m=totals["reverse"].distance_m,
            kcal=sum(t.kcal for t in totals.values()),
        )
        self._write(record)
        return record

    def rate(self, record: SessionRecord, rating: str) -> SessionRecord:
        """Keep how the session felt (one of :data:`RATINGS`)."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}")
        rated = replace(record, rating=rating)
        self._write(rated)
        return rated

    def _write(self, record: SessionRecord) -> None:
        path = self._summary_path(record.fixture)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(record.to_dict(), indent=1), encoding="utf-8")
        temporary.replace(path)

    def records(self) -> list[SessionRecord]:
        """Every session, oldest first; unreadable files are logged and left out."""
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
            data = json.loads(summary.read_text(encoding="utf-8"))
            fields = {k: v for k, v in data.items() if k in SessionRecord.__dataclass_fields__}
            return SessionRecord(**{**fields, "fixture": fixture})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("unreadable session summary %s (%s)", summary, exc)
        try:
            found = read_fixture(fixture, tolerant=True)
        except (OSError, FixtureError) as exc:
            logger.warning("unreadable session %s (%s)", fixture, exc)
            return None
        return SessionRecord(
            fixture=fixture,
            started_at=str(found.header.get("started_at", "")),
            plan_id=None,
            plan_name="(interrupted)",
            duration_s=found.duration_s,
            interrupted=True,
        )

    def challenge_next(self) -> tuple[int, str | None]:
        """The 7-day challenge's next day (1-7) and how the last challenge session felt."""
        done = [r for r in self.records() if r.plan_id == CHALLENGE_ID and not r.interrupted]
        if not done:
            return 1, None
        return min(len(done) + 1, 7), done[-1].rating

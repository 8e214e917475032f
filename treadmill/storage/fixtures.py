"""Fixtures: recorded sessions as JSON Lines, version 1 (contracts.md §2).

The first line is a header; every other line has a session time ``t`` and is a raw frame
(``char`` + ``hex``), a cue, a truth line or an event. Frames are written before anything
decodes them, so any later decoder can run on old sessions.

:class:`FixtureWriter` appends and flushes every line, and syncs the file to disk at most
once a second, so a crash or a power cut loses at most the last second.
:func:`read_fixture` is strict by default (the first bad line is a :class:`FixtureError`
naming the file and line) or tolerant (bad lines are skipped and counted). Unknown keys
and kinds of lines are ignored in both modes, so later versions can add them.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from treadmill.errors import TreadmillError
from treadmill.ftms.uuids import short_uuid
from treadmill.model import Cue, Frame, LinkEvent, LinkEventKind, Sensor

__all__ = ["FORMAT", "VERSION", "Fixture", "FixtureError", "FixtureWriter", "read_fixture"]

FORMAT = "treadmill-fixture"
VERSION = 1
SYNC_INTERVAL_S = 1.0
"""At most this much wall-clock time between syncs to disk."""


class FixtureError(TreadmillError, ValueError):
    """A fixture line that cannot be read.

    Attributes:
        path: the file.
        line: 1-based line number (0 for the file as a whole).
        reason: what is wrong.
    """

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


class FixtureWriter:
    """Appends one session to a fixture file. Use as a context manager (or call :meth:`close`)."""

    def __init__(
        self,
        path: Path | str,
        *,
        device: dict[str, str] | None = None,
        started_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Create ``path`` (it must not exist: a recording is never overwritten) and write the header."""
        self.path = Path(path)
        self._file: IO[str] = self.path.open("x", encoding="utf-8")
        self._last_t = 0.0
        self._last_sync = time.monotonic()
        self.lines = 0
        started = (started_at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        header: dict[str, Any] = {"format": FORMAT, "version": VERSION, "started_at": started}
        header["device"] = device or {}
        header.update(extra or {})
        self._write(header)

    def __enter__(self) -> Self:
        """The writer itself."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Sync and close."""
        self.close()

    def _write(self, obj: dict[str, Any]) -> None:
        self._file.write(json.dumps(obj, separators=(", ", ": ")) + "\n")
        self._file.flush()
        self.lines += 1
        now = time.monotonic()
        if now - self._last_sync >= SYNC_INTERVAL_S:
            os.fsync(self._file.fileno())
            self._last_sync = now

    def _t(self, t: float) -> float:
        """Session time, kept non-decreasing (a tick may trail a frame stamped on arrival by a hair)."""
        self._last_t = max(self._last_t, t)
        return self._last_t

    def frame(self, frame: Frame) -> None:
        """A raw payload, as it arrived."""
        line: dict[str, Any] = {"t": self._t(frame.t), "char": frame.char, "hex": frame.data.hex()}
        if frame.src is not Sensor.TREADMILL:
            line["src"] = frame.src.value
        self._write(line)

    def event(self, event: LinkEvent) -> None:
        """A session event (connected, disconnected, stale, ...)."""
        line: dict[str, Any] = {"t": self._t(event.t), "event": event.kind.value}
        if event.src is not Sensor.TREADMILL:
            line["src"] = event.src.value
        if event.detail:
            line["detail"] = event.detail
        self._write(line)

    def cue(self, t: float, cue: str) -> None:
        """The app told the user to switch: ``forward``, ``reverse`` or ``stop``."""
        self._write({"t": self._t(t), "cue": cue})

    def truth(self, t: float, truth: str) -> None:
        """Ground truth from the runner model: ``forward``, ``reverse`` or ``stopped``."""
        self._write({"t": self._t(t), "truth": truth})

    @property
    def closed(self) -> bool:
        """True once the file is closed."""
        return self._file.closed

    def close(self) -> None:
        """Flush, sync and close (idempotent)."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


@dataclass(slots=True)
class Fixture:
    """A fixture as read: the header and each kind of line, in file order."""

    path: Path
    header: dict[str, Any]
    frames: list[Frame] = field(default_factory=list)
    cues: list[tuple[float, str]] = field(default_factory=list)
    truth: list[tuple[float, str]] = field(default_factory=list)
    """Ground truth: only for evaluation; no detector may read it."""
    events: list[tuple[float, str, str]] = field(default_factory=list)
    """(t, event, detail)."""
    items: list[Frame | LinkEvent | Cue] = field(default_factory=list)
    """Frames, known link events and cues, in file order: what a replay source yields."""
    skipped: list[FixtureError] = field(default_factory=list)
    """Lines a tolerant read skipped, with why."""

    @property
    def duration_s(self) -> float:
        """Session time of the last line."""
        times = (
            [f.t for f in self.frames[-1:]]
            + [c[0] for c in self.cues[-1:]]
            + [e[0] for e in self.events[-1:]]
        )
        times += [x[0] for x in self.truth[-1:]]
        return max(times, default=0.0)


def _header(path: Path, line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        raise FixtureError(path, 1, "no header: the first line is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise FixtureError(path, 1, f'no header: the first line must be {{"format": "{FORMAT}", ...}}')
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise FixtureError(path, 1, f"header has no valid version (got {version!r})")
    return header


def _parse(path: Path, number: int, line: str, last_t: float) -> dict[str, Any]:
    """One body line as a dict with a float ``t`` (raises FixtureError)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FixtureError(path, number, f"not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise FixtureError(path, number, "not a JSON object")
    t = obj.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
        raise FixtureError(path, number, "missing or invalid 't'")
    if t < last_t:
        raise FixtureError(path, number, f"'t' goes backwards ({t} after {last_t})")
    obj["t"] = float(t)
    return obj


def _add(fixture: Fixture, path: Path, number: int, obj: dict[str, Any]) -> None:
    t = obj["t"]
    if "char" in obj or "hex" in obj:
        try:
            char = short_uuid(str(obj["char"]))
            data = bytes.fromhex(str(obj["hex"]))
            src = Sensor(obj.get("src", Sensor.TREADMILL.value))
        except (KeyError, ValueError) as exc:
            raise FixtureError(path, number, f"bad frame line ({exc})") from None
        frame = Frame(t, char, data, src)
        fixture.frames.append(frame)
        fixture.items.append(frame)
    elif "cue" in obj:
        fixture.cues.append((t, str(obj["cue"])))
        fixture.items.append(Cue(t, str(obj["cue"])))
    elif "truth" in obj:
        fixture.truth.append((t, str(obj["truth"])))
    elif "event" in obj:
        name, detail = str(obj["event"]), str(obj.get("detail", ""))
        fixture.events.append((t, name, detail))
        if name in LinkEventKind.__members__.values():
            try:
                src = Sensor(obj.get("src", Sensor.TREADMILL.value))
            except ValueError:
                raise FixtureError(path, number, f"unknown src {obj.get('src')!r}") from None
            fixture.items.append(LinkEvent(t, LinkEventKind(name), src, detail))
    # Any other kind of line: ignored, so that later versions can add kinds.


def read_fixture(path: Path | str, *, tolerant: bool = False) -> Fixture:
    """Read a fixture.

    Args:
        path: the ``.jsonl`` file.
        tolerant: skip bad body lines (recorded in :attr:`Fixture.skipped`) instead of failing.

    Raises:
        FixtureError: an unreadable file, a missing header, or (strict mode) a bad line.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixtureError(path, 0, f"not a fixture: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise FixtureError(path, 0, f"cannot read: {exc.strerror}") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FixtureError(path, 0, "empty file: no header")
    fixture = Fixture(path, _header(path, lines[0]))
    last_t = 0.0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            obj = _parse(path, number, line, last_t)
            _add(fixture, path, number, obj)
        except FixtureError as exc:
            if not tolerant:
                raise
            fixture.skipped.append(exc)
            continue
        last_t = obj["t"]
    return fixture

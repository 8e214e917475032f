"""Recordings ("fixtures"): a session as JSON Lines, version 1 (docs/formats.md).

The first line is a header; every other line has a session time ``t`` and is a raw frame
(``char`` + ``hex``), a worn phone's motion reading, a cue, a truth line or an event. Frames
are written before anything decodes them, so any later decoder can run on old sessions.

:class:`FixtureWriter` creates its file exclusively (a recording is never overwritten),
appends and flushes every line, and syncs to disk at most once a second, so a crash or a
power cut loses at most the last second. A write that fails (a full disk) is said once;
the file is cut back to its last whole line and kept.

:func:`read_fixture` reads line by line from a regular file of bounded size
(:data:`~treadmill.inputs.MAX_RECORDING_BYTES`), each line at most
:data:`~treadmill.inputs.MAX_LINE_BYTES` and decoded on its own. Every field is checked:
its type, its value, a time that is finite, non-decreasing and within
:data:`~treadmill.inputs.MAX_RECORDING_S`. Strict by default (the first bad line is a
:class:`FixtureError` naming the file and line); tolerant mode skips bad lines and counts
them. Unknown keys and kinds of lines are ignored in both modes, so later versions can add
them.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from treadmill.errors import TreadmillError
from treadmill.ftms.uuids import short_uuid
from treadmill.inputs import (
    MAX_LINE_BYTES,
    MAX_RECORDING_BYTES,
    MAX_RECORDING_S,
    InputError,
    open_regular,
    printable,
)
from treadmill.model import Cue, CueDirection, Direction, Facing, Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.phone.reading import PHONE_MOTION, MotionReading
from treadmill.storage.files import StorageError, create_new, fsync_folder, lock_for_writing

__all__ = ["FORMAT", "VERSION", "Fixture", "FixtureError", "FixtureWriter", "read_fixture"]

FORMAT = "treadmill-fixture"
VERSION = 1
SYNC_INTERVAL_S = 1.0
"""At most this much wall-clock time between syncs to disk."""
_TRUTHS = frozenset({Direction.FORWARD, Direction.REVERSE, Direction.STOPPED})
_CUES = frozenset(CueDirection)
_FACINGS = frozenset(Facing)
_SENSORS = frozenset(Sensor)
_KINDS = frozenset(LinkEventKind)
_HEX = frozenset("0123456789abcdefABCDEF")


class FixtureError(TreadmillError, ValueError):
    """A recording, or one of its lines, that cannot be read.

    Attributes:
        path: the file.
        line: 1-based line number (0 for the file as a whole).
        reason: what is wrong.
    """

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        where = printable(f"{path}:{line}" if line else str(path))
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


class FixtureWriter:
    """Appends one session to a recording. Use as a context manager (or call :meth:`close`)."""

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        device: dict[str, str] | None = None,
        started_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Use :meth:`create` or :meth:`create_in`: the writer owns a file it made."""
        self.path = path
        lock_for_writing(fd)  # the history shows a session still being written as running
        self._fd: int | None = fd
        """The file, written unbuffered: a failed write never leaves bytes waiting to fail again."""
        self._last_t = 0.0
        self._last_sync = time.monotonic()
        self._good_bytes = 0
        self.lines = 0
        self.frames = 0
        self.error: StorageError | None = None
        """Why writing stopped (a full disk); what was written before is kept."""
        started = (started_at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        header: dict[str, Any] = {"format": FORMAT, "version": VERSION, "started_at": started}
        header["device"] = device or {}
        header.update(extra or {})
        self._write(header)

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        device: dict[str, str] | None = None,
        started_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> FixtureWriter:
        """A new recording at ``path``, which must not exist (a recording is never overwritten)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise StorageError.of(path, exc) from None
        fsync_folder(path.parent)
        return cls(path, fd, device=device, started_at=started_at, extra=extra)

    @classmethod
    def create_in(
        cls,
        folder: Path,
        stem: str,
        *,
        device: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> FixtureWriter:
        """A new recording ``folder/stem.jsonl`` (``stem-2.jsonl``... when the name is taken)."""
        path, fd = create_new(folder, stem, ".jsonl")
        fsync_folder(folder)
        return cls(path, fd, device=device, extra=extra)

    def __enter__(self) -> Self:
        """The writer itself."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Sync and close."""
        self.close()

    def _write(self, obj: dict[str, Any]) -> None:
        fd = self._fd
        if self.error is not None or fd is None:
            return
        line = (json.dumps(obj, separators=(", ", ": ")) + "\n").encode()
        try:
            written = 0
            while written < len(line):  # a write may take part of the line (a disk filling up)
                written += os.write(fd, line[written:])
            now = time.monotonic()
            if now - self._last_sync >= SYNC_INTERVAL_S:
                os.fsync(fd)
                self._last_sync = now
        except OSError as exc:
            self.error = StorageError.of(self.path, exc)
            self._cut_back(fd)
            raise self.error from None
        self._good_bytes += len(line)
        self.lines += 1

    def _cut_back(self, fd: int) -> None:
        """After a failed write: the file ends at its last whole line, synced."""
        with contextlib.suppress(OSError):
            os.ftruncate(fd, self._good_bytes)
            os.fsync(fd)

    def _t(self, t: float) -> float:
        """Session time, kept non-decreasing (a tick may trail a frame stamped on arrival by a hair).

        Raises:
            StorageError: past :data:`~treadmill.inputs.MAX_RECORDING_S`: the recording is full
                (the live session then ends, keeping it), so that every recording can be read back.
        """
        if t > MAX_RECORDING_S and self.error is None:
            self.error = StorageError(
                self.path, f"the recording is full: it holds {MAX_RECORDING_S / 3600:g} hours at most"
            )
            raise self.error
        self._last_t = max(self._last_t, t)
        return self._last_t

    def frame(self, frame: Frame) -> None:
        """A raw payload, as it arrived (a worn phone's reading as a ``motion`` line)."""
        line: dict[str, Any] = {"t": self._t(frame.t)}
        if frame.char == PHONE_MOTION:
            line["motion"] = MotionReading.from_bytes(frame.data).to_json()
        else:
            line |= {"char": frame.char, "hex": frame.data.hex()}
            if frame.src is not Sensor.TREADMILL:
                line["src"] = frame.src.value
        self._write(line)
        self.frames += 1

    def event(self, event: LinkEvent) -> None:
        """A session event (connected, disconnected, stale, a mark)."""
        line: dict[str, Any] = {"t": self._t(event.t), "event": event.kind.value}
        if event.src is not Sensor.TREADMILL:
            line["src"] = event.src.value
        if event.detail:
            line["detail"] = event.detail
        self._write(line)

    def cue(self, t: float, cue: CueDirection) -> None:
        """The app told the person to turn, or to stop."""
        self._write({"t": self._t(t), "cue": cue.value})

    def truth(self, t: float, truth: Direction) -> None:
        """Ground truth from the runner model (never unsure)."""
        self._write({"t": self._t(t), "truth": truth.value})

    @property
    def closed(self) -> bool:
        """True once the file is closed."""
        return self._fd is None

    def close(self) -> None:
        """Sync and close (idempotent); never raises: a failure is kept in :attr:`error`."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            self.error = self.error or StorageError.of(self.path, exc)
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)

    def discard_if_empty(self) -> bool:
        """Close, and delete this writer's own file if no frame was written (a session that never began)."""
        self.close()
        if self.frames:
            return False
        self.path.unlink(missing_ok=True)
        return True


Item = Frame | Cue | LinkEvent | Direction
"""One body line: a frame, a cue, a link event, or a truth (as its direction)."""


@dataclass(slots=True)
class Fixture:
    """A recording as read: the header and each kind of line, in file order."""

    path: Path
    header: dict[str, Any]
    frames: list[Frame] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    truth: list[tuple[float, Direction]] = field(default_factory=list)
    """Ground truth: only for evaluation; no detector may read it."""
    events: list[LinkEvent] = field(default_factory=list)
    """Known link events and marks."""
    items: list[Frame | LinkEvent | Cue] = field(default_factory=list)
    """Frames, known link events and cues, in file order: what a replay source yields."""
    skipped: list[FixtureError] = field(default_factory=list)
    """Lines a tolerant read skipped, with why (the first 100; :attr:`skipped_count` counts all)."""
    skipped_count: int = 0
    last_t: float = 0.0

    @property
    def duration_s(self) -> float:
        """Session time of the last line."""
        return self.last_t

    def add(self, t: float, item: Item) -> None:
        """Keep one body line read at session time ``t``."""
        if isinstance(item, Direction):
            self.truth.append((t, item))
            return
        self.items.append(item)
        if isinstance(item, Frame):
            self.frames.append(item)
        elif isinstance(item, Cue):
            self.cues.append(item)
        else:
            self.events.append(item)

    @property
    def started_at(self) -> datetime | None:
        """When the session began, from the header (None when it holds no valid time)."""
        text = self.header.get("started_at")
        if not isinstance(text, str):
            return None
        try:
            started = datetime.fromisoformat(text)
        except ValueError:
            return None
        return started if started.tzinfo is not None else started.replace(tzinfo=UTC)


def _json(line: bytes, path: Path, number: int) -> object:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixtureError(path, number, f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise FixtureError(path, number, "JSON nested too deep") from None
    except ValueError as exc:  # JSONDecodeError, and numbers past Python's digit limit
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "a number too long"
        raise FixtureError(path, number, f"not valid JSON ({reason})") from None


def _header(path: Path, line: bytes) -> dict[str, Any]:
    try:
        header = _json(line, path, 1)
    except FixtureError:
        raise FixtureError(path, 1, "no header: the first line is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise FixtureError(path, 1, f'no header: the first line must be {{"format": "{FORMAT}", ...}}')
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise FixtureError(path, 1, f"header has no valid version (got {printable(repr(version))[:40]})")
    if version != VERSION:
        raise FixtureError(path, 1, f"version {version}: this app reads version {VERSION}")
    if not isinstance(header.get("device", {}), dict):
        raise FixtureError(path, 1, "header: device must be an object")
    return header


def _time(obj: dict[str, Any], path: Path, number: int, last_t: float) -> float:
    t = obj.get("t")
    if isinstance(t, bool) or not isinstance(t, int | float):
        raise FixtureError(path, number, "missing or invalid 't'")
    try:
        t = float(t)
    except OverflowError:
        raise FixtureError(path, number, "'t' is too large") from None
    if not math.isfinite(t) or t < 0:
        raise FixtureError(path, number, "'t' is not a finite time of at least 0")
    if t > MAX_RECORDING_S:
        raise FixtureError(
            path, number, f"'t' is past {MAX_RECORDING_S / 3600:g} hours, the longest a recording holds"
        )
    if t < last_t:
        raise FixtureError(path, number, f"'t' goes backwards ({t:g} after {last_t:g})")
    return t


def _text(obj: dict[str, Any], key: str, path: Path, number: int, allowed: frozenset[str]) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or value not in allowed:
        known = ", ".join(sorted(allowed))
        raise FixtureError(
            path, number, f"'{key}' must be one of {known} (got {printable(repr(value))[:40]})"
        )
    return value


def _item(obj: dict[str, Any], path: Path, number: int, t: float) -> Item | None:
    """One checked body line, or None (a kind this version does not know)."""
    if "char" in obj or "hex" in obj:
        return _frame(obj, path, number, t)
    if "motion" in obj:
        return _motion(obj, path, number, t)
    if "cue" in obj:
        return Cue(t, CueDirection(_text(obj, "cue", path, number, _CUES)))
    if "truth" in obj:
        return Direction(_text(obj, "truth", path, number, _TRUTHS))
    if "event" in obj:
        return _event(obj, path, number, t)
    return None


def _source(obj: dict[str, Any], path: Path, number: int) -> Sensor:
    return Sensor(_text(obj, "src", path, number, _SENSORS)) if "src" in obj else Sensor.TREADMILL


def _frame(obj: dict[str, Any], path: Path, number: int, t: float) -> Frame:
    char, data = obj.get("char"), obj.get("hex")
    if not isinstance(char, str) or not isinstance(data, str) or len(data) % 2 or not set(data) <= _HEX:
        raise FixtureError(path, number, "a frame needs 'char' and 'hex' strings (hex digits, whole bytes)")
    try:
        short = short_uuid(char)
    except ValueError:
        raise FixtureError(
            path, number, f"'char' is not a characteristic UUID ({printable(char)[:40]})"
        ) from None
    return Frame(t, short, bytes.fromhex(data), _source(obj, path, number))


def _motion(obj: dict[str, Any], path: Path, number: int, t: float) -> Frame:
    motion = obj.get("motion")
    try:
        reading = MotionReading.from_json(motion if isinstance(motion, dict) else {})
    except ValueError as exc:
        raise FixtureError(path, number, f"a motion line: {printable(str(exc))[:80]}") from None
    return reading.frame(t)


def _event(obj: dict[str, Any], path: Path, number: int, t: float) -> LinkEvent | None:
    name = obj.get("event")
    if not isinstance(name, str):
        raise FixtureError(path, number, "'event' must be a string")
    if name not in _KINDS:
        return None  # an event this version does not know
    detail = obj.get("detail", "")
    if not isinstance(detail, str):
        raise FixtureError(path, number, "'detail' must be a string")
    kind = LinkEventKind(name)
    if kind is LinkEventKind.MARKED and detail not in _FACINGS:
        raise FixtureError(
            path, number, f"a mark's detail is forward or reverse (got {printable(detail)[:40]!r})"
        )
    return LinkEvent(t, kind, _source(obj, path, number), printable(detail)[:500])


def _lines(file: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of each line; None for a line past :data:`MAX_LINE_BYTES` (then skipped)."""
    number = 0
    while True:
        line = file.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := file.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line


def _too_long(path: Path, number: int) -> FixtureError:
    return FixtureError(path, number, f"a line longer than {MAX_LINE_BYTES // 1024} KB")


def read_fixture(path: Path | str, *, tolerant: bool = False) -> Fixture:
    """Read a recording (see the module docstring for what is checked).

    Raises:
        FixtureError: not a readable regular file, too large, no header, or (strict mode) a bad line.
    """
    path = Path(path)
    try:
        fd = open_regular(path, "recording", MAX_RECORDING_BYTES)
    except InputError as exc:
        raise FixtureError(path, 0, exc.reason) from None
    with os.fdopen(fd, "rb") as file:
        lines = _lines(file)
        first = next(lines, None)
        if first is None or (first[1] is not None and not first[1].strip()):
            raise FixtureError(path, 0, "empty file: no header")
        if first[1] is None:
            raise FixtureError(path, 1, "no header: the first line is too long")
        fixture = Fixture(path, _header(path, first[1]))
        _body(fixture, lines, path, tolerant=tolerant)
    return fixture


def _line(line: bytes | None, path: Path, number: int, last_t: float) -> tuple[float, Item | None] | None:
    """The time and item of one body line; None for a blank line."""
    if line is None:
        raise _too_long(path, number)
    if not line.strip():
        return None
    obj = _json(line, path, number)
    if not isinstance(obj, dict):
        raise FixtureError(path, number, "not a JSON object")
    t = _time(obj, path, number, last_t)
    return t, _item(obj, path, number, t)


def _body(fixture: Fixture, lines: Iterator[tuple[int, bytes | None]], path: Path, *, tolerant: bool) -> None:
    last_t = 0.0
    for number, line in lines:
        try:
            parsed = _line(line, path, number, last_t)
            if parsed is None:
                continue
            t, item = parsed
        except FixtureError as exc:
            if not tolerant:
                raise
            fixture.skipped_count += 1
            if len(fixture.skipped) < 100:
                fixture.skipped.append(exc)
            continue
        last_t = fixture.last_t = t
        if item is not None:
            fixture.add(t, item)

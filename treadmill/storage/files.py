"""Writing files so that nothing is lost or half-written: new files created exclusively, the rest atomically.

* :func:`create_new` makes a file that did not exist (``O_EXCL``), trying ``stem-2``,
  ``stem-3``... while a name is taken: two sessions started in the same second each get
  their own recording, and neither can touch the other's.
* :func:`write_new` and :func:`replace_atomically` write to a temporary file in the same
  folder, sync it, then link it into place (never over an existing file) or rename it over
  the old one. A crash, a full disk or a bad value leaves the old file or the new one, never
  half of one, and no partial file under the final name.

Every failure is a :class:`StorageError` with one line saying which file and why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from treadmill.errors import TreadmillError
from treadmill.inputs import printable

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "StorageError",
    "being_written",
    "create_new",
    "dangling_link",
    "fsync_folder",
    "lock_for_writing",
    "replace_atomically",
    "write_new",
    "write_new_in",
]

_MAX_TRIES = 1000


class StorageError(TreadmillError, OSError):
    """A file that cannot be written: which, and why in a few words.

    Attributes:
        path: the file.
        reason: what went wrong.
        full: True when the disk (or quota) is full.
    """

    def __init__(self, path: Path | str, reason: str, *, full: bool = False) -> None:
        super().__init__(f"{printable(str(path))}: {reason}")
        self.path = str(path)
        self.reason = reason
        self.full = full

    @classmethod
    def of(cls, path: Path | str, exc: OSError) -> StorageError:
        """The one line for an OS error on ``path``."""
        if isinstance(exc, StorageError):
            return exc
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        reasons = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "the disk quota is full",
            errno.ENAMETOOLONG: "the name is too long",
            errno.EEXIST: "it exists (files are never overwritten)",
            errno.ENOENT: "the folder does not exist",
            errno.EROFS: "the disk is read-only",
        }
        reason = reasons.get(exc.errno or 0) or f"cannot write ({exc.strerror or exc})"
        if exc.errno in (errno.EEXIST, errno.ENOENT) and (link := dangling_link(Path(path))) is not None:
            target = printable(str(link.readlink()))
            return cls(link, f"a link to {target}, which is not there: mount it, or point the link elsewhere")
        return cls(path, reason, full=full)


def dangling_link(path: Path) -> Path | None:
    """The first folder on ``path`` (or ``path``) that is a symbolic link to nothing, if any."""
    for step in [*reversed(path.parents), path]:
        if step.is_symlink() and not step.exists():
            return step
    return None


def fsync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` survive a power cut (a no-op where folders cannot be synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def create_new(folder: Path, stem: str, suffix: str) -> tuple[Path, int]:
    """A new, empty file ``folder/stem.suffix`` (or ``stem-2.suffix``...) and its open descriptor.

    The caller owns the file: it closes the descriptor and is the only one that may delete it.
    """
    for path in _names(folder, stem, suffix):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileExistsError:
            continue
        except OSError as exc:
            raise StorageError.of(path, exc) from None
        return path, fd
    raise StorageError(folder / f"{stem}{suffix}", f"{_MAX_TRIES} files of that name exist")


def _names(folder: Path, stem: str, suffix: str) -> Iterator[Path]:
    """``folder`` (made if missing), then ``stem.suffix``, ``stem-2.suffix``... to try in turn."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError.of(folder, exc) from None
    for n in range(1, _MAX_TRIES + 1):
        yield folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")


def _temporary(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``path``, synced to disk."""
    temporary = path.with_name(f".{path.name[:100]}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        raise StorageError.of(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StorageError.of(path, exc) from None
    return temporary


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, which must not exist, all at once or not at all."""
    if len(path.name.encode()) > 255:
        raise StorageError(path, "the name is too long")
    temporary = _temporary(path, data)
    try:
        os.link(temporary, path)  # fails, rather than overwrite, if ``path`` appeared meanwhile
    except OSError as exc:
        raise StorageError.of(path, exc) from None
    finally:
        temporary.unlink(missing_ok=True)
    fsync_folder(path.parent)


def write_new_in(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to a new file ``folder/stem.suffix`` (``stem-2.suffix``... when taken); its path."""
    for path in _names(folder, stem, suffix):
        try:
            write_new(path, data)
        except StorageError as exc:
            if exc.reason.startswith("it exists"):
                continue
            raise
        return path
    raise StorageError(folder / f"{stem}{suffix}", f"{_MAX_TRIES} files of that name exist")


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, replacing it if it exists: the old content or the new, never half."""
    temporary = _temporary(path, data)
    try:
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StorageError.of(path, exc) from None
    fsync_folder(path.parent)


def lock_for_writing(fd: int) -> None:
    """Mark an open file as being written by this process (an advisory lock; see :func:`being_written`).

    Where the system has no ``flock`` (Windows), nothing is marked.
    """
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def being_written(path: Path) -> bool:
    """True while another open writer holds ``path`` (:func:`lock_for_writing`): a session still running."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False

"""This installation's serial number: the one FIT files name their creator by.

Garmin's activity-file guidance asks for a serial number unique to the device that wrote
the file, so that two installations' files are not taken for one device's. It is drawn at
random the first time it is needed and kept in ``installation.json`` in the config folder.
A folder that cannot hold it (read-only) still gets a number, drawn afresh each run.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from treadmill.inputs import InputError, read_bounded
from treadmill.storage.files import StorageError, write_new
from treadmill.storage.paths import config_dir

__all__ = ["serial_number"]

_FILE = "installation.json"
_LOW, _HIGH = 1, 0xFFFFFFFE
"""FIT's serial_number is a uint32z: 0 means "invalid"."""


def _read(path: Path) -> int | None:
    try:
        data = json.loads(read_bounded(path, "installation file", 1000))
    except (InputError, ValueError):
        return None
    serial = data.get("serial_number") if isinstance(data, dict) else None
    return serial if isinstance(serial, int) and _LOW <= serial <= _HIGH else None


def serial_number(folder: Path | None = None) -> int:
    """The installation's serial number (see the module docstring)."""
    path = (folder or config_dir()) / _FILE
    kept = _read(path)
    if kept is not None:
        return kept
    serial = _LOW + secrets.randbelow(_HIGH - _LOW + 1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new(path, json.dumps({"serial_number": serial}).encode())
    except (OSError, StorageError):
        return _read(path) or serial  # another process wrote it first, or the folder is read-only
    return serial

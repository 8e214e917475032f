"""The treadmill, strap and footpod used last time, so the device picker can offer them first.

Kept as ``devices.json`` in the config folder (:func:`treadmill.storage.paths.config_dir`),
written atomically. A missing or unreadable file means nothing is remembered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from treadmill.inputs import InputError, printable, read_bounded
from treadmill.model import Sensor
from treadmill.storage.files import replace_atomically
from treadmill.storage.paths import config_dir

__all__ = ["KnownDevice", "remember", "remembered"]

logger = logging.getLogger(__name__)

_FILE = "devices.json"
_KINDS = frozenset(Sensor)


@dataclass(frozen=True, slots=True)
class KnownDevice:
    """A device used before."""

    kind: Sensor
    address: str
    name: str | None = None


def remembered(folder: Path | None = None) -> dict[Sensor, KnownDevice]:
    """The last device of each kind, by kind."""
    path = (folder or config_dir()) / _FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(read_bounded(path, "known devices", 100_000))
        return {
            Sensor(kind): KnownDevice(
                Sensor(kind), printable(str(entry["address"]))[:60], _name(entry.get("name"))
            )
            for kind, entry in data.items()
            if kind in _KINDS
        }
    except (InputError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        logger.warning("could not read the remembered devices %s (%s)", path, exc)
        return {}


def _name(value: object) -> str | None:
    return printable(value)[:60] if isinstance(value, str) else None


def remember(devices: list[KnownDevice], folder: Path | None = None) -> None:
    """Remember these as the last of their kinds (others are kept)."""
    folder = folder or config_dir()
    known = remembered(folder)
    known.update({d.kind: d for d in devices})
    folder.mkdir(parents=True, exist_ok=True)
    data = {k.value: {"address": d.address, "name": d.name} for k, d in known.items()}
    replace_atomically(folder / _FILE, json.dumps(data, indent=1).encode())

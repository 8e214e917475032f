"""The treadmill, strap and footpod used last time, so the device picker can offer them first.

Kept as ``devices.json`` in the config folder (:func:`treadmill.storage.profile.config_dir`),
written atomically. A missing or unreadable file means nothing is remembered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from treadmill.storage.profile import config_dir

__all__ = ["KnownDevice", "remember", "remembered"]

logger = logging.getLogger(__name__)

_FILE = "devices.json"
KINDS = ("treadmill", "heart_rate", "footpod")


@dataclass(frozen=True, slots=True)
class KnownDevice:
    """A device used before."""

    kind: str
    """``treadmill``, ``heart_rate`` or ``footpod`` (the scan's kinds)."""
    address: str
    name: str | None = None


def remembered(folder: Path | None = None) -> dict[str, KnownDevice]:
    """The last device of each kind, by kind."""
    path = (folder or config_dir()) / _FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            kind: KnownDevice(kind, str(entry["address"]), entry.get("name"))
            for kind, entry in data.items()
            if kind in KINDS
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("could not read the remembered devices %s (%s)", path, exc)
        return {}


def remember(devices: list[KnownDevice], folder: Path | None = None) -> None:
    """Remember these as the last of their kinds (others are kept)."""
    folder = folder or config_dir()
    known = remembered(folder)
    known.update({d.kind: d for d in devices})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(
        json.dumps({k: {"address": d.address, "name": d.name} for k, d in known.items()}, indent=1),
        encoding="utf-8",
    )
    temporary.replace(path)

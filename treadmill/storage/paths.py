"""Where things are kept: the config folder (profile, plans, known devices) and the data folder (sessions).

``TREADMILL_CONFIG_DIR`` and ``TREADMILL_DATA_DIR`` override the platform's defaults
(platformdirs: ``~/.config/treadmill-companion`` and ``~/.local/share/treadmill-companion``
on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["config_dir", "data_dir"]

APP = "treadmill-companion"


def config_dir() -> Path:
    """Where the profile, the person's own plans and the known devices live."""
    override = os.environ.get("TREADMILL_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """Where sessions and exports are kept."""
    override = os.environ.get("TREADMILL_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path(APP)

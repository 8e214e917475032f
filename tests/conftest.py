"""Shared test set-up: deterministic Hypothesis, and the data others published (../shared)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
"""Real frames, sessions, schemas and workouts others published: the project commits none of them.
CI has this folder; a fresh clone may not, and the tests that need it then skip, saying so."""
VECTORS_PATH = SHARED / "vectors" / "ftms_vectors.json"


def shared(*parts: str) -> Path:
    """A path under ../shared; the calling test is skipped when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (data from public repositories, not committed)")
    return path


# Seeded and repeatable everywhere: the same examples on every run, no example database.
settings.register_profile(
    "deterministic",
    derandomize=True,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    derandomize=True,
    database=None,
    max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("TREADMILL_HYPOTHESIS", "deterministic"))


def load_vectors() -> list[dict[str, Any]]:
    """The real byte frames from ../shared/vectors (none without it: the tests over them then skip)."""
    if not VECTORS_PATH.exists():
        return []
    vectors: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())
    return vectors


@pytest.fixture(scope="session")
def vectors() -> list[dict[str, Any]]:
    return load_vectors()


@pytest.fixture(autouse=True)
def _own_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the developer's own profile, plans, devices or session history."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TREADMILL_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("TREADMILL_DATA_DIR", str(home / "data"))

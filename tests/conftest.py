"""Shared test set-up: deterministic Hypothesis, the real-device vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
VECTORS_PATH = ROOT / "fixtures" / "ftms_vectors.json"

# Seeded and repeatable everywhere: the same examples on every run, no example database.
settings.register_profile(
    "deterministic",
    derandomize=True,
    database=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deterministic")


def load_vectors() -> list[dict[str, Any]]:
    """The real byte frames from shared/vectors, copied into fixtures/."""
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

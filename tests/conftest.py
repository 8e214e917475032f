"""Shared test set-up: virtual time, deterministic Hypothesis, and the data others published (../shared)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from treadmill.clock import VirtualTimeLoop

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "virtual_time: run this async test on a VirtualTimeLoop (its sessions run on virtual time: "
        "as fast as the CPU allows, and the same whatever the machine's load)",
    )
    config.addinivalue_line(
        "markers",
        "wall_clock: run this async test on an ordinary loop, in a module marked virtual_time (it talks "
        "to another process, a socket or a broker, which keep the wall clock's time)",
    )


def pytest_asyncio_loop_factories(
    config: pytest.Config,
    item: pytest.Item,
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Tests marked ``virtual_time`` get a virtual-time loop; the rest, with a broker, a browser or
    another process on the other end, an ordinary one."""
    if item.get_closest_marker("virtual_time") is not None and item.get_closest_marker("wall_clock") is None:
        return {"virtual_time": VirtualTimeLoop}
    return {"wall_clock": asyncio.new_event_loop}

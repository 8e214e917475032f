"""Import rules from architecture.md, checked on the source and in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import treadmill
from treadmill.errors import EncodeError, FrameError, TreadmillError, UnknownCharacteristicError

PACKAGE = Path(treadmill.__file__).parent


def imports_of(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_only_the_ble_package_imports_bleak() -> None:
    offenders = [p for p in modules(PACKAGE) if "bleak" in imports_of(p) and p.parent.name != "ble"]
    assert offenders == []


def test_only_the_mqtt_connection_publisher_and_watcher_import_aiomqtt() -> None:
    users = {p.relative_to(PACKAGE).as_posix() for p in modules(PACKAGE) if "aiomqtt" in imports_of(p)}
    assert users == {"mqtt/connection.py", "mqtt/publisher.py", "mqtt/watcher.py"}
    assert not imports_of(PACKAGE / "mqtt" / "messages.py") & {"aiomqtt", "asyncio", "socket"}


def test_the_library_never_imports_textual() -> None:
    assert [p for p in modules(PACKAGE) if "textual" in imports_of(p)] == []


def test_the_tui_never_imports_bleak_or_aiomqtt() -> None:
    tui = PACKAGE.parent / "tui"
    assert [p for p in modules(tui) if imports_of(p) & {"bleak", "aiomqtt"}] == []


@pytest.mark.parametrize("folder", ["ftms"])
def test_codecs_are_sans_io(folder: str) -> None:
    for path in modules(PACKAGE / folder):
        assert not imports_of(path) & {"asyncio", "bleak", "bumble", "logging", "socket"}, path


@pytest.mark.parametrize("module", ["runner.py", "machine.py", "world.py"])
def test_the_runner_and_machine_models_are_pure(module: str) -> None:
    assert not imports_of(PACKAGE / "virtual" / module) & {"asyncio", "bleak", "bumble", "time"}


def loaded_modules(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("treadmill.ftms", {"asyncio", "bleak", "aiomqtt", "textual", "bumble", "tui"}),
        # `treadmill decode` starts fast: Bluetooth is imported by the commands that need it.
        ("treadmill.cli", {"bleak", "aiomqtt", "textual", "bumble", "tui"}),
    ],
)
def test_decoding_pulls_in_no_io_framework(module: str, forbidden: set[str]) -> None:
    assert not loaded_modules(module) & forbidden


def test_error_tree() -> None:
    assert issubclass(FrameError, TreadmillError)
    assert issubclass(FrameError, ValueError)
    assert issubclass(EncodeError, ValueError)
    assert issubclass(UnknownCharacteristicError, LookupError)
    assert treadmill.TreadmillError is TreadmillError

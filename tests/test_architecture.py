"""Import rules from architecture.md: the codecs are sans-IO, the library never imports Textual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import treadmill
from treadmill.errors import EncodeError, FrameError, TreadmillError, UnknownCharacteristicError


def loaded_modules(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", ["treadmill.ftms", "treadmill.cli"])
def test_codecs_pull_in_no_io_framework(module: str) -> None:
    loaded = loaded_modules(module)
    for forbidden in ("asyncio", "bleak", "aiomqtt", "textual", "bumble", "tui"):
        assert forbidden not in loaded, f"{module} imports {forbidden}"


def test_error_tree() -> None:
    assert issubclass(FrameError, TreadmillError)
    assert issubclass(FrameError, ValueError)
    assert issubclass(EncodeError, ValueError)
    assert issubclass(UnknownCharacteristicError, LookupError)
    assert treadmill.TreadmillError is TreadmillError

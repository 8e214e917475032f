"""The layers hold: imports run one way, each framework stays in its package, the stream is decoded once.

Layers, lowest first (docs/architecture.md): errors; ftms and inputs; model and clock;
ble and virtual; core and workout; storage; session; mqtt; then the app (``tui``). A module
imports its own layer and those below, never those above.
"""

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
APP = PACKAGE.parent / "tui"
LAYERS = (
    ("errors",),
    ("ftms", "inputs", "defaults"),
    ("model", "clock", "phone"),
    ("ble", "virtual"),
    ("core", "workout"),
    ("storage",),
    ("session",),
    ("mqtt",),
)
LEVEL = {part: level for level, parts in enumerate(LAYERS) for part in parts}
STREAM_DECODERS = {
    "TreadmillData",
    "MachineStatus",
    "ControlPointResponse",
    "HeartRateMeasurement",
    "RSCMeasurement",
}
"""Codecs of what a treadmill and its sensors stream: only the decoding stage calls their ``from_bytes``."""


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, dotted in full."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def part_of(path: Path) -> str:
    """The layer name of a module under treadmill/ (its sub-package, or its own name at the top)."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_module_is_in_a_layer() -> None:
    assert {part_of(p) for p in modules(PACKAGE)} - {"__init__", "__main__"} <= set(LEVEL)


def test_imports_run_one_way_from_the_app_down_to_the_codecs() -> None:
    upward = []
    for path in modules(PACKAGE):
        part = part_of(path)
        if part not in LEVEL:
            continue
        for name in imports_of(path):
            pieces = name.split(".")
            if pieces[0] != "treadmill" or len(pieces) < 2 or pieces[1] not in LEVEL:
                continue
            if LEVEL[pieces[1]] > LEVEL[part]:
                upward.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert upward == []


def test_nothing_below_the_app_imports_textual_argparse_or_the_app() -> None:
    assert [p for p in modules(PACKAGE) if top(imports_of(p)) & {"textual", "argparse", "tui"}] == []


def test_only_the_ble_package_imports_bleak() -> None:
    assert [p for p in modules(PACKAGE) if "bleak" in top(imports_of(p)) and p.parent.name != "ble"] == []


def test_only_the_mqtt_package_imports_aiomqtt() -> None:
    users = {p.relative_to(PACKAGE).as_posix() for p in modules(PACKAGE) if "aiomqtt" in top(imports_of(p))}
    assert users == {"mqtt/connection.py", "mqtt/publisher.py", "mqtt/watcher.py"}
    assert not top(imports_of(PACKAGE / "mqtt" / "messages.py")) & {"aiomqtt", "asyncio", "socket"}


def test_the_app_never_imports_bleak_or_aiomqtt() -> None:
    assert [p for p in modules(APP) if top(imports_of(p)) & {"bleak", "aiomqtt"}] == []


def test_only_the_web_package_serves_http_and_the_library_never_does() -> None:
    web = {"aiohttp", "textual_serve"}
    assert [p for p in modules(PACKAGE) if top(imports_of(p)) & web] == []
    users = {p.relative_to(APP).as_posix() for p in modules(APP) if top(imports_of(p)) & web}
    assert users == {"web/server.py", "web/motion.py"}


def calls_of_from_bytes(path: Path) -> set[str]:
    """The classes whose ``from_bytes`` ``path`` calls."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "from_bytes" and isinstance(node.value, ast.Name):
            out.add(node.value.id)
    return out


def test_the_stream_is_decoded_only_by_the_decoding_stage() -> None:
    """One place turns a treadmill's and its sensors' bytes into values; everyone reads its output."""
    decoders = {
        p.relative_to(PACKAGE).as_posix()
        for p in modules(PACKAGE)
        if p.parent.name != "ftms" and calls_of_from_bytes(p) & STREAM_DECODERS
    }
    assert decoders == {"session/decoding.py"}
    assert not [p for p in modules(APP) if calls_of_from_bytes(p) & STREAM_DECODERS]


@pytest.mark.parametrize("folder", ["ftms", "core"])
def test_the_codecs_and_the_numpy_core_do_no_io_and_read_no_clock(folder: str) -> None:
    for path in modules(PACKAGE / folder):
        used = top(imports_of(path))
        assert not used & {"asyncio", "bleak", "bumble", "socket", "os", "pathlib", "time", "aiomqtt"}, path


@pytest.mark.parametrize("module", ["runner.py", "machine.py", "world.py"])
def test_the_runner_and_machine_models_are_pure(module: str) -> None:
    assert not top(imports_of(PACKAGE / "virtual" / module)) & {"asyncio", "bleak", "bumble", "time"}


def loaded_modules(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("code", "forbidden"),
    [
        ("import treadmill.ftms", {"asyncio", "bleak", "aiomqtt", "textual", "bumble", "tui", "numpy"}),
        # `treadmill --version` and `treadmill decode` start fast: each command imports what it needs.
        (
            "from tui.cli import main\nmain(['decode', '2acd', '0400e803'])",
            {"bleak", "aiomqtt", "textual", "bumble", "numpy"},
        ),
    ],
    ids=["codecs", "decode-command"],
)
def test_light_paths_pull_in_no_io_framework(code: str, forbidden: set[str]) -> None:
    assert not top(loaded_modules(code)) & forbidden


def test_error_tree() -> None:
    assert issubclass(FrameError, TreadmillError)
    assert issubclass(FrameError, ValueError)
    assert issubclass(EncodeError, ValueError)
    assert issubclass(UnknownCharacteristicError, LookupError)
    assert treadmill.TreadmillError is TreadmillError


def test_every_closed_set_is_covered_by_each_table_that_maps_it() -> None:
    """A member missing from a table raises only when it comes up: a rule when it fires, a state when
    the broker goes away. Each table is checked against its enum here."""
    from treadmill.mqtt.messages import MqttState  # noqa: PLC0415
    from treadmill.storage.export_formats import ExportFormat  # noqa: PLC0415
    from treadmill.workout.safety import RULES, Rule  # noqa: PLC0415
    from tui.cli.parsers import build_parser  # noqa: PLC0415 - the app, only for this check
    from tui.screens.dashboard import STATE_COLOUR  # noqa: PLC0415
    from tui.screens.live import MQTT_LOOK  # noqa: PLC0415
    from tui.screens.summary import SummaryScreen  # noqa: PLC0415

    assert set(RULES) == set(Rule)
    assert set(MQTT_LOOK) == set(STATE_COLOUR) == set(MqttState)
    assert all(f.media_type for f in ExportFormat), "every format has a media type"
    parser = build_parser()
    export = parser.parse_args(["export", "x.jsonl"])
    assert export.format == "fit"
    for fmt in ExportFormat:
        assert parser.parse_args(["export", "x.jsonl", "--format", fmt.value]).format == fmt.value
    keys = {b.action for b in SummaryScreen.BINDINGS if b.action.startswith("export(")}  # type: ignore[union-attr]
    assert keys == {f"export('{fmt.value}')" for fmt in ExportFormat}, "a key for every format"


def test_the_error_tree_in_errors_py_lists_every_error_class() -> None:
    """The tree a reader meets first names every class under TreadmillError, wherever it lives."""
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415
    import re  # noqa: PLC0415

    import treadmill.errors  # noqa: PLC0415

    for module in pkgutil.walk_packages(treadmill.__path__, "treadmill."):
        importlib.import_module(module.name)

    def below(cls: type) -> set[str]:
        subs: list[type] = cls.__subclasses__()
        return {sub.__name__ for sub in subs} | {name for sub in subs for name in below(sub)}

    drawn = set(re.findall(r"[├└]── (\w+)", treadmill.errors.__doc__ or ""))
    assert drawn == below(TreadmillError), "with the root, the 16 classes of the tree"

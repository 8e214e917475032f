"""``treadmill`` command line: output on stdout, one-line errors on stderr, exit codes (docs/formats.md)."""

from __future__ import annotations

import json

import pytest

from tests.support import cli as run
from tui.cli.parsers import build_parser


def test_decode_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "decode", "0x2ACD", "84 24 2c 01 11 00 00 01 00 00 00 00 16 00 1b 00 00")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["characteristic"] == "2acd"
    assert data["instantaneous_speed_kmh"] == 3.0
    assert data["step_count"] == 27
    assert "average_speed_kmh" not in data  # not announced: absent, not null


def test_not_available_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "decode", "2acd", "842464000000000000ffffff0100010000")
    assert status == 0
    data = json.loads(out)
    assert data["energy_per_hour_kcal"] is None
    assert data["energy_per_minute_kcal"] is None


def test_truncated_payload_names_what_was_cut(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "decode", "2acd", "0400e8030a")
    assert status == 0
    data = json.loads(out)
    assert data["instantaneous_speed_kmh"] == 10.0
    assert data["diagnostics"]["truncated"] == ["total_distance_m"]


def test_full_uuid_and_name_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    for char in ("00002ada-0000-1000-8000-00805f9b34fb", "fitness_machine_status"):
        status, out, _ = run(capsys, "decode", char, "04")
        assert status == 0
        assert json.loads(out)["event"] == "started_or_resumed_by_user"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("decode", "2acd", "04"),
            "treadmill decode: error: cannot decode 2acd payload 04: too short for flags",
        ),
        (
            ("decode", "2acd", ""),
            "treadmill decode: error: cannot decode 2acd payload (empty): too short for flags",
        ),
        (("decode", "2acd", "0g"), "treadmill decode: error: not a hex payload: '0g'"),
        (("decode", "beef", "00"), "treadmill decode: error: unknown characteristic 'beef'"),
        (("decode", "2a37", "01"), "too short for the heart-rate value"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_no_command_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys)
    assert status == 2
    assert "decode" in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "decode", "--help")
    assert status == 0
    assert "2acd" in out
    assert "HEX" in out


@pytest.mark.parametrize(
    ("argv", "scale"),
    [
        (["demo"], 4.0),
        (["serve", "--virtual"], 1.0),
        (["run", "--virtual"], 1.0),
        (["record", "--virtual", "--out", "x.jsonl"], 1.0),
        (["simulate", "--transport", "usb:0"], 1.0),
    ],
)
def test_only_the_demo_runs_faster_than_real_time_by_default(argv: list[str], scale: float) -> None:
    """The demo's 4x once leaked to every command sharing its options: serve --virtual ran at 4x."""
    assert build_parser().parse_args(argv).time_scale == scale

"""Recording format v1 (docs/formats.md): writing, strict and tolerant reading, every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from treadmill.model import Cue, CueDirection, Direction, Frame, LinkEvent, LinkEventKind, Sensor
from treadmill.storage.files import StorageError
from treadmill.storage.fixtures import FixtureError, FixtureWriter, read_fixture

HEADER = '{"format": "treadmill-fixture", "version": 1, "started_at": "2026-11-24T07:00:00Z", "device": {}}'


def write(tmp_path: Path, *lines: str, name: str = "f.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_written_fixture_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with FixtureWriter.create(path, device={"name": "T", "address": "AA"}) as writer:
        writer.truth(0.0, Direction.STOPPED)
        writer.frame(Frame(1.25, "2acd", bytes.fromhex("0400e8030a00")))
        writer.frame(Frame(1.5, "2a37", bytes.fromhex("0454"), Sensor.HEART_RATE))
        writer.event(LinkEvent(2.0, LinkEventKind.DISCONNECTED, detail="link lost"))
        writer.cue(3.0, CueDirection.REVERSE)
    first = json.loads(path.read_text().splitlines()[0])
    assert first["format"] == "treadmill-fixture"
    assert first["version"] == 1
    assert first["device"] == {"name": "T", "address": "AA"}
    fixture = read_fixture(path)
    assert fixture.frames == [
        Frame(1.25, "2acd", bytes.fromhex("0400e8030a00")),
        Frame(1.5, "2a37", bytes.fromhex("0454"), Sensor.HEART_RATE),
    ]
    assert fixture.truth == [(0.0, Direction.STOPPED)]
    assert fixture.cues == [Cue(3.0, CueDirection.REVERSE)]
    assert fixture.events == [LinkEvent(2.0, LinkEventKind.DISCONNECTED, detail="link lost")]
    assert fixture.duration_s == 3.0


def test_contract_example_lines_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        '{"t": 12.504, "char": "2acd", "hex": "0400e8030a00"}',
        '{"t": 95.0, "cue": "reverse"}',
        '{"t": 96.2, "truth": "reverse"}',
        '{"t": 130.1, "event": "disconnected"}',
        '{"t": 131.0, "char": "00002a53-0000-1000-8000-00805f9b34fb", "hex": "009101bb", "src": "footpod"}',
    )
    fixture = read_fixture(path)
    assert [f.char for f in fixture.frames] == ["2acd", "2a53"]
    assert fixture.frames[1].src is Sensor.FOOTPOD


def test_writer_never_overwrites(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)
    with pytest.raises(StorageError, match="never overwritten"):
        FixtureWriter.create(path)
    assert path.read_text() == HEADER + "\n"


def test_writer_keeps_time_non_decreasing(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with FixtureWriter.create(path) as writer:
        writer.frame(Frame(2.0, "2acd", b"\x00\x00\x00\x00"))
        writer.truth(1.9999, Direction.FORWARD)  # a tick stamped a hair before the frame it followed
    assert read_fixture(path).truth == [(2.0, Direction.FORWARD)]


BAD_BODIES = {
    "truncated_last_line": ('{"t": 1.0, "char": "2acd", "hex": "0400"}', '{"t": 2.0, "char": "2a'),
    "garbage_line": ('{"t": 1.0, "cue": "reverse"}', "@@@ not json @@@"),
    "non_monotonic_t": ('{"t": 5.0, "cue": "reverse"}', '{"t": 4.0, "cue": "forward"}'),
    "missing_t": ('{"t": 1.0, "cue": "reverse"}', '{"cue": "forward"}'),
    "bad_hex": ('{"t": 1.0, "cue": "reverse"}', '{"t": 2.0, "char": "2acd", "hex": "zz"}'),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_line_strict_names_file_and_line(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, HEADER, *BAD_BODIES[case])
    with pytest.raises(FixtureError) as info:
        read_fixture(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: ")


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_line_tolerant_skips_and_reports(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, HEADER, *BAD_BODIES[case])
    fixture = read_fixture(path, tolerant=True)
    assert [e.line for e in fixture.skipped] == [3]
    assert len(fixture.frames) + len(fixture.cues) == 1  # the good line is kept


def test_unknown_kinds_and_keys_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER[:-1] + ', "future_key": 1}',
        '{"t": 1.0, "lap": 3, "colour": "blue"}',
        '{"t": 2.0, "cue": "stop", "volume": 11}',
    )
    fixture = read_fixture(path)
    assert fixture.cues == [Cue(2.0, CueDirection.STOP)]
    assert not fixture.skipped


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file: no header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "no header"),
        (b'{"t": 1.0, "cue": "reverse"}\n', "no header"),
        (b'{"format": "treadmill-fixture"}\n', "header has no valid version"),
    ],
    ids=["empty", "binary", "missing_header", "no_version"],
)
def test_unreadable_files_fail_in_both_modes(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    for tolerant in (False, True):
        with pytest.raises(FixtureError) as info:
            read_fixture(path, tolerant=tolerant)
        assert reason in info.value.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FixtureError) as info:
        read_fixture(tmp_path / "nope.jsonl")
    assert "cannot read" in info.value.reason

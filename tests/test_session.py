"""The session engine: live and replayed sessions agree, consumers' policies hold, failures stay put."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from tests.support import cli, record_virtual
from treadmill.model import ControlReply, Cue, Frame, LinkEvent, StatusReport
from treadmill.session.consumer import Overflow, SessionItem
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import read_fixture


@pytest.mark.virtual_time
async def test_live_session_and_its_replay_agree(tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    live = await record_virtual(out, duration_s=300.0, seed=4, notify_hz=2.0, split_payload=12)
    replayed = await Session(ReplaySource(read_fixture(out), speed=None)).run()
    assert len(live.session.samples) == 600, "every split record of every 0.5 s tick to the end, merged"
    assert replayed.samples == live.session.samples
    assert replayed.cues == live.session.cues
    assert replayed.pipeline.summary() == live.session.pipeline.summary()


def test_sigkilled_recorder_leaves_a_fixture_up_to_the_kill(tmp_path: Path) -> None:
    out = tmp_path / "killed.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "record",
            "--virtual",
            "--out",
            str(out),
            "--duration",
            "3600",
            "--time-scale",
            "20",
            "--notify-hz",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not out.exists() or out.read_text().count('"2acd"') < 40:
            assert time.monotonic() < deadline, "the recorder wrote nothing"
            time.sleep(0.05)
        seen = out.read_text().splitlines()
        last_t_before_kill = json.loads(seen[-1])["t"]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    fixture = read_fixture(out, tolerant=True)  # the last line may be cut mid-write
    assert len(fixture.skipped) <= 1
    assert fixture.duration_s >= last_t_before_kill
    assert len([f for f in fixture.frames if f.char == "2acd"]) >= 40


class ListSource:
    def __init__(self, items: Sequence[Frame | LinkEvent | Cue], fail_after: int | None = None) -> None:
        self._items = items
        self._fail_after = fail_after

    async def items(self) -> AsyncIterator[Frame | LinkEvent | Cue]:
        for index, item in enumerate(self._items):
            if index == self._fail_after:
                raise OSError("the source broke")
            yield item
            await asyncio.sleep(0)

    def pending_items(self) -> list[Frame | LinkEvent | Cue]:
        return []

    def acknowledge(self, item: StatusReport | ControlReply) -> None:
        del item


class Sink:
    def __init__(self, name: str, overflow: Overflow, capacity: int, *, fail_on: int | None = None) -> None:
        self.name, self.overflow, self.capacity = name, overflow, capacity
        self.items: list[SessionItem] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_on = fail_on
        self.closed = False
        self.error: str | None = None

    async def handle(self, item: SessionItem) -> None:
        await self.gate.wait()
        if self.fail_on is not None and len(self.items) == self.fail_on:
            raise RuntimeError("consumer bug")
        self.items.append(item)

    async def close(self, error: str | None) -> None:
        self.closed = True
        self.error = error


def frames(n: int) -> list[Frame]:
    return [Frame(float(i), "2acd", bytes.fromhex("0000f401")) for i in range(n)]


async def spin(times: int = 500) -> None:
    """Let every ready task run; single-threaded, so this is deterministic."""
    for _ in range(times):
        await asyncio.sleep(0)


async def test_a_stalled_never_drop_consumer_holds_the_source_back_and_loses_nothing() -> None:
    recorder = Sink("recorder", Overflow.NEVER_DROP, 4)
    recorder.gate.clear()
    session = Session(ListSource(frames(50)), [recorder])
    run = asyncio.create_task(session.run())
    await spin()
    assert len(session.samples) < 10  # the full queue makes the engine wait
    recorder.gate.set()
    result = await run
    assert result.consumers[0].dropped == 0
    assert len(recorder.items) == 100  # 50 frames + 50 samples


async def test_drop_oldest_and_keep_latest_under_stalled_consumers() -> None:
    recorder = Sink("recorder", Overflow.NEVER_DROP, 1000)
    mqtt = Sink("mqtt", Overflow.DROP_OLDEST, 4)
    screen = Sink("screen", Overflow.KEEP_LATEST, 1)
    mqtt.gate.clear()
    screen.gate.clear()
    session = Session(ListSource(frames(50)), [recorder, mqtt, screen])
    run = asyncio.create_task(session.run())
    await spin()
    assert len(session.samples) == 50  # the stalled consumers never slowed the source
    mqtt.gate.set()
    screen.gate.set()
    result = await run
    reports = {r.name: r for r in result.consumers}
    assert len(recorder.items) == 100
    assert reports["mqtt"].dropped > 0
    assert len(mqtt.items) + reports["mqtt"].dropped == 100
    assert mqtt.items[-4:] == recorder.items[-4:]  # the newest survive
    assert reports["screen"].dropped > 0
    assert screen.items[-1] == recorder.items[-1]
    assert all(s.closed for s in (recorder, mqtt, screen))


async def test_a_failing_consumer_is_reported_and_the_rest_go_on() -> None:
    broken = Sink("broken", Overflow.DROP_OLDEST, 100, fail_on=3)
    healthy = Sink("healthy", Overflow.NEVER_DROP, 100)
    result = await Session(ListSource(frames(20)), [broken, healthy]).run()
    reports = {r.name: r for r in result.consumers}
    assert reports["broken"].error == "RuntimeError: consumer bug"
    assert reports["healthy"].error is None
    assert len(healthy.items) == 40
    assert broken.closed
    assert broken.error == "RuntimeError: consumer bug", "a consumer cut off is told why"
    assert healthy.error is None


async def test_a_failing_source_ends_the_session_with_a_report() -> None:
    sink = Sink("sink", Overflow.NEVER_DROP, 100)
    result = await Session(ListSource(frames(10), fail_after=6), [sink]).run()
    assert result.source_error == "OSError: the source broke"
    assert len(result.samples) == 6
    assert len(sink.items) == 12  # everything read before the failure was delivered
    assert sink.closed


@pytest.mark.virtual_time
async def test_replay_pause_seek_and_speed(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    await record_virtual(out, duration_s=120.0, seed=2)
    fixture = read_fixture(out)
    replay = ReplaySource(fixture, speed=600.0)
    got: list[float] = []
    async with asyncio.timeout(10):
        async for item in replay.items():
            got.append(item.t)
            if len(got) == 5:
                replay.pause()
                paused_at = replay.position_s
                await asyncio.sleep(0.05)
                assert replay.position_s == paused_at  # time stands still while paused
                replay.seek(100.0)
                replay.resume()
    assert got[5] >= 100.0
    assert got == sorted(got)
    assert replay.finished


HEADER = '{"format": "treadmill-fixture", "version": 1, "started_at": "2026-11-24T07:00:00Z", "device": {}}'
GOOD = '{"t": 1.0, "cue": "reverse"}'


@pytest.mark.parametrize(
    ("content", "expected", "tolerable"),
    [
        ("\n".join([HEADER, GOOD, '{"t": 2.0, "char": "2a']), "bad.jsonl:3: not valid JSON", True),
        ("\n".join([HEADER, GOOD, "garbage"]), "bad.jsonl:3: not valid JSON", True),
        ("\n".join([HEADER, GOOD, '{"t": 0.5, "cue": "forward"}']), "bad.jsonl:3: 't' goes backwards", True),
        ("", "bad.jsonl: empty file", False),
        ("\x00\xff\xfe binary", "bad.jsonl:1: no header", False),
        (GOOD, "bad.jsonl:1: no header", False),
    ],
    ids=["truncated_last_line", "garbage_line", "non_monotonic_t", "empty", "binary", "missing_header"],
)
def test_replay_command_bad_fixture_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str, tolerable: bool
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content.encode("latin-1"))
    status, _, err = cli(capsys, "replay", str(path), "--headless")
    assert status == 2
    assert expected in err
    assert err.count("\n") == 1
    status, out, err = cli(capsys, "replay", str(path), "--headless", "--json", "--tolerant")
    if tolerable:
        assert status == 0
        assert json.loads(out)["skipped_lines"] == 1
        assert "skipped" in err
    else:  # nothing to salvage without a header
        assert status == 2


def test_unknown_line_kinds_replay_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text(
        "\n".join([HEADER, GOOD, '{"t": 2.0, "lap": 3}', '{"t": 3.0, "event": "marked_reverse"}']) + "\n"
    )
    status, out, _ = cli(capsys, "replay", str(path), "--json")
    assert status == 0
    assert json.loads(out)["skipped_lines"] == 0

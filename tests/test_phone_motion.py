"""A phone worn on the body: its readings, the turns it sees, when it stops counting, the detector.

The readings come from the virtual runner's phone (:mod:`treadmill.virtual.phone`), with its
gyroscope drift, stride sway, thigh swing and compass bent by the motor; the checks are the
cases that matter on a belt: a turn either way, a look aside, a full spin, a long straight
walk with a drifting gyroscope, the phone taken out and put back, laid on the console,
silent for a moment.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.evaluation import run_detector, switch_times
from bench.population import Regime, phone_of, session
from treadmill.clock import SessionClock
from treadmill.core.analysis import analyze
from treadmill.core.body_motion import BodyMotion, wrap180
from treadmill.core.pipeline import Pipeline
from treadmill.ftms import TreadmillData
from treadmill.ftms.uuids import TREADMILL_DATA
from treadmill.model import (
    Direction,
    Evidence,
    Facing,
    Frame,
    LinkEvent,
    LinkEventKind,
    PhoneState,
    Sample,
    Sensor,
)
from treadmill.mqtt.messages import SessionState, state_payload
from treadmill.phone.feed import PhoneFeed
from treadmill.phone.reading import PHONE_MOTION, MotionReading
from treadmill.session.board import LiveBoard, PhoneSeen
from treadmill.session.decoding import SampleDecoder
from treadmill.storage.fixtures import FixtureError, FixtureWriter, read_fixture
from treadmill.virtual.phone import PHONE_RATE_HZ, BodyPhone, Mount, OffBody

WALK_KMH, CADENCE = 4.0, 110.0


def smooth_turns(turns: list[tuple[float, float, float]]) -> Callable[[float], float]:
    """A heading from (start, seconds, degrees) turns, each swept smoothly."""

    def heading(t: float) -> float:
        total = 0.0
        for start, seconds, degrees in turns:
            x = min(max((t - start) / seconds, 0.0), 1.0)
            total += degrees * x * x * (3.0 - 2.0 * x)
        return total

    return heading


def follow(
    phone: BodyPhone,
    heading: Callable[[float], float],
    until_s: float,
    *,
    belt: Callable[[float], float] = lambda t: WALK_KMH if t > 5.0 else 0.0,
    silent: tuple[float, float] = (0.0, 0.0),
    orientation: bool = True,
) -> list[tuple[float, PhoneState]]:
    """The tracker's state every half second over a walk (no readings while ``silent``)."""
    motion, states, k = BodyMotion(), [], 0
    while (t := k / PHONE_RATE_HZ) <= until_s:
        k += 1
        kmh = belt(t)
        reading = phone.reading(t, heading(t), CADENCE if kmh > 0 else 0.0, kmh)
        if not orientation:
            reading = MotionReading(reading.rotation_dps, reading.accel_ms2)
        if not silent[0] <= t < silent[1]:
            motion.feed(t, reading)
        if k % 10 == 0:
            states.append((t, motion.state(t, belt_moving=kmh > 0.3)))
    return states


def turns_at(states: list[tuple[float, PhoneState]]) -> list[float]:
    """When each counted turn ended, as the tracker says (over stretches on the body)."""
    seen: list[float] = []
    last = 0
    for _t, state in states:
        if state.worn and state.turns > last and state.turned_at is not None:
            seen.append(state.turned_at)
        last = state.turns if state.worn else 0
    return seen


def test_a_reading_is_checked_and_keeps_its_values_through_every_form() -> None:
    reading = MotionReading((12.5, -3.25, 0.5), (0.125, 9.75, -0.25), (181.0, 45.5, -10.0))
    again = MotionReading.from_json(json.loads(json.dumps(reading.to_json())))
    assert again == reading
    assert MotionReading.from_bytes(bytes(reading)) == reading, "exact in float32 for these values"
    frame = reading.frame(3.5)
    assert (frame.char, frame.src, frame.t) == (PHONE_MOTION, Sensor.PHONE, 3.5)
    assert (
        MotionReading.from_bytes(bytes(MotionReading((1.0, 2.0, 3.0), (0.0, 9.8, 0.0)))).orientation_deg
        is None
    )
    for bad in (
        {"accel_ms2": [0, 9.8, 0]},
        {"rotation_dps": [0, 0], "accel_ms2": [0, 9.8, 0]},
        {"rotation_dps": [0, 0, float("nan")], "accel_ms2": [0, 9.8, 0]},
        {"rotation_dps": [0, 0, True], "accel_ms2": [0, 9.8, 0]},
        {"rotation_dps": [0, 0, 5000], "accel_ms2": [0, 9.8, 0]},
        {"rotation_dps": [0, 0, 0], "accel_ms2": [0, 9.8, "0"]},
        {"rotation_dps": [0, 0, 0], "accel_ms2": [0, 9.8, 0], "orientation_deg": [0, 0, 1e9]},
    ):
        with pytest.raises(ValueError, match=r"rotation_dps|accel_ms2|orientation_deg"):
            MotionReading.from_json(bad)
    with pytest.raises(ValueError, match="36 bytes"):
        MotionReading.from_bytes(b"\x00" * 35)


@pytest.mark.parametrize("mount", list(Mount))
@pytest.mark.parametrize("side", [1.0, -1.0])
def test_a_turn_either_way_is_counted_once_where_it_ended(mount: Mount, side: float) -> None:
    states = follow(BodyPhone(5, mount=mount), smooth_turns([(40.0, 2.5, side * 180.0)]), 80.0)
    assert turns_at(states) == pytest.approx([42.5], abs=1.0)
    assert all(state.worn for t, state in states if t >= 10.0), "worn and steady throughout"
    assert any(state.sideways for t, state in states if 40.0 < t < 42.5), "part way round while turning"


@pytest.mark.parametrize(
    ("turns", "why"),
    [
        ([(30.0, 1.5, 90.0), (36.0, 1.5, -90.0)], "a look aside and back"),
        ([(30.0, 3.0, 360.0)], "a full spin comes back to the same facing"),
        ([(30.0, 2.0, 120.0), (34.0, 2.0, -120.0)], "a twist that stops short of a turn"),
        ([(30.0, 40.0, 180.0)], "a slow drift round over 40 s is no turn"),
    ],
)
def test_what_is_not_a_turn_is_not_counted(turns: list[tuple[float, float, float]], why: str) -> None:
    states = follow(BodyPhone(9, mount=Mount.POCKET), smooth_turns(turns), 90.0)
    assert turns_at(states) == [], why


def test_a_drifting_gyroscope_on_a_long_straight_walk_raises_no_turn() -> None:
    phone = BodyPhone(11, mount=Mount.POCKET)
    phone._bias = [1.0, 1.0, 1.0]
    states = follow(phone, lambda _t: 0.0, 900.0)
    assert turns_at(states) == []
    assert all(state.worn for t, state in states if t >= 10.0)


def test_the_compass_is_not_used() -> None:
    """The motor bends the magnetic field: the same walk with and without orientation says the same."""
    heading = smooth_turns([(40.0, 2.0, 180.0)])
    with_compass = follow(BodyPhone(3, mount=Mount.ARMBAND), heading, 70.0)
    without = follow(BodyPhone(3, mount=Mount.ARMBAND), heading, 70.0, orientation=False)
    assert with_compass == without


@pytest.mark.parametrize("put_down", [False, True])
def test_a_phone_taken_out_stops_counting_and_comes_back_with_no_false_turn(put_down: bool) -> None:
    off = OffBody(60.0, 90.0, put_down=put_down)
    phone = BodyPhone(21, mount=Mount.POCKET, off_body=(off,))
    states = follow(phone, smooth_turns([(150.0, 2.5, 180.0)]), 200.0)
    during = [state for t, state in states if off.start_s + 1.0 <= t < off.end_s]
    assert not any(state.worn for state in during), "its evidence stops counting while it is off the body"
    assert turns_at(states) == pytest.approx([152.5], abs=1.0), "no false turn; the real one after, counted"
    back = [t for t, state in states if t > off.end_s and state.worn]
    assert back, "back on the body"
    assert back[0] - off.end_s <= 8.0, "it counts again within seconds of settling"


def test_a_phone_that_falls_silent_starts_over() -> None:
    states = follow(BodyPhone(4, mount=Mount.WAISTBAND), lambda _t: 0.0, 60.0, silent=(30.0, 33.0))
    assert not any(state.worn for t, state in states if 31.0 <= t < 33.0)
    assert all(state.worn for t, state in states if t >= 38.0)
    assert {state.worn_since for t, state in states if t >= 38.0} != {states[20][1].worn_since}, (
        "a new stretch"
    )


def test_wrap180() -> None:
    assert [wrap180(x) for x in (0.0, 180.0, -180.0, 190.0, 360.0, -350.0, 540.0)] == [
        0.0,
        180.0,
        180.0,
        -170.0,
        0.0,
        10.0,
        180.0,
    ]


def phone_frames(phone: BodyPhone, heading: Callable[[float], float], until_s: float) -> list[Frame]:
    return [
        phone.reading(t, heading(t), CADENCE, WALK_KMH).frame(t)
        for t in (k / PHONE_RATE_HZ for k in range(int(until_s * PHONE_RATE_HZ)))
    ]


def samples_with(
    phone: BodyPhone, heading: Callable[[float], float], speed: Callable[[float], float], seconds: int
) -> list[Sample]:
    """A 1 Hz treadmill at ``speed`` and the phone's readings, through the real decoder."""
    decoder, samples, t = SampleDecoder(), [], 0.0
    for second in range(seconds):
        while t <= second:
            kmh = speed(t)
            decoder.feed(phone.reading(t, heading(t), CADENCE if kmh > 0.3 else 0.0, kmh).frame(t))
            t = round(t + 1.0 / PHONE_RATE_HZ, 6)
        record = bytes(TreadmillData(instantaneous_speed_kmh=speed(second)))
        sample = decoder.feed(Frame(float(second), TREADMILL_DATA, record))
        assert isinstance(sample, Sample)
        samples.append(sample)
    return samples


def test_a_turn_at_an_unchanged_speed_is_seen_and_a_dip_without_one_is_not() -> None:
    """No cue, no footpod, the belt steady: the phone alone sees the turn; then a speed dip that
    the belt says could be one, and the phone says was not."""
    heading = smooth_turns([(100.0, 2.0, 180.0)])

    def speed(t: float) -> float:  # a slow-down at 200 s, facing the same way
        return 0.0 if t <= 3.0 else 1.5 if 200.0 <= t < 215.0 else 5.0

    analysis = analyze(samples_with(BodyPhone(8, mount=Mount.POCKET), heading, speed, 300), [])
    at = {round(v.t): v for v in analysis.verdicts}
    assert at[90].direction is Direction.FORWARD
    assert at[90].evidence is Evidence.PHONE
    assert at[106].direction is Direction.REVERSE, "the turn at speed, seen by the phone"
    assert at[106].confidence >= 0.95
    assert [round(v.boundary_s) for v in analysis.verdicts if v.switched] == [102], "one switch, dated"
    assert all(at[t].direction is Direction.REVERSE for t in range(106, 300) if t not in range(200, 215)), (
        "the slow-down was no turn"
    )


@pytest.mark.parametrize("put_down", [False, True])
def test_a_turn_made_while_the_phone_is_out_is_not_hidden_by_it(put_down: bool) -> None:
    """Out of the pocket (or on the console) while the belt stops, the person turns, the belt
    starts again slower: the phone saw nothing, so it may not say "forward" with its old certainty."""
    heading = smooth_turns([(80.0, 3.0, 180.0)])

    def speed(t: float) -> float:  # a stop to turn, then backward at 2.5 km/h
        return 0.0 if t <= 3.0 or 74.0 <= t < 86.0 else 2.5 if t >= 86.0 else 5.0

    phone = BodyPhone(13, mount=Mount.POCKET, off_body=(OffBody(60.0, 100.0, put_down=put_down),))
    verdicts = analyze(samples_with(phone, heading, speed, 240), []).verdicts
    at = {round(v.t): v for v in verdicts}
    assert at[50].direction is Direction.FORWARD
    assert at[50].evidence is Evidence.PHONE
    after = [at[t] for t in range(90, 240)]
    assert not [v for v in after if v.direction is Direction.FORWARD], "no old certainty stated as forward"
    assert any(v.asking for v in after), "a free run asks which way the person came back facing"
    assert all(at[t].evidence is not Evidence.PHONE for t in range(110, 240)), "the phone does not decide"


def test_a_phone_on_the_console_at_a_stop_does_not_count() -> None:
    """Laid on the console while the belt stands: it steps not, so it does not count."""
    phone = BodyPhone(6, mount=Mount.ARMBAND, off_body=(OffBody(30.0, 10_000.0, put_down=True),))
    states = follow(phone, lambda _t: 0.0, 120.0, belt=lambda t: 0.0 if 25.0 <= t < 60.0 else 4.0)
    assert not any(state.worn for t, state in states if t >= 31.0)


def test_without_a_worn_phone_the_belt_and_steps_decide_again() -> None:
    drawn = session(3, Regime.FREE_PHONE, duration_s=900.0)
    phone = phone_of(3, Regime.FREE_PHONE, 900.0)
    verdicts = run_detector(drawn).verdicts
    for stretch in phone.off_body:
        inside = [v for v in verdicts if stretch.start_s + 2.0 <= v.t < stretch.end_s]
        assert inside, "the person took the phone out in this session"
        assert all(v.evidence is not Evidence.PHONE for v in inside)


def test_on_people_the_detector_has_not_seen_a_worn_phone_finds_the_turns() -> None:
    """A floor under bench.eval_detector's free + phone figures (people 40-45)."""
    found = matched = 0
    for person in range(40, 46):
        drawn = session(person, Regime.FREE_PHONE, duration_s=900.0)
        true = [t for t, _ in switch_times(drawn.truth)]
        detected = [v.boundary_s for v in run_detector(drawn).verdicts if v.switched]
        found += len(true)
        matched += sum(any(abs(d - t) <= 5.0 for d in detected) for t in true)
    assert found >= 10
    assert matched / found >= 0.9


def test_a_recording_keeps_motion_lines_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "phone.jsonl"
    reading = MotionReading((10.0, -2.0, 0.5), (0.25, 9.5, 1.0), (12.0, 80.0, -3.0))
    with FixtureWriter.create(path, device={"name": "T", "address": "AA"}) as writer:
        writer.frame(reading.frame(1.25))
    lines = path.read_text().splitlines()
    assert json.loads(lines[1]) == {"t": 1.25, "motion": reading.to_json()}
    [frame] = read_fixture(path).frames
    assert frame == reading.frame(1.25)
    with path.open("a") as out:
        out.write('{"t": 2.0, "motion": {"rotation_dps": [1, 2], "accel_ms2": [0, 9.8, 0]}}\n')
    with pytest.raises(FixtureError, match=r"phone.jsonl:3: a motion line: rotation_dps must be a list of 3"):
        read_fixture(path)
    assert read_fixture(path, tolerant=True).skipped_count == 1


async def test_the_feed_brings_readings_and_the_pages_link_and_skips_the_rest(tmp_path: Path) -> None:
    socket_path = tmp_path / "phone.sock"
    frames: list[Frame] = []
    events: list[LinkEvent] = []
    lines = [
        b'{"event": "connected"}\n',
        json.dumps({"motion": MotionReading((1.0, 2.0, 3.0), (0.0, 9.8, 0.0)).to_json()}).encode() + b"\n",
        b"not json\n",
        b'{"motion": {"rotation_dps": [1, 2, 3], "accel_ms2": [0, 1e9, 0]}}\n',
        b'{"event": ["x"]}\n',
        b"[" * 5000 + b"\n",
    ]
    served = asyncio.Event()

    async def server(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"".join(lines))
        await writer.drain()
        writer.close()
        served.set()

    async def frame(item: Frame) -> None:
        frames.append(item)

    both = asyncio.Event()

    async def event(item: LinkEvent) -> None:
        events.append(item)
        if len(events) == 2:
            both.set()

    listening = await asyncio.start_unix_server(server, path=str(socket_path))
    feed = PhoneFeed(socket_path, SessionClock(), frame, event)
    task = asyncio.create_task(feed.run())
    try:
        async with asyncio.timeout(10):
            await both.wait()  # connected, then disconnected when the server hangs up
    finally:
        task.cancel()
        listening.close()
    assert [e.kind for e in events] == [LinkEventKind.CONNECTED, LinkEventKind.DISCONNECTED]
    assert {e.src for e in events} == {Sensor.PHONE}
    assert [MotionReading.from_bytes(f.data).rotation_dps for f in frames] == [(1.0, 2.0, 3.0)]
    assert feed.readings == 1
    assert feed.skipped == 4
    assert served.is_set()


def test_a_mark_sets_the_facing_the_phone_counts_turns_from() -> None:
    """The person says "backward" (a mark); the phone then counts their next turn from there."""
    frames = phone_frames(BodyPhone(2, mount=Mount.ARMBAND), smooth_turns([(45.0, 2.0, 180.0)]), 80.0)
    pipeline, decoder, k = Pipeline(), SampleDecoder(), 0
    shown: dict[int, Sample] = {}
    for second in range(80):
        while k < len(frames) and frames[k].t <= second:
            decoder.feed(frames[k])
            k += 1
        if second == 30:
            pipeline.mark(30.0, Facing.REVERSE)
        record = bytes(TreadmillData(instantaneous_speed_kmh=3.0))
        sample = decoder.feed(Frame(float(second), TREADMILL_DATA, record))
        assert isinstance(sample, Sample)
        labelled = pipeline.sample(sample)
        assert isinstance(labelled, Sample)
        shown[second] = labelled
    assert shown[20].direction is Direction.FORWARD
    assert shown[20].evidence is Evidence.PHONE
    assert shown[40].direction is Direction.REVERSE, "as marked: no turn since"
    assert shown[60].direction is Direction.FORWARD, "the turn at 45 s, from the marked facing"
    assert shown[60].confidence >= 0.95


def test_the_virtual_runner_wears_a_phone_and_the_recording_replays_its_turns(tmp_path: Path) -> None:
    """``record --virtual --phone``: a free run's every turn, from the recording's motion lines."""
    out = tmp_path / "free.jsonl"
    env = {**os.environ, "TREADMILL_CONFIG_DIR": str(tmp_path), "TREADMILL_DATA_DIR": str(tmp_path / "data")}
    argv = [
        "--virtual",
        "--phone",
        "--runner",
        "free",
        "--duration",
        "900",
        "--time-scale",
        "max",
        "--seed",
        "4",
    ]
    subprocess.run(
        [sys.executable, "-m", "tui", "record", "--out", str(out), *argv], check=True, env=env, timeout=120
    )
    fixture = read_fixture(out)
    assert sum(f.src is Sensor.PHONE for f in fixture.frames) >= 900 * PHONE_RATE_HZ * 0.95
    analyzed = subprocess.run(
        [sys.executable, "-m", "tui", "analyze", str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    intervals = json.loads(analyzed.stdout)["intervals"]
    moving = [(i["start_s"], i["direction"]) for i in intervals if i["direction"] in ("forward", "reverse")]
    truth = [(t, d.value) for t, d in fixture.truth if d in (Direction.FORWARD, Direction.REVERSE)]
    assert len(truth) >= 4, "the free runner turned"
    assert [d for _, d in moving] == [d for _, d in truth]
    assert all(abs(a - b) <= 2.0 for (a, _), (b, _) in zip(moving, truth, strict=True))
    assert all(i["confidence"] >= 0.95 for i in intervals if i["direction"] == "reverse")


def test_the_board_and_mqtt_say_where_the_phone_is() -> None:
    """No phone: nothing said. Linked and worn, linked but off the body, then its page gone."""
    board = LiveBoard()
    board.take(Sample(1.0, 4.0))
    assert board.view().phone is None
    board.take(LinkEvent(2.0, LinkEventKind.CONNECTED, Sensor.PHONE))
    assert board.view().phone is PhoneSeen.OFF_BODY, "linked, not yet counting"
    worn = PhoneState(worn=True, turns=0, turned_at=None, sideways=False, steps_per_min=110.0, worn_since=2.5)
    board.take(Sample(3.0, 4.0, phone=worn))
    assert board.view().phone is PhoneSeen.WORN
    assert state_payload(board.view(), SessionState.RUNNING)["phone"] == "worn"
    board.take(LinkEvent(4.0, LinkEventKind.DISCONNECTED, Sensor.PHONE))
    assert board.view().phone is PhoneSeen.LOST
    assert [PhoneSeen(s).words for s in ("worn", "off_body", "lost")] == [
        "phone ✓",
        "phone out",
        "phone lost",
    ]

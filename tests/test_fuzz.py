"""Garbage in: every reader of outside data raises only its own one-line error, or nothing.

* the decoders raise nothing but FrameError, the assembler nothing at all;
* the recording reader raises only FixtureError, and its tolerant mode skips what it cannot read;
* the plan loaders (TOML, Zwift ``.zwo``) raise only PlanError;
* the profile loader never raises, and whatever it loads stays within the caps;
* MQTT command parsing gives a command or a ValueError with a reason.

``make test`` runs these with the fast Hypothesis profile; ``make fuzz`` with the deep one
(``TREADMILL_HYPOTHESIS=deep``), then ``bench/fuzz_codecs.py`` for longer still.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.frame_mix import workout_frames
from tests.conftest import load_vectors
from treadmill.errors import FrameError
from treadmill.ftms import RecordAssembler
from treadmill.ftms.registry import DECODERS
from treadmill.inputs import MAX_FORWARD_CAP_KMH, MAX_REVERSE_CAP_KMH
from treadmill.mqtt.messages import Action, Command, parse_command
from treadmill.storage.fixtures import Fixture, FixtureError, read_fixture
from treadmill.storage.profile import profile_from
from treadmill.workout.plan import PlanError, parse_plan
from treadmill.workout.zwo import parse_zwo

ROOT = Path(__file__).resolve().parent.parent

REAL_FRAMES = [bytes.fromhex(v["hex"]) for v in load_vectors()] or workout_frames()
"""Seeds: real frames from ../shared when it is there, else frames of our own encoder shaped like them."""


@st.composite
def mutated_real_frames(draw: st.DrawFn) -> bytes:
    """A real frame with bytes flipped, cut, duplicated or appended."""
    frame = bytearray(draw(st.sampled_from(REAL_FRAMES)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "grow", "flags"]))
        if action == "flip" and frame:
            frame[draw(st.integers(0, len(frame) - 1))] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del frame[draw(st.integers(0, len(frame))) :]
        elif action == "grow":
            frame += draw(st.binary(max_size=8))
        elif action == "flags" and len(frame) >= 2:
            frame[0], frame[1] = draw(st.integers(0, 255)), draw(st.integers(0, 255))
    return bytes(frame)


payloads = st.one_of(st.binary(max_size=48), mutated_real_frames())


@pytest.mark.parametrize("char", sorted(DECODERS))
@given(payload=payloads)
def test_decoders_raise_only_frame_error(char: str, payload: bytes) -> None:
    try:
        record = DECODERS[char](payload)
    except FrameError as exc:
        error: FrameError | None = exc
    else:
        error = None
    if error is not None:
        assert error.characteristic == char
        return
    record.to_dict()  # a decoded record always renders ...
    bytes(record)  # ... and encodes back, leaving out what was cut


@given(st.lists(payloads, max_size=30), st.lists(st.booleans(), max_size=30))
def test_assembler_never_raises(frames: list[bytes], resets: list[bool]) -> None:
    assembler = RecordAssembler()
    returned = 0
    for frame, reset in zip(frames, resets + [False] * len(frames), strict=False):
        if assembler.feed(frame) is not None:
            returned += 1
        if reset:
            assembler.reset()
    assert assembler.stats.records == returned
    assert assembler.pending <= 4


# --- recordings ---------------------------------------------------------------------------------

GOOD_LINES = (ROOT / "fixtures" / "guided-beginner.jsonl").read_bytes().splitlines()[:40]


@st.composite
def damaged_recordings(draw: st.DrawFn) -> bytes:
    """A real recording's first lines, with lines cut, swapped, corrupted or made up."""
    lines = list(GOOD_LINES)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["cut", "flip", "junk", "swap", "number", "drop"]))
        line = bytearray(lines[index])
        if action == "cut":
            lines[index] = bytes(line[: draw(st.integers(0, len(line)))])
        elif action == "flip" and line:
            line[draw(st.integers(0, len(line) - 1))] ^= 1 << draw(st.integers(0, 7))
            lines[index] = bytes(line)
        elif action == "junk":
            lines[index] = draw(st.binary(max_size=80))
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "number":
            value = draw(st.sampled_from(["1e400", "NaN", "-1", "9" * 400, "true", '"7"', "[]", "{}"]))
            lines[index] = f'{{"t": {value}, "cue": "reverse"}}'.encode()
        else:
            del lines[index]
            if not lines:
                lines = [b""]
    return b"\n".join(lines) + b"\n"


@given(damaged_recordings())
def test_the_recording_reader_raises_only_fixture_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(content)
        strict: Fixture | None = None
        with contextlib.suppress(FixtureError):
            strict = read_fixture(path)
        stopped_at: int | None
        try:
            tolerant = read_fixture(path, tolerant=True)
        except FixtureError as exc:
            stopped_at = exc.line
        else:
            stopped_at = None
    if stopped_at is not None:
        assert stopped_at <= 1, "only a missing or bad header stops a tolerant read"
        return
    if strict is not None:
        assert tolerant.frames == strict.frames
        assert tolerant.skipped_count == 0
    times = [item.t for item in tolerant.items]
    assert times == sorted(times)
    assert all(math.isfinite(t) and 0 <= t <= 86_400 for t in times)


# --- plans ----------------------------------------------------------------------------------------

PLAN = """name = "Fuzz"
[[steps]]
kind = "warmup"
direction = "forward"
duration = "3:00"
speed_kmh = 4.0
[[steps]]
repeat = 3
  [[steps.steps]]
  direction = "reverse"
  duration = 30
  speed_kmh = 2.0
  handrail = true
  [[steps.steps]]
  direction = "forward"
  distance_m = 400
  incline_pct = 2.0
"""
VALUES = st.sampled_from(
    ["nan", "inf", "-1", "0", "1e400", '"x"', "true", "[]", "{}", "1000000", "99", '"1:99"', '"99:00:00"']
)


@st.composite
def damaged_plans(draw: st.DrawFn) -> str:
    """The plan above with values replaced, lines dropped, or characters spliced in."""
    lines = PLAN.splitlines()
    for _ in range(draw(st.integers(1, 5))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "drop", "splice"]))
        if action == "value" and "=" in lines[index]:
            key = lines[index].split("=")[0]
            lines[index] = f"{key}= {draw(VALUES)}"
        elif action == "drop":
            del lines[index]
        else:
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + draw(st.text(max_size=6)) + lines[index][at:]
        if not lines:
            break
    return "\n".join(lines)


@given(damaged_plans())
def test_the_toml_plan_loader_raises_only_plan_error(text: str) -> None:
    try:
        plan = parse_plan(text, "fuzz.toml")
    except PlanError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert refused.startswith("fuzz.toml"), "every refusal names the file"
        return
    assert plan.steps
    assert all(s.duration_s is None or math.isfinite(s.duration_s) for s in plan.steps)
    assert all(s.speed_kmh is None or math.isfinite(s.speed_kmh) for s in plan.steps)
    json.dumps(plan.to_dict(), allow_nan=False)


ZWO_ATTRIBUTES = ["Duration", "Power", "PowerLow", "PowerHigh", "Repeat", "OnDuration", "OffDuration",
                  "OnPower", "OffPower", "pace"]  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SteadyState", "Warmup", "Cooldown", "IntervalsT", "Ramp", "FreeRide", "Bogus"]),
            st.dictionaries(st.sampled_from(ZWO_ATTRIBUTES), VALUES | st.text(max_size=8), max_size=6),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_zwo_loader_raises_only_plan_error(blocks: list[tuple[str, dict[str, str]]]) -> None:
    body = "".join(
        "<{}{} />".format(tag, "".join(f" {k}={json.dumps(v.strip(chr(34)))}" for k, v in attrs.items()))
        for tag, attrs in blocks
    )
    data = f"<workout_file><sportType>run</sportType><workout>{body}</workout></workout_file>"
    try:
        plan = parse_zwo(data.encode(), "fuzz.zwo", (300.0, 330.0, 345.0, 365.0, 390.0))
    except PlanError:
        return
    assert 0 < len(plan.steps) <= 1000
    json.dumps(plan.to_dict(), allow_nan=False)


# --- the profile --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
PROFILE_KEYS = ["age", "mass_kg", "sex", "resting_hr_bpm", "max_hr_bpm", "maf_adjustment", "detector",
                "reference_paces_s_per_km", "forward_cap_kmh", "reverse_cap_kmh", "examples"]  # fmt: skip


@given(st.dictionaries(st.sampled_from(PROFILE_KEYS), json_values, max_size=11) | json_values)
def test_the_profile_loader_never_raises_and_keeps_the_caps(data: object) -> None:
    loaded = profile_from(data)
    person = loaded.profile
    assert 0.5 <= person.forward_cap_kmh <= MAX_FORWARD_CAP_KMH
    assert 0.5 <= person.reverse_cap_kmh <= MAX_REVERSE_CAP_KMH
    assert math.isfinite(person.mass_kg)
    assert all(math.isfinite(p) and p > 0 for p in person.reference_paces_s_per_km)
    json.dumps(person.to_dict(), allow_nan=False)


# --- MQTT commands --------------------------------------------------------------------------------

commands = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"action": st.sampled_from(["speed", "stop", "start", "dance", ""]), "kmh": json_values}
    ).map(lambda v: json.dumps(v).encode()),
    st.integers(1, 200).map(lambda n: b"[" * n + b"]" * n),
)


@given(commands)
def test_mqtt_commands_parse_or_say_why(payload: bytes) -> None:
    try:
        command = parse_command(payload)
    except ValueError as exc:
        reason = str(exc)
    else:
        reason = ""
    if reason or not isinstance(command, Command):
        assert reason, "a refusal always says why"
        return
    assert command.action in set(Action)
    if command.action is Action.SPEED:
        assert command.kmh is not None
        assert 0 < command.kmh <= 100

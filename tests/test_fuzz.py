"""Garbage in: decoders raise nothing but FrameError, the assembler raises nothing at all.

``bench/fuzz_codecs.py`` runs the same checks for much longer and prints how many frames
it tried.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.frame_mix import workout_frames
from tests.conftest import load_vectors
from treadmill.errors import FrameError
from treadmill.ftms import RecordAssembler
from treadmill.ftms.registry import DECODERS

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
@settings(max_examples=400)
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

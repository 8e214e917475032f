"""Spoken cues through a text-to-speech program found on PATH (a real executable here)."""

from __future__ import annotations

import stat
from pathlib import Path

from treadmill.model import CoachEventKind
from treadmill.session.coach import CoachEvent
from treadmill.workout.cues import CueKind
from tui.voice import find_speaker


def install(folder: Path, name: str, pause_s: int) -> Path:
    """A stand-in text-to-speech program: logs what it was asked to say, takes ``pause_s`` saying it."""
    log = folder / "said.log"
    program = folder / name
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\nexec sleep {pause_s}\n')
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return log


def test_no_program_means_no_speaker(tmp_path: Path) -> None:
    assert find_speaker(str(tmp_path)) is None


def test_the_first_program_found_says_the_cue(tmp_path: Path) -> None:
    install(tmp_path, "say", 0)
    log = install(tmp_path, "espeak", 0)  # espeak comes before say
    speaker = find_speaker(str(tmp_path))
    assert speaker is not None
    assert Path(speaker.program).name == "espeak"
    assert speaker.say("Turn now: face backward, hands on the rails.")
    speaker.wait()
    assert log.read_text() == "Turn now: face backward, hands on the rails.\n"


def test_minor_cues_wait_their_turn_and_important_ones_cut_in(tmp_path: Path) -> None:
    install(tmp_path, "espeak-ng", 30)
    speaker = find_speaker(str(tmp_path))
    assert speaker is not None
    try:
        assert speaker.say("Turn in 10 s: slow to 2 km/h.")
        assert speaker.busy()
        assert not speaker.say("3", minor=True)
        assert speaker.skipped == 1
        assert speaker.say("Safety key pulled: the belt stopped.")
        assert (speaker.spoken, speaker.interrupted) == (2, 1)
        assert speaker.busy()
    finally:
        speaker.stop()
    assert not speaker.busy()


def test_the_turn_seen_is_said_without_its_tick(tmp_path: Path) -> None:
    """ "You're backward ✓" on screen; the voice says the words, not "check mark"."""
    log = install(tmp_path, "espeak", 0)
    speaker = find_speaker(str(tmp_path))
    assert speaker is not None
    seen = CoachEvent(60.1, CoachEventKind.CUE, "You're backward ✓", cue=CueKind.TURNED, bell=True)
    assert speaker.say_event(seen)
    speaker.wait()
    assert log.read_text() == "You're backward\n"

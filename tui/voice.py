"""Spoken cues, where a text-to-speech program is installed (``--speak``).

Looks for, in order: ``spd-say`` (speech-dispatcher, most Linux desktops), ``espeak-ng``,
``espeak``, and ``say`` (macOS). Speech runs in the background: one utterance at a time.
An important cue (a turn, a warning) cuts off whatever is being said; a minor one (a
countdown number, a form reminder) is skipped while something is being said, since the
terminal bell and the screen carry it anyway.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field

from treadmill.model import CoachEventKind
from treadmill.session.coach import CoachEvent
from treadmill.workout.cues import CueKind

__all__ = ["PROGRAMS", "Speaker", "find_speaker"]

PROGRAMS = ("spd-say", "espeak-ng", "espeak", "say")
"""Text-to-speech programs tried, in order; each takes the text as its last argument."""

_MINOR = frozenset({CueKind.COUNTDOWN, CueKind.FORM, CueKind.STEP})
_SPOKEN = frozenset({CoachEventKind.CUE, CoachEventKind.WARNING, CoachEventKind.MESSAGE})


@dataclass(slots=True)
class Speaker:
    """Says cues through ``program``."""

    program: str
    spoken: int = 0
    skipped: int = 0
    interrupted: int = 0
    _current: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def busy(self) -> bool:
        """True while an utterance is still being said."""
        return self._current is not None and self._current.poll() is None

    def say_event(self, event: CoachEvent) -> bool:
        """Say a coach event's headline (cues, warnings, messages); False if it was not said."""
        if event.kind not in _SPOKEN:
            return False
        return self.say(event.text.removesuffix(" ✓"), minor=event.cue in _MINOR)  # a tick is seen, not said

    def say(self, text: str, *, minor: bool = False) -> bool:
        """Say ``text``; a ``minor`` one is skipped while something is being said. False if not said."""
        if self.busy():
            if minor:
                self.skipped += 1
                return False
            self.interrupted += 1
            self.stop()
        try:
            # A program found on PATH, the text as one argument: no shell, nothing to inject.
            self._current = subprocess.Popen(  # noqa: S603
                [self.program, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError:
            return False
        self.spoken += 1
        return True

    def stop(self) -> None:
        """Cut off what is being said."""
        if self._current is not None and self._current.poll() is None:
            self._current.terminate()
            self._current.wait()
        self._current = None

    def wait(self) -> None:
        """Let the last utterance finish."""
        if self._current is not None:
            self._current.wait()


def find_speaker(path: str | None = None) -> Speaker | None:
    """A speaker for the first text-to-speech program on ``path`` (default: ``PATH``), or None."""
    for program in PROGRAMS:
        found = shutil.which(program, path=path)
        if found is not None:
            return Speaker(found)
    return None

"""What the live screen shows at one moment, as one value its widgets watch.

The screen holds a :class:`Scene` in a Textual ``reactive``; each widget binds to it
(``data_bind``) and redraws its own part in ``watch_scene``. A new scene is taken four times
a second, at the exact moment (so a countdown is in step with the cue that says the same
number), but it compares equal to the last one unless something it shows changed: its texts,
the link, a pause, the second. Textual then calls no watcher at all: no change keys, no
lookups of widgets per tick.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from textual.reactive import reactive

from treadmill.session.board import LiveView

__all__ = ["Scene", "SceneWatcher", "Shown"]


class Shown(enum.StrEnum):
    """What the direction panel shows (each is also its CSS class)."""

    FORWARD = "forward"
    REVERSE = "reverse"
    STOPPED = "stopped"
    UNSURE = "unsure"
    PAUSED = "paused"
    WAITING = "waiting"


@dataclass(frozen=True, slots=True)
class Scene:
    """The session as the screen shows it (compared as a whole)."""

    view: LiveView = field(compare=False)
    """The snapshot (not compared: :attr:`texts` stands for what of it is shown)."""
    texts: tuple[str, ...]
    """Every text drawn from the snapshot, and the second: scenes differ when one of these does."""
    shown: Shown
    """The direction panel's word."""
    detail: str
    """The line under it."""
    idle: tuple[str, str]
    """The cue banner's headline and detail when no cue is on show."""
    status: str
    """The status line (markup)."""
    compact: bool
    """The compact layout (a phone, a narrow terminal)."""
    step_free_text: str
    """The step line's words when there is no step."""


class SceneWatcher:
    """A widget part of the live screen: ``scene`` is bound to the screen's, ``show_scene`` draws it."""

    scene: reactive[Scene | None] = reactive(None, layout=False, repaint=False, init=False)

    def watch_scene(self, scene: Scene | None) -> None:
        """A new scene (Textual calls this only when it differs from the last)."""
        if scene is not None:
            self.show_scene(scene)

    def show_scene(self, scene: Scene) -> None:
        """Draw this widget's part of ``scene``."""
        raise NotImplementedError

"""The direction, in big letters with a shape: ▲ FORWARD, ▼ REVERSE, ■ STOPPED, ? UNSURE, ‖ PAUSED.

The shape and the word carry the meaning on their own, so the panel reads the same with
``NO_COLOR`` and on a console with eight colours; the colour only adds to it. Under the
word, one line says how sure the detector is and what the guess rests on.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from treadmill.model import Direction, Evidence
from tui.widgets.bigtext import BigText
from tui.widgets.scene import Scene, SceneWatcher, Shown

_WORDS = {
    Shown.FORWARD: "▲ FORWARD",
    Shown.REVERSE: "▼ REVERSE",
    Shown.STOPPED: "■ STOPPED",
    Shown.UNSURE: "? UNSURE",
    Shown.PAUSED: "‖ PAUSED",
    Shown.WAITING: "CONNECTING",
}
_MEANING = {
    Shown.FORWARD: "facing the console",
    Shown.REVERSE: "facing backward",
    Shown.STOPPED: "belt stopped",
}
_EVIDENCE = {
    Evidence.MARK: "as you said (r/f)",
    Evidence.PHONE: "from the phone you carry",
    Evidence.CUED: "from the plan's cues and the speed",
    Evidence.FOOTPOD: "from the footpod's stride and the speed",
    Evidence.SPEED: "from the speed alone",
}

_SHORT_EVIDENCE = {
    Evidence.MARK: "your mark",
    Evidence.PHONE: "your phone",
    Evidence.CUED: "plan cues",
    Evidence.FOOTPOD: "footpod",
    Evidence.SPEED: "speed only",
}


def shown_for(direction: Direction, *, paused: bool, waiting: bool) -> Shown:
    """What the panel shows for the detector's ``direction``."""
    if waiting:
        return Shown.WAITING
    if paused:
        return Shown.PAUSED
    return Shown(direction.value)


def detail_line(shown: Shown, confidence: float, evidence: Evidence, *, short: bool = False) -> str:
    """The line under the word (``short``: for a narrow screen)."""
    if shown is Shown.WAITING:
        return "waiting for the treadmill's first data"
    if shown is Shown.PAUSED:
        return "space to go on" if short else "the workout waits: space to go on"
    if shown is Shown.UNSURE:
        return "r: backward · f: forward" if short else "not sure which way you face: press r or f"
    if shown is Shown.STOPPED:
        return _MEANING[shown]
    sure = f"{_nearest_5(confidence)} % sure"
    if short:
        return f"{sure} · {_SHORT_EVIDENCE[evidence]}"
    return f"{_MEANING[shown]} · {sure}, {_EVIDENCE[evidence]}"


def _nearest_5(confidence: float) -> int:
    """The confidence in whole percent to the nearest 5, at most 99 (never "100 % sure").

    Finer steps would say more than the detector knows, and repaint the line at every sample.
    """
    return min(round(confidence * 20) * 5, 99)


class DirectionPanel(SceneWatcher, Vertical):
    """The direction band (see the module docstring); repainted only when what it says changes."""

    DEFAULT_CSS = """
    DirectionPanel { height: 4; }
    DirectionPanel BigText { height: 1fr; }
    DirectionPanel #direction-detail { height: 1; width: 1fr; content-align: center middle; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown: Shown | None = None
        self._detail = ""

    def compose(self) -> ComposeResult:
        """The word, then the detail line."""
        yield BigText(id="direction-word")
        yield Static("", id="direction-detail")

    def show(self, shown: Shown, detail: str) -> None:
        """Show ``shown`` with ``detail`` under it."""
        if shown is not self.shown:
            if self.shown is not None:
                self.remove_class(self.shown.value)
            self.add_class(shown.value)
            self.shown = shown
            self.query_one(BigText).show(_WORDS[shown])
        if detail != self._detail:
            self._detail = detail
            self.query_one("#direction-detail", Static).update(detail, layout=False)

    def show_scene(self, scene: Scene) -> None:
        """The scene's word and detail line."""
        self.show(scene.shown, scene.detail)

"""The three big numbers: time to the next turn, time left in the step, and the belt's speed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Static

from treadmill.session.board import LiveView
from tui.widgets.bigtext import BigText
from tui.widgets.metrics import clock_text
from tui.widgets.scene import Scene, SceneWatcher


class Readout(Vertical):
    """A small label over a number in large digits, each repainted only when its text changes.

    The digits are as large as the layout's share of the height allows.
    """

    DEFAULT_CSS = """
    Readout { height: 1fr; width: 1fr; }
    Readout .readout-label { height: 1; width: 1fr; content-align: center middle; color: $text-muted; }
    Readout BigText { height: 1fr; }
    """

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.label = label
        self.value = "--"

    def compose(self) -> ComposeResult:
        """The label, then the digits."""
        yield Static(self.label, classes="readout-label")
        yield BigText(self.value)

    def show(self, label: str, value: str) -> None:
        """Show ``value`` under ``label``."""
        if label != self.label:
            self.label = label
            self.query_one(".readout-label", Static).update(label, layout=False)
        if value != self.value:
            self.value = value
            self.query_one(BigText).show(value)


def turn_label(view: LiveView) -> str:
    """What the first number counts down to."""
    if view.next_turn is not None:
        return f"TURN {view.next_turn.words.upper()} IN"
    if view.next_turn_s is not None:
        return "FINISH IN"
    return "NO TURNS PLANNED"


def readout_texts(view: LiveView) -> tuple[str, ...]:
    """Each readout's label and number, in order."""
    step = view.step
    speed = "--" if view.speed_kmh is None else f"{view.speed_kmh:.1f}"
    return (
        turn_label(view),
        _countdown(view.next_turn_s),
        _step_label(view),
        clock_text(view.t)
        if step is None and view.recorded_turns
        else _countdown(None if step is None else step.seconds_left),
        "SPEED KM/H",
        speed,
    )


class Readouts(SceneWatcher, Grid):
    """The three numbers side by side (two to a row on a narrow screen)."""

    DEFAULT_CSS = """
    Readouts { grid-size: 3; height: 4; grid-gutter: 0 1; }
    """

    def compose(self) -> ComposeResult:
        """Next turn, step left, speed."""
        yield Readout("NEXT TURN IN", id="next-turn")
        yield Readout("STEP LEFT", id="step-left")
        yield Readout("SPEED KM/H", id="speed")

    def show(self, view: LiveView) -> None:
        """Fill the numbers from a snapshot, all three at the size the widest allows."""
        texts = readout_texts(view)
        readouts = list(self.query(Readout))
        for k, readout in enumerate(readouts):
            readout.show(texts[2 * k], texts[2 * k + 1])
        bigs = [readout.query_one(BigText) for readout in readouts]
        rows = min(big.rows_drawn() for big in bigs)
        for big in bigs:
            big.cap_rows(rows)

    def show_scene(self, scene: Scene) -> None:
        """The scene's numbers."""
        self.show(scene.view)


def _countdown(seconds: float | None) -> str:
    """m:ss, rounded up (a countdown says 0:01 until the moment itself)."""
    if seconds is None:
        return "--"
    return clock_text(float(-(-max(seconds, 0.0) // 1)))


def _step_label(view: LiveView) -> str:
    step = view.step
    if step is None:
        if view.finished:
            return "WORKOUT DONE"
        return "REPLAY AT" if view.recorded_turns else "FREE RUN"
    return f"STEP {step.number}/{step.count} LEFT"

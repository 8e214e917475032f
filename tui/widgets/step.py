"""The workout's current step: what to do, a countdown bar, and what comes next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from treadmill.model import Facing
from treadmill.session.board import StepView
from tui.widgets.metrics import clock_text


class StepPanel(Vertical):
    """Step n of N, its countdown, and the next step."""

    DEFAULT_CSS = """
    StepPanel { height: 3; padding: 0 1; }
    StepPanel ProgressBar { width: 100%; }
    StepPanel Bar { width: 1fr; }
    StepPanel #step-next { color: $text-muted; }
    """

    shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        """Three lines: the step, the bar, the next step."""
        yield Label("", id="step-now")
        yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="step-bar")
        yield Label("", id="step-next")

    def show(self, step: StepView | None, paused: bool, finished: bool, free_text: str) -> None:
        """Show ``step`` (None: a free run or the end, described by ``free_text``); redrawn on change."""
        shape = None
        if step is not None:  # the countdown (and so the bar) moves a whole second at a time
            shape = (step.number, step.text, step.next_text, clock_text(step.seconds_left))
        key = (shape, paused, finished, free_text)
        if key == self.shown:
            return
        self.shown = key
        now = self.query_one("#step-now", Label)
        bar = self.query_one("#step-bar", ProgressBar)
        nxt = self.query_one("#step-next", Label)
        if step is None or finished:
            now.update(free_text)
            bar.update(progress=1.0 if finished else 0.0)
            nxt.update("")
            return
        left = f"{clock_text(step.seconds_left)} left"
        pause = "  [b reverse] PAUSED [/]" if paused else ""
        arrow = "▼" if step.facing is Facing.REVERSE else "▲"
        now.update(f"[b]Step {step.number}/{step.count} · {left}[/]{pause} {arrow} {step.text}")
        bar.update(progress=step.done_fraction)
        nxt.update(f"Next: {step.next_text}")

"""Where the workout is: step n of N, and what comes next (the step itself is in the cue banner)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from treadmill.model import Facing
from treadmill.session.board import StepView
from tui.widgets.scene import Scene, SceneWatcher


def step_text(step: StepView | None, *, finished: bool, free_text: str) -> Text:
    """One line: where the step is in the plan, then what comes next with a ▲/▼ for its direction."""
    if step is None or finished:
        return Text(free_text)
    text = Text(f"Step {step.number} of {step.count}", style="bold")
    if step.next_facing is None:
        text.append("   then the finish", style="dim")
    else:
        arrow = "▼" if step.next_facing is Facing.REVERSE else "▲"
        text.append(f"   then {arrow} {step.next_text}", style="dim")
    return text


class StepLine(SceneWatcher, Static):
    """The step (see the module docstring); one line, cut with an ellipsis when narrow."""

    DEFAULT_CSS = """
    StepLine { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self._plain = ""

    def show(self, step: StepView | None, *, finished: bool, free_text: str) -> None:
        """Show ``step``; repainted only when the words change."""
        text = step_text(step, finished=finished, free_text=free_text)
        if text.plain != self._plain:
            self._plain = text.plain
            self.update(text, layout=False)

    def show_scene(self, scene: Scene) -> None:
        """The scene's step."""
        view = scene.view
        self.show(view.step, finished=view.finished, free_text=scene.step_free_text)

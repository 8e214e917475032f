"""The direction indicator: FORWARD / REVERSE / STOPPED, large and in colour, with its confidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

_LOOK = {
    "forward": ("▲  FORWARD  ▲", "facing the console"),
    "reverse": ("▼  REVERSE  ▼", "facing backward"),
    "stopped": ("■  STOPPED  ■", "belt stopped"),
    "unsure": ("?  UNSURE  ?", "not sure which way: r or f tells me"),
}
_EVIDENCE = {
    "cued": "(plan cues and sensors)",
    "footpod": "(stride from the footpod)",
    "heart_rate": "(speed and heart rate)",
    "speed": "(speed only)",
}


class DirectionIndicator(Static):
    """Which way the user faces, as the live detector says, and how sure it is."""

    DEFAULT_CSS = """
    DirectionIndicator {
        height: 3;
        content-align: center middle;
        text-style: bold;
    }
    DirectionIndicator.forward { background: $success 70%; color: $text; }
    DirectionIndicator.reverse { background: $accent 80%; color: $text; }
    DirectionIndicator.stopped { background: $panel; color: $text-muted; }
    """

    shown: tuple[str, str, str, bool] | None = None

    def show(self, direction: str, confidence: float, evidence: str, waiting: bool) -> None:
        """Show ``direction`` (``forward``, ``reverse`` or ``stopped``) at ``confidence`` (0-1).

        ``evidence`` is what the guess rests on, as :attr:`DirectionDetector.evidence` names it.
        """
        key = (direction, f"{confidence:.0%}", evidence, waiting)
        if key == self.shown:
            return
        self.shown = key
        label, meaning = _LOOK.get(direction, _LOOK["stopped"])
        for name in _LOOK:
            self.set_class(name == direction, name)
        text = Text(label, style="bold")
        if waiting:
            text.append("   waiting for the treadmill…", style="not bold")
        else:
            text.append(
                f"   {meaning} · {confidence:.0%} sure {_EVIDENCE.get(evidence, '')}", style="not bold"
            )
        self.update(text)

"""The secondary numbers: incline, pace, distance, time, heart rate, energy, time and metres backward."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from treadmill.model import Direction
from treadmill.session.board import LiveView
from tui.widgets.scene import Scene, SceneWatcher

_PLAIN = Style()
"""Padding's style (an explicit one: Textual's NO_COLOR filter needs a style on every segment)."""


def clock_text(seconds: float | None) -> str:
    """m:ss, or h:mm:ss past the hour."""
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(round(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value: float | None, fmt: str, unit: str) -> str:
    return "--" if value is None else f"{value:{fmt}} {unit}"


def metric_values(view: LiveView) -> tuple[tuple[str, str], ...]:
    """(label, value) of each secondary number, in the order shown (the last takes two cells)."""
    pace = "--" if view.pace_s_per_km is None else clock_text(view.pace_s_per_km) + " /km"
    heart = "--"
    if view.heart_rate_bpm is not None:
        zone = f" Z{view.hr_zone}" if view.hr_zone is not None else ""
        heart = f"{view.heart_rate_bpm} bpm{zone}"
    backward = (
        f"{clock_text(view.time_s.get(Direction.REVERSE, 0.0))} · "
        f"{view.metres.get(Direction.REVERSE, 0.0):.0f} m"
    )
    return (
        ("Time", clock_text(view.active_s)),
        ("Distance", f"{view.distance_m / 1000:.2f} km"),
        ("Incline", _number(view.incline_pct, ".1f", "%")),
        ("Pace", pace),
        ("Heart", heart),
        ("Energy", f"{view.kcal_low:.0f}–{view.kcal_high:.0f} kcal"),
        ("Backward", backward),
    )


class Metrics(SceneWatcher, Widget):
    """Seven labelled numbers in two rows of four cells; redrawn only when one of them changes.

    Drawn with Textual's line API: the two rows are kept as strips until a value changes.
    """

    DEFAULT_CSS = """
    Metrics { height: 2; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.values: tuple[tuple[str, str], ...] = ()
        self._strips: list[Strip] | None = None

    def show(self, view: LiveView) -> None:
        """Fill the numbers from a snapshot."""
        values = metric_values(view)
        if values != self.values:
            self.values = values
            self._strips = None
            self.refresh()

    def on_resize(self) -> None:
        """Laid out again at the new width."""
        self._strips = None

    def rows(self) -> list[Text]:
        """The two rows: each cell a dim label and a bold value (the last cell of a row takes the rest)."""
        width = self.content_size.width
        cell = max(width // 4, 1)
        rows = []
        for first in (0, 4):
            row = Text(no_wrap=True, overflow="ellipsis")
            values = self.values[first : first + 4]
            for index, (label, value) in enumerate(values):
                wide = width - cell * index if index == len(values) - 1 else cell
                piece = Text(f"{label} ", style="dim")
                piece.append(value, style="bold")
                piece.truncate(wide - 1, overflow="ellipsis")
                piece.pad_right(wide - piece.cell_len)
                row.append_text(piece)
            rows.append(row)
        return rows

    def render_line(self, y: int) -> Strip:
        """One of the two rows."""
        width = self.content_size.width
        if self._strips is None:
            console = self.app.console
            self._strips = [
                Strip(list(row.render(console))).adjust_cell_length(width, _PLAIN) for row in self.rows()
            ]
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(width, _PLAIN)

    def show_scene(self, scene: Scene) -> None:
        """The scene's numbers (folded away in the compact layout)."""
        if not scene.compact:
            self.show(scene.view)

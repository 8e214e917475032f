"""Speed over time as a bar chart, reverse stretches shaded: the session at a glance."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from treadmill.session.board import ChartColumn

_BLOCKS = " ▁▂▃▄▅▆▇█"
_REVERSE_SHADE = "on #3b1f4a"
_COLOURS = {"forward": "green", "reverse": "magenta", "stopped": "grey50"}


def render_columns(columns: list[ChartColumn], height: int, top_kmh: float) -> list[Text]:
    """The chart as ``height`` lines of text, top line first (one character per column)."""
    lines = [Text() for _ in range(height)]
    for column in columns:
        level = 0.0 if column.speed_kmh is None else column.speed_kmh / top_kmh * height
        shade = _REVERSE_SHADE if column.direction == "reverse" else ""
        colour = _COLOURS.get(column.direction, "white")
        for row in range(height):
            filled = level - (height - 1 - row)
            glyph = _BLOCKS[max(0, min(8, round(filled * 8)))]
            lines[row].append(glyph, style=f"{colour} {shade}".strip())
    return lines


class SpeedChart(Widget):
    """The last few minutes of belt speed; reverse intervals on a shaded background."""

    DEFAULT_CSS = """
    SpeedChart { height: 1fr; min-height: 3; border: round $primary-darken-2; }
    """

    def __init__(self, window_s: float = 600.0, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.window_s = window_s
        self.columns: list[ChartColumn] = []
        self.border_title = "speed · reverse shaded"

    def show(self, columns: list[ChartColumn]) -> None:
        """New columns (as many as the widget is wide); redrawn only when they change."""
        if columns != self.columns:
            self.columns = columns
            self.refresh()

    def render(self) -> RenderableType:
        """The bars, scaled to the fastest speed shown (at least 6 km/h)."""
        height = max(self.content_size.height - 1, 1)
        speeds = [c.speed_kmh for c in self.columns if c.speed_kmh is not None]
        top = max([6.0, *speeds])
        lines = render_columns(self.columns, height, top)
        axis = Text(f"top {top:.0f} km/h · {self.window_s / 60:.0f} min shown", style="dim")
        return Text("\n").join([*lines, axis])

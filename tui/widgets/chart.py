"""Speed over time as a bar chart, reverse stretches shaded: the session at a glance.

Live, the chart moves in whole columns: each column is a fixed slice of time (wide enough
that the chart spans about ten minutes), the chart fills from the left and then scrolls.
Between two slices only the newest column can change, so a tick costs one column's
worth of work and a repaint only when that column shows something new. The rows are
drawn straight to segments and kept until the columns change (Textual's line API): a
repaint of the screen around the chart costs the chart nothing.
"""

from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from treadmill.model import Direction
from treadmill.session.board import ChartColumn, LiveBoard
from tui.widgets.scene import Scene, SceneWatcher

_BLOCKS = " ▁▂▃▄▅▆▇█"
_COLOURS = {Direction.FORWARD: "green", Direction.REVERSE: "magenta", Direction.STOPPED: "grey50"}
_REVERSE_SHADE = "#3b1f4a"
_STYLES = {
    direction: Style.parse(
        f"{_COLOURS.get(direction, 'white')}"
        + (f" on {_REVERSE_SHADE}" if direction is Direction.REVERSE else "")
    )
    for direction in Direction
}
_AXIS = Style(dim=True)
_PLAIN = Style()
"""Padding's style (an explicit one: Textual's NO_COLOR filter needs a style on every segment)."""
SPAN_S = 600.0
"""About how much time the live chart shows."""


def render_rows(columns: list[ChartColumn], height: int, top_kmh: float) -> list[list[Segment]]:
    """The chart as ``height`` rows of segments, top row first (one cell per column, runs merged)."""
    rows: list[list[Segment]] = []
    levels = [0.0 if c.speed_kmh is None else c.speed_kmh / top_kmh * height for c in columns]
    for row in range(height):
        floor = height - 1 - row
        segments: list[Segment] = []
        run, run_style = "", None
        for level, column in zip(levels, columns, strict=True):
            glyph = _BLOCKS[max(0, min(8, round((level - floor) * 8)))]
            style = _STYLES[column.direction]
            if style is not run_style and run:
                segments.append(Segment(run, run_style))
                run = ""
            run, run_style = run + glyph, style
        if run:
            segments.append(Segment(run, run_style))
        rows.append(segments)
    return rows


class SpeedChart(Widget):
    """Belt speed over time; reverse intervals on a shaded background."""

    DEFAULT_CSS = """
    SpeedChart { height: 1fr; min-height: 2; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns: list[ChartColumn] = []
        self.span_s = 0.0
        self._strips: list[Strip] | None = None
        self._slices: tuple[int, float, int] | None = None
        """(width, slice seconds, first slice) of the columns on show."""

    def follow(self, board: LiveBoard, now: float) -> None:
        """The live chart up to ``now`` (see the module docstring)."""
        width = self.content_size.width
        if width <= 0:
            return
        slice_s = float(max(1, math.ceil(SPAN_S / width)))
        last = int(now // slice_s)
        first = max(0, last + 1 - width)
        end = (last + 1) * slice_s
        # Columns already complete are kept; the newest one shown may have filled up since.
        kept = min(len(self.columns) - 1, last - first)
        if self._slices != (width, slice_s, first) or kept < 0:
            self._slices = (width, slice_s, first)
            kept = 0
        fresh = last + 1 - first - kept
        self._put(self.columns[:kept] + board.chart(fresh, fresh * slice_s, end), width * slice_s)

    def show(self, columns: list[ChartColumn], span_s: float) -> None:
        """Fixed columns covering ``span_s`` (the summary's whole session)."""
        self._slices = None
        self._put(columns, span_s)

    def _put(self, columns: list[ChartColumn], span_s: float) -> None:
        if columns != self.columns or span_s != self.span_s:
            self.columns, self.span_s = columns, span_s
            self._strips = None
            self.refresh()

    def on_resize(self) -> None:
        """Drawn again at the new size."""
        self._strips = None

    def _draw(self) -> list[Strip]:
        """The bars, scaled to the fastest speed shown (at least 6 km/h), over a one-line axis."""
        width, height = self.content_size.width, max(self.content_size.height - 1, 1)
        speeds = [c.speed_kmh for c in self.columns if c.speed_kmh is not None]
        top = max([6.0, *speeds])
        strips = [
            Strip(row).adjust_cell_length(width, _PLAIN) for row in render_rows(self.columns, height, top)
        ]
        minutes = self.span_s / 60
        span = f"{minutes:.0f} min" if minutes >= 1.5 else f"{self.span_s:.0f} s"
        axis = f"speed, top {top:.0f} km/h · {span} across · reverse shaded"
        strips.append(Strip([Segment(axis, _AXIS)]).adjust_cell_length(width, _PLAIN))
        return strips

    def render_line(self, y: int) -> Strip:
        """One row of the chart (the last is the axis)."""
        if self._strips is None:
            self._strips = self._draw()
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(self.content_size.width, _PLAIN)


class LiveChart(SceneWatcher, SpeedChart):
    """The live screen's chart: it follows ``board`` up to each scene's moment."""

    def __init__(self, board: LiveBoard, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.board = board

    def show_scene(self, scene: Scene) -> None:
        """The last ten minutes up to the scene (folded away in the compact layout)."""
        if not scene.compact:
            self.follow(self.board, scene.view.t)

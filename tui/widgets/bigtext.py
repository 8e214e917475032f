"""Big words and numbers, readable from the belt: the direction, the countdowns, HOLD THE RAILS.

Where the widget is three rows tall (the 80x24 screen) they are drawn in a box-drawing font
of three rows: every capital letter, the digits, the shapes that stand for a direction (an
arrow up, an arrow down, a square, a question mark, two bars for a pause), a space and a few
signs; a glyph is three rows of equal width, one column apart. Where it is taller (a bigger
terminal gives it a share of its height) they are drawn in solid blocks
(:mod:`tui.widgets.blockfont`) at the largest scale that fits, centred.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget

from tui.widgets.blockfont import block_lines, block_rows, block_width, has_glyphs

__all__ = ["MAX_SCALE", "MIN_SCALE", "BigText", "big_lines", "big_width", "fitted_lines"]

_GLYPHS: dict[str, tuple[str, str, str]] = {
    "A": ("┏━┓", "┣━┫", "╹ ╹"),
    "B": ("┏┓ ", "┣┻┓", "┗━┛"),
    "C": ("┏━╸", "┃  ", "┗━╸"),
    "D": ("┏━╮", "┃ ┃", "┗━╯"),
    "E": ("┏━╸", "┣━ ", "┗━╸"),
    "F": ("┏━╸", "┣━ ", "╹  "),
    "G": ("┏━╸", "┃╺┓", "┗━┛"),
    "H": ("╻ ╻", "┣━┫", "╹ ╹"),
    "I": ("╺┳╸", " ┃ ", "╺┻╸"),
    "J": ("  ╻", "  ┃", "┗━┛"),
    "K": ("╻ ╻", "┣┳┛", "╹┗╸"),
    "L": ("╻  ", "┃  ", "┗━╸"),
    "M": ("┏┳┓", "┃┃┃", "╹ ╹"),
    "N": ("┏┓ ╻", "┃┗┓┃", "╹ ┗┛"),
    "O": ("┏━┓", "┃ ┃", "┗━┛"),
    "P": ("┏━┓", "┣━┛", "╹  "),
    "Q": ("┏━┓", "┃ ┃", "┗━╋"),
    "R": ("┏━┓", "┣┳┛", "╹┗╸"),
    "S": ("┏━╸", "┗━┓", "╺━┛"),
    "T": ("╺┳╸", " ┃ ", " ╹ "),
    "U": ("╻ ╻", "┃ ┃", "┗━┛"),
    "V": ("╻  ╻", "┗┓┏┛", " ┗┛ "),
    "W": ("╻ ╻", "┃┃┃", "┗┻┛"),
    "X": ("╻ ╻", "┏╋┛", "╹ ╹"),
    "Y": ("╻ ╻", "┗┳┛", " ╹ "),
    "Z": ("╺━┓", "┏━┛", "┗━╸"),
    "0": ("┏━┓", "┃ ┃", "┗━┛"),
    "1": ("╺┓ ", " ┃ ", "╺┻╸"),
    "2": ("╺━┓", "┏━┛", "┗━╸"),
    "3": ("╺━┓", " ━┫", "╺━┛"),
    "4": ("╻ ╻", "┗━┫", "  ╹"),
    "5": ("┏━╸", "┗━┓", "╺━┛"),
    "6": ("┏━╸", "┣━┓", "┗━┛"),
    "7": ("╺━┓", "  ┃", "  ╹"),
    "8": ("┏━┓", "┣━┫", "┗━┛"),
    "9": ("┏━┓", "┗━┫", "╺━┛"),
    ".": (" ", " ", "╸"),
    "-": ("  ", "╺╸", "  "),
    " ": ("  ", "  ", "  "),
    ":": (" ", "╏", " "),
    "!": ("╻", "┃", "╹"),
    "?": ("┏━┓", " ┏┛", " • "),
    "▲": ("  ▲  ", " ▲▲▲ ", "▲▲▲▲▲"),
    "▼": ("▼▼▼▼▼", " ▼▼▼ ", "  ▼  "),
    "■": ("███", "███", "███"),
    "‖": ("█ █", "█ █", "█ █"),
}
"""Each glyph's three rows (one width per glyph)."""
_GAP = " "


def _glyph(character: str) -> tuple[str, str, str]:
    """A character's glyph; one the font lacks is drawn as itself on the middle row."""
    found = _GLYPHS.get(character.upper())
    return found if found is not None else (" ", character, " ")


def big_lines(text: str) -> tuple[str, str, str]:
    """``text`` as three rows of the big font."""
    glyphs = [_glyph(c) for c in text]
    return (
        _GAP.join(g[0] for g in glyphs),
        _GAP.join(g[1] for g in glyphs),
        _GAP.join(g[2] for g in glyphs),
    )


def big_width(text: str) -> int:
    """How many cells ``text`` takes in the big font."""
    return len(big_lines(text)[0])


def fitted_lines(choices: tuple[str, ...], width: int, height: int) -> list[str]:
    """The rows to draw in ``width`` x ``height``.

    The largest that fits: at each size, from the largest scale of solid blocks down to the
    three-row font, the first of ``choices`` that fits (the longer says more; "HOLD RAILS" in
    blocks reads from further than "HOLD THE RAILS" in thin lines). If none fits, the last
    choice in plain letters.
    """
    for scale in range(MAX_SCALE, MIN_SCALE - 1, -1):
        if block_rows(scale) <= height:
            for choice in choices:
                if has_glyphs(choice) and block_width(choice, scale) <= width:
                    return block_lines(choice, scale)
    for choice in choices:
        if big_width(choice) <= width:
            return list(big_lines(choice))
    return ["", choices[-1], ""]


MIN_SCALE, MAX_SCALE = 2, 4
"""Block scales used: 7 to 14 rows (below 7, the three-row font reads better than half-block
pixels; beyond 14 a word fills no more of a wall-sized screen)."""


class _BigRenderable:
    """Big text, centred in its region (see :func:`fitted_lines`)."""

    def __init__(self, choices: tuple[str, ...], style: Style, height: int, cap: int | None = None) -> None:
        self.choices = choices
        self.style = style
        self.height = height
        self.fit = height if cap is None else min(height, cap)
        """The rows the text may take (centred in :attr:`height`)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        rows = fitted_lines(self.choices, width, self.fit)
        top = max((self.height - len(rows)) // 2, 0)
        rows = [""] * top + rows
        new_line = Segment.line()
        for row in rows[: max(self.height, 3)]:
            clipped = row[:width]
            left = (width - len(clipped)) // 2
            yield Segment(" " * left + clipped + " " * (width - left - len(clipped)), self.style)
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(self.choices[-1]), max(big_width(c) for c in self.choices))


class BigText(Widget):
    """Words in the big font, centred; redrawn only when they change or the widget is resized.

    Three rows tall unless the layout gives it more; then in solid blocks as large as fit.
    """

    DEFAULT_CSS = """
    BigText { height: 3; width: 1fr; }
    """

    def __init__(self, *choices: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices: tuple[str, ...] = choices or ("",)
        self.rows_cap: int | None = None
        """At most this many rows (numbers side by side share one size), else the widget's height."""

    def rows_drawn(self) -> int:
        """How many rows the text would take at the widget's size, with no cap."""
        return len(fitted_lines(self.choices, self.content_size.width, self.content_size.height))

    def cap_rows(self, rows: int) -> None:
        """Draw no taller than ``rows`` (repaint if that changes what is drawn)."""
        if rows != self.rows_cap:
            self.rows_cap = rows
            self.refresh()

    def show(self, *choices: str) -> None:
        """Show the first of ``choices`` that fits the width (a shorter wording last); repaint on change."""
        if choices != self.choices:
            self.choices = choices
            self.refresh()

    def render(self) -> _BigRenderable:
        """The text in the big font."""
        return _BigRenderable(self.choices, self.rich_style, self.content_size.height, self.rows_cap)

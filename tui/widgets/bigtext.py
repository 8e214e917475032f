"""Words three rows tall, readable from the belt: the direction, PAUSED, HOLD THE RAILS.

Textual's ``Digits`` draws numbers this way but no letters, so this is a small font of our
own in the same box-drawing style: every capital letter, the shapes that stand for a
direction (an arrow up, an arrow down, a square, a question mark, two bars for a pause), a
space and a few signs. A glyph is three rows of equal width; letters are one column apart.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget

__all__ = ["BigText", "big_lines", "big_width"]

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


class _BigRenderable:
    """Three rows of big text, centred: the first of the choices that fits, else the last in plain letters."""

    def __init__(self, choices: tuple[str, ...], style: Style) -> None:
        self.choices = choices
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        fitting = (big_lines(c) for c in self.choices if big_width(c) <= width)
        rows: tuple[str, ...] = next(fitting, ("", self.choices[-1], ""))
        new_line = Segment.line()
        for row in rows:
            clipped = row[:width]
            left = (width - len(clipped)) // 2
            yield Segment(" " * left + clipped + " " * (width - left - len(clipped)), self.style)
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(self.choices[-1]), max(big_width(c) for c in self.choices))


class BigText(Widget):
    """Words in the big font, centred in the width, three rows tall; redrawn only when they change."""

    DEFAULT_CSS = """
    BigText { height: 3; width: 1fr; }
    """

    def __init__(self, *choices: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices: tuple[str, ...] = choices or ("",)

    def show(self, *choices: str) -> None:
        """Show the first of ``choices`` that fits the width (a shorter wording last); repaint on change."""
        if choices != self.choices:
            self.choices = choices
            self.refresh()

    def render(self) -> _BigRenderable:
        """The text in the big font."""
        return _BigRenderable(self.choices, self.rich_style)

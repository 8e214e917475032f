"""A narrow screen's keys as words a tap runs, wrapping onto more rows.

Textual's footer keeps to one row and cuts off what does not fit: at 45 columns it ended at
"q Qui", and on a phone the footer is the only control. This bar lists the screen's shown
bindings, then Help and Quit, each a link that runs its action.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType
from textual.widgets import Static

__all__ = ["KeyBar", "key_words"]

NBSP = "\u00a0"
"""Between a key and its word, so that a wrap never parts them."""


def _word(key: str, action: str, description: str) -> str:
    """One key as a link; a bare action is the screen's own."""
    name = action.split("(", 1)[0]
    target = action if "." in name else f"screen.{action}"
    return f"[@click={target}][b]{key}[/b]{NBSP}{description}[/]"


def key_words(bindings: Iterable[BindingType]) -> str:
    """The shown ``bindings``, then Help and Quit (the app's own keys), as Textual markup."""
    shown = [b for b in bindings if isinstance(b, Binding) and b.show]
    words = [_word(b.key_display or b.key, b.action, b.description) for b in shown]
    words += [_word("?", "app.help", "Help"), _word("q", "app.request_quit", "Quit")]
    return "  ".join(words)


class KeyBar(Static):
    """See the module docstring."""

    DEFAULT_CSS = """
    KeyBar { height: auto; padding: 0 1; background: $boost; }
    """

    def __init__(self, bindings: Iterable[BindingType], **kwargs: object) -> None:
        super().__init__(key_words(bindings), **kwargs)  # type: ignore[arg-type]

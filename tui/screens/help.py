"""The help screen (``?`` or F1): every key of the screen underneath, with a sentence each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

APP_KEYS: tuple[tuple[str, str], ...] = (
    ("? or F1", "This help."),
    ("q", "Quit. During a workout it asks first; the session so far is kept either way."),
    ("ctrl+p", "The command palette: every action here by name, the theme, a screenshot."),
)


def _key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " or ".join(key.replace("_", " ") for key in binding.key.split(","))


def key_rows(bindings: Iterable[BindingType], sentences: Mapping[str, str]) -> list[tuple[str, str]]:
    """(key, sentence) for each binding: its sentence, else its footer label."""
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        rows.append((_key_name(binding), sentences.get(binding.action, binding.description)))
    return rows


class HelpScreen(ModalScreen[None]):
    """The keys of ``screen`` (see the module docstring); any of escape, ?, F1 or q closes it."""

    BINDINGS = [Binding("escape,question_mark,f1,q", "app.pop_screen", "Close")]  # noqa: RUF012

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        sentences: Mapping[str, str] = getattr(screen, "KEY_HELP", {})
        self.rows = [*key_rows(type(screen).BINDINGS, sentences), *APP_KEYS]
        self.title_text = getattr(screen, "HELP_TITLE", "Keys")

    def compose(self) -> ComposeResult:
        """The keys in a table."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, sentence in self.rows:
            table.add_row(key, sentence)
        with VerticalScroll(id="help"):
            yield Static(Text(self.title_text, style="bold underline"))
            yield Static(table)
            yield Static(Text("escape closes this", style="dim"))

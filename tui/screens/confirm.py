"""Asks before quitting during a workout."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmQuit(ModalScreen[bool]):
    """y quits (stopping the session, and a coached belt), n or escape goes back."""

    BINDINGS = [  # noqa: RUF012
        Binding("y", "answer(True)", "Quit"),
        Binding("n,escape", "answer(False)", "Back"),
    ]

    def compose(self) -> ComposeResult:
        """One question."""
        with Vertical(id="confirm"):
            yield Static(
                "[b]A workout is running.[/]\n\nQuit now? The session so far is kept; with control on the "
                "app stops the belt, otherwise stop it on the console.\n\n[b]y[/] quit · [b]n[/] carry on"
            )

    def action_answer(self, quit_now: bool) -> None:
        """Dismiss with the answer."""
        self.dismiss(quit_now)

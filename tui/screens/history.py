"""Past sessions and progress over time: minutes backward per session, and the challenge day."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from treadmill.storage.history import History
from tui.widgets.metrics import clock_text


class HistoryScreen(Screen[None]):
    """Every recorded session, newest first, with a progress line."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back")]  # noqa: RUF012

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        """Progress above the table."""
        yield Static("", id="progress-text")
        yield Sparkline([], id="progress")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Read the history folder."""
        records = self.history.records()
        table = self.query_one("#sessions", DataTable)
        table.add_columns("date", "workout", "time", "backward", "kcal", "felt")
        for record in reversed(records):
            backward = f"{clock_text(record.reverse_s)} · {record.reverse_m:.0f} m"
            table.add_row(
                record.started_at[:16].replace("T", " "),
                record.plan_name[:22],
                clock_text(record.duration_s),
                "-" if record.interrupted else backward,
                "-" if record.interrupted else f"{record.kcal:.0f}",
                record.rating or "-",
            )
        finished = [r for r in records if not r.interrupted]
        minutes = [r.reverse_s / 60.0 for r in finished]
        self.query_one("#progress", Sparkline).data = minutes or [0.0]
        day, felt = self.history.challenge_next()
        if not finished:
            text = f"No sessions yet: they are kept in {self.history.folder}."
        else:
            best = max(minutes)
            total = sum(minutes)
            sessions = "1 session" if len(finished) == 1 else f"{len(finished)} sessions"
            text = (
                f"[b]{sessions}[/] · [b]{total:.0f} min[/] backward in all · best "
                f"[b]{best:.1f} min[/] · last [b]{minutes[-1]:.1f} min[/] · 7-day challenge: next is day "
                f"[b]{day}[/]" + (f" (last felt {felt})" if felt else "")
            )
        self.query_one("#progress-text", Static).update(
            text + "\n[dim]Minutes backward per session, oldest to newest:[/]"
        )

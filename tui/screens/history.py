"""Past sessions and progress over time: minutes backward per session, and the challenge day.

Only real sessions are listed and counted: a session with less than a minute on the belt
(a wrong workout picked, the belt never started) stays on disk but is not progress. A
session whose app was killed is marked interrupted; one still being recorded (by another
app window) is marked under way.
"""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from treadmill.storage.history import SHORTEST_S, History, SessionRecord
from tui.widgets.metrics import clock_text


def counts_text(sessions: list[SessionRecord], left_out: int) -> str:
    """The header: how many sessions the table lists, how many were cut short, how many are not shown."""
    interrupted = sum(r.interrupted for r in sessions)
    running = sum(r.running for r in sessions)
    parts = ["1 session" if len(sessions) == 1 else f"{len(sessions)} sessions"]
    if interrupted:
        parts.append(f"{interrupted} interrupted")
    if running:
        parts.append(f"{running} under way")
    if left_out:
        parts.append(f"{left_out} shorter than {SHORTEST_S / 60:.0f} min not listed")
    return " · ".join(parts)


class HistoryScreen(Screen[None]):
    """Every real session, newest first, with a progress line."""

    BINDINGS = [Binding("escape,b", "app.pop_screen", "Back")]  # noqa: RUF012
    HELP_TITLE = "History"
    KEY_HELP = {"app.pop_screen": "Back to where you were."}  # noqa: RUF012

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
        everything = self.history.records()
        sessions = [r for r in everything if r.real]
        table = self.query_one("#sessions", DataTable)
        table.add_columns("date", "workout", "time", "backward", "kcal", "felt")
        for record in reversed(sessions):
            complete = not (record.interrupted or record.running)
            table.add_row(
                record.started_at[:16].replace("T", " "),
                record.plan_name[:22],
                clock_text(record.duration_s),
                f"{clock_text(record.reverse_s)} · {record.reverse_m:.0f} m" if complete else "-",
                f"{record.kcal:.0f}" if complete else "-",
                record.rating or "-",
            )
        finished = [r for r in sessions if not (r.interrupted or r.running)]
        minutes = [r.reverse_s / 60.0 for r in finished]
        chart = self.query_one("#progress", Sparkline)
        chart.display = bool(minutes)
        chart.data = minutes
        header = counts_text(sessions, len(everything) - len(sessions))
        if not sessions:
            text = f"No sessions yet: they are kept in {escape(str(self.history.folder))}."
            if len(everything):
                text += f"\n{header}"
        else:
            day, felt = self.history.challenge_next()
            text = f"[b]{header}[/]"
            if minutes:
                text += (
                    f"\n[b]{sum(minutes):.0f} min[/] backward in all · best [b]{max(minutes):.1f} min[/] · "
                    f"last [b]{minutes[-1]:.1f} min[/]"
                )
            text += f" · 7-day challenge: next is day [b]{day}[/]" + (f" (last felt {felt})" if felt else "")
            if minutes:
                text += "\n[dim]Minutes backward per finished session, oldest to newest:[/]"
        self.query_one("#progress-text", Static).update(text)

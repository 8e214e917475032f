"""The end of a session: per-direction totals, the intervals, a chart, export, and how it felt."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from treadmill.storage.export import Activity, ExportError, ExportFormat, render
from treadmill.storage.files import StorageError, write_new_in
from treadmill.storage.history import History, SessionRecord
from treadmill.workout.builtin import Rating
from tui.session_runner import Outcome, Runner
from tui.widgets.chart import SpeedChart
from tui.widgets.metrics import clock_text

_RATING_KEYS = {"1": Rating.EASY, "2": Rating.OK, "3": Rating.HARD}


class SummaryScreen(Screen[None]):
    """What the session added up to."""

    BINDINGS = [  # noqa: RUF012
        Binding("f", "export('fit')", "FIT"),
        Binding("t", "export('tcx')", "TCX"),
        Binding("c", "export('csv')", "CSV"),
        Binding("1", "rate('1')", "Easy"),
        Binding("2", "rate('2')", "OK"),
        Binding("3", "rate('3')", "Hard"),
        Binding("h", "app.history", "History"),
        Binding("n", "app.new_session", "New"),
    ]

    def __init__(self, outcome: Outcome, runner: Runner, history: History) -> None:
        super().__init__()
        self.outcome = outcome
        self.board = runner.board
        self.history = history
        self.title_text = runner.title
        self.record: SessionRecord | None = outcome.record
        self.exported: list[Path] = []

    def compose(self) -> ComposeResult:
        """Title, totals beside the rating, intervals, chart, keys."""
        yield Static("", id="summary-title")
        with Horizontal(id="summary-top"):
            yield DataTable(id="totals", cursor_type="none", zebra_stripes=True)
            yield Static("", id="rating")
        yield DataTable(id="intervals", cursor_type="row", zebra_stripes=True)
        samples = self.outcome.result.samples
        yield SpeedChart(window_s=max(samples[-1].t if samples else 0.0, 60.0), id="summary-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the tables and the chart."""
        summary = self.outcome.result.pipeline.summary()
        self.query_one("#summary-title", Static).update(
            f"[b]{self.title_text}[/] · session over"
            + ("" if summary is None else f" · {clock_text(summary.duration_s)}")
            + ("" if self.outcome.fixture is None else f" · recorded to {self.outcome.fixture}")
        )
        totals = self.query_one("#totals", DataTable)
        totals.add_columns("direction", "time", "distance", "energy (range)")
        intervals = self.query_one("#intervals", DataTable)
        intervals.add_columns("from", "to", "direction", "length")
        if summary is not None:
            for name, total in summary.totals.items():
                energy = f"{total.kcal:.0f} ({total.kcal_low:.0f}–{total.kcal_high:.0f}) kcal"
                totals.add_row(name.value, clock_text(total.time_s), f"{total.distance_m:.0f} m", energy)
            for interval in summary.intervals:
                intervals.add_row(
                    clock_text(interval.start_s),
                    clock_text(interval.end_s),
                    interval.direction.value,
                    clock_text(interval.end_s - interval.start_s),
                )
        self._show_rating()
        self.call_after_refresh(self._draw_chart)

    def _draw_chart(self) -> None:
        chart = self.query_one(SpeedChart)
        times = self.board.pipeline.timeline.t
        end = float(times[-1]) if len(times) else 0.0
        chart.show(self.board.chart(max(chart.content_size.width, 1), chart.window_s, end))

    def _show_rating(self) -> None:
        rating = self.query_one("#rating", Static)
        if self.record is None:
            rating.update("A replay: ratings are kept\nwith your own sessions.")
            return
        felt = self.record.rating or "not rated yet"
        rating.update(f"How did it feel?\n[b]1[/] easy  [b]2[/] ok  [b]3[/] hard\nNow: [b]{felt}[/]")

    def action_rate(self, key: str) -> None:
        """Keep how it felt with the session (the 7-day challenge adapts to it)."""
        if self.record is None:
            self.notify("A replay: ratings are kept with your own sessions.")
            return
        self.record = self.history.rate(self.record, _RATING_KEYS[key])
        self._show_rating()
        self.notify(f"Kept: it felt {self.record.rating}.")

    def action_export(self, fmt: str) -> None:
        """Write the session as FIT, TCX or CSV beside the recordings."""
        kind = ExportFormat(fmt)
        stem = "session" if self.outcome.fixture is None else self.outcome.fixture.stem
        try:
            activity = Activity.from_pipeline(self.outcome.result.pipeline, self.outcome.started_at)
            data, warnings = render(activity, kind)
            path = write_new_in(self.history.folder.parent / "exports", stem, f".{kind.value}", data)
        except (StorageError, ExportError) as exc:
            self.notify(f"Could not export: {exc}", severity="error")
            return
        for warning in warnings:
            self.notify(warning, severity="warning")
        self.exported.append(path)
        self.notify(f"Wrote {path}", title=kind.value.upper())

"""The end of a session: per-direction totals, the intervals, a chart, export, and how it felt."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from treadmill.inputs import printable
from treadmill.model import Direction
from treadmill.storage.export import Activity, ExportError, ExportFormat, devices_seen, render
from treadmill.storage.files import StorageError, write_new_in
from treadmill.storage.history import History, SessionRecord
from treadmill.storage.installation import serial_number
from treadmill.workout.builtin import Rating
from tui.feed import Feed, Outcome
from tui.widgets.chart import SpeedChart
from tui.widgets.keybar import KeyBar
from tui.widgets.metrics import clock_text

_RATING_KEYS = {"1": Rating.EASY, "2": Rating.OK, "3": Rating.HARD}


NARROW_BELOW = 80
"""Columns under which the summary stacks (a phone: 45)."""


class SummaryScreen(Screen[None]):
    """What the session added up to."""

    BINDINGS = [  # noqa: RUF012
        Binding("f", "export('fit')", "Save FIT"),
        Binding("t", "export('tcx')", "TCX"),
        Binding("c", "export('csv')", "CSV"),
        Binding("1", "rate('1')", "Easy"),
        Binding("2", "rate('2')", "OK"),
        Binding("3", "rate('3')", "Hard"),
        Binding("h", "app.history", "History"),
        Binding("n", "app.new_session", "New"),
    ]
    HELP_TITLE = "The summary"
    KEY_HELP = {  # noqa: RUF012
        "export('fit')": "Save the session as a FIT file (Garmin Connect, Strava, watches), in exports/.",
        "export('tcx')": "Save it as TCX (Garmin's XML training file).",
        "export('csv')": "Save every sample as CSV, for a spreadsheet.",
        "rate('1')": "It felt easy: the next 7-day challenge day is a little harder.",
        "rate('2')": "It felt about right.",
        "rate('3')": "It felt hard: the next challenge day is eased.",
        "app.history": "Every past session and your progress.",
        "app.new_session": "Another workout on the same treadmill.",
    }

    def __init__(self, outcome: Outcome, feed: Feed, history: History) -> None:
        super().__init__()
        self.outcome = outcome
        self.board = feed.board
        self.history = history
        self.title_text = feed.title
        self.record: SessionRecord | None = outcome.record
        self.exported: list[Path] = []

    def compose(self) -> ComposeResult:
        """Title, totals beside the rating, intervals, chart, keys."""
        yield Static("", id="summary-title")
        with Horizontal(id="summary-top"):
            yield DataTable(id="totals", cursor_type="none", zebra_stripes=True)
            yield Static("", id="rating")
        yield DataTable(id="intervals", cursor_type="row", zebra_stripes=True)
        yield SpeedChart(id="summary-chart")
        yield KeyBar(self.BINDINGS, id="keybar")
        yield Footer(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        """Below 80 columns the rating goes under the totals and the keys wrap."""
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")

    def on_mount(self) -> None:
        """Fill the tables and the chart."""
        summary = self.outcome.result.pipeline.summary()
        moving_s = sum(
            total.time_s for name, total in summary.totals.items() if name is not Direction.STOPPED
        )
        self.query_one("#summary-title", Static).update(self._title(summary.duration_s, moving_s))
        totals = self.query_one("#totals", DataTable)
        totals.add_columns("direction", "time", "distance", "kcal (range)")
        intervals = self.query_one("#intervals", DataTable)
        intervals.add_columns("from", "to", "direction", "length")
        for name, total in summary.totals.items():
            energy = f"{total.kcal:.0f} ({total.kcal_low:.0f}–{total.kcal_high:.0f})"
            totals.add_row(name.value, clock_text(total.time_s), f"{total.distance_m:.0f} m", energy)
        origin = summary.intervals[0].start_s if summary.intervals else 0.0  # the clock of the title
        for interval in summary.intervals:
            intervals.add_row(
                clock_text(interval.start_s - origin),
                clock_text(interval.end_s - origin),
                interval.direction.value,
                clock_text(interval.end_s - interval.start_s),
            )
        self._show_rating()
        self.call_after_refresh(self._draw_chart)

    def _title(self, duration_s: float, moving_s: float) -> Text:
        """What ended, how long it was (in all, and moving: the live Time), where it is kept."""
        outcome = self.outcome
        text = Text(self.title_text, style="bold")
        text.append(
            f" · {'replay over' if outcome.replay else 'session over'} · {clock_text(duration_s)} in all"
        )
        text.append(f", {clock_text(moving_s)} moving (the rest stopped or paused)", style="not bold")
        if outcome.fixture is not None:
            where = "replayed from" if outcome.replay else "recorded to"
            text.append(f"\n{where} {printable(str(outcome.fixture))}", style="dim")
        if outcome.storage_error is not None:
            text.append(
                f"\nRecording stopped early, kept up to then: {outcome.storage_error}", style="bold red"
            )
        if outcome.history_error is not None:
            text.append(
                f"\nThe recording is kept, but its summary could not be added to your history: "
                f"{outcome.history_error}",
                style="bold red",
            )
        return text

    def _draw_chart(self) -> None:
        chart = self.query_one(SpeedChart)
        times = self.board.pipeline.timeline.t
        end = float(times[-1]) if len(times) else 0.0
        span = max(end, 60.0)
        chart.show(self.board.chart(max(chart.content_size.width, 1), span, span), span)

    def _show_rating(self) -> None:
        rating = self.query_one("#rating", Static)
        if self.record is None:
            rating.update("A replay: ratings are kept\nwith your own sessions.")
            return
        felt = self.record.rating or "not rated yet"
        rating.update(f"How did it feel?\n[b]1[/] easy  [b]2[/] ok  [b]3[/] hard\nNow: [b]{felt}[/]")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002
        """No ratings for a replay (they belong to the person's own sessions)."""
        return not (action == "rate" and self.record is None)

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
            result = self.outcome.result
            activity = Activity.from_pipeline(
                result.pipeline,
                self.outcome.started_at,
                devices=devices_seen(result.decode.frames),
                serial_number=serial_number(),
            )
            data, warnings = render(activity, kind)
            path = write_new_in(self.history.folder.parent / "exports", stem, f".{kind.value}", data)
        except (StorageError, ExportError) as exc:
            self.notify(f"Could not export: {exc}", severity="error")
            return
        for warning in warnings:
            self.notify(warning, severity="warning")
        self.exported.append(path)
        self.notify(f"Wrote {path}", title=kind.value.upper())
        if self.app.is_web:  # in a browser (treadmill serve): the file to the tablet or phone too
            self.app.deliver_binary(path, save_filename=path.name, mime_type=kind.media_type)

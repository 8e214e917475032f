"""The numbers: speed, incline, pace, distance, time, heart rate with its zone, calories range."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from treadmill.model import Direction
from treadmill.session.board import LiveView


def clock_text(seconds: float | None) -> str:
    """m:ss, or h:mm:ss past the hour."""
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(round(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value: float | None, fmt: str, unit: str) -> str:
    return "--" if value is None else f"{value:{fmt}} {unit}"


class Metric(Static):
    """One labelled value."""

    DEFAULT_CSS = """
    Metric { height: 2; padding: 0 1; }
    """

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.label = label
        self.value: str | None = None

    def show(self, value: str) -> None:
        """Show ``value`` under the label (redrawn only when it changes)."""
        if value != self.value:
            self.value = value
            self.update(f"[dim]{self.label}[/]\n[b]{value}[/]")


class Metrics(Grid):
    """Eight metrics in two rows."""

    DEFAULT_CSS = """
    Metrics { grid-size: 4 2; height: 4; grid-gutter: 0 1; }
    """

    NAMES = ("speed", "incline", "pace", "distance", "time", "heart", "kcal", "backward")

    def compose(self) -> ComposeResult:
        """One :class:`Metric` per name."""
        labels = {
            "speed": "Speed",
            "incline": "Incline",
            "pace": "Pace",
            "distance": "Distance",
            "time": "Time",
            "heart": "Heart rate",
            "kcal": "Energy (range)",
            "backward": "Backward",
        }
        for name in self.NAMES:
            yield Metric(labels[name], id=f"m-{name}")

    def show(self, view: LiveView) -> None:
        """Fill the metrics from a snapshot."""
        pace = None if view.pace_s_per_km is None else clock_text(view.pace_s_per_km) + " /km"
        heart = "--"
        if view.heart_rate_bpm is not None:
            zone = f" · Z{view.hr_zone}" if view.hr_zone is not None else ""
            heart = f"{view.heart_rate_bpm} bpm{zone}"
        values = {
            "speed": _number(view.speed_kmh, ".1f", "km/h"),
            "incline": _number(view.incline_pct, ".1f", "%"),
            "pace": pace or "--",
            "distance": f"{view.distance_m / 1000:.2f} km",
            "time": clock_text(view.t),
            "heart": heart,
            "kcal": f"{view.kcal_low:.0f}–{view.kcal_high:.0f} kcal",
            "backward": f"{clock_text(view.time_s.get(Direction.REVERSE, 0.0))} · "
            f"{view.metres.get(Direction.REVERSE, 0.0):.0f} m",
        }
        for name, value in values.items():
            self.query_one(f"#m-{name}", Metric).show(value)

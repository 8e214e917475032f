"""Every treadmill under one MQTT prefix on one screen: a gym's or a club's view.

The watcher (:mod:`treadmill.mqtt.watcher`) runs in a worker and calls back for each update;
the callback posts a message, so the table changes on the app's own loop. One row per
treadmill, added the first time it is heard of.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from treadmill.mqtt.messages import MqttState, MqttStatus
from treadmill.mqtt.settings import MqttSettings
from treadmill.mqtt.watcher import MqttWatcher, TreadmillSeen
from tui.widgets.metrics import clock_text

COLUMNS = (
    "treadmill",
    "app",
    "link",
    "direction",
    "speed",
    "incline",
    "step",
    "HR",
    "distance",
    "backward",
    "last",
)
_DIRECTION_STYLE = {"forward": "bold green", "reverse": "bold magenta", "stopped": "dim"}


@dataclass
class TreadmillHeard(Message, bubble=False):
    """A treadmill's row needs updating."""

    seen: TreadmillSeen


@dataclass
class BrokerStatus(Message, bubble=False):
    """The broker connection changed."""

    status: MqttStatus


def _number(value: object, fmt: str) -> str:
    return "-" if not isinstance(value, int | float) else format(value, fmt)


def row_of(seen: TreadmillSeen) -> list[str | Text]:
    """One treadmill as a table row."""
    state = seen.state
    online = {True: Text("online", "green"), False: Text("offline", "red"), None: Text("?", "dim")}[
        seen.online
    ]
    link = seen.link or "-"
    direction = str(state.get("direction", "-"))
    confidence = state.get("confidence_pct")
    shown = direction if confidence is None else f"{direction} {confidence}%"
    event = seen.last_event or {}
    step = state.get("step_text") or ("free run" if state else "-")
    return [
        seen.device_id,
        online,
        Text(link, "red" if link in ("lost", "reconnecting", "stale") else ""),
        Text(shown, _DIRECTION_STYLE.get(direction, "")),
        _number(state.get("speed_kmh"), ".1f"),
        _number(state.get("incline_pct"), ".1f"),
        str(step)[:28],
        _number(state.get("heart_rate_bpm"), ".0f"),
        "-" if "distance_m" not in state else f"{state['distance_m'] / 1000:.2f} km",
        "-" if "reverse_s" not in state else clock_text(float(state["reverse_s"])),
        str(event.get("text", ""))[:32],
    ]


STATE_COLOUR: dict[MqttState, str] = {
    MqttState.CONNECTING: "",
    MqttState.CONNECTED: "green",
    MqttState.RETRYING: "yellow",
    MqttState.FAILED: "red",
    MqttState.CLOSED: "",
}
"""The colour of the broker line in each MQTT state."""


class DashboardScreen(Screen[None]):
    """The treadmills publishing under the prefix, live."""

    BINDINGS = [Binding("q", "app.quit", "Quit")]  # noqa: RUF012

    def __init__(self, settings: MqttSettings) -> None:
        super().__init__()
        self.settings = settings
        self.rows: dict[str, int] = {}
        self.broker: MqttStatus | None = None

    def compose(self) -> ComposeResult:
        """Status line, table, keys."""
        yield Static(f"Connecting to {self.settings.where}…", id="broker")
        yield DataTable(id="treadmills", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Columns, then follow the broker."""
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.follow()

    @work(exclusive=True, group="watcher")
    async def follow(self) -> None:
        """Run the watcher for as long as the screen is open."""

        def heard(seen: TreadmillSeen) -> None:
            self.post_message(TreadmillHeard(seen))

        def status(now: MqttStatus) -> None:
            self.post_message(BrokerStatus(now))

        await MqttWatcher(self.settings, heard, on_status=status).run()

    @on(BrokerStatus)
    def show_broker(self, message: BrokerStatus) -> None:
        """The broker's state, and what to do when it cannot work."""
        self.broker = message.status
        colour = STATE_COLOUR[message.status.state]
        count = len(self.rows)
        treadmills = (
            f" · {count} treadmill{'s' if count != 1 else ''}" if count else " · no treadmill heard yet"
        )
        self.query_one("#broker", Static).update(f"[{colour}]{message.status.text}[/]{treadmills}")

    @on(TreadmillHeard)
    def show_treadmill(self, message: TreadmillHeard) -> None:
        """Add or update the treadmill's row."""
        seen, table = message.seen, self.query_one(DataTable)
        cells = row_of(seen)
        if seen.device_id not in self.rows:
            table.add_row(*cells, key=seen.device_id)
            self.rows[seen.device_id] = len(self.rows)
            if self.broker is not None:
                self.show_broker(BrokerStatus(self.broker))
            return
        for name, value in zip(COLUMNS, cells, strict=True):
            table.update_cell(seen.device_id, name, value, update_width=True)

"""The live workout screen: direction, numbers, the step, cues, handrail warnings, the chart.

The session runs in a worker; the screen takes a snapshot of the board at a steady refresh
rate whatever the notify rate, and shows each cue and warning the moment the coach says it
(a :class:`CoachSaid` message).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadmill.errors import TreadmillError
from treadmill.model import CoachEventKind, Facing, LinkState
from treadmill.session.board import LiveView
from treadmill.session.coach import CoachEvent
from treadmill.storage.fixtures import FixtureError
from treadmill.workout.safety import Level, Rule
from tui.session_runner import Outcome, Runner
from tui.widgets.banners import CueBanner, WarningBanner
from tui.widgets.chart import SpeedChart
from tui.widgets.direction import DirectionIndicator
from tui.widgets.metrics import Metrics, clock_text
from tui.widgets.step import StepPanel

logger = logging.getLogger(__name__)

_MQTT_LOOK = {
    "connecting": "[dim]MQTT…[/]",
    "connected": "[green]MQTT ✓[/]",
    "retrying": "[yellow]MQTT retrying[/]",
    "failed": "[red]MQTT off[/]",
    "closed": "[dim]MQTT closed[/]",
}
_LINK_LOOK = {
    "waiting": "[yellow]◌ connecting[/]",
    "connected": "[green]● connected[/]",
    "stale": "[yellow]◐ stale data[/]",
    "reconnecting": "[red]○ reconnecting[/]",
    "lost": "[red]✕ link lost[/]",
}
_LINK_WARNING = "Lost the treadmill's data: hold the rails, the belt may still be moving."
_CHART_MIN_S = 120.0
_CHART_MAX_S = 600.0
"""The chart shows the whole session up to ten minutes, then the last ten (at least two minutes wide)."""


def _idle_text(view: LiveView) -> str:
    """The cue banner before the first cue."""
    if view.link == "waiting":
        return "Connecting to the treadmill…"
    if view.step is None:
        return "Connected. Free run: the detector follows you; r / f tell it which way you face."
    if view.speed_kmh is None or view.speed_kmh < 0.3:
        return "Connected. Start the belt on the treadmill's console when you are ready."
    return "Connected. Each change is announced here 10 s ahead, then 3-2-1."


@dataclass
class CoachSaid(Message, bubble=False):
    """A cue, warning or message from the coach, stamped when it was said."""

    event: CoachEvent
    said_at: float = field(default_factory=time.perf_counter)


@dataclass
class SessionOver(Message, bubble=False):
    """The session has ended (``outcome``), could not run (``error``), or was stopped early (neither)."""

    outcome: Outcome | None
    error: str | None = None


class LiveScreen(Screen[None]):
    """One session, live or replayed."""

    BINDINGS = [  # noqa: RUF012 (Textual's own convention)
        Binding("space", "pause", "Pause"),
        Binding("s", "stop", "Stop"),
        Binding("plus,equals_sign", "speed(0.5)", "Spd", key_display="+"),
        Binding("minus", "speed(-0.5)", "Spd", key_display="-"),
        Binding("right_square_bracket", "incline(0.5)", "Inc", key_display="]"),
        Binding("left_square_bracket", "incline(-0.5)", "Inc", key_display="["),
        Binding("r", "mark('reverse')", "Back"),
        Binding("f", "mark('forward')", "Fwd"),
    ]

    def __init__(self, runner: Runner, *, refresh_s: float | None = 0.25, autostart: bool = True) -> None:
        """``refresh_s`` None: refresh only when :meth:`refresh_view` is called (tests, snapshots)."""
        super().__init__()
        self.runner = runner
        self.refresh_s = refresh_s
        self.autostart = autostart
        self.latencies: list[float] = []
        """Seconds from each coach event to its banner being updated (the message-flow bench)."""
        self.ended: SessionOver | None = None
        self.told: list[str] = []
        """What the keys answered, in order (also shown as toasts)."""
        self._ticks = 0
        self._status = ""
        self._mqtt_state = "connecting"

    def compose(self) -> ComposeResult:
        """Top to bottom: status, direction, warnings, cue, metrics, step, chart, keys."""
        yield Static("", id="status")
        yield DirectionIndicator(id="direction")
        yield WarningBanner(id="warnings")
        yield CueBanner(id="cue")
        yield Metrics(id="metrics")
        yield StepPanel(id="step")
        yield SpeedChart(id="chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start the session and the refresh tick."""
        self.query_one(CueBanner).idle("Connecting to the treadmill…")
        self.refresh_view()
        if self.refresh_s is not None:
            self.set_interval(self.refresh_s, self.refresh_view)
        if self.autostart:
            self.run_session()

    @work(exclusive=True, group="session")
    async def run_session(self) -> None:
        """Run the session to its end; a failure to start is shown, never raised."""
        try:
            outcome = await self.runner.run(self._said)
        except (TreadmillError, FixtureError, OSError, ValueError) as exc:
            logger.exception("the session could not run")
            self.post_message(SessionOver(None, str(exc)))
            return
        self.post_message(SessionOver(outcome))

    def _said(self, event: CoachEvent) -> None:
        """The coach's callback: hand the event to the screen's message queue (never blocks)."""
        self.post_message(CoachSaid(event))

    # --- what arrives ------------------------------------------------------------------------

    @on(CoachSaid)
    def show_event(self, message: CoachSaid) -> None:
        """Cues go to the banner, warnings to the warning banner (with the bell), the rest to a toast."""
        event = message.event
        if event.kind is CoachEventKind.CUE:
            self.query_one(CueBanner).show(event)
        elif event.kind is CoachEventKind.WARNING:
            self.query_one(WarningBanner).raise_warning(event)
        elif event.kind is CoachEventKind.CLEARED:
            if event.rule is not None:
                self.query_one(WarningBanner).clear_warning(event.rule)
        else:
            text = f"{event.text}: {event.more}" if event.more else event.text
            self.notify(text, title="Belt" if event.kind is CoachEventKind.CONTROL else "Note", timeout=6)
        if event.bell or event.kind is CoachEventKind.WARNING:
            self.app.bell()
        self.latencies.append(time.perf_counter() - message.said_at)

    @on(SessionOver)
    def session_over(self, message: SessionOver) -> None:
        """Show the summary, or what went wrong and what to do."""
        self.ended = message
        if message.error is not None:
            self.query_one(CueBanner).update(
                f"[b red]Could not run the session:[/] {message.error}\n"
                "Check the treadmill is on and no other app holds it; q to quit."
            )
            return
        if message.outcome is None:
            self.query_one(CueBanner).update(
                "[b]Stopped before the treadmill answered.[/] Nothing was recorded; q to quit."
            )
            return
        self.refresh_view()
        self.app.post_message(SessionFinished(self.runner, message.outcome))

    # --- the refresh tick ---------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Take a snapshot of the board and show it."""
        runner = self.runner
        view = runner.board.view(runner.now())
        self._ticks += 1
        self._show(view)

    def _show(self, view: LiveView) -> None:
        waiting = view.link == "waiting"
        self.query_one(DirectionIndicator).show(view.direction, view.confidence, view.evidence, waiting)
        self.query_one(Metrics).show(view)
        free = "Free run: no workout steps. s ends the session." if view.step is None else ""
        if view.finished:
            free = "Workout done: slow down and step off carefully."
        self.query_one(StepPanel).show(view.step, view.paused, view.finished, free)
        chart = self.query_one(SpeedChart)
        chart.window_s = min(max(view.t, _CHART_MIN_S), _CHART_MAX_S)
        chart.show(self.runner.board.chart(max(chart.content_size.width, 1), chart.window_s, view.t))
        banner = self.query_one(CueBanner)
        banner.age(view.t)
        banner.idle(_idle_text(view))
        warnings = self.query_one(WarningBanner)
        self._link_warning(warnings, view)
        warnings.flash(self._ticks % 2 == 0)
        paused = "  [b reverse] PAUSED [/]" if view.paused else ""
        status = (
            f"[b]{self.runner.title}[/]  {_LINK_LOOK.get(view.link, view.link)}  "
            f"[b]{clock_text(view.t)}[/]{paused}{self._mqtt_text()}"
        )
        if status != self._status:
            self._status = status
            self.query_one("#status", Static).update(status)

    def _mqtt_text(self) -> str:
        """MQTT in the status line; a change for the worse is also said once in a toast."""
        status = self.runner.mqtt_status()
        if status is None:
            return ""
        if status.state != self._mqtt_state:
            if status.state in ("retrying", "failed"):
                self.notify(status.text, title="MQTT", severity="warning", timeout=8)
            self._mqtt_state = status.state
        look = _MQTT_LOOK.get(status.state, status.state)
        dropped = f" [yellow]{status.dropped} dropped[/]" if status.dropped else ""
        return f"  {look}{dropped}"

    def _link_warning(self, warnings: WarningBanner, view: LiveView) -> None:
        """Lost data is a handrail warning even without a coach (a free run, a replay)."""
        bad = view.link in (LinkState.STALE, LinkState.RECONNECTING, LinkState.LOST)
        if bad and Rule.LINK_LOST not in warnings.active:
            warnings.raise_warning(
                CoachEvent(
                    view.t,
                    CoachEventKind.WARNING,
                    "HOLD THE RAILS: no data",
                    _LINK_WARNING,
                    rule=Rule.LINK_LOST,
                    level=Level.CAUTION,
                )
            )
        elif not bad and Rule.LINK_LOST in warnings.active:
            warnings.clear_warning(Rule.LINK_LOST)

    # --- the keys ----------------------------------------------------------------------------

    def _tell(self, text: str) -> None:
        self.told.append(text)
        self.notify(text, timeout=5)

    async def action_pause(self) -> None:
        """Pause or resume."""
        if self.runner.actions is not None:
            self._tell(await self.runner.actions.toggle_pause())

    def action_stop(self) -> None:
        """End the session (and a coached belt)."""
        if self.ended is not None:
            return
        if self.runner.actions is None:
            self.workers.cancel_group(self, "session")
            self.post_message(SessionOver(None))
            return
        self._tell(self.runner.actions.stop())

    def action_speed(self, delta: float) -> None:
        """Nudge the target speed."""
        if self.runner.actions is not None:
            self._tell(self.runner.actions.change_speed(delta))

    def action_incline(self, delta: float) -> None:
        """Nudge the target incline."""
        if self.runner.actions is not None:
            self._tell(self.runner.actions.change_incline(delta))

    async def action_mark(self, direction: str) -> None:
        """Say which way you face."""
        if self.runner.actions is not None:
            self._tell(await self.runner.actions.mark(Facing(direction)))

    @property
    def running(self) -> bool:
        """A session is under way (quitting asks first)."""
        return self.ended is None


@dataclass
class SessionFinished(Message):
    """For the app: a session is over; show its summary."""

    runner: Runner
    outcome: Outcome | None

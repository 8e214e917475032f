"""The live workout screen, made to be read from the belt, two metres away.

Top to bottom: the status line (the workout, the link, MQTT); the direction in big letters
with its shape; three big numbers (the next turn, the step's time left, the speed); the
full-width HOLD THE RAILS banner while a safety warning holds; the cue (a headline and its
detail); the secondary numbers; the step; the speed chart; the keys.

Light on the CPU: the session runs in a worker; a timer takes a snapshot of the board four
times a second, and each widget repaints only when what it shows has changed, without a
new layout (every widget has a fixed height). The chart moves a column at a time. Cues and
warnings arrive as messages the moment the coach says them, not at the next tick.

The layout follows the terminal: the full screen from 80x24; from 40 columns a compact one
(the direction, the big numbers, the rails banner and the cue; the chart and the secondary
numbers fold away), as on a phone; below that, a notice to make the terminal bigger.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadmill.errors import TreadmillError
from treadmill.model import CoachEventKind, Facing, LinkState, belt_moving
from treadmill.mqtt.messages import MqttState
from treadmill.session.board import LiveView
from treadmill.session.coach import PAUSED, RESUMED, CoachEvent
from treadmill.storage.fixtures import FixtureError
from tui.feed import Feed, Outcome
from tui.voice import Speaker
from tui.widgets.banners import CueBanner, RailsBanner
from tui.widgets.chart import SpeedChart
from tui.widgets.direction import DirectionPanel, detail_line, shown_for
from tui.widgets.metrics import Metrics
from tui.widgets.readouts import Readouts
from tui.widgets.step import StepLine

logger = logging.getLogger(__name__)

FULL = (80, 24)
"""The smallest terminal for the full screen (columns, rows)."""
COMPACT = (40, 24)
"""The smallest for the compact one; below it, the "make the terminal bigger" notice."""

MQTT_LOOK: dict[MqttState, str] = {
    MqttState.CONNECTING: "[dim]MQTT…[/]",
    MqttState.CONNECTED: "[green]MQTT ✓[/]",
    MqttState.RETRYING: "[yellow]MQTT retrying[/]",
    MqttState.FAILED: "[red]MQTT off[/]",
    MqttState.CLOSED: "[dim]MQTT closed[/]",
}
"""How the status line shows each MQTT state."""
_LINK_LOOK = {
    LinkState.WAITING: "[yellow]◌ connecting[/]",
    LinkState.CONNECTED: "[green]● connected[/]",
    LinkState.STALE: "[yellow]◐ stale data[/]",
    LinkState.RECONNECTING: "[red]○ reconnecting[/]",
    LinkState.LOST: "[red]✕ link lost[/]",
}
ANSWERED_BY_THE_KEY = frozenset({PAUSED, RESUMED})
"""Coach messages the screen leaves out: the key's own answer says them, with more."""

KEY_HELP: dict[str, str] = {
    "pause": "Pause the workout, or go on after a pause. Paused, the plan, the time and the distance "
    "stand still; with --control the belt pauses too, and you start it again on the console.",
    "stop": "End the session. With --control the app stops the belt; otherwise stop it on the console. "
    "What was recorded is kept.",
    "speed(0.5)": "With --control: 0.5 km/h faster. Presses add up; the belt ramps there within your caps.",
    "speed(-0.5)": "With --control: 0.5 km/h slower. Presses add up; the belt ramps down.",
    "incline(0.5)": "With --control: incline up by 0.5 %, within the treadmill's range.",
    "incline(-0.5)": "With --control: incline down by 0.5 %, within the treadmill's range.",
    "mark('reverse')": "Tell the detector you face backward now. It holds until you turn again, is kept "
    "with the recording, and teaches your profile.",
    "mark('forward')": "Tell the detector you face forward now (facing the console).",
}
"""One sentence per key of the live screen (the help screen lists them)."""


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


@dataclass
class SessionFinished(Message):
    """For the app: a session is over; show its summary."""

    feed: Feed
    outcome: Outcome | None


class LiveScreen(Screen[None]):
    """One live session (see the module docstring)."""

    BINDINGS = [  # noqa: RUF012 (Textual's own convention)
        Binding("space", "pause", "Pause"),
        Binding("s", "stop", "Stop"),
        Binding("plus,equals_sign", "speed(0.5)", "Faster", key_display="+", show=False),
        Binding("minus", "speed(-0.5)", "Slower", key_display="-", show=False),
        Binding("right_square_bracket", "incline(0.5)", "Incline up", key_display="]", show=False),
        Binding("left_square_bracket", "incline(-0.5)", "Incline down", key_display="[", show=False),
        Binding("r", "mark('reverse')", "Backward"),
        Binding("f", "mark('forward')", "Forward"),
    ]
    KEY_HELP = KEY_HELP
    HELP_TITLE = "The live workout"

    def __init__(
        self,
        feed: Feed,
        *,
        refresh_s: float | None = 0.25,
        autostart: bool = True,
        speaker: Speaker | None = None,
    ) -> None:
        """``refresh_s`` None: refresh only when :meth:`refresh_view` is called (tests, snapshots)."""
        super().__init__()
        self.feed = feed
        self.refresh_s = refresh_s
        self.autostart = autostart
        self.speaker = speaker
        self.latencies: list[float] = []
        """Seconds from each coach event to the screen refreshed with it (the bench reads these)."""
        self.ended: SessionOver | None = None
        self.told: list[str] = []
        """What the keys answered, in order (also shown as toasts)."""
        self._ticks = 0
        self._shown_key: tuple[object, ...] = ()
        self._status = ""
        self._mqtt_state = MqttState.CONNECTING

    def compose(self) -> ComposeResult:
        """See the module docstring for the order."""
        yield Static("", id="status")
        yield DirectionPanel(id="direction")
        yield Readouts(id="readouts")
        yield RailsBanner(id="rails")
        yield CueBanner(id="cue")
        yield Metrics(id="metrics")
        yield StepLine(id="step")
        yield SpeedChart(id="chart")
        yield Static("Wider: the chart and more numbers.", id="compact-note")
        yield Static("", id="too-small")
        yield Footer(compact=True)

    @property
    def _rails(self) -> RailsBanner:
        return self.query_one(RailsBanner)

    def on_mount(self) -> None:
        """Start the session and the refresh tick."""
        self._fit(self.app.size.width, self.app.size.height)
        self.refresh_view()
        if self.refresh_s is not None:
            self.set_interval(self.refresh_s, self._tick)
        if self.autostart:
            self.run_session()

    def on_resize(self, event: events.Resize) -> None:
        """Full, compact, or the notice (see the module docstring)."""
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        full = width >= FULL[0] and height >= FULL[1]
        compact = not full and width >= COMPACT[0] and height >= COMPACT[1]
        self.set_class(compact, "-compact")
        self.set_class(not (full or compact), "-too-small")
        if not (full or compact):
            self.query_one("#too-small", Static).update(
                f"[b]Make the terminal bigger[/]\n\nIt is {width}×{height}; the workout needs at least "
                f"{COMPACT[0]}×{COMPACT[1]} ({FULL[0]}×{FULL[1]} for the full screen).\n"
                "The session goes on meanwhile. s stops it."
            )

    @property
    def compact(self) -> bool:
        """The compact layout is showing."""
        return self.has_class("-compact")

    @work(exclusive=True, group="session")
    async def run_session(self) -> None:
        """Run the session to its end; a failure to start is shown, never raised."""
        try:
            outcome = await self.feed.run(self._said)
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
        """Cues to the cue banner, warnings to the rails banner (with the bell), the rest to a toast."""
        event = message.event
        if event.kind is CoachEventKind.CUE:
            self.query_one(CueBanner).show(event)
        elif event.kind is CoachEventKind.WARNING:
            self.query_one(RailsBanner).raise_warning(event)
        elif event.kind is CoachEventKind.CLEARED:
            if event.rule is not None:
                self.query_one(RailsBanner).clear_warning(event.rule)
        elif event.text not in ANSWERED_BY_THE_KEY:
            text = f"{event.text}: {event.more}" if event.more else event.text
            self.notify(text, title="Belt" if event.kind is CoachEventKind.CONTROL else "Note", timeout=6)
        if event.bell or event.kind is CoachEventKind.WARNING:
            self.app.bell()
        if self.speaker is not None:
            self.speaker.say_event(event)
        said_at = message.said_at
        self.call_after_refresh(lambda: self.latencies.append(time.perf_counter() - said_at))

    @on(SessionOver)
    def session_over(self, message: SessionOver) -> None:
        """Show the summary, or what went wrong and what to do."""
        self.ended = message
        cue = self.query_one(CueBanner)
        if message.error is not None:
            cue.show_fixed("Could not run the session.", f"{message.error} · q quits.")
            return
        if message.outcome is None:
            cue.show_fixed("Stopped before the treadmill answered.", "Nothing was recorded · q quits.")
            return
        self.refresh_view()
        self.app.post_message(SessionFinished(self.feed, message.outcome))

    # --- the refresh tick ---------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Take a snapshot of the board and show it."""
        feed = self.feed
        view = feed.board.view(feed.now())
        self._ticks += 1
        self._show(view)

    def _tick(self) -> None:
        """The timer: a new snapshot only when something it shows can have changed.

        That is a new sample, a change of link, pause or MQTT state, or the next whole second
        (the clocks and countdowns); otherwise the tick only flashes a danger warning.
        """
        feed, board = self.feed, self.feed.board
        coach = board.coach
        mqtt = feed.mqtt_status()
        key = (
            id(board.latest),
            board.link,
            int(feed.now()),
            feed.paused,
            coach is not None and coach.paused,
            self.compact,
            None if mqtt is None else (mqtt.state, mqtt.dropped),
        )
        if key != self._shown_key:
            self._shown_key = key
            self.refresh_view()
        else:
            self._ticks += 1
            self._rails.flash(self._ticks % 2 == 1)

    def _show(self, view: LiveView) -> None:
        waiting = view.link is LinkState.WAITING and self.ended is None
        paused = view.paused or self.feed.paused
        shown = shown_for(view.direction, paused=paused, waiting=waiting)
        detail = detail_line(shown, view.confidence, view.evidence, short=self.compact)
        self.query_one(DirectionPanel).show(shown, detail)
        self.query_one(Readouts).show(view)
        finished = "Workout done: slow down and step off carefully."
        free = "Free run: no steps; s ends the session." if view.step is None else ""
        self.query_one(StepLine).show(
            view.step, finished=view.finished, free_text=finished if view.finished else free
        )
        if not self.compact:
            self.query_one(Metrics).show(view)
            self.query_one(SpeedChart).follow(self.feed.board, view.t)
        banner = self.query_one(CueBanner)
        banner.age(view.t, turn_pending=view.turn_pending, asking=view.asking)
        banner.idle(*self._idle(view, paused=paused, waiting=waiting))
        rails = self.query_one(RailsBanner)
        rails.flash(self._ticks % 2 == 1)
        doubt = "  [red]⚠ readings make no sense[/]" if view.doubtful else ""
        status = f"[b]{self.feed.title}[/]  {_LINK_LOOK.get(view.link, view.link)}{doubt}{self._mqtt_text()}"
        if status != self._status:
            self._status = status
            self.query_one("#status", Static).update(status, layout=False)

    def _idle(self, view: LiveView, *, paused: bool, waiting: bool) -> tuple[str, str]:
        """The cue banner with no cue on show: what is going on, and what to do."""
        if waiting:
            return "Connecting to the treadmill…", "It can take a few seconds; s gives up."
        if paused:
            return "Paused.", "Space goes on. The time, the distance and the plan wait."
        if view.finished:
            return "Workout done.", "Slow down and step off carefully; s ends the session."
        if view.step is None:
            return "Free run: the detector follows you.", "Press r or f whenever it has your direction wrong."
        if not belt_moving(view.speed_kmh):
            return "Start the belt when you are ready.", "The plan waits until the belt moves."
        return f"Now: {view.step.text}", "Each change is announced 10 s ahead, then 3-2-1."

    def _mqtt_text(self) -> str:
        """MQTT in the status line; a change for the worse is also said once in a toast."""
        status = self.feed.mqtt_status()
        if status is None:
            return ""
        if status.state != self._mqtt_state:
            if status.state in (MqttState.RETRYING, MqttState.FAILED):
                self.notify(status.text, title="MQTT", severity="warning", timeout=8)
            self._mqtt_state = status.state
        look = MQTT_LOOK[status.state]
        dropped = f" [yellow]{status.dropped} dropped[/]" if status.dropped else ""
        return f"  {look}{dropped}"

    # --- the keys ----------------------------------------------------------------------------

    def _tell(self, text: str) -> None:
        self.told.append(text)
        self.notify(text, timeout=5)

    async def action_pause(self) -> None:
        """Pause or resume."""
        if self.feed.actions is not None:
            self._tell(await self.feed.actions.toggle_pause())
            self.refresh_view()

    def action_stop(self) -> None:
        """End the session (and a coached belt)."""
        if self.ended is not None:
            return
        if self.feed.actions is None:
            self.workers.cancel_group(self, "session")
            self.post_message(SessionOver(None))
            return
        self._tell(self.feed.actions.stop())

    def action_speed(self, delta: float) -> None:
        """Nudge the target speed."""
        if self.feed.actions is not None:
            self._tell(self.feed.actions.change_speed(delta))

    def action_incline(self, delta: float) -> None:
        """Nudge the target incline."""
        if self.feed.actions is not None:
            self._tell(self.feed.actions.change_incline(delta))

    async def action_mark(self, direction: str) -> None:
        """Say which way you face."""
        if self.feed.actions is not None:
            self._tell(await self.feed.actions.mark(Facing(direction)))

    @property
    def running(self) -> bool:
        """A session is under way (quitting asks first)."""
        return self.ended is None


class ReplayScreen(LiveScreen, inherit_bindings=False):
    """A recording played back: the same screen, with a replay's keys and words."""

    HELP_TITLE = "A replay"
    BINDINGS = [  # noqa: RUF012
        Binding("space", "pause", "Pause"),
        Binding("s", "stop", "Stop"),
        Binding("r", "mark('reverse')", "Backward"),
        Binding("f", "mark('forward')", "Forward"),
    ]
    KEY_HELP = {  # noqa: RUF012
        "pause": "Pause the playback, or go on.",
        "stop": "End the replay here and show its summary.",
        "mark('reverse')": "Take the person as facing backward from here, in this viewing only: "
        "the recording is not changed.",
        "mark('forward')": "Take the person as facing forward from here, in this viewing only.",
    }

    def _idle(self, view: LiveView, *, paused: bool, waiting: bool) -> tuple[str, str]:
        """A replay's own words."""
        del view, waiting
        if paused:
            return "Replay paused.", "Space plays on; s ends the replay."
        return "Replay: the recording through today's detector.", "r or f corrects this viewing only."

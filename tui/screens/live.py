"""The live workout screen, made to be read from the belt, two metres away.

Top to bottom: the status line (the workout, the link, MQTT); the direction in big letters
with its shape; three big numbers (the next turn, the step's time left, the speed); the
full-width HOLD THE RAILS banner while a safety warning holds; the cue (a headline and its
detail); the secondary numbers; the step; the speed chart; the keys.

Light on the CPU: the session runs in a worker; a timer takes a :class:`~tui.widgets.scene.Scene`
of the board four times a second into a Textual ``reactive`` the widgets bind to, and it
compares equal to the last unless something shown changed, so nothing repaints for nothing;
no widget changes height, so nothing needs a new layout. The chart moves a column at a time.
Cues and warnings arrive as messages the moment the coach says them, not at the next tick.

The layout follows the terminal. From 80x24 the full screen, its big numbers three rows
tall; from 36 rows (a 120x40 terminal, a tablet's browser) the direction and the numbers are
drawn in solid blocks seven rows tall (two numbers to a row below 120 columns), and from
200x60 eleven; the chart gets what is left, and folds away first. From 40 columns a compact
one, as on a phone (the status line with the session clock, the link and the backward
bouts, the direction, the big numbers one to a row when it is tall, the rails banner, the
cue, and the keys as tappable words that wrap); below that, a notice to make the terminal
bigger.
The rails banner keeps its place when no warning holds: nothing moves when one comes or goes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadmill.errors import TreadmillError
from treadmill.model import CoachEventKind, Facing, LinkState, belt_moving
from treadmill.mqtt.messages import MqttState
from treadmill.session.board import LiveView, PhoneSeen
from treadmill.session.coach import PAUSED, RESUMED, CoachEvent
from treadmill.storage.fixtures import FixtureError
from tui.feed import Feed, Outcome
from tui.voice import Speaker
from tui.widgets.banners import CueBanner, RailsBanner
from tui.widgets.chart import LiveChart
from tui.widgets.direction import DirectionPanel, detail_line, shown_for
from tui.widgets.keybar import KeyBar
from tui.widgets.metrics import Metrics, clock_text, metric_values
from tui.widgets.readouts import Readouts, readout_texts
from tui.widgets.scene import Scene, SceneWatcher
from tui.widgets.step import StepLine, step_text

logger = logging.getLogger(__name__)

FULL = (80, 24)
"""The smallest terminal for the full screen (columns, rows)."""
TALL_ROWS = 36
"""From this many rows the direction and the numbers are drawn at least seven rows tall, when
the three numbers fit side by side (:data:`WIDE_COLUMNS`)."""
TALL_NARROW_ROWS = 42
"""Narrower, they go two to a row, which takes eight rows more: from this many rows."""
WIDE_COLUMNS = 110
"""From this many columns three countdowns fit side by side seven rows tall (a tablet's browser
is 113 columns)."""
HUGE = (200, 60)
"""From here, eleven rows tall."""
COMPACT = (40, 24)
"""The smallest for the compact one; below it, the "make the terminal bigger" notice."""
LONG_ROWS = 40
"""From this many rows the compact layout stacks the numbers one to a row, seven rows tall each
(a phone's browser in portrait is 43x40); below, two to a row in the three-row font."""

MQTT_LOOK: dict[MqttState, str] = {
    MqttState.CONNECTING: "[dim]MQTT…[/]",
    MqttState.CONNECTED: "[green]MQTT ✓[/]",
    MqttState.RETRYING: "[yellow]MQTT retrying[/]",
    MqttState.FAILED: "[red]MQTT off[/]",
    MqttState.CLOSED: "[dim]MQTT closed[/]",
}
"""How the status line shows each MQTT state."""
_FREE_RUN_IDLE = ("Free run: the detector follows you.", "Press r or f whenever it has your direction wrong.")
_RECORDED_CUES_IDLE = (
    "Replay: the recording's own cues.",
    "Each turn is shown as it was cued; space pauses.",
)
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


def bout_text(view: LiveView) -> str:
    """The backward bouts of a workout: "backward 2 of 5" ("" without a plan or without any)."""
    step = view.step
    if step is None or not step.bouts:
        return ""
    return f"backward {step.bout} of {step.bouts}"


class StatusLine(SceneWatcher, Static):
    """The top line (see :meth:`LiveScreen._status_text`); repainted only when it changes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.said = ""

    def show_scene(self, scene: Scene) -> None:
        """The scene's status."""
        if scene.status != self.said:
            self.said = scene.status
            self.update(scene.status, layout=False)


@dataclass(frozen=True, slots=True)
class _Note:
    """A toast waiting to be shown."""

    text: str
    title: str
    severity: SeverityLevel
    timeout: float


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
        self._note: _Note | None = None
        """The toast to show after the next refresh (see :meth:`_toast`)."""
        self.refreshes = 0
        """Scenes taken (a message shows without one)."""
        self._mqtt_state = MqttState.CONNECTING

    scene: reactive[Scene | None] = reactive(None, layout=False, repaint=False, init=False)
    """What the screen shows now; every part of it watches this."""

    def compose(self) -> ComposeResult:
        """See the module docstring for the order."""
        scene = LiveScreen.scene
        yield StatusLine(id="status").data_bind(scene)
        yield DirectionPanel(id="direction").data_bind(scene)
        yield Readouts(id="readouts").data_bind(scene)
        yield RailsBanner(id="rails")
        yield CueBanner(id="cue").data_bind(scene)
        yield Metrics(id="metrics").data_bind(scene)
        yield StepLine(id="step").data_bind(scene)
        yield LiveChart(self.feed.board, id="chart").data_bind(scene)
        yield KeyBar(self.BINDINGS, id="keybar")
        yield Static("", id="too-small")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start the session and the refresh tick."""
        self._fit(self.app.size.width, self.app.size.height)
        self.query_one(RailsBanner).flashes = self.refresh_s is not None
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
        wide = width >= WIDE_COLUMNS
        self.set_class(height >= (TALL_ROWS if wide else TALL_NARROW_ROWS), "-tall")
        self.set_class(compact and height >= LONG_ROWS, "-long")
        self.set_class(wide, "-wide")
        self.set_class(width >= HUGE[0] and height >= HUGE[1], "-huge")
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
            self._tick()  # the digits to this moment too: the cue's "3" never beside a 0:04
        elif event.kind is CoachEventKind.WARNING:
            self.query_one(RailsBanner).raise_warning(event)
        elif event.kind is CoachEventKind.CLEARED:
            if event.rule is not None:
                self.query_one(RailsBanner).clear_warning(event.rule)
        elif event.text not in ANSWERED_BY_THE_KEY:
            text = f"{event.text}: {event.more}" if event.more else event.text
            self._toast(text, title="Belt" if event.kind is CoachEventKind.CONTROL else "Note", timeout=6)
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
        """Take a scene of the board and draw all of it (a key's answer, a test)."""
        self.refreshes += 1
        self.scene = self._scene()
        self.mutate_reactive(LiveScreen.scene)

    def _tick(self) -> None:
        """The timer: a new scene; the widgets redraw only if it differs from the last."""
        self.refreshes += 1
        self.scene = self._scene()

    def _scene(self) -> Scene:
        feed = self.feed
        now = feed.now()
        view = feed.board.view(now)
        waiting = view.link is LinkState.WAITING and self.ended is None
        paused = view.paused or feed.paused
        shown = shown_for(view.direction, paused=paused, waiting=waiting)
        compact = self.compact
        finished = "Workout done: slow down and step off carefully."
        free = "Free run: no steps; s ends the session." if view.step is None else ""
        if view.step is None and view.recorded_turns:
            free = "Replay: the turns as the recording cued them; s ends it."
        step_free_text = finished if view.finished else free
        texts = (
            *readout_texts(view),
            *(value for _, value in metric_values(view)),
            step_text(view.step, finished=view.finished, free_text=step_free_text).plain,
            str(int(now)),
        )
        return Scene(
            view=view,
            texts=texts,
            shown=shown,
            detail=detail_line(shown, view.confidence, view.evidence, short=compact),
            idle=self._idle(view, paused=paused, waiting=waiting),
            status=self._status_text(view, compact=compact),
            compact=compact,
            step_free_text=step_free_text,
        )

    def _status_text(self, view: LiveView, *, compact: bool) -> str:
        """The status line: the workout, the link, the bouts, doubt, a lagging simulator, MQTT.

        On a phone the session clock instead of the workout's name.
        """
        link = _LINK_LOOK.get(view.link, view.link)
        if not self.feed.live:  # a file: how it plays, and the recorded link only when it was not up
            playing = "[cyan]‖ replay paused[/]" if self.feed.paused else "[cyan]▶ replay[/]"
            link = playing if view.link is LinkState.CONNECTED else f"{playing} · {link}"
        doubt = "  [red]⚠ readings make no sense[/]" if view.doubtful else ""
        behind = "  [yellow]⚠ simulator behind[/]" if view.behind is not None else ""
        if view.phone is not None:
            look = "green" if view.phone is PhoneSeen.WORN else "yellow"
            behind += f"  [{look}]{view.phone.words}[/]"
        mqtt = self._mqtt_text()
        if compact:
            return f"[b]{clock_text(view.active_s)}[/]  {link}  {bout_text(view)}{doubt}{behind}{mqtt}"
        return f"[b]{self.feed.title}[/]  {link}  {bout_text(view)}{doubt}{behind}{mqtt}"

    def _idle(self, view: LiveView, *, paused: bool, waiting: bool) -> tuple[str, str]:
        """The cue banner with no cue on show: what is going on, and what to do."""
        if waiting:
            return "Connecting to the treadmill…", "It can take a few seconds; s gives up."
        if paused:
            return "Paused.", "Space goes on. The time, the distance and the plan wait."
        if view.finished:
            return "Workout done.", "Slow down and step off carefully; s ends the session."
        if view.step is None:
            return _RECORDED_CUES_IDLE if view.recorded_turns else _FREE_RUN_IDLE
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
                self._toast(status.text, title="MQTT", severity="warning", timeout=8)
            self._mqtt_state = status.state
        look = MQTT_LOOK[status.state]
        dropped = f" [yellow]{status.dropped} dropped[/]" if status.dropped else ""
        return f"  {look}{dropped}"

    # --- the keys ----------------------------------------------------------------------------

    def _tell(self, text: str) -> None:
        self.told.append(text)
        self._toast(text, timeout=5)

    def _toast(
        self, text: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float
    ) -> None:
        """One note at a time: the newest replaces the last (stacked, they covered "Now" and "Time").

        Notes that come together are shown once the screen has refreshed, the last of them only.
        """
        due = self._note is None
        self._note = _Note(text, title, severity, timeout)
        if due:
            self.call_after_refresh(self._show_note)

    def _show_note(self) -> None:
        note, self._note = self._note, None
        if note is not None:
            self.app.clear_notifications()
            self.notify(note.text, title=note.title, severity=note.severity, timeout=note.timeout)

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

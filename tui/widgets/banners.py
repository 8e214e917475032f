"""The handrail banner (HOLD THE RAILS, full width, in big letters) and the cue banner.

The handrail banner is up while any safety warning holds (docs/safety.md). A danger
outranks a caution: it comes first, in red, and flashes; a caution is amber and still.
The big words are the rule's own ("SLOW DOWN" for too fast backward); the line under them
says why, with the other warnings that hold at the same time.

The cue banner shows the coach's latest cue as a headline and its detail. A cue stays
highlighted for a few seconds; "turn now" stays until the detector sees the turn or
:data:`TURN_SHOWN_S` passes, whichever comes first; an announcement ("Turn in 10 s") counts
down with the big digits until the countdown or the change itself replaces it. Then the
banner goes back to saying what is going on now.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from treadmill.session.coach import CoachEvent
from treadmill.workout.cues import CueKind, recount
from treadmill.workout.safety import HOLD_THE_RAILS, RULES, Level, Rule
from tui.widgets.bigtext import BigText
from tui.widgets.scene import Scene, SceneWatcher


class RailsBanner(Vertical):
    """The warnings that hold now, the most urgent first (see the module docstring)."""

    DEFAULT_CSS = """
    RailsBanner { height: 5; }
    RailsBanner BigText { height: 1fr; }
    RailsBanner #rails-detail { height: 2; width: 1fr; padding: 0 1; text-style: bold; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.active: dict[Rule, CoachEvent] = {}
        """Warnings raised and not yet cleared, by rule."""
        self._flashing: Timer | None = None
        self.flashes = True
        """A danger flashes (off for a still picture: a screen with no refresh timer)."""

    def compose(self) -> ComposeResult:
        """The big words, then the reason."""
        yield BigText("", id="rails-word")
        yield Static("", id="rails-detail")

    def on_mount(self) -> None:
        """A danger flashes twice a second; the timer sleeps while none holds."""
        self._flashing = self.set_interval(FLASH_S, self._flash, pause=True)

    def raise_warning(self, event: CoachEvent) -> None:
        """A warning raised."""
        if event.rule is not None:
            self.active[event.rule] = event
        self._render_active()

    def clear_warning(self, rule: Rule) -> None:
        """The condition behind a warning has passed."""
        if self.active.pop(rule, None) is not None:
            self._render_active()

    @property
    def danger(self) -> bool:
        """A danger warning holds."""
        return any(e.level is Level.DANGER for e in self.active.values())

    def _flash(self) -> None:
        self.toggle_class("flash")

    def _render_active(self) -> None:
        ordered = sorted(self.active.values(), key=lambda e: e.level is Level.DANGER, reverse=True)
        self.set_class(bool(ordered), "active")
        self.set_class(self.danger, "danger")
        if self._flashing is not None:
            if self.danger and self.flashes:
                self._flashing.resume()
            else:
                self._flashing.pause()
                self.remove_class("flash")
        if not ordered:  # its place stays: nothing below moves when a warning comes or goes
            self.query_one(BigText).show("")
            self.query_one("#rails-detail", Static).update("", layout=False)
            return
        top = ordered[0]
        self.query_one(BigText).show(*(HOLD_THE_RAILS if top.rule is None else RULES[top.rule].big))
        text = Text("DANGER  " if top.level is Level.DANGER else "CAUTION  ", style="bold")
        text.append(top.more or top.text)
        others = [RULES[e.rule].name if e.rule is not None else e.text for e in ordered[1:]]
        if others:
            text.append("   also: " + "; ".join(others), style="not bold")
        self.query_one("#rails-detail", Static).update(text, layout=False)


FLASH_S = 0.5
"""A danger's flash: half a second each way."""
TURN_SHOWN_S = 8.0
"""The longest "turn now" stays up when the detector does not see the turn (session seconds)."""
FRESH_S = 6.0
"""How long any other cue stays highlighted (session seconds)."""


class CueBanner(SceneWatcher, Vertical):
    """The latest cue (headline and detail), or what is going on now."""

    DEFAULT_CSS = """
    CueBanner { height: 2; padding: 0 1; }
    CueBanner #cue-headline { height: 1; width: 1fr; text-style: bold; }
    CueBanner #cue-detail { height: 1; width: 1fr; color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.cue: CoachEvent | None = None
        """The cue on show (None: the banner says what is going on)."""
        self.last_cue: CoachEvent | None = None
        self._shown: tuple[str, str] = ("", "")
        self._fixed = False

    def compose(self) -> ComposeResult:
        """Headline, then detail."""
        yield Static("", id="cue-headline", markup=False)
        yield Static("", id="cue-detail", markup=False)

    def show(self, event: CoachEvent) -> None:
        """A new cue."""
        self.cue = self.last_cue = event
        self.set_class(True, "fresh")
        self.set_class(event.cue in (CueKind.TURN, CueKind.COUNTDOWN, CueKind.RECHECK, CueKind.ASK), "turn")
        self.set_class(event.cue is CueKind.TURNED, "turned")
        self._put(event.text, event.more)

    def age(self, now: float, *, turn_pending: bool, asking: bool = False, paused: bool = False) -> None:
        """Let a cue go once it has been seen (see the module docstring)."""
        cue = self.cue
        if cue is None:
            return
        if cue.cue is CueKind.TURN:
            over = not turn_pending or now - cue.t > TURN_SHOWN_S
        elif cue.cue is CueKind.RECHECK:
            over = not turn_pending
        elif cue.cue is CueKind.ASK:
            over = not asking  # until answered, or the detector no longer needs to know
        elif cue.cue is CueKind.ANNOUNCE:
            over = paused  # it counts with the digits until the countdown or the change replaces it
        else:
            over = now - cue.t > FRESH_S
        if over:
            self.cue = None
            self.set_class(False, "fresh")
            self.set_class(False, "turn")
            self.set_class(False, "turned")

    def idle(self, headline: str, detail: str = "") -> None:
        """No cue on show: say what is going on."""
        if self.cue is None and not self._fixed:
            self._put(headline, detail)

    def show_scene(self, scene: Scene) -> None:
        """Let a cue go once seen; with none on show, say what is going on."""
        view = scene.view
        self.age(view.t, turn_pending=view.turn_pending, asking=view.asking, paused=view.paused)
        cue, step = self.cue, view.step
        if (
            cue is not None
            and cue.cue is CueKind.ANNOUNCE
            and step is not None
            and step.seconds_left is not None
        ):
            self._put(recount(cue.text, step.seconds_left), cue.more)  # counts with the big digits
        self.idle(*scene.idle)

    def show_fixed(self, headline: str, detail: str) -> None:
        """The last word (the session could not run): it stays."""
        self.cue, self._fixed = None, True
        self.set_class(False, "fresh")
        self.set_class(True, "turn")
        self._put(headline, detail)

    def _put(self, headline: str, detail: str) -> None:
        if (headline, detail) == self._shown:
            return
        self._shown = (headline, detail)
        # One-line texts (the full layout) need no layout pass; the compact one's lines wrap.
        for part, text in (("#cue-headline", headline), ("#cue-detail", detail)):
            static = self.query_one(part, Static)
            height = static.styles.height
            static.update(text, layout=height is not None and height.is_auto)

    @property
    def text(self) -> tuple[str, str]:
        """The headline and detail on show."""
        return self._shown

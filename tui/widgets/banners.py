"""The cue banner (announcements, 3-2-1, "turn now") and the handrail warning banner."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from treadmill.session.coach import CoachEvent
from treadmill.workout.cues import CueKind
from treadmill.workout.safety import Level, Rule


class CueBanner(Static):
    """The latest cue, highlighted while it is fresh; the countdown digits in large type."""

    DEFAULT_CSS = """
    CueBanner {
        height: auto;
        min-height: 3;
        max-height: 4;
        border: round $primary;
        padding: 0 1;
        content-align: left middle;
    }
    CueBanner.fresh { border: heavy $warning; background: $warning 15%; }
    CueBanner.turn { border: heavy $error; background: $error 20%; text-style: bold; }
    """

    FRESH_S = 6.0
    """How long a cue stays highlighted (session seconds)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__("", *args, **kwargs)  # type: ignore[arg-type]
        self.cue: CoachEvent | None = None
        self.idle_text = ""

    def show(self, event: CoachEvent) -> None:
        """A new cue."""
        self.cue = event
        if event.cue is CueKind.COUNTDOWN:
            text = Text(f"  {event.text}  ", style="bold reverse")
            text.append(f"   {event.more}", style="bold")
        else:
            text = Text(event.text, style="bold")
            if event.more:
                text.append(f"\n{event.more}", style="not bold")
        self.set_class(True, "fresh")
        self.set_class(event.cue in (CueKind.TURN, CueKind.COUNTDOWN, CueKind.RECHECK), "turn")
        self.update(text)

    def age(self, now: float) -> None:
        """Fade the highlight once the cue is old."""
        if self.cue is not None and now - self.cue.t > self.FRESH_S:
            self.set_class(False, "fresh")
            self.set_class(False, "turn")

    def idle(self, text: str) -> None:
        """No cue yet: show what the screen is doing (or what to expect)."""
        if self.cue is None and text != self.idle_text:
            self.idle_text = text
            self.update(text)


class WarningBanner(Static):
    """The handrail warnings that hold now, the most urgent first; it flashes and cannot be missed."""

    DEFAULT_CSS = """
    WarningBanner {
        height: auto;
        max-height: 4;
        border: heavy $warning;
        background: $warning 25%;
        padding: 0 1;
        text-style: bold;
        display: none;
    }
    WarningBanner.active { display: block; }
    WarningBanner.danger { border: heavy $error; background: $error 35%; }
    WarningBanner.flash { border: heavy $foreground; }
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__("", *args, **kwargs)  # type: ignore[arg-type]
        self.active: dict[Rule, CoachEvent] = {}
        """Warnings raised and not yet cleared, by rule."""

    def raise_warning(self, event: CoachEvent) -> None:
        """A warning raised."""
        if event.rule is not None:
            self.active[event.rule] = event
        self._render_active()

    def clear_warning(self, rule: Rule) -> None:
        """The condition behind a warning has passed."""
        self.active.pop(rule, None)
        self._render_active()

    def flash(self, on: bool) -> None:
        """Toggle the border (the screen calls this on its refresh tick)."""
        self.set_class(on and bool(self.active), "flash")

    def _render_active(self) -> None:
        ordered = sorted(self.active.values(), key=lambda e: e.level is Level.DANGER, reverse=True)
        danger = any(e.level is Level.DANGER for e in ordered)
        self.set_class(bool(ordered), "active")
        self.set_class(danger, "danger")
        text = Text()
        for index, event in enumerate(ordered[:3]):
            if index:
                text.append("\n")
            level = "DANGER" if event.level is Level.DANGER else "CAUTION"
            text.append(f"⚠ {level}  ", style="bold")
            text.append(event.more or event.text)
        self.update(text)

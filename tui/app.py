"""The Treadmill Companion app: from picking a device to the summary of a workout.

Screens, in the order a session meets them: :class:`DevicePicker` (``run`` without
``--device``), :class:`WorkoutPicker` (without ``--plan``), :class:`LiveScreen`, then
:class:`SummaryScreen`; :class:`HistoryScreen` from the picker or the summary. ``demo``
and ``replay`` go straight to the live screen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

import platformdirs
from textual import messages, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from treadmill.defaults import FREE, FREE_RUN_S
from treadmill.inputs import printable
from treadmill.model import Facing
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.storage.history import History
from treadmill.storage.plans import catalogue
from treadmill.storage.profile import UserProfile, load_profile
from treadmill.workout.plan import Plan, PlanError
from tui.feed import Feed, LiveFeed, ReplayFeed
from tui.request import AppMode, AppRequest
from tui.screens.confirm import ConfirmQuit
from tui.screens.dashboard import DashboardScreen
from tui.screens.devices import DeviceChoice, DevicePicker
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.live import LiveScreen, ReplayScreen, SessionFinished
from tui.screens.summary import SummaryScreen
from tui.screens.workouts import WorkoutChoice, WorkoutPicker
from tui.terminal_loss import CHECK_S, exit_within, gone, let_go, on_hangup, terminal_fd
from tui.voice import PROGRAMS, Speaker, find_speaker

CLOSE_WITHIN_S = 10.0
"""Closed from outside, the app ends a live session properly first, but waits no longer than this."""


class TreadmillApp(App[int]):
    """One app session (see the module docstring)."""

    CSS_PATH = "app.tcss"
    TITLE = "Treadmill Companion"
    BINDINGS = [  # noqa: RUF012
        Binding("q", "request_quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        request: AppRequest,
        *,
        history: History | None = None,
        profile: UserProfile | None = None,
        config: Path | None = None,
        refresh_s: float | None = 0.25,
    ) -> None:
        """``config``: where remembered devices live (default: the person's config folder)."""
        super().__init__()
        self.request = request
        self.history = history or History()
        loaded = load_profile() if profile is None else None
        self.profile = profile or (loaded.profile if loaded else UserProfile())
        self.profile_problems = () if loaded is None else loaded.problems
        self.config = config
        self.refresh_s = refresh_s
        self.options: SessionOptions | None = request.options
        self.plan_id = request.plan_id
        self.feed: Feed | None = None
        self.saved_to: Path | None = None
        """The last session's recording, to say where it is when the app closes."""
        self.quitting = False
        self._terminal_gone = False
        self.speaker: Speaker | None = find_speaker() if request.speak else None

    def compose(self) -> ComposeResult:
        """The base screen, under the others."""
        yield Static("Treadmill Companion")

    def on_mount(self) -> None:
        """Open what the command line asked for."""
        self._watch_the_terminal()
        request = self.request
        for problem in self.profile_problems:
            self.notify(problem, title="Profile", severity="warning", timeout=12)
        if request.speak and self.speaker is None:
            self.notify(
                f"No text-to-speech program found (tried {', '.join(PROGRAMS)}): "
                "cues are shown and rung only.",
                title="--speak",
                severity="warning",
                timeout=12,
            )
        if request.mode is AppMode.DASHBOARD and request.mqtt is not None:
            self.push_screen(DashboardScreen(request.mqtt))
        elif request.mode is AppMode.REPLAY and request.fixture is not None:
            feed = ReplayFeed(
                request.fixture,
                speed=request.replay_speed,
                tolerant=request.tolerant,
                body=self.profile.body(),
                mqtt=request.mqtt,
            )
            self._go_live(feed)
        elif request.pick_device and self.options is not None:
            source = self.options.source
            self.push_screen(
                DevicePicker(virtual=source.is_virtual, hci=source.hci, config=self.config),
                self._devices_picked,
            )
        else:
            self._workout_or_go()

    def _watch_the_terminal(self) -> None:
        """End as the quit key does if the terminal goes away (tui/terminal_loss.py says why)."""
        fd = terminal_fd()
        if fd is None or self.is_headless:
            return
        on_hangup(asyncio.get_running_loop(), self._terminal_lost)
        self.set_interval(CHECK_S, partial(self._check_the_terminal, fd))

    def _check_the_terminal(self, fd: int) -> None:
        if gone(fd):
            self._terminal_lost()

    def _terminal_lost(self) -> None:
        if self._terminal_gone:
            return
        self._terminal_gone = True
        logging.getLogger(__name__).warning("the terminal went away: ending the session")
        let_go()
        exit_within(2 * CLOSE_WITHIN_S)
        self.post_message(messages.ExitApp())

    # --- from picker to picker to the live screen ----------------------------------------------

    def _devices_picked(self, choice: DeviceChoice | None) -> None:
        if choice is None or self.options is None:
            return
        if not self.options.source.is_virtual:
            source = replace(
                self.options.source, device=choice.treadmill, strap=choice.strap, footpod=choice.footpod
            )
            self.options = replace(self.options, source=source)
        self._workout_or_go()

    def _workout_or_go(self) -> None:
        if self.options is None:
            return
        if self.plan_id is None:
            self.push_screen(WorkoutPicker(self.profile, self.history), self._workout_picked)
            return
        if self.options.workout is None and self.plan_id != FREE:
            try:
                plan = catalogue(self.profile).find(self.plan_id, self.profile)
            except PlanError as exc:
                self.notify(f"{exc}: pick a workout instead.", severity="error", timeout=10)
                self.plan_id = None
                self._workout_or_go()
                return
            self._workout_picked(WorkoutChoice(self.plan_id, plan))
            return
        self._go_live(self._live_feed(self.options))

    def _workout_picked(self, choice: WorkoutChoice | None) -> None:
        if choice is None or self.options is None:
            return
        self.options = self._with_plan(self.options, choice.plan)
        self.plan_id = choice.plan_id if choice.plan is not None else None
        self._go_live(self._live_feed(self.options))

    def _with_plan(self, options: SessionOptions, plan: Plan | None) -> SessionOptions:
        """The options for ``plan`` (None: a free run), with control as asked and the person's caps."""
        if plan is None:
            return replace(options, workout=None, duration_s=FREE_RUN_S)
        workout = WorkoutOptions(plan, control=self.request.control, caps=self.profile.caps())
        return replace(options, workout=workout, duration_s=workout.ceiling_s)

    def _live_feed(self, options: SessionOptions) -> LiveFeed:
        workout = options.workout
        name = "Free run" if workout is None else workout.plan.name
        where = " · virtual" if options.source.is_virtual else ""
        fast = "" if options.time_scale == 1.0 else f" ×{options.time_scale:g}"
        control = " · control on" if workout is not None and workout.control else ""
        return LiveFeed(
            options,
            plan_id=self.plan_id,
            history=self.history,
            title=f"{name}{where}{fast}{control}",
            mqtt=self.request.mqtt,
        )

    def _go_live(self, feed: Feed) -> None:
        self.feed = feed
        screen = LiveScreen if feed.live else ReplayScreen
        self.push_screen(screen(feed, refresh_s=self.refresh_s, speaker=self.speaker))

    @on(SessionFinished)
    def show_summary(self, message: SessionFinished) -> None:
        """The session is over: the summary (or, when quitting, the end)."""
        outcome = message.outcome
        if outcome is not None and not outcome.replay and outcome.fixture is not None:
            self.saved_to = outcome.fixture  # said on the terminal once the app has closed
        if self.quitting:
            if self._terminal_gone:
                os._exit(0)  # the session is saved, and there is no terminal to give back
            self.exit(0)
            return
        if outcome is not None:
            self.switch_screen(SummaryScreen(outcome, message.feed, self.history))

    # --- app-wide actions ----------------------------------------------------------------------

    def live_screen(self) -> LiveScreen | None:
        """The live screen, when it is the one showing."""
        screen = self.screen
        return screen if isinstance(screen, LiveScreen) else None

    def action_request_quit(self) -> None:
        """Quit; during a workout, ask first and stop the session (and a coached belt) properly."""
        live = self.live_screen()
        if live is None or not live.running or not live.feed.live:  # nothing to lose in a replay
            self.exit(0)
            return

        def answered(quit_now: bool | None) -> None:
            if not quit_now:
                return
            self.quitting = True
            if live.feed.actions is None:
                self.exit(0)
            else:
                live.action_stop()

        self.push_screen(ConfirmQuit(), answered)

    def on_exit_app(self, message: messages.ExitApp) -> None:
        """Closed from outside (serve stopping, the web driver's quit): end a live session first.

        The session ends as the stop key ends it (a coached belt stopped, the summary written),
        then the app closes. Textual's own handler of ExitApp (on App, next in the MRO) closes
        the app unless this one holds it back.
        """
        live = next((s for s in self.screen_stack if isinstance(s, LiveScreen)), None)
        if self.quitting or live is None or not (live.running and live.feed.live and live.feed.actions):
            if self._terminal_gone and not self.quitting:
                os._exit(0)  # no session to end, and no terminal to give back
            return
        message.prevent_default()
        self.quitting = True
        live.action_stop()
        self.set_timer(CLOSE_WITHIN_S, partial(self.exit, 1))  # a session that will not end

    async def action_quit(self) -> None:
        """Ctrl+Q too asks during a workout: the belt must not be left running by a quick key."""
        self.action_request_quit()

    def on_unmount(self) -> None:
        """Cut off a cue still being said: nothing outlives the app."""
        if self.speaker is not None:
            self.speaker.stop()

    def action_help(self) -> None:
        """Every key of the screen showing, with a sentence each."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_history(self) -> None:
        """Past sessions and progress."""
        self.push_screen(HistoryScreen(self.history))

    def action_new_session(self) -> None:
        """Another workout on the same devices."""
        if self.options is None:  # a replay: the demo's virtual treadmill for the next one
            self.options = SessionOptions(
                source=SourceOptions(virtual=VirtualOptions()), time_scale=4.0, body=self.profile.body()
            )
        self.plan_id = None
        self.pop_screen()
        self._workout_or_go()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette: the workout keys as commands, beside Textual's own (theme, keys, screenshot)."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, LiveScreen):
            yield from _session_commands(screen)
        yield SystemCommand("Help", "Every key, with a sentence each (? or F1)", self.action_help)
        yield SystemCommand("History", "Past sessions and progress", self.action_history)


def _session_commands(screen: LiveScreen) -> Iterable[SystemCommand]:
    """The live screen's keys as palette commands (speed and incline only with --control)."""
    replay = not screen.feed.live
    yield SystemCommand(
        "Pause or resume", "The playback (space)" if replay else "The workout (space)", screen.action_pause
    )
    yield SystemCommand(
        "Stop the session",
        "End the replay here (s)" if replay else "End it; a coached belt is stopped (s)",
        screen.action_stop,
    )
    if screen.feed.can_drive:
        for title, action, key in (
            ("Speed up 0.5 km/h", "speed(0.5)", "+"),
            ("Slow down 0.5 km/h", "speed(-0.5)", "-"),
            ("Incline up 0.5 %", "incline(0.5)", "]"),
            ("Incline down 0.5 %", "incline(-0.5)", "["),
        ):
            yield SystemCommand(
                title, f"Within your caps, on the usual ramp ({key})", partial(screen.run_action, action)
            )
    which = "in this viewing only" if replay else "the detector holds it until you turn"
    for facing, key in ((Facing.REVERSE, "r"), (Facing.FORWARD, "f")):
        yield SystemCommand(
            f"I face {facing.words}",
            f"Tell the detector: {which} ({key})",
            partial(screen.run_action, f"mark('{facing}')"),
        )


def _log_to_file() -> None:
    """The screen owns stderr: logs go to a file (``TREADMILL_LOG=debug`` for more)."""
    folder = platformdirs.user_log_path("treadmill-companion")
    folder.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(folder / "app.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    level = os.environ.get("TREADMILL_LOG", "warning").upper()
    root.setLevel(getattr(logging, level, logging.WARNING))


def run_app(request: AppRequest) -> int:
    """Open the app for ``request``; the exit status when it closes."""
    _log_to_file()
    app = TreadmillApp(request)
    app.run()
    if app.saved_to is not None:
        sys.stderr.write(f"The session is recorded in {printable(str(app.saved_to))}\n")
    return app.return_code or 0

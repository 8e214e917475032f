"""The Treadmill Companion app: from picking a device to the summary of a workout.

Screens, in the order a session meets them: :class:`DevicePicker` (``run`` without
``--device``), :class:`WorkoutPicker` (without ``--plan``), :class:`LiveScreen`, then
:class:`SummaryScreen`; :class:`HistoryScreen` from the picker or the summary. ``demo``
and ``replay`` go straight to the live screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from treadmill.launch import AppRequest
from treadmill.session.recording import RecordOptions
from treadmill.storage.history import History
from treadmill.storage.profile import UserProfile, load_profile
from treadmill.workout.library import catalogue
from treadmill.workout.plan import PlanError
from tui.screens.confirm import ConfirmQuit
from tui.screens.dashboard import DashboardScreen
from tui.screens.devices import DeviceChoice, DevicePicker
from tui.screens.history import HistoryScreen
from tui.screens.live import LiveScreen, SessionFinished
from tui.screens.summary import SummaryScreen
from tui.screens.workouts import FREE_RUN, WorkoutChoice, WorkoutPicker
from tui.session_runner import LiveRunner, ReplayRunner, Runner

FREE_RUN_S = 3 * 3600.0
"""A free run lasts until the user stops it, or three hours."""
AFTER_WORKOUT_S = 30.0
"""Recorded after a workout's last step (the cool-down off the plan)."""


class TreadmillApp(App[int]):
    """One app session (see the module docstring)."""

    CSS_PATH = "app.tcss"
    TITLE = "Treadmill Companion"
    BINDINGS = [Binding("q", "request_quit", "Quit")]  # noqa: RUF012

    def __init__(
        self,
        request: AppRequest,
        *,
        history: History | None = None,
        profile: UserProfile | None = None,
        config: Path | None = None,
        refresh_s: float | None = 0.25,
    ) -> None:
        """``config``: where remembered devices live (default: the user's config folder)."""
        super().__init__()
        self.request = request
        self.history = history or History()
        self.profile = profile or load_profile()
        self.config = config
        self.refresh_s = refresh_s
        self.options: RecordOptions | None = request.options
        self.plan_id = request.plan_id
        self.runner: Runner | None = None
        self.quitting = False

    def compose(self) -> ComposeResult:
        """The base screen, under the others."""
        yield Static("Treadmill Companion")

    def on_mount(self) -> None:
        """Open what the command line asked for."""
        request = self.request
        if request.mode == "dashboard" and request.mqtt is not None:
            self.push_screen(DashboardScreen(request.mqtt))
        elif request.mode == "replay" and request.fixture is not None:
            runner = ReplayRunner(
                request.fixture,
                speed=request.replay_speed,
                tolerant=request.tolerant,
                body=self.profile.body(),
                mqtt=request.mqtt,
            )
            self._go_live(runner)
        elif request.pick_device and self.options is not None:
            hci = self.options.hci
            self.push_screen(
                DevicePicker(virtual=self.options.virtual, hci=hci, config=self.config), self._devices_picked
            )
        else:
            self._workout_or_go()

    # --- from picker to picker to the live screen ----------------------------------------------

    def _devices_picked(self, choice: DeviceChoice | None) -> None:
        if choice is None or self.options is None:
            return
        if not self.options.virtual:
            self.options = replace(
                self.options, device=choice.treadmill, strap=choice.strap, footpod=choice.footpod
            )
        self._workout_or_go()

    def _workout_or_go(self) -> None:
        if self.options is None:
            return
        if self.plan_id is None:
            self.push_screen(WorkoutPicker(self.profile, self.history), self._workout_picked)
            return
        if self.options.workout is None and self.plan_id != FREE_RUN:
            try:
                plan = catalogue(self.profile).find(self.plan_id, self.profile)
            except PlanError as exc:
                self.notify(f"{exc}: pick a workout instead.", severity="error", timeout=10)
                self.plan_id = None
                self._workout_or_go()
                return
            self._workout_picked(WorkoutChoice(self.plan_id, plan))
            return
        self._go_live(self._live_runner(self.options))

    def _workout_picked(self, choice: WorkoutChoice | None) -> None:
        if choice is None or self.options is None:
            return
        plan = choice.plan
        duration = FREE_RUN_S if plan is None else (plan.duration_s or 3600.0) + AFTER_WORKOUT_S
        self.options = replace(
            self.options,
            workout=plan,
            plan=None,
            control=self.options.control and plan is not None,
            duration_s=duration,
        )
        self.plan_id = choice.plan_id if plan is not None else None
        self._go_live(self._live_runner(self.options))

    def _live_runner(self, options: RecordOptions) -> LiveRunner:
        name = "Free run" if options.workout is None else options.workout.name
        where = " · virtual" if options.virtual else ""
        fast = "" if options.time_scale == 1.0 else f" ×{options.time_scale:g}"
        control = " · control on" if options.control else ""
        return LiveRunner(
            options,
            plan_id=self.plan_id,
            history=self.history,
            body=self.profile.body(),
            title=f"{name}{where}{fast}{control}",
        )

    def _go_live(self, runner: Runner) -> None:
        self.runner = runner
        self.push_screen(LiveScreen(runner, refresh_s=self.refresh_s))

    @on(SessionFinished)
    def show_summary(self, message: SessionFinished) -> None:
        """The session is over: the summary (or, when quitting, the end)."""
        if self.quitting or message.outcome is None:
            if self.quitting:
                self.exit(0)
            return
        self.switch_screen(
            SummaryScreen(message.outcome, message.runner.board, self.history, message.runner.title)
        )

    # --- app-wide actions ----------------------------------------------------------------------

    def live_screen(self) -> LiveScreen | None:
        """The live screen, when it is the one showing."""
        screen = self.screen
        return screen if isinstance(screen, LiveScreen) else None

    def action_request_quit(self) -> None:
        """Quit; during a workout, ask first and stop the session (and a coached belt) properly."""
        live = self.live_screen()
        if live is None or not live.running:
            self.exit(0)
            return

        def answered(quit_now: bool | None) -> None:
            if not quit_now:
                return
            self.quitting = True
            if live.runner.actions is None:
                self.exit(0)
            else:
                live.action_stop()

        self.push_screen(ConfirmQuit(), answered)

    async def action_quit(self) -> None:
        """Ctrl+Q too asks during a workout: the belt must not be left running by a quick key."""
        self.action_request_quit()

    def action_history(self) -> None:
        """Past sessions and progress."""
        self.push_screen(HistoryScreen(self.history))

    def action_new_session(self) -> None:
        """Another workout on the same devices."""
        if self.options is None:  # a replay: the demo's virtual treadmill for the next one
            self.options = RecordOptions(out=Path(), virtual=True, time_scale=4.0)
        self.plan_id = None
        self.pop_screen()
        self._workout_or_go()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette: the workout keys as commands, beside Textual's own (theme, keys, screenshot)."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, LiveScreen):
            yield SystemCommand("Pause or resume", "Hold the workout (space)", screen.action_pause)
            yield SystemCommand(
                "Stop the session", "End it; a coached belt is stopped (s)", screen.action_stop
            )
            yield SystemCommand(
                "Mark: I face backward", "Tell the detector (r)", lambda: screen.run_action("mark('reverse')")
            )
            yield SystemCommand(
                "Mark: I face forward", "Tell the detector (f)", lambda: screen.run_action("mark('forward')")
            )
        yield SystemCommand("History", "Past sessions and progress", self.action_history)

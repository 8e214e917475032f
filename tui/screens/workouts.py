"""Pick a workout: the built-ins, the 7-day challenge at your day, your own plans, or a free run."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from treadmill.defaults import FREE
from treadmill.storage.history import History
from treadmill.storage.plans import catalogue, user_plans_dir
from treadmill.storage.profile import UserProfile
from treadmill.workout.builtin import CHALLENGE_ID, challenge_day
from treadmill.workout.plan import Plan
from tui.widgets.metrics import clock_text


@dataclass(frozen=True, slots=True)
class WorkoutChoice:
    """What was picked: a plan (None for a free run) and its id."""

    plan_id: str
    plan: Plan | None


def plan_label(plan: Plan, *, mine: bool) -> Text:
    """Two lines: the name, length, time backward and level; then what the workout is."""
    total = "open length" if plan.duration_s is None else clock_text(plan.duration_s)
    label = Text(plan.name, style="bold")
    if mine:
        label.append(" (yours)")
    label.append(f" · {total} · {clock_text(plan.reverse_s)} backward")
    if plan.level:
        label.append(f" · {plan.level}", style="bold")
    about = plan.description or "No description."
    label.append(f"\n  {about}", style="dim")
    return label


class WorkoutPicker(Screen[WorkoutChoice]):
    """A list of workouts; enter starts the highlighted one."""

    BINDINGS = [Binding("h", "app.history", "History")]  # noqa: RUF012
    HELP_TITLE = "Pick a workout"
    KEY_HELP = {"app.history": "Every past session and your progress."}  # noqa: RUF012

    def __init__(self, profile: UserProfile, history: History) -> None:
        super().__init__()
        self.profile = profile
        self.history = history
        self.plans: dict[str, Plan | None] = {}

    def compose(self) -> ComposeResult:
        """A heading, the list, a hint."""
        yield Static(
            "[b]Pick a workout[/] · enter starts it · the belt is always yours to start", id="heading"
        )
        yield OptionList(id="workouts")
        yield Static("", id="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the list: built-ins first, the challenge at your day, then yours, then a free run."""
        found = catalogue(self.profile)
        day, felt = self.history.challenge_next()
        options = self.query_one("#workouts", OptionList)
        for plan_id, (source, listed) in found.plans.items():
            plan = challenge_day(day, felt) if plan_id == CHALLENGE_ID else listed
            self.plans[plan_id] = plan
            options.add_option(Option(plan_label(plan, mine=not source.builtin), id=plan_id))
        self.plans[FREE] = None
        free = Text("Free run", style="bold")
        free.append("\n  No steps and no cues; the detector still follows you.", style="dim")
        options.add_option(Option(free, id=FREE))
        problems = "".join(f"\n[red]skipped {escape(p)}[/]" for p in found.problems)
        self.query_one("#hint", Static).update(
            f"[dim]Your own plans (.toml or .zwo) go in {user_plans_dir()}.[/]{problems}"
        )
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: go with this one."""
        plan_id = event.option.id or FREE
        self.dismiss(WorkoutChoice(plan_id, self.plans.get(plan_id)))

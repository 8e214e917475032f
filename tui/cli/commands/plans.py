"""``treadmill plans``: the built-in workouts and the person's own."""

from __future__ import annotations

import argparse
import json
import sys

from treadmill.inputs import printable
from treadmill.storage.plans import catalogue, user_plans_dir
from treadmill.workout.plan import Plan
from treadmill.workout.zwo import LENGTHS, NOTES
from tui.cli import setup
from tui.cli.parsers import EXIT_OK


def _total(plan: Plan) -> str:
    """Its length: a time, or a distance when a step is measured in metres."""
    if plan.duration_s is not None:
        return setup.clock_text(plan.duration_s)
    metres = sum(s.distance_m or 0.0 for s in plan.steps)
    return f"{metres / 1000:.1f} km+" if any(s.duration_s for s in plan.steps) else f"{metres / 1000:.1f} km"


def _extra(plan: Plan) -> dict[str, object]:
    """What an import adds (a .zwo's reading of its lengths, and its notes), JSON-ready."""
    return {key: list(value) if isinstance(value, tuple) else str(value) for key, value in plan.extra.items()}


def run(args: argparse.Namespace) -> int:
    """List them."""
    found = catalogue(setup.profile("plans"))
    for problem in found.problems:
        print(f"skipped {printable(problem)}", file=sys.stderr)
    if args.json:
        listed = [
            {"id": plan_id, "kind": "builtin" if source.builtin else "user", **plan.to_dict(), **_extra(plan)}
            for plan_id, (source, plan) in found.plans.items()
        ]
        print(json.dumps(listed))
        return EXIT_OK
    read = any(LENGTHS in plan.extra for _, plan in found.plans.values())  # a .zwo's lengths, as read
    header = ("id", "name", "total", "backward", "level", "zwo lengths read as" if read else "")
    rows = [
        (
            plan_id,
            plan.name if source.builtin else f"{plan.name} (yours)",
            _total(plan),
            setup.clock_text(plan.reverse_s),
            plan.level or "-",
            str(plan.extra.get(LENGTHS, "")),
        )
        for plan_id, (source, plan) in found.plans.items()
    ]
    widths = [max(len(row[i]) for row in [*rows, header]) for i in range(len(header))]
    widths[1] = min(widths[1], 40)
    for row in [header, *rows]:
        ident, name, total, backward, level, lengths = row
        print(
            f"{ident:{widths[0]}}  {name[: widths[1]]:{widths[1]}}  {total:>{widths[2]}}  "
            f"{backward:>{widths[3]}}  {level:{widths[4]}}  {lengths}".rstrip()
        )
    for plan_id, (_source, plan) in found.plans.items():
        for note in plan.extra.get(NOTES, ()):
            print(f"{printable(plan_id)}: {printable(note)}", file=sys.stderr)
    print(
        f"\nYour own plans go in {printable(str(user_plans_dir()))}: a Zwift workout (.zwo) as it is, or "
        'a .toml file: name, then [[steps]] with direction, duration ("1:30") or distance_m, speed_kmh.',
        file=sys.stderr,
    )
    return EXIT_OK

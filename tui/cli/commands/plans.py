"""``treadmill plans``: the built-in workouts and the person's own."""

from __future__ import annotations

import argparse
import json
import sys

from treadmill.inputs import printable
from treadmill.storage.plans import catalogue, user_plans_dir
from tui.cli import setup
from tui.cli.parsers import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """List them."""
    found = catalogue(setup.profile("plans"))
    for problem in found.problems:
        print(f"skipped {printable(problem)}", file=sys.stderr)
    if args.json:
        listed = [
            {"id": plan_id, "kind": "builtin" if source.builtin else "user", **plan.to_dict()}
            for plan_id, (source, plan) in found.plans.items()
        ]
        print(json.dumps(listed))
        return EXIT_OK
    rows = [
        (
            plan_id,
            plan.name if source.builtin else f"{plan.name} (yours)",
            "-" if plan.duration_s is None else setup.clock_text(plan.duration_s),
            setup.clock_text(plan.reverse_s),
            plan.level or "-",
        )
        for plan_id, (source, plan) in found.plans.items()
    ]
    widths = [
        max(len(row[i]) for row in [*rows, ("id", "name", "total", "backward", "level")]) for i in range(5)
    ]
    widths[1] = min(widths[1], 40)
    print(
        f"{'id':{widths[0]}}  {'name':{widths[1]}}  {'total':>{widths[2]}}  {'backward':>{widths[3]}}  level"
    )
    for plan_id, name, total, backward, level in rows:
        cells = f"{plan_id:{widths[0]}}  {name[: widths[1]]:{widths[1]}}  {total:>{widths[2]}}"
        print(f"{cells}  {backward:>{widths[3]}}  {level}")
    print(
        f"\nYour own plans (.toml or .zwo) go in {printable(str(user_plans_dir()))}; see docs/workouts.md.",
        file=sys.stderr,
    )
    return EXIT_OK

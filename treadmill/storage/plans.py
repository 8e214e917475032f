"""Finding plans: the built-ins, the person's own (the config folder's ``plans/``), or a file given by path.

A plan file is read only if it is a regular file of at most
:data:`~treadmill.inputs.MAX_PLAN_FILE_BYTES` (a FIFO or ``/dev/zero`` in the folder is
refused, not waited on). A plan of the person's that does not load is reported with its
error and left out: it never stops the others from loading. One named like a built-in is
left out too, with a word, so that a built-in never changes under the person's feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from treadmill.inputs import MAX_PLAN_FILE_BYTES, InputError, printable, read_bounded
from treadmill.storage.paths import config_dir
from treadmill.storage.profile import UserProfile
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.plan import Plan, PlanError, parse_plan
from treadmill.workout.zwo import parse_zwo

__all__ = ["SUFFIXES", "Catalogue", "PlanSource", "catalogue", "load_plan_file", "user_plans_dir"]

SUFFIXES = (".toml", ".zwo")
_MAX_FILES = 500


def user_plans_dir() -> Path:
    """Where the person's own plans live (``.toml`` or ``.zwo``)."""
    return config_dir() / "plans"


def load_plan_file(path: Path, profile: UserProfile) -> Plan:
    """A plan from a ``.toml`` or ``.zwo`` file.

    Raises:
        PlanError: it cannot be read or is not a valid plan.
    """
    source = printable(str(path))
    try:
        data = read_bounded(path, "plan", MAX_PLAN_FILE_BYTES)
    except InputError as exc:
        raise PlanError(source, 0, "", exc.reason) from None
    if path.suffix.lower() == ".zwo":
        return parse_zwo(data, source, profile.reference_paces_s_per_km, profile.caps())
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(source, 0, "", "not UTF-8 text") from None
    return parse_plan(text, source, profile.caps())


@dataclass(frozen=True, slots=True)
class PlanSource:
    """Where a listed plan comes from."""

    builtin: bool
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every plan on offer, by id, and the person's plans that did not load."""

    plans: dict[str, tuple[PlanSource, Plan]]
    problems: list[str]
    """One line per plan left out, with why."""

    def find(self, name: str, profile: UserProfile) -> Plan:
        """A plan by id, by name, or by file path.

        Raises:
            PlanError: no such plan, or the file is not a valid plan.
        """
        if name in self.plans:
            return self.plans[name][1]
        by_name = [plan for _, plan in self.plans.values() if plan.name.lower() == name.lower()]
        if by_name:
            return by_name[0]
        path = Path(name)
        if path.suffix.lower() in SUFFIXES:
            return load_plan_file(path, profile)
        known = ", ".join(self.plans)
        raise PlanError(
            printable(name)[:80], 0, "", f"no such plan; known: {known} (or give a .toml or .zwo file)"
        )


def catalogue(profile: UserProfile) -> Catalogue:
    """The built-in programmes and the person's own plans."""
    plans: dict[str, tuple[PlanSource, Plan]] = {
        k: (PlanSource(builtin=True), p) for k, p in builtin_plans().items()
    }
    problems: list[str] = []
    folder = user_plans_dir()
    try:
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES) if folder.is_dir() else []
    except OSError as exc:
        paths = []
        problems.append(f"{printable(str(folder))}: cannot list the plans folder ({exc.strerror})")
    if len(paths) > _MAX_FILES:
        problems.append(f"{printable(str(folder))}: only the first {_MAX_FILES} plan files are read")
    for path in paths[:_MAX_FILES]:
        if path.stem in plans and plans[path.stem][0].builtin:
            problems.append(
                f"{printable(str(path))}: named like the built-in plan {path.stem!r}; rename the file"
            )
            continue
        try:
            plans[path.stem] = (PlanSource(builtin=False, path=path), load_plan_file(path, profile))
        except PlanError as exc:
            problems.append(str(exc))
    return Catalogue(plans, problems)

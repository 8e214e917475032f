"""Finding plans: the built-ins, the user's own (config folder ``plans/``), or a file given by path.

A user's plan that does not parse is reported with its error and left out; it never stops
the others from loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from treadmill.storage.profile import UserProfile, config_dir
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.plan import Caps, Plan, PlanError, parse_plan
from treadmill.workout.zwo import parse_zwo

__all__ = ["Catalogue", "catalogue", "load_plan_file", "user_plans_dir"]


def user_plans_dir() -> Path:
    """Where the user's own plans live (``.toml`` or ``.zwo``)."""
    return config_dir() / "plans"


def _caps(profile: UserProfile) -> Caps:
    return Caps(forward_kmh=profile.forward_cap_kmh, reverse_kmh=max(profile.reverse_cap_kmh, 0.5))


def load_plan_file(path: Path, profile: UserProfile) -> Plan:
    """A plan from a ``.toml`` or ``.zwo`` file.

    Raises:
        PlanError: it cannot be read or is not a valid plan.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(str(path), 0, "", f"cannot read: {exc.strerror}") from None
    if path.suffix.lower() == ".zwo":
        return parse_zwo(data, str(path), profile.reference_paces_s_per_km, _caps(profile))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError(str(path), 0, "", "not UTF-8 text") from None
    return parse_plan(text, str(path), _caps(profile))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every plan on offer, by id, and the user's plans that did not load."""

    plans: dict[str, tuple[str, Plan]]
    """id -> (source kind ``builtin`` or ``user``, plan)."""
    problems: list[PlanError]

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
        if path.suffix.lower() in (".toml", ".zwo"):
            return load_plan_file(path, profile)
        known = ", ".join(self.plans)
        raise PlanError(name, 0, "", f"no such plan; known: {known} (or give a .toml or .zwo file)")


def catalogue(profile: UserProfile) -> Catalogue:
    """The built-in programmes and the user's own plans."""
    plans: dict[str, tuple[str, Plan]] = {k: ("builtin", p) for k, p in builtin_plans().items()}
    problems: list[PlanError] = []
    folder = user_plans_dir()
    if folder.is_dir():
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".toml", ".zwo")):
            try:
                plans[path.stem] = ("user", load_plan_file(path, profile))
            except PlanError as exc:
                problems.append(exc)
    return Catalogue(plans, problems)

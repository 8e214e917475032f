"""From checked options to what a session needs: the profile, the workout, the session, the voice.

Shared by the commands that open a live session (``record``, ``run``, ``demo``) and read a
recording (``replay``, ``export``, ``analyze``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections.abc import Callable
from pathlib import Path

from treadmill.core.detector import DirectionDetector
from treadmill.core.pipeline import Pipeline
from treadmill.defaults import FREE, FREE_RUN_S
from treadmill.inputs import printable
from treadmill.model import CoachEventKind
from treadmill.mqtt.settings import MqttSettings, MqttSettingsError, load_settings
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent
from treadmill.session.engine import Session, SessionResult
from treadmill.session.options import SessionOptions, SourceOptions, VirtualOptions, WorkoutOptions
from treadmill.session.replay import ReplaySource
from treadmill.storage.files import dangling_link
from treadmill.storage.fixtures import Fixture, FixtureError, read_fixture
from treadmill.storage.plans import catalogue
from treadmill.storage.profile import UserProfile, load_profile
from treadmill.virtual.hostile import HostileFrames, Hostility
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.runner import RunnerPlan
from treadmill.workout.plan import Plan, PlanError
from tui.cli.parsers import UsageError, say
from tui.voice import PROGRAMS, find_speaker

__all__ = [
    "clock_text",
    "coach_printer",
    "hostile",
    "mqtt_settings",
    "out_path",
    "profile",
    "read",
    "replayed",
    "session_options",
    "source_options",
    "virtual_options",
    "workout",
]


def clock_text(seconds: float) -> str:
    """``mm:ss``, or ``h:mm:ss`` from an hour."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes:02d}:{secs:02d}"


def profile(command: str) -> UserProfile:
    """The person's profile; what was wrong with it is said on stderr (each bad field uses its default)."""
    loaded = load_profile()
    for problem in loaded.problems:
        say(command, problem, error=False)
    return loaded.profile


def workout(name: str, person: UserProfile) -> Plan:
    """A guided workout by id, name or file (exit 2 naming what is wrong with it)."""
    try:
        return catalogue(person).find(name, person)
    except PlanError as exc:
        raise UsageError(f"--plan: {exc}") from exc


def mqtt_settings(url: str | None) -> MqttSettings | None:
    """``--mqtt URL`` with the config file and the environment (None: MQTT is off)."""
    try:
        return load_settings(url)
    except MqttSettingsError as exc:
        raise UsageError(f"--mqtt: {exc}") from None


def virtual_options(args: argparse.Namespace) -> VirtualOptions:
    """The virtual treadmill as ``record`` sets it up (every quirk it can show)."""
    return VirtualOptions(
        seed=args.seed,
        runner=None if args.runner == FREE else RunnerPlan.demo(),
        notify_hz=args.notify_hz,
        split_payload=args.split,
        strap=args.sensors in ("both", "hr"),
        footpod=args.sensors in ("both", "footpod"),
        drop_link_at_s=tuple(args.drop_link_at or ()),
        trailing_bytes=args.trailing_bytes,
        spec=MachineSpec(speed_resolution_kmh=args.speed_resolution, step_count=args.step_count),
        hostile=hostile(args),
        phone=args.phone,
    )


def hostile(args: argparse.Namespace) -> HostileFrames | None:
    """``--hostile KIND --hostile-from S``: the virtual treadmill lies from then on (None: it does not)."""
    if args.hostile is None:
        return None
    return HostileFrames(Hostility(args.hostile), start_s=args.hostile_from, seed=args.seed)


def source_options(args: argparse.Namespace, virtual: VirtualOptions | None) -> SourceOptions:
    """Where a session's frames come from (``record``, ``run``): a device, or the virtual treadmill."""
    if (virtual is not None) == (args.device is not None):
        raise UsageError("give exactly one of --device ADDR (a real treadmill) or --virtual")
    if args.phone and virtual is None:
        raise UsageError("--phone puts a phone on the virtual runner: it goes with --virtual")
    if virtual is not None and (args.strap or args.footpod or args.hci):
        raise UsageError("--strap, --footpod and --hci go with --device; --virtual brings its own sensors")
    return SourceOptions(
        device=args.device, strap=args.strap, footpod=args.footpod, hci=args.hci, virtual=virtual
    )


def session_options(
    source: SourceOptions,
    person: UserProfile,
    plan: Plan | None,
    *,
    control: bool,
    time_scale: float,
    duration_s: float | None = None,
    mqtt: bool = False,
    headless: bool = False,
) -> SessionOptions:
    """A live session's options (record, run, demo): the person's caps, body and detector go with it.

    ``headless``: no screen watches it (``record``), so ``--time-scale max`` may run it on virtual time.
    """
    if math.isinf(time_scale) and (not headless or source.virtual is None or mqtt):
        raise UsageError(
            "--time-scale max runs the virtual treadmill without the wall clock: it is for "
            "record --virtual, without --mqtt (a screen, a broker and a person keep the wall clock's time)"
        )
    if control and plan is None:
        raise UsageError(
            "--control drives the belt through a workout: give --plan NAME (see treadmill plans)"
        )
    workout_options = None
    if plan is not None:
        workout_options = WorkoutOptions(plan, control=control, caps=person.caps())
    if duration_s is None:
        duration_s = FREE_RUN_S if workout_options is None else workout_options.ceiling_s
    return SessionOptions(
        source=source,
        workout=workout_options,
        duration_s=duration_s,
        time_scale=1.0 if math.isinf(time_scale) else time_scale,
        body=person.body(),
        detector=person.detector,
        max_speed_kmh=max(person.forward_cap_kmh, person.reverse_cap_kmh),
        safe_reverse_kmh=person.reverse_cap_kmh,
    )


_LABELS = {
    CoachEventKind.CUE: "",
    CoachEventKind.WARNING: "RAILS  ",
    CoachEventKind.MESSAGE: "note   ",
    CoachEventKind.CONTROL: "belt   ",
}


def coach_printer(command: str, *, speak: bool) -> Callable[[CoachEvent], None]:
    """Each coach event as one stderr line (with the bell where asked) and, with ``speak``, said aloud."""
    speaker = find_speaker() if speak else None
    if speak and speaker is None:
        say(
            command,
            f"--speak: no text-to-speech program found (tried {', '.join(PROGRAMS)}); cues are shown only",
            error=False,
        )
    bell_ok = sys.stderr.isatty()

    def show(event: CoachEvent) -> None:
        if event.kind is CoachEventKind.CLEARED:
            return
        bell = "\a" if event.bell and bell_ok else ""
        more = f"  ({event.more})" if event.more else ""
        print(
            f"\r{bell}{clock_text(event.t)}  {_LABELS[event.kind]}{event.text}{more}",
            file=sys.stderr,
            flush=True,
        )
        if speaker is not None:
            speaker.say_event(event)

    return show


def read(path: str, *, tolerant: bool) -> Fixture:
    """A recording, or exit 2 naming the file and line that cannot be read."""
    try:
        fixture = read_fixture(path, tolerant=tolerant)
    except FixtureError as exc:
        hint = "" if tolerant or exc.line == 0 else " (--tolerant skips bad lines)"
        raise UsageError(f"{exc}{hint}") from None
    if fixture.skipped_count:
        first = fixture.skipped[0]
        print(
            f"skipped {fixture.skipped_count} bad lines of {printable(path)}; the first: {first}",
            file=sys.stderr,
        )
    return fixture


def replayed(fixture: Fixture, person: UserProfile) -> SessionResult:
    """A recording through the same pipeline as a live session, as fast as possible."""
    board = LiveBoard(
        Pipeline(person.body(), DirectionDetector(state=person.detector), keep_trace=True),
        recorded_cues=tuple(fixture.cues),  # the plan's turns, known ahead as the live coach knew them
    )
    return asyncio.run(Session(ReplaySource(fixture, speed=None), board=board).run())


def out_path(text: str, command: str) -> Path:
    """A new file to write: refused at once if it exists or its folder does not (exit 2)."""
    path = Path(text)
    if len(path.name.encode()) > 255:
        raise UsageError(f"{printable(text)[:120]}...: the file name is longer than 255 bytes")
    try:
        exists = path.exists() or path.is_symlink()
        folder = path.parent.is_dir()
    except OSError as exc:  # a path too long as a whole, a folder that cannot be searched
        raise UsageError(f"{printable(text)[:120]}: {exc.strerror}") from None
    if exists:
        raise UsageError(f"{printable(text)[:120]} exists; {command} never overwrites, choose another name")
    if not folder:
        link = dangling_link(path.parent)
        if link is not None:
            target = printable(str(link.readlink()))[:120]
            raise UsageError(f"{printable(str(link))[:120]} is a link to {target}, which is not there")
        raise UsageError(f"folder {printable(str(path.parent))[:120]} does not exist")
    return path

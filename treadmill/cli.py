"""The ``treadmill`` command line (contracts.md §1).

Exit status 0 on success, 2 on bad usage or bad input (one line on stderr naming what
was wrong), 1 on other failures. Machine-readable output goes to stdout; progress, logs
and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from treadmill import __version__
from treadmill.errors import FrameError, TreadmillError, UnknownCharacteristicError
from treadmill.ftms.registry import DECODERS, decode
from treadmill.ftms.uuids import CHARACTERISTIC_NAMES, short_uuid

if TYPE_CHECKING:  # the commands import these when they run: `decode` stays light
    from treadmill.launch import AppLauncher, AppRequest
    from treadmill.mqtt.messages import MqttStatus
    from treadmill.mqtt.settings import MqttSettings
    from treadmill.session.coach import CoachEvent
    from treadmill.session.engine import SessionResult
    from treadmill.session.recording import RecordOptions
    from treadmill.storage.fixtures import Fixture
    from treadmill.storage.profile import UserProfile
    from treadmill.virtual.runner import RunnerPlan
    from treadmill.workout.plan import Plan

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    """Bad input found after argument parsing; exits with status 2."""


def _parse_hex(text: str) -> bytes:
    cleaned = "".join(text.split()).replace(":", "").replace("-", "").removeprefix("0x")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise _UsageError(f"not a hex payload: {text!r} (expected e.g. 0400e803 or '04 00 e8 03')") from None


def _cmd_decode(args: argparse.Namespace) -> int:
    payload = _parse_hex(args.hex)
    try:
        record = decode(args.char, payload)
    except UnknownCharacteristicError:
        raise _UsageError(f"unknown characteristic {args.char!r}; known: {', '.join(DECODERS)}") from None
    except FrameError as exc:
        raise _UsageError(
            f"cannot decode {exc.characteristic} payload {payload.hex() or '(empty)'}: {exc.reason}"
        ) from None
    key = short_uuid(args.char)
    out = {"characteristic": key, "name": CHARACTERISTIC_NAMES[key], **record.to_dict()}
    print(json.dumps(out))
    return EXIT_OK


def _cmd_scan(args: argparse.Namespace) -> int:
    from treadmill.ble.backend import BleBackend  # noqa: PLC0415 (keeps `decode` free of bleak)
    from treadmill.ble.scan import scan  # noqa: PLC0415

    async def run() -> list[dict[str, object]]:
        if args.hci:
            from treadmill.ble.virtual_link import VirtualRadio  # noqa: PLC0415

            radio = VirtualRadio(args.hci)
            try:
                return [d.to_dict() for d in await scan(args.timeout, BleBackend.on_radio(radio))]
            finally:
                await radio.aclose()
        if not args.virtual:
            return [d.to_dict() for d in await scan(args.timeout, BleBackend.system())]
        from treadmill.clock import SessionClock  # noqa: PLC0415
        from treadmill.session.recording import RecordOptions, virtual_treadmill  # noqa: PLC0415

        async with virtual_treadmill(RecordOptions(out=Path(os.devnull)), SessionClock()) as (_, backend):
            return [d.to_dict() for d in await scan(min(args.timeout, 0.5), backend)]

    found = asyncio.run(run())
    if args.json:
        print(json.dumps(found))
        return EXIT_OK
    if not found:
        print(
            "No treadmills, heart-rate straps or footpods found. Is the treadmill awake, and no other app",
            file=sys.stderr,
        )
        print(
            "connected to it? (Try `treadmill scan --virtual` to see the built-in virtual treadmill.)",
            file=sys.stderr,
        )
        return EXIT_OK
    print(f"{'kind':<11} {'name':<24} {'address':<20} {'signal':>7}  machine")
    for d in found:
        rssi = f"{d['rssi']} dBm" if d["rssi"] is not None else "?"
        types = ", ".join(d["machine_types"]) or "-"  # type: ignore[arg-type]
        busy = " (busy)" if d["available"] is False else ""
        print(f"{d['kind']!s:<11} {d['name'] or '?'!s:<24} {d['address']!s:<20} {rssi:>7}  {types}{busy}")
    return EXIT_OK


def _plan(name: str) -> RunnerPlan | None:
    from treadmill.virtual.runner import RunnerPlan  # noqa: PLC0415

    plans = {"intervals": RunnerPlan.intervals_demo(), "free": None}
    if name not in plans:
        raise _UsageError(f"unknown plan {name!r}; known: {', '.join(plans)}")
    return plans[name]


_RUNNER_PLANS = ("intervals", "free")
"""Plans of the virtual runner alone: no guided workout, no coach."""


def _workout(name: str) -> tuple[Plan, UserProfile]:
    """A guided workout by id, name or file, with the user's profile (caps, safe speed)."""
    from treadmill.storage.profile import load_profile  # noqa: PLC0415
    from treadmill.workout.library import catalogue  # noqa: PLC0415
    from treadmill.workout.plan import PlanError  # noqa: PLC0415

    profile = load_profile()
    try:
        return catalogue(profile).find(name, profile), profile
    except PlanError as exc:
        raise _UsageError(f"--plan: {exc}") from exc


def _coach_printer(speak: bool) -> Callable[[CoachEvent], None]:
    """Prints each coach event as one stderr line (bell where asked) and, with ``speak``, says it."""
    from tui.voice import PROGRAMS, find_speaker  # noqa: PLC0415

    speaker = find_speaker() if speak else None
    if speak and speaker is None:
        print(
            f"--speak: no text-to-speech program found (tried {', '.join(PROGRAMS)}); cues are shown only",
            file=sys.stderr,
        )
    labels = {"cue": "", "warning": "RAILS  ", "message": "note   ", "control": "belt   "}

    def show(event: CoachEvent) -> None:
        if event.kind == "cleared":
            return
        bell = "\a" if event.bell and sys.stderr.isatty() else ""
        print(
            f"\r{bell}{_clock(event.t)}  {labels.get(event.kind, '')}{event.text}",
            file=sys.stderr,
            flush=True,
        )
        if speaker is not None and event.kind in ("cue", "warning", "message"):
            speaker.say(event.text, event.detail if event.kind == "cue" else event.kind)

    return show


def _cmd_record(args: argparse.Namespace) -> int:
    from treadmill.session.recording import RecordProgress, record  # noqa: PLC0415

    if args.virtual == (args.device is not None):
        raise _UsageError("give exactly one of --device ADDR (a real treadmill) or --virtual")
    out = Path(args.out)
    if out.exists():
        raise _UsageError(f"{out} exists; recordings are never overwritten, choose another name")
    if not out.parent.is_dir():
        raise _UsageError(f"folder {out.parent} does not exist")
    workout = profile = None
    if args.plan not in _RUNNER_PLANS:
        workout, profile = _workout(args.plan)
    elif args.control:
        raise _UsageError(
            "--control drives the belt through a workout: give --plan NAME (see treadmill plans)"
        )
    options = _record_options(args, out, workout, profile)
    tty = sys.stderr.isatty()

    def show(p: RecordProgress) -> None:
        speed = "-" if p.speed_kmh is None else f"{p.speed_kmh:4.1f} km/h"
        link = "connected" if p.connected else "reconnecting"
        line = (
            f"recording {out.name}: {p.t:6.0f} / {p.duration_s:.0f} s  {p.frames:6d} frames  {speed}  {link}"
        )
        print(f"\r{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

    def mqtt_said(status: MqttStatus) -> None:
        print(f"{chr(10) if tty else ''}{status.text}", file=sys.stderr, flush=True)

    try:
        result = asyncio.run(record(options, show, _coach_printer(args.speak), on_mqtt=mqtt_said))
    except KeyboardInterrupt:
        print(f"\nstopped; {out} holds everything recorded until now", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"{chr(10) if tty else ''}wrote {result.path}: {result.frames} frames, {result.lines} lines, "
        f"{result.session_s:.0f} s of session time",
        file=sys.stderr,
    )
    return EXIT_OK


def _mqtt_settings(url: str | None) -> MqttSettings | None:
    """``--mqtt URL`` with the config file and the environment (None: MQTT is off)."""
    from treadmill.mqtt.settings import MqttSettingsError, load_settings  # noqa: PLC0415

    try:
        return load_settings(url)
    except MqttSettingsError as exc:
        raise _UsageError(f"mqtt: {exc}") from None


def _record_options(
    args: argparse.Namespace, out: Path, workout: Plan | None, profile: UserProfile | None
) -> RecordOptions:
    """Session options from the command line (``record``, ``run`` and ``demo`` share them)."""
    from treadmill.core.metrics import Body  # noqa: PLC0415
    from treadmill.session.recording import RecordOptions  # noqa: PLC0415
    from treadmill.virtual.machine import MachineSpec  # noqa: PLC0415
    from treadmill.workout.plan import Caps  # noqa: PLC0415

    given = vars(args)
    duration = given.get("duration")
    if duration is None:
        duration = 600.0 if workout is None else (workout.duration_s or 3600.0) + 30.0
    sensors = given.get("sensors", "both")
    return RecordOptions(
        out=out,
        duration_s=duration,
        device=given.get("device"),
        hci=given.get("hci"),
        strap=given.get("strap"),
        footpod=given.get("footpod"),
        virtual=args.virtual,
        seed=args.seed,
        time_scale=args.time_scale,
        notify_hz=given.get("notify_hz", 1.0),
        split_payload=given.get("split"),
        plan=_plan(args.plan) if workout is None and args.plan is not None else None,
        workout=workout,
        control=args.control,
        caps=Caps() if profile is None else Caps(profile.forward_cap_kmh, profile.reverse_cap_kmh),
        safe_reverse_kmh=3.0 if profile is None else profile.reverse_cap_kmh,
        mqtt=_mqtt_settings(given.get("mqtt")),
        body=Body() if profile is None else profile.body(),
        virtual_strap=sensors in ("both", "hr"),
        virtual_footpod=sensors in ("both", "footpod"),
        drop_link_at_s=tuple(given.get("drop_link_at") or ()),
        trailing_bytes=given.get("trailing_bytes", 0),
        spec=MachineSpec(
            speed_resolution_kmh=given.get("speed_resolution", 0.01),
            step_count=given.get("step_count", False),
        ),
    )


def _launch(args: argparse.Namespace, request: AppRequest) -> int:
    launcher: AppLauncher | None = args.launch_app
    if launcher is None:
        raise _UsageError(
            f"`{args.command}` opens the terminal app: run it as `treadmill {args.command}`"
            " (or python -m tui)"
        )
    return launcher(request)


def _cmd_demo(args: argparse.Namespace) -> int:
    from treadmill.launch import AppRequest  # noqa: PLC0415

    workout, profile = _workout(args.plan)
    args.virtual = True
    options = _record_options(args, Path(os.devnull), workout, profile)
    return _launch(args, AppRequest("demo", options, plan_id=args.plan))


def _cmd_run(args: argparse.Namespace) -> int:
    from treadmill.launch import AppRequest  # noqa: PLC0415

    if args.virtual and args.device is not None:
        raise _UsageError("give --device ADDR (a real treadmill) or --virtual, not both")
    workout = profile = None
    if args.plan not in (None, "free"):
        workout, profile = _workout(args.plan)
    elif args.control and args.plan == "free":
        raise _UsageError("--control drives the belt through a workout: a free run has none")
    options = _record_options(args, Path(os.devnull), workout, profile)
    request = AppRequest(
        "run", options, plan_id=args.plan, pick_device=args.device is None and not args.virtual
    )
    return _launch(args, request)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from treadmill.launch import AppRequest  # noqa: PLC0415

    settings = _mqtt_settings(args.mqtt)
    if settings is None:
        raise _UsageError("which broker? give --mqtt URL, or url in config.toml [mqtt] (see README, MQTT)")
    return _launch(args, AppRequest("dashboard", mqtt=settings))


def _cmd_simulate(args: argparse.Namespace) -> int:
    from treadmill.virtual.simulate import SimulateOptions, simulate  # noqa: PLC0415

    options = SimulateOptions(
        transport=args.transport,
        strap_transport=args.strap_transport,
        footpod_transport=args.footpod_transport,
        seed=args.seed,
        time_scale=args.time_scale,
        duration_s=args.duration,
        plan=_plan(args.plan),
        notify_hz=args.notify_hz,
        split_payload=args.split,
    )
    try:
        asyncio.run(simulate(options, lambda line: print(line, file=sys.stderr, flush=True)))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return EXIT_OK


def _speed(text: str) -> float:
    """A replay speed: X times the recorded pace, or ``max`` (infinite: as fast as possible)."""
    if text == "max":
        return math.inf
    return _positive(text)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes:02d}:{secs:02d}"


def _cmd_replay(args: argparse.Namespace) -> int:
    if not (args.headless or args.json):
        from treadmill.launch import AppRequest  # noqa: PLC0415

        _read(args.fixture, tolerant=args.tolerant)  # a bad fixture is refused before the screen opens
        speed = 1.0 if args.speed is None else None if math.isinf(args.speed) else args.speed
        request = AppRequest(
            "replay",
            fixture=Path(args.fixture),
            replay_speed=speed,
            tolerant=args.tolerant,
            mqtt=_mqtt_settings(args.mqtt),
        )
        return _launch(args, request)
    fixture, result = _replayed(args.fixture, tolerant=args.tolerant)
    summary = result.summary
    if summary is None:  # run() always sets it
        return EXIT_FAILURE
    frames = sum(result.decode.frames.values())
    bad = sum(result.decode.bad_frames.values())
    if args.json:
        out = {
            "fixture": str(fixture.path),
            "samples": len(result.samples),
            "frames": frames,
            "bad_frames": bad,
            "skipped_lines": len(fixture.skipped),
            "direction_source": "detector",
            **summary.to_dict(),
        }
        print(json.dumps(out))
        return EXIT_OK
    print(
        f"{fixture.path.name}: {_clock(summary.duration_s)} of session, {len(result.samples)} samples", end=""
    )
    print(f", {bad} undecodable frames" if bad else "")
    print("direction: as the live detector saw it (evidence: cues, speed, and footpod/strap when present)")
    print(f"{'':9}{'time':>9}{'distance':>11}  kcal (range)")
    for name, totals in summary.totals.items():
        kcal = (
            f"{totals.kcal:5.0f} ({totals.kcal_low:.0f}-{totals.kcal_high:.0f})" if name != "stopped" else ""
        )
        distance = f"{totals.distance_m:8.0f} m" if name != "stopped" else ""
        print(f"{name:9}{_clock(totals.time_s):>9}{distance:>11}  {kcal}")
    print("intervals:")
    for interval in summary.intervals:
        print(f"  {_clock(interval.start_s)} - {_clock(interval.end_s)}  {interval.direction}")
    return EXIT_OK


def _replayed(path: str, *, tolerant: bool) -> tuple[Fixture, SessionResult]:
    """A fixture read and replayed flat out (exit 2 with file and line when it cannot be read)."""
    from treadmill.session.engine import Session  # noqa: PLC0415
    from treadmill.session.replay import ReplaySource  # noqa: PLC0415

    fixture = _read(path, tolerant=tolerant)
    for skipped in fixture.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    return fixture, asyncio.run(Session(ReplaySource(fixture, speed=None)).run())


def _read(path: str, *, tolerant: bool) -> Fixture:
    """A fixture, or exit 2 naming the file and line that cannot be read."""
    from treadmill.storage.fixtures import FixtureError, read_fixture  # noqa: PLC0415

    try:
        return read_fixture(path, tolerant=tolerant)
    except FixtureError as exc:
        hint = "" if tolerant or exc.line == 0 else " (--tolerant skips bad lines)"
        raise _UsageError(f"{exc}{hint}") from None


def _cmd_export(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime  # noqa: PLC0415

    from treadmill.storage.export import Activity, ExportFormat, write  # noqa: PLC0415

    fmt = ExportFormat(args.format)
    out = Path(args.out) if args.out else Path(args.fixture).with_suffix(f".{fmt.value}")
    if out.exists():
        raise _UsageError(f"{out} exists; exports are never overwritten, choose another name with --out")
    fixture, result = _replayed(args.fixture, tolerant=args.tolerant)
    started_text = str(fixture.header.get("started_at", ""))
    try:
        started = datetime.fromisoformat(started_text)
    except ValueError:
        started = datetime.fromtimestamp(0, UTC)
        print(f"no valid started_at in the header; times start at {started.isoformat()}", file=sys.stderr)
    activity = Activity.from_session(result, started)
    write(activity, out, fmt)
    print(f"wrote {out}: {len(activity.laps)} laps, {len(activity.timeline)} samples", file=sys.stderr)
    return EXIT_OK


def _cmd_analyze(args: argparse.Namespace) -> int:
    from treadmill.core.analysis import analyze  # noqa: PLC0415
    from treadmill.model import LinkEventKind  # noqa: PLC0415
    from treadmill.storage.profile import LabelledExample, load_profile, save_profile  # noqa: PLC0415

    fixture, result = _replayed(args.fixture, tolerant=args.tolerant)
    profile = load_profile()
    marks = [(e.t, e.detail) for e in result.events if e.kind is LinkEventKind.MARKED]
    analysis = analyze(
        result.samples,
        [(c.t, c.direction) for c in result.cues],
        marks,
        state=profile.detector,
        mass_kg=profile.mass_kg,
    )
    body = profile.body()
    if args.learn:
        profile.examples += [LabelledExample(fixture.path.name, t, d) for t, d in marks]
        print(f"profile updated: {save_profile(profile)}", file=sys.stderr)
    if args.json:
        out = analysis.to_dict()
        if args.stats:
            out.update(analysis.stats(body))
        if args.offline:
            out["offline_intervals"] = analysis.offline_intervals()
        print(json.dumps(out))
        return EXIT_OK
    stats = analysis.stats(body)["interval_stats"] if args.stats else None
    for index, interval in enumerate(analysis.intervals):
        line = (
            f"{_clock(interval.start_s)} - {_clock(interval.end_s)}  {interval.direction:8}"
            f"  seen at {_clock(interval.detected_at_s)}  confidence {interval.confidence:.2f}"
        )
        if isinstance(stats, list):
            item = stats[index]
            line += f"  {item['distance_m']:6.0f} m  {item['kcal']:5.1f} kcal"
        print(line)
    return EXIT_OK


def _cmd_plans(args: argparse.Namespace) -> int:
    from treadmill.storage.profile import load_profile  # noqa: PLC0415
    from treadmill.workout.library import catalogue, user_plans_dir  # noqa: PLC0415

    found = catalogue(load_profile())
    for problem in found.problems:
        print(f"skipped {problem}", file=sys.stderr)
    if args.json:
        print(
            json.dumps([{"id": k, "kind": kind, **plan.to_dict()} for k, (kind, plan) in found.plans.items()])
        )
        return EXIT_OK
    print(f"{'id':24} {'name':38} {'total':>7} {'backward':>9}  level")
    for plan_id, (kind, plan) in found.plans.items():
        total = "-" if plan.duration_s is None else _clock(plan.duration_s)
        label = plan.name if kind == "builtin" else f"{plan.name} (yours)"
        print(f"{plan_id:24} {label[:38]:38} {total:>7} {_clock(plan.reverse_s):>9}  {plan.level or '-'}")
    print(
        f"\nYour own plans (.toml or .zwo) go in {user_plans_dir()}; see docs/workouts.md.", file=sys.stderr
    )
    return EXIT_OK


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _add_decode(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dec = commands.add_parser(
        "decode",
        help="decode one payload and print it as JSON",
        description="Decode one characteristic payload and print one JSON object (contracts.md §3).",
        epilog="characteristics: "
        + ", ".join(f"{uuid} ({name})" for uuid, name in CHARACTERISTIC_NAMES.items()),
    )
    dec.add_argument("char", metavar="CHAR", help="characteristic: 2acd, 0x2ACD, a full UUID or a name")
    dec.add_argument("hex", metavar="HEX", help="payload in hex; spaces and colons are ignored")
    dec.set_defaults(run=_cmd_decode)


def _add_scan(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sc = commands.add_parser(
        "scan",
        help="list nearby treadmills, heart-rate straps and footpods",
        description="Listen for FTMS treadmills, heart-rate straps and footpods and list them.",
    )
    sc.add_argument("--json", action="store_true", help="print a JSON list on stdout")
    sc.add_argument("--timeout", type=_positive, default=5.0, help="seconds to listen (default 5)")
    sc.add_argument("--virtual", action="store_true", help="scan the built-in virtual radio instead")
    sc.add_argument("--hci", metavar="SPEC", help="use a Bumble HCI transport as the adapter (e.g. usb:0)")
    sc.set_defaults(run=_cmd_scan)


def _mqtt_option(parser: argparse.ArgumentParser, where: str = "") -> None:
    """``--mqtt URL``, the same on every command that runs a session (contracts.md §1)."""
    parser.add_argument(
        "--mqtt",
        metavar="URL",
        help="publish live state and events to this broker (mqtt://host:port or mqtts://host:port)"
        f"{where}; credentials and TLS files come from config.toml or the environment, never from here",
    )


def _add_record(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rec = commands.add_parser(
        "record",
        help="record a session to a fixture, without the app",
        description="Record raw frames to a fixture. With --plan NAME, coach a workout: cues and handrail "
        "warnings on stderr, cue lines in the fixture, and with --control the app drives the belt. The "
        "virtual treadmill adds truth lines from its runner.",
    )
    rec.add_argument(
        "--out", required=True, metavar="FILE", help="fixture to write (.jsonl); never overwritten"
    )
    rec.add_argument("--device", metavar="ADDR", help="a real treadmill's address (see `treadmill scan`)")
    rec.add_argument("--strap", metavar="ADDR", help="a heart-rate strap to record too")
    rec.add_argument("--footpod", metavar="ADDR", help="a footpod to record too")
    rec.add_argument(
        "--hci", metavar="SPEC", help="reach --device through a Bumble HCI transport (e.g. usb:0)"
    )
    _session_options(rec)
    rec.add_argument(
        "--duration",
        type=_positive,
        metavar="S",
        help="session seconds (default: the workout's length, or 600)",
    )
    rec.add_argument(
        "--control",
        action="store_true",
        help="let the app drive the belt through the workout (ramped, capped; never starts it)",
    )
    _mqtt_option(rec)
    rec.add_argument(
        "--speak", action="store_true", help="also say the cues (spd-say, espeak-ng, espeak or say)"
    )
    rec.add_argument(
        "--notify-hz", type=_positive, default=1.0, help="virtual treadmill data rate (default 1)"
    )
    rec.add_argument("--split", type=int, metavar="BYTES", help="virtual: split records into parts of BYTES")
    virtual = rec.add_argument_group("virtual treadmill and sensors")
    virtual.add_argument(
        "--sensors", choices=("both", "hr", "footpod", "none"), default="both", help="virtual sensors to run"
    )
    virtual.add_argument(
        "--drop-link-at", type=_positive, action="append", metavar="S", help="drop the link at S"
    )
    virtual.add_argument(
        "--trailing-bytes", type=int, default=0, metavar="N", help="pad each data frame with N bytes"
    )
    virtual.add_argument(
        "--speed-resolution", type=_positive, default=0.01, metavar="KMH", help="0.01 or 0.1"
    )
    virtual.add_argument(
        "--step-count", action="store_true", help="send the bit-13 step count (walking-pad quirk)"
    )
    rec.set_defaults(run=_cmd_record)


def _add_app(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo",
        help="the app on the built-in virtual treadmill: no hardware, no network",
        description="Open the app on the built-in virtual treadmill, reached through the real Bluetooth "
        "client over a virtual radio, coaching a built-in workout. Time runs 4x faster by default, so the "
        "first turn comes within the first minute.",
    )
    demo.add_argument("--seed", type=int, default=1, help="virtual runner's seed (default 1)")
    demo.add_argument(
        "--time-scale", type=_positive, default=4.0, metavar="X", help="run X times faster (default 4)"
    )
    demo.add_argument(
        "--plan", default="first-steps-backward", help="the workout (default first-steps-backward)"
    )
    demo.add_argument(
        "--control", action="store_true", help="let the app drive the virtual belt (ramped, capped)"
    )
    _mqtt_option(demo)
    demo.set_defaults(run=_cmd_demo)
    run = commands.add_parser(
        "run",
        help="the app on a treadmill",
        description="Open the app on a treadmill: pick it (and a strap or footpod) from a scan unless "
        "--device is given, pick a workout unless --plan is given, then train. Every session is recorded "
        "to your history as it happens.",
    )
    run.add_argument("--device", metavar="ADDR", help="the treadmill's address (default: pick from a scan)")
    run.add_argument("--strap", metavar="ADDR", help="a heart-rate strap")
    run.add_argument("--footpod", metavar="ADDR", help="a footpod")
    run.add_argument("--hci", metavar="SPEC", help="use a Bumble HCI transport as the adapter (e.g. usb:0)")
    run.add_argument("--virtual", action="store_true", help="use the built-in virtual treadmill")
    run.add_argument("--seed", type=int, default=1, help="virtual runner's seed (default 1)")
    run.add_argument(
        "--time-scale", type=_positive, default=1.0, metavar="X", help="virtual: run X times faster"
    )
    run.add_argument(
        "--plan",
        help="a workout (a name from `treadmill plans`, a .toml/.zwo file, or free); default: pick one",
    )
    run.add_argument("--duration", type=_positive, metavar="S", help="end after S session seconds")
    run.add_argument(
        "--control",
        action="store_true",
        help="let the app drive the belt through the workout (ramped, capped; never starts it)",
    )
    _mqtt_option(run)
    run.set_defaults(run=_cmd_run)


def _add_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = commands.add_parser(
        "replay",
        help="replay a recorded fixture in the app (or summarise it with --headless)",
        description="Feed a fixture through the same pipeline as a live session: in the app, at recorded "
        "speed by default; with --headless or --json, flat out, printing the summary.",
    )
    rep.add_argument("fixture", metavar="FIXTURE", help="a recorded session (.jsonl)")
    rep.add_argument(
        "--speed",
        type=_speed,
        default=None,
        metavar="X",
        help="X times the recorded speed, or max (default: 1 in the app, max headless)",
    )
    rep.add_argument("--headless", action="store_true", help="no screen: print the session summary")
    rep.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    rep.add_argument(
        "--tolerant", action="store_true", help="skip bad lines (reported on stderr) instead of failing"
    )
    _mqtt_option(rep, " (in the app)")
    rep.set_defaults(run=_cmd_replay)
    dash = commands.add_parser(
        "dashboard",
        help="every treadmill publishing to an MQTT broker, on one screen",
        description="Follow every treadmill under the MQTT prefix (config.toml [mqtt] prefix, default "
        "treadmill): a gym or club with one app per treadmill and one shared broker.",
    )
    dash.add_argument("--mqtt", metavar="URL", help="the broker (default: url in config.toml [mqtt])")
    dash.set_defaults(run=_cmd_dashboard)


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exp = commands.add_parser(
        "export",
        help="export a recorded session to FIT, TCX or CSV",
        description="Export a fixture with one lap per interval; each lap's direction is in its name "
        "(FIT workout step, TCX lap notes, CSV column). See docs/export.md.",
    )
    exp.add_argument("fixture", metavar="FIXTURE", help="a recorded session (.jsonl)")
    exp.add_argument(
        "--format", choices=("fit", "tcx", "csv"), default="fit", help="file format (default fit)"
    )
    exp.add_argument("--out", metavar="FILE", help="where to write (default: the fixture's name, new suffix)")
    exp.add_argument("--tolerant", action="store_true", help="skip bad fixture lines instead of failing")
    exp.set_defaults(run=_cmd_export)


def _add_analyze(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ana = commands.add_parser(
        "analyze",
        help="run the live direction detector over a fixture",
        description="Run a fixture through the live (causal) direction detector (contracts.md §4).",
    )
    ana.add_argument("fixture", metavar="FIXTURE", help="a recorded session (.jsonl)")
    ana.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ana.add_argument("--tolerant", action="store_true", help="skip bad fixture lines instead of failing")
    ana.add_argument(
        "--stats", action="store_true", help="add per-interval and per-direction metrics and zones"
    )
    ana.add_argument(
        "--learn", action="store_true", help="keep what was learned (speed bands, marks) in the profile"
    )
    ana.add_argument("--offline", action="store_true", help="add the smoothed (whole-session) intervals")
    ana.set_defaults(run=_cmd_analyze)


def _add_plans(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pl = commands.add_parser(
        "plans",
        help="list the built-in and your own workout plans",
        description="List the built-in programmes and your own plans (TOML or Zwift .zwo).",
    )
    pl.add_argument("--json", action="store_true", help="print a JSON list on stdout")
    pl.set_defaults(run=_cmd_plans)


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = commands.add_parser(
        "simulate",
        help="run the virtual treadmill on a Bluetooth transport for other apps",
        description="Advertise the virtual treadmill (FTMS) on a Bumble HCI transport: usb:0, serial:PORT, "
        "tcp-client:HOST:PORT. See docs/virtual-treadmill.md for the set-up per operating system.",
    )
    sim.add_argument("--transport", required=True, metavar="SPEC", help="HCI transport for the treadmill")
    sim.add_argument(
        "--strap-transport", metavar="SPEC", help="also run a heart-rate strap on this transport"
    )
    sim.add_argument("--footpod-transport", metavar="SPEC", help="also run a footpod on this transport")
    sim.add_argument("--seed", type=int, default=1, help="runner's seed (default 1)")
    sim.add_argument("--time-scale", type=_positive, default=1.0, metavar="X", help="run X times faster")
    sim.add_argument(
        "--plan", default="intervals", help="workout the runner follows: intervals (default) or free"
    )
    sim.add_argument(
        "--duration", type=_positive, metavar="S", help="session seconds (default: until Ctrl-C)"
    )
    sim.add_argument("--notify-hz", type=_positive, default=1.0, help="treadmill data rate (default 1)")
    sim.add_argument("--split", type=int, metavar="BYTES", help="split records into parts of BYTES")
    sim.set_defaults(run=_cmd_simulate)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treadmill",
        description="Treadmill Companion: coach reverse running beside a smart (FTMS) treadmill.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_decode(commands)
    _add_scan(commands)
    _add_record(commands)
    _add_app(commands)
    _add_replay(commands)
    _add_export(commands)
    _add_analyze(commands)
    _add_plans(commands)
    _add_simulate(commands)
    return parser


def _session_options(command: argparse.ArgumentParser) -> None:
    """Options shared by the commands that open a session (contracts.md §1)."""
    command.add_argument("--virtual", action="store_true", help="use the built-in virtual treadmill")
    command.add_argument("--seed", type=int, default=1, help="virtual runner's seed (default 1)")
    command.add_argument("--time-scale", type=_positive, default=1.0, metavar="X", help="run X times faster")
    command.add_argument(
        "--plan",
        default="intervals",
        help="a guided workout (a name from `treadmill plans`, or a .toml/.zwo file); "
        "or, for the virtual runner alone, intervals (default) or free",
    )


def main(argv: Sequence[str] | None = None, *, launch_app: AppLauncher | None = None) -> int:
    """Run the command line; return the exit status.

    ``launch_app`` opens the terminal app for ``demo``, ``run`` and ``replay`` (the app's own entry
    point passes it: the library does not import the app).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    args.launch_app = launch_app
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    _configure_logging()
    try:
        status: int = args.run(args)
    except _UsageError as exc:
        print(f"treadmill {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except TreadmillError as exc:
        print(f"treadmill {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return status


def _configure_logging() -> None:
    """Warnings to stderr; ``TREADMILL_LOG=debug`` (or info) for more."""
    level = os.environ.get("TREADMILL_LOG", "warning").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING), format="%(levelname)s %(name)s: %(message)s"
    )
    # Bumble logs a harmless warning when a notification races a disconnect (ble-testing.md pitfall 9).
    logging.getLogger("bumble").setLevel(max(logging.ERROR, logging.getLogger().level))

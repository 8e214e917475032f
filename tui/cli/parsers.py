"""Every command's options, declared once: shared parent parsers and typed, checked values.

Nothing heavy is imported here: ``treadmill --version`` and ``treadmill decode`` parse
their arguments and go, and each command's module is imported only when it runs.

The one-line contract: a bad option or value exits with status 2 and one line on stderr
naming it (``treadmill record: error: --time-scale: nan is not a finite number``), never
argparse's usage block, and never an echo of a huge or control-character-laden argument.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from treadmill import __version__
from treadmill.defaults import FREE
from treadmill.inputs import MAX_SESSION_S, InputError, parse_finite, printable
from treadmill.storage.export_formats import ExportFormat
from treadmill.virtual.hostile import Hostility

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_FAILURE", "EXIT_OK", "UsageError", "build_parser", "say"]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_SHOWN = 120
"""The longest piece of an argument echoed back in an error."""


class UsageError(Exception):
    """Bad input found after parsing: exit 2 with this one line."""


def say(command: str, text: str, *, error: bool = True) -> None:
    """One line on stderr, safe to show, as ``treadmill COMMAND: [error: ]TEXT``."""
    line = printable(text)
    if len(line) > 400:
        line = line[:397] + "..."
    print(f"treadmill {command}: {'error: ' if error else ''}{line}", file=sys.stderr)


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (see the module docstring)."""

    def error(self, message: str) -> NoReturn:
        """One line and exit 2."""
        command = self.prog.removeprefix("treadmill").strip() or "treadmill"
        say(command, _short(message))
        sys.exit(EXIT_BAD_INPUT)


def _short(message: str) -> str:
    """Argparse's message with any echoed argument cut to a readable length."""
    text = printable(message)
    return text if len(text) <= 300 else text[:297] + "..."


def _number(what: str, **bounds: float) -> Callable[[str], object]:
    """An option type: a finite number within ``bounds`` (see :func:`treadmill.inputs.finite`)."""

    def convert(text: str) -> float:
        try:
            return parse_finite(text[:_SHOWN], what, **bounds)
        except InputError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None

    convert.__name__ = what
    return convert


def _count(what: str, low: int, high: int) -> Callable[[str], object]:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{printable(text)[:_SHOWN]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} to {high}")
        return value

    convert.__name__ = what
    return convert


def _replay_speed(text: str) -> float:
    """X times the recorded pace, or ``max`` (as fast as the machine allows)."""
    if text == "max":
        return math.inf
    try:
        return parse_finite(text[:_SHOWN], "speed", above=0.0, high=10_000.0)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


HCI_SCHEMES = frozenset(
    {
        "usb", "pyusb", "serial", "tcp-client", "tcp-server", "udp", "unix", "unix-client",
        "unix-server", "ws-client", "ws-server", "file", "pty", "vhci", "hci-socket",
        "android-emulator", "android-netsim",
    }
)  # fmt: skip
"""The transport kinds Bumble's ``open_transport`` knows (``usb:0``, ``tcp-client:HOST:PORT``...)."""


def _transport(text: str) -> str:
    """A Bumble HCI transport spec: a known kind, then its parameters."""
    scheme, colon, rest = text.partition(":")
    if scheme not in HCI_SCHEMES or (not colon and scheme not in ("vhci", "hci-socket")):
        shown = printable(text)[:_SHOWN]
        raise argparse.ArgumentTypeError(
            f"{shown!r} is not a Bumble HCI transport (usb:0, serial:PORT, tcp-client:HOST:PORT, ...)"
        )
    if len(text) > 200 or printable(rest) != rest:
        raise argparse.ArgumentTypeError("the transport's options are too long or hold control characters")
    return text


def TIME_SCALE(text: str) -> float:  # noqa: N802 - a type, as argparse takes them
    """X times faster than real time, or ``max``: as fast as the machine goes (``record --virtual`` only)."""
    if text == "max":
        return math.inf
    try:
        return parse_finite(text[:_SHOWN], "time scale", above=0.0, high=1000.0)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


SECONDS = _number("seconds", above=0.0, high=MAX_SESSION_S)
HZ = _number("rate", low=0.1, high=20.0)


def _parent() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(add_help=False)


def _source() -> argparse.ArgumentParser:
    """Where the frames come from (record, run)."""
    parent = _parent()
    parent.add_argument("--device", metavar="ADDR", help="a real treadmill's address (see `treadmill scan`)")
    parent.add_argument("--strap", metavar="ADDR", help="a heart-rate strap to connect too")
    parent.add_argument("--footpod", metavar="ADDR", help="a footpod to connect too")
    parent.add_argument(
        "--hci",
        type=_transport,
        metavar="SPEC",
        help="reach devices through a Bumble HCI transport (e.g. usb:0)",
    )
    parent.add_argument("--virtual", action="store_true", help="use the built-in virtual treadmill")
    return parent


DEMO_TIME_SCALE = 4.0
"""``treadmill demo`` runs this many times faster than real time: the first turn within a minute."""


def _virtual(time_scale: float = 1.0) -> argparse.ArgumentParser:
    """The virtual treadmill's seed and clock (record, run, demo, simulate).

    Each command gets its own: a parent's actions are shared, so ``set_defaults`` on one command
    changed the default of every other (``serve --virtual`` ran at the demo's 4x, unsaid).
    """
    parent = _parent()
    parent.add_argument(
        "--seed", type=_count("seed", 0, 2**31 - 1), default=1, help="its runner's seed (default 1)"
    )
    parent.add_argument(
        "--time-scale",
        type=TIME_SCALE,
        default=time_scale,
        metavar="X",
        help=f"run X times faster than real time (default {time_scale:g}; record --virtual: max, as fast "
        "as the machine goes)",
    )
    return parent


def _phone() -> argparse.ArgumentParser:
    """A phone worn on the body as a motion sensor (demo, run, serve, record)."""
    parent = _parent()
    parent.add_argument(
        "--phone",
        action="store_true",
        help="the virtual runner carries a phone in a pocket: its motion sensors see each turn",
    )
    parent.add_argument("--phone-feed", type=Path, help=argparse.SUPPRESS)  # serve's sensor page, to its app
    return parent


def _workout(default_plan: str | None) -> argparse.ArgumentParser:
    """A guided workout (record, run, demo)."""
    parent = _parent()
    default = f" (default {default_plan})" if default_plan else ""
    parent.add_argument(
        "--plan",
        default=default_plan,
        help=f"a workout: a name from `treadmill plans`, or a .toml or .zwo file{default}",
    )
    parent.add_argument(
        "--control",
        action="store_true",
        help="let the app drive the belt through the workout (ramped, capped; it never starts the belt)",
    )
    parent.add_argument(
        "--speak", action="store_true", help="also say the cues (spd-say, espeak-ng, espeak or say)"
    )
    return parent


def _length() -> argparse.ArgumentParser:
    """How long a session runs (run, serve)."""
    parent = _parent()
    parent.add_argument("--duration", type=SECONDS, metavar="S", help="end after S session seconds")
    return parent


def _mqtt() -> argparse.ArgumentParser:
    parent = _parent()
    parent.add_argument(
        "--mqtt",
        metavar="URL",
        help="publish live state and events to this broker (mqtt://host:port or mqtts://host:port); "
        "credentials and TLS files come from config.toml or the environment, never from here",
    )
    return parent


def _runner() -> argparse.ArgumentParser:
    """What the virtual runner does with no workout (record, simulate)."""
    parent = _parent()
    parent.add_argument(
        "--runner",
        choices=("intervals", FREE),
        default="intervals",
        help="the virtual runner with no workout: cued intervals (default) or a free run",
    )
    return parent


def _recording() -> argparse.ArgumentParser:
    """A recording to read (replay, export, analyze)."""
    parent = _parent()
    parent.add_argument("fixture", metavar="RECORDING", help="a recorded session (.jsonl)")
    parent.add_argument(
        "--tolerant", action="store_true", help="skip bad lines (counted on stderr) instead of failing"
    )
    return parent


def _machine(parser: argparse.ArgumentParser) -> None:
    """How the virtual treadmill behaves on the air (record, simulate)."""
    group = parser.add_argument_group("virtual treadmill")
    group.add_argument(
        "--notify-hz", type=HZ, default=1.0, metavar="HZ", help="data rate, 0.1-20 (default 1)"
    )
    group.add_argument(
        "--split",
        type=_count("split", 3, 244),
        metavar="BYTES",
        help="split each record into parts of BYTES (3-244)",
    )
    group.add_argument(
        "--hostile",
        choices=[kind.value for kind in Hostility],
        metavar="KIND",
        help="lie, for testing: "
        + "; ".join(f"{kind.value}: {kind.words}" for kind in Hostility).replace("%", "%%"),
    )
    group.add_argument(
        "--hostile-from",
        type=SECONDS,
        default=60.0,
        metavar="S",
        help="start lying at session time S (default 60)",
    )


def _add(
    commands: argparse._SubParsersAction[OneLineParser], name: str, about: str, **kwargs: object
) -> OneLineParser:
    return commands.add_parser(name, help=about, description=kwargs.pop("description", about), **kwargs)  # type: ignore[arg-type]


def _add_serve(
    commands: argparse._SubParsersAction[OneLineParser], parents: list[argparse.ArgumentParser]
) -> None:
    """``treadmill serve``: the options of ``run``, and where to listen."""
    serve = _add(
        commands,
        "serve",
        "the app in a browser: on the tablet or phone on the treadmill's console",
        description="Serve the app to a web browser: the same screens as `treadmill run`, with the same "
        "options. It prints an address with a one-time key, and a QR code of it for a phone. "
        "One browser at a time follows the session; a closed tab does not end it.",
        parents=parents,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: your network)",
    )
    serve.add_argument(
        "--port", type=_count("port", 0, 65535), default=8765, help="the port (default 8765; 0: any free one)"
    )
    https = serve.add_argument_group("HTTPS (phones give motion sensors to secure pages only)")
    https.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with this computer's own self-signed certificate, made once and kept "
        "(the default beyond this machine)",
    )
    https.add_argument("--cert", type=Path, metavar="PEM", help="serve HTTPS with your own certificate")
    https.add_argument("--key", type=Path, metavar="PEM", help="... and its private key")
    https.add_argument(
        "--plain-http",
        action="store_true",
        help="beyond this machine, serve plain HTTP: anyone on the network can read the key in the "
        "address and the screen, and phones give the sensor page no motion sensors",
    )


def build_parser() -> OneLineParser:
    """The ``treadmill`` parser: every command and option."""
    parser = OneLineParser(
        prog="treadmill",
        description="Treadmill Companion: coach reverse running beside a smart (FTMS) treadmill.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    source, virtual, mqtt, runner, recording = _source(), _virtual(), _mqtt(), _runner(), _recording()

    _add(
        commands,
        "demo",
        "the app on the built-in virtual treadmill: no hardware, no network",
        description="Open the app on the built-in virtual treadmill, reached through the real Bluetooth "
        "client over a virtual radio, coaching a built-in workout. Time runs 4x faster by "
        "default, so the first turn comes within the first minute.",
        parents=[_virtual(time_scale=DEMO_TIME_SCALE), _workout("first-steps-backward"), mqtt, _phone()],
    )

    _add(
        commands,
        "run",
        "the app on a treadmill",
        description="Open the app on a treadmill: pick it (and a strap or footpod) from a scan unless "
        "--device is given, pick a workout unless --plan is given (free: no workout), then "
        "train. Every session is recorded to your history as it happens.",
        parents=[source, virtual, _workout(None), _length(), mqtt, _phone()],
    )

    _add_serve(commands, [source, virtual, _workout(None), _length(), mqtt, _phone()])

    replay = _add(
        commands,
        "replay",
        "replay a recording in the app (or summarise it with --headless)",
        description="Feed a recording through the same pipeline as a live session: in the app, at "
        "recorded speed by default; with --headless or --json, as fast as possible, printing "
        "the summary.",
        parents=[recording, mqtt],
    )
    replay.add_argument(
        "--speed",
        type=_replay_speed,
        metavar="X",
        help="X times the recorded speed, or max (default: 1 in the app)",
    )
    replay.add_argument("--headless", action="store_true", help="no screen: print the session's summary")
    replay.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")

    dashboard = _add(
        commands,
        "dashboard",
        "every treadmill publishing to an MQTT broker, on one screen",
        description="Follow every treadmill under the MQTT prefix (config.toml [mqtt] prefix, default "
        "treadmill): a gym or club with one app per treadmill and one shared broker.",
    )
    dashboard.add_argument("--mqtt", metavar="URL", help="the broker (default: url in config.toml [mqtt])")

    record = _add(
        commands,
        "record",
        "record a session to a file, without the app",
        description="Record raw frames to a new recording. With --plan, coach a workout: cues and "
        "handrail warnings on stderr, cue lines in the recording, and with --control the app "
        "drives the belt. The virtual treadmill adds truth lines from its runner.",
        parents=[source, virtual, runner, _workout(None), mqtt, _phone()],
    )
    record.add_argument(
        "--out", required=True, metavar="FILE", help="the recording to write (.jsonl); never overwritten"
    )
    record.add_argument(
        "--duration",
        type=SECONDS,
        metavar="S",
        help="session seconds (default: a workout ends with its last step, within its length and an hour "
        "for pauses; without one, 600)",
    )
    _machine(record)
    group = record.add_argument_group("virtual sensors and quirks")
    group.add_argument(
        "--sensors", choices=("both", "hr", "footpod", "none"), default="both", help="virtual sensors"
    )
    group.add_argument(
        "--drop-link-at", type=SECONDS, action="append", metavar="S", help="drop the link at session time S"
    )
    group.add_argument(
        "--trailing-bytes",
        type=_count("trailing bytes", 0, 16),
        default=0,
        metavar="N",
        help="pad frames with N bytes",
    )
    group.add_argument(
        "--speed-resolution",
        type=float,
        choices=(0.01, 0.1),
        default=0.01,
        metavar="KMH",
        help="0.01 or 0.1 km/h",
    )
    group.add_argument(
        "--step-count", action="store_true", help="send the bit-13 step count (a walking-pad quirk)"
    )

    simulate = _add(
        commands,
        "simulate",
        "run the virtual treadmill on a Bluetooth transport for other apps",
        description="Advertise the virtual treadmill (FTMS) on a Bumble HCI transport: usb:0 (a USB "
        "Bluetooth dongle the operating system has let go of), serial:PORT (an HCI UART board), "
        "tcp-client:HOST:PORT (another Bumble controller).",
        parents=[virtual, runner],
    )
    simulate.add_argument(
        "--transport", type=_transport, required=True, metavar="SPEC", help="HCI transport for the treadmill"
    )
    simulate.add_argument(
        "--strap-transport",
        type=_transport,
        metavar="SPEC",
        help="also run a heart-rate strap on this transport",
    )
    simulate.add_argument(
        "--footpod-transport", type=_transport, metavar="SPEC", help="also run a footpod on this transport"
    )
    simulate.add_argument(
        "--duration", type=SECONDS, metavar="S", help="session seconds (default: until Ctrl-C)"
    )
    _machine(simulate)

    scan = _add(commands, "scan", "list nearby treadmills, heart-rate straps and footpods")
    scan.add_argument("--json", action="store_true", help="print a JSON list on stdout")
    scan.add_argument(
        "--timeout", type=_number("timeout", above=0.0, high=120.0), default=5.0, help="seconds (5)"
    )
    where = scan.add_mutually_exclusive_group()
    where.add_argument("--virtual", action="store_true", help="scan the built-in virtual radio instead")
    where.add_argument(
        "--hci",
        type=_transport,
        metavar="SPEC",
        help="use a Bumble HCI transport as the adapter (e.g. usb:0)",
    )

    plans = _add(commands, "plans", "list the built-in workouts and your own (TOML or Zwift .zwo)")
    plans.add_argument("--json", action="store_true", help="print a JSON list on stdout")

    export = _add(
        commands,
        "export",
        "export a recording to FIT, TCX or CSV",
        description="Export a recording with one lap per interval; each lap's direction is in its name "
        "(FIT workout step, TCX lap notes, CSV column). A file that exists is never overwritten.",
        parents=[recording],
    )
    export.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        default=ExportFormat.FIT.value,
        help="file format (default fit)",
    )
    export.add_argument(
        "--out",
        metavar="FILE",
        help="where to write (default: the recording's name with the format's suffix, in the current "
        "folder; NAME-2, NAME-3... when taken)",
    )

    analyze = _add(
        commands,
        "analyze",
        "run the live direction detector over a recording",
        description="Run a recording through the live (causal) direction detector and print its "
        "intervals: when each was detected and how sure the detector was (a calibrated probability: "
        "0.9 is right about nine times in ten).",
        parents=[recording],
    )
    analyze.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    analyze.add_argument(
        "--stats", action="store_true", help="add per-interval and per-direction metrics and zones"
    )
    analyze.add_argument("--offline", action="store_true", help="add the smoothed (whole-session) intervals")
    analyze.add_argument(
        "--learn", action="store_true", help="keep the session's marks in your profile as examples"
    )

    decode = _add(
        commands,
        "decode",
        "decode one payload and print it as JSON",
        epilog="characteristics: 2acd 2acc 2ad4 2ad5 2ad9 2ada 2ad3 2a37 2a53 1826 (or full UUIDs, or names)",
    )
    decode.add_argument("char", metavar="CHAR", help="characteristic: 2acd, 0x2ACD, a full UUID or a name")
    decode.add_argument("hex", metavar="HEX", help="payload in hex; spaces and colons are ignored")
    return parser


COMMANDS = (
    "demo",
    "run",
    "serve",
    "replay",
    "dashboard",
    "record",
    "simulate",
    "scan",
    "plans",
    "export",
    "analyze",
    "decode",
)
"""Every command; each runs from ``tui.cli.commands.<name>`` (``run(args) -> int``)."""

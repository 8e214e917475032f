"""What goes on the wire, without the wire: topics, payloads, discovery and commands.

Sans-IO: the publisher and the dashboard do the I/O.

Topics, under ``<prefix>/<device_id>/`` (docs/mqtt.md):

- ``availability``: ``online`` / ``offline``, retained; ``offline`` is also the last will.
- ``link``: the treadmill's Bluetooth link (``waiting``, ``connected``, ``stale``,
  ``reconnecting``, ``lost``), retained, so "app up, treadmill gone" shows.
- ``state``: one JSON object (:func:`state_payload`), retained, at most twice a second of
  session time and at every change of direction, step or link.
- ``event``: one JSON object per event (:func:`event_payload`), QoS 1, not retained.
- ``cmd``: commands (:func:`parse_command`), subscribed only when remote control is on.

Home Assistant discovery is one device-based message (Home Assistant 2024.11 and later) on
``<discovery_prefix>/device/<device_id>/config``, every entity with its device class, unit
and state class, and available only while both the app and the treadmill's link are up
(``availability_mode: all``).
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from treadmill import __version__
from treadmill.inputs import MAX_FORWARD_CAP_KMH, InputError, finite
from treadmill.model import Direction
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.board import LiveView, PhoneSeen

__all__ = [
    "MAX_COMMAND_BYTES",
    "Action",
    "Command",
    "EventType",
    "MqttState",
    "MqttStatus",
    "SessionState",
    "Topics",
    "discovery_payload",
    "event_payload",
    "parse_command",
    "state_payload",
]

MAX_COMMAND_BYTES = 1024
"""A command is a few dozen bytes; anything past this is refused unread."""
_MAX_DEPTH = 4


class EventType(enum.StrEnum):
    """Every ``type`` an event payload can have."""

    SESSION_START = "session_start"
    SESSION_END = "session_end"
    INTERVAL = "interval"
    DIRECTION = "direction"
    CUE = "cue"
    WARNING = "warning"
    WARNING_CLEARED = "warning_cleared"
    CONTROL = "control"
    MESSAGE = "message"
    LINK = "link"
    COMMAND = "command"


class MqttState(enum.StrEnum):
    """What the publisher is doing."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RETRYING = "retrying"
    FAILED = "failed"
    """Gave up: the settings need fixing (credentials, a certificate)."""
    CLOSED = "closed"


class SessionState(enum.StrEnum):
    """The state document's ``session``."""

    STARTING = "starting"
    """Connected to the broker, no treadmill data yet: the totals are this session's zeros."""
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class Action(enum.StrEnum):
    """A remote command's action."""

    START = "start"
    """Resume a paused workout (never starts the belt)."""
    STOP = "stop"
    SPEED = "speed"


_ORIGIN = {"name": "Treadmill Companion", "sw_version": __version__}
MIN_TARGET_KMH = 0.5
"""The target-speed entity's minimum (the slowest treadmills run at 0.5 km/h)."""


@dataclass(frozen=True, slots=True)
class MqttStatus:
    """What the publisher is doing, for the screen and the progress line."""

    state: MqttState
    detail: str
    sent: int = 0
    dropped: int = 0

    @property
    def text(self) -> str:
        """One line for the user."""
        dropped = f", {self.dropped} dropped" if self.dropped else ""
        return f"MQTT {self.state}: {self.detail}{dropped}"


@dataclass(frozen=True, slots=True)
class Topics:
    """One treadmill's topics."""

    base: str
    """``<prefix>/<device_id>``."""
    discovery: str
    """Home Assistant's device config topic."""
    ha_status: str
    """Home Assistant's birth/last-will topic (``online`` means: publish discovery again)."""

    @classmethod
    def of(cls, settings: MqttSettings) -> Topics:
        """The topics for ``settings``."""
        return cls(
            base=f"{settings.prefix}/{settings.device_id}",
            discovery=f"{settings.discovery_prefix}/device/{settings.device_id}/config",
            ha_status=f"{settings.discovery_prefix}/status",
        )

    @property
    def availability(self) -> str:
        """``online`` / ``offline`` (retained; the last will)."""
        return f"{self.base}/availability"

    @property
    def link(self) -> str:
        """The treadmill's Bluetooth link state (retained)."""
        return f"{self.base}/link"

    @property
    def state(self) -> str:
        """The latest state (retained JSON)."""
        return f"{self.base}/state"

    @property
    def event(self) -> str:
        """Events (JSON, QoS 1, not retained)."""
        return f"{self.base}/event"

    @property
    def command(self) -> str:
        """Remote commands, when remote control is on."""
        return f"{self.base}/cmd"


def _num(value: float | None, digits: int) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def state_payload(
    view: LiveView,
    session: SessionState,
    caps_kmh: float = MAX_FORWARD_CAP_KMH,
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """The state document; units in the names.

    ``target_speed_kmh`` is the belt speed while it is within the target-speed entity's range
    (:data:`MIN_TARGET_KMH` to ``caps_kmh``), else null: Home Assistant then shows it as unknown
    rather than log a value outside the range it was told. ``started_at`` (ISO 8601, UTC) marks
    the session: the totals that may go down as the detector revises its labels (backward
    distance, calories) count from it (Home Assistant's ``last_reset``).
    """
    step = view.step
    speed = _num(view.speed_kmh, 2)
    return {
        "t": round(view.t, 1),
        "session": session.value,
        "link": view.link.value,
        "speed_kmh": speed,
        "target_speed_kmh": speed if speed is not None and MIN_TARGET_KMH <= speed <= caps_kmh else None,
        "incline_pct": _num(view.incline_pct, 1),
        "pace_s_per_km": _num(view.pace_s_per_km, 0),
        "direction": view.direction.value,
        "confidence_pct": round(100.0 * view.confidence),
        "evidence": view.evidence.value,
        "phone": None if view.phone is None else view.phone.value,
        "step_number": None if step is None else step.number,
        "step_count": None if step is None else step.count,
        "step_text": None if step is None else step.text,
        "step_direction": None if step is None else step.facing.value,
        "step_seconds_left": None if step is None else _num(step.seconds_left, 0),
        "next_text": None if step is None else step.next_text,
        "heart_rate_bpm": view.heart_rate_bpm,
        "hr_zone": view.hr_zone,
        "distance_m": round(view.distance_m, 1),
        "forward_m": round(view.metres.get(Direction.FORWARD, 0.0), 1),
        "reverse_m": round(view.metres.get(Direction.REVERSE, 0.0), 1),
        "forward_s": round(view.time_s.get(Direction.FORWARD, 0.0), 1),
        "reverse_s": round(view.time_s.get(Direction.REVERSE, 0.0), 1),
        "elapsed_s": round(view.t, 1),
        "kcal": round(view.kcal, 1),
        "kcal_low": round(view.kcal_low, 1),
        "kcal_high": round(view.kcal_high, 1),
        "started_at": None
        if started_at is None
        else started_at.astimezone(UTC).isoformat(timespec="seconds"),
    }


def event_payload(kind: EventType, t: float, text: str, **detail: object) -> dict[str, object]:
    """One event: its ``type``, session time, words, and details."""
    return {"type": kind.value, "t": round(t, 2), "text": text, **detail}


def _sensor(
    topics: Topics, settings: MqttSettings, key: str, name: str, template: str, **extra: object
) -> dict[str, object]:
    return {
        "platform": "sensor",
        "name": name,
        "unique_id": f"{settings.device_id}_{key}",
        "state_topic": topics.state,
        "value_template": template,
        "availability_mode": "all",
        "availability": [
            {"topic": topics.availability},
            {
                "topic": topics.link,
                "value_template": "{{ 'online' if value in ('connected', 'stale') else 'offline' }}",
            },
        ],
        **extra,
    }


def discovery_payload(settings: MqttSettings, topics: Topics, caps_kmh: float) -> dict[str, Any]:
    """Home Assistant's device-based discovery document for this treadmill.

    Classes and units follow Home Assistant's sensor documentation ("MQTT Sensor" and the
    sensor device classes): speed in km/h (``speed``), distance in m (``distance``), elapsed
    time in s (``duration``), direction as an ``enum``. ``caps_kmh`` bounds the remote speed
    control.

    State classes follow what each value does. The belt's distance only ever grows within a
    session: ``total_increasing`` (a new session's zero is a new cycle). The backward distance
    and the calories go down when the detector revises a label (a stretch it had called
    backward was forward): ``total``, with ``last_reset`` at the session's start, so that Home
    Assistant counts every change, down as well as up, and starts a new cycle with each session
    (developers.home-assistant.io, "New sensor state class: total", 2021-09-20). A decrease
    under ``total_increasing`` would be read as a meter reset and counted twice.
    """
    measure = {"state_class": "measurement"}
    since_start = {"state_class": "total", "last_reset_value_template": "{{ value_json.started_at }}"}
    components: dict[str, dict[str, object]] = {
        "speed": _sensor(
            topics,
            settings,
            "speed",
            "Speed",
            "{{ value_json.speed_kmh }}",
            device_class="speed",
            unit_of_measurement="km/h",
            **measure,
        ),
        "incline": _sensor(
            topics,
            settings,
            "incline",
            "Incline",
            "{{ value_json.incline_pct }}",
            unit_of_measurement="%",
            icon="mdi:slope-uphill",
            **measure,
        ),
        "direction": _sensor(
            topics,
            settings,
            "direction",
            "Direction",
            "{{ value_json.direction }}",
            device_class="enum",
            options=[d.value for d in Direction],
        ),
        "phone": _sensor(
            topics,
            settings,
            "phone",
            "Phone motion sensor",
            "{{ value_json.phone or 'none' }}",
            device_class="enum",
            options=[*(p.value for p in PhoneSeen), "none"],
            icon="mdi:cellphone-arrow-down",
        ),
        "confidence": _sensor(
            topics,
            settings,
            "confidence",
            "Direction confidence",
            "{{ value_json.confidence_pct }}",
            unit_of_measurement="%",
            **measure,
        ),
        "step": _sensor(
            topics,
            settings,
            "step",
            "Workout step",
            "{{ value_json.step_text or 'free run' }}",
            icon="mdi:format-list-numbered",
        ),
        "heart_rate": _sensor(
            topics,
            settings,
            "heart_rate",
            "Heart rate",
            "{{ value_json.heart_rate_bpm }}",
            unit_of_measurement="bpm",
            icon="mdi:heart-pulse",
            **measure,
        ),
        "distance": _sensor(
            topics,
            settings,
            "distance",
            "Distance",
            "{{ value_json.distance_m }}",
            device_class="distance",
            unit_of_measurement="m",
            state_class="total_increasing",
        ),
        "reverse_distance": _sensor(
            topics,
            settings,
            "reverse_distance",
            "Distance backward",
            "{{ value_json.reverse_m }}",
            device_class="distance",
            unit_of_measurement="m",
            **since_start,
        ),
        "elapsed": _sensor(
            topics,
            settings,
            "elapsed",
            "Elapsed",
            "{{ value_json.elapsed_s }}",
            device_class="duration",
            unit_of_measurement="s",
            **measure,
        ),
        "calories": _sensor(
            topics,
            settings,
            "calories",
            "Calories",
            "{{ value_json.kcal }}",
            unit_of_measurement="kcal",
            icon="mdi:fire",
            **since_start,
        ),
        "link": {
            "platform": "binary_sensor",
            "name": "Treadmill link",
            "unique_id": f"{settings.device_id}_link",
            "state_topic": topics.link,
            "value_template": "{{ 'ON' if value == 'connected' else 'OFF' }}",
            "device_class": "connectivity",
            "availability_topic": topics.availability,
        },
    }
    if settings.remote_control:
        components["target_speed"] = {
            "platform": "number",
            "name": "Target speed",
            "unique_id": f"{settings.device_id}_target_speed",
            "command_topic": topics.command,
            "command_template": '{"action": "speed", "kmh": {{ value }}}',
            "state_topic": topics.state,
            "value_template": "{{ value_json.target_speed_kmh }}",
            "min": MIN_TARGET_KMH,
            "max": caps_kmh,
            "step": 0.1,
            "unit_of_measurement": "km/h",
            "device_class": "speed",
            "mode": "box",
            "availability_topic": topics.availability,
        }
        components["stop"] = {
            "platform": "button",
            "name": "Stop",
            "unique_id": f"{settings.device_id}_stop",
            "command_topic": topics.command,
            "payload_press": '{"action": "stop"}',
            "availability_topic": topics.availability,
        }
    return {
        "device": {
            "identifiers": [settings.device_id],
            "name": f"Treadmill {settings.device_id}",
            "manufacturer": "Treadmill Companion",
            "model": "FTMS treadmill",
            "sw_version": __version__,
        },
        "origin": _ORIGIN,
        "components": {f"{settings.device_id}_{key}": value for key, value in components.items()},
    }


@dataclass(frozen=True, slots=True)
class Command:
    """A remote command: ``start`` (resume a paused workout), ``stop``, or ``speed`` to ``kmh``."""

    action: Action
    kmh: float | None = None


def _depth(text: str) -> int:
    """How deeply brackets nest in ``text`` (strings included: an overestimate is a refusal, not a risk)."""
    deepest = depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def parse_command(payload: bytes) -> Command:
    """A command from its payload: ``{"action": "speed", "kmh": 5.0}``, or just ``stop`` / ``start``.

    Bounded before anything is parsed: at most :data:`MAX_COMMAND_BYTES`, nesting at most a
    few levels; numbers must be finite and in range, every field of the expected type.

    Raises:
        ValueError: anything else, with the reason (never another exception).
    """
    if len(payload) > MAX_COMMAND_BYTES:
        raise ValueError(f"longer than {MAX_COMMAND_BYTES} bytes")
    text = payload.decode("utf-8", errors="replace").strip()
    if text in (Action.START, Action.STOP):
        return Command(Action(text))
    if _depth(text) > _MAX_DEPTH:
        raise ValueError("nested too deep")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError:  # JSONDecodeError, NaN/Infinity, numbers past the digit limit
        raise ValueError("not JSON, and not start or stop") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")  # noqa: TRY004 - a bad payload, not a programming error
    action = data.get("action")
    if action in (Action.START, Action.STOP):
        return Command(Action(action))
    if action != Action.SPEED:
        shown = repr(action)[:40] if isinstance(action, str | int | float | None) else type(action).__name__
        raise ValueError(f"unknown action {shown} (start, stop or speed)")
    try:
        kmh = finite(data.get("kmh"), "kmh", above=0.0, high=100.0)
    except InputError as exc:
        raise ValueError(f"speed needs kmh, a number above 0 ({exc.reason}; to stop, send stop)") from None
    return Command(Action.SPEED, kmh)

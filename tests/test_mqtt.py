"""MQTT: settings, payloads, and the publisher against a real mosquitto (tests/mqtt_broker.py)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import random
import warnings
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from aiomqtt.exceptions import MqttConnectError
from textual.widgets import DataTable, Static

from bench.population import Regime, session
from tests.mqtt_broker import Broker, make_tls_files
from tests.mqtt_support import Lateness, Subscriber
from tests.support import cli, record_virtual, until
from treadmill.model import (
    CoachEventKind,
    Cue,
    CueDirection,
    Direction,
    LinkEvent,
    LinkEventKind,
    Sample,
)
from treadmill.mqtt import connection
from treadmill.mqtt.connection import what_to_fix
from treadmill.mqtt.messages import (
    Action,
    Command,
    EventType,
    MqttState,
    SessionState,
    Topics,
    discovery_payload,
    parse_command,
    state_payload,
)
from treadmill.mqtt.publisher import MqttPublisher, MqttStatus
from treadmill.mqtt.settings import MqttSettings, MqttSettingsError, load_settings
from treadmill.session.actions import ReplayActions
from treadmill.session.board import LiveBoard
from treadmill.session.coach import CoachEvent
from treadmill.session.engine import Session, SessionResult
from treadmill.session.options import WorkoutOptions
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import read_fixture
from treadmill.workout.builtin import builtin_plans
from treadmill.workout.cues import CueKind
from treadmill.workout.plan import Caps
from treadmill.workout.safety import Level, Rule
from tui.app import TreadmillApp
from tui.request import AppMode, AppRequest
from tui.screens.dashboard import DashboardScreen

STARTED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
"""When the published sessions began, for their ``started_at``."""

FIXTURES = Path(__file__).parent.parent / "fixtures"
GUIDED = FIXTURES / "guided-beginner.jsonl"
FAST = (0.05, 0.4)
"""Backoff for the tests: the same doubling and jitter, in tenths of a second."""


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    running = Broker(tmp_path).start()
    yield running
    running.stop()


def settings_for(broker: Broker, **more: Any) -> MqttSettings:
    return MqttSettings(**{"host": "127.0.0.1", "port": broker.port, "device_id": "tm1", **more})


# --- settings ------------------------------------------------------------------------------------


def test_settings_from_the_config_file_then_the_environment_then_the_url(tmp_path: Path) -> None:
    assert load_settings(folder=tmp_path, environ={}) is None, "no URL anywhere: MQTT is off"
    (tmp_path / "config.toml").write_text(
        '[mqtt]\nurl = "mqtt://gym.local"\nprefix = "club/treadmills"\ndevice_id = "lane-3"\n'
        'username = "coach"\npassword = "s3cret"\nremote_control = true\n'
    )
    from_file = load_settings(folder=tmp_path, environ={})
    assert from_file is not None
    assert (from_file.host, from_file.port, from_file.tls) == ("gym.local", 1883, False)
    assert (from_file.prefix, from_file.device_id, from_file.remote_control) == (
        "club/treadmills",
        "lane-3",
        True,
    )
    assert "s3cret" not in repr(from_file), "the password never reaches a log line"
    env = {"TREADMILL_MQTT_PASSWORD": "from-env", "TREADMILL_MQTT_DEVICE_ID": "lane-4"}
    both = load_settings("mqtts://broker.example:8884", folder=tmp_path, environ=env)
    assert both is not None
    assert (both.host, both.port, both.tls, both.where) == (
        "broker.example",
        8884,
        True,
        "mqtts://broker.example:8884",
    )
    assert (both.password, both.device_id, both.username) == ("from-env", "lane-4", "coach")
    assert load_settings("mqtts://broker.example", folder=tmp_path, environ={}).port == 8883  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "config", "complaint"),
    [
        ("mqtt://coach:pw@gym.local", "", "credentials do not go in the MQTT URL"),
        ("http://gym.local", "", "must start with mqtt:// or mqtts://"),
        ("mqtt://gym.local:99999", "", "port"),
        ("mqtt://gym.local", '[mqtt]\nprefix = "a/#"\n', "prefix"),
        ("mqtt://gym.local", '[mqtt]\nca_file = "/nowhere/ca.pem"\n', "does not exist"),
        ("mqtt://gym.local", '[mqtt]\npassword = "x"\n', "needs a username"),
        ("mqtt://gym.local", "[mqtt]\nqueue = 0\n", "from 1 to"),
        ("mqtt://gym.local", "[mqtt]\nbroker = 1\n", "unknown setting broker"),
        ("mqtt://gym.local", "[mqtt\n", "config.toml"),
    ],
)
def test_settings_that_cannot_work_are_refused_by_name(
    tmp_path: Path, url: str, config: str, complaint: str
) -> None:
    (tmp_path / "config.toml").write_text(config)
    with pytest.raises(MqttSettingsError, match=complaint.replace("/", ".")):
        load_settings(url, folder=tmp_path, environ={})


def test_record_says_what_mqtt_is_doing(
    broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "session.jsonl"
    argv = ["record", "--virtual", "--out", str(out), "--duration", "20", "--time-scale", "20"]
    status, _, err = cli(capsys, *argv, "--mqtt", broker.url)
    assert status == 0, err
    assert f"MQTT connected: {broker.url}" in err
    assert "MQTT closed:" in err
    assert out.exists()


def test_the_command_line_refuses_credentials_in_the_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "never.jsonl")
    status, _, err = cli(capsys, "record", "--virtual", "--out", out, "--mqtt", "mqtt://u:hunter2@host")
    assert status == 2
    assert "credentials do not go in the MQTT URL" in err
    assert "hunter2" not in err


# --- payloads ------------------------------------------------------------------------------------


def test_commands_are_parsed_strictly() -> None:
    assert parse_command(b"stop") == Command(Action.STOP)
    assert parse_command(b'{"action": "start"}') == Command(Action.START)
    assert parse_command(b'{"action": "speed", "kmh": 5}') == Command(Action.SPEED, 5.0)
    for bad, why in [
        (b"faster", "not JSON"),
        (b'{"action": "jump"}', "unknown action"),
        (b'{"action": "speed"}', "kmh"),
        (b'{"action": "speed", "kmh": "fast"}', "kmh"),
        (b'{"action": "speed", "kmh": -2}', "above 0"),
        (b'{"action": "speed", "kmh": true}', "kmh"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"action": "speed", "kmh": 1e400}', "finite"),
        (b'{"action": "speed", "kmh": NaN}', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "longer than"),
        (b"[" * 100 + b"]" * 100, "nested too deep"),
        (b'{"action": "speed", "kmh": 1' + b"0" * 5000 + b"}", "longer than"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_command(bad)


def test_discovery_declares_each_entity_with_class_unit_state_class_and_availability() -> None:
    settings = MqttSettings(host="h", device_id="lane-3", prefix="gym")
    topics = Topics.of(settings)
    doc = discovery_payload(settings, topics, caps_kmh=16.0)
    assert topics.discovery == "homeassistant/device/lane-3/config"
    assert doc["device"]["identifiers"] == ["lane-3"]
    assert doc["origin"]["name"] == "Treadmill Companion"
    entities = doc["components"]
    expected = {
        "speed": ("sensor", "speed", "km/h", "measurement"),
        "incline": ("sensor", None, "%", "measurement"),
        "direction": ("sensor", "enum", None, None),
        "phone": ("sensor", "enum", None, None),
        "confidence": ("sensor", None, "%", "measurement"),
        "heart_rate": ("sensor", None, "bpm", "measurement"),
        "distance": ("sensor", "distance", "m", "total_increasing"),
        "reverse_distance": ("sensor", "distance", "m", "total"),
        "elapsed": ("sensor", "duration", "s", "measurement"),
        "calories": ("sensor", None, "kcal", "total"),
        "step": ("sensor", None, None, None),
        "link": ("binary_sensor", "connectivity", None, None),
    }
    assert set(entities) == {f"lane-3_{key}" for key in expected}, "no remote control unless enabled"
    for key, (platform, device_class, unit, state_class) in expected.items():
        entity = entities[f"lane-3_{key}"]
        assert entity["platform"] == platform, key
        assert entity["unique_id"] == f"lane-3_{key}"
        assert entity.get("device_class") == device_class, key
        assert entity.get("unit_of_measurement") == unit, key
        assert entity.get("state_class") == state_class, key
        if state_class == "total":  # may go down within a session; counted from its start
            assert entity["last_reset_value_template"] == "{{ value_json.started_at }}", key
        if platform == "sensor":
            assert entity["state_topic"] == "gym/lane-3/state"
            assert entity["availability_mode"] == "all"
            assert [a["topic"] for a in entity["availability"]] == [
                "gym/lane-3/availability",
                "gym/lane-3/link",
            ]
    assert entities["lane-3_direction"]["options"] == ["forward", "reverse", "stopped", "unsure"]
    assert entities["lane-3_phone"]["options"] == ["worn", "off_body", "lost", "none"]
    assert entities["lane-3_link"]["state_topic"] == "gym/lane-3/link"
    remote = discovery_payload(MqttSettings(host="h", device_id="lane-3", remote_control=True), topics, 12.0)
    speed = remote["components"]["lane-3_target_speed"]
    assert (speed["platform"], speed["max"], speed["command_topic"]) == ("number", 12.0, "gym/lane-3/cmd")
    assert remote["components"]["lane-3_stop"]["payload_press"] == '{"action": "stop"}'


@pytest.mark.parametrize(
    ("belt_kmh", "published"), [(0.0, None), (0.3, None), (4.0, 4.0), (12.0, 12.0), (13.5, None)]
)
def test_the_target_speed_state_stays_inside_the_range_home_assistant_was_given(
    belt_kmh: float, published: float | None
) -> None:
    """Home Assistant logs "Invalid value" for a number entity's state outside its min-max (a stopped
    belt's 0.0 against a minimum of 0.5): outside the range the state says null, which the number's
    default ``payload_reset`` ("None") turns into "unknown"."""
    settings = MqttSettings(host="h", device_id="lane-3", remote_control=True)
    entity = discovery_payload(settings, Topics.of(settings), caps_kmh=12.0)["components"][
        "lane-3_target_speed"
    ]
    view = LiveBoard().view(10.0)
    state = state_payload(replace(view, speed_kmh=belt_kmh), SessionState.RUNNING, caps_kmh=12.0)
    assert state["target_speed_kmh"] == published
    if published is not None:
        assert entity["min"] <= published <= entity["max"]
    assert entity.get("payload_reset", "None") == "None", "null renders as None: unknown, not an error"


# --- the publisher against mosquitto -------------------------------------------------------------


def replay_session(
    publisher: MqttPublisher, path: Path, speed: float | None = None, **more: float
) -> Session:
    """A replay the publisher follows: it publishes what the session's board shows."""
    source = ReplaySource(read_fixture(path), speed=speed)
    session = Session(source, [publisher], **more)  # type: ignore[arg-type]
    publisher.attach(session.board, ReplayActions(session, source))
    return session


async def replay_through(publisher: MqttPublisher, path: Path, speed: float | None = None) -> SessionResult:
    async with publisher:
        return await replay_session(publisher, path, speed).run()


async def test_state_events_availability_and_discovery_reach_the_broker(broker: Broker) -> None:
    settings = settings_for(broker)
    publisher = MqttPublisher(settings, rng=random.Random(1))
    async with Subscriber(broker.port, "treadmill/#", "homeassistant/#") as sub:
        await replay_through(publisher, GUIDED)
        await sub.until(
            lambda: any(m.payload == b"offline" for m in sub.on("treadmill/tm1/availability")), "offline"
        )
    assert [m.payload for m in sub.on("treadmill/tm1/availability")] == [b"online", b"offline"]
    discovery = sub.on("homeassistant/device/tm1/config")
    assert len(discovery) == 1
    assert discovery[0].qos == 1
    assert set(discovery[0].json()["components"]) >= {"tm1_speed", "tm1_direction", "tm1_link"}
    events = sub.events("treadmill/tm1")
    assert all(e["type"] in set(EventType) for e in events)
    assert events[0]["type"] == "session_start"
    assert events[-1]["type"] == "session_end"
    assert all(m.qos == 1 and not m.retain for m in sub.on("treadmill/tm1/event"))
    summary = (await Session(ReplaySource(read_fixture(GUIDED), speed=None)).run()).pipeline.summary()
    cues = read_fixture(GUIDED).cues
    assert [(e["t"], e["direction"]) for e in events if e["type"] == "cue"] == [
        (round(c.t, 2), c.direction) for c in cues
    ]
    assert [e["text"] for e in events if e["type"] == "cue"] == [c.words for c in cues]
    turns = [(e["t"], e["direction"]) for e in events if e["type"] == "direction"]
    assert turns[0][1] == "forward"
    # The person skipped the first cued turn (the recording's truth): unsure at most, then the
    # first real turn, at 188 s, as the first backward event.
    first_reverse = next(t for t, direction in turns if direction == "reverse")
    assert 188 <= first_reverse <= 200
    state = sub.on("treadmill/tm1/state")[-1].json()
    assert state["session"] == "ended"
    assert state["distance_m"] == round(summary.distance_m, 1), "MQTT's totals are the summary's"
    assert state["reverse_s"] == round(summary.totals[Direction.REVERSE].time_s, 1)
    assert set(state) >= {
        "speed_kmh",
        "incline_pct",
        "direction",
        "confidence_pct",
        "evidence",
        "step_text",
        "heart_rate_bpm",
        "distance_m",
        "kcal",
        "kcal_low",
        "kcal_high",
        "link",
        "elapsed_s",
    }
    assert sub.on("treadmill/tm1/link")[-1].payload == b"connected"
    assert publisher.status.state is MqttState.CLOSED
    assert publisher.dropped == 0
    async with Subscriber(broker.port, "treadmill/#") as late:  # a dashboard that comes later
        # The broker sends each topic's retained message in no set order: wait for both.
        await late.until(
            lambda: bool(late.on("treadmill/tm1/state")) and bool(late.on("treadmill/tm1/availability")),
            "the retained state and availability",
        )
    assert late.on("treadmill/tm1/state")[0].retain
    assert late.on("treadmill/tm1/state")[0].json()["session"] == "ended"
    assert [m.payload for m in late.on("treadmill/tm1/availability")] == [b"offline"]


async def test_state_is_throttled_to_twice_a_session_second_at_recorded_speed(broker: Broker) -> None:
    """At 60x a 90 s stretch of the session: the state follows the session clock, not the CPU.

    What the publisher decides to send is exact; what reaches the broker may skip states a slow
    machine superseded (only the latest state waits), never reorders or crowds them."""
    fixture = read_fixture(GUIDED)
    async with Subscriber(broker.port, "treadmill/tm1/state") as sub:
        publisher = MqttPublisher(settings_for(broker))
        async with publisher:
            await until(lambda: publisher.status.state is MqttState.CONNECTED, "connected")
            await replay_session(publisher, GUIDED, 60.0, until_s=90.0).run()
        await sub.until(lambda: any(m.json()["session"] == "ended" for m in sub.seen), "the last state")
    assert sub.seen[0].json()["session"] == "starting", "this session's zeros, before anything else"
    times = [m.json()["t"] for m in sub.seen if m.json()["session"] != "starting"]
    assert times == sorted(times)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps[:-1]) >= 0.45, "never more than twice a second of session time"
    samples = (await Session(ReplaySource(fixture, speed=None), until_s=90.0).run()).samples
    spaced = [b.t - a.t >= 0.5 for a, b in itertools.pairwise(samples)]
    assert publisher.states == 1 + sum(spaced) + 1, "the first sample, each one half a second on, the end"
    assert 2 <= len(times) <= publisher.states, "a slow broker may get fewer, never more"


async def test_home_assistant_coming_online_gets_discovery_again(broker: Broker) -> None:
    publisher = MqttPublisher(settings_for(broker))
    async with Subscriber(broker.port, "homeassistant/device/#") as sub, publisher:
        await sub.until(lambda: len(sub.seen) == 1, "the first discovery")
        await sub.publish("homeassistant/status", b"online")
        await sub.until(lambda: len(sub.seen) == 2, "discovery after Home Assistant's birth message")
    assert sub.seen[0].payload == sub.seen[1].payload


async def test_coach_events_become_cue_warning_and_cleared_events(broker: Broker) -> None:
    publisher = MqttPublisher(settings_for(broker))
    async with Subscriber(broker.port, "treadmill/tm1/event") as sub, publisher:
        publisher.coach_event(
            CoachEvent(10.0, CoachEventKind.CUE, "Turn in 10 s: face backward", cue=CueKind.ANNOUNCE)
        )
        publisher.coach_event(
            CoachEvent(
                20.0,
                CoachEventKind.WARNING,
                "HOLD THE RAILS",
                rule=Rule.TURNAROUND,
                level=Level.CAUTION,
                bell=True,
            )
        )
        publisher.coach_event(CoachEvent(32.0, CoachEventKind.CLEARED, "", rule=Rule.TURNAROUND))
        await sub.until(lambda: len(sub.seen) == 3, "three events")
    said = [e for e in sub.events("treadmill/tm1") if e["type"] != "session_end"]
    assert [(e["type"], e["t"], e["detail"]) for e in said] == [
        ("cue", 10.0, "announce"),
        ("warning", 20.0, "turnaround/caution"),
        ("warning_cleared", 32.0, "turnaround/caution"),
    ]


# --- reliability ---------------------------------------------------------------------------------


async def test_a_broker_killed_and_restarted_mid_session(broker: Broker) -> None:
    """The session keeps its schedule, events beyond the outbox are dropped and counted, and
    the publisher comes back with availability, discovery and the present state."""
    statuses: list[MqttStatus] = []
    publisher = MqttPublisher(
        settings_for(broker, queue=5), on_status=statuses.append, rng=random.Random(7), backoff_s=FAST
    )
    lateness = Lateness(speed=40.0)
    source = ReplaySource(read_fixture(GUIDED), speed=40.0)
    session = Session(source, [publisher, lateness], until_s=240.0)
    publisher.attach(session.board, None)

    async def break_the_broker() -> float:
        await until(
            lambda: publisher.status.state is MqttState.CONNECTED and publisher.sent > 3, "publishing"
        )
        broker.stop()
        await until(lambda: publisher.status.state is not MqttState.CONNECTED, "the publisher noticing")
        assert publisher.status.state is MqttState.RETRYING, publisher.status.text
        for n in range(12):  # a burst of events while the broker is away: only the last 5 are kept
            publisher.coach_event(CoachEvent(source.position_s, CoachEventKind.MESSAGE, f"note {n}"))
        assert publisher.dropped >= 7
        down_at = source.position_s
        await until(lambda: source.position_s > down_at + 20.0, "20 session seconds with the broker away")
        broker.start()
        await until(lambda: publisher.status.state is MqttState.CONNECTED, "reconnected")
        return down_at

    async with publisher:
        breaking = asyncio.create_task(break_the_broker())
        result = await session.run()
        down_at = await breaking
    async with Subscriber(broker.port, "treadmill/#", "homeassistant/#") as sub:
        await sub.until(  # each topic's retained message comes in no set order: wait for all three
            lambda: bool(
                sub.on("treadmill/tm1/state")
                and sub.on("homeassistant/device/tm1/config")
                and sub.on("treadmill/tm1/availability")
            ),
            "the retained state, discovery and availability",
        )
    assert [s.state for s in statuses].count(MqttState.RETRYING) >= 1
    assert statuses[-1].state is MqttState.CLOSED
    assert publisher.dropped >= 7
    assert publisher.status.dropped == publisher.dropped, "the status line's count is the live one"
    assert sub.on("treadmill/tm1/state")[-1].json()["session"] == "ended", "the present, after the restart"
    assert sub.on("homeassistant/device/tm1/config"), "discovery published again on reconnect"
    assert [m.payload for m in sub.on("treadmill/tm1/availability")] == [b"offline"]
    assert len(result.samples) > 200
    assert all(r.dropped == 0 for r in result.consumers)
    during = [late for t, late in zip(lateness.times, lateness.late, strict=True) if t >= down_at]
    assert during, "samples were handled while the broker was away (how late: bench/mqtt_bench.py)"


async def test_a_broker_that_is_down_at_start_leaves_the_session_running(tmp_path: Path) -> None:
    absent = Broker(tmp_path)  # never started: nothing listens on its port
    statuses: list[MqttStatus] = []
    publisher = MqttPublisher(settings_for(absent), on_status=statuses.append, backoff_s=FAST)
    result = await replay_through(publisher, GUIDED)
    assert result.pipeline.summary().totals[Direction.REVERSE].time_s > 60
    assert statuses[0].state is MqttState.RETRYING
    assert "unreachable" in statuses[0].text
    assert "the workout goes on" in statuses[0].text
    assert statuses[-1].state is MqttState.CLOSED


async def test_the_same_trouble_at_each_retry_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry of an absent broker fails alike: the status (a line on the command line, the
    app's toast) changes once, however many retries a slow session outlasts."""
    caplog.set_level(logging.DEBUG)
    statuses: list[MqttStatus] = []
    async with MqttPublisher(settings_for(Broker(tmp_path)), on_status=statuses.append, backoff_s=FAST):
        await until(lambda: caplog.text.count("retrying in about") >= 3, "three failed attempts")
    assert [s.state for s in statuses] == [MqttState.RETRYING, MqttState.CLOSED]


async def test_a_broker_that_takes_the_connection_and_never_answers_is_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broker (or anything on its port) that accepts the connection and sends nothing back."""
    monkeypatch.setattr(connection, "ANSWER_WITHIN_S", 0.5)
    held: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(lambda _r, w: held.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    statuses: list[MqttStatus] = []
    try:
        settings = MqttSettings(host="127.0.0.1", port=port, device_id="tm1")
        async with MqttPublisher(settings, on_status=statuses.append, backoff_s=FAST):
            await until(lambda: bool(statuses), "a word on the silent broker")
    finally:
        for writer in held:
            writer.close()
        server.close()
    assert statuses[0].state is MqttState.RETRYING
    assert "took the connection but did not answer within 0.5 s" in statuses[0].text


def test_an_mqtt_failure_is_said_once_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """record prints the publisher's status; the same trouble is not logged to stderr beside it."""
    caplog.set_level(logging.WARNING)  # the command line's own level, whatever earlier tests set
    absent = Broker(tmp_path)
    out = tmp_path / "r.jsonl"
    status, _, err = cli(
        capsys, "record", "--virtual", "--out", str(out), "--duration", "3", "--mqtt", absent.url
    )
    assert status == 0, err
    # Said once: as it happened, or, if the session ended before the broker could answer at all
    # (a busy machine), on the way out.
    troubles = [line for line in err.splitlines() if "unreachable" in line or "never reached" in line]
    assert len(troubles) == 1, err


# --- security ------------------------------------------------------------------------------------


async def test_a_password_broker_takes_the_right_credentials_and_says_so_for_wrong_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broker = Broker(tmp_path, users={"coach": "right-horse-battery"}).start()
    try:
        env = {"TREADMILL_MQTT_USERNAME": "coach", "TREADMILL_MQTT_PASSWORD": "right-horse-battery"}
        good = load_settings(broker.url, folder=tmp_path, environ=env)
        assert good is not None
        async with Subscriber(
            broker.port, "treadmill/#", username="coach", password="right-horse-battery"
        ) as sub:
            await replay_through(MqttPublisher(good), GUIDED)
            await sub.until(
                lambda: bool(sub.on("treadmill/tm1/state") or sub.seen), "data from the right user"
            )
        caplog.set_level(logging.DEBUG)
        statuses: list[MqttStatus] = []
        wrong = MqttPublisher(
            MqttSettings(host="127.0.0.1", port=broker.port, username="coach", password="wrong-donkey"),
            on_status=statuses.append,
            backoff_s=FAST,
        )
        async with wrong:
            await until(lambda: wrong.status.state is MqttState.FAILED, "giving up on wrong credentials")
            result = await replay_session(wrong, GUIDED).run()
        assert result.samples, "the workout goes on"
        failed = next(s for s in statuses if s.state is MqttState.FAILED)
        assert "user name or password" in failed.text
        assert "TREADMILL_MQTT_PASSWORD" in failed.text
        assert [s.state for s in statuses].count(MqttState.FAILED) == 1, "no retrying what cannot pass"
        assert "wrong-donkey" not in caplog.text
        assert "right-horse-battery" not in caplog.text
    finally:
        broker.stop()


@pytest.mark.filterwarnings("ignore:Exception ignored in.*SSLSocket:pytest.PytestUnraisableExceptionWarning")
async def test_tls_with_the_right_ca_and_a_client_certificate_and_a_clear_error_for_the_wrong_ca(
    tmp_path: Path,
) -> None:
    """TLS with a client certificate and a password, as a club's broker would have it."""
    files = make_tls_files(tmp_path)
    broker = Broker(tmp_path, users={"lane3": "pw-from-env"}, tls=files, require_client_cert=True).start()
    try:
        (tmp_path / "config.toml").write_text(
            f'[mqtt]\nca_file = "{files.ca}"\ncert_file = "{files.client_cert}"\n'
            f'key_file = "{files.client_key}"\ndevice_id = "secure-1"\nusername = "lane3"\n'
        )
        good = load_settings(broker.url, folder=tmp_path, environ={"TREADMILL_MQTT_PASSWORD": "pw-from-env"})
        assert good is not None
        assert good.tls
        publisher = MqttPublisher(good)
        async with publisher:
            await until(lambda: publisher.status.state is MqttState.CONNECTED, "a TLS connection")
        assert publisher.sent >= 1
        statuses: list[MqttStatus] = []
        other = MqttSettings(
            host="127.0.0.1",
            port=broker.port,
            tls=True,
            ca_file=files.other_ca,
            cert_file=files.client_cert,
            key_file=files.client_key,
            username="lane3",
            password="pw-from-env",
        )
        distrusting = MqttPublisher(other, on_status=statuses.append, backoff_s=FAST)
        async with distrusting:
            await until(
                lambda: distrusting.status.state is MqttState.FAILED, "giving up on an untrusted broker"
            )
        with warnings.catch_warnings():  # paho leaves the socket of a failed handshake to the collector
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        failed = next(s for s in statuses if s.state is MqttState.FAILED)
        assert failed.text.startswith("MQTT failed: TLS:")
        assert "CERTIFICATE_VERIFY_FAILED" in failed.text
        assert "ca_file" in failed.text
    finally:
        broker.stop()


# --- remote control ------------------------------------------------------------------------------


async def test_commands_are_ignored_unless_remote_control_is_on(broker: Broker) -> None:
    publisher = MqttPublisher(settings_for(broker))
    session = replay_session(publisher, GUIDED, 100.0, until_s=200.0)
    async with Subscriber(broker.port, "treadmill/tm1/event") as sub, publisher:
        await until(lambda: publisher.status.state is MqttState.CONNECTED, "connected")
        await sub.publish("treadmill/tm1/cmd", b"stop")
        result = await session.run()
        await sub.until(
            lambda: any(e["type"] == "session_end" for e in sub.events("treadmill/tm1")), "the end"
        )
    assert result.samples[-1].t > 190, "the stop sent over MQTT was not obeyed"
    assert "command" not in [e["type"] for e in sub.events("treadmill/tm1")]


async def test_remote_control_over_mqtt_stays_within_the_caps_and_stops_the_session(
    broker: Broker, tmp_path: Path
) -> None:
    """A virtual treadmill coached with control on; speed and stop arrive on the one command topic.

    The speed goes through the control policy like the plan's targets: capped, and ramped; and from
    outside, never above the plan's speed for the step.
    Payloads that once stopped publishing (a number past a float, JSON nested 100,000 deep)
    are refused and answered, and a later stop still works.
    """
    settings = settings_for(broker, remote_control=True)
    workout = WorkoutOptions(
        builtin_plans()["first-steps-backward"], control=True, caps=Caps(forward_kmh=6.0, reverse_kmh=3.0)
    )
    async with Subscriber(broker.port, "treadmill/tm1/#") as sub:

        def moving() -> bool:
            states = sub.on("treadmill/tm1/state")
            return bool(states) and (states[-1].json()["speed_kmh"] or 0.0) >= 2.0

        def answers() -> list[dict[str, Any]]:
            return [e for e in sub.events("treadmill/tm1") if e["type"] == "command"]

        async def commands() -> None:
            await sub.until(moving, "the belt moving (the virtual runner presses start)")
            await sub.publish("treadmill/tm1/cmd", b'{"action": "speed", "kmh": 42}')
            await sub.until(lambda: len(answers()) == 1, "answer")
            await sub.publish("treadmill/tm1/cmd", b"dance")
            await sub.publish("treadmill/tm1/cmd", b'{"action":"speed","kmh":1e400}')
            await sub.publish("treadmill/tm1/cmd", b"[" * 100_000 + b"]" * 100_000)
            await sub.until(lambda: len(answers()) == 4, "the bad ones answered")
            states = len(sub.on("treadmill/tm1/state"))
            await sub.until(lambda: len(sub.on("treadmill/tm1/state")) > states + 2, "publishing goes on")
            await sub.publish("treadmill/tm1/cmd", b'{"action": "stop"}')

        remote = asyncio.create_task(commands())
        result = await record_virtual(
            tmp_path / "remote.jsonl", duration_s=900.0, time_scale=10.0, workout=workout, publish=settings
        )
        await remote
        await sub.until(lambda: any(e["type"] == "control" for e in sub.events("treadmill/tm1")), "the stop")
        await sub.until(  # the publisher's last word, delivered after the session's own end
            lambda: [m.payload for m in sub.on("treadmill/tm1/availability")][-1:] == [b"offline"], "offline"
        )
    said = answers()
    assert [(a["accepted"], a.get("action")) for a in said] == [
        (True, "speed"),
        (False, None),
        (False, None),
        (False, None),
        (True, "stop"),
    ]
    assert "no faster than the plan (3.5 km/h)" in said[0]["text"], "42 km/h asked, the plan's given"
    assert "on the usual ramp" in said[0]["text"]
    assert "Command refused: not JSON" in said[1]["text"]
    assert "finite" in said[2]["text"]
    assert "longer than" in said[3]["text"]
    assert result.session_s < 600, "stopped over MQTT long before the workout's end"
    coach = result.coach
    assert coach is not None
    speeds = [c.speed_kmh for c in coach.commands if c.speed_kmh is not None]
    assert max(speeds) <= max(step.speed_kmh or 0.0 for step in workout.plan.steps)
    assert all(b - a <= 0.5 + 1e-9 for a, b in itertools.pairwise(speeds)), "ramped, never a jump"
    controls = [e["text"] for e in sub.events("treadmill/tm1") if e["type"] == "control"]
    assert "Belt stopped" in controls, "the coached belt is stopped on the way out"
    assert [m.payload for m in sub.on("treadmill/tm1/availability")][-1] == b"offline"


# --- the dashboard -------------------------------------------------------------------------------


async def test_the_dashboard_shows_two_virtual_treadmills_publishing_at_once(broker: Broker) -> None:
    def lane(name: str, seed: int) -> Coroutine[Any, Any, object]:
        return record_virtual(
            None,
            duration_s=100.0,
            seed=seed,
            time_scale=20.0,
            workout=WorkoutOptions(builtin_plans()["first-steps-backward"]),
            publish=settings_for(broker, device_id=name),
        )

    app = TreadmillApp(AppRequest(AppMode.DASHBOARD, mqtt=settings_for(broker, device_id="front-desk")))
    async with app.run_test(size=(150, 20)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(DataTable)

        def cell(lane: str, column: str) -> str:
            return str(table.get_cell(lane, column))

        def both(column: str, want: Callable[[str], bool]) -> bool:
            return set(screen.rows) == {"lane-1", "lane-2"} and all(
                want(cell(n, column)) for n in screen.rows
            )

        sessions = asyncio.gather(lane("lane-1", 1), lane("lane-2", 2))
        await until(lambda: both("speed", lambda s: s not in ("-", "0.0")), "both lanes moving")
        await pilot.pause()
        assert both("app", lambda s: s == "online")
        assert both("link", lambda s: s == "connected")
        assert both("step", lambda s: s == "3 min forward at 3.5 km/h")
        assert "2 treadmills" in str(screen.query_one("#broker", Static).render())
        await sessions
        await until(lambda: both("app", lambda s: s == "offline"), "both apps gone")


def test_every_total_increasing_value_never_goes_down_while_labels_are_revised() -> None:
    """Home Assistant reads any decrease of a total_increasing sensor as a meter reset and counts the
    session again (it did: 55 m backward for one 24 m session). Over sessions where the detector
    revises labels, every value declared so must only grow; the rest are declared total."""
    settings = MqttSettings(host="h", device_id="tm1")
    components = discovery_payload(settings, Topics.of(settings), caps_kmh=16.0)["components"]
    increasing = [
        str(c["value_template"]).split("value_json.")[1].split()[0]
        for c in components.values()
        if c.get("state_class") == "total_increasing"
    ]
    assert increasing == ["distance_m"]
    revised = {"reverse_m": 0, "kcal": 0}
    for regime, person in itertools.product(Regime, range(40, 42)):
        example = session(person, regime, duration_s=900)
        board, last = LiveBoard(), None
        items: list[Sample | Cue | LinkEvent] = sorted(
            [*example.samples, *(Cue(t, CueDirection(f.value)) for t, f in example.cues)], key=lambda i: i.t
        )
        items.insert(len(items) // 2, LinkEvent(items[len(items) // 2].t, LinkEventKind.DISCONNECTED))
        for item in items:
            board.take(item)
            state = state_payload(board.view(item.t), SessionState.RUNNING, started_at=STARTED)
            if last is not None:
                for key in increasing:
                    assert state[key] >= last[key], (regime, person, key)
                for key in revised:
                    revised[key] += state[key] < last[key]
            last = state
        assert last is not None
        assert last["started_at"] == "2026-12-07T09:00:00+00:00"
    assert revised["reverse_m"] > 0, "these sessions revise the backward distance: it must be 'total'"
    assert revised["kcal"] > 0, "and the calories"


async def test_the_new_sessions_state_comes_before_online(broker: Broker) -> None:
    """A subscriber (Home Assistant) that sees "online" never reads the last session's retained state."""
    async with Subscriber(broker.port, "treadmill/tm1/#") as sub:
        old = MqttPublisher(settings_for(broker), started_at=STARTED)
        async with old:
            await old.handle(Sample(10.0, 4.0, distance_m=500.0))
            await until(lambda: old.status.state is MqttState.CONNECTED, "the first session")
        later = STARTED.replace(hour=10)
        new = MqttPublisher(settings_for(broker), started_at=later)
        async with new:
            await sub.until(lambda: len(sub.on("treadmill/tm1/availability")) >= 3, "the second online")
        order = [(m.topic, m.payload) for m in sub.seen if m.topic.endswith(("/state", "/availability"))]
    second_online = [k for k, (topic, payload) in enumerate(order) if payload == b"online"][1]
    state_before = [p for topic, p in order[:second_online] if topic.endswith("/state")][-1]
    assert json.loads(state_before)["started_at"] == later.isoformat(timespec="seconds")
    assert json.loads(state_before)["session"] == "starting"


def test_only_a_refused_connect_is_a_wrong_password() -> None:
    """paho's "not connected" (4), from a publish as the broker dies, once read as CONNACK 4."""
    assert what_to_fix(MqttConnectError(4), "b") is not None
    assert what_to_fix(MqttConnectError(5), "b") is not None
    assert what_to_fix(aiomqtt.MqttCodeError(4, "publish failed"), "b") is None, "retried, not given up"
    assert what_to_fix(aiomqtt.MqttCodeError(7, "connection lost"), "b") is None

"""MQTT publisher figures: sustained messages per second, and what a stalled broker costs the session.

* throughput: the publisher against a local mosquitto, its outbox kept full of QoS 1 events
  for ``--seconds``; a subscriber counts what arrives.
* sample lateness: a 15-minute recorded session replayed at ``--speed``x through the session
  engine, with a consumer beside the publisher noting how late each item is handled against
  the replay's clock. Four runs: no broker at all; our publisher with a healthy broker; our
  publisher with a stalled broker (mosquitto stopped with SIGSTOP after the connection, so
  every publish hangs); and, for comparison, a naive publisher that awaits each publish
  inside ``handle()`` (the pattern the issue warns about) with the same stalled broker.

Needs mosquitto (apt-get install mosquitto). Run: ``python -m bench.mqtt_bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import aiomqtt

from tests.mqtt_broker import Broker
from tests.mqtt_support import Lateness
from treadmill.model import CoachEventKind
from treadmill.mqtt.connection import client_for
from treadmill.mqtt.publisher import MqttPublisher
from treadmill.mqtt.settings import MqttSettings
from treadmill.session.coach import CoachEvent
from treadmill.session.consumer import Consumer, Overflow, SessionItem
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.fixtures import read_fixture

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "guided-beginner.jsonl"


class Timed:
    """A consumer wrapped so that each item's lateness is noted as it reaches it."""

    overflow = Overflow.NEVER_DROP
    capacity = 100_000

    def __init__(self, inner: Consumer, speed: float) -> None:
        self.inner = inner
        self.name = inner.name
        self.clock = Lateness(speed)

    async def handle(self, item: SessionItem) -> None:
        await self.clock.handle(item)
        await self.inner.handle(item)

    async def close(self, error: str | None) -> None:
        await self.inner.close(error)


class InlinePublisher:
    """The naive way: publish the sample inside handle() and wait for the broker."""

    name = "inline"
    overflow = Overflow.NEVER_DROP
    capacity = 100_000

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client

    async def handle(self, item: SessionItem) -> None:
        if hasattr(item, "speed_kmh"):
            payload = json.dumps({"t": item.t, "speed_kmh": item.speed_kmh}).encode()
            await self.client.publish("naive/state", payload, qos=1)

    async def close(self, error: str | None) -> None:
        """Nothing to release."""


async def throughput(broker: Broker, seconds: float) -> tuple[float, float]:
    """(messages/s sent, share of the events a subscriber received) with the outbox never empty."""
    settings = MqttSettings(
        host="127.0.0.1", port=broker.port, device_id="bench", queue=20_000, discovery=False
    )
    received = 0
    async with aiomqtt.Client("127.0.0.1", broker.port) as sub:
        await sub.subscribe("treadmill/bench/event", qos=1)

        async def count() -> None:
            nonlocal received
            async for _ in sub.messages:
                received += 1

        counter = asyncio.create_task(count())
        publisher = MqttPublisher(settings)
        async with publisher:
            await connected(publisher)
            start, sent0, n = time.perf_counter(), publisher.sent, 0
            while time.perf_counter() - start < seconds:
                while len(publisher._events) < 5_000:  # noqa: SLF001 (keep the outbox full)
                    publisher.coach_event(CoachEvent(float(n), CoachEventKind.MESSAGE, f"message {n}"))
                    n += 1
                await asyncio.sleep(0.01)
            wall = time.perf_counter() - start
            sent = publisher.sent - sent0
        delivered = n - publisher.dropped  # every event queued and not dropped went out on the way
        deadline = time.perf_counter() + 5.0
        while received < delivered and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        counter.cancel()
    return sent / wall, received / max(delivered, 1)


async def lateness_run(
    publisher: Consumer | None, speed: float, timeout_s: float = 60.0
) -> tuple[Lateness, Lateness | None]:
    """(lateness at a consumer beside the publisher, lateness at the publisher itself)."""
    beside = Lateness(speed)
    timed = None if publisher is None else Timed(publisher, speed)
    consumers: list[Consumer] = [beside] if timed is None else [timed, beside]
    session = Session(ReplaySource(read_fixture(FIXTURE), speed=speed), consumers)
    with contextlib.suppress(TimeoutError):  # the naive publisher never catches up with a stalled broker
        await asyncio.wait_for(session.run(), timeout_s)
    return beside, None if timed is None else timed.clock


def percentiles(late: Lateness) -> tuple[float, float, float]:
    """Median, p99 and max lateness in ms."""
    values = sorted(late.late)
    return (
        1000 * statistics.median(values),
        1000 * values[int(0.99 * (len(values) - 1))],
        1000 * values[-1],
    )


def figures(late: Lateness | None, total: int) -> str:
    if late is None or not late.late:
        return "-"
    median, p99, top = percentiles(late)
    reached = "" if len(late.late) == total else f", only {len(late.late)} of {total} items reached it"
    return f"median {median:7.2f}  p99 {p99:8.2f}  max {top:9.2f} ms{reached}"


def stall(broker: Broker) -> None:
    assert broker.process is not None
    os.kill(broker.process.pid, signal.SIGSTOP)


def unstall(broker: Broker) -> None:
    assert broker.process is not None
    os.kill(broker.process.pid, signal.SIGCONT)


async def main(seconds: float, speed: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        broker = Broker(Path(folder)).start()
        try:
            sent, got = await throughput(broker, seconds)
            print(
                f"throughput over {seconds:g} s: {sent:,.0f} QoS 1 messages/s sent; "
                f"a subscriber received {got:.1%} of the events"
            )
            settings = MqttSettings(host="127.0.0.1", port=broker.port, device_id="bench")
            print(
                f"lateness against the replay's schedule at {speed:g}x (ms): "
                "beside the publisher | at the publisher"
            )
            base, _ = await lateness_run(None, speed)
            total = len(base.late)
            print(f"  no broker               {figures(base, total)}")
            healthy = MqttPublisher(settings)
            async with healthy:
                await connected(healthy)
                beside, at = await lateness_run(healthy, speed)
            print(
                f"  ours, healthy broker    {figures(beside, total)} | {figures(at, total)}"
                f"  ({healthy.sent} sent)"
            )
            stalled = MqttPublisher(settings)
            async with stalled:
                await connected(stalled)
                stall(broker)
                before = stalled.sent
                beside_stalled, at_stalled = await lateness_run(stalled, speed)
                during = stalled.sent - before
                unstall(broker)
            print(
                f"  ours, stalled broker    {figures(beside_stalled, total)} | {figures(at_stalled, total)}"
                f"  ({during} sent while stalled)"
            )
            async with client_for(settings, "naive-bench") as client:
                stall(broker)
                try:
                    naive_beside, naive_at = await lateness_run(
                        InlinePublisher(client), speed, timeout_s=20.0
                    )
                finally:
                    unstall(broker)
            print(f"  inline, stalled broker  {figures(naive_beside, total)} | {figures(naive_at, total)}")
            assert at_stalled is not None
            for name, ours, none in zip(
                ("median", "p99"), percentiles(at_stalled), percentiles(base), strict=False
            ):
                print(f"stalled broker vs no broker, {name}: {ours:.2f} ms vs {none:.2f} ms")
        finally:
            broker.stop()


async def connected(publisher: MqttPublisher) -> None:
    while publisher.status.state != "connected":
        await asyncio.sleep(0.01)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run length")
    parser.add_argument("--speed", type=float, default=60.0, help="replay speed for the lateness runs")
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.speed))

"""Soak: one hour of virtual session through the real bleak API, with forced disconnects.

The virtual treadmill (with strap and footpod) runs an hour of session time at 40x over
Bumble's virtual link; the treadmill drops the link 20 times and sends garbage after each
reconnect, and the app sets a target speed every 30 s. Printed: that nothing crashed; that
every frame that arrived is accounted for (decoded + counted bad) and that what was sent
on a live link arrived; reconnect time, notification-to-sample latency and control round
trip (median, p95).

Run: ``python -m bench.ble_soak`` (about 90 s; ``--time-scale`` to change).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import time

from bench.evaluation import median_p95
from treadmill.ble.backend import BleBackend
from treadmill.ble.client import ClientOptions, FtmsClient
from treadmill.ble.virtual_link import VirtualRadio
from treadmill.clock import SessionClock
from treadmill.errors import ControlError
from treadmill.model import Frame, LinkEvent
from treadmill.session.decoding import SampleDecoder
from treadmill.virtual.peripheral import PeripheralOptions, VirtualTreadmill
from treadmill.virtual.runner import RunnerPlan
from treadmill.virtual.world import VirtualWorld


def quantiles(values: list[float]) -> str:
    """Median and p95, in milliseconds."""
    if not values:
        return "n/a"
    median, p95 = median_p95(values)
    return f"median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms (n={len(values)})"


class Soak:
    """One soak run: a treadmill, a client, and three loops that stress them."""

    def __init__(self, session_s: float, time_scale: float, disconnects: int, seed: int) -> None:
        self.session_s = session_s
        self.disconnects = disconnects
        self.rng = random.Random(seed)
        self.seed = seed
        self.radio = VirtualRadio()
        self.clock = SessionClock(time_scale)
        self.world = VirtualWorld(seed=seed, plan=RunnerPlan.demo(rounds=30), duration_s=session_s)
        self.decoder = SampleDecoder()
        self.latencies: list[float] = []
        self.garbage_sent = 0

    async def consume(self, client: FtmsClient, treadmill: VirtualTreadmill) -> None:
        while True:
            item = await client.get()
            if isinstance(item, LinkEvent):
                self.decoder.on_event(item)
            elif self.decoder.feed(item) is not None:
                self.latencies.append(time.perf_counter() - treadmill.last_data_perf)

    async def disrupt(self, treadmill: VirtualTreadmill) -> None:
        for k in range(1, self.disconnects + 1):
            at = k * self.session_s / (self.disconnects + 1)
            await self.clock.sleep_until(at)
            await treadmill.drop_link()
            await self.clock.sleep_until(at + 20)
            for _ in range(3):
                await treadmill.send_raw(self.rng.randbytes(self.rng.randint(0, 3)))
                self.garbage_sent += 1

    async def steer(self, client: FtmsClient) -> None:
        t = 30.0
        while t < self.session_s:
            await self.clock.sleep_until(t)
            with contextlib.suppress(ControlError):  # the link may be down just then; the soak goes on
                await client.set_target_speed(round(self.rng.uniform(2.0, 8.0), 1))
            t += 30.0

    async def run(self) -> tuple[FtmsClient, VirtualTreadmill]:
        options = PeripheralOptions(notify_hz=1.0, strap=True, footpod=True, split_payload=14)
        async with VirtualTreadmill(self.radio.device, self.world, self.clock, options) as treadmill:
            client = FtmsClient(
                treadmill.address,
                backend=BleBackend.on_radio(self.radio),
                clock=self.clock,
                strap=treadmill.strap_address,
                footpod=treadmill.footpod_address,
                options=ClientOptions(backoff_initial_s=0.05, backoff_max_s=1.0),
                seed=self.seed,
            )
            async with client, asyncio.TaskGroup() as tasks:
                loops = [
                    tasks.create_task(self.consume(client, treadmill)),
                    tasks.create_task(self.disrupt(treadmill)),
                    tasks.create_task(self.steer(client)),
                ]
                await self.clock.sleep_until(self.session_s)
                for task in loops:
                    task.cancel()
            # The client is closed: nothing arrives any more, so what is queued is the rest.
            for item in client.pending_items():
                if isinstance(item, Frame):
                    self.decoder.feed(item)
        return client, treadmill


def report(soak: Soak, client: FtmsClient, treadmill: VirtualTreadmill, wall: float) -> None:
    arrived = sum(client.stats.frames.values())
    seen = sum(soak.decoder.stats.frames.values())
    bad = sum(soak.decoder.stats.bad_frames.values())
    sent = sum(treadmill.sent.values()) + soak.garbage_sent
    stats = soak.decoder.stats
    speedup = soak.session_s / wall
    reconnects = len(client.stats.reconnect_wall_s)
    print(f"session: {soak.session_s / 3600:.1f} h of session time in {wall:.1f} s wall ({speedup:.0f}x)")
    print(f"forced disconnects: {soak.disconnects}; reconnects: {reconnects}; crashes: none")
    print(
        f"frames sent on a live link: {sent:,} (incl. {soak.garbage_sent} garbage); arrived: {arrived:,}",
        end="",
    )
    print(f" ({sent - arrived} in flight when a link was dropped)")
    print(f"accounted for: {seen:,} of {arrived:,} arrived ({seen - bad:,} decoded + {bad} counted bad)")
    print(f"samples: {stats.samples:,}; half-merged records dropped at disconnects: {stats.dropped_parts}")
    print(f"reconnect time: {quantiles(client.stats.reconnect_wall_s)}")
    print(f"notification-to-sample latency (bleak API, split records): {quantiles(soak.latencies)}")
    print(f"control round trip (set target speed): {quantiles(client.stats.control_wall_s)}")
    if seen != arrived:
        raise SystemExit(f"FAILED: {arrived - seen} frames unaccounted for")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--time-scale", type=float, default=40.0)
    parser.add_argument("--disconnects", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # A notification racing a forced disconnect makes Bumble log a harmless warning (pitfall 9).
    logging.getLogger("bumble").setLevel(logging.ERROR)
    soak = Soak(args.hours * 3600, args.time_scale, args.disconnects, args.seed)
    started = time.perf_counter()
    client, treadmill = asyncio.run(soak.run())
    report(soak, client, treadmill, time.perf_counter() - started)


if __name__ == "__main__":
    main()

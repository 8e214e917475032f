"""pyftms (the FTMS library behind Home Assistant's integration) against `treadmill simulate`.

Runs inside a Python 3.12+ environment where pyftms is installed; ``bench.pyftms_interop``
makes that environment and starts the simulator. bleak is pointed at our Bumble backend on
the given HCI transport, so pyftms goes through real discovery, GATT and notifications.

Every Treadmill Data part is also fed to our own assembler and decoder: when a record is
complete, the fields pyftms merged are compared with ours. One JSON line goes to stdout.

Run: ``python -m bench.pyftms_client HCI_SPEC SECONDS`` (from ``bench.pyftms_interop``).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import bleak
import pyftms
from pyftms.client.backends.updater import DataUpdater

from treadmill.ble.virtual_link import BumbleClient, BumbleScanner, VirtualRadio
from treadmill.ftms.assembler import RecordAssembler
from treadmill.ftms.treadmill_data import TreadmillData

# pyftms's name for a Treadmill Data field (FTMS v1.0.1 §4.9.1) -> ours.
FIELDS = {
    "speed_instant": "instantaneous_speed_kmh",
    "speed_average": "average_speed_kmh",
    "distance_total": "total_distance_m",
    "inclination": "inclination_pct",
    "ramp_angle": "ramp_angle_deg",
    "elevation_gain_positive": "positive_elevation_gain_m",
    "elevation_gain_negative": "negative_elevation_gain_m",
    "energy_total": "total_energy_kcal",
    "energy_per_hour": "energy_per_hour_kcal",
    "energy_per_minute": "energy_per_minute_kcal",
    "heart_rate": "heart_rate_bpm",
    "metabolic_equivalent": "metabolic_equivalent",
    "time_elapsed": "elapsed_time_s",
    "time_remaining": "remaining_time_s",
    "force_on_belt": "force_on_belt_n",
    "power_output": "power_output_w",
    "step_count": "step_count",
}


class Comparison:
    """Each part through our assembler too; each whole record compared with pyftms's merge."""

    def __init__(self) -> None:
        self.assembler = RecordAssembler()
        self.parts = 0
        self.split_records = 0
        self.records = 0
        self.fields_compared = 0
        self.disagreements: list[str] = []
        self._merged: dict[str, Any] = {}
        self._parts_in_record = 0

    def part(self, raw: bytes, theirs: dict[str, Any]) -> None:
        self.parts += 1
        self._parts_in_record += 1
        self._merged |= theirs
        ours = self.assembler.feed(raw)
        if ours is None:
            return
        self.records += 1
        self.split_records += self._parts_in_record > 1
        self.compare(self._merged, ours)
        self._merged, self._parts_in_record = {}, 0

    def compare(self, theirs: dict[str, Any], ours: TreadmillData) -> None:
        for their_name, value in theirs.items():
            if their_name not in FIELDS:
                continue
            mine = getattr(ours, FIELDS[their_name])
            self.fields_compared += 1
            if value is not None and mine is not None and abs(float(value) - float(mine)) < 1e-6:
                continue
            if value is None and mine is None:
                continue
            self.disagreements.append(f"{their_name}: pyftms {value!r}, ours {mine!r}")


def point_bleak_at(radio: VirtualRadio) -> None:
    """Make bleak's default backend our Bumble one on this radio (pyftms builds its own clients)."""

    class Client(BumbleClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("kwargs", None)
            super().__init__(*args, radio=radio, **kwargs)

    class Scanner(BumbleScanner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("kwargs", None)
            super().__init__(*args, radio=radio, **kwargs)

    bleak.get_platform_client_backend_type = lambda: (Client, "bumble")  # type: ignore[attr-defined,assignment,return-value]
    bleak.get_platform_scanner_backend_type = lambda: (Scanner, "bumble")  # type: ignore[attr-defined,assignment,return-value]


def tap_updates(comparison: Comparison) -> None:
    """See each raw part and what pyftms made of it, before pyftms merges it."""
    original = DataUpdater._on_notify

    def on_notify(self: DataUpdater, characteristic: Any, data: bytearray) -> None:
        comparison.part(bytes(data), self._serializer.deserialize(data)._asdict())
        original(self, characteristic, data)

    DataUpdater._on_notify = on_notify


async def main(spec: str, seconds: float) -> dict[str, Any]:
    radio = VirtualRadio(spec)
    point_bleak_at(radio)
    comparison = Comparison()
    tap_updates(comparison)
    events: list[str] = []
    started = time.perf_counter()
    try:
        found = [d async for d in pyftms.discover_ftms_devices(discover_time=2.0)]
        if not found:
            return {"error": "pyftms found no fitness machine"}
        device, machine_type = found[0]
        machine = pyftms.get_client(device, machine_type, on_ftms_event=lambda e: events.append(e.event_id))
        await machine.connect()
        connected_s = time.perf_counter() - started
        results = {
            "pause": await machine.pause(),
            "start_resume": await machine.start_resume(),
            "set_target_speed": await machine.set_target_speed(6.5),
            "set_target_inclination": await machine.set_target_inclination(2.0),
            "set_target_speed_too_fast": await machine.set_target_speed(90.0),
        }
        await asyncio.sleep(seconds)
        info = dict(machine.device_info)
        ranges = {name: list(r) for name, r in machine.supported_ranges.items()}
        properties = machine.supported_properties
        await machine.disconnect()
    finally:
        await radio.aclose()
    return {
        "machine_type": machine_type.name,
        "connected_s": round(connected_s, 3),
        "device_info": info,
        "supported_properties": properties,
        "ranges": ranges,
        "control_results": {name: code.name for name, code in results.items()},
        "events": {kind: events.count(kind) for kind in sorted(set(events))},
        "parts": comparison.parts,
        "records": comparison.records,
        "split_records": comparison.split_records,
        "fields_compared": comparison.fields_compared,
        "disagreements": comparison.disagreements[:20],
        "disagreement_count": len(comparison.disagreements),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], float(sys.argv[2])))))

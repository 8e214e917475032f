"""Pick the treadmill (and a heart-rate strap or footpod) from a live scan.

The scan runs again and again in a worker; the table keeps every device seen, with its
kind and signal, the ones used last time marked and offered first.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from treadmill.ble.scan import DeviceKind, FoundDevice, scan
from treadmill.errors import TreadmillError
from treadmill.inputs import printable
from treadmill.model import Sensor
from treadmill.session.options import VirtualOptions
from treadmill.session.sources import radio
from treadmill.storage.known_devices import KnownDevice, remember, remembered


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """The devices picked: a treadmill, and maybe a strap and a footpod."""

    treadmill: str
    strap: str | None = None
    footpod: str | None = None


class DevicePicker(Screen[DeviceChoice]):
    """Enter on a treadmill picks it; enter on a strap or footpod adds (or drops) it; c goes on."""

    BINDINGS = [  # noqa: RUF012
        Binding("enter", "choose", "Pick", priority=True),
        Binding("c", "go_on", "Continue"),
    ]

    def __init__(self, *, virtual: bool = False, hci: str | None = None, config: Path | None = None) -> None:
        super().__init__()
        self.virtual = virtual
        self.hci = hci
        self.config = config
        self.found: dict[str, FoundDevice] = {}
        self.known = remembered(config)
        self.choice: dict[Sensor, str] = {
            kind: device.address for kind, device in self.known.items() if kind is Sensor.TREADMILL
        }

    def compose(self) -> ComposeResult:
        """Heading, the table of devices, the current choice."""
        where = "the built-in virtual radio" if self.virtual else "Bluetooth"
        yield Static(f"[b]Pick your treadmill[/] · scanning {where}…", id="heading")
        yield DataTable(id="devices", cursor_type="row", zebra_stripes=True)
        yield Static("", id="choice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Columns, then the scan loop."""
        table = self.query_one("#devices", DataTable)
        table.add_column("kind", key="kind")
        table.add_column("name", key="name")
        table.add_column("address", key="address")
        table.add_column("signal", key="signal")
        table.add_column("", key="mark")
        table.focus()
        self._show_choice()
        self.scan_loop()

    @work(exclusive=True, group="scan")
    async def scan_loop(self) -> None:
        """Scan in short rounds until the screen goes; errors are shown with what to do."""
        heading = self.query_one("#heading", Static)
        try:
            async with radio(virtual=VirtualOptions() if self.virtual else None, hci=self.hci) as opened:
                rounds = 0
                while True:
                    for device in await scan(0.5 if self.virtual else 2.0, opened.backend):
                        self._add(device)
                    rounds += 1
                    heading.update(
                        f"[b]Pick your treadmill[/] · {len(self.found)} found · scan {rounds} · "
                        "enter picks, c continues"
                    )
                    await asyncio.sleep(0.2)
        except TreadmillError as exc:
            heading.update(f"[b red]Cannot scan:[/] {exc}\nq quits; fix it and start again.")
        except NoMatches:  # the screen was closed while a round was under way
            return

    def _add(self, device: FoundDevice) -> None:
        table = self.query_one("#devices", DataTable)
        signal = "?" if device.rssi is None else f"{device.rssi} dBm"
        last = " ".join("★ last used" for known in self.known.values() if known.address == device.address)
        row = (
            device.kind.value,
            printable(device.name or "?")[:30],
            printable(device.address)[:20],
            signal,
            last,
        )
        if device.address in self.found:
            table.update_cell(device.address, "signal", signal)
        else:
            table.add_row(*row, key=device.address)
        self.found[device.address] = device
        sensor = device.kind.sensor
        if sensor is not None and sensor is not Sensor.TREADMILL and sensor in self.known:
            self.choice.setdefault(sensor, self.known[sensor].address)
        self._show_choice()

    def _show_choice(self) -> None:
        names = []
        for kind in Sensor:
            address = self.choice.get(kind)
            if address is not None:
                device = self.found.get(address)
                name = printable(device.name if device and device.name else address)[:30]
                names.append(f"{kind.value}: [b]{name}[/]")
        self.query_one("#choice", Static).update(
            "Picked: " + (" · ".join(names) if names else "nothing yet") + "   (c to continue)"
        )

    def action_choose(self) -> None:
        """Pick the highlighted device (a strap or footpod toggles)."""
        table = self.query_one("#devices", DataTable)
        if table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        device = self.found.get(key or "")
        if device is None:
            return
        kind = device.kind.sensor
        if kind is None or device.kind is DeviceKind.FITNESS_MACHINE:
            self.notify("That machine says it is not a treadmill.", severity="warning")
            return
        if kind is not Sensor.TREADMILL and self.choice.get(kind) == device.address:
            del self.choice[kind]
        else:
            self.choice[kind] = device.address
        self._show_choice()
        if device.kind is DeviceKind.TREADMILL:
            self.notify(f"Treadmill: {device.name or device.address}. Add a strap or footpod, or c.")

    def action_go_on(self) -> None:
        """Continue with the picked devices (a treadmill is needed)."""
        treadmill = self.choice.get(Sensor.TREADMILL)
        if treadmill is None:
            self.notify("Pick a treadmill first (enter on its row).", severity="warning")
            return
        picked = [
            KnownDevice(kind, address, getattr(self.found.get(address), "name", None))
            for kind, address in self.choice.items()
        ]
        remember(picked, self.config)
        self.workers.cancel_group(self, "scan")  # a round that ends now must not touch a closing screen
        self.dismiss(
            DeviceChoice(treadmill, self.choice.get(Sensor.HEART_RATE), self.choice.get(Sensor.FOOTPOD))
        )

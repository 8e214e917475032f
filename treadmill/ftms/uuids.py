"""Bluetooth UUIDs this app uses, and their one spelling in fixtures and on the CLI.

Bluetooth SIG 16-bit UUIDs sit in the base UUID ``0000xxxx-0000-1000-8000-00805f9b34fb``
(Core Vol 3 Part B §2.5.1). Fixtures and ``treadmill decode`` name them by the four
lowercase hex digits (docs/formats.md); any other UUID keeps its full lowercase form.
"""

from __future__ import annotations

import re

__all__ = [
    "CHARACTERISTIC_NAMES",
    "CONTROL_POINT",
    "FEATURE",
    "FITNESS_MACHINE_SERVICE",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "INCLINATION_RANGE",
    "MACHINE_STATUS",
    "RSC_FEATURE",
    "RSC_MEASUREMENT",
    "RSC_SERVICE",
    "SPEED_RANGE",
    "TRAINING_STATUS",
    "TREADMILL_DATA",
    "full_uuid",
    "short_uuid",
]

FITNESS_MACHINE_SERVICE = "1826"
HEART_RATE_SERVICE = "180d"
RSC_SERVICE = "1814"

TREADMILL_DATA = "2acd"
FEATURE = "2acc"
TRAINING_STATUS = "2ad3"
SPEED_RANGE = "2ad4"
INCLINATION_RANGE = "2ad5"
CONTROL_POINT = "2ad9"
MACHINE_STATUS = "2ada"
HEART_RATE_MEASUREMENT = "2a37"
RSC_MEASUREMENT = "2a53"
RSC_FEATURE = "2a54"

CHARACTERISTIC_NAMES: dict[str, str] = {
    TREADMILL_DATA: "treadmill_data",
    FEATURE: "fitness_machine_feature",
    TRAINING_STATUS: "training_status",
    SPEED_RANGE: "supported_speed_range",
    INCLINATION_RANGE: "supported_inclination_range",
    CONTROL_POINT: "fitness_machine_control_point",
    MACHINE_STATUS: "fitness_machine_status",
    HEART_RATE_MEASUREMENT: "heart_rate_measurement",
    RSC_MEASUREMENT: "rsc_measurement",
    FITNESS_MACHINE_SERVICE: "ftms_service_data",
}
_BY_NAME = {name: uuid for uuid, name in CHARACTERISTIC_NAMES.items()}
_BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_FULL = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def short_uuid(text: str) -> str:
    """The canonical spelling: ``2acd`` for SIG UUIDs, full lowercase otherwise.

    Accepts ``2acd``, ``0x2ACD``, ``00002acd-0000-1000-8000-00805f9b34fb``, the same
    without dashes, and the snake_case names in :data:`CHARACTERISTIC_NAMES`.

    Raises:
        ValueError: for anything else.
    """
    value = text.strip().lower()
    if value in _BY_NAME:
        return _BY_NAME[value]
    value = value.removeprefix("0x")
    if len(value) == 32 and "-" not in value:
        value = f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    if re.fullmatch(r"[0-9a-f]{4}", value):
        return value
    if _FULL.match(value):
        if value.startswith("0000") and value.endswith(_BASE_SUFFIX):
            return value[4:8]
        return value
    raise ValueError(f"not a Bluetooth UUID: {text!r}")


def full_uuid(short: str) -> str:
    """The 128-bit form of a canonical UUID (what bleak reports)."""
    return f"0000{short}{_BASE_SUFFIX}" if len(short) == 4 else short

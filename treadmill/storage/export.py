"""Export a session to FIT, TCX and CSV, with one lap per interval.

No format has a field for walking backward, so the direction goes where each format's
readers show text (docs/export.md):

* FIT (encoded with Garmin's own SDK, ``garmin-fit-sdk``): an activity, sport running
  (sub-sport treadmill) or walking (sub-sport indoor walking), one record per second with
  cumulative distance (so Strava and Garmin Connect draw pace), one lap per interval; each
  lap has an intensity that tells the directions apart where Garmin Connect shows a lap's
  step type (forward ``active``, backward ``interval``, stopped ``rest``, unsure ``other``)
  and points (``wkt_step_index``) to a workout step named after its direction ("Reverse 2"),
  the way structured workouts name their laps. Laps and the session carry their heart rate,
  cadence, speed and ascent summaries, and the laps' calories add up to the session's. As
  Garmin's activity-file guidance asks: a ``device_info`` for the app and one per sensor,
  the activity's local time, a serial number unique to the installation, and a session
  that starts with its first lap and record;
* TCX: one ``Lap`` per interval whose ``Notes`` say the direction; a walk is sport "Other"
  (TCX has only Running, Biking and Other) with "Walking" in the activity's notes;
* CSV: one row per sample with a ``direction`` and an ``interval`` column; one time format
  and a fixed number of decimals per column (at least one for every number), so every file
  reads with the same types whatever it holds.

A heart rate of 0 is not a reading (a treadmill sends 0 when nobody holds the grips): the
timeline has none, so no format writes one, and a lap's average is over real readings.
"""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from garmin_fit_sdk import Encoder, Profile

from treadmill import __version__
from treadmill.core.intervals import per_sample, run_starts
from treadmill.core.pipeline import Pipeline
from treadmill.core.timeline import CODE, DIRECTIONS, FloatArray, LabelArray, Timeline
from treadmill.errors import TreadmillError
from treadmill.ftms.uuids import HEART_RATE_MEASUREMENT, RSC_MEASUREMENT, TREADMILL_DATA
from treadmill.model import Direction, Sensor
from treadmill.storage.export_formats import ExportFormat
from treadmill.storage.files import write_new

__all__ = ["Activity", "Device", "ExportError", "ExportFormat", "Lap", "devices_seen", "render", "write"]

RUNNING_FROM_KMH = 7.5
"""A session whose moving average is at or above this is a run, below it a walk."""
_TCX = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
_TCX_EXT = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
"""FIT's date_time counts seconds from here in a uint32 (FIT SDK, Profile: date_time)."""
FIT_LAST = FIT_EPOCH + timedelta(seconds=0xFFFFFFFE)
_FIT_MAX_SPEED_MPS = 65.534
"""FIT's speed: uint16, scale 1000 (0xFFFF is "invalid")."""
_FIT_MAX_BPM = 254
"""FIT's heart_rate: uint8 (0xFF is "invalid")."""


class ExportError(TreadmillError, ValueError):
    """A session that cannot be written in a format without changing what it says (its dates)."""


@dataclass(frozen=True, slots=True)
class Lap:
    """One interval as a lap."""

    index: int
    start_s: float
    end_s: float
    direction: Direction
    distance_m: float
    kcal: float
    avg_speed_kmh: float
    max_speed_kmh: float
    avg_heart_rate_bpm: float | None
    max_heart_rate_bpm: float | None = None
    avg_cadence_per_min: float | None = None
    max_cadence_per_min: float | None = None
    ascent_m: float = 0.0

    @property
    def name(self) -> str:
        """What the lap is called in every format: its direction and its number in that direction."""
        return f"{self.direction.value.capitalize()} {self.index}"

    @property
    def intensity(self) -> str:
        """The FIT intensity that tells this lap's direction apart (Garmin Connect's step type)."""
        return _INTENSITY[self.direction]


_INTENSITY = {
    Direction.FORWARD: "active",
    Direction.REVERSE: "interval",
    Direction.STOPPED: "rest",
    Direction.UNSURE: "other",
}
"""FIT's intensity per direction (FIT profile, enum ``intensity``): Garmin Connect lists a lap's
step type from it, so backward laps stand apart from forward ones (docs/export.md)."""


@dataclass(frozen=True, slots=True)
class Device:
    """A device the session's data came from (a FIT ``device_info``)."""

    sensor: Sensor
    name: str = ""


_SENSOR_OF_CHAR = {
    TREADMILL_DATA: Sensor.TREADMILL,
    HEART_RATE_MEASUREMENT: Sensor.HEART_RATE,
    RSC_MEASUREMENT: Sensor.FOOTPOD,
}


def devices_seen(frame_chars: Iterable[str], treadmill_name: str = "") -> tuple[Device, ...]:
    """The devices behind a session's frames (by the characteristics they sent), treadmill first."""
    sensors = {_SENSOR_OF_CHAR[c] for c in frame_chars if c in _SENSOR_OF_CHAR}
    order = (Sensor.TREADMILL, Sensor.HEART_RATE, Sensor.FOOTPOD)
    return tuple(Device(s, treadmill_name if s is Sensor.TREADMILL else "") for s in order if s in sensors)


@dataclass(frozen=True, slots=True)
class Activity:
    """A session, ready to write: per-sample columns and the laps."""

    started_at: datetime
    timeline: Timeline
    cumulative_m: FloatArray
    laps: list[Lap]
    lap_of: np.ndarray
    """For each sample, the index of its lap in :attr:`laps`."""
    devices: tuple[Device, ...] = ()
    serial_number: int = 1
    """The installation's (:mod:`treadmill.storage.installation`): FIT names its creator by it."""

    @property
    def labels(self) -> LabelArray:
        """The direction code of each sample."""
        return self.timeline.labels

    @property
    def sport(self) -> str:
        """``running`` or ``walking``, from the moving average speed."""
        moving = (self.labels != CODE[Direction.STOPPED]) & np.isfinite(self.timeline.speed_kmh)
        average = float(np.mean(self.timeline.speed_kmh[moving])) if moving.any() else 0.0
        return "running" if average >= RUNNING_FROM_KMH else "walking"

    @classmethod
    def from_pipeline(
        cls,
        pipeline: Pipeline,
        started_at: datetime,
        *,
        devices: tuple[Device, ...] = (),
        serial_number: int = 1,
    ) -> Activity:
        """Laps from the intervals the session's detector found, numbers under the summary's rules."""
        timeline = pipeline.timeline
        costs = per_sample(timeline, pipeline.body)
        steps = costs.metres
        cumulative = np.concatenate(([0.0], np.cumsum(steps)[:-1])) if len(steps) else np.zeros(0)
        laps: list[Lap] = []
        counts = dict.fromkeys(DIRECTIONS, 0)
        lap_of = np.zeros(len(timeline), dtype=np.int64)
        starts = run_starts(timeline.labels)
        climb = steps * np.clip(np.nan_to_num(timeline.incline_pct, nan=0.0), 0.0, None) / 100.0
        for begin, end in zip(starts, [*starts[1:], len(timeline)], strict=True):
            lap_of[begin:end] = len(laps)
            direction = DIRECTIONS[timeline.labels[begin]]
            counts[direction] += 1
            speed = np.nan_to_num(timeline.speed_kmh[begin:end], nan=0.0)
            hr = _readings(timeline.heart_rate_bpm[begin:end])
            cadence = _readings(timeline.cadence_per_min[begin:end])
            laps.append(
                Lap(
                    index=counts[direction],
                    start_s=float(timeline.t[begin]),
                    end_s=float(timeline.t[end] if end < len(timeline) else timeline.t[-1] + costs.dt[-1]),
                    direction=direction,
                    distance_m=float(steps[begin:end].sum()),
                    kcal=float(costs.kcal_mid[begin:end].sum()),
                    avg_speed_kmh=float(speed.mean()),
                    max_speed_kmh=float(speed.max()),
                    avg_heart_rate_bpm=float(np.mean(hr)) if len(hr) else None,
                    max_heart_rate_bpm=float(np.max(hr)) if len(hr) else None,
                    avg_cadence_per_min=float(np.mean(cadence)) if len(cadence) else None,
                    max_cadence_per_min=float(np.max(cadence)) if len(cadence) else None,
                    ascent_m=float(climb[begin:end].sum()),
                )
            )
        return cls(started_at, timeline, cumulative, laps, lap_of, devices, serial_number)

    def time_at(self, t: float) -> datetime:
        """Wall-clock time of session time ``t``."""
        return self.started_at + timedelta(seconds=t)

    def lap_calories(self) -> list[int]:
        """Each lap's whole kcal, rounded so that they add up to the session's rounded total.

        Largest remainders: a lap rounded on its own would let 12 laps of 4.4 kcal (53 in all)
        sum to 48, and readers that add the laps up disagree with the session.
        """
        exact = [lap.kcal for lap in self.laps]
        whole = [math.floor(k) for k in exact]
        short = round(sum(exact)) - sum(whole)
        by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - whole[i], reverse=True)
        for i in by_remainder[: max(short, 0)]:
            whole[i] += 1
        return whole

    def per_second(self) -> list[int]:
        """The samples written as FIT records: the last of each whole second of the clock.

        A FIT record's timestamp counts whole seconds; two records in the same second would carry
        the same time (at 2 Hz, half of them did), which readers take as a duplicate.
        """
        seconds = [math.floor((self.time_at(float(t)) - FIT_EPOCH).total_seconds()) for t in self.timeline.t]
        return [k for k in range(len(seconds)) if k + 1 == len(seconds) or seconds[k + 1] != seconds[k]]

    @property
    def start_s(self) -> float:
        """Session time of the first sample: where the first lap, the first record and the session begin."""
        return self.laps[0].start_s if self.laps else 0.0

    @property
    def end_s(self) -> float:
        """Session time at which the last lap ends."""
        return self.laps[-1].end_s if self.laps else 0.0


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else value


def _reading(bpm: float) -> float | None:
    """A heart rate, or None for no reading (NaN, or 0 from a treadmill nobody holds)."""
    return bpm if np.isfinite(bpm) and bpm > 0 else None


def _readings(values: FloatArray) -> FloatArray:
    """The real readings among ``values`` (NaN and 0 are none)."""
    return values[np.isfinite(values) & (values > 0)]


def _local_timestamp(moment: datetime) -> int:
    """FIT's local_date_time: seconds from FIT's epoch on this machine's local clock at ``moment``."""
    offset = moment.astimezone().utcoffset() or timedelta(0)
    return math.floor((moment - FIT_EPOCH + offset).total_seconds())  # whole seconds, as the encoder does


_FIT_DEVICE = {
    Sensor.TREADMILL: ("FTMS treadmill", None),
    Sensor.HEART_RATE: ("heart-rate strap", 1),
    Sensor.FOOTPOD: ("footpod", 6),
}
"""Each sensor's FIT description and ``ble_device_type`` (heart_rate 1, footpod 6; none for a treadmill)."""


def _fit_devices(activity: Activity, at: datetime) -> list[dict[str, object]]:
    """``device_info`` for the app (the creator) and for each sensor the data came from."""
    mesg = Profile["mesg_num"]["DEVICE_INFO"]
    major, minor = (int(part) for part in [*__version__.split("."), "0"][:2])
    out: list[dict[str, object]] = [
        {
            "mesg_num": mesg,
            "timestamp": at,
            "device_index": "creator",
            "manufacturer": "development",
            "product": 1,
            "serial_number": activity.serial_number,
            "software_version": major * 100 + minor,
            "source_type": "local",
            "product_name": "Treadmill Companion",
        }
    ]
    for index, device in enumerate(activity.devices, start=1):
        description, ble_type = _FIT_DEVICE[device.sensor]
        info: dict[str, object] = {
            "mesg_num": mesg,
            "timestamp": at,
            "device_index": index,
            "source_type": "bluetooth_low_energy",
            "descriptor": description,
            "product_name": device.name or description,
        }
        if ble_type is not None:
            info["device_type"] = ble_type
        out.append(info)
    return out


def _fit_effort(
    avg_hr: float | None, max_hr: float | None, avg_cadence: float | None, max_cadence: float | None
) -> dict[str, object]:
    """Heart rate and cadence summaries of a lap or a session (FIT cadence counts one foot)."""
    out: dict[str, object] = {}
    if avg_hr is not None and max_hr is not None and max_hr <= _FIT_MAX_BPM:
        out |= {"avg_heart_rate": round(avg_hr), "max_heart_rate": round(max_hr)}
    if avg_cadence is not None and max_cadence is not None:
        out |= {"avg_cadence": round(avg_cadence / 2), "max_cadence": round(max_cadence / 2)}
    return out


def _fit(activity: Activity) -> bytes:
    mesg = Profile["mesg_num"]
    sport = activity.sport
    sub_sport = "treadmill" if sport == "running" else "indoor_walking"
    start = activity.time_at(activity.start_s)
    end = activity.time_at(activity.end_s)
    encoder = Encoder()
    write = encoder.write_mesg
    write(
        {
            "mesg_num": mesg["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 1,
            "serial_number": activity.serial_number,
            "time_created": start,
        }
    )
    for info in _fit_devices(activity, start):
        write(info)
    write({"mesg_num": mesg["EVENT"], "timestamp": start, "event": "timer", "event_type": "start"})
    write(
        {
            "mesg_num": mesg["WORKOUT"],
            "wkt_name": "Treadmill Companion",
            "sport": sport,
            "num_valid_steps": len(activity.laps),
        }
    )
    for i, lap in enumerate(activity.laps):
        write(
            {
                "mesg_num": mesg["WORKOUT_STEP"],
                "message_index": i,
                "wkt_step_name": lap.name,
                "notes": f"direction: {lap.direction.value}",
                "intensity": lap.intensity,
            }
        )
    tl = activity.timeline
    for k in activity.per_second():
        record: dict[str, object] = {
            "mesg_num": mesg["RECORD"],
            "timestamp": activity.time_at(tl.t[k]),
            "distance": float(activity.cumulative_m[k]),
        }
        if (speed := _finite(tl.speed_kmh[k])) is not None and speed / 3.6 <= _FIT_MAX_SPEED_MPS:
            record["speed"] = record["enhanced_speed"] = speed / 3.6
        if (hr := _reading(tl.heart_rate_bpm[k])) is not None and hr <= _FIT_MAX_BPM:
            record["heart_rate"] = round(hr)
        if (cadence := _finite(tl.cadence_per_min[k])) is not None:
            record["cadence"] = round(cadence / 2)  # FIT running cadence counts one foot
        if (grade := _finite(tl.incline_pct[k])) is not None:
            record["grade"] = grade
        write(record)
    calories = activity.lap_calories()
    for i, lap in enumerate(activity.laps):
        duration = lap.end_s - lap.start_s
        fields: dict[str, object] = {
            "mesg_num": mesg["LAP"],
            "message_index": i,
            "timestamp": activity.time_at(lap.end_s),
            "start_time": activity.time_at(lap.start_s),
            "total_elapsed_time": duration,
            "total_timer_time": duration,
            "total_distance": lap.distance_m,
            "total_calories": calories[i],
            "avg_speed": lap.avg_speed_kmh / 3.6,
            "max_speed": lap.max_speed_kmh / 3.6,
            "total_ascent": round(lap.ascent_m),
            "sport": sport,
            "sub_sport": sub_sport,
            "intensity": lap.intensity,
            "lap_trigger": "manual",
            "event": "lap",
            "event_type": "stop",
            "wkt_step_index": i,
        }
        fields |= _fit_effort(
            lap.avg_heart_rate_bpm, lap.max_heart_rate_bpm, lap.avg_cadence_per_min, lap.max_cadence_per_min
        )
        write(fields)
    total_s = (end - start).total_seconds()
    distance = sum(lap.distance_m for lap in activity.laps)
    beats, steps = _readings(tl.heart_rate_bpm), _readings(tl.cadence_per_min)
    effort = _fit_effort(
        float(np.mean(beats)) if len(beats) else None,
        float(np.max(beats)) if len(beats) else None,
        float(np.mean(steps)) if len(steps) else None,
        float(np.max(steps)) if len(steps) else None,
    )
    write({"mesg_num": mesg["EVENT"], "timestamp": end, "event": "timer", "event_type": "stop_all"})
    write(
        {
            "mesg_num": mesg["SESSION"],
            "message_index": 0,
            "timestamp": end,
            "start_time": start,
            "total_elapsed_time": total_s,
            "total_timer_time": total_s,
            "total_distance": distance,
            "total_calories": sum(calories),
            "total_ascent": round(sum(lap.ascent_m for lap in activity.laps)),
            "max_speed": max((lap.max_speed_kmh for lap in activity.laps), default=0.0) / 3.6,
            "sport": sport,
            "sub_sport": sub_sport,
            "first_lap_index": 0,
            "num_laps": len(activity.laps),
            "event": "session",
            "event_type": "stop",
            "trigger": "activity_end",
            "avg_speed": distance / total_s if total_s else 0.0,
            **effort,
        }
    )
    write(
        {
            "mesg_num": mesg["ACTIVITY"],
            "timestamp": end,
            "total_timer_time": total_s,
            "num_sessions": 1,
            "type": "manual",
            "event": "activity",
            "event_type": "stop",
            "local_timestamp": _local_timestamp(end),
        }
    )
    return bytes(encoder.close())


def _tcx(activity: Activity) -> bytes:
    ET.register_namespace("", _TCX)
    ET.register_namespace("tpx", _TCX_EXT)

    def sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = _TCX) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            element.text = text
        return element

    def stamp(t: float) -> str:
        return _utc(activity.time_at(t))

    root = ET.Element(f"{{{_TCX}}}TrainingCenterDatabase")
    node = sub(sub(root, "Activities"), "Activity")
    walking = activity.sport == "walking"
    node.set("Sport", "Other" if walking else "Running")  # TCX has no walking (docs/export.md)
    sub(node, "Id", stamp(activity.start_s))
    tl = activity.timeline
    calories = activity.lap_calories()
    for lap_number, lap in enumerate(activity.laps):
        element = sub(node, "Lap")
        element.set("StartTime", stamp(lap.start_s))
        sub(element, "TotalTimeSeconds", f"{lap.end_s - lap.start_s:.1f}")
        sub(element, "DistanceMeters", f"{lap.distance_m:.1f}")
        sub(element, "MaximumSpeed", f"{lap.max_speed_kmh / 3.6:.3f}")
        sub(element, "Calories", str(calories[lap_number]))
        if lap.avg_heart_rate_bpm is not None:
            sub(sub(element, "AverageHeartRateBpm"), "Value", str(round(lap.avg_heart_rate_bpm)))
        sub(element, "Intensity", "Resting" if lap.direction is Direction.STOPPED else "Active")
        sub(element, "TriggerMethod", "Manual")
        track = sub(element, "Track")
        for k in np.flatnonzero(activity.lap_of == lap_number):
            point = sub(track, "Trackpoint")
            sub(point, "Time", stamp(float(tl.t[k])))
            sub(point, "DistanceMeters", f"{activity.cumulative_m[k]:.1f}")
            if (hr := _reading(tl.heart_rate_bpm[k])) is not None:
                sub(sub(point, "HeartRateBpm"), "Value", str(round(hr)))
            extension = sub(sub(point, "Extensions"), "TPX", ns=_TCX_EXT)
            if (speed := _finite(tl.speed_kmh[k])) is not None:
                sub(extension, "Speed", f"{speed / 3.6:.3f}", ns=_TCX_EXT)
            if (cadence := _finite(tl.cadence_per_min[k])) is not None:
                sub(extension, "RunCadence", str(round(cadence / 2)), ns=_TCX_EXT)
        sub(element, "Notes", f"{lap.name} (direction: {lap.direction.value})")
    what = "Walking" if walking else "Running"
    sub(node, "Notes", f"{what} on a treadmill, forward and backward: each lap's notes give its direction.")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


_CSV_COLUMNS = (
    "t_s",
    "time_utc",
    "direction",
    "interval",
    "speed_kmh",
    "incline_pct",
    "distance_m",
    "heart_rate_bpm",
    "cadence_per_min",
)


def _cell(value: float | None, decimals: int) -> str:
    """A number with ``decimals`` places, always; empty for no value."""
    return "" if value is None or not np.isfinite(value) else f"{value:.{decimals}f}"


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, always the same shape: 2026-11-29T07:00:02.068Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _csv(activity: Activity) -> bytes:
    tl = activity.timeline
    with io.StringIO(newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_CSV_COLUMNS)
        for k in range(len(tl)):
            writer.writerow(
                [
                    _cell(tl.t[k], 3),
                    _utc(activity.time_at(tl.t[k])),
                    DIRECTIONS[activity.labels[k]].value,
                    activity.laps[activity.lap_of[k]].name,
                    _cell(tl.speed_kmh[k], 2),
                    _cell(tl.incline_pct[k], 1),
                    _cell(activity.cumulative_m[k], 1),
                    _cell(_reading(tl.heart_rate_bpm[k]), 1),
                    _cell(tl.cadence_per_min[k], 1),
                ]
            )
        return out.getvalue().encode()


def _limits(activity: Activity, fmt: ExportFormat) -> list[str]:
    """What ``fmt`` cannot hold: dates are refused (:class:`ExportError`); values it clamps are warnings."""
    duration = float(activity.timeline.t[-1]) if len(activity.timeline) else 0.0
    start = activity.started_at
    try:
        end = start + timedelta(seconds=duration + 60.0)
    except OverflowError:
        raise ExportError(
            f"started_at {start.isoformat()}: the session would end past the year 9999"
        ) from None
    if fmt is not ExportFormat.FIT:
        return []
    if start < FIT_EPOCH or end > FIT_LAST:
        raise ExportError(
            f"started_at {start.isoformat()}: FIT stores dates from {FIT_EPOCH:%Y-%m-%d} to "
            f"{FIT_LAST:%Y-%m-%d}; export to TCX or CSV instead"
        )
    warnings = []
    fast = int(np.sum(np.nan_to_num(activity.timeline.speed_kmh) / 3.6 > _FIT_MAX_SPEED_MPS))
    if fast:
        warnings.append(
            f"{fast} samples faster than FIT's {_FIT_MAX_SPEED_MPS * 3.6:.0f} km/h are left without a speed"
        )
    high = int(np.sum(np.nan_to_num(activity.timeline.heart_rate_bpm) > _FIT_MAX_BPM))
    if high:
        warnings.append(f"{high} heart rates above {_FIT_MAX_BPM} bpm are left out")
    return warnings


def render(activity: Activity, fmt: ExportFormat) -> tuple[bytes, list[str]]:
    """``activity`` in ``fmt``, and what the format could not hold and left out (to say to the person).

    Raises:
        ExportError: the format cannot hold the session's dates.
    """
    warnings = _limits(activity, fmt)
    encode = {ExportFormat.FIT: _fit, ExportFormat.TCX: _tcx, ExportFormat.CSV: _csv}[fmt]
    return encode(activity), warnings


def write(activity: Activity, path: Path, fmt: ExportFormat) -> list[str]:
    """Write ``activity`` to ``path`` (which must not exist) in ``fmt``, all at once or not at all.

    Raises:
        ExportError: the format cannot hold the session's dates.
        StorageError: the file cannot be written (it exists, a full disk, no such folder).
    """
    data, warnings = render(activity, fmt)
    write_new(path, data)
    return warnings

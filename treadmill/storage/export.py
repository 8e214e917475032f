"""Export a session to FIT, TCX and CSV, with one lap per interval.

No format has a field for walking backward, so the direction goes where each format's
readers show text (docs/export.md):

* FIT (encoded with Garmin's own SDK, ``garmin-fit-sdk``): an activity, sport running or
  walking, sub-sport treadmill, one record per sample with cumulative distance (so Strava
  and Garmin Connect draw pace), one lap per interval; each lap points
  (``wkt_step_index``) to a workout step named after its direction ("Reverse 2"), the way
  structured workouts name their laps;
* TCX: one ``Lap`` per interval whose ``Notes`` say the direction;
* CSV: one row per sample with a ``direction`` and an ``interval`` column.
"""

from __future__ import annotations

import csv
import enum
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from garmin_fit_sdk import Encoder, Profile

from treadmill.core.intervals import per_sample, run_starts
from treadmill.core.pipeline import Pipeline
from treadmill.core.timeline import CODE, DIRECTIONS, FloatArray, LabelArray, Timeline
from treadmill.errors import TreadmillError
from treadmill.model import Direction
from treadmill.storage.files import write_new

__all__ = ["Activity", "ExportError", "ExportFormat", "Lap", "render", "write"]

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


class ExportFormat(enum.StrEnum):
    """The formats :func:`write` knows."""

    FIT = "fit"
    TCX = "tcx"
    CSV = "csv"


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

    @property
    def name(self) -> str:
        """What the lap is called in every format: its direction and its number in that direction."""
        return f"{self.direction.value.capitalize()} {self.index}"


@dataclass(frozen=True, slots=True)
class Activity:
    """A session, ready to write: per-sample columns and the laps."""

    started_at: datetime
    timeline: Timeline
    cumulative_m: FloatArray
    laps: list[Lap]
    lap_of: np.ndarray
    """For each sample, the index of its lap in :attr:`laps`."""

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
    def from_pipeline(cls, pipeline: Pipeline, started_at: datetime) -> Activity:
        """Laps from the intervals the session's detector found, numbers under the summary's rules."""
        timeline = pipeline.timeline
        costs = per_sample(timeline, pipeline.body)
        steps = costs.metres
        cumulative = np.concatenate(([0.0], np.cumsum(steps)[:-1])) if len(steps) else np.zeros(0)
        laps: list[Lap] = []
        counts = dict.fromkeys(DIRECTIONS, 0)
        lap_of = np.zeros(len(timeline), dtype=np.int64)
        starts = run_starts(timeline.labels)
        for begin, end in zip(starts, [*starts[1:], len(timeline)], strict=True):
            lap_of[begin:end] = len(laps)
            direction = DIRECTIONS[timeline.labels[begin]]
            counts[direction] += 1
            speed = np.nan_to_num(timeline.speed_kmh[begin:end], nan=0.0)
            hr = timeline.heart_rate_bpm[begin:end]
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
                    avg_heart_rate_bpm=float(np.nanmean(hr)) if np.isfinite(hr).any() else None,
                )
            )
        return cls(started_at, timeline, cumulative, laps, lap_of)

    def time_at(self, t: float) -> datetime:
        """Wall-clock time of session time ``t``."""
        return self.started_at + timedelta(seconds=t)


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else value


def _fit(activity: Activity) -> bytes:
    mesg = Profile["mesg_num"]
    sport = activity.sport
    end = activity.time_at(activity.laps[-1].end_s) if activity.laps else activity.started_at
    encoder = Encoder()
    write = encoder.write_mesg
    write(
        {
            "mesg_num": mesg["FILE_ID"],
            "type": "activity",
            "manufacturer": "development",
            "product": 1,
            "serial_number": 1,
            "time_created": activity.started_at,
        }
    )
    write(
        {"mesg_num": mesg["EVENT"], "timestamp": activity.started_at, "event": "timer", "event_type": "start"}
    )
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
                "intensity": "rest" if lap.direction is Direction.STOPPED else "active",
            }
        )
    tl = activity.timeline
    for k in range(len(tl)):
        record: dict[str, object] = {
            "mesg_num": mesg["RECORD"],
            "timestamp": activity.time_at(tl.t[k]),
            "distance": float(activity.cumulative_m[k]),
        }
        if (speed := _finite(tl.speed_kmh[k])) is not None and speed / 3.6 <= _FIT_MAX_SPEED_MPS:
            record["speed"] = record["enhanced_speed"] = speed / 3.6
        if (hr := _finite(tl.heart_rate_bpm[k])) is not None and hr <= _FIT_MAX_BPM:
            record["heart_rate"] = round(hr)
        if (cadence := _finite(tl.cadence_per_min[k])) is not None:
            record["cadence"] = round(cadence / 2)  # FIT running cadence counts one foot
        if (grade := _finite(tl.incline_pct[k])) is not None:
            record["grade"] = grade
        write(record)
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
            "total_calories": round(lap.kcal),
            "avg_speed": lap.avg_speed_kmh / 3.6,
            "max_speed": lap.max_speed_kmh / 3.6,
            "sport": sport,
            "sub_sport": "treadmill",
            "lap_trigger": "manual",
            "event": "lap",
            "event_type": "stop",
            "wkt_step_index": i,
        }
        if lap.avg_heart_rate_bpm is not None:
            fields["avg_heart_rate"] = round(lap.avg_heart_rate_bpm)
        write(fields)
    total_s = (end - activity.started_at).total_seconds()
    distance = sum(lap.distance_m for lap in activity.laps)
    write({"mesg_num": mesg["EVENT"], "timestamp": end, "event": "timer", "event_type": "stop_all"})
    write(
        {
            "mesg_num": mesg["SESSION"],
            "message_index": 0,
            "timestamp": end,
            "start_time": activity.started_at,
            "total_elapsed_time": total_s,
            "total_timer_time": total_s,
            "total_distance": distance,
            "total_calories": round(sum(lap.kcal for lap in activity.laps)),
            "sport": sport,
            "sub_sport": "treadmill",
            "first_lap_index": 0,
            "num_laps": len(activity.laps),
            "event": "session",
            "event_type": "stop",
            "trigger": "activity_end",
            "avg_speed": distance / total_s if total_s else 0.0,
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
        return activity.time_at(t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    root = ET.Element(f"{{{_TCX}}}TrainingCenterDatabase")
    node = sub(sub(root, "Activities"), "Activity")
    node.set("Sport", "Running")
    sub(node, "Id", stamp(0.0))
    tl = activity.timeline
    for lap_number, lap in enumerate(activity.laps):
        element = sub(node, "Lap")
        element.set("StartTime", stamp(lap.start_s))
        sub(element, "TotalTimeSeconds", f"{lap.end_s - lap.start_s:.1f}")
        sub(element, "DistanceMeters", f"{lap.distance_m:.1f}")
        sub(element, "MaximumSpeed", f"{lap.max_speed_kmh / 3.6:.3f}")
        sub(element, "Calories", str(round(lap.kcal)))
        if lap.avg_heart_rate_bpm is not None:
            sub(sub(element, "AverageHeartRateBpm"), "Value", str(round(lap.avg_heart_rate_bpm)))
        sub(element, "Intensity", "Resting" if lap.direction is Direction.STOPPED else "Active")
        sub(element, "TriggerMethod", "Manual")
        track = sub(element, "Track")
        for k in np.flatnonzero(activity.lap_of == lap_number):
            point = sub(track, "Trackpoint")
            sub(point, "Time", stamp(float(tl.t[k])))
            sub(point, "DistanceMeters", f"{activity.cumulative_m[k]:.1f}")
            if (hr := _finite(tl.heart_rate_bpm[k])) is not None:
                sub(sub(point, "HeartRateBpm"), "Value", str(round(hr)))
            extension = sub(sub(point, "Extensions"), "TPX", ns=_TCX_EXT)
            if (speed := _finite(tl.speed_kmh[k])) is not None:
                sub(extension, "Speed", f"{speed / 3.6:.3f}", ns=_TCX_EXT)
            if (cadence := _finite(tl.cadence_per_min[k])) is not None:
                sub(extension, "RunCadence", str(round(cadence / 2)), ns=_TCX_EXT)
        sub(element, "Notes", f"{lap.name} (direction: {lap.direction.value})")
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


def _cell(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value:g}"


def _csv(activity: Activity) -> bytes:
    tl = activity.timeline
    with io.StringIO(newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_CSV_COLUMNS)
        for k in range(len(tl)):
            writer.writerow(
                [
                    f"{tl.t[k]:.3f}",
                    activity.time_at(tl.t[k]).isoformat(),
                    DIRECTIONS[activity.labels[k]].value,
                    activity.laps[activity.lap_of[k]].name,
                    _cell(tl.speed_kmh[k]),
                    _cell(tl.incline_pct[k]),
                    f"{activity.cumulative_m[k]:.1f}",
                    _cell(tl.heart_rate_bpm[k]),
                    _cell(tl.cadence_per_min[k]),
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

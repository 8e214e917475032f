"""Every fixture's exports, checked by readers and schemas nobody on the team wrote.

* TCX: validated with lxml against Garmin's TrainingCenterDatabase v2 and ActivityExtension
  v2 XSDs (from ../shared/schemas, which CI has; skipped without it);
* FIT: decoded by fitdecode, fitparse and Garmin's own SDK, and held to Garmin's
  activity-file guidance (device_info, local time, the session starting with its first lap
  and record, a serial number unique to the installation);
* CSV: read by pandas with ``parse_dates``, giving a datetime column and the same types in
  every file.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import fitdecode
import fitparse
import pandas as pd
import pytest
from garmin_fit_sdk import Decoder, Stream
from lxml import etree

from tests.conftest import ROOT, shared
from treadmill.core.pipeline import Pipeline
from treadmill.ftms import TreadmillData
from treadmill.model import Sample
from treadmill.session.engine import Session
from treadmill.session.replay import ReplaySource
from treadmill.storage.export import FIT_EPOCH, Activity, ExportFormat, devices_seen, render
from treadmill.storage.fixtures import read_fixture
from treadmill.storage.installation import serial_number

FIXTURES = sorted((ROOT / "fixtures").glob("*.jsonl"))
STARTED = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


@cache
def activity_of(path: Path) -> Activity:
    fixture = read_fixture(path, tolerant=True)
    result = asyncio.run(Session(ReplaySource(fixture, speed=None)).run())
    chars = {frame.char for frame in fixture.frames}
    return Activity.from_pipeline(
        result.pipeline,
        fixture.started_at or STARTED,
        devices=devices_seen(chars, "Virtual Treadmill"),
        serial_number=serial_number(),
    )


@cache
def tcx_schema() -> etree.XMLSchema:
    folder = shared("schemas", "tcx")
    wrapper = folder / "tcx_plus_ax2.xsd"  # both XSDs: the TPX extension content is validated too
    main = wrapper if wrapper.exists() else folder / "TrainingCenterDatabasev2.logiqx.xsd"
    return etree.XMLSchema(etree.parse(str(main)))


def assert_valid_tcx(data: bytes) -> None:
    schema = tcx_schema()
    document = etree.parse(io.BytesIO(data))
    assert schema.validate(document), "\n".join(str(e) for e in schema.error_log)[:2000]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixtures_tcx_is_valid_against_garmins_schemas(path: Path) -> None:
    data, _ = render(activity_of(path), ExportFormat.TCX)
    assert_valid_tcx(data)


def fit_messages(data: bytes) -> dict[str, list[dict[str, object]]]:
    """The FIT file as fitdecode reads it: message name -> each message's fields."""
    out: dict[str, list[dict[str, object]]] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                fields = {f.name: f.value for f in frame.fields}
                out.setdefault(frame.name, []).append(fields)
    return out


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixtures_fit_decodes_in_three_decoders_we_did_not_write(path: Path) -> None:
    activity = activity_of(path)
    data, _ = render(activity, ExportFormat.FIT)
    messages = fit_messages(data)
    parsed = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    laps_by_fitparse = list(parsed.get_messages("lap"))
    garmin, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    assert len(messages["lap"]) == len(laps_by_fitparse) == len(garmin["lap_mesgs"]) == len(activity.laps)
    times = [r["timestamp"] for r in messages["record"]]
    assert len(times) == len(set(times)), "one record per second: no two share a timestamp"
    seconds = {int((activity.time_at(float(t)) - FIT_EPOCH).total_seconds()) for t in activity.timeline.t}
    assert len(times) == len(seconds), "and one in every second that had a sample"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fit_follows_garmins_activity_file_guidance(path: Path) -> None:
    activity = activity_of(path)
    messages = fit_messages(render(activity, ExportFormat.FIT)[0])
    [session], laps, records = messages["session"], messages["lap"], messages["record"]
    assert session["start_time"] == laps[0]["start_time"] == records[0]["timestamp"], "starts together"
    elapsed = sum(float(str(lap["total_elapsed_time"])) for lap in laps)
    assert elapsed == pytest.approx(float(str(session["total_elapsed_time"])), abs=0.01)
    devices = messages["device_info"]
    creator = next(d for d in devices if d["device_index"] == "creator")
    assert creator["serial_number"] == activity.serial_number == messages["file_id"][0]["serial_number"]
    assert creator["product_name"] == "Treadmill Companion"
    assert len(devices) == 1 + len(activity.devices), "the app and each sensor"
    [done] = messages["activity"]
    offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    local, utc = done["local_timestamp"], done["timestamp"]  # fitdecode reads both as datetimes
    assert isinstance(local, datetime)
    assert isinstance(utc, datetime)
    assert local.replace(tzinfo=None) - utc.replace(tzinfo=None) == offset
    heart_rates = [r["heart_rate"] for r in records if r.get("heart_rate") is not None]
    assert 0 not in heart_rates


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fit_laps_and_session_carry_their_summaries_and_their_calories_add_up(path: Path) -> None:
    """What watch files carry and readers show: heart rate, cadence, speed and ascent per lap and for
    the session; each lap's intensity from its direction; the laps' calories summing to the session's."""
    activity = activity_of(path)
    data, _ = render(activity, ExportFormat.FIT)
    messages = fit_messages(data)
    [session], laps = messages["session"], messages["lap"]
    assert sum(int(str(lap["total_calories"])) for lap in laps) == session["total_calories"]
    assert session["total_calories"] == round(sum(lap.kcal for lap in activity.laps))
    intensity = {"forward": "active", "reverse": "interval", "stopped": "rest", "unsure": "other"}
    for message, lap in zip(laps, activity.laps, strict=True):
        assert message["intensity"] == intensity[lap.direction.value], lap.name
        assert message["total_ascent"] is not None
        if lap.avg_heart_rate_bpm is not None:
            assert int(str(message["max_heart_rate"])) >= int(str(message["avg_heart_rate"]))
    assert session["max_speed"] == pytest.approx(
        max(lap.max_speed_kmh for lap in activity.laps) / 3.6, abs=0.001
    )
    assert session["total_ascent"] is not None
    beats = activity.timeline.heart_rate_bpm
    if (beats > 0).any():
        assert session["max_heart_rate"] == round(float(beats[beats > 0].max()))
        assert session["avg_heart_rate"] is not None
    if (activity.timeline.cadence_per_min > 0).any():  # a run's cadence is its running-cadence subfield
        assert (session.get("avg_cadence") or session.get("avg_running_cadence")) is not None
        assert (session.get("max_cadence") or session.get("max_running_cadence")) is not None
    expected_sub_sport = "treadmill" if activity.sport == "running" else "indoor_walking"
    assert session["sub_sport"] == expected_sub_sport
    assert {lap["sub_sport"] for lap in laps} == {expected_sub_sport}
    garmin, _ = Decoder(Stream.from_byte_array(bytearray(data))).read()
    assert garmin["session_mesgs"][0]["sub_sport"] == expected_sub_sport, "Garmin's own decoder agrees"


def test_lap_calories_round_so_that_they_add_up() -> None:
    """Twelve laps of 4.4 kcal: 53 in all, not 12 x 4 = 48."""
    activity = activity_of(FIXTURES[0])
    laps = [replace(activity.laps[0], kcal=4.4) for _ in range(12)]
    assert sum(replace(activity, laps=laps).lap_calories()) == 53


CSV_TEXT = ("direction", "interval")
CSV_TYPES = {
    "t_s": "float64",
    "speed_kmh": "float64",
    "incline_pct": "float64",
    "distance_m": "float64",
    "heart_rate_bpm": "float64",
    "cadence_per_min": "float64",
}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixtures_csv_reads_in_pandas_with_a_datetime_column(path: Path) -> None:
    data, _ = render(activity_of(path), ExportFormat.CSV)
    frame = pd.read_csv(io.BytesIO(data), parse_dates=["time_utc"])
    assert pd.api.types.is_datetime64_any_dtype(frame["time_utc"])
    assert str(frame["time_utc"].dt.tz) == "UTC"
    assert {name: str(frame[name].dtype) for name in CSV_TYPES} == CSV_TYPES
    assert all(pd.api.types.is_string_dtype(frame[name]) for name in CSV_TEXT)
    text = data.decode().splitlines()
    times = [line.split(",")[1] for line in text[1:]]
    assert {len(t) for t in times} == {len("2026-11-29T07:00:02.068Z")}, "one fixed shape"


def hr_zero_fixture(folder: Path) -> Path:
    """A walk on a treadmill whose grips report 0 bpm the whole time (nobody holds them)."""
    lines = [json.dumps({"format": "treadmill-fixture", "version": 1, "started_at": "2026-11-29T07:00:00Z"})]
    for t in range(120):
        record = TreadmillData(
            instantaneous_speed_kmh=4.0 if t > 2 else 0.0, total_distance_m=int(t * 1.1), heart_rate_bpm=0
        )
        lines.append(json.dumps({"t": float(t), "char": "2acd", "hex": bytes(record).hex()}))
    path = folder / "grips.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_heart_rate_of_zero_is_no_reading_in_any_format(tmp_path: Path) -> None:
    activity = activity_of(hr_zero_fixture(tmp_path))
    assert all(lap.avg_heart_rate_bpm is None for lap in activity.laps)
    messages = fit_messages(render(activity, ExportFormat.FIT)[0])
    assert all(r.get("heart_rate") is None for r in messages["record"])
    assert all(lap.get("avg_heart_rate") is None for lap in messages["lap"])
    tcx, _ = render(activity, ExportFormat.TCX)
    assert b"HeartRateBpm" not in tcx
    assert_valid_tcx(tcx)
    frame = pd.read_csv(io.BytesIO(render(activity, ExportFormat.CSV)[0]))
    assert frame["heart_rate_bpm"].isna().all()


def test_a_walk_is_sport_other_in_tcx_with_walking_in_its_notes() -> None:
    activity = activity_of(ROOT / "fixtures" / "guided-beginner.jsonl")
    assert activity.sport == "walking"
    root = etree.fromstring(render(activity, ExportFormat.TCX)[0])
    ns = {"tc": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    [node] = root.findall("tc:Activities/tc:Activity", ns)
    assert node.get("Sport") == "Other"
    assert node.findtext("tc:Notes", namespaces=ns).startswith("Walking")
    fit = fit_messages(render(activity, ExportFormat.FIT)[0])
    assert fit["session"][0]["sport"] == "walking"


def test_the_serial_number_is_the_installations_own(tmp_path: Path) -> None:
    first = serial_number(tmp_path / "one")
    assert serial_number(tmp_path / "one") == first, "kept"
    others = {serial_number(tmp_path / f"other{n}") for n in range(5)}
    assert len({first, *others}) == 6, "drawn at random for each installation (a clash: 1 in 10^8)"
    assert all(1 <= s <= 0xFFFFFFFE for s in {first, *others})


def test_csv_column_types_are_the_same_whatever_the_file_holds() -> None:
    """A session with a heart rate and a cadence in every sample, all whole numbers: pandas once read
    them as int64 there and float64 elsewhere."""
    pipeline = Pipeline()
    for k in range(120):
        pipeline.sample(Sample(float(k), 5.0, 1.0, k * 1.4, heart_rate_bpm=120 + k % 3, cadence_per_min=150))
    data, _ = render(Activity.from_pipeline(pipeline, STARTED), ExportFormat.CSV)
    frame = pd.read_csv(io.BytesIO(data), parse_dates=["time_utc"])
    assert {name: str(frame[name].dtype) for name in CSV_TYPES} == CSV_TYPES

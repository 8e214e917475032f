"""The .zwo import: real Zwift files others published (../shared/zwo-corpus), and one case of
our own for each way the importer once went wrong.

Per corpus file we write down what the import must give: for a run file its steps, its
length, how its lengths were read, its speeds and how many notes it carries; for a bike
file the refusal, and what its block structure gives when the file is read as a run (so
the blocks only bike files use in the corpus, top-level text events, ``Freeride``,
``SteadyState`` with ``PowerLow``/``PowerHigh``, are parsed from real files too).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import shared
from tests.support import cli
from treadmill.model import Facing
from treadmill.workout.plan import Caps, PlanError
from treadmill.workout.zwo import LENGTHS, NOTES, Lengths, parse_zwo

PACES = (300.0, 330.0, 345.0, 365.0, 390.0)
"""Reference paces (s/km): 1 mile, 5 km, 10 km, half marathon, marathon."""
CAPS = Caps(forward_kmh=25.0, reverse_kmh=8.0)


class Imported(NamedTuple):
    steps: int
    total: float
    """Seconds, or metres when the lengths are distances."""
    lengths: Lengths
    first_kmh: float | None
    top_kmh: float
    notes: int


class Refused(NamedTuple):
    field: str
    reason: str


class AsRun(NamedTuple):
    steps: int
    total_s: float
    with_speed: int
    notes: int


RUN_FILES = {
    # A hill ladder with slopes and no power targets: 51 blocks, each on part twice... OffDuration 0 skipped.
    "run-auuki-hill-ladder-4-3-2.zwo": Imported(102, 5400.0, Lengths.TIME, None, 0.0, 1),
    # Luis Pinto's files give no durationType; their descriptions name the blocks' lengths in km.
    "run-luishpinto-four-miles-threshold.zwo": Imported(
        16, 11600.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0
    ),
    "run-luishpinto-one-mile-threshold.zwo": Imported(
        16, 9900.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0
    ),
    "run-luishpinto-pyramid.zwo": Imported(16, 8000.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0),
    "run-luishpinto-speed-test.zwo": Imported(3, 4700.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0),
    "run-luishpinto-two-miles-threshold.zwo": Imported(
        14, 11200.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0
    ),
    "run-luishpinto-variable-intervals.zwo": Imported(
        20, 6800.0, Lengths.DISTANCE_BY_DESCRIPTION, 9.35, 11.45, 0
    ),
}
ONLY_RUN = Refused("sportType", "bike: only run workouts can be imported")
NO_SPORT = Refused("sportType", "missing: only run workouts can be imported")
BIKE_FILES = {
    "bike-eljefe-Grin-And-Bear-It-ramp.zwo": (ONLY_RUN, AsRun(48, 2700.0, 48, 0)),
    "bike-eljefe-Heat-Wave-overunder.zwo": (ONLY_RUN, AsRun(25, 1150.0, 25, 0)),
    "bike-eljefe-Hendys-Warmup-distoffset.zwo": (ONLY_RUN, AsRun(18, 1220.0, 18, 0)),
    # Its pace attributes are not reference paces (a bike tool's numbers): every target is dropped, said once.
    "bike-eljefe-Individual-Pursuit-freeride.zwo": (ONLY_RUN, AsRun(27, 2370.0, 0, 2)),
    # Text events directly inside <workout>, as the file reference allows.
    "bike-eljefe-McCarthy-Special-toplevel-textevent.zwo": (ONLY_RUN, AsRun(13, 2820.0, 11, 1)),
    "bike-eljefe-Rest-Day.zwo": (ONLY_RUN, None),  # its one block is <RestDay>, which no run can follow
    "bike-eljefe-broken-25-palindromes.zwo": (Refused("", "not a Zwift workout (XML: mismatched tag"), None),
    # Zwift's own FTP test spells it Freeride, and uses SteadyState with PowerLow/PowerHigh.
    "bike-goldencheetah-FTPTest.zwo": (NO_SPORT, AsRun(15, 4380.0, 14, 1)),
    "bike-goldencheetah-Mayfield.zwo": (NO_SPORT, AsRun(14, 1770.0, 14, 0)),
    "bike-jonas-sample.zwo": (ONLY_RUN, AsRun(71, 5460.0, 71, 0)),
    "bike-qdomyos-Easy-intervals.zwo": (ONLY_RUN, AsRun(21, 3060.0, 21, 0)),
    "bike-qdomyos-HIIT-Aerobic-ss-powerlow.zwo": (ONLY_RUN, AsRun(19, 3300.0, 19, 0)),
    "bike-rhennigan-Workout.zwo": (ONLY_RUN, AsRun(14, 4380.0, 13, 1)),
    "bike-zwiftout-ftp-test.zwo": (ONLY_RUN, AsRun(10, 2700.0, 9, 1)),
    "bike-zwiftout-threshold-pushing.zwo": (ONLY_RUN, AsRun(7, 4740.0, 7, 0)),
    "bike-zwofactory-Session_1__Pre-Test_Day_Ride.zwo": (ONLY_RUN, AsRun(14, 5700.0, 14, 0)),
}


def corpus_file(name: str) -> bytes:
    return (shared("zwo-corpus") / name).read_bytes()


def test_the_corpus_is_what_the_expectations_cover() -> None:
    names = {p.name for p in shared("zwo-corpus").glob("*.zwo")}
    assert names == set(RUN_FILES) | set(BIKE_FILES)


@pytest.mark.parametrize("name", sorted(RUN_FILES))
def test_each_run_file_of_the_corpus_imports_as_written_down(name: str) -> None:
    expected = RUN_FILES[name]
    plan = parse_zwo(corpus_file(name), name, PACES, CAPS)
    total = plan.duration_s if plan.duration_s is not None else sum(s.distance_m or 0.0 for s in plan.steps)
    speeds = [s.speed_kmh or 0.0 for s in plan.steps]
    assert (
        Imported(
            len(plan.steps),
            pytest.approx(total, abs=0.01),  # type: ignore[arg-type]
            plan.extra[LENGTHS],
            plan.steps[0].speed_kmh,
            max(speeds),
            len(plan.extra[NOTES]),
        )
        == expected
    )
    assert all(s.direction is Facing.FORWARD for s in plan.steps), "Zwift files have no direction"


@pytest.mark.parametrize("name", sorted(BIKE_FILES))
def test_each_bike_file_is_refused_and_its_blocks_read_as_written_down(name: str) -> None:
    refused, as_run = BIKE_FILES[name]
    data = corpus_file(name)
    with pytest.raises(PlanError) as info:
        parse_zwo(data, name, PACES, CAPS)
    assert (info.value.field, info.value.reason[: len(refused.reason)]) == refused
    if as_run is None:
        return
    run = re.sub(rb"<sportType>\s*bike\s*</sportType>", b"<sportType>run</sportType>", data)
    if b"<sportType>" not in run:
        run = run.replace(b"<workout_file>", b"<workout_file><sportType>run</sportType>", 1)
    plan = parse_zwo(run, name, PACES, Caps(forward_kmh=40.0, reverse_kmh=8.0))
    assert (
        AsRun(
            len(plan.steps),
            pytest.approx(plan.duration_s, abs=0.01),  # type: ignore[arg-type]
            sum(1 for s in plan.steps if s.speed_kmh),
            len(plan.extra[NOTES]),
        )
        == as_run
    )


# --- one case of our own for each defect ---------------------------------------------------------


def zwo(blocks: str, *, head: str = "") -> bytes:
    return (
        f"<workout_file>\n<name>Case</name>\n<sportType>run</sportType>\n{head}<workout>\n{blocks}\n"
        "</workout>\n</workout_file>\n"
    ).encode()


@pytest.mark.parametrize("repeat", ["20000000", "100000", "51"])
def test_a_repeat_past_the_limit_is_refused_naming_the_line_block_and_attribute(repeat: str) -> None:
    data = zwo(
        f'<Warmup Duration="60" PowerLow="0.5" PowerHigh="0.6"/>\n<IntervalsT Repeat="{repeat}" '
        'OnDuration="30" OffDuration="30" OnPower="1" OffPower="0.5"/>'
    )
    with pytest.raises(PlanError) as info:
        parse_zwo(data, "big.zwo", PACES)
    assert (info.value.line, info.value.field) == (6, "block 2 (IntervalsT).Repeat")
    assert "50" in info.value.reason


def test_totals_are_bounded_as_toml_plans_are() -> None:
    data = zwo("\n".join('<SteadyState Duration="3000" Power="0.5"/>' for _ in range(30)))
    with pytest.raises(PlanError, match="longer than 24 hours"):
        parse_zwo(data, "long.zwo", PACES)


def test_treadmill_plans_lists_the_rest_when_one_file_is_out_of_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "bomb.zwo").write_bytes(zwo('<IntervalsT Repeat="20000000" OnDuration="1" OffDuration="1"/>'))
    monkeypatch.setenv("TREADMILL_CONFIG_DIR", str(tmp_path))
    status, out, err = cli(capsys, "plans")
    assert status == 0
    assert "first-steps-backward" in out
    assert "bomb.zwo:5: block 1 (IntervalsT).Repeat: " in err
    assert "is not between 1 and 50" in err
    status, _, err = cli(
        capsys, "record", "--virtual", "--plan", str(plans / "bomb.zwo"), "--out", str(tmp_path / "x")
    )
    assert status == 2
    assert err.count("\n") == 1


def test_a_text_event_at_the_top_of_the_workout_marks_the_block_it_falls_in() -> None:
    data = zwo(
        '<SteadyState Duration="120" Power="0.5"/>\n'
        '<textevent timeoffset="130" message="REVERSE: turn around, hands on the rails"/>\n'
        '<SteadyState Duration="60" Power="0.3"/>\n'
        '<textevent timeoffset="190" message="Turn back to face forward"/>\n'
        '<SteadyState Duration="120" Power="0.5"/>'
    )
    plan = parse_zwo(data, "top.zwo", PACES)
    assert [s.direction for s in plan.steps] == [Facing.FORWARD, Facing.REVERSE, Facing.FORWARD]
    assert plan.steps[1].handrail


def test_textevent_spelled_textevent_or_textevent_capitalised_marks_a_block() -> None:
    for tag in ("textevent", "TextEvent"):
        data = zwo(
            f'<SteadyState Duration="60" Power="0.3"><{tag} timeoffset="0" message="REVERSE"/></SteadyState>'
        )
        plan = parse_zwo(
            data, "t.zwo", PACES, Caps(reverse_kmh=5.0)
        )  # 3.6 km/h backward: above the default cap
        assert plan.steps[0].direction is Facing.REVERSE, tag


def test_low_high_targets_are_the_middle_of_their_range_and_a_missing_one_is_said() -> None:
    data = zwo(
        '<SteadyState Duration="60" PowerLow="0.4" PowerHigh="0.6"/>\n'
        '<IntervalsT Repeat="2" OnDuration="30" OffDuration="30" PowerOnLow="0.9" PowerOnHigh="1.1" '
        'PowerOffLow="0.3" PowerOffHigh="0.5"/>\n'
        '<SteadyState Duration="60"/>'
    )
    plan = parse_zwo(data, "t.zwo", PACES)
    mile_kmh = 3600 / PACES[0]
    assert plan.steps[0].speed_kmh == pytest.approx(mile_kmh * 0.5, abs=0.01)
    assert plan.steps[1].speed_kmh == pytest.approx(mile_kmh * 1.0, abs=0.01)
    assert plan.steps[2].speed_kmh == pytest.approx(mile_kmh * 0.4, abs=0.01)
    assert plan.steps[-1].speed_kmh is None
    assert plan.extra[NOTES] == ("line 7, block 3 (SteadyState): no power given: no speed target",)


def test_freeride_in_either_spelling() -> None:
    for tag in ("FreeRide", "Freeride", "freeride"):
        plan = parse_zwo(zwo(f'<{tag} Duration="300"/>'), "f.zwo", PACES)
        assert plan.steps[0].duration_s == 300
        assert "your own pace" in plan.extra[NOTES][0]


def test_incline_and_slopes_are_read_and_clamped_to_the_cap() -> None:
    data = zwo(
        '<SteadyState Duration="60" Power="0.5" Incline="0.05"/>\n'
        '<IntervalsT Repeat="1" OnDuration="30" OffDuration="30" OnPower="0.5" OffPower="0.4" '
        'OnSlope="4" OffSlope="1"/>\n'
        '<SteadyState Duration="60" Power="0.5" Incline="0.40"/>'
    )
    plan = parse_zwo(data, "hill.zwo", PACES, Caps(incline_pct=12.0))
    assert [s.incline_pct for s in plan.steps] == [5.0, 4.0, 1.0, 12.0]
    assert "clamped to 12 %" in plan.extra[NOTES][0]


def test_a_zero_length_off_part_is_left_out_and_errors_name_line_and_block() -> None:
    plan = parse_zwo(
        zwo('<IntervalsT Repeat="3" OnDuration="60" OffDuration="0" OnPower="0.5"/>'), "z.zwo", PACES
    )
    assert [s.duration_s for s in plan.steps] == [60.0, 60.0, 60.0]
    with pytest.raises(PlanError) as info:
        parse_zwo(
            zwo(
                '<SteadyState Duration="60" Power="0.5"/>\n<IntervalsT Repeat="2" OnDuration="-5" '
                'OffDuration="10"/>'
            ),
            "z.zwo",
            PACES,
        )
    assert str(info.value).startswith("z.zwo:6: block 2 (IntervalsT).OnDuration: ")


def test_lengths_without_a_duration_type_are_read_as_the_description_says() -> None:
    blocks = '<Warmup Duration="1000" PowerLow="0.8" PowerHigh="0.9" pace="1"/>'
    in_km = zwo(blocks, head="<description>1.00 km warming up, then easy</description>\n")
    in_minutes = zwo(blocks, head="<description>A long warm-up of 16:40 min</description>\n")
    by_km = parse_zwo(in_km, "km.zwo", PACES)
    assert (by_km.extra[LENGTHS], by_km.steps[0].distance_m) == (Lengths.DISTANCE_BY_DESCRIPTION, 1000.0)
    by_time = parse_zwo(in_minutes, "min.zwo", PACES)
    assert (by_time.extra[LENGTHS], by_time.steps[0].duration_s) == (Lengths.TIME, 1000.0)
    declared = parse_zwo(
        zwo(blocks, head="<durationType>time</durationType>\n<description>1 km</description>"), "t", PACES
    )
    assert declared.extra[LENGTHS] is Lengths.TIME


def test_treadmill_plans_shows_how_the_lengths_were_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    blocks = '<Warmup Duration="1000" PowerLow="0.8" PowerHigh="0.9" pace="1"/>'
    (plans / "by-distance.zwo").write_bytes(zwo(blocks, head="<description>1 km warm-up</description>\n"))
    (plans / "a-plan-with-an-identifier-far-longer-than-twenty-four.zwo").write_bytes(zwo(blocks))
    monkeypatch.setenv("TREADMILL_CONFIG_DIR", str(tmp_path))
    status, out, _ = cli(capsys, "plans")
    assert status == 0
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("by-distance"))
    assert row.endswith("distance (from the description)")
    assert "1.0 km" in row
    name_column = lines[0].index("name")
    assert name_column > len("a-plan-with-an-identifier-far-longer-than-twenty-four")
    assert all(line[name_column - 2 : name_column] == "  " for line in lines), "every row lines up"
    assert all(line[name_column] != " " for line in lines)
    assert lines[0].endswith("zwo lengths read as")
    builtin = next(line for line in lines if line.startswith("first-steps-backward"))
    assert builtin.endswith("beginner"), "a column of '-' for every plan that is no .zwo said nothing"


def test_treadmill_plans_has_no_lengths_column_without_a_zwo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TREADMILL_CONFIG_DIR", str(tmp_path))
    status, out, err = cli(capsys, "plans")
    assert status == 0
    assert "lengths" not in out
    assert "docs/" not in err, "an installed wheel has no docs folder: the message says the facts"
    assert "[[steps]]" in err


def test_an_unknown_pace_or_a_power_that_is_no_number_drops_that_target_only() -> None:
    data = zwo(
        '<SteadyState Duration="60" Power="0.5" pace="9"/>\n<SteadyState Duration="60" Power="abc"/>\n'
        '<SteadyState Duration="60" Power="0.5"/>'
    )
    plan = parse_zwo(data, "p.zwo", PACES)
    assert [s.speed_kmh is None for s in plan.steps] == [True, True, False]
    notes = plan.extra[NOTES]
    assert "pace='9' is not a reference pace (0 to 4)" in notes[0]
    assert "Power 'abc' is not a number: no speed target" in notes[1], "the value once, not twice"
    assert notes[1].count("abc") == 1

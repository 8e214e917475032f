"""The live direction detector: one test per way it once failed, the contract, and a regression floor.

Each failure-mode test builds a small session that shows the mode (by hand, or from the
bench's population of people the detector was not tuned on) and checks that the detector
recovers, or stays forward. bench/eval_detector.py is the evaluation; these guard it.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import numpy as np
import pytest

from bench.evaluation import score, truth_at
from bench.fit_calibration import knots
from bench.population import Regime, session
from treadmill.core.analysis import Analysis, analyze
from treadmill.core.calibration import CALIBRATION, Basis, stated
from treadmill.core.detector import DetectorParams, DetectorState, DirectionDetector
from treadmill.core.evidence import (
    MAX_OFFSET,
    InclineModel,
    StrideModel,
    run_cadence,
    speed_level_log_ratio,
    walk_cadence,
)
from treadmill.core.timeline import DIRECTIONS
from treadmill.model import Cue, CueDirection, Direction, Evidence, Facing, Sample
from treadmill.session.board import LiveBoard

NAN = math.nan
F, R, U, S = Direction.FORWARD, Direction.REVERSE, Direction.UNSURE, Direction.STOPPED


def column(values: Sequence[float] | None, k: int) -> float | None:
    return None if values is None or math.isnan(values[k]) else values[k]


def run(
    speeds: Sequence[float],
    cadence: Sequence[float] | None = None,
    *,
    pod: Sequence[float] | None = None,
    steps: Sequence[float] | None = None,
    cues: Sequence[tuple[float, str]] = (),
    marks: Sequence[tuple[float, str]] = (),
    state: DetectorState | None = None,
) -> Analysis:
    """The session's pipeline over 1 Hz columns (NaN: no value): belt speed, a footpod's cadence
    and speed, the treadmill's own step count."""
    samples = []
    for k, speed in enumerate(speeds):
        rate, count = column(cadence, k), column(steps, k)
        samples.append(
            Sample(
                t=float(k),
                speed_kmh=speed,
                cadence_per_min=None if rate is None else round(rate),
                cadence_age_s=None if rate is None else 0.2,
                pod_speed_kmh=column(pod, k),
                steps=None if count is None else int(count),
            )
        )
    return analyze(
        samples,
        [Cue(t, CueDirection(d)) for t, d in cues],
        [(t, Facing(d)) for t, d in marks],
        state=state,
    )


def profile(*segments: tuple[float, float]) -> list[float]:
    """Speeds: (seconds, km/h) held for each segment at 1 Hz, after three seconds of a standing belt;
    the belt moves from one speed to the next at 1 km/h per second, as consoles do."""
    out = [0.0] * 3
    for seconds, speed in segments:
        last = out[-1]
        while abs(speed - last) > 1.0:
            last += math.copysign(1.0, speed - last)
            out.append(last)
        out += [speed] * int(seconds)
    return out


def live(analysis: Analysis) -> list[Direction]:
    """What the app showed, sample by sample."""
    return [verdict.direction for verdict in analysis.verdicts]


def kept(analysis: Analysis) -> list[Direction]:
    """What the session keeps (each switch moved back to its turn)."""
    return [DIRECTIONS[code] for code in analysis.labels.tolist()]


def share(labels: Sequence[Direction], which: Direction) -> float:
    moving = [d for d in labels if d is not S]
    return sum(d is which for d in moving) / max(len(moving), 1)


# --- the basics ---------------------------------------------------------------------------------


def test_a_steady_forward_walk_is_forward_and_sure() -> None:
    analysis = run(profile((600, 5.0)))
    assert set(live(analysis)[5:]) == {F}
    # Stated as sure as the belt speed alone ever is: people may turn at speed unseen.
    assert min(verdict.confidence for verdict in analysis.verdicts[5:]) > 0.85


def test_the_belt_starting_is_not_a_turn() -> None:
    ramp = [0.0, 0.0, 0.6, 1.2, 1.8, 2.4, 2.4, 3.0, 3.6, 4.2, 4.8] + [5.0] * 100
    assert R not in live(run(ramp))


def test_a_workout_that_starts_backward_starts_backward() -> None:
    analysis = run(profile((120, 2.5)), cues=[(0.0, "reverse")])
    assert set(live(analysis)[10:]) == {R}


def test_cue_and_dip_switch_to_reverse_and_back_within_seconds() -> None:
    speeds = profile((60, 5.0), (4, 2.0), (60, 3.5), (4, 2.0), (60, 5.0))
    analysis = run(speeds, cues=[(63.0, "reverse"), (135.0, "forward")])
    switches = [step for step in analysis.verdicts if step.switched]
    assert [s.direction for s in switches] == [R, F]
    assert all(s.t - s.boundary_s <= 8.0 for s in switches), "committed within seconds of the turn"
    assert share(kept(analysis)[75:125], R) == 1.0
    assert live(analysis)[-20:] == [F] * 20


def test_a_manual_mark_is_decisive_and_holds_until_the_next_transition() -> None:
    analysis = run(profile((300, 5.0)), marks=[(100.0, "reverse")])
    assert live(analysis)[100] is R
    assert set(live(analysis)[100:]) == {R}, "a mark holds: nothing on a plateau undoes it"


def test_a_mark_holds_against_a_footpod_and_cues_that_say_otherwise() -> None:
    """The app's r key: a forward-looking stride and a forward workout do not undo it on a plateau."""
    speeds = profile((600, 4.0))
    forward_stride = [NAN] * 3 + [62 + 9.5 * 4.0] * (len(speeds) - 3)  # a forward walker's steps
    analysis = run(speeds, forward_stride, cues=[(0.0, "forward")], marks=[(100.0, "reverse")])
    assert set(live(analysis)[100:]) == {R}


def test_nobody_runs_backward_at_twelve_km_h() -> None:
    analysis = run(profile((60, 5.0), (6, 1.5), (120, 12.0)), marks=[(40.0, "reverse")])
    assert live(analysis)[-30:] == [F] * 30


# --- failure mode 1: learning locks in its own mistakes -------------------------------------------


def test_a_cued_stop_and_restart_re_anchors_a_session_that_went_wrong() -> None:
    """A footpod reading 12 % high throughout: whatever it taught at the start, each cued turn
    with a stop settles the facing anew, and the session ends where the cues say."""
    speeds = profile((240, 5.0), (8, 0.0), (120, 3.5), (8, 0.0), (240, 5.0), (8, 0.0), (120, 3.5))
    cadence = [walk_cadence(v) * 1.12 if v > 1.5 else NAN for v in speeds]
    for k, v in enumerate(speeds):
        if 250 <= k < 380 or k >= 640:  # backward stretches: quicker still
            cadence[k] = walk_cadence(v) * 1.12 * 1.18 if v > 1.5 else NAN
    stops = [k for k, v in enumerate(speeds) if v == 0.0 and k > 10]
    cue_times = [stops[0], stops[8], stops[16]]
    analysis = run(speeds, cadence, cues=[(float(cue_times[0]), "reverse"), (float(cue_times[1]), "forward"),
                                          (float(cue_times[2]), "reverse")])  # fmt: skip
    labels = kept(analysis)
    assert share(labels[30:240], F) > 0.95
    assert share(labels[270:370], R) > 0.9
    assert share(labels[400:620], F) > 0.9, "back forward after the cued stop, whatever came before"
    assert share(labels[-90:], R) > 0.9


def test_a_person_far_from_typical_is_learned_as_they_are_within_what_a_body_can_do() -> None:
    """A walker stepping 25 % above the typical curve: the session learns them as they are (no
    band around the population), and what a profile says is checked against what a step rate can be."""
    detector = DirectionDetector(state=DetectorState.checked({"walk_offset": 0.1, "walk_samples": 5000}))
    speeds = profile((600, 5.0), (6, 1.5), (60, 5.5))  # the plateau ends: what it taught is kept
    for k, v in enumerate(speeds):
        detector.update(Sample(float(k), v, cadence_per_min=round(walk_cadence(v) * 1.25), cadence_age_s=0.2))
    learned = detector.learned()
    assert learned.walk_offset == pytest.approx(math.log(1.25), abs=0.02)
    assert learned.walk_samples >= 5000 + 20
    assert DetectorState.checked({"walk_offset": 0.4}).walk_offset == 0.4
    with pytest.raises(ValueError, match="walk_offset"):
        DetectorState.checked({"walk_offset": MAX_OFFSET + 0.1})


# --- failure mode 2: cadence extrapolated across gaits ---------------------------------------------


def test_a_runner_calibrated_on_a_walk_is_not_read_backward() -> None:
    """Warm-up walk at 5 km/h (110 steps/min), then a steady run at 10 km/h (165 steps/min)."""
    speeds = profile((180, 5.0), (900, 10.0))
    cadence = [walk_cadence(5.0) if v <= 5.0 else 165.0 for v in speeds]
    assert share(kept(run(speeds, cadence))[200:], R) == 0.0


def test_a_backward_walk_after_a_forward_run_is_seen() -> None:
    """Calibrated on running only; then a backward walk at 2.6 km/h, 15 % quicker than a forward walk."""
    speeds = profile((300, 10.0), (3, 1.5), (200, 2.6), (3, 1.5), (200, 10.0))
    cadence = [run_cadence(v) if v >= 7 else (walk_cadence(v) * 1.15 if v > 2 else NAN) for v in speeds]
    analysis = run(speeds, cadence)
    labels = kept(analysis)
    assert share(labels[330:500], R) > 0.9
    assert share(labels[-150:], F) > 0.95


# --- failure mode 3: larger-than-expected evidence counts as noise ---------------------------------


@pytest.mark.parametrize("speed", [2.5, 4.0, 5.5, 7.0, 9.0, 12.0])
def test_the_further_above_forward_a_cadence_is_the_more_backward_it_counts(speed: float) -> None:
    model = StrideModel()
    forward = run_cadence(speed) if speed >= 7.5 else walk_cadence(speed)
    ratios = [model.log_ratio(speed, forward * (1.0 + k / 100), 20) for k in range(0, 200, 5)]
    assert ratios[0] < 0.0, "the forward cadence itself says forward"
    assert ratios[-1] > 2.0, "twice the forward cadence is backward, not noise"
    beyond = ratios[ratios.index(max(ratios)) :]
    assert all(r >= max(ratios) - 1e-9 for r in beyond), "once at the cap it stays there"


def test_speed_evidence_is_bounded_and_sure_only_beyond_backward_running() -> None:
    assert all(abs(speed_level_log_ratio(v)) <= math.log(2.0) + 1e-9 for v in np.arange(0.5, 10.0, 0.1))
    assert speed_level_log_ratio(13.0) < -3.0


# --- failure mode 4: ordinary slow-downs become turns ----------------------------------------------


@pytest.mark.parametrize(
    ("segments", "unsure_at_most"),
    [
        (((300, 11.0), (90, 4.5), (300, 11.0), (90, 4.0), (300, 11.0)), 0.15),  # recoveries at 40 %
        (((600, 10.0), (60, 5.0), (600, 10.0)), 0.15),  # a walk break
        (((300, 5.0), (20, 0.0), (300, 5.0)), 0.15),  # a pause, back to the same speed
        # A run, a stop, then a walk: a walk break, or a runner walking backward; the speed
        # cannot tell, and the app says so rather than guess (a free session asks).
        (((300, 9.0), (30, 0.0), (300, 4.2), (30, 0.0), (300, 4.5)), 0.6),
        (((120, 8.0), (60, 8.5), (60, 9.0), (60, 9.5), (60, 10.0), (60, 10.5), (60, 11.0)), 0.15),
        (((900, 8.0), (200, 6.5), (200, 3.0)), 0.15),  # a cool-down
    ],
    ids=["recoveries", "walk_break", "pause", "stops", "step_test", "cool_down"],
)
def test_forward_sessions_stay_forward(
    segments: tuple[tuple[float, float], ...], unsure_at_most: float
) -> None:
    labels = kept(run(profile(*segments)))
    assert R not in labels
    assert share(labels, U) < unsure_at_most, "and the app does not shrug through them either"


def test_a_false_backward_does_not_hold_once_back_at_full_pace() -> None:
    """Even if a slow stretch were taken for backward, running at 11+ km/h again is forward."""
    analysis = run(profile((120, 11.0), (120, 3.0), (300, 11.5)), marks=[(200.0, "reverse")])
    assert live(analysis)[-200:] == [F] * 200


# --- failure mode 5: people outside the model's range -----------------------------------------------


def test_walk_back_run_forward_with_stops_is_followed() -> None:
    speeds = profile((120, 10.0), (8, 0.0), (90, 2.6), (8, 0.0), (120, 10.0), (8, 0.0), (90, 2.6))
    stops = [k for k, v in enumerate(speeds) if v == 0.0 and k > 10]
    cues = [(float(stops[0]), "reverse"), (float(stops[8]), "forward"), (float(stops[16]), "reverse")]
    analysis = run(speeds, cues=cues)
    assert [s.direction for s in analysis.verdicts if s.switched] == [R, F, R]


def test_a_practised_backward_runner_at_92_percent_turning_at_speed() -> None:
    speeds = profile((120, 10.0), (120, 9.2), (120, 10.0), (120, 9.2))
    cues = [(124.0, "reverse"), (246.0, "forward"), (368.0, "reverse")]
    analysis = run(speeds, cues=cues)
    assert [s.direction for s in analysis.verdicts if s.switched] == [R, F, R]


def test_a_turn_before_the_cue_is_credited_to_it() -> None:
    """The person turned (a dip) 8 s before the app cued it; the cue, arriving after, decides it."""
    speeds = profile((120, 5.0), (4, 1.8), (120, 3.5))
    dip = speeds.index(1.8)
    analysis = run(speeds, cues=[(float(dip + 12), "reverse")])
    assert share(kept(analysis)[dip + 20 :], R) == 1.0
    assert live(analysis)[dip + 13] is R


def test_a_turn_made_ahead_of_its_cue_is_not_stated_as_the_old_way_meanwhile() -> None:
    """In a workout, the person slows from a run to a backward walk a few seconds before the app
    cues the turn (they know their plan): until the cue, "forward" is not stated."""
    speeds = profile((120, 9.0), (120, 2.9))
    walk = speeds.index(2.9)
    analysis = run(speeds, cues=[(5.0, "forward"), (float(walk + 2), "reverse")])
    slowing = [k for k in range(walk - 8, walk + 2) if speeds[k] < 8.0]
    assert len(slowing) >= 5
    assert F not in [analysis.verdicts[k].direction for k in slowing]
    assert share(kept(analysis)[walk + 10 :], R) == 1.0


def test_a_pause_resumed_before_the_belt_stopped_is_no_turn_in_a_workout() -> None:
    """After the workout's last turn back to forward, the runner pauses and resumes before the belt
    has stopped (a dip to a walk), then runs on at the cool-down's slower pace: no cue, no turn.
    Slower by a backward-like 70 % after a dip, it may be left unsure; never stated backward."""
    speeds = profile((60, 9.7), (5, 2.0), (60, 2.7), (5, 1.0), (90, 9.7), (2, 2.7), (120, 6.8))
    to_backward = speeds.index(2.0, 10)
    to_forward = speeds.index(1.0, to_backward)
    cues = [(float(to_backward - 5), "reverse"), (float(to_forward - 2), "forward")]
    analysis = run(speeds, cues=cues)
    cool_down = speeds.index(6.8)
    assert R not in live(analysis)[cool_down:]
    assert R not in kept(analysis)[cool_down:]


def test_a_cued_turn_to_a_backward_walk_is_answered_once_the_walk_outlasts_a_turn() -> None:
    """Cued backward, the runner slows to a 2 km/h walk and stays there: a turn takes 1.5-4 s, so
    once the walk has held 6 s it is their backward level, and the turn is said."""
    speeds = profile((120, 8.0), (120, 2.0))
    walk = speeds.index(2.0, 10)
    analysis = run(speeds, cues=[(float(walk - 6), "reverse")])
    switch = next(v for v in analysis.verdicts if v.switched)
    assert switch.direction is R
    assert switch.t - walk <= 6.5


def test_a_skipped_turn_is_not_asserted() -> None:
    """Cued to turn, and nothing changes at all: unsure, not a confident backward."""
    analysis = run(profile((300, 5.0)), cues=[(100.0, "reverse")])
    assert R not in live(analysis)


def test_a_pause_that_is_back_at_speed_before_the_cue_is_not_its_turn() -> None:
    """Stopped mid-interval, back at the same backward speed, and only then cued forward: the pause
    was not the turn; the stop after the cue, up to the forward speed, is."""
    speeds = profile((60, 5.0), (4, 1.5), (90, 3.0), (10, 0.0), (20, 3.0), (4, 0.0), (60, 6.0))
    first_dip = speeds.index(1.5)
    pause = speeds.index(0.0, first_dip)
    back = speeds.index(3.0, pause)
    cue = float(back + 3)  # heard after the belt was back at 3 km/h
    analysis = run(speeds, cues=[(float(first_dip - 2), "reverse"), (cue, "forward")])
    switches = [v for v in analysis.verdicts if v.switched and v.direction is F]
    assert len(switches) == 1
    assert switches[0].boundary_s > cue, "the turn is the stop after the cue, not the pause before it"
    assert R in live(analysis)[int(cue) : int(cue) + 15], "still backward until the second stop"


def test_a_slow_walker_slowing_to_turn_is_timed_where_they_turned() -> None:
    """3.1 km/h forward, 2.4 to turn (a 0.7 km/h slow-down), then 1.8 backward: the turn is at the
    walk, not at the start of the slow-down."""
    speeds = profile((90, 3.1), (6, 2.4), (90, 1.8))
    slow = speeds.index(2.4)
    analysis = run(speeds, cues=[(float(slow - 8), "reverse")])
    switch = next(v for v in analysis.verdicts if v.switched)
    assert switch.direction is R
    assert switch.boundary_s >= slow + 3


def test_a_slow_down_is_timed_by_how_this_person_turns() -> None:
    """A plain slow-down from a run to a backward walk: at even odds the turn is put midway; once
    this person has turned at speed (back to forward, a plain speed-up from a run-ish pace), at
    its start."""
    speeds = profile((60, 9.0), (90, 5.0), (60, 9.0), (90, 5.0), (60, 9.0))
    starts = [k for k in range(1, len(speeds)) if speeds[k] < speeds[k - 1] == 9.0]
    cues = [(float(starts[0] - 3), "reverse"), (153.0 + 8, "forward"), (float(starts[1] - 3), "reverse")]
    analysis = run(speeds, cues=cues)
    to_backward = [v.boundary_s for v in analysis.verdicts if v.switched and v.direction is R]
    assert len(to_backward) == 2
    first, second = (b - s for b, s in zip(to_backward, starts, strict=True))
    assert 0.5 < first < 4.0, "at even odds: between the start and the walk"
    assert second < first, "after a turn made at speed, nearer the start"


def test_a_footpod_dates_a_turn_within_a_slow_down() -> None:
    """A plain slow-down from a fast walk to a backward walk. The speed alone puts the turn midway;
    the step rate read while the belt slowed says whether it came at speed (quicker steps from
    the start) or at the bottom (a forward walk's steps all the way down), however late the
    footpod's readings come."""
    walked = profile((60, 6.5))
    speeds = walked + [6.5 - 0.5 * k for k in range(1, 9)] + [2.5] * 90  # down at 0.5 km/h a second
    start, bottom = len(walked), len(walked) + 7
    cues = [(float(start - 3), "reverse")]

    def turned_at(analysis: Analysis) -> float:
        (boundary,) = [v.boundary_s for v in analysis.verdicts if v.switched and v.direction is R]
        return boundary

    blind = turned_at(run(speeds, cues=cues))
    assert start + 1 < blind < bottom + 2
    for turn in (start, bottom + 2):
        cadence = [walk_cadence(v) * (1.25 if k >= turn else 1.0) for k, v in enumerate(speeds)]
        assert abs(turned_at(run(speeds, cadence, cues=cues)) - turn) <= 1.0
    # A console's 1 km/h a second, and a footpod two seconds behind the belt, forward all the way
    # down: no turn at speed.
    fast = walked + [5.5, 4.5, 3.5] + [2.5] * 90
    lagging = [walk_cadence(fast[max(k - 2, 0)]) for k in range(len(fast))]
    assert turned_at(run(fast, lagging, cues=cues)) >= turned_at(run(fast, cues=cues))


def test_a_speed_up_while_the_plans_turn_to_forward_is_due_is_unsure_and_elsewhere_still_backward() -> None:
    """Backward at 2.5 km/h; the belt goes up to 8 km/h. Six seconds before the plan's turn to
    forward, it is someone who knows the plan turning early: unsure, never "backward at 7.5 km/h".
    A minute before it, it is a backward walker going faster: still backward (so the danger
    warning can fire), the same in the live app (the board, reading its plan's cue lines)."""
    speeds = profile((60, 5.0), (90, 2.5), (60, 8.0))
    down = speeds.index(2.5) - 2
    up = len(speeds) - 65  # the first sample above 2.5: 3.5, 4.5, ... 7.5, then 8.0
    rising = range(up + 1, up + 5)
    for due, shown in ((6.0, U), (60.0, R)):
        cues = [Cue(float(down - 2), CueDirection.REVERSE), Cue(up + due, CueDirection.FORWARD)]
        samples = [Sample(float(k), v) for k, v in enumerate(speeds)]
        analysis = analyze(samples, cues)
        assert {analysis.verdicts[k].direction for k in rising} == {shown}
        board = LiveBoard(recorded_cues=tuple(cues))
        live_board = []
        for sample in samples:
            for cue in cues:
                if cue.t == sample.t:
                    board.take(cue)
            labelled = board.take(sample)
            assert isinstance(labelled, Sample)
            live_board.append(labelled.direction)
        assert {live_board[k] for k in rising} == {shown}


def test_a_cue_met_by_silence_while_a_footpod_reads_steady_leans_to_a_skip() -> None:
    """Backward at 2 km/h; a cue to forward, and then nothing changes, not the belt and not the
    steps. Without a footpod that is mostly a turn at speed. With a footpod reading all along, a
    turn at speed would have shown as a jump in the step rate; none did, so the belief leans to
    a skipped cue (never "forward" at 0.9 while the person still walks backward)."""
    walked = profile((60, 4.0))
    speeds = [*walked, 3.0, *([2.0] * 150)]
    down = len(walked)
    cues = [(float(down - 2), "reverse"), (float(down + 60), "forward")]
    steps = [walk_cadence(v) * (1.0 if k < down else 1.2) for k, v in enumerate(speeds)]
    after = range(down + 90, len(speeds))
    with_pod = run(speeds, steps, cues=cues)
    without = run(speeds, cues=cues)
    assert min(with_pod.verdicts[k].p_reverse for k in after) > 0.5
    assert max(without.verdicts[k].p_reverse for k in after) < 0.5
    assert F not in [with_pod.verdicts[k].direction for k in after]


def test_an_early_backward_call_is_withdrawn_when_the_belt_goes_past_backward_speed() -> None:
    """Cued backward a second time and skipped: the runner dips to a walk and goes straight back up
    to their run. The dip after the cue looked like the turn; once the belt is past anything this
    person walked backward (2.5 km/h), it is unsure, never "backward at 5 km/h"."""
    speeds = profile((60, 9.0), (5, 2.0), (90, 2.5), (5, 1.0), (60, 9.0), (2, 2.0), (60, 9.0))
    dips = [k for k in range(1, len(speeds)) if speeds[k] == 2.0 and speeds[k - 1] > 2.0]
    cues = [(float(dips[0] - 2), "reverse"), (150.0, "forward"), (float(dips[1] - 6), "reverse")]
    analysis = run(speeds, cues=cues)
    rising = [k for k in range(dips[1], dips[1] + 12) if 3.1 <= speeds[k] < 9.0]
    assert len(rising) >= 5
    assert R not in [analysis.verdicts[k].direction for k in rising]


# --- failure mode 6: footpods are less regular than modelled ---------------------------------------


def test_a_footpod_counting_strides_reads_like_one_counting_steps() -> None:
    speeds = profile((200, 5.0), (200, 5.0))
    steps = [walk_cadence(5.0) if k < 203 else walk_cadence(5.0) * 1.2 for k in range(len(speeds))]
    strides = [c / 2 for c in steps]
    assert kept(run(speeds, steps)) == kept(run(speeds, strides))
    assert share(kept(run(speeds, strides))[-100:], R) == 1.0, "a turn at speed, seen through strides"


def test_a_footpod_worn_part_of_the_time_makes_no_turns_of_its_own() -> None:
    speeds = profile((300, 5.0), (300, 6.0), (300, 5.5))
    rng = random.Random(3)
    cadence = [
        walk_cadence(v) * rng.uniform(0.97, 1.03) if (k // 60) % 3 != 1 else NAN for k, v in enumerate(speeds)
    ]
    assert R not in kept(run(speeds, cadence))


def test_readings_that_are_no_step_rate_at_all_are_dropped() -> None:
    speeds = profile((400, 5.0))
    cadence = [walk_cadence(5.0)] * len(speeds)
    for k in range(100, 130):
        cadence[k] = 30.0  # a footpod finding its feet
    assert R not in kept(run(speeds, cadence))


# --- the output -------------------------------------------------------------------------------


def test_an_ambiguous_stop_is_said_to_be_unsure_not_backward() -> None:
    """A run, a stop, then a walk at a third of the speed: a walk break or a runner walking
    backward, the speed cannot tell; the app says it is unsure or keeps forward."""
    analysis = run(profile((300, 11.0), (30, 0.0), (300, 3.7)))
    assert R not in live(analysis)


def test_feeding_in_random_chunks_gives_the_batch_result() -> None:
    example = session(3, Regime.FREE_FOOTPOD, duration_s=600)
    batch = analyze(example.samples).verdicts
    rng = random.Random(5)
    detector = DirectionDetector()
    verdicts = []
    k = 0
    while k < len(example.samples):
        chunk = rng.randint(1, 40)
        verdicts += [detector.update(sample) for sample in example.samples[k : k + chunk]]
        k += chunk
    assert verdicts == batch


def test_analysis_intervals_meet_the_contract() -> None:
    example = session(45, Regime.GUIDED, duration_s=900)
    analysis = analyze(example.samples, [Cue(t, CueDirection(f.value)) for t, f in example.cues])
    intervals = analysis.intervals
    assert intervals[0].start_s == example.samples[0].t
    assert intervals[-1].end_s == example.samples[-1].t
    for a, b in itertools.pairwise(intervals):
        assert a.end_s == b.start_s  # no gaps, no overlaps
        assert a.direction != b.direction
    for interval in intervals:
        assert interval.direction in set(Direction)
        assert interval.detected_at_s >= interval.start_s
        assert 0.0 <= interval.confidence <= 1.0
    out = analysis.to_dict()
    assert set(out) == {"intervals", "summary"}
    assert {"time_s", "distance_m", "kcal"} <= set(analysis.summary.totals[Direction.FORWARD].to_dict())


def test_hindsight_is_at_least_as_right_as_the_live_labels() -> None:
    """The offline smoother weighs each plateau with what came after it too."""
    live_right = offline_right = total = 0
    for person in (41, 42, 43, 44):
        for regime in (Regime.FREE, Regime.FREE_FOOTPOD):
            example = session(person, regime, duration_s=900)
            analysis = analyze(example.samples)
            truth = truth_at(example.truth, [s.t for s in example.samples])
            labels, offline = kept(analysis), [DIRECTIONS[c] for c in analysis.offline_labels().tolist()]
            for true, now, later in zip(truth, labels, offline, strict=True):
                if true in (F, R) and now is not S:
                    total += 1
                    live_right += now is true
                    offline_right += later is true
    assert offline_right >= live_right
    assert offline_right / total > 0.85


@pytest.mark.parametrize("regime", [Regime.GUIDED, Regime.FREE_FOOTPOD, Regime.FORWARD_ONLY])
def test_a_floor_on_a_few_held_out_people(regime: Regime) -> None:
    """A regression guard, not the evaluation (bench/eval_detector.py has the figures)."""
    scores = score([session(person, regime, duration_s=900) for person in range(40, 46)])
    assert scores.share("stated_wrong") < 0.04, "wrong and sure, seldom"
    # Person 45 (guided) pauses twice in a short backward interval at a walk, so no level settles
    # in it and the cued turn back to forward rides on the one before: 17 % stated wrongly.
    assert all(s.stated_wrong < 0.2 for s in scores.sessions)
    if regime.forward_only:
        assert all(s.backward_share < 0.05 for s in scores.sessions)
        return
    assert scores.f1(10.0) >= {Regime.GUIDED: 0.9, Regime.FREE_FOOTPOD: 0.75}[regime]


def test_a_burst_of_notifications_milliseconds_apart_is_ordinary_evidence() -> None:
    """Consoles catching up after a reconnect send frames 1 ms apart; no error, no flip."""
    detector = DirectionDetector()
    for second in range(60):
        detector.update(Sample(float(second), 5.0))
    detector.update(Sample(60.0, 5.0))
    detector.update(Sample(60.001, 12.0))  # a 7 km/h jump in a millisecond
    assert detector.update(Sample(60.002, 5.0)).direction is F


def test_the_parameters_are_probabilities() -> None:
    params = DetectorParams()
    for name in ("free_turn_prior", "free_return_prior", "turning_session_prior", "cued_turn_prior"):
        assert 0.0 < getattr(params, name) < 1.0
    assert 0.5 < params.unsure_below < 1.0
    assert 0.5 < params.commit_probability < params.confirmed < params.keep_anchor < 1.0


# --- round three: the person's own evidence, every signal, honest confidence ------------------------


def forward_then_turned(rate: float, backward: float, seconds: int = 240) -> tuple[list[float], list[float]]:
    """A walk at 5 km/h, a dip to turn, a backward walk at 3.5 km/h: speeds and step rates."""
    speeds = profile((seconds, 5.0), (4, 1.5), (seconds, 3.5))
    turn = speeds.index(1.5)
    cadence = [
        NAN if v < 1.5 else walk_cadence(v) * rate * (backward if k > turn else 1.0)
        for k, v in enumerate(speeds)
    ]
    return speeds, cadence


@pytest.mark.parametrize("rate", [0.8, 1.0, 1.2])
def test_a_walker_far_from_typical_is_read_by_their_own_steps(rate: float) -> None:
    """Step rates 20 % either side of typical (leg length alone does it): the forward walk is
    forward, and the backward walk after the dip, 15 % quicker than their own forward steps, is
    backward, whatever the population curve says."""
    speeds, cadence = forward_then_turned(rate, 1.15)
    labels = kept(run(speeds, cadence))
    turn = speeds.index(1.5)
    assert share(labels[10:turn], F) > 0.95
    assert share(labels[turn + 30 :], R) > 0.9


def test_a_backward_shuffle_beyond_any_forward_gait_counts_the_more_backward() -> None:
    """170 steps a minute walking backward at 3.6 km/h fits no modelled gait: it is evidence, not noise."""
    model = StrideModel()
    ratios = [model.log_ratio(3.6, rate, 20) for rate in (130.0, 150.0, 170.0, 200.0)]
    assert ratios == sorted(ratios)
    assert ratios[2] > 3.0


def test_the_step_rate_backs_backward_only_on_a_level_it_was_read_on() -> None:
    """Backward steps back a backward label on the plateau; once the belt changes speed, the rate
    read on the old level says nothing of the new one (the person may have turned at speed)."""
    speeds, cadence = forward_then_turned(1.0, 1.3)
    speeds += [3.5 + 0.5 * k for k in range(1, 9)] + [7.5] * 30
    cadence += [walk_cadence(3.5) * 1.3] * 38
    analysis = run(speeds, cadence)
    speeding_up = len(speeds) - 38
    on_level = analysis.verdicts[speeding_up - 5]
    assert on_level.direction is R
    assert on_level.backed
    assert not any(v.backed for v in analysis.verdicts[speeding_up + 3 : speeding_up + 9])


def test_the_treadmills_own_step_count_finds_a_turn_at_speed() -> None:
    """A walking pad that counts steps, and a person who turns without touching the speed."""
    speeds = profile((300, 3.0), (300, 3.0))
    count, counts = 0.0, []
    for k, v in enumerate(speeds):
        count += walk_cadence(v) * (1.3 if k > 303 else 1.0) / 60.0 if v > 0 else 0.0
        counts.append(count)
    labels = kept(run(speeds, steps=counts))
    assert share(labels[20:300], F) > 0.95
    assert share(labels[340:], R) > 0.9


def test_a_footpod_reading_slow_at_the_same_belt_speed_is_a_turn() -> None:
    """Most footpods, calibrated forward, read backward steps short: a pod speed falling to three
    quarters of the belt's at an unchanged step rate and speed."""
    speeds = profile((300, 4.0), (300, 4.0))
    cadence = [walk_cadence(v) if v > 0 else NAN for v in speeds]
    pod = [v * (0.75 if k > 303 else 1.0) if v > 0 else NAN for k, v in enumerate(speeds)]
    labels = kept(run(speeds, cadence, pod=pod))
    assert share(labels[340:], R) > 0.9


def test_an_incline_raised_for_backward_intervals_becomes_evidence() -> None:
    model = InclineModel()
    assert model.log_ratio(4.0) == 0.0, "nothing learned yet: says nothing"
    model.learn(0, 0.0)
    model.learn(1, 4.0)
    assert model.log_ratio(4.0) > 0.0 > model.log_ratio(0.0)
    assert model.log_ratio(2.0) == 0.0, "between the two: says nothing"


def test_an_old_footpod_reading_says_nothing() -> None:
    """The decoder keeps the last cadence; once the pod stops sending it is stale and ignored."""
    detector = DirectionDetector()
    for k, v in enumerate(profile((200, 5.0))):
        verdict = detector.update(Sample(float(k), v, cadence_per_min=60, cadence_age_s=30.0 + k))
    assert verdict.basis is Basis.SPEED
    assert detector.evidence is Evidence.SPEED


def test_the_footpods_unit_settling_is_no_turn() -> None:
    """A pod sending strides: its first readings are taken as steps until the evidence says strides;
    the switch doubles every reading at once, and is no jump of the step rate."""
    speeds = profile((600, 5.0))
    strides = [walk_cadence(v) / 2 if v > 0 else NAN for v in speeds]
    assert R not in kept(run(speeds, strides))


def test_stated_confidence_is_a_monotone_map_into_what_is_right() -> None:
    for basis in Basis:
        table = CALIBRATION[basis]
        xs, ys = [x for x, _ in table], [y for _, y in table]
        assert xs == sorted(set(xs))
        assert (xs[0], xs[-1]) == (0.5, 1.0)
        assert ys == sorted(ys)
        assert 0.5 <= ys[0] <= ys[-1] < 1.0
        probabilities = np.linspace(0.5, 1.0, 101)
        said = [stated(float(p), basis) for p in probabilities]
        assert said == sorted(said)


def test_a_fitted_table_says_what_the_few_labels_below_its_first_quantile_show() -> None:
    """Nearly all labels near 1, a few at 0.7 right 19 times in 20: the table at 0.7 says about
    0.95, not a point on a line from 0.5 to the first quantile."""
    rng = random.Random(5)
    pairs = [(0.7, float(rng.random() < 0.95)) for _ in range(400)]
    pairs += [(0.99 + 0.0001 * k, float(rng.random() < 0.99)) for k in range(20000)]
    table = dict(knots(pairs))
    assert abs(table[0.7] - 0.95) < 0.03
    assert 0.6 not in table, "no labels there: no knot"


def test_a_free_session_asks_at_a_transition_it_cannot_settle_and_a_workout_never_does() -> None:
    """A run, a stop, a walk a third as fast: walk break or backward walk? The app asks, and the
    answer is a mark."""
    speeds = profile((300, 9.0), (20, 0.0), (300, 3.4))
    asked = [v.t for v in run(speeds).verdicts if v.asking]
    assert asked, "the person is asked"
    answered = run(speeds, marks=[(asked[0] + 2.0, "reverse")])
    assert not any(v.asking for v in answered.verdicts if v.t > asked[0] + 2.0)
    assert share(kept(answered)[-200:], R) == 1.0
    guided = run(speeds, cues=[(300.0, "reverse")])
    assert not any(v.asking for v in guided.verdicts)


def test_garbage_never_breaks_the_detector() -> None:
    """Seeded random readings of every kind, including zeros, NaN and absurd step counts."""
    rng = random.Random(11)
    detector = DirectionDetector()
    choices = [None, 0.0, NAN, -1.0, 0.2, 3.0, 12.0, 40.0]
    for k in range(3000):
        sample = Sample(
            t=k * 0.5,
            speed_kmh=rng.choice([*choices, rng.uniform(0, 20)]),
            incline_pct=rng.choice([None, 0.0, 5.0, NAN]),
            steps=rng.choice([None, 0, k, 10 * k, 1]),
            cadence_per_min=rng.choice([None, 0, 1, 30, 110, 255]),
            cadence_age_s=rng.choice([None, 0.1, 60.0]),
            pod_speed_kmh=rng.choice([None, 0.0, 3.0, NAN, 50.0]),
        )
        if k % 97 == 0:
            detector.cue(sample.t, rng.choice(list(CueDirection)))
        if k % 131 == 0:
            detector.mark(rng.choice(list(Facing)))
        verdict = detector.update(sample)
        assert 0.0 <= verdict.confidence <= 1.0
        assert 0.0 <= verdict.p_reverse <= 1.0

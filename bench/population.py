"""The people and sessions the detector is evaluated on: wider and harder than the demo's runner.

Each person is drawn from a seed and belongs to one kind, because the kinds fail in
different ways:

* ``classic``: walks or runs backward at 60-80 % of the forward speed;
* ``walk_back_run_forward``: runs forward at 8.5-11 km/h and walks backward at 2.3-3.2 km/h
  (about 30 %: what beginners are told to do), so each turn also changes gait;
* ``retro_runner``: a practised backward runner at 85-95 % of the forward pace;
* ``slow_walker``: walks forward at 3-4.2 km/h (rehabilitation, older people), backward
  slower still;
* ``near_equal_walker``: walks both ways at nearly the same speed.

Across kinds: how they turn (slowing the belt, stopping it, or at speed without touching
the console), early (before the cue) or late, skipped turns, pauses mid-interval that are
not turns; their own step rate up to 20 % off the typical curves either way (leg length
alone does that), and one in five stepping backward faster than any forward gait (a runner
who shuffles backward at 170 steps a minute); their footpod: steps or strides per minute,
worn all session or only part of it, a speed reading that is poor backward (or, for some,
right); treadmills that report a step count; workouts that raise the incline for the
backward intervals. Forward-only sessions (intervals with walking recoveries, walk breaks,
step tests, stops and restarts) measure false alarms, on a treadmill and, as the real ones
others recorded, from a watch: a sample every 3-10 s, dropouts, single-sample blips.

Sessions go through the real frame encoders and the real decoder, on a randomly drawn
treadmill, exactly as a recording would. Bench-only: the product's virtual treadmill uses
:meth:`treadmill.virtual.runner.Person.sample`.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import zlib
from dataclasses import dataclass

from treadmill.ftms import RSCMeasurement, TreadmillData
from treadmill.ftms.assembler import split_record
from treadmill.ftms.uuids import HEART_RATE_MEASUREMENT, RSC_MEASUREMENT, TREADMILL_DATA
from treadmill.model import Direction, Facing, Frame, Sample, Sensor
from treadmill.phone.reading import PHONE_MOTION
from treadmill.session.decoding import SampleDecoder
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.phone import PHONE_RATE_HZ, BodyPhone
from treadmill.virtual.runner import Leg, Person, Runner, RunnerPlan, TurnStyle, draw_body
from treadmill.virtual.world import Tick, VirtualWorld

__all__ = ["Kind", "Regime", "Session", "footpod_of", "person_of", "phone_of", "session"]


class Kind(enum.StrEnum):
    """What sort of person (see the module docstring)."""

    CLASSIC = "classic"
    WALK_BACK_RUN_FORWARD = "walk_back_run_forward"
    RETRO_RUNNER = "retro_runner"
    SLOW_WALKER = "slow_walker"
    NEAR_EQUAL_WALKER = "near_equal_walker"


_KIND_WEIGHTS = {
    Kind.CLASSIC: 0.3,
    Kind.WALK_BACK_RUN_FORWARD: 0.2,
    Kind.RETRO_RUNNER: 0.15,
    Kind.SLOW_WALKER: 0.15,
    Kind.NEAR_EQUAL_WALKER: 0.2,
}


class Regime(enum.StrEnum):
    """What the detector is given."""

    GUIDED = "guided"
    """The app cues each turn; speed only."""
    GUIDED_FOOTPOD = "guided_footpod"
    GUIDED_HR = "guided_hr"
    """Cued, with a heart-rate strap (the detector must not be led astray by it)."""
    FREE = "free"
    """No plan, no cues: the person turns when they like; speed only."""
    FREE_FOOTPOD = "free_footpod"
    GUIDED_PHONE = "guided_phone"
    """Cued, with a phone worn on the body (taken out now and then by half the people)."""
    FREE_PHONE = "free_phone"
    """No cues, a phone worn on the body."""
    FORWARD_ONLY = "forward_only"
    """Never backward: intervals, walk breaks, step tests, stops and restarts."""
    FORWARD_ONLY_FOOTPOD = "forward_only_footpod"
    FORWARD_ONLY_WATCH = "forward_only_watch"
    """Speed and cadence from a wrist watch, as the real recorded sessions are: sparse, with gaps."""
    FORWARD_ONLY_PHONE = "forward_only_phone"
    """Never backward, a phone in the pocket that is taken out and put down (every false turn counts)."""

    @property
    def phone(self) -> bool:
        """A body-worn phone streams its motion sensors."""
        return self.value.endswith("phone")

    @property
    def footpod(self) -> bool:
        """A footpod's cadence is part of the evidence."""
        return self.value.endswith("footpod")

    @property
    def strap(self) -> bool:
        """A heart-rate strap sends too."""
        return self.value.endswith("_hr")

    @property
    def watch(self) -> bool:
        """The speed (and a cadence) come from a watch, not the belt."""
        return self.value.endswith("watch")

    @property
    def guided(self) -> bool:
        """The app cues the turns."""
        return self.value.startswith("guided")

    @property
    def forward_only(self) -> bool:
        """Nobody turns."""
        return self.value.startswith("forward_only")


@dataclass(frozen=True, slots=True)
class Footpod:
    """How a person's footpod behaves."""

    strides: bool
    """Cadence in strides per minute (half the steps)."""
    worn: tuple[tuple[float, float], ...]
    """The stretches of session time it sends anything (all of it: one stretch)."""
    backward_speed_factor: float
    """Its speed reading backward, as a share of the belt's (calibrated forward only)."""

    def sends_at(self, t: float) -> bool:
        """True while it is worn and sending."""
        return any(start <= t < end for start, end in self.worn)


@dataclass(frozen=True, slots=True)
class Session:
    """One session ready to score: samples, cues, the truth, and who and what it was."""

    person_id: int
    regime: Regime
    kind: Kind
    samples: list[Sample]
    cues: list[tuple[float, Facing]]
    truth: list[tuple[float, Direction]]
    treadmill: str


def person_of(person_id: int) -> tuple[Kind, Person]:
    """The person with this id: the same one in every regime."""
    rng = random.Random(person_id * 7919 + 13)
    kind = rng.choices(list(_KIND_WEIGHTS), weights=list(_KIND_WEIGHTS.values()))[0]
    forward, factor = {
        Kind.CLASSIC: lambda: (
            rng.choice((rng.uniform(3.8, 6.2), rng.uniform(8.0, 11.0))),
            rng.uniform(0.6, 0.8),
        ),
        Kind.WALK_BACK_RUN_FORWARD: lambda: (rng.uniform(8.5, 11.0), 0.0),
        Kind.RETRO_RUNNER: lambda: (rng.uniform(8.0, 11.0), rng.uniform(0.85, 0.95)),
        Kind.SLOW_WALKER: lambda: (rng.uniform(3.0, 4.2), rng.uniform(0.5, 0.75)),
        Kind.NEAR_EQUAL_WALKER: lambda: (rng.uniform(4.0, 5.5), rng.uniform(0.85, 0.95)),
    }[kind]()
    if kind is Kind.WALK_BACK_RUN_FORWARD:
        factor = rng.uniform(2.3, 3.2) / forward
    style = rng.choices(list(TurnStyle), weights=(0.5, 0.25, 0.25))[0]
    timing = rng.random()
    early = rng.uniform(2.0, 10.0) if timing < 0.15 else 0.0
    late = rng.uniform(2.0, 15.0) if 0.15 <= timing < 0.35 else 0.0
    age = rng.uniform(20, 70)
    body = draw_body(rng, age)
    if rng.random() < 0.2:  # backward steps faster than any forward gait at that speed
        body["reverse_cadence_factor"] = rng.uniform(1.4, 1.8)
    person = Person(
        forward_speed_kmh=round(forward, 1),
        reverse_factor=factor,
        turn_style=style,
        turn_speed_kmh=round(rng.uniform(1.0, 3.0), 1),
        turn_duration_s=rng.uniform(1.5, 4.0),
        reaction_s=rng.uniform(0.8, 4.0),
        late_s=late,
        early_s=early,
        skip_probability=rng.choice((0.0, 0.0, 0.05, 0.15)),
        pause_probability=rng.choice((0.0, 0.1, 0.25)),
        **body,
        cadence_scale=rng.uniform(0.8, 1.25),
        run_from_kmh=rng.uniform(6.5, 8.0),
        reverse_run_from_kmh=rng.uniform(5.5, 6.5),
        follows_plan_speeds=True,
    )
    return kind, person


def footpod_of(person_id: int, duration_s: float) -> Footpod:
    """The person's footpod: units, when it is worn, how it reads backward."""
    rng = random.Random(person_id * 104729 + 7)
    worn: list[tuple[float, float]] = [(0.0, duration_s + 1.0)]
    if rng.random() < 0.25:  # worn part of the time: it drops out and comes back
        worn, t = [], rng.uniform(0.0, 120.0)
        while t < duration_s:
            length = rng.uniform(120.0, 400.0)
            worn.append((t, t + length))
            t += length + rng.uniform(60.0, 300.0)
    reads_right = rng.random() < 0.3  # most footpods, calibrated forward, read backward speed low
    return Footpod(
        strides=rng.random() < 0.3,
        worn=tuple(worn),
        backward_speed_factor=rng.uniform(0.95, 1.05) if reads_right else rng.uniform(0.6, 0.9),
    )


def phone_of(person_id: int, regime: Regime, duration_s: float) -> BodyPhone:
    """The person's phone: how it is worn; half the people take it out or put it down now and then
    (everyone in the forward-only regime, where such moments are what could raise a false turn)."""
    taken_out = regime.forward_only or random.Random(person_id * 6151 + 3).random() < 0.5
    return BodyPhone.drawn(person_id * 2731 + 11, duration_s, taken_out=taken_out)


def guided_plan(person: Person, rng: random.Random, duration_s: float) -> RunnerPlan:
    """The person's own interval workout: warm-up, backward and forward intervals, cool-down."""
    forward = person.forward_speed_kmh
    backward = round(forward * person.reverse_factor, 1)
    incline = rng.choice((None, None, round(rng.uniform(2.0, 6.0))))  # some raise the incline backward
    flat = None if incline is None else 0.0
    steps = [Leg(Facing.FORWARD, rng.uniform(60.0, 120.0), round(forward * 0.85, 1), flat)]
    while sum(i.duration_s for i in steps) < duration_s - 240.0:
        steps.append(Leg(Facing.REVERSE, rng.uniform(45.0, 120.0), backward, incline))
        steps.append(Leg(Facing.FORWARD, rng.uniform(60.0, 180.0), round(forward, 1), flat))
    steps.append(Leg(Facing.FORWARD, 120.0, round(forward * 0.7, 1), flat))
    return RunnerPlan(tuple(steps))


def forward_only_plan(person: Person, rng: random.Random, duration_s: float) -> RunnerPlan:
    """Forward only, the way real sessions go: intervals with recoveries, walk breaks, or a step test."""
    forward = person.forward_speed_kmh
    style = rng.choice(("intervals", "walk_breaks", "step_test", "steady"))
    steps = [Leg(Facing.FORWARD, rng.uniform(120.0, 300.0), round(min(forward, 5.0) * 0.9, 1))]
    while sum(i.duration_s for i in steps) < duration_s:
        if style == "intervals":
            steps.append(
                Leg(Facing.FORWARD, rng.uniform(60.0, 300.0), round(forward * rng.uniform(1.0, 1.2), 1))
            )
            steps.append(
                Leg(Facing.FORWARD, rng.uniform(30.0, 150.0), round(forward * rng.uniform(0.3, 0.65), 1))
            )
        elif style == "walk_breaks":
            steps.append(Leg(Facing.FORWARD, rng.uniform(180.0, 420.0), round(forward, 1)))
            steps.append(Leg(Facing.FORWARD, rng.uniform(30.0, 90.0), round(rng.uniform(3.5, 5.0), 1)))
        elif style == "step_test":
            last = steps[-1].speed_kmh or forward
            steps.append(
                Leg(
                    Facing.FORWARD,
                    rng.uniform(45.0, 75.0),
                    round(min(last + rng.choice((0.5, 1.0)), 18.0), 1),
                )
            )
        else:
            steps.append(
                Leg(Facing.FORWARD, rng.uniform(300.0, 900.0), round(forward * rng.uniform(0.9, 1.1), 1))
            )
    return RunnerPlan(tuple(steps))


@dataclass(frozen=True, slots=True)
class _Treadmill:
    notify_hz: float
    resolution: float
    split: int | None
    drop: float
    duplicate: float
    acceleration: float
    steps: bool = False
    """It reports a step count (the de-facto bit-13 field of walking pads)."""

    def describe(self) -> str:
        split = f", split at {self.split}" if self.split else ""
        steps = ", steps" if self.steps else ""
        return (
            f"{self.notify_hz:g} Hz, {self.resolution:g} km/h, {self.acceleration:g} km/h/s, "
            f"drop {self.drop:.0%}, dup {self.duplicate:.0%}{split}{steps}"
        )


def _treadmill(rng: random.Random) -> _Treadmill:
    return _Treadmill(
        notify_hz=rng.choice((0.5, 1.0, 1.0, 2.0)),
        resolution=rng.choice((0.1, 0.01)),
        split=rng.choice((None, None, 12)),
        drop=rng.choice((0.0, 0.01, 0.05)),
        duplicate=rng.choice((0.0, 0.0, 0.02)),
        acceleration=rng.choice((0.5, 1.0, 1.5)),
        steps=rng.random() < 0.25,
    )


def _plan_for(regime: Regime, person: Person, rng: random.Random, duration_s: float) -> RunnerPlan | None:
    """What the person follows: a cued workout, a forward-only one, or (None) their own whim."""
    if regime.guided:
        return guided_plan(person, rng, duration_s)
    if regime.forward_only:
        return forward_only_plan(person, rng, duration_s)
    return None


def session(person_id: int, regime: Regime, *, duration_s: float = 1200.0) -> Session:
    """One session of ``person_id`` in ``regime``, on a treadmill drawn for it."""
    kind, person = person_of(person_id)
    rng = random.Random(zlib.crc32(f"{person_id}:{regime}".encode()))
    machine = _treadmill(rng)
    plan = _plan_for(regime, person, rng, duration_s)
    if regime.forward_only:  # real forward sessions stop and restart often
        person = dataclasses.replace(person, pause_probability=max(person.pause_probability, 0.2))
    world = VirtualWorld(
        seed=rng.randrange(1 << 30),
        plan=plan,
        person=person,
        spec=MachineSpec(
            speed_resolution_kmh=machine.resolution,
            acceleration_kmh_per_s=machine.acceleration,
            step_count=machine.steps and not regime.watch,
        ),
        duration_s=duration_s,
    )
    pod = footpod_of(person_id, duration_s) if regime.footpod else None
    decoder = SampleDecoder()
    samples: list[Sample] = []
    truth: list[tuple[float, Direction]] = [(0.0, Direction.STOPPED)]

    def deliver(frame: Frame) -> None:
        if rng.random() < machine.drop:
            return
        for _ in range(2 if rng.random() < machine.duplicate else 1):
            item = decoder.feed(frame)
            if isinstance(item, Sample):
                samples.append(item)

    dt = 1.0 / machine.notify_hz
    watch = _Watch(rng) if regime.watch else None
    phone = _WornPhone(phone_of(person_id, regime, duration_s) if regime.phone else None)
    while world.t < duration_s:
        for frame in phone.frames(world, world.t + dt):
            decoder.feed(frame)
        tick = world.step(dt)
        if tick.truth_changed:
            truth.append((tick.t, tick.truth))
        sent = watch.frames(tick) if watch is not None else _frames(tick, machine, pod, strap=regime.strap)
        for frame in sent:
            deliver(frame)
    cues = [] if plan is None or not regime.guided else plan.cues(Runner.START_DELAY_S)
    facings = [(t, facing) for t, d in cues if (facing := d.facing) is not None and t < duration_s]
    return Session(person_id, regime, kind, samples, facings, truth, machine.describe())


def _frames(tick: Tick, machine: _Treadmill, pod: Footpod | None, *, strap: bool) -> list[Frame]:
    """What the treadmill, and the strap and footpod when worn, send at this tick."""
    frames = []
    if strap:
        frames.append(Frame(tick.t - 0.1, HEART_RATE_MEASUREMENT, bytes(tick.heart_rate), Sensor.HEART_RATE))
    if pod is not None and pod.sends_at(tick.t):
        reading = bytes(_pod_reading(tick.footpod, tick.truth, pod))
        frames.append(Frame(tick.t - 0.2, RSC_MEASUREMENT, reading, Sensor.FOOTPOD))
    parts = [tick.treadmill] if machine.split is None else split_record(tick.treadmill, machine.split)
    frames += [Frame(tick.t + 0.01 * k, TREADMILL_DATA, bytes(part)) for k, part in enumerate(parts)]
    return frames


class _WornPhone:
    """The person's phone, read at :data:`PHONE_RATE_HZ` from the person as they are (None: no phone)."""

    def __init__(self, phone: BodyPhone | None) -> None:
        self.phone = phone
        self.t = 0.0

    def frames(self, world: VirtualWorld, until: float) -> list[Frame]:
        """Its readings up to ``until`` (the end of the world's next step)."""
        runner, out = world.runner, []
        while self.phone is not None and self.t <= until:
            heading = runner.heading_at(self.t)
            reading = self.phone.reading(self.t, heading, runner.cadence_per_min, world.machine.speed_kmh)
            out.append(Frame(self.t, PHONE_MOTION, bytes(reading), Sensor.PHONE))
            self.t = round(self.t + 1.0 / PHONE_RATE_HZ, 6)
        return out


class _Watch:
    """A wrist watch's record of a treadmill session: speed and cadence every 3-10 s, with gaps (the
    timer paused, the signal lost) and single-sample blips (the speed a stride sensor guessed wrong),
    like the real watch sessions in ../shared/real-sessions."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_t = rng.uniform(3.0, 10.0)
        self.gap_until = -1.0

    def frames(self, tick: Tick) -> list[Frame]:
        rng = self.rng
        if tick.t < self.next_t or tick.t < self.gap_until:
            return []
        self.next_t = tick.t + rng.uniform(3.0, 10.0)
        if rng.random() < 0.01:  # the watch stops recording for a while
            self.gap_until = tick.t + rng.uniform(20.0, 90.0)
        speed = (tick.treadmill.instantaneous_speed_kmh or 0.0) * rng.gauss(1.0, 0.03)
        if rng.random() < 0.01:  # one sample the watch got wrong
            speed *= rng.choice((0.0, 0.5, 1.6))
        record = TreadmillData(instantaneous_speed_kmh=round(max(speed, 0.0), 2))
        pod = dataclasses.replace(tick.footpod, instantaneous_speed_mps=round(speed / 3.6 * 256) / 256)
        return [
            Frame(tick.t, TREADMILL_DATA, bytes(record)),
            Frame(tick.t - 0.05, RSC_MEASUREMENT, bytes(pod), Sensor.FOOTPOD),
        ]


def _pod_reading(true: RSCMeasurement, truth: Direction, pod: Footpod) -> RSCMeasurement:
    """What this footpod reports for what the person did."""
    cadence = true.instantaneous_cadence_per_min
    speed = true.instantaneous_speed_mps
    if truth is Direction.REVERSE:
        speed = round(speed * pod.backward_speed_factor * 256) / 256
    return dataclasses.replace(
        true,
        instantaneous_cadence_per_min=round(cadence / 2) if pod.strides else cadence,
        instantaneous_speed_mps=speed,
    )

"""The virtual world: a treadmill machine and a runner on it, advanced tick by tick.

Pure and deterministic for a seed: the same ticks whether the Bumble peripheral runs it
live or a test steps it directly. Each :class:`Tick` holds what the treadmill, a heart-rate
strap and a footpod would send at that moment, and the truth (which way the person
really moves) for fixtures' truth lines.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from treadmill.ftms import (
    ControlInformation,
    HeartRateMeasurement,
    MachineStatus,
    RSCMeasurement,
    SensorContact,
    TrainingStatus,
    TreadmillData,
)
from treadmill.ftms.control_point import ControlPointResponse
from treadmill.model import Direction
from treadmill.virtual.machine import Belt, MachineSpec, TreadmillMachine
from treadmill.virtual.runner import Person, Press, Runner, RunnerPlan

__all__ = ["Tick", "VirtualWorld"]


@dataclass(frozen=True, slots=True)
class Tick:
    """What happened in one step of session time."""

    t: float
    """Session time at the end of the step, s."""
    treadmill: TreadmillData
    statuses: tuple[MachineStatus, ...]
    """Console changes made during the step (0x2ADA notifications)."""
    training: tuple[TrainingStatus, ...]
    """Training Status changes (0x2AD3 notifications)."""
    heart_rate: HeartRateMeasurement
    footpod: RSCMeasurement
    truth: Direction
    truth_changed: bool


@dataclass
class VirtualWorld:
    """A machine, a person, a plan, stepped together."""

    seed: int = 1
    plan: RunnerPlan | None = field(default_factory=RunnerPlan.demo)
    """None: a free run, the person switches at will."""
    person: Person | None = None
    """None: drawn from the seed."""
    spec: MachineSpec = field(default_factory=MachineSpec)
    duration_s: float | None = None
    app_drives_speed: bool = False
    """The app controls the belt: the person presses only Start and Stop (Person.presses_speed)."""
    machine: TreadmillMachine = field(init=False)
    runner: Runner = field(init=False)
    t: float = field(init=False, default=0.0)
    _truth: Direction = field(init=False, default=Direction.STOPPED)
    _rr_rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        """Build the machine and the runner from the seed."""
        rng = random.Random(self.seed)
        person = self.person or Person.sample(rng)
        if self.app_drives_speed:
            person = dataclasses.replace(person, presses_speed=False)
        self.person = person
        self.machine = TreadmillMachine(self.spec)
        self.runner = Runner(person, self.plan, seed=rng.randrange(1 << 30), duration_s=self.duration_s)
        self._rr_rng = random.Random(rng.randrange(1 << 30))

    def control(self, payload: bytes, *, permitted: bool) -> tuple[ControlPointResponse, list[MachineStatus]]:
        """A Control Point write from the app."""
        return self.machine.control(payload, permitted=permitted)

    def step(self, dt: float) -> Tick:
        """Advance by ``dt`` seconds of session time."""
        self.t += dt
        state = self.runner.step(self.t, dt, self.machine.speed_kmh)
        statuses: list[MachineStatus] = []
        for press, value in state.presses:
            if press is Press.START:
                statuses += self.machine.start()
            elif press is Press.STOP:
                statuses += self.machine.stop()
            elif press is Press.PAUSE:
                statuses += self.machine.stop(ControlInformation.PAUSE)
            elif press is Press.SET_INCLINE:
                statuses += self.machine.set_target_incline(value)
            else:
                statuses += self.machine.set_target_speed(value)
        if self.machine.belt is not Belt.RUNNING:
            self.runner.wait(dt)
        self.machine.advance(dt, state.cadence_per_min)
        changed = state.direction is not self._truth
        self._truth = state.direction
        hr = round(state.heart_rate_bpm)
        # Most straps send one RR interval per beat notification; some notifications have none.
        rr = round(60.0 / hr * 1024) / 1024 if hr > 0 and self._rr_rng.random() < 0.9 else None
        belt_mps = self.machine.speed_kmh / 3.6
        cadence = round(state.cadence_per_min)
        return Tick(
            t=self.t,
            treadmill=self.machine.treadmill_data(),
            statuses=tuple(statuses),
            training=tuple(self.machine.take_training_changes()),
            heart_rate=HeartRateMeasurement(
                hr, SensorContact.DETECTED, rr_intervals_s=None if rr is None else (rr,)
            ),
            footpod=RSCMeasurement(
                instantaneous_speed_mps=round(belt_mps * 256) / 256,
                instantaneous_cadence_per_min=min(cadence, 255),
                stride_length_m=round(belt_mps * 60 / cadence, 2) if cadence else 0.0,
                running=self.machine.speed_kmh >= 7.5,
            ),
            truth=state.direction,
            truth_changed=changed,
        )

"""What a live session is asked to do: the source, the virtual treadmill, the workout, the rest.

Every field is checked where it enters (the command line, the profile), so these are plain
frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from treadmill.core.body import Body
from treadmill.core.detector import DetectorState
from treadmill.defaults import FORWARD_CAP_KMH, RECORDING_S, REVERSE_CAP_KMH, WORKOUT_MARGIN_S
from treadmill.virtual.hostile import HostileFrames
from treadmill.virtual.machine import MachineSpec
from treadmill.virtual.runner import Leg, RunnerPlan
from treadmill.workout.plan import Caps, Plan

__all__ = ["SessionOptions", "SourceOptions", "VirtualOptions", "WorkoutOptions"]


@dataclass(frozen=True, slots=True)
class VirtualOptions:
    """The built-in virtual treadmill, its runner and its sensors."""

    seed: int = 1
    runner: RunnerPlan | None = field(default_factory=RunnerPlan.demo)
    """What the virtual runner is cued through when no workout is coached (None: a free run)."""
    notify_hz: float = 1.0
    split_payload: int | None = None
    strap: bool = True
    footpod: bool = True
    drop_link_at_s: tuple[float, ...] = ()
    """The treadmill drops the link at these session times."""
    hostile: HostileFrames | None = None
    """The treadmill lies from a set time on (``--hostile KIND``): bogus frames, a stale speed."""
    trailing_bytes: int = 0
    """Zero bytes padded after every Treadmill Data payload."""
    spec: MachineSpec = field(default_factory=MachineSpec)
    phone: bool = False
    """The runner carries a phone in a pocket, streaming its motion (:mod:`treadmill.virtual.phone`)."""


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """Where the frames come from: a treadmill (and sensors) by address, or the virtual one."""

    device: str | None = None
    """A real treadmill's address; None with ``virtual``."""
    strap: str | None = None
    footpod: str | None = None
    hci: str | None = None
    """Reach ``device`` through this Bumble HCI transport instead of the system's Bluetooth."""
    virtual: VirtualOptions | None = None
    phone_feed: Path | None = None
    """A Unix socket that brings a worn phone's motion readings (``treadmill serve``'s sensor page)."""

    @property
    def is_virtual(self) -> bool:
        """True for the built-in virtual treadmill."""
        return self.virtual is not None


@dataclass(frozen=True, slots=True)
class WorkoutOptions:
    """A guided workout: the plan, whether the app may drive the belt, and the person's limits."""

    plan: Plan
    control: bool = False
    caps: Caps = field(default_factory=Caps)

    def runner_plan(self) -> RunnerPlan:
        """What a virtual runner follows: the workout's steps (a distance step at its speed)."""
        return RunnerPlan(
            tuple(Leg(s.direction, s.length_s, s.speed_kmh, s.incline_pct) for s in self.plan.steps)
        )

    @property
    def ceiling_s(self) -> float:
        """The longest the session may run: the plan's length and a margin for pauses.

        It ends with the workout, whose clock stands still while the person pauses.
        """
        return sum(step.length_s for step in self.plan.steps) + WORKOUT_MARGIN_S


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """One live session."""

    source: SourceOptions
    workout: WorkoutOptions | None = None
    record_to: Path | None = None
    """The recording to write (it must not exist: recordings are never overwritten); None: none."""
    duration_s: float = RECORDING_S
    """Session seconds at most."""
    time_scale: float = 1.0
    """Session seconds per wall second (the virtual treadmill can run faster than life)."""
    body: Body = field(default_factory=Body)
    detector: DetectorState = field(default_factory=DetectorState)
    """What the person's profile has learned: the session's detector starts from it."""
    max_speed_kmh: float = FORWARD_CAP_KMH
    """The highest speed the app may ever send to the belt (the higher of the person's caps)."""
    safe_reverse_kmh: float = REVERSE_CAP_KMH
    """Above this backward, a handrail danger warning (the person's reverse cap)."""

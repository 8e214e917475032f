"""The treadmill itself, as a state machine: belt, targets, FTMS control procedures.

Pure: no Bumble, no clock. The virtual peripheral wraps it; tests drive it directly.
Control Point semantics follow FTMS v1.0.1 §4.16 (result codes Table 4.24): every
procedure but Request Control needs permission; a target outside the supported range is
an Invalid Parameter; Start while running and Stop while stopped are Operation Failed.
Every state change, from the console or the Control Point, produces the matching Fitness
Machine Status (§4.17) and, where the workout phase changes, a Training Status (§4.10).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from treadmill.ftms import (
    ControlInformation,
    ControlOpCode,
    ControlPointRequest,
    ControlPointResponse,
    Features,
    InclinationRange,
    MachineFeature,
    MachineStatus,
    ResultCode,
    SpeedRange,
    StatusOpCode,
    TargetSettingFeature,
    TrainingStatus,
    TrainingStatusCode,
    TreadmillData,
)

__all__ = ["Belt", "MachineSpec", "TreadmillMachine"]

KCAL_PER_KM = 70.0
"""Energy the console shows per km (a 70 kg person; consoles compute it from speed alone)."""


class Belt(enum.StrEnum):
    """What the belt is doing."""

    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class MachineSpec:
    """What kind of treadmill to be."""

    name: str = "Virtual Treadmill"
    speed_range: SpeedRange = field(default_factory=lambda: SpeedRange(0.5, 18.0, 0.1))
    incline_range: InclinationRange = field(default_factory=lambda: InclinationRange(0.0, 15.0, 0.5))
    speed_resolution_kmh: float = 0.01
    """0.1 on machines that report coarse speed."""
    acceleration_kmh_per_s: float = 1.2
    """How fast the belt follows a new target (typical consoles: 0.5-1.5 km/h per s)."""
    step_count: bool = False
    """Send the de-facto RFU bit-13 step count (KingSmith, Urevo, CITYSPORTS)."""

    def features(self) -> Features:
        """The Feature characteristic this machine exposes."""
        machine = (
            MachineFeature.AVERAGE_SPEED
            | MachineFeature.TOTAL_DISTANCE
            | MachineFeature.INCLINATION
            | MachineFeature.EXPENDED_ENERGY
            | MachineFeature.ELAPSED_TIME
        )
        if self.step_count:
            machine |= MachineFeature.STEP_COUNT
        return Features(
            int(machine), int(TargetSettingFeature.SPEED_TARGET | TargetSettingFeature.INCLINATION_TARGET)
        )


_SUPPORTED = {
    ControlOpCode.REQUEST_CONTROL,
    ControlOpCode.RESET,
    ControlOpCode.SET_TARGET_SPEED,
    ControlOpCode.SET_TARGET_INCLINATION,
    ControlOpCode.START_OR_RESUME,
    ControlOpCode.STOP_OR_PAUSE,
}


@dataclass
class TreadmillMachine:
    """Belt state plus the targets; every mutator returns the status notifications to send."""

    spec: MachineSpec = field(default_factory=MachineSpec)
    belt: Belt = Belt.STOPPED
    speed_kmh: float = 0.0
    target_speed_kmh: float = 0.0
    incline_pct: float = 0.0
    target_incline_pct: float = 0.0
    distance_m: float = 0.0
    elapsed_s: float = 0.0
    steps: float = 0.0
    training: TrainingStatusCode = TrainingStatusCode.IDLE
    counting: bool = True
    """The session counters run (False after Reset, until the next start: a reset console reads 0)."""
    _training_changes: list[TrainingStatus] = field(default_factory=list)

    def _set_training(self, code: TrainingStatusCode) -> None:
        if code is not self.training:
            self.training = code
            self._training_changes.append(TrainingStatus(code, ""))

    def take_training_changes(self) -> list[TrainingStatus]:
        """Training Status notifications due since the last call."""
        out, self._training_changes = self._training_changes, []
        return out

    def training_status(self) -> TrainingStatus:
        """The value a read of 0x2AD3 returns."""
        return TrainingStatus(self.training, "")

    # Console and Control Point share these.
    def start(self) -> list[MachineStatus]:
        """Start or resume the belt."""
        if self.belt is Belt.RUNNING:
            return []
        if self.belt is Belt.STOPPED:
            self.elapsed_s = self.distance_m = self.steps = 0.0
        self.belt = Belt.RUNNING
        self.counting = True
        if self.target_speed_kmh <= 0:
            self.target_speed_kmh = self.spec.speed_range.minimum_speed_kmh
        self._set_training(TrainingStatusCode.MANUAL_MODE_QUICK_START)
        return [MachineStatus(StatusOpCode.STARTED_OR_RESUMED_BY_USER)]

    def stop(self, information: ControlInformation = ControlInformation.STOP) -> list[MachineStatus]:
        """Stop or pause the belt (it slows down at the machine's deceleration)."""
        if self.belt is not Belt.RUNNING:
            return []
        self.belt = Belt.STOPPED if information is ControlInformation.STOP else Belt.PAUSED
        if information is ControlInformation.STOP:
            self._set_training(TrainingStatusCode.POST_WORKOUT)
        return [
            MachineStatus(
                StatusOpCode.STOPPED_OR_PAUSED_BY_USER, (("control_information", int(information)),)
            )
        ]

    def set_target_speed(self, kmh: float) -> list[MachineStatus]:
        """A new target speed, clamped to the machine's range."""
        kmh = round(self.spec.speed_range.clamp(kmh), 2)
        if kmh == self.target_speed_kmh:
            return []
        self.target_speed_kmh = kmh
        return [MachineStatus(StatusOpCode.TARGET_SPEED_CHANGED, (("target_speed_kmh", kmh),))]

    def set_target_incline(self, pct: float) -> list[MachineStatus]:
        """A new target incline, clamped to the machine's range."""
        pct = round(self.spec.incline_range.clamp(pct), 1)
        if pct == self.target_incline_pct:
            return []
        self.target_incline_pct = pct
        return [MachineStatus(StatusOpCode.TARGET_INCLINE_CHANGED, (("target_inclination_pct", pct),))]

    def safety_key(self) -> list[MachineStatus]:
        """The safety key is pulled: the belt stops at once."""
        self.belt = Belt.STOPPED
        self.speed_kmh = 0.0
        self._set_training(TrainingStatusCode.IDLE)
        return [MachineStatus(StatusOpCode.STOPPED_BY_SAFETY_KEY)]

    def control(self, payload: bytes, *, permitted: bool) -> tuple[ControlPointResponse, list[MachineStatus]]:
        """Carry out one Control Point write; return the indication and the statuses."""
        op = payload[0] if payload else 0xFF
        try:
            request = ControlPointRequest.from_bytes(payload)
        except ValueError:
            return ControlPointResponse(op, ResultCode.OP_CODE_NOT_SUPPORTED), []
        if op not in _SUPPORTED:
            return ControlPointResponse(op, ResultCode.OP_CODE_NOT_SUPPORTED), []
        if op == ControlOpCode.REQUEST_CONTROL:
            return ControlPointResponse(op, ResultCode.SUCCESS), []
        if not permitted:
            return ControlPointResponse(op, ResultCode.CONTROL_NOT_PERMITTED), []
        if request.diagnostics.truncated:
            return ControlPointResponse(op, ResultCode.INVALID_PARAMETER), []
        return self._procedure(request)

    def _procedure(self, request: ControlPointRequest) -> tuple[ControlPointResponse, list[MachineStatus]]:
        op = request.op_code
        ok = ControlPointResponse(op, ResultCode.SUCCESS)
        if op == ControlOpCode.RESET:
            self.stop()
            self.target_speed_kmh = self.target_incline_pct = 0.0
            self.elapsed_s = self.distance_m = self.steps = 0.0  # every session total, not only the clock
            self.counting = False
            self._set_training(TrainingStatusCode.IDLE)
            return ok, [MachineStatus(StatusOpCode.RESET)]
        if op in (ControlOpCode.SET_TARGET_SPEED, ControlOpCode.SET_TARGET_INCLINATION):
            return self._set_target(request)
        if op == ControlOpCode.START_OR_RESUME:
            statuses = self.start()
        else:
            information = request.parameter("control_information")
            if information not in (ControlInformation.STOP, ControlInformation.PAUSE):
                return ControlPointResponse(op, ResultCode.INVALID_PARAMETER), []
            statuses = self.stop(ControlInformation(int(information or 0)))
        # Start while running and Stop while stopped change nothing: Operation Failed (Table 4.24).
        return (ok, statuses) if statuses else (ControlPointResponse(op, ResultCode.OPERATION_FAILED), [])

    def _set_target(self, request: ControlPointRequest) -> tuple[ControlPointResponse, list[MachineStatus]]:
        """Set Target Speed / Inclination: out of range is an Invalid Parameter (Table 4.24)."""
        op = request.op_code
        if op == ControlOpCode.SET_TARGET_SPEED:
            value = float(request.parameter("target_speed_kmh") or 0.0)
            low, high = self.spec.speed_range.minimum_speed_kmh, self.spec.speed_range.maximum_speed_kmh
            apply: Callable[[float], list[MachineStatus]] = self.set_target_speed
        else:
            value = float(request.parameter("target_inclination_pct") or 0.0)
            low, high = (
                self.spec.incline_range.minimum_inclination_pct,
                self.spec.incline_range.maximum_inclination_pct,
            )
            apply = self.set_target_incline
        if not low <= value <= (high if high is not None else value):
            return ControlPointResponse(op, ResultCode.INVALID_PARAMETER), []
        return ControlPointResponse(op, ResultCode.SUCCESS), apply(value)

    def advance(self, dt: float, cadence_per_min: float = 0.0) -> None:
        """Move the belt on by ``dt`` seconds."""
        goal = self.target_speed_kmh if self.belt is Belt.RUNNING else 0.0
        change = self.spec.acceleration_kmh_per_s * dt
        self.speed_kmh = (
            min(self.speed_kmh + change, goal)
            if self.speed_kmh < goal
            else max(self.speed_kmh - change, goal)
        )
        incline_change = 0.5 * dt
        goal_incline = self.target_incline_pct
        if self.incline_pct < goal_incline:
            self.incline_pct = min(self.incline_pct + incline_change, goal_incline)
        else:
            self.incline_pct = max(self.incline_pct - incline_change, goal_incline)
        if self.counting and (self.belt is Belt.RUNNING or self.speed_kmh > 0):
            # The clock runs while the belt moves, as on a console: a belt still slowing after Stop
            # adds its metres and its seconds together, so the average speed stays true.
            self.distance_m += self.speed_kmh / 3.6 * dt
            self.steps += cadence_per_min / 60.0 * dt
            self.elapsed_s += dt

    def treadmill_data(self) -> TreadmillData:
        """The record this machine would notify now."""
        resolution = self.spec.speed_resolution_kmh
        speed = round(round(self.speed_kmh / resolution) * resolution, 2)
        average = self.distance_m / self.elapsed_s * 3.6 if self.elapsed_s >= 1 else 0.0
        km = self.distance_m / 1000.0
        return TreadmillData(
            instantaneous_speed_kmh=speed,
            average_speed_kmh=round(min(average, 655.0), 2),
            total_distance_m=int(self.distance_m),
            inclination_pct=round(self.incline_pct, 1),
            ramp_angle_deg=None,
            total_energy_kcal=int(km * KCAL_PER_KM),
            energy_per_hour_kcal=int(speed * KCAL_PER_KM),
            energy_per_minute_kcal=int(speed * KCAL_PER_KM / 60),
            elapsed_time_s=int(self.elapsed_s),
            step_count=int(self.steps) if self.spec.step_count else None,
        )

"""The words every layer shares: directions, link states, what a source yields, one sample.

A :class:`Frame` is what arrived, when, from which characteristic and sensor: raw bytes,
recorded before anything decodes them. A :class:`LinkEvent` says what happened to a link
(connected, disconnected, stale, ...). A :class:`Cue` is a turn the app asked for. The
decoding stage turns frames into one :class:`Sample` per complete treadmill record and
one :class:`StatusReport` per machine status; the direction stage then labels each sample
with a :class:`Direction` and how sure it is. Everything here is plain and frozen; foreign
types (bleak's ``bytearray``, devices) are converted before they get here.

:func:`belt_moving` is the one "is the belt moving?" threshold: the safety rules, the
coach, control, the totals and the screen all ask it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from treadmill.ftms.control_point import ControlPointResponse
from treadmill.ftms.machine_status import MachineStatus

__all__ = [
    "MOVING_FROM_KMH",
    "CoachEventKind",
    "ControlReply",
    "Cue",
    "CueDirection",
    "Direction",
    "Evidence",
    "Facing",
    "Frame",
    "Implausible",
    "ImplausibleReading",
    "LinkEvent",
    "LinkEventKind",
    "LinkState",
    "PhoneState",
    "Sample",
    "Sensor",
    "StatusReport",
    "belt_moving",
]

MOVING_FROM_KMH = 0.3
"""Below this belt speed nobody walks: the slowest treadmills run at 0.5 km/h, and a belt
coasting to a stop reports less than that on its way down."""


def belt_moving(speed_kmh: float | None) -> bool:
    """True when the belt runs at a walkable speed (unknown or NaN counts as not moving)."""
    return speed_kmh is not None and speed_kmh >= MOVING_FROM_KMH


class Facing(enum.StrEnum):
    """Which way a person faces on the deck: what a plan step asks for, what a mark says."""

    FORWARD = "forward"
    REVERSE = "reverse"

    @property
    def words(self) -> str:
        """How the screen says it: facing forward, or backward."""
        return "backward" if self is Facing.REVERSE else "forward"

    @property
    def other(self) -> Facing:
        """The way a turn leads."""
        return Facing.FORWARD if self is Facing.REVERSE else Facing.REVERSE


class Direction(enum.StrEnum):
    """Which way the person moves, as far as anyone can tell.

    ``UNSURE`` is the detector's honest answer when the evidence supports neither way; the
    truth lines of a recording are never unsure.
    """

    FORWARD = "forward"
    REVERSE = "reverse"
    STOPPED = "stopped"
    UNSURE = "unsure"

    @classmethod
    def facing(cls, facing: Facing) -> Direction:
        """The moving direction of someone facing ``facing``."""
        return cls.REVERSE if facing is Facing.REVERSE else cls.FORWARD


class CueDirection(enum.StrEnum):
    """What a cue told the person (a recording's ``cue`` lines)."""

    FORWARD = "forward"
    REVERSE = "reverse"
    STOP = "stop"

    @property
    def facing(self) -> Facing | None:
        """The way the cue asks to face (None for stop)."""
        return None if self is CueDirection.STOP else Facing(self.value)


class Evidence(enum.StrEnum):
    """What a direction rests on, strongest first (shown beside the confidence)."""

    MARK = "mark"
    """The person said which way they face (until they next change speed the way a turn does)."""
    PHONE = "phone"
    """A phone worn on the body: its gyroscope sees each turn, and that none happened."""
    CUED = "cued"
    """The workout's own cues, with whatever sensors there are."""
    FOOTPOD = "footpod"
    """Stride from a footpod, with the speed."""
    SPEED = "speed"
    """The belt speed alone."""


class LinkState(enum.StrEnum):
    """The treadmill's link, as the screen and MQTT show it."""

    WAITING = "waiting"
    CONNECTED = "connected"
    STALE = "stale"
    RECONNECTING = "reconnecting"
    LOST = "lost"


class CoachEventKind(enum.StrEnum):
    """What a coach event is: something for the person to see or hear."""

    CUE = "cue"
    WARNING = "warning"
    CLEARED = "cleared"
    CONTROL = "control"
    MESSAGE = "message"


class Sensor(enum.StrEnum):
    """Which device a frame came from (a recording's ``src``)."""

    TREADMILL = "treadmill"
    HEART_RATE = "hr"
    FOOTPOD = "footpod"
    PHONE = "phone"
    """A phone carried on the body, streaming its motion sensors through ``treadmill serve``."""


@dataclass(frozen=True, slots=True)
class PhoneState:
    """What a body-worn phone says at one sample (:mod:`treadmill.core.body_motion`)."""

    worn: bool
    """On the body and steady long enough to trust; False while taken out, put down, or silent."""
    turns: int
    """Half-turns (150-210 degrees of yaw) counted since it was last steady on the body."""
    turned_at: float | None
    """When the last counted turn ended, s (None: none yet)."""
    sideways: bool
    """The body is part way round from where it faced (a turn under way, or a look aside)."""
    steps_per_min: float
    """Step rate from the phone's bounce (0 when it sees none)."""
    worn_since: float | None = None
    """When this stretch on the body began: a new one starts the turn count afresh."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One notification or indication payload as it arrived."""

    t: float
    """Session time of arrival, s."""
    char: str
    """Characteristic, canonical short form (``2acd``)."""
    data: bytes
    src: Sensor = Sensor.TREADMILL


class LinkEventKind(enum.StrEnum):
    """Session events a source reports (a recording's ``event`` lines)."""

    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    GAVE_UP = "gave_up"
    STALE = "stale"
    """No Treadmill Data for longer than the watchdog allows."""
    FRESH = "fresh"
    """Data flows again after a stale period."""
    CONTROL_GRANTED = "control_granted"
    CONTROL_LOST = "control_lost"
    MARKED = "marked"
    """The person pressed r or f: ``detail`` is the way they face (``forward``/``reverse``)."""
    BEHIND = "behind"
    """The virtual treadmill woke late on a busy machine and skipped notifications to keep its
    counters on the session clock: ``detail`` says by how much."""

    @property
    def link_state(self) -> LinkState | None:
        """The link state this event leads to (None: it says nothing about the link)."""
        return _LINK_STATE.get(self)


_LINK_STATE = {
    LinkEventKind.CONNECTED: LinkState.CONNECTED,
    LinkEventKind.FRESH: LinkState.CONNECTED,
    LinkEventKind.STALE: LinkState.STALE,
    LinkEventKind.DISCONNECTED: LinkState.RECONNECTING,
    LinkEventKind.RECONNECTING: LinkState.RECONNECTING,
    LinkEventKind.GAVE_UP: LinkState.LOST,
}


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """Something that happened to a sensor's link, or a mark the person made."""

    t: float
    kind: LinkEventKind
    src: Sensor = Sensor.TREADMILL
    detail: str = ""
    """Human-readable detail (the reason, the gap length); for a mark, the way faced."""


@dataclass(frozen=True, slots=True)
class Cue:
    """The app told the person to turn, or to stop (a recording's ``cue`` lines)."""

    t: float
    direction: CueDirection

    @property
    def words(self) -> str:
        """What the cue told the person, for a replay or a subscriber that has no coach to ask."""
        if self.direction is CueDirection.STOP:
            return "Stop."
        return f"Turn now: face {Facing(self.direction.value).words}."


@dataclass(frozen=True, slots=True)
class Sample:
    """One row on the session timeline, at the arrival of a complete treadmill record.

    The decoding stage fills the measurements; the direction stage adds the last three.
    """

    t: float
    """Session time, s."""
    speed_kmh: float | None
    """Belt speed (None in a record that does not carry it)."""
    incline_pct: float | None = None
    distance_m: float | None = None
    """The treadmill's own distance since its session start."""
    elapsed_s: float | None = None
    energy_kcal: float | None = None
    steps: int | None = None
    heart_rate_bpm: int | None = None
    """Latest strap reading (or the treadmill's own); None when there is none (0 is none)."""
    heart_rate_age_s: float | None = None
    cadence_per_min: int | None = None
    """Latest footpod step rate."""
    cadence_age_s: float | None = None
    pod_speed_kmh: float | None = None
    """The footpod's own speed, with its cadence (None when it sends none)."""
    phone: PhoneState | None = None
    """A body-worn phone's view (None: no phone in this session, or none heard from lately)."""
    direction: Direction = Direction.UNSURE
    """The direction the detector committed to at this sample."""
    confidence: float = 0.0
    """The detector's probability of the facing it committed to, 0-1."""
    evidence: Evidence = Evidence.SPEED
    backed: bool = False
    """Something besides the belt's speed says backward (the step rate, a mark)."""
    asking: bool = False
    """The detector cannot settle the last transition: the app asks the person which way they face."""

    def labelled(
        self,
        direction: Direction,
        confidence: float,
        evidence: Evidence,
        backed: bool = False,
        asking: bool = False,
    ) -> Sample:
        """This sample with the direction stage's label (a plain constructor: it runs per sample)."""
        return Sample(
            self.t,
            self.speed_kmh,
            self.incline_pct,
            self.distance_m,
            self.elapsed_s,
            self.energy_kcal,
            self.steps,
            self.heart_rate_bpm,
            self.heart_rate_age_s,
            self.cadence_per_min,
            self.cadence_age_s,
            self.pod_speed_kmh,
            self.phone,
            direction,
            confidence,
            evidence,
            backed,
            asking,
        )


class Implausible(enum.StrEnum):
    """Why a treadmill reading cannot be true (:mod:`treadmill.core.plausibility`)."""

    ABSURD = "absurd"
    """Not a number, below zero, faster than any treadmill, or an incline no deck has."""
    JUMP = "jump"
    """A change no belt makes in the time since the last believed reading."""
    DISTANCE = "distance"
    """The speed disagrees with the treadmill's own distance counter."""

    @property
    def words(self) -> str:
        """What the screen says of it."""
        return _IMPLAUSIBLE_WORDS[self]


_IMPLAUSIBLE_WORDS = {
    Implausible.ABSURD: "a value no treadmill can have",
    Implausible.JUMP: "a jump in speed no belt can make",
    Implausible.DISTANCE: "a speed the distance counter contradicts",
}


@dataclass(frozen=True, slots=True)
class ImplausibleReading:
    """A treadmill record the plausibility check refused: recorded, shown as doubt, never used."""

    t: float
    speed_kmh: float | None
    incline_pct: float | None
    why: Implausible


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A Fitness Machine Status notification (0x2ADA), decoded once for everyone."""

    t: float
    status: MachineStatus


@dataclass(frozen=True, slots=True)
class ControlReply:
    """A Control Point indication (0x2AD9): the machine's answer to a procedure, decoded once."""

    t: float
    response: ControlPointResponse

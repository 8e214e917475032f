"""From raw frames to samples, status reports and control replies: the one place that decodes the stream.

:class:`SampleDecoder` is pure (no I/O, no clock): frames and link events in; out, one
:class:`~treadmill.model.Sample` per complete Treadmill Data record, one
:class:`~treadmill.model.StatusReport` per Fitness Machine Status notification and one
:class:`~treadmill.model.ControlReply` per Control Point indication, for every consumer (and
the client waiting for an answer) to read. Heart rate and cadence arrive from other sensors
at their own times; each sample carries the latest of each, and how old it is. A body-worn
phone's motion readings go to :class:`~treadmill.core.body_motion.BodyMotion`, and each sample
carries what it says then. Split records are merged (FTMS v1.0.1 §4.4.1.2); on a disconnect
the half-merged record is dropped. Undecodable payloads are counted per characteristic,
never raised.

A heart rate of 0 is not a reading: treadmills send 0 when nobody holds the grips, and
straps when they lose contact. It becomes "no heart rate".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from treadmill.core.body_motion import BodyMotion
from treadmill.ftms import (
    ControlPointResponse,
    HeartRateMeasurement,
    MachineStatus,
    RecordAssembler,
    RSCMeasurement,
    TreadmillData,
)
from treadmill.ftms.uuids import (
    CONTROL_POINT,
    HEART_RATE_MEASUREMENT,
    MACHINE_STATUS,
    RSC_MEASUREMENT,
    TREADMILL_DATA,
)
from treadmill.model import (
    ControlReply,
    Frame,
    LinkEvent,
    LinkEventKind,
    Sample,
    Sensor,
    StatusReport,
    belt_moving,
)
from treadmill.phone.reading import PHONE_MOTION, MotionReading

__all__ = ["DecodeStats", "SampleDecoder"]


@dataclass(slots=True)
class DecodeStats:
    """What the decoder saw and could not use."""

    frames: Counter[str] = field(default_factory=Counter)
    """Frames per characteristic."""
    bad_frames: Counter[str] = field(default_factory=Counter)
    """Undecodable frames per characteristic."""
    samples: int = 0
    dropped_parts: int = 0


def _reading(bpm: int | None) -> int | None:
    return bpm or None


class SampleDecoder:
    """Frames in, samples and status reports out. Never raises on bad data."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self._assembler = RecordAssembler()
        self._hr: tuple[float, int | None] | None = None
        self._cadence: tuple[float, int | None] | None = None
        self._pod_speed: float | None = None
        self._phone: BodyMotion | None = None
        """Made at the first motion reading: a session without a phone has none."""
        self.stats = DecodeStats()

    def on_event(self, event: LinkEvent) -> None:
        """A link event: a treadmill disconnect drops the half-merged record."""
        if event.kind is LinkEventKind.DISCONNECTED and event.src is Sensor.TREADMILL:
            self._assembler.reset()
            self.stats.dropped_parts = self._assembler.stats.dropped_parts

    def feed(self, frame: Frame) -> Sample | StatusReport | ControlReply | None:
        """Decode one frame: a sample when it completes a record, a status report, or a control reply."""
        self.stats.frames[frame.char] += 1
        try:
            if frame.char == TREADMILL_DATA:
                record = self._assembler.feed_record(TreadmillData.from_bytes(frame.data))
                self.stats.dropped_parts = self._assembler.stats.dropped_parts
                return None if record is None else self._sample(frame.t, record)
            if frame.char == MACHINE_STATUS:
                return StatusReport(frame.t, MachineStatus.from_bytes(frame.data))
            if frame.char == CONTROL_POINT:
                return ControlReply(frame.t, ControlPointResponse.from_bytes(frame.data))

            if frame.char == HEART_RATE_MEASUREMENT:
                self._hr = (frame.t, _reading(HeartRateMeasurement.from_bytes(frame.data).heart_rate_bpm))
            elif frame.char == RSC_MEASUREMENT:
                pod = RSCMeasurement.from_bytes(frame.data)
                cadence = pod.instantaneous_cadence_per_min
                self._cadence = (frame.t, cadence or None)
                speed = pod.instantaneous_speed_mps
                self._pod_speed = round(speed * 3.6, 2) if speed and cadence else None
            elif frame.char == PHONE_MOTION:
                reading = MotionReading.from_bytes(frame.data)
                if self._phone is None:
                    self._phone = BodyMotion()
                self._phone.feed(frame.t, reading)
        except ValueError:  # a FrameError, or a motion payload of the wrong size
            self.stats.bad_frames[frame.char] += 1
        return None

    def _sample(self, t: float, record: TreadmillData) -> Sample:
        self.stats.samples += 1
        hr_t, hr = self._hr if self._hr is not None else (None, _reading(record.heart_rate_bpm))
        cad_t, cadence = self._cadence if self._cadence is not None else (None, None)
        speed = record.instantaneous_speed_kmh
        phone = self._phone
        return Sample(
            t=t,
            speed_kmh=speed,
            incline_pct=record.inclination_pct,
            distance_m=None if record.total_distance_m is None else float(record.total_distance_m),
            elapsed_s=None if record.elapsed_time_s is None else float(record.elapsed_time_s),
            energy_kcal=None if record.total_energy_kcal is None else float(record.total_energy_kcal),
            steps=record.step_count,
            heart_rate_bpm=hr,
            heart_rate_age_s=None if hr_t is None or hr is None else t - hr_t,
            cadence_per_min=cadence,
            cadence_age_s=None if cad_t is None or cadence is None else t - cad_t,
            pod_speed_kmh=self._pod_speed if cadence is not None else None,
            phone=None if phone is None else phone.state(t, belt_moving=belt_moving(speed)),
        )

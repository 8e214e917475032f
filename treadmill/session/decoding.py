"""From raw frames to samples: the decode stage between a source and the numpy core.

:class:`SampleDecoder` is pure (no I/O, no clock): frames and link events in, one
:class:`Sample` out per complete Treadmill Data record. Heart rate and cadence arrive from
other sensors at their own times; each sample carries the latest of each, and how old it
is. Split records are merged; on a disconnect the half-merged record is dropped (FTMS
§4.18); undecodable payloads are counted per characteristic, never raised.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from treadmill.errors import FrameError
from treadmill.ftms import (
    HeartRateMeasurement,
    MachineStatus,
    RecordAssembler,
    RSCMeasurement,
    TreadmillData,
)
from treadmill.model import Frame, LinkEvent, LinkEventKind, Sensor

__all__ = ["DecodeStats", "Sample", "SampleDecoder"]


@dataclass(frozen=True, slots=True)
class Sample:
    """One row on the session timeline, at the arrival of a complete treadmill record."""

    t: float
    """Session time, s."""
    speed_kmh: float | None
    """Belt speed (None in a frame that does not carry it)."""
    incline_pct: float | None = None
    distance_m: float | None = None
    """The treadmill's own distance since its session start."""
    elapsed_s: float | None = None
    energy_kcal: float | None = None
    steps: int | None = None
    heart_rate_bpm: int | None = None
    """Latest strap reading (or the treadmill's own, when it sends one)."""
    heart_rate_age_s: float | None = None
    cadence_per_min: int | None = None
    """Latest footpod step rate."""
    cadence_age_s: float | None = None
    record: TreadmillData | None = field(default=None, compare=False, repr=False)
    """The merged record this sample came from."""


@dataclass(slots=True)
class DecodeStats:
    """What the decoder saw and could not use."""

    frames: Counter[str] = field(default_factory=Counter)
    """Frames per characteristic."""
    bad_frames: Counter[str] = field(default_factory=Counter)
    """Undecodable frames per characteristic."""
    samples: int = 0
    dropped_parts: int = 0


class SampleDecoder:
    """Frames in, samples out. Never raises on bad data."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self._assembler = RecordAssembler()
        self._hr: tuple[float, int] | None = None
        self._cadence: tuple[float, int] | None = None
        self.statuses: list[tuple[float, MachineStatus]] = []
        """Machine status notifications seen (time, status), for the session to read and clear."""
        self.stats = DecodeStats()

    def on_event(self, event: LinkEvent) -> None:
        """A link event: a treadmill disconnect drops the half-merged record."""
        if event.kind is LinkEventKind.DISCONNECTED and event.src is Sensor.TREADMILL:
            self._assembler.reset()
            self.stats.dropped_parts = self._assembler.stats.dropped_parts

    def feed(self, frame: Frame) -> Sample | None:
        """Decode one frame; a sample when it completes a treadmill record."""
        self.stats.frames[frame.char] += 1
        try:
            if frame.char == "2acd":
                part = TreadmillData.from_bytes(frame.data)
                record = self._assembler.feed_record(part)
                self.stats.dropped_parts = self._assembler.stats.dropped_parts
                return None if record is None else self._sample(frame.t, record)
            if frame.char == "2a37":
                self._hr = (frame.t, HeartRateMeasurement.from_bytes(frame.data).heart_rate_bpm)
            elif frame.char == "2a53":
                self._cadence = (frame.t, RSCMeasurement.from_bytes(frame.data).instantaneous_cadence_per_min)
            elif frame.char == "2ada":
                self.statuses.append((frame.t, MachineStatus.from_bytes(frame.data)))
        except FrameError:
            self.stats.bad_frames[frame.char] += 1
        return None

    def _sample(self, t: float, record: TreadmillData) -> Sample:
        self.stats.samples += 1
        hr_t, hr = self._hr if self._hr is not None else (None, record.heart_rate_bpm)
        cad_t, cadence = self._cadence if self._cadence is not None else (None, None)
        return Sample(
            t=t,
            speed_kmh=record.instantaneous_speed_kmh,
            incline_pct=record.inclination_pct,
            distance_m=None if record.total_distance_m is None else float(record.total_distance_m),
            elapsed_s=None if record.elapsed_time_s is None else float(record.elapsed_time_s),
            energy_kcal=None if record.total_energy_kcal is None else float(record.total_energy_kcal),
            steps=record.step_count,
            heart_rate_bpm=hr,
            heart_rate_age_s=None if hr_t is None else t - hr_t,
            cadence_per_min=cadence,
            cadence_age_s=None if cad_t is None else t - cad_t,
            record=record,
        )

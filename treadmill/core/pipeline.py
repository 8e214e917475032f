"""The numpy core as one stage: samples, cues and marks in; labelled samples and totals out.

One :class:`Pipeline` per session. It first checks that each treadmill reading is physically
possible (:mod:`treadmill.core.plausibility`): one that is not is returned as an
:class:`~treadmill.model.ImplausibleReading` and goes no further. Then it runs the session's
only direction detector, seeded from what the person's profile has learned, attaches its
direction, confidence and evidence to every sample, keeps the timeline (moving a switch back
to the turn when the detector finds where it was), and answers the totals under
:mod:`treadmill.core.intervals`' rules.
The screen, the coach, the safety rules, MQTT, the recorder, the summary and every export
read this one label. Feeding a session live or as a batch
(:func:`treadmill.core.analysis.analyze`) is the same code, so the two agree exactly.

Pure: no I/O, no clock; time arrives with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from treadmill.core.body import Body
from treadmill.core.detector import DirectionDetector, Segment, Verdict
from treadmill.core.intervals import PerSample, SessionSummary, per_sample, summarize
from treadmill.core.plausibility import DoubtWindow, ReadingCheck
from treadmill.core.timeline import Timeline, TimelineBuilder
from treadmill.model import Cue, Facing, ImplausibleReading, Sample

__all__ = ["Pipeline"]


@dataclass(slots=True)
class Pipeline:
    """See the module docstring. Feed items in time order."""

    body: Body = field(default_factory=Body)
    detector: DirectionDetector = field(default_factory=DirectionDetector)
    keep_trace: bool = False
    """Record what the offline smoother needs (``analyze --offline``)."""
    verdicts: list[Verdict] = field(default_factory=list)
    """The detector's output, one per sample."""
    cues: list[Cue] = field(default_factory=list)
    marks: list[tuple[float, Facing]] = field(default_factory=list)
    builder: TimelineBuilder = field(default_factory=TimelineBuilder)
    readings: ReadingCheck = field(default_factory=ReadingCheck)
    doubt: DoubtWindow = field(default_factory=DoubtWindow)
    """Whether implausible readings come too often to trust the stream."""
    implausible: int = 0
    """Readings refused so far."""
    _cached: tuple[int, PerSample, SessionSummary] | None = None

    def __post_init__(self) -> None:
        """Keep the detector's segments when asked to."""
        if self.keep_trace:
            self.detector.segments = []

    @property
    def segments(self) -> list[Segment]:
        """The detector's plateaus so far, the last one under way (empty unless ``keep_trace``)."""
        return self.detector.open_segments()

    def cue(self, cue: Cue) -> None:
        """The app cued a turn (or the end)."""
        self.cues.append(cue)
        self.detector.cue(cue.t, cue.direction)

    def expect(self, turn: tuple[float, Facing] | None) -> None:
        """The plan's next turn: when, and the way it faces (None: none planned)."""
        self.detector.expect(turn)

    def mark(self, t: float, facing: Facing) -> None:
        """The person said which way they face."""
        self.marks.append((t, facing))
        self.detector.mark(facing)

    def sample(self, sample: Sample) -> Sample | ImplausibleReading:
        """The sample, labelled with the direction, its confidence and what that rests on; or refused."""
        refused = self.refuse(sample)
        if refused is not None:
            return refused
        verdict = self._verdict(sample)
        return sample.labelled(
            verdict.direction, verdict.confidence, verdict.evidence, verdict.backed, verdict.asking
        )

    def label(self, sample: Sample) -> Verdict | None:
        """The detector's verdict on ``sample``, kept on the timeline (what a batch needs: no new sample).

        None: the reading is implausible and goes no further.
        """
        return None if self.refuse(sample) is not None else self._verdict(sample)

    def refuse(self, sample: Sample) -> ImplausibleReading | None:
        """The reading, if it is physically impossible (:attr:`doubt` counts it either way)."""
        why = self.readings.check(sample)
        self.doubt.see(implausible=why is not None)
        if why is None:
            return None
        self.implausible += 1
        return ImplausibleReading(sample.t, sample.speed_kmh, sample.incline_pct, why)

    def _verdict(self, sample: Sample) -> Verdict:
        verdict = self.detector.update(sample)
        self.verdicts.append(verdict)
        self.builder.append(sample, verdict.direction)
        if verdict.settled is not None:
            self.builder.relabel_unsure_since(*verdict.settled)
        if verdict.switched:
            self.builder.relabel_since(verdict.boundary_s, self.detector.committed)
        return verdict

    @property
    def timeline(self) -> Timeline:
        """The samples so far, with their (possibly revised) labels."""
        return self.builder.view()

    def _current(self) -> tuple[PerSample, SessionSummary]:
        version = self.builder.version
        if self._cached is None or self._cached[0] != version:
            timeline = self.builder.view()
            costs = per_sample(timeline, self.body)
            self._cached = (version, costs, summarize(timeline, self.body, costs))
        return self._cached[1], self._cached[2]

    def summary(self) -> SessionSummary:
        """Per-direction totals and the intervals so far (computed once per change)."""
        return self._current()[1]

    def costs(self) -> PerSample:
        """What each sample adds (seconds, metres, energy), as the summary counts it."""
        return self._current()[0]

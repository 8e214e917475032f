"""A worn phone's turns, followed against the belief: what a phone decides about the facing, and when.

A phone cannot know which way the body faced when it was put on; it knows each turn since
(:mod:`treadmill.core.body_motion` counts them). So each stretch on the body starts from the
facing believed then:

* **sure** (the start, a mark, the plan's first step, a belief at :data:`PHONE_SURE_FROM`, or
  the facing the phone itself had when it was taken out, the belt at one speed since): the
  phone decides. Each half-turn it counts flips the facing, dated when the turn ended; no turn
  means none, whatever the belt does; part way round, the turn is not done;
* **not sure** (back on the body after a change of speed it did not see): the phone still
  says *when* the facing changed. Each half-turn makes the belief the other way round from
  what it was before the turn; without one, the belief may firm up but not turn. The facing is
  stated unsure, and a session without a workout asks, until the rest of the evidence is sure.

Once a deciding phone stops counting, the belief it made is worth :data:`PHONE_GONE` at most
as soon as the belt changes speed (or at once, if it left during a change): a turn made with
the phone in the hand must not hide behind its old certainty.

Pure Python on floats: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from treadmill.core.evidence import R
from treadmill.core.posterior import Belief, PlateauEvidence
from treadmill.model import PhoneState

__all__ = ["PHONE_GONE", "PHONE_SURE_FROM", "PhoneSaid", "PhoneTurns"]

PHONE_SURE_FROM = 0.95
"""A worn phone takes over the facing once the belief in it is this sure: the phone then carries
it through every later turn, so it must start right (a mark, the start and the plan's first
step always are; bench.eval_detector's free and guided phone regimes chose the level)."""
PHONE_GONE = 0.9
"""What a phone's facing is worth once the phone stops counting: still shown (above the commit
at 0.8), but not sure enough for its next stretch to start from without more evidence."""


@dataclass(slots=True)
class _Stretch:
    """A worn phone's stretch on the body, as it is followed."""

    since: float | None
    """When the stretch began (a new one starts a new count)."""
    turns: int
    """The turns the phone had counted when last seen."""
    facing: int
    """The facing those turns lead to."""
    sure: bool
    """The facing it started from was sure: the phone decides."""
    p: float
    """Unsure: P(backward) before the turn under way (the last sample not part way round)."""


class PhoneSaid(NamedTuple):
    """What following the phone did on one sample."""

    changed: bool = False
    """It moved the belief's committed facing (or put back one the belt moved)."""
    backward: bool = False
    """It turned the person to face backward."""
    ask: bool | None = None
    """True: ask the person which way they face; False: stop asking; None: leave it."""


@dataclass(slots=True)
class PhoneTurns:
    """See the module docstring. One per detector."""

    stretch: _Stretch | None = None
    left: tuple[float, int, bool] | None = None
    """When a deciding phone last stopped counting, the facing it had then, and whether the belt
    was at one speed then (None once the belt has changed speed since)."""

    @property
    def decides(self) -> bool:
        """A worn phone, from a sure facing, decides the facing now."""
        return self.stretch is not None and self.stretch.sure

    @property
    def doubts(self) -> bool:
        """A phone is back after a change of speed it did not see, and nothing else is sure."""
        return self.stretch is not None and not self.stretch.sure

    def forget(self) -> None:
        """The facing was settled otherwise (a mark, the plan's first step): count from it afresh."""
        self.stretch = None

    def belt_changed(self, belief: Belief, plateau: PlateauEvidence, t: float) -> None:
        """The belt left a steady speed: with no phone counting, a turn may happen unseen."""
        if self.stretch is None and self.left is not None:
            self._certainty_gone(belief, plateau, t)

    def see(
        self,
        t: float,
        phone: PhoneState | None,
        belief: Belief,
        plateau: PlateauEvidence,
        before: tuple[int, float],
        *,
        on_level: bool,
        waiting: bool,
        departed_at: float,
        cued: bool,
    ) -> PhoneSaid:
        """Follow the phone over one sample, moving ``belief`` in place.

        ``before`` is the belief as the sample found it (committed facing, P(backward)); the
        belt is ``on_level`` (at one speed), ``waiting`` (not started yet), and last left a
        steady speed at ``departed_at``; ``cued``: a workout cues the turns.
        """
        stretch = self.stretch
        if phone is None or not phone.worn:
            if stretch is not None and stretch.sure:
                self.left = (t, stretch.facing, on_level)
                if not on_level:  # it left in a change of speed: a turn may be under way
                    self._certainty_gone(belief, plateau, t)
            self.stretch = None
            return PhoneSaid()
        if stretch is None or stretch.since != phone.worn_since:
            left = self.left
            carried = (  # back on the body, and the belt held one speed while it was off: no turn
                left is not None and left[2] and departed_at < left[0] and belief.committed == left[1]
            )
            sure = carried or belief.confidence >= PHONE_SURE_FROM or waiting
            self.stretch = _Stretch(phone.worn_since, phone.turns, belief.committed, sure, belief.p)
            return PhoneSaid(ask=True if not sure and not cued else None)
        turned_at: float | None = None
        backward = False
        if phone.turns != stretch.turns:
            turned_at = t if phone.turned_at is None else phone.turned_at
            if (phone.turns - stretch.turns) % 2:
                stretch.facing, stretch.p = 1 - stretch.facing, 1.0 - stretch.p
                backward = stretch.facing == R
            stretch.turns = phone.turns
        if stretch.sure:
            changed = belief.decide(stretch.facing, t if turned_at is None else turned_at)
            if turned_at is not None:
                belief.boundary = turned_at  # the phone saw when (the belt may have said so first)
            return PhoneSaid(changed, backward, ask=False)  # part way round, too: the turn is not done
        return self._unsure(t, phone, belief, plateau, before, turned_at, backward)

    def _unsure(
        self,
        t: float,
        phone: PhoneState,
        belief: Belief,
        plateau: PlateauEvidence,
        before: tuple[int, float],
        turned_at: float | None,
        backward: bool,
    ) -> PhoneSaid:
        """A phone whose starting facing is not sure: it says when the facing changed, not which way."""
        stretch = self.stretch
        assert stretch is not None
        if turned_at is not None:  # the other way round from before the turn began
            return PhoneSaid(belief.set(stretch.p, turned_at, anchored=False), backward)
        if phone.sideways:
            return PhoneSaid()
        changed = False
        if belief.committed != before[0]:  # the belt or a cue said turn; the phone saw none
            belief.p, belief.committed = before[1], before[0]
            plateau.restart(belief.p, t)
            changed = True
        stretch.p, stretch.facing = belief.p, belief.committed
        if belief.confidence >= PHONE_SURE_FROM:
            stretch.sure = True
            return PhoneSaid(changed, ask=False)
        return PhoneSaid(changed)

    def _certainty_gone(self, belief: Belief, plateau: PlateauEvidence, t: float) -> None:
        """The belief a phone made, brought down to :data:`PHONE_GONE`."""
        belief.p = min(max(belief.p, 1.0 - PHONE_GONE), PHONE_GONE)
        plateau.restart(belief.p, t)
        self.left = None

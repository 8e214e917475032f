"""What a session starts from when nobody says otherwise: one home for every default.

The library, the app and the command line all read these, so a free run is as long from
the workout picker as from ``treadmill run --plan free``, and a cap means the same in the
client, the control policy, the profile and Home Assistant.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AFTER_WORKOUT_S",
    "DISTANCE_STEP_KMH",
    "FORWARD_CAP_KMH",
    "FREE",
    "FREE_RUN_S",
    "RECORDING_S",
    "REVERSE_CAP_KMH",
    "WORKOUT_MARGIN_S",
]

FREE: Final = "free"
"""The plan of a free run (``--plan free``, the picker's "Free run"): no workout, no cues."""
FREE_RUN_S: Final = 3 * 3600.0
"""A free run lasts until the person stops it, or this long."""
RECORDING_S: Final = 600.0
"""``treadmill record`` with neither a workout nor ``--duration``: ten minutes."""
AFTER_WORKOUT_S: Final = 5.0
"""Session seconds still recorded after a guided workout ends: the belt coming to rest."""
WORKOUT_MARGIN_S: Final = 3600.0
"""A guided session ends with its workout; as a ceiling, it may run this long past the plan's
length (the plan's clock stands still while the person pauses or the belt is stopped)."""
FORWARD_CAP_KMH: Final = 16.0
"""The forward cap until the person sets theirs (a brisk run; the profile allows up to 25)."""
REVERSE_CAP_KMH: Final = 3.0
"""The reverse cap, and the safe backward speed, until the person sets theirs: clinical
programmes start backward walking at 3 km/h or less (docs/safety.md)."""
DISTANCE_STEP_KMH: Final = 4.0
"""The speed a distance step is timed at when it plans none and the belt says nothing yet: a
steady walk."""

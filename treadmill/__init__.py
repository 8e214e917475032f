"""Treadmill Companion: a coach for reverse (backward) running on smart treadmills.

The library holds everything but the screen: FTMS codecs (:mod:`treadmill.ftms`), and,
as they land, the Bluetooth client, the session engine and the numpy core. The Textual
app lives in the separate ``tui`` package.
"""

from treadmill.errors import EncodeError, FrameError, TreadmillError, UnknownCharacteristicError

__all__ = ["EncodeError", "FrameError", "TreadmillError", "UnknownCharacteristicError", "__version__"]

__version__ = "0.1.0"

"""The formats a session exports to.

A light module of its own, so that the command line lists them without loading the encoders.
"""

from __future__ import annotations

import enum

__all__ = ["ExportFormat"]


class ExportFormat(enum.StrEnum):
    """The formats :func:`treadmill.storage.export.write` knows."""

    FIT = "fit"
    TCX = "tcx"
    CSV = "csv"

    @property
    def media_type(self) -> str:
        """The media type of a browser download (CSV: RFC 4180; FIT and TCX: the vendor types in use)."""
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    ExportFormat.FIT: "application/vnd.ant.fit",
    ExportFormat.TCX: "application/vnd.garmin.tcx+xml",
    ExportFormat.CSV: "text/csv",
}

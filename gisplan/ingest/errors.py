"""Errors of imports and exports: one line for the person who ran them."""

from __future__ import annotations

from ..errors import GisplanError


class IngestError(GisplanError):
    """The file as a whole cannot be read or exported (format, CRS, archive, options)."""


class ImportRejected(GisplanError):
    """Rows were rejected, so nothing was loaded; ``report`` names every row, field and reason."""

    def __init__(self, report):
        first = report.rejections[0] if report.rejections else None
        where = f"; first: row {first.row} {first.field}: {first.reason}" if first else ""
        super().__init__(f"{report.source}: nothing loaded, {report.rejected_rows} of {report.read} rows "
                         f"rejected{where}")
        self.report = report

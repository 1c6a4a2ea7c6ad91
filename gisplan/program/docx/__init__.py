"""Programs from their approved DOCX: the passport table (2024 or EGAP form), Додаток 1 and
Додаток 2 read tolerantly (python-docx), indicators matched to the canonical catalogue, every row
accounted for in the import report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .report import DocxError

if TYPE_CHECKING:  # pragma: no cover
    from .reader import DocxRead


def read_docx(data: bytes, hromada: str | None = None, source: str = "document.docx") -> "DocxRead":
    """See :func:`gisplan.program.docx.reader.read_docx` (imported late: matching uses this package's text)."""
    from .reader import read_docx as read

    return read(data, hromada, source)


__all__ = ["DocxError", "read_docx"]

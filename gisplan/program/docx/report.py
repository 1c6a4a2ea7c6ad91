"""What became of every row of every table: the import report, and the problems that stop an
import (each names the table, the row and the column)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..xlsx import Problem, WorkbookError

MAX_PROBLEMS = 50


def place(table: int, row: int) -> str:
    """A row of the document as messages and ``source_ref`` name it (1-based); table 0 means the
    body paragraphs (a passport written as a numbered list)."""
    return f"таблиця {table}, рядок {row}" if table else f"абзац {row}"


@dataclass
class RowFate:
    table: int  # 1-based; 0 for a body paragraph
    row: int  # 1-based within the table (or the paragraph's number)
    annex: str | None  # «Паспорт», «Додаток 1», «Додаток 2» or None (not part of the program)
    kind: str  # header, section, project, funding, total, continuation, indicator, passport, empty, other
    result: str  # what became of it, in words
    text: str = ""  # the row's first words, to recognise it

    def public(self) -> dict:
        return asdict(self)


class DocxError(WorkbookError):
    """The document cannot be imported; ``problems`` name the table, row and column of each cause."""


class _Stop(Exception):
    pass


@dataclass
class Collector:
    rows: list[RowFate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def fate(self, table: int, row: int, annex: str | None, kind: str, result: str, text: str = "") -> RowFate:
        item = RowFate(table, row + 1, annex, kind, result, text[:120])
        self.rows.append(item)
        return item

    def problem(self, annex: str, table: int, row: int | None, column: str | None, message: str) -> None:
        sheet = f"{annex} (таблиця {table})" if table else f"{annex} (абзаци)"
        self.problems.append(Problem(sheet, None if row is None else row + 1, column, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def raise_if_any(self) -> None:
        if self.problems:
            raise DocxError(self.problems)

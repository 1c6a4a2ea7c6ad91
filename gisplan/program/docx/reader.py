"""Reading an approved program from its DOCX: the passport table, Додаток 1 and Додаток 2 found
by their column headers wherever they are, tolerant of how councils typeset them, strict about
what cannot be understood (nothing is returned unless the whole document reads)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..document import complete
from ..errors import ProgramError
from ..matching import MatchResult
from ..schemas import (
    DeclaredTotalIn, FundingIn, GoalIn, IndicatorIn, Passport, PriorityIn, ProgramDocument, ProjectIn, TaskIn,
)
from ..xlsx import Problem
from .annex1 import TasksReader
from .annex2 import IndicatorsReader
from .grid import Table, read_body
from .layout import ANNEX1, ANNEX2, PERIOD, Columns, find_columns
from .passport import PassportRead, is_passport, paragraph_entries, read_passport, table_entries
from .report import Collector, DocxError, RowFate, _Stop

TITLE = re.compile(r"(програм[аи]\s+інформатизації.*?\bна\s+(\d{4})\s*[-–—]\s*(\d{4})\s+рок(?:и|ів))", re.I)
SIGNATURE = re.compile(r"\b[А-ЯІЇЄҐ][А-ЯІЇЄҐ’'-]{2,}$")
LOOKED_FOR = ("no annex tables in the document: looked for a table with the column «Назва проєкту, робіт з "
              "інформатизації» (or «Назва проєкту, короткий опис») for Додаток 1 and a table with the column "
              "«Найменування індикатора» for Додаток 2")


@dataclass
class DocxRead:
    document: ProgramDocument
    rows: list[RowFate]
    matches: list[tuple[IndicatorIn, MatchResult]] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)  # each table: what it was read as, under which heading

    @property
    def review(self) -> list[tuple[IndicatorIn, MatchResult]]:
        return [(ind, m) for ind, m in self.matches if not m.matched]

    def report(self) -> dict:
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        return {"tables": self.tables, "rows": [r.public() for r in self.rows], "row_kinds": counts,
                "matched": sum(m.matched for _, m in self.matches), "for_review": len(self.review)}


def _title(paragraphs: list[str]) -> tuple[str | None, tuple[int, int] | None]:
    for text in paragraphs:
        m = TITLE.search(text)
        if m:
            title = m.group(1)
            if title.startswith("Програми"):
                title = "Програма" + title[len("Програми"):]
            return title, (int(m.group(2)), int(m.group(3)))
    return None, None


def _classify(tables: list[Table]):
    parts: dict[str, list[tuple[Table, Columns]]] = {ANNEX1: [], ANNEX2: []}
    passport: Table | None = None
    others: list[tuple[Table, bool]] = []  # (table, after an annex)
    last: tuple[Table, Columns] | None = None
    for table in tables:
        cols = find_columns(table)
        if cols is not None:
            parts[cols.kind].append((table, cols))
            last = (table, cols)
        elif passport is None and is_passport(table):
            passport = table
        elif last is not None and table.width == last[0].width:
            cols = Columns(kind=last[1].kind, keys=dict(last[1].keys), years=dict(last[1].years),
                           headers=dict(last[1].headers), width=table.width, texts=list(last[1].texts))
            parts[cols.kind].append((table, cols))
            last = (table, cols)
        else:
            others.append((table, last is not None))
    return parts, passport, others


def _signatory(others: list[tuple[Table, bool]]) -> str | None:
    for table, after_annex in others:
        text = " ".join(" ".join(table.own_texts(r)) for r in range(len(table.rows)))
        if after_annex and SIGNATURE.search(text):
            return text
    return None


def read_docx(data: bytes, hromada: str | None = None, source: str = "document.docx") -> DocxRead:
    """Read a program document; raises :class:`DocxError` naming table, row and column."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a file that is not DOCX
        raise DocxError([Problem("(file)", None, None, f"{source}: not a DOCX document ({exc})")]) from None
    body = read_body(document)
    out = Collector()
    parts, passport_table, others = _classify(body.tables)
    if not parts[ANNEX1] and not parts[ANNEX2]:
        raise DocxError([Problem("(document)", None, None, LOOKED_FOR)])
    doc: dict = {"goals": [], "priorities": [], "indicators": [], "declared_totals": []}
    years: list[int] = []
    pp = PassportRead()
    indicators = IndicatorsReader(doc, out, years)
    try:
        entries = table_entries(passport_table) if passport_table is not None else paragraph_entries(body.paragraphs)
        if entries:
            pp = read_passport(entries, out)
        if parts[ANNEX1]:
            TasksReader(doc, out, years).read(parts[ANNEX1])
        if parts[ANNEX2]:
            indicators.read(parts[ANNEX2])
        for table, after in others:
            for r in range(len(table.rows)):
                out.fate(table.index, r, None, "other", "not part of the passport or the annexes",
                         " | ".join(table.own_texts(r)))
    except _Stop:
        pass
    out.raise_if_any()
    title, period = _title(body.paragraphs)
    if period is None and (m := PERIOD.match(pp.fields.get("term") or "")):
        period = (int(m.group(1)), int(m.group(2)))
    if period is None and years:
        period = (min(years), max(years))
    if period is None:
        raise DocxError([Problem("(document)", None, None, "the period is not given: no title «Програма "
                                 "інформатизації … на РРРР-РРРР роки», no «Строк виконання» and no year columns")])
    if hromada and pp.hromada and pp.hromada != hromada:
        raise DocxError([Problem("Паспорт", None, None, f"the document is for громада {pp.hromada}, not {hromada}")])
    matches = indicators.finish(period[0])
    fields = dict(pp.fields)
    if "signatory" not in fields and (sign := _signatory(others)):
        fields["signatory"] = sign
    totals = doc["declared_totals"]
    if pp.amounts:
        amounts = {(period[0] if k == "current" else int(k)): v for k, v in pp.amounts.items() if k != "total"}
        totals.append({"scope": "passport", "priority": None, "source": None, "amounts": amounts,
                       "total": pp.amounts.get("total"), "source_ref": "; ".join(pp.amounts_ref)})
    try:
        result = ProgramDocument(
            title=title or "Програма інформатизації", hromada=hromada or pp.hromada,
            period_start=period[0], period_end=period[1], passport_form=pp.form,
            passport=Passport(**fields, source_refs=pp.refs),
            goals=[GoalIn(**g) for g in doc["goals"]],
            priorities=[PriorityIn(**{**p, "tasks": [TaskIn(**t) for t in p["tasks"]],
                                      "projects": [ProjectIn(**{**pr, "funding": [FundingIn(**f) for f in pr["funding"]]})
                                                   for pr in p["projects"]]}) for p in doc["priorities"]],
            indicators=[IndicatorIn(**ind) for ind, _ in matches],
            declared_totals=[DeclaredTotalIn(**t) for t in totals],
        )
        result = complete(result)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise DocxError([Problem("(document)", None, None,
                                 f"{'.'.join(map(str, err['loc']))}: {err['msg']}")]) from None
    except ProgramError as exc:
        raise DocxError([Problem("(document)", None, None, str(exc))]) from None
    rows = sorted(out.rows, key=lambda f: (f.table, f.row))
    by_ref = {i.ref: i for i in result.indicators}
    return DocxRead(result, rows, [(by_ref[ind["ref"]], m) for ind, m in matches],
                    _tables(body.tables, parts, passport_table))


def _tables(tables: list[Table], parts: dict, passport: Table | None) -> list[dict]:
    kinds = {t.index: kind for kind, items in parts.items() for t, _ in items}
    if passport is not None:
        kinds[passport.index] = "Паспорт"
    out = []
    for t in tables:
        heading = next((p for p in reversed(t.before) if re.match(r"(?i)^(додаток|паспорт|перелік|індикатори)", p)),
                       t.before[-1] if t.before else None)
        out.append({"table": t.index, "read_as": kinds.get(t.index), "rows": len(t.rows), "columns": t.width,
                    "heading": heading[:200] if heading else None})
    return out

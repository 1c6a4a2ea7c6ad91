"""Bringing a program in from its DOCX, and the review of the indicator rows that matched no
canonical code with enough confidence.

The import is all or nothing (the same store and checks as a workbook). Its record in
``import_log`` (mode ``program-docx``) keeps the report of every row of every table and the
review list; ``status`` is ``review`` while a row awaits the planner and ``ok`` after. A decision
sets the indicator's canonical code (or confirms it has none) through the same store as any
edit, so the program's rules hold; nothing is decided without the planner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, select, update

from ...db.models import import_log
from ..canonical import METHOD_OF_CLASS, catalogue, is_canonical
from ..errors import ProgramError, ProgramNotFound
from ..loading import ProgramLoadReport, _report
from ..store import create_program, read_document, save_program
from .reader import DocxRead, read_docx

MODE = "program-docx"
LOADED_KINDS = {"passport", "section", "project", "funding", "total", "indicator", "continuation"}


def is_docx(data: bytes) -> bool:
    """A Word document (a zip with ``word/document.xml``), as opposed to a workbook."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


@dataclass
class DocxLoadReport:
    program: ProgramLoadReport
    read: DocxRead
    review: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.program.summary()}; {len(self.read.rows)} table rows accounted for, "
                f"{len(self.read.matches) - len(self.review)} indicators matched to canonical codes, "
                f"{len(self.review)} listed for review (import {self.program.import_log_id})")

    def public(self) -> dict:
        return self.program.public() | {
            "import_id": self.program.import_log_id, "summary": self.summary(),
            "review_pending": len(self.review), "review": self.review,
            "matches": _matches(self.read), "report": self.read.report(),
        }


def _matches(read: DocxRead) -> list[dict]:
    return [{"indicator": ind.ref, "name": ind.name, "unit": ind.unit, "place": ind.source_ref,
             **m.public()} for ind, m in read.matches]


def import_docx(conn: Connection, data: bytes, *, source: str, hromada: str | None = None,
                user: str | None = None, read: DocxRead | None = None) -> DocxLoadReport:
    """A new program from a DOCX (raises DocxError and stores nothing if it cannot be read);
    ``read`` is the document already read (by a caller that checked rights on it)."""
    read = read or read_docx(data, hromada, source)
    pid = create_program(conn, read.document, user=user, source=source)
    rep = _report(conn, read.document, pid, source, True, user)
    review = [{"indicator": ind.ref, "name": ind.name, "unit": ind.unit, "place": ind.source_ref,
               "score": m.score, "reason": m.reason, "candidates": m.public()["candidates"],
               "status": "pending", "canonical_code": None, "decided_by": None, "decided_at": None}
              for ind, m in read.review]
    report = read.report()
    conn.execute(update(import_log).where(import_log.c.id == rep.import_log_id).values(
        mode=MODE, status="review" if review else "ok", rows_read=len(read.rows),
        rows_loaded=sum(1 for r in read.rows if r.kind in LOADED_KINDS),
        report={"program_id": pid, "created": True, "mismatches": [m.public() for m in rep.mismatches],
                "document": report, "matches": _matches(read), "review": review},
    ))
    return DocxLoadReport(rep, read, review)


def _record(conn: Connection, import_id: int, lock: bool = False):
    q = select(import_log).where(import_log.c.id == import_id, import_log.c.mode == MODE)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise ProgramNotFound(f"no DOCX program import {import_id}")
    return row


def program_of(conn: Connection, import_id: int) -> int:
    return _record(conn, import_id).report["program_id"]


def review_of(conn: Connection, import_id: int) -> dict:
    """The rows awaiting review (and those decided), with the import's report of every row."""
    row = _record(conn, import_id)
    items = row.report.get("review", [])
    return {"import_id": row.id, "program_id": row.report["program_id"], "source": row.source,
            "status": row.status, "pending": sum(1 for i in items if i["status"] == "pending"),
            "items": items, "matches": row.report.get("matches", []), "report": row.report.get("document")}


def apply_review(conn: Connection, import_id: int, decisions: list[dict], *, user: str | None) -> dict:
    """Decide review items: ``{"indicator": ref, "canonical_code": CODE or None}`` each (None keeps
    the indicator without a code). Sets the codes in the program; all decisions or none."""
    row = _record(conn, import_id, lock=True)
    report = dict(row.report)
    items = [dict(i) for i in report.get("review", [])]
    by_ref = {i["indicator"]: i for i in items}
    pid = report["program_id"]
    doc = read_document(conn, pid)
    indicators = {i.ref: i for i in doc.indicators}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for n, d in enumerate(decisions):
        ref, code = d.get("indicator"), d.get("canonical_code")
        if ref not in by_ref:
            raise ProgramError(f"decisions[{n}].indicator: {ref!r} is not listed for review in import {import_id}")
        if code is not None and not is_canonical(code):
            raise ProgramError(f"decisions[{n}].canonical_code: {code!r} is not a code of the canonical catalogue")
        if ref not in indicators:
            raise ProgramError(f"decisions[{n}].indicator: program {pid} no longer has indicator {ref!r}")
        ind = indicators[ref]
        ind.canonical_code = code
        ind.method = METHOD_OF_CLASS[catalogue()[code].cls] if code else "manual"
        by_ref[ref].update(status="confirmed" if code else "no_code", canonical_code=code, decided_by=user,
                           decided_at=now)
    save_program(conn, pid, doc, user=user, action="program.import_review")
    report["review"] = items
    pending = sum(1 for i in items if i["status"] == "pending")
    conn.execute(update(import_log).where(import_log.c.id == import_id).values(
        report=report, status="review" if pending else "ok"))
    return review_of(conn, import_id)

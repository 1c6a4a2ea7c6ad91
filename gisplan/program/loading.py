"""Bringing a program workbook in: read (all or nothing), store, check, log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func, insert

from ..db.models import import_log
from .checks import Mismatch, check_document
from .schemas import ProgramDocument
from .store import create_program, find_program, save_program
from .versions import amend
from .xlsx import read_workbook

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
# the demo workbooks and the КАТОТТГ codes of their громади (the seeds carry no code)
DEMO_PROGRAMS = (
    ("balakliia.xlsx", "UA63040010000010092"),
    ("khmilnyk.xlsx", "UA05120170000013778"),
    ("kremenchuk.xlsx", "UA53020110000092487"),
)


@dataclass
class ProgramLoadReport:
    source: str
    program_id: int
    title: str
    hromada: str | None
    projects: int
    indicators: int
    created: bool
    mismatches: list[Mismatch] = field(default_factory=list)
    version: int | None = None
    import_log_id: int | None = None
    rejections: list = field(default_factory=list)  # a workbook loads whole or not at all

    @property
    def rejected(self) -> int:
        return 0

    def summary(self) -> str:
        action = "created" if self.created else (f"amended (version {self.version})" if self.version else "updated")
        return (f"{self.source}: program {self.program_id} «{self.title}» {action}: {self.projects} projects, "
                f"{self.indicators} indicators, {len(self.mismatches)} mismatches with the document")

    def public(self) -> dict:
        return {"source": self.source, "program_id": self.program_id, "title": self.title, "hromada": self.hromada,
                "projects": self.projects, "indicators": self.indicators, "created": self.created,
                "version": self.version, "import_log_id": self.import_log_id,
                "mismatches": [m.public() for m in self.mismatches], "summary": self.summary()}


def _report(conn: Connection, doc: ProgramDocument, pid: int, source: str, created: bool, user: str | None,
            version: int | None = None) -> ProgramLoadReport:
    rep = ProgramLoadReport(source=source, program_id=pid, title=doc.title, hromada=doc.hromada,
                            projects=sum(1 for _ in doc.projects()), indicators=len(doc.indicators),
                            created=created, mismatches=check_document(doc), version=version)
    rows = rep.projects + rep.indicators
    rep.import_log_id = conn.execute(insert(import_log).values(
        finished_at=func.clock_timestamp(), hromada=doc.hromada, source=source, mode="program", user_name=user,
        rows_read=rows, rows_loaded=rows, status="ok",
        report={"program_id": pid, "created": created, "version": version,
                "mismatches": [m.public() for m in rep.mismatches]},
    ).returning(import_log.c.id)).scalar_one()
    return rep


def import_workbook(conn: Connection, data: bytes, *, source: str, hromada: str | None = None,
                    user: str | None = None) -> ProgramLoadReport:
    """A new program from a workbook (raises WorkbookError and stores nothing if it cannot be read)."""
    doc = read_workbook(data, hromada)
    pid = create_program(conn, doc, user=user, source=source)
    return _report(conn, doc, pid, source, True, user)


def amend_from_workbook(conn: Connection, pid: int, data: bytes, *, source: str, decision_number: str,
                        decision_date: dt.date, note: str | None = None, hromada: str | None = None,
                        user: str | None = None) -> ProgramLoadReport:
    doc = read_workbook(data, hromada)
    number = amend(conn, pid, doc, decision_number=decision_number, decision_date=decision_date, note=note, user=user)
    return _report(conn, doc, pid, source, False, user, version=number)


def load_demo_programs(conn: Connection) -> list[ProgramLoadReport]:
    """Load (or refresh, idempotently) the three demo programs shipped as XLSX."""
    reports = []
    for name, hromada in DEMO_PROGRAMS:
        doc = read_workbook((DEMO_DIR / name).read_bytes(), hromada)
        pid = find_program(conn, hromada, doc.title)
        created = pid is None
        if pid is None:
            pid = create_program(conn, doc, user="demo", source=f"demo/{name}")
        else:
            save_program(conn, pid, doc, user="demo", action="program.demo_reload")
        reports.append(_report(conn, doc, pid, f"demo/{name}", created, "demo"))
    return reports

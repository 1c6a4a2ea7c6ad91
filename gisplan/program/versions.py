"""Amendments: a program changes by council decisions. Each amendment is a dated version with its
decision number; the version it replaces keeps a snapshot of the program as it stood, so every
earlier version stays readable (and exportable)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select, update

from .errors import ProgramNotFound
from .schemas import ProgramDocument, VersionPublic
from .store import _lock, audit, read_document, save_program
from .tables import program_version


def amend(conn: Connection, pid: int, doc: ProgramDocument, *, decision_number: str, decision_date: dt.date,
          note: str | None = None, user: str | None = None) -> int:
    """Freeze the version in force and put ``doc`` in force as the next version; returns its number."""
    _lock(conn, pid)
    before = read_document(conn, pid)
    current = conn.execute(select(program_version.c.id, program_version.c.number)
                           .where(program_version.c.program_id == pid)
                           .order_by(program_version.c.number.desc()).limit(1)).one()
    conn.execute(update(program_version).where(program_version.c.id == current.id)
                 .values(snapshot=before.model_dump(mode="json")))
    number = current.number + 1
    conn.execute(insert(program_version).values(
        program_id=pid, number=number, decision_number=decision_number, decision_date=decision_date,
        note=note, created_by=user))
    save_program(conn, pid, doc, user=user, action="program.amend")
    audit(conn, user, "program.amend", pid, {"version": number, "decision_number": decision_number,
                                             "decision_date": decision_date.isoformat()})
    return number


def list_versions(conn: Connection, pid: int) -> list[VersionPublic]:
    rows = conn.execute(select(program_version).where(program_version.c.program_id == pid)
                        .order_by(program_version.c.number)).all()
    if not rows:
        raise ProgramNotFound(f"no program {pid}")
    last = rows[-1].number
    return [VersionPublic(number=r.number, decision_number=r.decision_number, decision_date=r.decision_date,
                          note=r.note, created_at=r.created_at, created_by=r.created_by, in_force=r.number == last)
            for r in rows]


def read_version(conn: Connection, pid: int, number: int) -> ProgramDocument:
    row = conn.execute(select(program_version.c.snapshot).where(
        program_version.c.program_id == pid, program_version.c.number == number)).first()
    if row is None:
        raise ProgramNotFound(f"program {pid} has no version {number}")
    if row.snapshot is None:  # the version in force lives in the tables
        return read_document(conn, pid)
    return ProgramDocument.model_validate(row.snapshot)

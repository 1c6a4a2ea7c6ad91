"""Residents' problem reports about shelters (locked, full, wrong place): stored for the planners.

No personal data is asked for. The client's address is kept only as a salted hash of the address
and the day (``client_key``), used to limit how many reports one client may send per window
(:class:`gisplan.settings.ResidentsSettings`); it cannot be turned back into the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from uuid import UUID

from sqlalchemy import (
    BigInteger, CheckConstraint, Column, Connection, DateTime, Identity, Index, Table, Text, func,
    insert, select, text, update,
)
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from .. import clock
from ..db.models import KATOTTG_CHECK, metadata
from ..settings import residents_settings

PROBLEMS = ("locked", "full", "wrong_place", "other")
STATUSES = ("new", "in_progress", "resolved", "rejected")  # the planners' triage of a report
MAX_COMMENT = 1000

shelter_report = Table(
    "shelter_report", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("hromada", Text, nullable=False, comment="КАТОТТГ code of the громада"),
    Column("shelter_id", PgUUID(as_uuid=True), nullable=False, comment="id of the shelters feature"),
    Column("problem", Text, nullable=False, comment="locked, full, wrong_place, other"),
    Column("comment", Text, comment="free text of the resident, no personal data asked"),
    Column("client_key", Text, nullable=False, comment="sha256 of client address and day: rate limit"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", Text, nullable=False, server_default=text("'new'"),
           comment="triage: new, in_progress, resolved, rejected"),
    Column("note", Text, comment="the planner's note on what was done"),
    Column("handled_by", Text, comment="user name of the planner who set the status"),
    Column("handled_at", DateTime(timezone=True), comment="when the status was last set"),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    CheckConstraint("problem IN ('locked', 'full', 'wrong_place', 'other')", name="problem"),
    CheckConstraint(f"char_length(comment) <= {MAX_COMMENT}", name="comment_length"),
    CheckConstraint("status IN ('new', 'in_progress', 'resolved', 'rejected')", name="status"),
    CheckConstraint(f"char_length(note) <= {MAX_COMMENT}", name="note_length"),
    comment="Residents' reports about public shelters (issue 12)",
)
Index("ix_shelter_report_hromada_created", shelter_report.c.hromada, shelter_report.c.created_at)
Index("ix_shelter_report_client_created", shelter_report.c.client_key, shelter_report.c.created_at)


class TooManyReports(Exception):
    """The client has sent the allowed number of reports in the window."""


def client_key(address: str, day: dt.date | None = None) -> str:
    day = day or clock.today()
    return hashlib.sha256(f"gisplan-report|{address}|{day.isoformat()}".encode()).hexdigest()


def shelter_in_hromada(conn: Connection, hromada: str, shelter_id: UUID) -> bool:
    return conn.execute(text("SELECT 1 FROM pub.shelters WHERE id = :id AND hromada = :h"),
                        {"id": shelter_id, "h": hromada}).first() is not None


def store_report(conn: Connection, *, hromada: str, shelter_id: UUID, problem: str,
                 comment: str | None, address: str) -> int:
    """Store one report; :class:`TooManyReports` beyond the limit, ValueError on bad input."""
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(PROBLEMS)}")
    comment = (comment or "").strip()[:MAX_COMMENT] or None
    s = residents_settings()
    key = client_key(address)
    since = func.now() - dt.timedelta(minutes=s.report_window_minutes)
    sent = conn.execute(select(func.count()).select_from(shelter_report).where(
        shelter_report.c.client_key == key, shelter_report.c.created_at > since)).scalar_one()
    if sent >= s.report_limit:
        raise TooManyReports()
    return conn.execute(insert(shelter_report).values(
        hromada=hromada, shelter_id=shelter_id, problem=problem, comment=comment, client_key=key,
    ).returning(shelter_report.c.id)).scalar_one()


def reports_of(conn: Connection, hromada: str) -> list[dict]:
    """The громада's reports, newest first (without the client key)."""
    cols = [c for c in shelter_report.c if c.name != "client_key"]
    q = select(*cols).where(shelter_report.c.hromada == hromada).order_by(shelter_report.c.id.desc())
    return [dict(r) for r in conn.execute(q).mappings()]


class ReportNotFound(Exception):
    """No report with that id in that громада."""


def triage_report(conn: Connection, hromada: str, report_id: int, status: str, note: str | None,
                  username: str) -> dict:
    """Set a report's status (and note) as the planner ``username``; returns the report."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    note = (note or "").strip()[:MAX_COMMENT] or None
    done = conn.execute(update(shelter_report).where(
        shelter_report.c.id == report_id, shelter_report.c.hromada == hromada,
    ).values(status=status, note=note, handled_by=username, handled_at=func.now())
     .returning(*[c for c in shelter_report.c if c.name != "client_key"])).mappings().first()
    if done is None:
        raise ReportNotFound(report_id)
    return dict(done)

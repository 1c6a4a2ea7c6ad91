"""Reporting: actual values of indicators per period (who entered them and when, computed or
entered), executors' quarterly reports on their projects, and reports submitted to the Ministry."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..accounts import User, get_user
from ..db.models import users
from .errors import Forbidden, ProgramError
from .schemas import ActualCreate, ActualPublic, ReportCreate, ReportPublic, SubmissionCreate
from .tables import (
    program, program_indicator, program_indicator_actual, program_project, program_project_assignee,
    program_project_report, program_submission,
)
from .values import from_columns, to_columns


def _check_year(conn: Connection, pid: int, year: int) -> None:
    start, end = conn.execute(select(program.c.period_start, program.c.period_end)
                              .where(program.c.id == pid)).one()
    if not start <= year <= end:
        raise ProgramError(f"year: {year} is outside the program period {start}–{end}")


def record_actual(conn: Connection, pid: int, indicator_id: int, actual: ActualCreate, *, user: str | None) -> ActualPublic:
    """Enter (or replace) the actual value of an indicator for a year (quarter 0) or a quarter."""
    _check_year(conn, pid, actual.year)
    values = dict(indicator_id=indicator_id, year=actual.year, quarter=actual.quarter,
                  **to_columns(actual.value, "value", "text"), numerator=actual.numerator,
                  denominator=actual.denominator, source=actual.source, inputs=actual.inputs, note=actual.note,
                  entered_by=user, entered_at=func.now(),
                  computed_at=func.now() if actual.source == "computed" else None)
    stmt = pg_insert(program_indicator_actual).values(**values)
    stmt = stmt.on_conflict_do_update(constraint="uq_program_indicator_actual_period",
                                      set_={k: stmt.excluded[k] for k in values if k not in ("indicator_id", "year", "quarter")})
    aid = conn.execute(stmt.returning(program_indicator_actual.c.id)).scalar_one()
    return _actual(conn.execute(select(program_indicator_actual).where(program_indicator_actual.c.id == aid)).one())


def _actual(r) -> ActualPublic:
    return ActualPublic(id=r.id, indicator_id=r.indicator_id, year=r.year, quarter=r.quarter,
                        value=from_columns(r.value, r.text), numerator=r.numerator, denominator=r.denominator,
                        source=r.source, entered_by=r.entered_by, entered_at=r.entered_at,
                        computed_at=r.computed_at, inputs=r.inputs, note=r.note)


def list_actuals(conn: Connection, pid: int, indicator_id: int | None = None) -> list[ActualPublic]:
    q = (select(program_indicator_actual).join(program_indicator,
                                               program_indicator.c.id == program_indicator_actual.c.indicator_id)
         .where(program_indicator.c.program_id == pid)
         .order_by(program_indicator.c.seq, program_indicator_actual.c.year, program_indicator_actual.c.quarter))
    if indicator_id is not None:
        q = q.where(program_indicator_actual.c.indicator_id == indicator_id)
    return [_actual(r) for r in conn.execute(q)]


# ------------------------------------------------------------------------ executors and reports
def assignees(conn: Connection, project_id: int) -> list[str]:
    return conn.execute(select(users.c.username).join(
        program_project_assignee, program_project_assignee.c.user_id == users.c.id)
        .where(program_project_assignee.c.project_id == project_id).order_by(users.c.username)).scalars().all()


def set_assignees(conn: Connection, project_id: int, usernames: list[str]) -> list[str]:
    """The accounts of the project's executor, who may enter its quarterly reports."""
    ids = []
    for name in usernames:
        user = get_user(conn, name)
        if user is None:
            raise ProgramError(f"no user {name!r}")
        ids.append(user.id)
    conn.execute(delete(program_project_assignee).where(program_project_assignee.c.project_id == project_id))
    if ids:
        conn.execute(insert(program_project_assignee), [{"project_id": project_id, "user_id": i} for i in ids])
    return assignees(conn, project_id)


def can_report(conn: Connection, user: User, hromada: str | None, project_id: int) -> bool:
    """Planners of the громада, and the accounts assigned as the project's executor."""
    if user.is_admin or (hromada is not None and user.can_write(hromada)):
        return True
    return conn.execute(select(program_project_assignee.c.user_id).where(
        program_project_assignee.c.project_id == project_id,
        program_project_assignee.c.user_id == user.id)).first() is not None


def record_report(conn: Connection, pid: int, project_id: int, report: ReportCreate, *, user: User,
                  hromada: str | None) -> ReportPublic:
    if not can_report(conn, user, hromada, project_id):
        raise Forbidden(f"{user.username} is neither a planner of громада {hromada} nor an executor of project "
                        f"{project_id}")
    _check_year(conn, pid, report.year)
    values = dict(project_id=project_id, year=report.year, quarter=report.quarter, progress_pct=report.progress_pct,
                  spent=report.spent, narrative=report.narrative, entered_by=user.username, entered_at=func.now())
    stmt = pg_insert(program_project_report).values(**values)
    stmt = stmt.on_conflict_do_update(constraint="uq_program_project_report_period",
                                      set_={k: stmt.excluded[k] for k in ("progress_pct", "spent", "narrative",
                                                                          "entered_by", "entered_at")})
    rid = conn.execute(stmt.returning(program_project_report.c.id)).scalar_one()
    return list_reports(conn, pid, report_id=rid)[0]


def list_reports(conn: Connection, pid: int, project_id: int | None = None,
                 report_id: int | None = None) -> list[ReportPublic]:
    q = (select(program_project_report).join(program_project,
                                             program_project.c.id == program_project_report.c.project_id)
         .where(program_project.c.program_id == pid)
         .order_by(program_project.c.seq, program_project_report.c.year, program_project_report.c.quarter))
    if project_id is not None:
        q = q.where(program_project_report.c.project_id == project_id)
    if report_id is not None:
        q = q.where(program_project_report.c.id == report_id)
    return [ReportPublic(**{k: getattr(r, k) for k in ReportPublic.model_fields}) for r in conn.execute(q)]


def record_submission(conn: Connection, pid: int, sub: SubmissionCreate, *, user: str | None) -> dict:
    _check_year(conn, pid, sub.year)
    stmt = pg_insert(program_submission).values(program_id=pid, kind=sub.kind, year=sub.year, submitted_by=user,
                                                note=sub.note)
    stmt = stmt.on_conflict_do_update(constraint="uq_program_submission_period",
                                      set_={"submitted_at": func.now(), "submitted_by": user, "note": sub.note})
    conn.execute(stmt)
    return {"kind": sub.kind, "year": sub.year, "submitted_by": user}

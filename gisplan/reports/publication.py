"""Publishing a report on the громада's public page (seed 004: «публікуються на офіційному сайті
громади»): a planner's choice, stored as the generated file, served at ``/{code}/reports/{filename}``."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .build import Report
from .tables import published_report


def publish(conn: Connection, pid: int, hromada: str, kind: str, year: int, quarter: int | None, fmt: str,
            report: Report, user: str | None) -> dict:
    values = dict(program_id=pid, hromada=hromada, kind=kind, year=year, quarter=quarter or 0, format=fmt,
                  filename=report.filename, media_type=report.media_type, content=report.content,
                  template=report.template["label"], published_by=user)
    stmt = pg_insert(published_report).values(**values)
    stmt = stmt.on_conflict_do_update(constraint="uq_published_report_file", set_={
        **{k: stmt.excluded[k] for k in ("program_id", "content", "template", "published_by")},
        "published_at": func.now()})
    conn.execute(stmt)
    return {"hromada": hromada, "filename": report.filename, "url": f"/{hromada}/reports/{report.filename}",
            "template": report.template["label"], "bytes": len(report.content)}


def withdraw(conn: Connection, hromada: str, filename: str) -> bool:
    return conn.execute(delete(published_report).where(published_report.c.hromada == hromada,
                                                       published_report.c.filename == filename)).rowcount > 0


def published_file(conn: Connection, hromada: str, filename: str):
    return conn.execute(select(published_report.c.content, published_report.c.media_type,
                               published_report.c.template).where(
        published_report.c.hromada == hromada, published_report.c.filename == filename)).first()


def list_published(conn: Connection, hromada: str) -> list[dict]:
    rows = conn.execute(select(published_report.c.filename, published_report.c.kind, published_report.c.year,
                               published_report.c.quarter, published_report.c.format,
                               published_report.c.template, published_report.c.published_at)
                        .where(published_report.c.hromada == hromada)
                        .order_by(published_report.c.year.desc(), published_report.c.quarter.desc(),
                                  published_report.c.filename))
    return [{**r._asdict(), "url": f"/{hromada}/reports/{r.filename}",
             "published_at": r.published_at.isoformat()} for r in rows]

"""Write and read audit entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from .tables import audit_log


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    username: str | None
    action: str
    ok: bool
    hromada: str | None
    target: str | None
    status: int | None
    client: str | None
    detail: dict[str, Any] | None

    def as_json(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "username": self.username, "action": self.action,
                "ok": self.ok, "hromada": self.hromada, "target": self.target, "status": self.status,
                "client": self.client, "detail": self.detail}


def record(conn: Connection, action: str, *, username: str | None, ok: bool = True, hromada: str | None = None,
           target: str | None = None, status: int | None = None, client: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    conn.execute(audit_log.insert().values(
        user_name=username, action=action, ok=ok, hromada=hromada, target=target, status=status,
        client=client, detail=detail))


def entries(conn: Connection, *, username: str | None = None, action: str | None = None,
            hromada: str | None = None, ok: bool | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None, limit: int = 100, offset: int = 0) -> tuple[int, list[AuditEntry]]:
    """(number matched, a page of entries newest first). ``action`` matches a substring."""
    where = []
    if username is not None:
        where.append(audit_log.c.user_name == username)
    if action is not None:
        where.append(audit_log.c.action.contains(action, autoescape=True))
    if hromada is not None:
        where.append(audit_log.c.hromada == hromada)
    if ok is not None:
        where.append(audit_log.c.ok.is_(ok))
    if since is not None:
        where.append(audit_log.c.at >= since)
    if until is not None:
        where.append(audit_log.c.at < until)
    from sqlalchemy import func

    total = conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
    rows = conn.execute(select(audit_log).where(*where)
                        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit).offset(offset))
    return total, [AuditEntry(r.id, r.at, r.user_name, r.action, r.ok, r.hromada, r.target, r.status, r.client,
                              r.detail) for r in rows]

"""The recent imports into a layer within one громада, read back from ``import_log``: what each
import read, loaded, repaired and rejected (every rejected row with its field and reason), so the
planner's workspace can show the whole report of a refused file, not just its first fault."""

from __future__ import annotations

from sqlalchemy import Connection, select

from ..db.models import import_log


def recent_imports(conn: Connection, layer: str, hromada: str, limit: int = 10) -> list[dict]:
    """Newest first: id, when, who, file, mode, status, counts and the stored report."""
    rows = conn.execute(
        select(import_log).where(import_log.c.layer == layer, import_log.c.hromada == hromada)
        .order_by(import_log.c.id.desc()).limit(limit)
    ).mappings()
    return [{
        "id": r["id"], "started_at": r["started_at"].isoformat(timespec="seconds") if r["started_at"] else None,
        "user": r["user_name"], "source": r["source"], "mode": r["mode"], "status": r["status"],
        "read": r["rows_read"], "loaded": r["rows_loaded"], "rejected_rows": r["rows_rejected"],
        "repaired_rows": r["rows_repaired"], "report": r["report"] or {},
    } for r in rows]

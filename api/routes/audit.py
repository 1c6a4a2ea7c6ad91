"""The audit log, for admins: GET /api/admin/audit with filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from gisplan.audit import entries

from ..deps import CurrentUser, Paging, ReadConn

router = APIRouter(tags=["auth"])


@router.get("/api/admin/audit", summary="The audit log: sign-ins and changes, newest first (admins)")
def audit(user: CurrentUser, conn: ReadConn, page: Paging,
          username: Annotated[str | None, Query(max_length=200, description="who")] = None,
          action: Annotated[str | None, Query(max_length=200,
                                              description="part of the action: sign-in, PATCH, /features …")] = None,
          hromada: Annotated[str | None, Query(pattern=r"^UA\d{17}$")] = None,
          ok: Annotated[bool | None, Query(description="false: failed sign-ins")] = None,
          since: Annotated[dt.datetime | None, Query(description="from this time (ISO 8601)")] = None,
          until: Annotated[dt.datetime | None, Query(description="before this time (ISO 8601)")] = None):
    if not user.is_admin:
        raise HTTPException(403, f"{user.username} is not an admin")
    limit, offset = page
    total, found = entries(conn, username=username, action=action, hromada=hromada, ok=ok, since=since,
                           until=until, limit=limit, offset=offset)
    return {"numberMatched": total, "entries": [e.as_json() for e in found]}

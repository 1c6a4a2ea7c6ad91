"""The КАТОТТГ territory: громади and their settlements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from gisplan.db.models import territory

from ..deps import Paging, ReadConn

router = APIRouter(tags=["territory"])
Code = Annotated[str, Path(pattern=r"^UA\d{17}$", description="КАТОТТГ code")]
LEVELS = {1: "oblast", 2: "raion", 3: "hromada", 4: "settlement", 5: "city_district"}


def _entry(row) -> dict:
    m = dict(row._mapping)
    m["edition"] = m["edition"].isoformat()
    m["level_name"] = LEVELS[m["level"]]
    return m


@router.get("/api/hromady", summary="Громади of the codifier, by name or oblast")
def hromady(conn: ReadConn, page: Paging,
            q: Annotated[str | None, Query(description="part of the name, any case")] = None,
            oblast: Annotated[str | None, Query(pattern=r"^UA\d{17}$")] = None):
    limit, offset = page
    oblast_t = aliased(territory)
    where = [territory.c.level == 3]
    if q:
        where.append(territory.c.name.ilike(f"%{q}%"))
    if oblast:
        where.append(territory.c.oblast_code == oblast)
    total = conn.execute(select(func.count()).select_from(territory).where(*where)).scalar_one()
    rows = conn.execute(
        select(territory, oblast_t.c.name.label("oblast_name"))
        .outerjoin(oblast_t, oblast_t.c.code == territory.c.oblast_code)
        .where(*where).order_by(territory.c.name, territory.c.code).limit(limit).offset(offset)
    )
    return {"numberMatched": total, "hromady": [_entry(r) for r in rows]}


@router.get("/api/territory/{code}", summary="One КАТОТТГ unit with its parents and children")
def unit(code: Code, conn: ReadConn):
    row = conn.execute(select(territory).where(territory.c.code == code)).first()
    if row is None:
        raise HTTPException(404, f"no КАТОТТГ unit {code}")
    parents = []
    parent = row.parent_code
    while parent:
        p = conn.execute(select(territory).where(territory.c.code == parent)).first()
        if p is None:
            break
        parents.append(_entry(p))
        parent = p.parent_code
    children = conn.execute(
        select(territory).where(territory.c.parent_code == code).order_by(territory.c.name)
    ).all()
    return {**_entry(row), "parents": parents, "children": [_entry(c) for c in children]}

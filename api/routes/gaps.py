"""Coverage gaps and siting suggestions of a громада as of a date (derived, read-only products).

Gaps are computed from the громада's full data (published or not), so reading them needs a
signed-in reader of the громада, as for the indicators. Nothing is stored: a read-only transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, select

from gisplan import clock
from gisplan.db.models import territory
from gisplan.gaps.compute import gap_collection
from gisplan.gaps.registry import UnknownGap, gaps
from gisplan.gaps.siting import KINDS, suggestions

from ..deps import CurrentUser, ReadConn

router = APIRouter(tags=["gaps"])
Code = Annotated[str, Path(pattern=r"^UA\d{17}$", description="КАТОТТГ code of the громада")]
AsOf = Annotated[dt.date | None, Query(description="features installed by and not removed by this date; "
                                                   "default today")]
GEOJSON = "application/geo+json"


def _check(conn: Connection, user, code: str) -> None:
    unit = conn.execute(select(territory.c.level).where(territory.c.code == code)).first()
    if unit is None or unit.level != 3:
        raise HTTPException(404, f"no громада {code} in the КАТОТТГ codifier")
    if not user.can_read(code):
        raise HTTPException(403, f"{user.username} may not read громада {code}")


@router.get("/api/gaps", summary="The gap registry and the kinds of siting suggestions")
def gap_registry():
    return {"gaps": [g.public() for g in gaps().values()],
            "suggestions": [{"kind": k, "gap": v.gap, "gain_unit": v.gain_unit,
                             "name": {"uk": v.name[0], "en": v.name[1]}} for k, v in KINDS.items()]}


@router.get("/api/hromady/{code}/gaps/{gap}", summary="A coverage gap of the громада as GeoJSON, as of a date")
def hromada_gap(code: Code, gap: str, conn: ReadConn, user: CurrentUser, as_of: AsOf = None):
    _check(conn, user, code)
    try:
        body = gap_collection(conn, code, gap, as_of or clock.today())
    except UnknownGap as exc:
        raise HTTPException(404, str(exc)) from None
    return JSONResponse(body, media_type=GEOJSON)


@router.get("/api/hromady/{code}/suggestions/{kind}",
            summary="Greedy siting suggestions: the N locations that close the most gap, each with its gain")
def hromada_suggestions(
    code: Code, kind: str, conn: ReadConn, user: CurrentUser, as_of: AsOf = None,
    n: Annotated[int, Query(ge=1, le=100, description="how many locations")] = 5,
    radius_m: Annotated[float | None, Query(gt=0, description="reach of a new siren or shelter, metres")] = None,
):
    _check(conn, user, code)
    if kind not in KINDS:
        raise HTTPException(404, f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    return JSONResponse(suggestions(conn, code, kind, n, as_of or clock.today(), radius_m), media_type=GEOJSON)

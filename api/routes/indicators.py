"""Spatial indicators: the metric registry, the values of a громада as of a date, and the progress of
a program's bound indicators against its targets.

Values are aggregates of the громада's full data (published or not), so reading them needs a
signed-in user of the громада. Evaluating stores the values (a value whose inputs have not changed
is read back), hence one transaction per request.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import select

from gisplan import clock
from gisplan.db.models import territory
from gisplan.indicators.engine import evaluate
from gisplan.indicators.progress import program_progress
from gisplan.indicators.registry import UnknownMetric, registry
from gisplan.program import store
from gisplan.program.errors import ProgramNotFound
from gisplan.publish.choropleth_layers import wms_layer_names

from ..deps import CurrentUser, WriteConn

router = APIRouter(tags=["indicators"])
Code = Annotated[str, Path(pattern=r"^UA\d{17}$", description="КАТОТТГ code of the громада")]
AsOf = Annotated[dt.date | None, Query(description="features installed by and not removed by this date; "
                                                   "default today")]


@router.get("/api/indicators", summary="The metric registry: code, names, unit, inputs, parameters, method")
def metrics():
    items = [m.public() for m in registry()]
    return {"count": len(items), "metrics": items}


@router.get("/api/hromady/{code}/indicators", summary="The громада's metrics as of a date, with provenance")
def hromada_indicators(
    code: Code, conn: WriteConn, user: CurrentUser, as_of: AsOf = None,
    metric: Annotated[list[str] | None, Query(description="metric codes (default: all)")] = None,
    settlements: Annotated[bool, Query(description="also each settlement's value, where meaningful")] = False,
):
    unit = conn.execute(select(territory.c.name, territory.c.level).where(territory.c.code == code)).first()
    if unit is None or unit.level != 3:
        raise HTTPException(404, f"no громада {code} in the КАТОТТГ codifier")
    if not user.can_read(code):
        raise HTTPException(403, f"{user.username} may not read громада {code}")
    when = as_of or clock.today()
    try:
        values = evaluate(conn, code, when, metric)
    except UnknownMetric as exc:
        raise HTTPException(422, str(exc.args[0])) from None
    items = []
    for v in values:
        item = v.public()
        if not settlements:
            item.pop("settlements", None)
        item["wms_layer"] = wms_layer_names(v.metric)  # the WMS layers that map it, or None
        items.append(item)
    return {"hromada": code, "name": unit.name, "as_of": when.isoformat(), "count": len(items),
            "indicators": items}


@router.get("/api/programs/{program_id}/progress",
            summary="Bound indicators: baseline, target of the year, computed actual, % of target, series")
def progress(program_id: int, conn: WriteConn, user: CurrentUser, as_of: AsOf = None):
    try:
        row = store.program_row(conn, program_id)
    except ProgramNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    if row.hromada is not None and not user.can_read(row.hromada):
        raise HTTPException(403, f"{user.username} may not read громада {row.hromada}")
    body = program_progress(conn, program_id, as_of)
    for item in body["indicators"]:
        item["wms_layer"] = wms_layer_names(item["metric"]["code"])  # the WMS layers that map it, or None
    return body

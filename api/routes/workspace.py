"""The planner's workspace of a громада (issue 13): program indicators against targets with their maps,
the reporting calendar, residents' reports, layers with editing and history, publishing.

The page is a shell rendered here; its script reads the JSON API with the session cookie, so the
workspace shows exactly what the API gives (one source of truth) and obeys the same rights: planners
of the громада (and admins) edit, viewers read, others are turned away.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from gisplan.attribution import attributions
from gisplan.catalog import KATOTTG_RE, LayerSpec, catalog
from gisplan.db.models import territory
from gisplan.ingest.import_history import recent_imports

from ..deps import CurrentUser, OptionalUser, ReadConn, layer_dep
from ..templates import templates

router = APIRouter()


def _hromada_name(conn, code: str) -> str:
    if not KATOTTG_RE.match(code):
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    name = conn.execute(select(territory.c.name).where(territory.c.code == code, territory.c.level == 3)).scalar()
    if name is None:
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    return name


@router.get("/{code}/workspace", response_class=HTMLResponse, include_in_schema=False)
def workspace(code: str, request: Request, conn: ReadConn, user: OptionalUser):
    name = _hromada_name(conn, code)
    if user is None:
        return RedirectResponse(f"/login?next=/{code}/workspace", status_code=303)
    if not user.can_read(code):
        raise HTTPException(403, f"{user.username} has no access to громада {code}")
    layers = [{"name": l.name, "title": l.title.uk, "title_en": l.title.en, "geometry": l.geometry.type}
              for l in catalog()]
    return templates.TemplateResponse(request, "workspace/workspace.html", {
        "user": user, "code": code, "hromada_name": name, "can_write": user.can_write(code),
        "layers": layers, "attributions": attributions(),
    })



@router.get("/api/layers/{layer}/imports", tags=["import and export"],
            summary="Recent imports into the layer within a громада, each with its report (readers of the громада)")
def layer_imports(layer: Annotated[LayerSpec, Depends(layer_dep)], conn: ReadConn, user: CurrentUser,
                  hromada: Annotated[str, Query(pattern=r"^UA\d{17}$", description="КАТОТТГ code of the громада")],
                  limit: Annotated[int, Query(ge=1, le=50, description="how many, newest first")] = 10):
    if not user.can_read(hromada):
        raise HTTPException(403, f"{user.username} has no access to громада {hromada}")
    return {"layer": layer.name, "hromada": hromada, "imports": recent_imports(conn, layer.name, hromada, limit)}

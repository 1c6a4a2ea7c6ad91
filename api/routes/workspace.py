"""The planner's workspace of a громада (issue 13): program indicators against targets with their maps,
the reporting calendar, residents' reports, layers with editing and history, publishing.

The page is a shell rendered here; its script reads the JSON API with the session cookie, so the
workspace shows exactly what the API gives (one source of truth) and obeys the same rights: planners
of the громада (and admins) edit, viewers read, others are turned away.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from gisplan.attribution import attributions
from gisplan.catalog import KATOTTG_RE, catalog
from gisplan.db.models import territory

from ..deps import OptionalUser, ReadConn
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


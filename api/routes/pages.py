"""HTML pages (Ukrainian first, English second)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from gisplan.attribution import attributions
from gisplan.catalog import catalog

from ..deps import OptionalUser, ReadConn
from ..templates import templates

router = APIRouter(include_in_schema=False)

HROMADY_WITH_DATA = text("""
    SELECT t.code, t.name, o.name AS oblast, count(*) FILTER (WHERE d.published) AS published,
           count(*) AS datasets
    FROM dataset d JOIN territory t ON t.code = d.hromada
    LEFT JOIN territory o ON o.code = t.oblast_code
    WHERE d.layer <> 'hromady'
    GROUP BY t.code, t.name, o.name ORDER BY t.name
""")


@router.get("/", response_class=HTMLResponse)
def index(request: Request, conn: ReadConn, user: OptionalUser):
    rows = conn.execute(HROMADY_WITH_DATA).mappings().all()
    if user is None:
        rows = [r for r in rows if r["published"]]
    return templates.TemplateResponse(request, "index.html", {
        "user": user, "hromady": rows, "layers": list(catalog()), "attributions": attributions(),
    })


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: int = 0, next: str = "/"):
    return templates.TemplateResponse(request, "login.html", {
        "error": error, "next": next,  # 1 wrong password, 2 locked out (api/login_throttle.py) "attributions": attributions(), "user": None,
    })

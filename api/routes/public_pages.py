"""Residents' public pages (issue 12): the громада's start page, the shelter map with the nearest
shelters, the tourist map, object pages and their QR short links, embeddable maps, problem reports.

Pages read the ``pub`` views only (anonymous view, also for signed-in callers: these are the public
maps). Texts come from the message catalogues ``web/messages/{uk,en}.yaml`` (``?lang=en``).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from starlette.convertors import Convertor, register_url_convertor

from gisplan.csp import add_nonce
from gisplan.attribution import attributions
from gisplan.catalog import catalog
from gisplan.maps.embed import embed_page
from gisplan.residents.problem_reports import (
    PROBLEMS, STATUSES, ReportNotFound, TooManyReports, reports_of, shelter_in_hromada, store_report, triage_report,
)
from gisplan.qr.workflow import record_scan
from gisplan.reports.publication import list_published
from gisplan.residents import hromady as hromady_q
from gisplan.residents import shelters as shelters_q
from gisplan.residents import tourism as tourism_q
from gisplan.residents.i18n import LANGUAGES, language, messages
from gisplan.residents.provenance import is_stale, long_date, source_notes
from gisplan.settings import path_settings, residents_settings, server_settings

from ..deps import CurrentUser, ReadConn, WriteConn
from ..templates import templates


class KatottgConvertor(Convertor):
    """Only КАТОТТГ codes match ``{code:katottg}``, so these routes never shadow others."""

    regex = "UA[0-9]{17}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("katottg", KatottgConvertor())

router = APIRouter()
# the pages and their helpers stay out of the OpenAPI document; the planners' JSON route is in it
PAGE = {"include_in_schema": False}
Lang = Annotated[str | None, Query(pattern="^(uk|en)$")]


@lru_cache
def _vendor_inline(name: str) -> Markup:
    """A vendored script inlined into a page: one round trip less on a slow connection."""
    path = path_settings().web_dir / "static" / "vendor" / name
    return Markup(path.read_text(encoding="utf-8").replace("</script", "<\\/script"))


@lru_cache
def _own_script(name: str) -> Markup:
    path = path_settings().web_dir / "static" / "residents" / name
    return Markup(path.read_text(encoding="utf-8").replace("</script", "<\\/script"))


def _json(value) -> Markup:
    """JSON safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c"))


def _page(request: Request, name: str, lang: str, context: dict, status: int = 200) -> Response:
    """Render a page; gzip it when the client accepts it (phones on a poor connection)."""
    other = "en" if lang == "uk" else "uk"
    query = dict(request.query_params) | {"lang": other}
    query.pop("report", None)
    ctx = {
        "lang": lang, "t": messages(lang), "other_lang": other,
        "other_lang_url": request.url.path + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
        "q": "?lang=en" if lang == "en" else "", "attributions": attributions(),
        "own_script": _own_script, "vendor_inline": _vendor_inline, "to_json": _json,
    } | context
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if "gzip" in request.headers.get("accept-encoding", "") and len(response.body) > 1024:
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers |= {"content-encoding": "gzip", "vary": "Accept-Encoding"}
        return Response(gzip.compress(response.body, 6), status_code=status, headers=headers)
    return response


def _hromada(conn, code: str) -> dict:
    h = hromady_q.public_hromada(conn, code)
    if h is None:
        raise HTTPException(404, f"громада {code} has no public maps")
    return h


@router.get("/sw.js", **PAGE)
def service_worker():
    """The service worker, at the site root so that it may serve every громада's pages offline."""
    path = path_settings().web_dir / "static" / "residents" / "sw.js"
    return FileResponse(path, media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})


@router.get("/favicon.ico", **PAGE)
def favicon():
    """Browsers ask for it on every site; answering saves a 404 on each first visit."""
    return FileResponse(path_settings().web_dir / "static" / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=604800"})


@router.get("/{code:katottg}/", response_class=HTMLResponse, **PAGE)
def hromada_page(request: Request, code: str, conn: ReadConn, lang: Lang = None):
    lang = language(lang)
    h = _hromada(conn, code)
    layers = [catalog().get(name) for name in h["layers"] if name in catalog().layers]
    reports = list_published(conn, code)  # monitoring reports a planner chose to publish (issue 15)
    return _page(request, "residents/hromada.html", lang, {"hromada": h, "layers": layers, "reports": reports})


VENDOR_LEAFLET = ["/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css"]


def _map_config(conn, code: str, h: dict, lang: str, page_url: str) -> dict:
    s = residents_settings()
    centre = hromady_q.hromada_centre(conn, code) or (49.0, 31.0)
    return {
        "wms": f"/{code}/ows", "credit": f"gisplan · {h['name']}", "centre": list(centre),
        "osm": {"url": s.osm_tile_url, "attribution": s.osm_attribution} if s.osm_background else None,
        "nearest_count": s.nearest_count, "list_count": max(10, s.nearest_count),
        "offline_urls": [page_url, *VENDOR_LEAFLET], "lang": lang,
    }


def _shelters_context(conn, code: str, lang: str, page_url: str) -> dict:
    h = _hromada(conn, code)
    s = residents_settings()
    rows = shelters_q.public_shelters(conn, code, lang)
    notes = source_notes(rows)
    newest = max((n.as_of for n in notes if n.as_of), default=None)
    return {
        "config": _map_config(conn, code, h, lang, page_url),
        "hromada": h, "shelters": rows, "payload": shelters_q.browser_payload(rows),
        "notes": [{"source": n.source, "as_of": long_date(n.as_of, lang), "rows": n.rows} for n in notes],
        "stale": bool(rows) and is_stale(newest, s.shelter_stale_days),
        "nearest_count": s.nearest_count, "problems": PROBLEMS,
    }


@router.get("/{code:katottg}/shelters", response_class=HTMLResponse, **PAGE)
def shelters_page(request: Request, code: str, conn: ReadConn, lang: Lang = None,
                  report: Annotated[str | None, Query(pattern="^(sent)$")] = None):
    lang = language(lang)
    page_url = f"/{code}/shelters" + ("?lang=en" if lang == "en" else "")
    ctx = _shelters_context(conn, code, lang, page_url) | {"report_state": report}
    return _page(request, "residents/shelters.html", lang, ctx)


@router.post("/{code:katottg}/shelters/reports", **PAGE)
def report_problem(request: Request, code: str, conn: WriteConn,
                   shelter_id: Annotated[UUID, Form()], problem: Annotated[str, Form()],
                   comment: Annotated[str | None, Form(max_length=1000)] = None,
                   lang: Annotated[str, Form()] = "uk"):
    """A resident's report (no personal data); 303 back to the page, 429 beyond the limit."""
    lang = language(lang)
    if problem not in PROBLEMS:
        raise HTTPException(422, f"problem must be one of {', '.join(PROBLEMS)}")
    _hromada(conn, code)
    if not shelter_in_hromada(conn, code, shelter_id):
        raise HTTPException(404, "no such public shelter in this громада")
    address = request.client.host if request.client else "unknown"
    try:
        store_report(conn, hromada=code, shelter_id=shelter_id, problem=problem, comment=comment,
                     address=address)
    except TooManyReports:
        page_url = f"/{code}/shelters" + ("?lang=en" if lang == "en" else "")
        ctx = _shelters_context(conn, code, lang, page_url) | {"report_state": "too_many"}
        return _page(request, "residents/shelters.html", lang, ctx, status=429)
    suffix = "&lang=en" if lang == "en" else ""
    return RedirectResponse(f"/{code}/shelters?report=sent{suffix}#report", status_code=303)


@router.get("/api/hromady/{code:katottg}/shelter-reports", tags=["residents"],
            summary="Residents' problem reports about the громада's shelters, newest first")
def shelter_reports(code: str, conn: ReadConn, user: CurrentUser):
    """For the громада's planners and viewers (and admins): what residents reported, no client data."""
    if not user.can_read(code):
        raise HTTPException(403, f"{user.username} may not read громада {code}")
    reports = reports_of(conn, code)
    return {"hromada": code, "count": len(reports), "reports": reports}


class ReportTriage(BaseModel):
    status: Literal[STATUSES]  # type: ignore[valid-type]
    note: str | None = Field(default=None, max_length=1000)


@router.patch("/api/hromady/{code:katottg}/shelter-reports/{report_id}", tags=["residents"],
              summary="Triage a resident's report: status (new, in_progress, resolved, rejected) and a note")
def triage_shelter_report(code: str, report_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: ReportTriage,
                          conn: WriteConn, user: CurrentUser):
    if not user.can_write(code):
        raise HTTPException(403, f"{user.username} may not change громада {code}")
    try:
        return triage_report(conn, code, report_id, body.status, body.note, user.username)
    except ReportNotFound:
        raise HTTPException(404, f"report {report_id} not found in громада {code}") from None


@router.get("/{code:katottg}/tourism", response_class=HTMLResponse, **PAGE)
def tourism_page(request: Request, code: str, conn: ReadConn, lang: Lang = None):
    lang = language(lang)
    h = _hromada(conn, code)
    objects = tourism_q.tourist_objects(conn, code, lang)
    routes = tourism_q.tourist_routes(conn, code, lang)
    payload = {
        "objects": [{"id": o["id"], "name": o["name"], "lat": o["lat"], "lon": o["lon"]} for o in objects],
        "routes": [{"name": r["name"], "geometry": r["geometry"]} for r in routes],
    }
    page_url = f"/{code}/tourism" + ("?lang=en" if lang == "en" else "")
    return _page(request, "residents/tourism.html", lang, {
        "config": _map_config(conn, code, h, lang, page_url),
        "hromada": h, "groups": tourism_q.by_category(objects), "routes": routes, "payload": payload,
        "notes": [{"source": n.source, "as_of": long_date(n.as_of, lang), "rows": n.rows}
                  for n in source_notes(objects + routes)],
    })


@router.get("/{code:katottg}/objects/{object_id}", response_class=HTMLResponse, **PAGE)
def object_page(request: Request, code: str, object_id: str, conn: ReadConn, lang: Lang = None):
    lang = language(lang)
    h = _hromada(conn, code)
    obj = tourism_q.tourist_object(conn, lang, object_id=object_id, hromada=code)
    if obj is None:
        raise HTTPException(404, "no such public object in this громада")
    config = _map_config(conn, code, h, lang, request.url.path) | {"point": [obj["lat"], obj["lon"]]}
    return _page(request, "residents/object.html", lang, {"hromada": h, "obj": obj, "config": config})


@router.get("/q/{short}", **PAGE)
def qr_link(short: str, conn: WriteConn, lang: Lang = None):
    """A QR plate's short code → the object's page (on ``GISPLAN_PUBLIC_URL`` when set); each opening
    adds one to the day's count of the code (issue 14), nothing about the visitor is kept."""
    obj = tourism_q.tourist_object(conn, language(lang), qr_code=short)
    if obj is None:
        raise HTTPException(404, f"no public object has the QR code {short!r}")
    record_scan(conn, short)
    base = (server_settings().public_url or "").rstrip("/")
    suffix = "?lang=en" if lang == "en" else ""
    return RedirectResponse(f"{base}/{obj['hromada']}/objects/{obj['id']}{suffix}", status_code=302)


@router.get("/{code:katottg}/embed/{layer}", response_class=HTMLResponse, **PAGE)
def embed_map(code: str, layer: str, conn: ReadConn, lang: Lang = None):
    """A self-contained folium map of one public layer, for an iframe on the council's site."""
    lang = language(lang)
    h = _hromada(conn, code)
    if layer not in h["layers"] or layer not in catalog().layers:
        raise HTTPException(404, f"layer {layer} is not published for громада {code}")
    html = embed_page(conn, catalog().get(layer), code, h["name"], lang)
    return HTMLResponse(add_nonce(html))  # folium inlines its scripts: they get this response's CSP nonce


__all__ = ["router", "LANGUAGES"]

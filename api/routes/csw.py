"""CSW 2.0.2 catalogue at ``/csw`` (every громада) and ``/{code}/csw`` (one громада): KVP over GET,
XML over POST; the protocol is in :mod:`gisplan.publish.metadata.csw`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from gisplan.catalog import KATOTTG_RE
from gisplan.publish.metadata import csw
from gisplan.publish.wms_params import parse_query
from gisplan.registration.profile import hromada_title

from ..deps import ReadConn
from .metadata import services_of

router = APIRouter(tags=["csw"])


def _respond(request: Request, conn, code: str | None, body: bytes | None) -> Response:
    """The answer to a KVP request (``body`` None) or an XML one; runs in a worker thread (database)."""
    services = services_of(request)
    place = None
    if code is not None:
        place = hromada_title(conn, code) if KATOTTG_RE.match(code) else None
        if place is None:
            raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    url = f"{services.base}/{code}/csw" if code else f"{services.base}/csw"
    try:
        req = csw.parse_xml(body) if body is not None else csw.parse_kvp(parse_query(request.url.query))
    except csw.CswError as err:
        result = csw.exception(err)
    else:
        result = csw.handle(conn, req, url=url, hromada=code, place=place, services=services)
    return Response(result.body, status_code=result.status, media_type=result.media_type)


async def _answer(request: Request, conn, code: str | None) -> Response:
    body = await request.body() if request.method == "POST" else None
    return await run_in_threadpool(_respond, request, conn, code, body)


@router.get("/csw", operation_id="csw_get", summary="CSW 2.0.2 catalogue of every громада's records (KVP)")
async def csw_get(request: Request, conn: ReadConn):
    return await _answer(request, conn, None)


@router.post("/csw", operation_id="csw_post", summary="CSW 2.0.2 catalogue of every громада's records (XML body)")
async def csw_post(request: Request, conn: ReadConn):
    return await _answer(request, conn, None)


@router.get("/{code}/csw", operation_id="csw_hromada_get", summary="CSW 2.0.2 catalogue of one громада (KVP)")
async def csw_hromada_get(code: str, request: Request, conn: ReadConn):
    return await _answer(request, conn, code)


@router.post("/{code}/csw", operation_id="csw_hromada_post", summary="CSW 2.0.2 catalogue of one громада (XML body)")
async def csw_hromada_post(code: str, request: Request, conn: ReadConn):
    return await _answer(request, conn, code)

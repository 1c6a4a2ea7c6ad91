"""OGC web services at ``/ows`` (national) and ``/{code}/ows`` (one громада), dispatched on SERVICE.

WMS (:mod:`gisplan.publish.wms_service`) and WFS 2.0 (:mod:`gisplan.publish.wfs_service`); another
service is added by putting its handler into :data:`SERVICES`. Parameters are read from the raw
query string, case-insensitively.
Anonymous callers see the ``pub`` views; a signed-in reader of the громада sees its full tables at
``/{code}/ows``.
"""

from __future__ import annotations

from typing import Annotated, Callable

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import Engine

from gisplan.catalog import KATOTTG_RE, catalog
from gisplan.publish import wfs_service
from gisplan.publish.sources import Scope
from gisplan.publish.wms_exceptions import WmsError
from gisplan.publish.wms_params import parse_query
from gisplan.publish.wms_service import OPERATIONS, Endpoint, OwsResponse, handle, hromada_name, xml_error
from gisplan.publish.crs import transform_bounds
from gisplan.publish.mapnik_styles import BUFFER_PX
from gisplan.publish.response_cache import AnswerState
from gisplan.publish.wms_params import operation_version, parse_bbox, parse_crs
from gisplan.settings import server_settings

from ..deps import OptionalUser, engine_dep
from ..response_cache import cached_answer, request_key

router = APIRouter(tags=["ows"])

ServiceHandler = Callable[[Endpoint, dict[str, str]], OwsResponse]
SERVICES: dict[str, ServiceHandler] = {"WMS": handle, "WFS": wfs_service.handle}


def _base(request: Request) -> str:
    return (server_settings().public_url or str(request.base_url)).rstrip("/")


def _answer(endpoint: Endpoint, request: Request) -> Response:
    params = parse_query(request.url.query)
    operation = _kept_operation(endpoint, params)
    if operation:  # anonymous WMS GetCapabilities / GetMap: ETag, 304, kept answers (issue 17)
        names = [n.strip() for n in (params.get("LAYERS") or "").split(",") if n.strip()]
        # drawn from: the named layers; capabilities and the computed gap/indicator layers: every layer
        layers = ([n for n in names if n in catalog()]  # an unknown name is an exception report, not kept
                  if operation == "getmap" and names and not any("." in n for n in names) else None)
        with endpoint.engine.connect() as conn:
            # a capabilities document is built from the catalogue only (no feature is read): its state is
            # the catalogue version (one row), which publications move and feature edits do not
            state = (AnswerState.of_catalogue() if operation == "getcapabilities"
                     else map_state(layers, endpoint.scope.hromada, params) if layers else None)
            return cached_answer(request, conn, request_key(request), layers, endpoint.scope.hromada,
                                 lambda: _drawn(endpoint, request, params), keep=KEEP[operation], state=state)
    return _drawn(endpoint, request, params)


def map_state(layers: list[str], hromada: str | None, params: dict[str, str]) -> AnswerState | None:
    """A GetMap's state: the datasets of its layers whose box meets the area the renderer reads (the
    bbox widened by its buffer, in degrees); None (the layers' whole state) when the request does
    not parse — it is answered with an exception report, which is not kept."""
    try:
        version = operation_version(params)
        crs = parse_crs(params, version)
        minx, miny, maxx, maxy = parse_bbox(params, crs, version)
        width, height = int(params["WIDTH"]), int(params["HEIGHT"])
        dx, dy = (maxx - minx) / width * BUFFER_PX, (maxy - miny) / height * BUFFER_PX
        west, south, east, north = transform_bounds((minx - dx, miny - dy, maxx + dx, maxy + dy),
                                                    crs.code, "EPSG:4326")
    except Exception:  # noqa: BLE001 (any unparsable request: the whole layers' state)
        return None
    pad = 1e-7 + 0.01 * max(east - west, north - south)  # the densified edges, rounded outwards
    return AnswerState(AnswerState.of_datasets(layers, hromada).layers, hromada,
                       area=(west - pad, south - pad, east + pad, north + pad))


# which answers are kept: a map image, a capabilities document (not an exception report)
KEEP = {"getmap": lambda r: (r.headers.get("content-type") or "").startswith("image/"),
        "getcapabilities": lambda r: b"Capabilities" in bytes(r.body[:600])}


def _kept_operation(endpoint: Endpoint, params: dict[str, str]) -> str | None:
    if endpoint.scope.full or (params.get("SERVICE") or "WMS").strip().upper() != "WMS":
        return None
    operation = (params.get("REQUEST") or "").strip().lower()
    return operation if operation in KEEP else None


def _drawn(endpoint: Endpoint, request: Request, params: dict[str, str]) -> Response:
    service = (params.get("SERVICE") or "").strip().upper()
    if not service and (params.get("REQUEST") or "").strip().lower() in OPERATIONS:
        service = "WMS"  # WMS 1.1.1 GetMap needs no SERVICE; clients often leave it out
    handler = SERVICES.get(service)
    if handler is None:
        error = (WmsError("parameter SERVICE is missing (SERVICE=WMS)", "MissingParameterValue", "SERVICE")
                 if not service else
                 WmsError(f"SERVICE {params['SERVICE']!r} is not offered here; services: {', '.join(SERVICES)}",
                          "InvalidParameterValue", "SERVICE"))
        result = xml_error(error, "1.3.0")
    else:
        result = handler(endpoint, params)
    headers = dict(result.headers)
    if endpoint.scope.full:
        headers["Cache-Control"] = "private, no-store"
    return Response(result.body, status_code=result.status, media_type=result.media_type, headers=headers)


@router.get("/ows", summary="WMS 1.3.0 / 1.1.1 and WFS 2.0 of all громади (anonymous: published data)")
def ows(request: Request, engine: Annotated[Engine, Depends(engine_dep)]):
    base = _base(request)
    return _answer(Endpoint(Scope(), f"{base}/ows?", base, engine), request)


@router.get("/{code}/ows", summary="WMS and WFS of one громада; its full tables for a signed-in reader of it")
def ows_hromada(code: str, request: Request, user: OptionalUser,
                engine: Annotated[Engine, Depends(engine_dep)]):
    if not KATOTTG_RE.match(code) or hromada_name(engine, code) is None:
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    full = user is not None and user.can_read(code)
    base = _base(request)
    return _answer(Endpoint(Scope(code, full), f"{base}/{code}/ows?", base, engine), request)

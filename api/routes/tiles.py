"""Mapbox Vector Tiles at ``/tiles/{layer}/{z}/{x}/{y}.mvt`` (published datasets of every громада)
and ``/{code}/tiles/…`` (one громада; its full tables for a signed-in reader of it), with TileJSON 3.0
at ``/tiles/{layer}.json``.

Thin: :mod:`gisplan.publish.tiles` reads the tile's state, answers from its cache or has PostGIS
encode it. The strong ETag is the state (the change counters of the datasets the tile meets): a
matching If-None-Match is a 304 without drawing anything; a tile without features is a 204.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from gisplan.catalog import KATOTTG_RE, catalog
from gisplan.publish.sources import Scope
from gisplan.publish.tiles.grid import BadTile, TileAddress
from gisplan.publish.tiles.service import Tile, TileService, UnknownLayer, tile_service
from gisplan.publish.tiles.tilejson import tilejson
from gisplan.publish.wms_service import hromada_name
from gisplan.settings import server_settings

from .downloads import etag_matches
from ..deps import OptionalUser, engine_dep
from ..kept_answers import Early, remember

router = APIRouter(tags=["tiles"])
EngineDep = Annotated[Engine, Depends(engine_dep)]
MVT = "application/vnd.mapbox-vector-tile"


def _service(engine: EngineDep) -> TileService:
    return tile_service(engine)


ServiceDep = Annotated[TileService, Depends(_service)]


def _hromada_scope(code: str, user, engine: Engine) -> Scope:
    if not KATOTTG_RE.match(code) or hromada_name(engine, code) is None:
        raise HTTPException(404, f"code: no громада with КАТОТТГ code {code!r}")
    return Scope(code, user is not None and user.can_read(code))


def _headers(service: TileService, scope: Scope, etag: str | None = None) -> dict:
    headers = {"Cache-Control": "private, no-cache" if scope.full else service.settings.cache_control,
               "Access-Control-Expose-Headers": "ETag"}
    if scope.hromada:
        headers["Vary"] = "Authorization, Cookie"  # a reader of the громада gets its full tables
    if etag:
        headers["ETag"] = etag
    return headers


async def _tile(service: TileService, scope: Scope, layer: str, z: str, x: str, y: str, request: Request):
    try:
        address = service.address(z, x, y)
    except BadTile as exc:
        raise HTTPException(400, str(exc)) from None
    wanted = request.headers.get("if-none-match")
    try:
        tile = await run_in_threadpool(service.tile, layer, scope, address,
                                       (lambda etag: etag_matches(wanted, etag)) if wanted else None)
    except UnknownLayer as exc:
        raise HTTPException(404, str(exc)) from None
    if scope == Scope():  # national tiles: the next same anonymous request is answered before routing
        remember(request, TileRecall(layer, address))
    status, headers, body = _answer(service, scope, tile)
    return Response(body, status_code=status, media_type=MVT if status == 200 else None, headers=headers)


def _answer(service: TileService, scope: Scope, tile: Tile) -> tuple[int, dict, bytes]:
    headers = _headers(service, scope, tile.etag)
    if tile.data is None:
        return 304, headers, b""
    if not tile.data:
        return 204, headers, b""
    return 200, headers, tile.data


@dataclass(frozen=True)
class TileRecall:
    """A national tile answered before routing (api/kept_answers.py): its state read again, then a
    304, a 204 or the tile this process keeps; None (the route) when it would have to be drawn."""

    layer: str
    address: TileAddress

    def answer(self, request: Request, engine: Engine) -> Early | None:
        service = tile_service(engine)
        wanted = request.headers.get("if-none-match")
        tile = service.tile(self.layer, Scope(), self.address,
                            (lambda etag: etag_matches(wanted, etag)) if wanted else None, draw=False)
        if tile is None:
            return None
        status, headers, body = _answer(service, Scope(), tile)
        if status == 200:
            headers = {**headers, "content-type": MVT}
        return Early(status, list(headers.items()), body)


def _tilejson(service: TileService, scope: Scope, layer: str, request: Request, prefix: str):
    cat = catalog()
    if layer not in cat:
        raise HTTPException(404, f"layer: {layer!r} is not a layer of the catalogue ({', '.join(cat.names())})")
    site = (server_settings().public_url or str(request.base_url)).rstrip("/")
    url = f"{site}{prefix}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"
    return JSONResponse(tilejson(service, cat.get(layer), scope, url), headers=_headers(service, scope))


@router.get("/tiles/{layer}/{z}/{x}/{y}.mvt", summary="A vector tile of a layer: published datasets of every громада",
            response_class=Response, responses={200: {"content": {MVT: {}}}, 204: {}, 304: {}, 400: {}})
async def national_tile(layer: str, z: str, x: str, y: str, request: Request, service: ServiceDep):
    return await _tile(service, Scope(), layer, z, x, y, request)


@router.get("/tiles/{layer}.json", summary="TileJSON 3.0 of a layer's vector tiles (every громада)")
async def national_tilejson(layer: str, request: Request, service: ServiceDep):
    return await run_in_threadpool(_tilejson, service, Scope(), layer, request, "")


@router.get("/{code}/tiles/{layer}/{z}/{x}/{y}.mvt", summary="A vector tile of one громада's dataset",
            response_class=Response, responses={200: {"content": {MVT: {}}}, 204: {}, 304: {}, 400: {}})
async def hromada_tile(code: str, layer: str, z: str, x: str, y: str, request: Request, service: ServiceDep,
                       user: OptionalUser, engine: EngineDep):
    scope = await run_in_threadpool(_hromada_scope, code, user, engine)
    return await _tile(service, scope, layer, z, x, y, request)


@router.get("/{code}/tiles/{layer}.json", summary="TileJSON 3.0 of one громада's vector tiles")
async def hromada_tilejson(code: str, layer: str, request: Request, service: ServiceDep, user: OptionalUser,
                           engine: EngineDep):
    scope = await run_in_threadpool(_hromada_scope, code, user, engine)
    return await run_in_threadpool(_tilejson, service, scope, layer, request, f"/{code}")

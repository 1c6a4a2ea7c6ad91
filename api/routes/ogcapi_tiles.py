"""OGC API – Tiles at ``/ogcapi`` and ``/{code}/ogcapi`` (issue 17): the WebMercatorQuad tile matrix
set, each collection's vector tileset, and its tiles — the same tiles, ETags and caches as
``/tiles/{layer}/{z}/{x}/{y}.mvt`` (:mod:`api.routes.tiles`), addressed by ``tileMatrix``,
``tileRow`` (y) and ``tileCol`` (x). Thin: the documents are in :mod:`gisplan.publish.ogcapi.tiles`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gisplan.publish.ogcapi.collections import collection_info
from gisplan.publish.ogcapi.endpoint import Endpoint
from gisplan.publish.ogcapi.tiles import MVT, TMS_ID, tile_matrix_set, tile_matrix_sets, tileset, tilesets_list
from gisplan.publish.ogcapi.crs import BadParameter
from gisplan.features import NotFound

from ..deps import ReadConn
from .ogcapi import HromadaDep, NationalDep, _answer, _json
from .tiles import ServiceDep, _tile

router = APIRouter(tags=["ogcapi"])


def _tms_id(tms: str) -> None:
    if tms != TMS_ID:
        raise NotFound(f"tileMatrixSetId {tms!r}: the tile matrix set offered is {TMS_ID}")


def _sets(endpoint: Endpoint) -> Response:
    return _json(endpoint, tile_matrix_sets(endpoint))


def _set(endpoint: Endpoint, tms: str, service) -> Response:
    def produce():
        _tms_id(tms)
        return _json(endpoint, tile_matrix_set(service.settings.max_zoom))
    return _answer(produce)


def _tilesets(endpoint: Endpoint, conn, layer: str) -> Response:
    return _answer(lambda: _json(endpoint, tilesets_list(endpoint, collection_info(conn, endpoint, layer))))


def _tileset(endpoint: Endpoint, conn, layer: str, tms: str, service) -> Response:
    def produce():
        _tms_id(tms)
        return _json(endpoint, tileset(endpoint, collection_info(conn, endpoint, layer), service.settings))
    return _answer(produce)


async def _ogc_tile(endpoint: Endpoint, layer: str, tms: str, z: str, row: str, col: str, request: Request,
                    service) -> Response:
    answer = _answer(lambda: _tms_id(tms))
    if answer is not None:
        return answer
    return await _tile(service, endpoint.scope, layer, z, col, row, request)


TILE = dict(response_class=Response, responses={200: {"content": {MVT: {}}}, 204: {}, 304: {}, 400: {}})


# ------------------------------------------------------------------ national
@router.get("/ogcapi/tileMatrixSets", summary="OGC API – Tiles: tile matrix sets")
def tile_matrix_sets_route(endpoint: NationalDep):
    return _sets(endpoint)


@router.get("/ogcapi/tileMatrixSets/{tileMatrixSetId}", summary="OGC API – Tiles: a tile matrix set (TMS 2.0)")
def tile_matrix_set_route(tileMatrixSetId: str, endpoint: NationalDep, service: ServiceDep):
    return _set(endpoint, tileMatrixSetId, service)


@router.get("/ogcapi/collections/{layer}/tiles", summary="OGC API – Tiles: a collection's vector tilesets")
def tilesets_route(layer: str, endpoint: NationalDep, conn: ReadConn):
    return _tilesets(endpoint, conn, layer)


@router.get("/ogcapi/collections/{layer}/tiles/{tileMatrixSetId}", summary="OGC API – Tiles: a vector tileset")
def tileset_route(layer: str, tileMatrixSetId: str, endpoint: NationalDep, conn: ReadConn, service: ServiceDep):
    return _tileset(endpoint, conn, layer, tileMatrixSetId, service)


@router.get("/ogcapi/collections/{layer}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
            summary="OGC API – Tiles: a vector tile (MVT)", **TILE)
async def tile_route(layer: str, tileMatrixSetId: str, tileMatrix: str, tileRow: str, tileCol: str,
                     request: Request, endpoint: NationalDep, service: ServiceDep):
    return await _ogc_tile(endpoint, layer, tileMatrixSetId, tileMatrix, tileRow, tileCol, request, service)


# ------------------------------------------------------------------ one громада
@router.get("/{code}/ogcapi/tileMatrixSets", summary="OGC API – Tiles of one громада: tile matrix sets")
def hromada_tile_matrix_sets(endpoint: HromadaDep):
    return _sets(endpoint)


@router.get("/{code}/ogcapi/tileMatrixSets/{tileMatrixSetId}",
            summary="OGC API – Tiles of one громада: a tile matrix set")
def hromada_tile_matrix_set(tileMatrixSetId: str, endpoint: HromadaDep, service: ServiceDep):
    return _set(endpoint, tileMatrixSetId, service)


@router.get("/{code}/ogcapi/collections/{layer}/tiles", summary="OGC API – Tiles of one громада: tilesets")
def hromada_tilesets(layer: str, endpoint: HromadaDep, conn: ReadConn):
    return _tilesets(endpoint, conn, layer)


@router.get("/{code}/ogcapi/collections/{layer}/tiles/{tileMatrixSetId}",
            summary="OGC API – Tiles of one громада: a vector tileset")
def hromada_tileset(layer: str, tileMatrixSetId: str, endpoint: HromadaDep, conn: ReadConn, service: ServiceDep):
    return _tileset(endpoint, conn, layer, tileMatrixSetId, service)


@router.get("/{code}/ogcapi/collections/{layer}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
            summary="OGC API – Tiles of one громада: a vector tile (MVT)", **TILE)
async def hromada_tile(layer: str, tileMatrixSetId: str, tileMatrix: str, tileRow: str, tileCol: str,
                       request: Request, endpoint: HromadaDep, service: ServiceDep):
    return await _ogc_tile(endpoint, layer, tileMatrixSetId, tileMatrix, tileRow, tileCol, request, service)

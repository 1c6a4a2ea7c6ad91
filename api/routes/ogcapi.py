"""OGC API – Features at ``/ogcapi`` (every громада) and ``/{code}/ogcapi`` (one громада).

Thin: the documents and queries are in :mod:`gisplan.publish.ogcapi`. Each resource is JSON (GeoJSON
for features) or HTML, chosen by ``f`` or else the Accept header. Anonymous callers read the ``pub``
views; a signed-in reader of the громада reads its full tables at ``/{code}/ogcapi`` (not cached).
"""

from __future__ import annotations

import json
from typing import Annotated, Callable

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import Connection, Engine

from gisplan.attribution import attributions
from gisplan.catalog import KATOTTG_RE, catalog
from gisplan.features import NotFound
from gisplan.publish.ogcapi import documents
from gisplan.publish.ogcapi import gap_collections as gaps
from gisplan.publish.ogcapi.collections import collection_document, collection_info, listed, queryables_document, served
from gisplan.publish.ogcapi.collections_state import list_state
from gisplan.publish.ogcapi.crs import BadParameter, parse_crs
from gisplan.publish.ogcapi.endpoint import GEOJSON, JSON, OPENAPI, SCHEMA, Endpoint
from gisplan.publish.ogcapi.items import collection_text, read_item, read_page
from gisplan.publish.ogcapi.openapi import openapi_document
from gisplan.publish.ogcapi.params import parse_items
from gisplan.publish.ogcapi.queryables import queryables
from gisplan.publish.sources import Scope, layer_source
from gisplan.publish.wms_service import hromada_name
from gisplan.settings import server_settings

from ..deps import OptionalUser, ReadConn, engine_dep
from ..response_cache import cached_answer, request_key
from ..templates import templates

router = APIRouter(tags=["ogcapi"])
EngineDep = Annotated[Engine, Depends(engine_dep)]


# ------------------------------------------------------------------ endpoint and answers
def _site(request: Request) -> str:
    return (server_settings().public_url or str(request.base_url)).rstrip("/")


def national(request: Request) -> Endpoint:
    return Endpoint(_site(request), Scope())


def of_hromada(code: str, request: Request, user: OptionalUser, engine: EngineDep) -> Endpoint:
    name = hromada_name(engine, code) if KATOTTG_RE.match(code) else None
    if name is None:
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    return Endpoint(_site(request), Scope(code, user is not None and user.can_read(code)), name)


NationalDep = Annotated[Endpoint, Depends(national)]
HromadaDep = Annotated[Endpoint, Depends(of_hromada)]


def _wants_html(request: Request) -> bool:
    f = request.query_params.get("f")
    if f is not None:
        if f.lower() not in ("json", "html"):
            raise BadParameter("f", f"{f!r} is not offered; use json or html")
        return f.lower() == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def _keepable(request: Request, endpoint: Endpoint) -> bool:
    """An anonymous JSON answer (kept by its data's state, issue 17); an invalid ``f`` is answered
    400 by the route itself."""
    try:
        return not endpoint.scope.full and not _wants_html(request)
    except BadParameter:
        return False


def _headers(endpoint: Endpoint, extra: dict | None = None) -> dict:
    headers = {"Vary": "Accept, Authorization, Cookie", **(extra or {})}
    if endpoint.scope.full:
        headers["Cache-Control"] = "private, no-store"
    return headers


def _error(status: int, code: str, description: str) -> Response:
    body = {"code": code, "description": description}
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=JSON)


def _answer(produce: Callable[[], Response]) -> Response:
    try:
        return produce()
    except BadParameter as exc:
        return _error(400, "InvalidParameterValue", str(exc))
    except NotFound as exc:
        return _error(404, "NotFound", str(exc))


def _json(endpoint: Endpoint, doc: dict, media_type: str = JSON, extra: dict | None = None) -> Response:
    return Response(json.dumps(doc, ensure_ascii=False), media_type=media_type,
                    headers=_headers(endpoint, extra))


def _html(request: Request, endpoint: Endpoint, template: str, user, **context) -> Response:
    uk, en = documents.titles(endpoint)
    response = templates.TemplateResponse(request, f"ogcapi/{template}", {
        "user": user, "attributions": attributions(), "endpoint": endpoint, "title_uk": uk, "title_en": en,
        **context})
    response.headers.update(_headers(endpoint))
    return response


# ------------------------------------------------------------------ resources
def _landing(request: Request, endpoint: Endpoint, user) -> Response:
    def produce():
        doc = documents.landing(endpoint)
        if _wants_html(request):
            return _html(request, endpoint, "landing.html", user, doc=doc)
        return _json(endpoint, doc)
    return _answer(produce)


def _conformance(request: Request, endpoint: Endpoint, user) -> Response:
    def produce():
        doc = documents.conformance()
        if _wants_html(request):
            return _html(request, endpoint, "conformance.html", user, doc=doc)
        return _json(endpoint, doc)
    return _answer(produce)


def _api(request: Request, endpoint: Endpoint, conn: Connection, user) -> Response:
    def produce():
        doc = openapi_document(endpoint, served(conn, endpoint))
        gaps.add_openapi_paths(doc, gaps.visible(conn, endpoint))
        if _wants_html(request):
            return _html(request, endpoint, "api.html", user, doc=doc)
        return _json(endpoint, doc, OPENAPI)
    return _answer(produce)


def _collections(request: Request, endpoint: Endpoint, conn: Connection, user) -> Response:
    def produce():
        doc = documents.collections_list(endpoint, listed(conn, endpoint))
        doc["collections"] += gaps.list_documents(conn, endpoint)
        if _wants_html(request):
            return _html(request, endpoint, "collections.html", user, doc=doc)
        return _json(endpoint, doc)
    if _keepable(request, endpoint):  # anonymous JSON: ETag, 304, kept (issue 17)
        # keyed by what the list is drawn from: the catalogue version and the boundaries' counters
        # (and a громада's own datasets), not every published dataset (collections_state.py)
        return cached_answer(request, conn, request_key(request), None, endpoint.scope.hromada,
                             lambda: _answer(produce), state=list_state(endpoint.scope.hromada))
    return _answer(produce)


def _collection(request: Request, endpoint: Endpoint, conn: Connection, layer: str, user) -> Response:
    if gaps.is_gap_collection(layer):
        return _gap_collection(request, endpoint, conn, layer, user)

    def produce():
        doc = collection_document(endpoint, collection_info(conn, endpoint, layer))
        if _wants_html(request):
            return _html(request, endpoint, "collection.html", user, doc=doc)
        return _json(endpoint, doc)
    return _answer(produce)


def _queryables(endpoint: Endpoint, conn: Connection, layer: str) -> Response:
    if gaps.is_gap_collection(layer):
        return _answer(lambda: _json(
            endpoint, gaps.queryables_document(endpoint, gaps.find(conn, endpoint, layer)), SCHEMA))
    return _answer(lambda: _json(endpoint, queryables_document(endpoint, collection_info(conn, endpoint, layer)),
                                 SCHEMA))


def _items(request: Request, endpoint: Endpoint, conn: Connection, layer: str, user) -> Response:
    if gaps.is_gap_collection(layer):
        return _gap_items(request, endpoint, conn, layer, user)

    def produce():
        info = collection_info(conn, endpoint, layer)
        source = layer_source(info.layer, endpoint.scope)
        fields = queryables(source)
        html = _wants_html(request)
        query = parse_items(dict(request.query_params), fields)
        page = read_page(conn, source, fields, query)
        links = documents.items_links(endpoint, layer, page, query.limit, query.passthrough)
        crs_header = {"Content-Crs": f"<{query.crs.uri}>"}
        if html:
            return _html(request, endpoint, "items.html", user, layer=info.layer,
                         collection=json.loads(collection_text(page, links)), page=page, query=query,
                         fields=fields)
        return Response(collection_text(page, links), media_type=GEOJSON, headers=_headers(endpoint, crs_header))
    if _keepable(request, endpoint) and layer in catalog():  # anonymous GeoJSON: ETag, 304, kept (issue 17)
        return cached_answer(request, conn, request_key(request), [layer], endpoint.scope.hromada,
                             lambda: _answer(produce))
    return _answer(produce)


def _item(request: Request, endpoint: Endpoint, conn: Connection, layer: str, feature_id: str, user) -> Response:
    if gaps.is_gap_collection(layer):
        return _gap_item(request, endpoint, conn, layer, feature_id, user)

    def produce():
        info = collection_info(conn, endpoint, layer)
        unknown = [k for k in request.query_params if k not in ("f", "crs", "lang")]
        if unknown:
            raise BadParameter(unknown[0], "unknown; a single feature takes crs and f")
        crs = parse_crs(request.query_params.get("crs"), "crs")
        feature = read_item(conn, layer_source(info.layer, endpoint.scope), feature_id, crs)
        if feature is None:
            raise NotFound(f"collection {layer!r}: no feature {feature_id}")
        links = documents.item_links(endpoint, layer, feature_id, request.query_params.get("crs"))
        body = feature[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False) + "}"
        if _wants_html(request):
            return _html(request, endpoint, "item.html", user, layer=info.layer, feature=json.loads(body),
                         lonlat=crs.code == "CRS:84")
        return Response(body, media_type=GEOJSON, headers=_headers(endpoint, {"Content-Crs": f"<{crs.uri}>"}))
    return _answer(produce)


# ------------------------------------------------------------------ gap layers (computed, read-only)
def _gap_collection(request: Request, endpoint: Endpoint, conn: Connection, layer: str, user) -> Response:
    def produce():
        p = gaps.find(conn, endpoint, layer)
        record = not endpoint.scope.full or gaps.product(conn, Scope(), layer) is not None
        doc = gaps.collection_document(conn, endpoint, p, record)
        if _wants_html(request):
            return _html(request, endpoint, "collection.html", user, doc=doc)
        return _json(endpoint, doc)
    return _answer(produce)


def _gap_items(request: Request, endpoint: Endpoint, conn: Connection, layer: str, user) -> Response:
    def produce():
        p = gaps.find(conn, endpoint, layer)
        html = _wants_html(request)
        query = gaps.parse_query(dict(request.query_params))
        page = gaps.read_page(conn, endpoint, layer, query)
        doc = gaps.items_document(endpoint, layer, page, query)
        if html:
            return _html(request, endpoint, "items.html", user, layer=gaps.html_layer(p), collection=doc,
                         page=page, query=gaps.HTML_QUERY, fields=gaps.html_fields(page))
        return Response(gaps.dumps(doc), media_type=GEOJSON,
                        headers=_headers(endpoint, {"Content-Crs": f"<{gaps.CRS84}>"}))
    return _answer(produce)


def _gap_item(request: Request, endpoint: Endpoint, conn: Connection, layer: str, feature_id: str,
              user) -> Response:
    def produce():
        p = gaps.find(conn, endpoint, layer)
        unknown = [k for k in request.query_params if k not in ("f", "crs", "lang")]
        if unknown:
            raise BadParameter(unknown[0], "unknown; a single feature takes crs and f")
        gaps.parse_query({k: v for k, v in request.query_params.items() if k == "crs"})
        feature = gaps.read_item(conn, endpoint, layer, feature_id)
        if feature is None:
            raise NotFound(f"collection {layer!r}: no feature {feature_id}")
        feature["links"] = gaps.item_links(endpoint, layer, feature_id)
        if _wants_html(request):
            return _html(request, endpoint, "item.html", user, layer=gaps.html_layer(p), feature=feature,
                         lonlat=True)
        return Response(gaps.dumps(feature), media_type=GEOJSON,
                        headers=_headers(endpoint, {"Content-Crs": f"<{gaps.CRS84}>"}))
    return _answer(produce)


# ------------------------------------------------------------------ routes: national
@router.get("/ogcapi", summary="OGC API – Features: landing page (all громади)")
def landing(request: Request, endpoint: NationalDep):
    return _landing(request, endpoint, None)


@router.get("/ogcapi/conformance", summary="OGC API – Features: conformance classes")
def conformance(request: Request, endpoint: NationalDep):
    return _conformance(request, endpoint, None)


@router.get("/ogcapi/api", summary="OGC API – Features: its OpenAPI 3.0 document")
def api(request: Request, endpoint: NationalDep, conn: ReadConn):
    return _api(request, endpoint, conn, None)


@router.get("/ogcapi/collections", summary="OGC API – Features: collections (layers with published data)")
def collections(request: Request, endpoint: NationalDep, conn: ReadConn):
    return _collections(request, endpoint, conn, None)


@router.get("/ogcapi/collections/{layer}", summary="OGC API – Features: one collection")
def collection(layer: str, request: Request, endpoint: NationalDep, conn: ReadConn):
    return _collection(request, endpoint, conn, layer, None)


@router.get("/ogcapi/collections/{layer}/queryables", summary="OGC API – Features: queryables (JSON Schema)")
def collection_queryables(layer: str, endpoint: NationalDep, conn: ReadConn):
    return _queryables(endpoint, conn, layer)


@router.get("/ogcapi/collections/{layer}/items", summary="OGC API – Features: features (GeoJSON)")
def items(layer: str, request: Request, endpoint: NationalDep, conn: ReadConn):
    return _items(request, endpoint, conn, layer, None)


@router.get("/ogcapi/collections/{layer}/items/{feature_id}", summary="OGC API – Features: one feature")
def item(layer: str, feature_id: str, request: Request, endpoint: NationalDep, conn: ReadConn):
    return _item(request, endpoint, conn, layer, feature_id, None)


# ------------------------------------------------------------------ routes: one громада
@router.get("/{code}/ogcapi", summary="OGC API – Features of one громада: landing page")
def hromada_landing(request: Request, endpoint: HromadaDep, user: OptionalUser):
    return _landing(request, endpoint, user)


@router.get("/{code}/ogcapi/conformance", summary="OGC API – Features of one громада: conformance")
def hromada_conformance(request: Request, endpoint: HromadaDep, user: OptionalUser):
    return _conformance(request, endpoint, user)


@router.get("/{code}/ogcapi/api", summary="OGC API – Features of one громада: OpenAPI 3.0")
def hromada_api(request: Request, endpoint: HromadaDep, conn: ReadConn, user: OptionalUser):
    return _api(request, endpoint, conn, user)


@router.get("/{code}/ogcapi/collections", summary="OGC API – Features of one громада: collections")
def hromada_collections(request: Request, endpoint: HromadaDep, conn: ReadConn, user: OptionalUser):
    return _collections(request, endpoint, conn, user)


@router.get("/{code}/ogcapi/collections/{layer}", summary="OGC API – Features of one громада: one collection")
def hromada_collection(layer: str, request: Request, endpoint: HromadaDep, conn: ReadConn, user: OptionalUser):
    return _collection(request, endpoint, conn, layer, user)


@router.get("/{code}/ogcapi/collections/{layer}/queryables", summary="OGC API – Features of one громада: queryables")
def hromada_queryables(layer: str, endpoint: HromadaDep, conn: ReadConn):
    return _queryables(endpoint, conn, layer)


@router.get("/{code}/ogcapi/collections/{layer}/items", summary="OGC API – Features of one громада: features")
def hromada_items(layer: str, request: Request, endpoint: HromadaDep, conn: ReadConn, user: OptionalUser):
    return _items(request, endpoint, conn, layer, user)


@router.get("/{code}/ogcapi/collections/{layer}/items/{feature_id}",
            summary="OGC API – Features of one громада: one feature")
def hromada_item(layer: str, feature_id: str, request: Request, endpoint: HromadaDep, conn: ReadConn,
                 user: OptionalUser):
    return _item(request, endpoint, conn, layer, feature_id, user)

"""The gap layers as read-only OGC API – Features collections, ``gap.<gap>`` (the WMS layer names).

They sit after the catalogue's collections in ``/collections`` of ``/ogcapi`` and ``/{code}/ogcapi``
with the audience of the WMS layers (:mod:`..gap_publication`). A collection says what it is: its
``description`` names the method, ``extent.temporal`` is the day it was computed as of, and
``x-gisplan`` carries ``kind: gap``, ``computed``, ``readOnly``, ``asOf``, ``inputs`` and ``method``;
each feature carries ``hromada`` and ``as_of``.

Items: GeoJSON in CRS84 (the only CRS offered for computed collections), ``limit``, ``bbox``
(CRS84), ``hromada`` (КАТОТТГ code) and keyset paging with ``after`` (a feature id). The features
are the WMS layer's cached ones, in the order the gap SQL returns them. No transactions: the
routes are GET only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from shapely.geometry import box, shape
from sqlalchemy import Connection, text

from ... import clock
from ...catalog import KATOTTG_RE
from ...features import NotFound
from ...gaps.registry import gaps
from ..choropleth_info import LABELS
from ..choropleth_layers import GAP_PREFIX, choropleth_layers
from ..gap_publication import (UKRAINE_LONLAT, GapProduct, features, gap_layer_names, is_gap, product, products,
                               unknown_message)
from ..sources import Scope
from .collections import licence_link
from .crs import CRS84, BadParameter
from .endpoint import GEOJSON, HTML, JSON, SCHEMA, XML, Endpoint, link, self_links
from .params import _limit

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
EXTENTS_SQL = text((SQL_DIR / "gap_extents.sql").read_text(encoding="utf-8"))
LIST_SQL = text((SQL_DIR / "gap_list.sql").read_text(encoding="utf-8"))
PARAMETERS = ("f", "lang", "limit", "bbox", "bbox-crs", "crs", "hromada", "after")
EXTRA_LABELS = {"id": ("ідентифікатор", "identifier"), "value": ("значення класу", "class value"),
                "hromada": ("громада (КАТОТТГ)", "громада (КАТОТТГ)"),
                "as_of": ("обчислено на дату", "computed as of")}


def is_gap_collection(name: str) -> bool:
    return is_gap(name)


# ------------------------------------------------------------------ collections
def visible(conn: Connection, endpoint: Endpoint) -> list[GapProduct]:
    return products(conn, endpoint.scope)


def find(conn: Connection, endpoint: Endpoint, name: str) -> GapProduct:
    found = product(conn, endpoint.scope, name)
    if found is not None:
        return found
    if name not in gap_layer_names():
        raise NotFound(unknown_message(name))
    where = f"громада {endpoint.scope.hromada}" if endpoint.scope.hromada else "any громада"
    raise NotFound(f"collection {name!r}: its inputs are not all published in {where}")


def extents(conn: Connection, shown: Iterable[GapProduct]) -> dict[str, tuple[float, float, float, float]]:
    """The box (lon/lat, 6 decimals) of each gap layer around the boundaries of its громади, else
    Ukraine's: one grouped query for all of them (``sql/gap_extents.sql``), each громада's boundary
    read once — the list's first answer read 8 × 1 466 boundaries one query each at national scale."""
    shown = list(shown)
    wanted = {p.name: list(p.hromady) for p in shown}
    found = {r.name: (r.west, r.south, r.east, r.north)
             for r in conn.execute(EXTENTS_SQL, {"wanted": json.dumps(wanted)})}
    out = {}
    for p in shown:
        b = found.get(p.name)
        out[p.name] = UKRAINE_LONLAT if b is None or b[0] is None else tuple(round(float(v), 6) for v in b)
    return out


def _shown_with_extents(conn: Connection, endpoint: Endpoint) -> list[tuple[GapProduct, tuple]]:
    """The gap layers the endpoint's list shows, each with its extent. A signed-in reader of the
    громада sees every gap layer there (:func:`visible`); an anonymous caller those with a громада
    publishing all their inputs — read with their extents in one statement (``sql/gap_list.sql``),
    the same products and boxes as :func:`visible` and :func:`extents` give
    (``tests/test_collections_state.py``)."""
    if endpoint.scope.full:
        shown = visible(conn, endpoint)
        boxes = extents(conn, shown)
        return [(p, boxes[p.name]) for p in shown]
    layers = choropleth_layers()
    needs = {GAP_PREFIX + g: list(layers[GAP_PREFIX + g].needs) for g in gaps()}
    rows = {r.name: r for r in conn.execute(LIST_SQL, {"needs": json.dumps(needs),
                                                       "hromada": endpoint.scope.hromada})}
    today = clock.today()
    out = []
    for gap, spec in gaps().items():
        r = rows.get(GAP_PREFIX + gap)
        if r is None or not r.hromady:
            continue
        corners = (r.west, r.south, r.east, r.north)
        box_ = UKRAINE_LONLAT if r.west is None else tuple(round(float(v), 6) for v in corners)
        out.append((GapProduct(layers[GAP_PREFIX + gap], spec, tuple(r.hromady), today), box_))
    return out


def list_documents(conn: Connection, endpoint: Endpoint) -> list[dict]:
    """The gap collections of the endpoint's collection list (after the catalogue's), in registry
    order. ``describedby`` is linked for those an anonymous caller sees nationally (their ISO record
    is public): all of them for an anonymous list, which is always within the national view."""
    public = {p.name for p in products(conn, Scope())} if endpoint.scope.full else None
    return [collection_document(conn, endpoint, p, public is None or p.name in public,
                                with_hromady=endpoint.scope.hromada is not None, lonlat=box_)
            for p, box_ in _shown_with_extents(conn, endpoint)]


def _stamp(day: dt.date) -> list[str]:
    return [f"{day.isoformat()}T00:00:00Z", f"{day.isoformat()}T23:59:59Z"]


def collection_document(conn: Connection, endpoint: Endpoint, p: GapProduct, record: bool,
                        with_hromady: bool = True, lonlat: tuple[float, float, float, float] | None = None) -> dict:
    """``record``: the gap layer has an anonymous ISO record to link (``describedby``).
    ``with_hromady`` False leaves the covered громади's codes out (the national list: up to ~1,470
    codes per gap), keeping their number. ``lonlat``: its extent when already read (:func:`extents`)."""
    if lonlat is None:
        lonlat = extents(conn, [p])[p.name]
    path = f"/collections/{p.name}"
    title = f"{p.layer.title.uk} / {p.layer.title.en}"
    if endpoint.place:
        title = f"{title}: {endpoint.place}"
    wms = f"{endpoint.site}/{endpoint.scope.hromada}/ows" if endpoint.scope.hromada else f"{endpoint.site}/ows"
    links = [
        *self_links(endpoint, path, JSON, title),
        link(endpoint.url(f"{path}/items", f="json"), "items", GEOJSON, "Об’єкти / Features (GeoJSON)"),
        link(endpoint.url(f"{path}/items", f="html"), "items", HTML, "Об’єкти / Features (HTML)"),
        link(endpoint.url(f"{path}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             SCHEMA, "Властивості для фільтрів / Queryables"),
        link(f"{wms}?SERVICE=WMS&REQUEST=GetCapabilities", "related", XML,
             f"Шар WMS {p.name} / WMS layer {p.name}"),
        licence_link(),
    ]
    if record:
        links.append(link(f"{endpoint.site}/metadata/{p.record_uuid}.xml", "describedby", XML,
                          "Метадані ISO 19139 / ISO 19139 metadata"))
    as_of = p.as_of.isoformat()
    return {
        "id": p.name,
        "title": title,
        "description": (f"Обчислений шар прогалини (лише читання) на {as_of}. {p.spec.method.uk}\n\n"
                        f"Computed gap layer (read-only) as of {as_of}. {p.spec.method.en}"),
        "keywords": [*p.layer.keywords["uk"], *p.layer.keywords["en"]],
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": links,
        "extent": {"spatial": {"bbox": [list(lonlat)], "crs": CRS84},
                   "temporal": {"interval": [_stamp(p.as_of)],
                                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}},
        "x-gisplan": {"kind": "gap", "computed": True, "readOnly": True, "asOf": as_of, "gap": p.spec.gap,
                      "inputs": list(p.spec.inputs), "counts": p.spec.counts,
                      "method": p.spec.method.model_dump(), "hromadyCount": len(p.hromady),
                      **({"hromady": list(p.hromady)} if with_hromady else {})},
    }


def queryables_document(endpoint: Endpoint, p: GapProduct) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": endpoint.url(f"/collections/{p.name}/queryables"),
        "type": "object",
        "title": f"{p.layer.title.uk} / {p.layer.title.en}",
        "properties": {
            "hromada": {"title": "Громада (код КАТОТТГ) / громада (КАТОТТГ code)", "type": "string",
                        "pattern": r"^UA\d{17}$"},
            "geometry": {"title": "Геометрія / Geometry", "format": "geometry-any",
                         "x-ogc-role": "primary-geometry"},
        },
        "additionalProperties": False,
    }


# ------------------------------------------------------------------ items
@dataclass(frozen=True)
class GapQuery:
    limit: int
    bbox: tuple[float, float, float, float] | None = None
    hromada: str | None = None
    after: str | None = None
    passthrough: dict[str, str] = field(default_factory=dict)


def _crs84(query: Mapping[str, str], name: str) -> None:
    value = query.get(name)
    if value and value not in (CRS84, "CRS84", "OGC:CRS84"):
        raise BadParameter(name, f"computed collections are offered in CRS84 only, not {value!r}")


def parse_query(query: Mapping[str, str]) -> GapQuery:
    unknown = [k for k in query if k not in PARAMETERS]
    if unknown:
        raise BadParameter(unknown[0], f"unknown; a computed collection takes {', '.join(PARAMETERS)}")
    _crs84(query, "crs")
    _crs84(query, "bbox-crs")
    bbox = None
    if query.get("bbox"):
        try:
            numbers = [float(v) for v in query["bbox"].split(",")]
        except ValueError:
            raise BadParameter("bbox", f"not numbers: {query['bbox']!r}") from None
        if len(numbers) == 6:
            numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
        if len(numbers) != 4 or numbers[1] > numbers[3] or numbers[0] > numbers[2]:
            raise BadParameter("bbox", f"needs 4 numbers lon,lat,lon,lat (lower corner first), got {query['bbox']!r}")
        bbox = tuple(numbers)
    hromada = query.get("hromada") or None
    if hromada and not KATOTTG_RE.match(hromada):
        raise BadParameter("hromada", f"{hromada!r} is not a КАТОТТГ code (UA and 17 digits)")
    keep = {k: v for k, v in query.items() if k not in ("after", "limit")}
    return GapQuery(_limit(query.get("limit")), bbox, hromada, query.get("after") or None, keep)


def as_feature(f: dict, as_of: dt.date) -> dict:
    return {"type": "Feature", "id": f["id"], "geometry": f["geometry"],
            "properties": {**f["properties"], "hromada": f["hromada"], "as_of": as_of.isoformat()}}


def _selected(conn: Connection, endpoint: Endpoint, name: str, q: GapQuery) -> tuple[list[dict], dt.date]:
    every, as_of = features(conn.engine, endpoint.scope, name)
    out = every
    if q.hromada:
        out = [f for f in out if f["hromada"] == q.hromada]
    if q.bbox:
        area = box(*q.bbox)
        out = [f for f in out if f["geometry"] and shape(f["geometry"]).intersects(area)]
    return out, as_of


@dataclass(frozen=True)
class GapPage:
    features: list[dict]
    next_after: str | None
    prev_after: str | None   # "" = the first page
    as_of: dt.date


def read_page(conn: Connection, endpoint: Endpoint, name: str, q: GapQuery) -> GapPage:
    chosen, as_of = _selected(conn, endpoint, name, q)
    start = 0
    if q.after is not None:
        ids = [f["id"] for f in chosen]
        if q.after not in ids:
            raise BadParameter("after", f"no feature {q.after!r} in this collection (as of {as_of})")
        start = ids.index(q.after) + 1
    page = chosen[start:start + q.limit]
    more = start + q.limit < len(chosen)
    prev = None
    if start > 0:
        back = start - q.limit
        prev = chosen[back - 1]["id"] if back > 0 else ""
    return GapPage([as_feature(f, as_of) for f in page], page[-1]["id"] if more and page else None, prev, as_of)


def items_document(endpoint: Endpoint, name: str, page: GapPage, q: GapQuery) -> dict:
    path = f"/collections/{name}/items"
    keep = {k: v for k, v in q.passthrough.items() if k != "f"}
    links = [
        link(endpoint.url(path, **keep, limit=q.limit, f="json"), "self", GEOJSON, "Ця сторінка / This page"),
        link(endpoint.url(path, **keep, limit=q.limit, f="html"), "alternate", HTML,
             "Ця сторінка (HTML) / This page (HTML)"),
        link(endpoint.url(f"/collections/{name}"), "collection", JSON, "Колекція / The collection"),
    ]
    if page.next_after:
        links.append(link(endpoint.url(path, **keep, limit=q.limit, after=page.next_after), "next", GEOJSON,
                          "Наступна сторінка / Next page"))
    if page.prev_after is not None:
        links.append(link(endpoint.url(path, **keep, limit=q.limit, after=page.prev_after or None), "prev",
                          GEOJSON, "Попередня сторінка / Previous page"))
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {"type": "FeatureCollection", "features": page.features, "numberReturned": len(page.features),
            "timeStamp": stamp, "asOf": page.as_of.isoformat(), "links": links}


def read_item(conn: Connection, endpoint: Endpoint, name: str, feature_id: str) -> dict | None:
    every, as_of = features(conn.engine, endpoint.scope, name)
    found = next((f for f in every if f["id"] == feature_id), None)
    return as_feature(found, as_of) if found is not None else None


def item_links(endpoint: Endpoint, name: str, feature_id: str) -> list[dict]:
    path = f"/collections/{name}/items/{feature_id}"
    return [
        link(endpoint.url(path, f="json"), "self", GEOJSON, "Цей об’єкт / This feature"),
        link(endpoint.url(path, f="html"), "alternate", HTML, "Цей об’єкт (HTML) / This feature (HTML)"),
        link(endpoint.url(f"/collections/{name}"), "collection", JSON, "Колекція / The collection"),
    ]


# ------------------------------------------------------------------ HTML views
@dataclass(frozen=True)
class HtmlLayer:
    """What the items and item templates read of a layer (name, title, labels)."""

    name: str
    title: object

    @staticmethod
    def label(name: str, lang: str) -> str:
        uk, en = LABELS.get(name) or EXTRA_LABELS.get(name) or (name, name)
        return uk if lang == "uk" else en


def html_layer(p: GapProduct) -> HtmlLayer:
    return HtmlLayer(p.name, p.layer.title)


def html_fields(page: GapPage) -> list[str]:
    names = ["id"]
    for f in page.features:
        for k, v in f["properties"].items():
            if k not in names and not isinstance(v, (dict, list)):
                names.append(k)
    return names


# ------------------------------------------------------------------ OpenAPI 3.0
def add_openapi_paths(doc: dict, products_: list[GapProduct]) -> dict:
    """Add the gap collections' paths (and the parameters they use) to the endpoint's OpenAPI doc."""
    params = doc["components"]["parameters"]
    params["gapHromada"] = {"name": "hromada", "in": "query", "required": False, "style": "form",
                            "explode": False, "description": "Код КАТОТТГ громади / КАТОТТГ code of a громада",
                            "schema": {"type": "string", "pattern": r"^UA\d{17}$"}}
    params["gapAfter"] = {"name": "after", "in": "query", "required": False,
                          "description": "Сторінка після об’єкта / The page after this feature id",
                          "schema": {"type": "string"}}
    params["gapFeatureId"] = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    params["gapCrs"] = {"name": "crs", "in": "query", "required": False, "style": "form", "explode": False,
                        "schema": {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84}}
    ref = lambda kind, name: {"$ref": f"#/components/{kind}/{name}"}  # noqa: E731

    def ok(description: str, schema: dict, media: str) -> dict:
        return {"200": {"description": description, "content": {media: {"schema": schema},
                                                                HTML: {"schema": {"type": "string"}}}},
                "400": ref("responses", "InvalidParameter"), "404": ref("responses", "NotFound"),
                "500": ref("responses", "ServerError")}

    for p in products_:
        name, title = p.name, f"{p.layer.title.uk} / {p.layer.title.en}"
        doc["paths"][f"/collections/{name}"] = {"get": {
            "tags": ["Collections"], "summary": f"{title} (обчислений / computed)",
            "operationId": f"describe_{name}", "parameters": [ref("parameters", "f")],
            "responses": ok(title, ref("schemas", "collection"), JSON)}}
        doc["paths"][f"/collections/{name}/queryables"] = {"get": {
            "tags": ["Collections"], "summary": f"{title}: queryables", "operationId": f"queryables_{name}",
            "responses": {"200": {"description": "JSON Schema of the queryables", "content": {
                SCHEMA: {"schema": ref("schemas", "queryables")}}}, "404": ref("responses", "NotFound")}}}
        doc["paths"][f"/collections/{name}/items"] = {"get": {
            "tags": ["Features"], "summary": f"{title}: features (read-only)", "operationId": f"items_{name}",
            "parameters": [ref("parameters", "f"), ref("parameters", "limit"), ref("parameters", "bbox"),
                           ref("parameters", "gapCrs"), ref("parameters", "gapHromada"),
                           ref("parameters", "gapAfter")],
            "responses": ok("GeoJSON FeatureCollection", ref("schemas", "featureCollectionGeoJSON"), GEOJSON)}}
        doc["paths"][f"/collections/{name}/items/{{featureId}}"] = {"get": {
            "tags": ["Features"], "summary": f"{title}: one feature", "operationId": f"item_{name}",
            "parameters": [ref("parameters", "gapFeatureId"), ref("parameters", "f")],
            "responses": ok("GeoJSON Feature", ref("schemas", "featureGeoJSON"), GEOJSON)}}
    return doc


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False)


@dataclass(frozen=True)
class _HtmlCrs:
    code: str = "CRS:84"


@dataclass(frozen=True)
class _HtmlQuery:
    crs: _HtmlCrs = _HtmlCrs()


HTML_QUERY = _HtmlQuery()  # the items template draws a map for CRS84 pages

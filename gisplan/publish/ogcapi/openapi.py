"""The OpenAPI 3.0 document of one OGC API endpoint (``/ogcapi/api``), as the ``oas30`` conformance
class and the INSPIRE good practice ask. FastAPI's own ``/openapi.json`` is OpenAPI 3.1 and covers
the whole app, so this one is written for this API only: each collection gets its own paths, with
its queryables as query parameters (the only extra parameters the items path accepts)."""

from __future__ import annotations

import gisplan

from ...settings import ogcapi_settings
from ..sources import layer_source
from .collections import CollectionInfo
from .crs import CRS84, offered_uris
from .cql2 import LANGUAGES
from .documents import titles
from .endpoint import GEOJSON, HTML, JSON, OPENAPI, Endpoint
from .queryables import queryables

VERSION = "3.0.3"
_REF = "#/components/"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"{_REF}{kind}/{name}"}


def _json_and_html(schema: dict, json_type: str = JSON) -> dict:
    return {json_type: {"schema": schema}, HTML: {"schema": {"type": "string"}}}


def _ok(description: str, schema: dict, json_type: str = JSON) -> dict:
    return {
        "200": {"description": description, "content": _json_and_html(schema, json_type)},
        "400": _ref("responses", "InvalidParameter"),
        "500": _ref("responses", "ServerError"),
    }


def _parameters() -> dict:
    s = ogcapi_settings()
    crs_schema = {"type": "string", "format": "uri", "enum": offered_uris(), "default": CRS84}
    return {
        "f": {"name": "f", "in": "query", "required": False, "description": "json або html / json or html",
              "schema": {"type": "string", "enum": ["json", "html"]}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
                  "description": "Кількість об’єктів на сторінці / Features per page",
                  "schema": {"type": "integer", "minimum": 1, "maximum": s.max_limit,
                             "default": s.default_limit}},
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
                 "description": "minx,miny,maxx,maxy in bbox-crs axis order (CRS84: lon,lat)",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False, "style": "form",
                     "explode": False, "schema": crs_schema},
        "crs": {"name": "crs", "in": "query", "required": False, "style": "form", "explode": False,
                "schema": crs_schema},
        "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form", "explode": False,
                     "description": "An instant or an interval (RFC 3339, '..' open), matched against "
                                    "installed_at … removed_at",
                     "schema": {"type": "string"}},
        "filter": {"name": "filter", "in": "query", "required": False, "description": "CQL2 (text or JSON)",
                   "schema": {"type": "string"}},
        "filter-lang": {"name": "filter-lang", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": list(LANGUAGES), "default": "cql2-text"}},
        "filter-crs": {"name": "filter-crs", "in": "query", "required": False,
                       "schema": {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84}},
        "after": {"name": "after", "in": "query", "required": False,
                  "description": "Сторінка після об’єкта / The page after this feature id (keyset paging)",
                  "schema": {"type": "string", "format": "uuid"}},
        "before": {"name": "before", "in": "query", "required": False,
                   "description": "Сторінка перед об’єктом / The page before this feature id",
                   "schema": {"type": "string", "format": "uuid"}},
        "featureId": {"name": "featureId", "in": "path", "required": True,
                      "schema": {"type": "string", "format": "uuid"}},
    }


def _schemas() -> dict:
    link = {"type": "object", "required": ["href"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
        "title": {"type": "string"}, "length": {"type": "integer"}}}
    links = {"type": "array", "items": _ref("schemas", "link")}
    geometry = {"type": "object", "nullable": True, "required": ["type"], "properties": {
        "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString",
                                            "Polygon", "MultiPolygon", "GeometryCollection"]},
        "coordinates": {"type": "array", "items": {}}}}
    feature = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
        "geometry": _ref("schemas", "geometryGeoJSON"),
        "properties": {"type": "object", "nullable": True}, "links": links}}
    collection = {"type": "object", "required": ["id", "links"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}}, "links": links,
        "itemType": {"type": "string"}, "crs": {"type": "array", "items": {"type": "string"}},
        "storageCrs": {"type": "string"},
        "extent": {"type": "object", "properties": {"spatial": {"type": "object", "properties": {
            "bbox": {"type": "array", "items": {"type": "array", "minItems": 4, "maxItems": 6,
                                                "items": {"type": "number"}}},
            "crs": {"type": "string"}}}}}}}
    return {
        "link": link,
        "landingPage": {"type": "object", "required": ["links"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"}, "links": links}},
        "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
            "conformsTo": {"type": "array", "items": {"type": "string"}}}},
        "collection": collection,
        "collections": {"type": "object", "required": ["links", "collections"], "properties": {
            "links": links, "collections": {"type": "array", "items": _ref("schemas", "collection")}}},
        "geometryGeoJSON": geometry,
        "featureGeoJSON": feature,
        "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
            "links": links, "timeStamp": {"type": "string", "format": "date-time"},
            "numberReturned": {"type": "integer", "minimum": 0}}},
        "queryables": {"type": "object", "properties": {"properties": {"type": "object"}}},
        "exception": {"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string"}, "description": {"type": "string"}}},
    }


def _responses() -> dict:
    error = {"content": {JSON: {"schema": _ref("schemas", "exception")}}}
    return {
        "InvalidParameter": {"description": "Параметр не підходить / A query parameter has an invalid value", **error},
        "NotFound": {"description": "Немає такого ресурсу / The resource does not exist", **error},
        "ServerError": {"description": "Помилка сервера / A server error occurred", **error},
    }


def _collection_paths(endpoint: Endpoint, info: CollectionInfo) -> dict:
    name = info.layer.name
    title = f"{info.layer.title.uk} / {info.layer.title.en}"
    fields = queryables(layer_source(info.layer, endpoint.scope))
    common = [_ref("parameters", p) for p in ("f", "limit", "bbox", "bbox-crs", "crs", "datetime", "filter",
                                               "filter-lang", "filter-crs", "after", "before")]
    props = [{"name": q.name, "in": "query", "required": False, "description": f"{q.title_uk} / {q.title_en}",
              "style": "form", "explode": False,
              "schema": {k: v for k, v in q.schema().items() if k != "title"}} for q in fields.values()]
    not_found = {"404": _ref("responses", "NotFound")}
    return {
        f"/collections/{name}": {"get": {
            "tags": ["Collections"], "summary": title, "operationId": f"describe_{name}",
            "parameters": [_ref("parameters", "f")],
            "responses": {**_ok(title, _ref("schemas", "collection")), **not_found}}},
        f"/collections/{name}/queryables": {"get": {
            "tags": ["Collections"], "summary": f"{title}: queryables", "operationId": f"queryables_{name}",
            "responses": {"200": {"description": "JSON Schema of the queryables", "content": {
                "application/schema+json": {"schema": _ref("schemas", "queryables")}}},
                **not_found}}},
        f"/collections/{name}/items": {"get": {
            "tags": ["Features"], "summary": f"{title}: features", "operationId": f"items_{name}",
            "parameters": [*common, *props],
            "responses": {**_ok("GeoJSON FeatureCollection", _ref("schemas", "featureCollectionGeoJSON"),
                                GEOJSON), **not_found}}},
        f"/collections/{name}/items/{{featureId}}": {"get": {
            "tags": ["Features"], "summary": f"{title}: one feature", "operationId": f"item_{name}",
            "parameters": [_ref("parameters", "featureId"), _ref("parameters", "crs"), _ref("parameters", "f")],
            "responses": {**_ok("GeoJSON Feature", _ref("schemas", "featureGeoJSON"), GEOJSON), **not_found}}},
    }


def openapi_document(endpoint: Endpoint, infos: list[CollectionInfo]) -> dict:
    uk, en = titles(endpoint)
    paths: dict = {
        "/": {"get": {"tags": ["Capabilities"], "summary": "Головна / Landing page", "operationId": "landing",
                      "parameters": [_ref("parameters", "f")],
                      "responses": _ok("Landing page", _ref("schemas", "landingPage"))}},
        "/conformance": {"get": {"tags": ["Capabilities"], "summary": "Conformance classes",
                                 "operationId": "conformance", "parameters": [_ref("parameters", "f")],
                                 "responses": _ok("Conformance", _ref("schemas", "confClasses"))}},
        "/api": {"get": {"tags": ["Capabilities"], "summary": "This OpenAPI document", "operationId": "api",
                         "parameters": [_ref("parameters", "f")],
                         "responses": {"200": {"description": "OpenAPI 3.0", "content": {
                             OPENAPI: {"schema": {"type": "object"}}, HTML: {"schema": {"type": "string"}}}}}}},
        "/collections": {"get": {"tags": ["Collections"], "summary": "Колекції / Collections",
                                 "operationId": "collections", "parameters": [_ref("parameters", "f")],
                                 "responses": _ok("Collections", _ref("schemas", "collections"))}},
    }
    for info in infos:
        paths.update(_collection_paths(endpoint, info))
    return {
        "openapi": VERSION,
        "info": {"title": f"{uk} / {en}", "version": gisplan.__version__,
                 "description": "OGC API – Features Part 1, 2 (CRS) and 3 (CQL2 filters) over the published "
                                "layers of Ukrainian territorial communities.",
                 "license": {"name": "MIT"}},
        "servers": [{"url": endpoint.base}],
        "tags": [{"name": "Capabilities"}, {"name": "Collections"}, {"name": "Features"}],
        "paths": paths,
        "components": {"parameters": _parameters(), "schemas": _schemas(), "responses": _responses()},
    }

"""The landing page, the conformance declaration, the collection list and the paging links."""

from __future__ import annotations

from ...settings import ogcapi_settings
from .collections import CollectionInfo, collection_document, licence_link
from .endpoint import GEOJSON, HTML, JSON, OPENAPI, Endpoint, link, self_links
from .items import Page

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
)


def titles(endpoint: Endpoint) -> tuple[str, str]:
    s = ogcapi_settings()
    where_uk = endpoint.place or "усі громади"
    where_en = endpoint.scope.hromada or "all hromadas"
    return f"{s.title_uk}: {where_uk}", f"{s.title_en}: {where_en}"


def landing(endpoint: Endpoint) -> dict:
    uk, en = titles(endpoint)
    return {
        "title": f"{uk} / {en}",
        "description": ("Шари громад у GeoJSON (RFC 7946) з пошуком за простором, часом і властивостями "
                        "(CQL2). / The communities' layers as GeoJSON with spatial, temporal and property "
                        "filters (CQL2)."),
        "links": [
            *self_links(endpoint, "", JSON, "Ця сторінка / This document"),
            link(endpoint.url("/api"), "service-desc", OPENAPI, "Опис API (OpenAPI 3.0) / API definition"),
            link(endpoint.url("/api", f="html"), "service-doc", HTML, "Документація API / API documentation"),
            link(endpoint.url("/conformance"), "conformance", JSON, "Відповідність стандартам / Conformance"),
            link(endpoint.url("/collections"), "data", JSON, "Колекції / Collections"),
            link(endpoint.url("/tileMatrixSets"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON,
                 "Набори матриць тайлів / Tile matrix sets"),
            licence_link(),
        ],
    }


def conformance() -> dict:
    from .tiles import CONFORMANCE as TILES

    return {"conformsTo": [*CONFORMANCE, *TILES]}


def collections_list(endpoint: Endpoint, infos: list[CollectionInfo]) -> dict:
    """The collections; nationally without each dataset's links (see :func:`collection_document`),
    so the list's size does not grow with the number of громади publishing a layer."""
    per_hromada = endpoint.scope.hromada is not None
    return {
        "links": self_links(endpoint, "/collections", JSON, "Колекції / Collections"),
        "collections": [collection_document(endpoint, info, with_datasets=per_hromada) for info in infos],
    }


def items_links(endpoint: Endpoint, layer: str, page: Page, limit: int, passthrough: dict[str, str],
                json_type: str = GEOJSON) -> list[dict]:
    path = f"/collections/{layer}/items"
    keep = {k: v for k, v in passthrough.items() if k != "f"}
    out = [
        link(endpoint.url(path, **keep, limit=limit, f="json"), "self", json_type, "Ця сторінка / This page"),
        link(endpoint.url(path, **keep, limit=limit, f="html"), "alternate", HTML, "Ця сторінка (HTML) / This page (HTML)"),
        link(endpoint.url(f"/collections/{layer}"), "collection", JSON, "Колекція / The collection"),
    ]
    if page.next_after:
        out.append(link(endpoint.url(path, **keep, limit=limit, after=page.next_after), "next", json_type,
                        "Наступна сторінка / Next page"))
    if page.prev_before:
        out.append(link(endpoint.url(path, **keep, limit=limit, before=page.prev_before), "prev", json_type,
                        "Попередня сторінка / Previous page"))
    return out


def item_links(endpoint: Endpoint, layer: str, feature_id: str, crs_query: str | None) -> list[dict]:
    path = f"/collections/{layer}/items/{feature_id}"
    return [
        link(endpoint.url(path, crs=crs_query, f="json"), "self", GEOJSON, "Цей об’єкт / This feature"),
        link(endpoint.url(path, crs=crs_query, f="html"), "alternate", HTML, "Цей об’єкт (HTML) / This feature (HTML)"),
        link(endpoint.url(f"/collections/{layer}"), "collection", JSON, "Колекція / The collection"),
    ]

"""OGC API – Tiles (part 1, 1.0) over the vector tiles of :mod:`gisplan.publish.tiles`: the
WebMercatorQuad tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0, JSON encoding), and for
each collection one vector tileset in it, whose tiles are the same Mapbox Vector Tiles as
``/tiles/{layer}/{z}/{x}/{y}.mvt`` (``tileRow`` is ``y``, ``tileCol`` is ``x``).
"""

from __future__ import annotations

import math

from ...settings import TileSettings
from .collections import CollectionInfo
from .endpoint import JSON, Endpoint, link

MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
REL_TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
)

# WebMercatorQuad of OGC 17-083r4 (TMS 2.0), annex D.1: 256-pixel tiles, 0.28 mm pixels
HALF_WORLD = 20037508.3427892
ZOOM0_SCALE = 559082264.028717
ZOOM0_CELL = 156543.033928041


def tile_matrix_set(max_zoom: int = 24) -> dict:
    """The TMS 2.0 JSON definition of WebMercatorQuad, matrices 0 … ``max_zoom``.

    With it the TMS 1.0 members of the same values (``identifier``, ``supportedCRS``, and each
    matrix's ``identifier`` and ``topLeftCorner``): GDAL before 3.7 (Debian 12 has 3.6) reads only
    those, and takes a fetched definition for JSON only when it holds ``identifier`` and
    ``boundingBox``. Extra members are allowed by the 2.0 schema."""
    return {
        "id": TMS_ID,
        "identifier": TMS_ID,
        "supportedCRS": EPSG_3857,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "boundingBox": {"lowerLeft": [-HALF_WORLD, -HALF_WORLD], "upperRight": [HALF_WORLD, HALF_WORLD],
                        "crs": EPSG_3857},
        "tileMatrices": [{
            "id": str(z),
            "scaleDenominator": ZOOM0_SCALE / 2 ** z,
            "cellSize": ZOOM0_CELL / 2 ** z,
            "cornerOfOrigin": "topLeft",
            "pointOfOrigin": [-HALF_WORLD, HALF_WORLD],
            "identifier": str(z),
            "topLeftCorner": [-HALF_WORLD, HALF_WORLD],
            "tileWidth": 256,
            "tileHeight": 256,
            "matrixWidth": 2 ** z,
            "matrixHeight": 2 ** z,
        } for z in range(max_zoom + 1)],
    }


def tile_matrix_sets(endpoint: Endpoint) -> dict:
    return {"tileMatrixSets": [{
        "id": TMS_ID, "title": "Google Maps Compatible for the World", "uri": TMS_URI, "crs": EPSG_3857,
        "links": [link(endpoint.url(f"/tileMatrixSets/{TMS_ID}"), "self", JSON,
                       "Набір матриць тайлів / Tile matrix set")],
    }]}


def _row_col(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    col = int((lon + 180) / 360 * n)
    row = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(row, 0), n - 1), min(max(col, 0), n - 1)


def limits(box: list[float] | None, settings: TileSettings) -> list[dict]:
    """``tileMatrixSetLimits``: the rows and columns that hold the collection's extent, per zoom."""
    west, south, east, north = box or (-180.0, -85.0511287798, 180.0, 85.0511287798)
    out = []
    for z in range(settings.min_zoom, settings.max_zoom + 1):
        min_row, min_col = _row_col(west, north, z)
        max_row, max_col = _row_col(east, south, z)
        out.append({"tileMatrix": str(z), "minTileRow": min_row, "maxTileRow": max_row,
                    "minTileCol": min_col, "maxTileCol": max_col})
    return out


def tileset_path(layer: str) -> str:
    return f"/collections/{layer}/tiles/{TMS_ID}"


def _tileset_links(endpoint: Endpoint, layer: str) -> list[dict]:
    return [
        link(endpoint.url(tileset_path(layer)), "self", JSON, "Набір тайлів / Tileset"),
        link(endpoint.url(f"/tileMatrixSets/{TMS_ID}"), REL_TILING_SCHEME, JSON,
             "Набір матриць тайлів / Tile matrix set"),
        link(endpoint.url(f"/collections/{layer}"), "collection", JSON, "Колекція / The collection"),
    ]


def tilesets_list(endpoint: Endpoint, info: CollectionInfo) -> dict:
    layer = info.layer
    return {
        "links": [link(endpoint.url(f"/collections/{layer.name}/tiles"), "self", JSON,
                       "Набори тайлів / Tilesets")],
        "tilesets": [{
            "title": f"{layer.title.uk} / {layer.title.en}",
            "dataType": "vector",
            "crs": EPSG_3857,
            "tileMatrixSetURI": TMS_URI,
            "links": _tileset_links(endpoint, layer.name)[:2],
        }],
    }


def tileset(endpoint: Endpoint, info: CollectionInfo, settings: TileSettings) -> dict:
    layer = info.layer
    template = endpoint.url(tileset_path(layer.name)) + "/{tileMatrix}/{tileRow}/{tileCol}"
    return {
        "title": f"{layer.title.uk} / {layer.title.en}",
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": limits(info.box(), settings),
        "layers": [{"id": layer.name, "title": f"{layer.title.uk} / {layer.title.en}", "dataType": "vector",
                    "minTileMatrix": str(settings.min_zoom), "maxTileMatrix": str(settings.max_zoom)}],
        "links": [*_tileset_links(endpoint, layer.name),
                  link(template, "item", MVT, "Тайл MVT / Mapbox Vector Tile", templated=True)],
    }

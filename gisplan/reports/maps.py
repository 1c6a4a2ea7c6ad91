"""Static map images of the spatial indicators, drawn by gisplan's own Mapnik renderer
(:mod:`gisplan.publish.wms_render`) over the громада's extent, with the layers the metric reads.

Layers whose publication rule withholds every row (CCTV cameras: security-sensitive) are never
drawn, since a report may be published on the громада's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from ..catalog import catalog
from ..indicators.registry import registry
from ..publish.crs import service_crs
from ..publish.sources import Scope, layer_source
from ..publish.wms_params import MAP_FORMATS, MapRequest
from ..settings import report_settings
from .data import sql

BOUNDARY = "hromady"
MAX_SUBJECT_LAYERS = 3   # a metric reading more layers (a registry check) is not a map


@dataclass
class MapImage:
    metric: str
    title: dict
    layers: list[str]
    png: bytes


def withheld(layer: str) -> bool:
    spec = catalog().get(layer)
    return (spec.publication.row_filter or "").strip().lower() == "false"


def map_layers(metric_code: str) -> list[str] | None:
    """The layers a metric's map shows (boundary first), or None when it is not a map."""
    metric = registry().get(metric_code)
    if metric.kind != "sql":
        return None
    subjects = [n for n in metric.inputs if n != BOUNDARY]
    if not subjects or len(subjects) > MAX_SUBJECT_LAYERS or any(withheld(n) for n in subjects):
        return None
    order = sorted(subjects, key=lambda n: 0 if n == "settlements" else 1)
    return [BOUNDARY, *order]


def extent(conn: Connection, hromada: str) -> tuple[float, float, float, float] | None:
    row = conn.execute(text(sql("hromada_extent_3857")), {"hromada": hromada}).first()
    if row is None or row.xmin is None:
        return None
    pad_x, pad_y = (row.xmax - row.xmin) * 0.04, (row.ymax - row.ymin) * 0.04
    return row.xmin - pad_x, row.ymin - pad_y, row.xmax + pad_x, row.ymax + pad_y


def _fit(bbox: tuple[float, ...], width: int, height: int) -> tuple[float, float, float, float]:
    """Widen the box to the image's aspect, so the map is not stretched."""
    xmin, ymin, xmax, ymax = bbox
    w, h = xmax - xmin, ymax - ymin
    if w / h < width / height:
        grow = (h * width / height - w) / 2
        return xmin - grow, ymin, xmax + grow, ymax
    grow = (w * height / width - h) / 2
    return xmin, ymin - grow, xmax, ymax + grow


def render_layers(conn: Connection, hromada: str, layers: list[str], width: int, height: int) -> bytes | None:
    from ..publish.wms_render import render_map  # Mapnik only where drawn

    box = extent(conn, hromada)
    if box is None:
        return None
    media_type, encoding = MAP_FORMATS["image/png"]
    request = MapRequest("1.3.0", tuple(layers), service_crs("EPSG:3857"), _fit(box, width, height), width, height,
                         media_type, encoding, False, (255, 255, 255), "uk")
    scope = Scope(hromada, full=True)
    sources = [layer_source(catalog().get(n), scope) for n in layers]
    return render_map(request, sources, conn.engine.url, f"report:{scope.key}")


def indicator_maps(conn: Connection, hromada: str | None, bound: list[dict]) -> list[MapImage]:
    """One map per spatial metric bound to the program's indicators (at most ``max_maps``)."""
    s = report_settings()
    if hromada is None:
        return []
    out, seen = [], set()
    for item in bound:
        code = item["metric"]["code"]
        if code in seen or len(out) >= s.max_maps:
            continue
        layers = map_layers(code)
        if layers is None:
            continue
        seen.add(code)
        png = render_layers(conn, hromada, layers, s.map_width, s.map_height)
        if png is None:
            continue
        name = item["metric"]["name"]
        out.append(MapImage(code, {"uk": f"{item['ref']}. {name['uk']}", "en": name["en"]}, layers, png))
    return out

"""GetFeatureInfo: the features under a map pixel, read with SQL from the caller's sources.

The pixel's centre is turned into map coordinates exactly as Mapnik lays out the image (BBOX
stretched to WIDTH×HEIGHT, row 0 at the top), a search box of a few pixels around it is taken back
to EPSG:4326 through the pinned transformations of :mod:`.crs`, and the features meeting that box
come out nearest first. Only the columns the caller may see are read.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection, text

from .crs import transform_bounds, transformer
from .sources import LayerSource
from .templating import render
from .wms_params import InfoRequest

MIN_TOLERANCE_PX = 3


@dataclass
class FoundFeature:
    layer: str
    id: str
    properties: dict
    geometry: dict | None


def pixel_to_map(request: InfoRequest) -> tuple[float, float]:
    """The map coordinates (x, y) of the centre of pixel (I, J)."""
    minx, miny, maxx, maxy = request.map.bbox
    x = minx + (request.i + 0.5) * (maxx - minx) / request.map.width
    y = maxy - (request.j + 0.5) * (maxy - miny) / request.map.height
    return x, y


def tolerance_px(source: LayerSource) -> float:
    """Half the drawn symbol, so a click on a marker finds its feature."""
    if "point" in source.kinds():
        return max(MIN_TOLERANCE_PX, source.layer.style.size / 2 + 1)
    return MIN_TOLERANCE_PX


def _search_box(request: InfoRequest, source: LayerSource) -> tuple[tuple[float, ...], tuple[float, float]]:
    x, y = pixel_to_map(request)
    minx, miny, maxx, maxy = request.map.bbox
    t = tolerance_px(source)
    dx = t * (maxx - minx) / request.map.width
    dy = t * (maxy - miny) / request.map.height
    code = request.map.crs.code
    box = transform_bounds((x - dx, y - dy, x + dx, y + dy), code, "EPSG:4326")
    lon, lat = transformer(code, "EPSG:4326").transform(x, y)
    return box, (lon, lat)


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def query(conn: Connection, request: InfoRequest, sources: list[LayerSource]) -> list[FoundFeature]:
    """Features of the queried layers under the pixel, topmost layer first, nearest first."""
    found: list[FoundFeature] = []
    for source in reversed(sources):  # the last layer drawn is on top
        if not isinstance(source, LayerSource):  # a computed gap / indicator layer, kept in memory
            from .choropleth_info import query as computed

            found += computed(request, source, request.feature_count - len(found))
            if len(found) >= request.feature_count:
                break
            continue
        box, (lon, lat) = _search_box(request, source)
        columns = "".join(f', t."{c}"' for c in source.columns)
        geom = source.geometry_sql
        sql = text(
            f"SELECT ST_AsGeoJSON({geom}, 7) AS __geometry{columns} FROM {source.relation} t "
            f"WHERE {source.where} AND {source.bbox_sql('ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)')} "
            f"AND ST_Intersects({geom}, ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)) "
            f"ORDER BY {geom} <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT :n")
        rows = conn.execute(sql, {"x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3],
                                  "lon": lon, "lat": lat, "n": request.feature_count})
        for row in rows:
            m = dict(row._mapping)
            geometry = m.pop("__geometry")
            props = {k: _plain(v) for k, v in m.items()}
            found.append(FoundFeature(source.layer.name, str(props.get("id")), props,
                                      json.loads(geometry) if geometry else None))
        if len(found) >= request.feature_count:
            break
    return found[: request.feature_count]


def _shown(source: LayerSource, column: str, value, lang: str) -> str:
    """A value as a person reads it: enum and status labels, yes/no, empty for null."""
    if value is None:
        return ""
    layer = source.layer
    spec = layer.fields.get(column)
    if spec is not None and spec.values and str(value) in spec.values:
        return getattr(spec.values[str(value)], lang)
    if column == "status" and str(value) in layer.statuses:
        return getattr(layer.statuses[str(value)], lang)
    if isinstance(value, bool):
        return {"uk": ("так", "ні"), "en": ("yes", "no")}[lang][0 if value else 1]
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    unit = f" {spec.unit}" if spec is not None and spec.unit else ""
    return f"{value}{unit}"


def _plain_shown(value, lang: str) -> str:
    """A computed layer's value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return {"uk": ("так", "ні"), "en": ("yes", "no")}[lang][0 if value else 1]
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _groups(features: list[FoundFeature], sources: list[LayerSource], lang: str) -> list[dict]:
    by_name = {s.layer.name: s for s in sources}
    groups: list[dict] = []
    for f in features:
        source = by_name[f.layer]
        if not groups or groups[-1]["name"] != f.layer:
            groups.append({"name": f.layer, "title": getattr(source.layer.title, lang), "features": []})
        if not isinstance(source, LayerSource):  # a computed gap / indicator layer
            from .choropleth_info import rows as computed_rows

            rows = computed_rows(source, f.properties, lang, _plain_shown)
            groups[-1]["features"].append({"id": f.id, "rows": rows})
            continue
        rows = [{"name": c, "label": source.layer.label(c, lang), "value": _shown(source, c, f.properties.get(c), lang),
                 "raw": "" if f.properties.get(c) is None else str(f.properties.get(c))}
                for c in source.columns]
        groups[-1]["features"].append({"id": f.id, "rows": rows})
    return groups


def encode(features: list[FoundFeature], sources: list[LayerSource], info_format: str, lang: str) -> tuple[bytes, str]:
    """The response body and media type for INFO_FORMAT."""
    if info_format == "application/json":
        doc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": f.id, "layer": f.layer, "geometry": f.geometry, "properties": f.properties}
            for f in features]}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"
    groups = _groups(features, sources, lang)
    if info_format == "text/xml":
        return render("featureinfo.xml", groups=groups).encode("utf-8"), "text/xml; charset=utf-8"
    return (render("featureinfo.html", groups=groups, lang=lang).encode("utf-8"),
            "text/html; charset=utf-8")

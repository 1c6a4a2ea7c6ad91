"""Static maps of the coverage-gap layers (gisplan.gaps) that concern the program's spatial
indicators: the громада's boundary and settlements from PostGIS, the gap features on top from the
gap's GeoJSON, drawn by Mapnik with the same styles and projection as the indicator maps."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import Connection

from ..catalog import catalog
from ..gaps.compute import gap_collection
from ..gaps.registry import gaps
from ..publish.crs import service_crs
from ..publish.sources import Scope, layer_source
from ..settings import report_settings
from .maps import BOUNDARY, _fit, extent

BASE_LAYERS = (BOUNDARY, "settlements")
GAP_STYLE = """<Style name="gap">
  <Rule><Filter>[mapnik::geometry_type] = polygon</Filter>
    <PolygonSymbolizer fill="#d9534f" fill-opacity="0.5" /><LineSymbolizer stroke="#9e2a26" stroke-width="0.8" /></Rule>
  <Rule><Filter>[mapnik::geometry_type] = point</Filter>
    <MarkersSymbolizer fill="#d9534f" stroke="#7a1c19" stroke-width="1" width="10" height="10" allow-overlap="true" /></Rule>
</Style>"""


def relevant_gaps(bound: list[dict]) -> list[str]:
    """Gaps reading a layer that one of the program's bound metrics reads (besides the territory)."""
    from ..indicators.registry import registry

    layers = {n for item in bound for n in registry().get(item["metric"]["code"]).inputs} - set(BASE_LAYERS)
    return [name for name, spec in gaps().items() if layers & (set(spec.inputs) - set(BASE_LAYERS))]


def map_document(conn: Connection, hromada: str, features: list[dict]) -> str:
    from ..publish.wms_render import db_params

    scope = Scope(hromada, full=True)
    sources = [layer_source(catalog().get(n), scope) for n in BASE_LAYERS]
    from ..publish.mapnik_styles import map_xml

    root = ET.fromstring(map_xml(sources, db_params(conn.engine.url)))
    root.insert(0, ET.fromstring(GAP_STYLE))
    layer = ET.SubElement(root, "Layer", {"name": "gap", "srs": "epsg:4326"})
    ET.SubElement(layer, "StyleName").text = "gap"
    ds = ET.SubElement(layer, "Datasource")
    ET.SubElement(ds, "Parameter", {"name": "type"}).text = "geojson"
    ET.SubElement(ds, "Parameter", {"name": "inline"}).text = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return ET.tostring(root, encoding="unicode")


def render_gap(conn: Connection, hromada: str, features: list[dict], width: int, height: int) -> bytes | None:
    import mapnik

    from ..publish import wms_render

    box = extent(conn, hromada)
    if box is None:
        return None
    m = mapnik.Map(width, height)
    mapnik.load_map_from_string(m, map_document(conn, hromada, features), False,
                                str(Path(wms_render.__file__).parent))
    m.srs = service_crs("EPSG:3857").proj
    m.background = mapnik.Color(255, 255, 255, 255)
    m.zoom_to_box(mapnik.Box2d(*_fit(box, width, height)))
    image = mapnik.Image(width, height)
    mapnik.render(m, image)
    return image.to_string("png32:z=3")


def gap_maps(conn: Connection, hromada: str | None, bound: list[dict], as_of: dt.date) -> list[dict]:
    s = report_settings()
    if hromada is None:
        return []
    out = []
    for name in relevant_gaps(bound)[: s.max_maps]:
        fc = gap_collection(conn, hromada, name, as_of)
        features = [{"type": "Feature", "geometry": f["geometry"], "properties": {}}
                    for f in fc["features"] if f["geometry"]]
        if not features:
            continue
        png = render_gap(conn, hromada, features, s.map_width, s.map_height)
        if png is None:
            continue
        summary = ", ".join(f"{k}: {v}" for k, v in fc["summary"].items())
        out.append({"gap": name, "title": fc["name"], "summary": summary, "png": png})
    return out

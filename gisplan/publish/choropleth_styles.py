"""Mapnik layers of the computed (gap / indicator) layers: the kept features as an inline GeoJSON
datasource, one rule per class (polygons filled, points as discs in the class colour), labels with
the settlement or громада name at large scales."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .choropleth_data import ChoroplethSource
from .choropleth_layers import NO_VALUE_COLOUR

OUTLINE = "#4d4d4d"
POINT_SIZE = 12


def _rule(style: ET.Element, cls: int, colour: str, kind: str) -> None:
    rule = ET.SubElement(style, "Rule")
    ET.SubElement(rule, "Filter").text = f"([cls] = {cls}) and ([mapnik::geometry_type] = {kind})"
    if kind == "polygon":
        ET.SubElement(rule, "PolygonSymbolizer", fill=colour, **{"fill-opacity": "1"})
        ET.SubElement(rule, "LineSymbolizer", stroke=OUTLINE, **{"stroke-width": "0.6"})
    else:
        ET.SubElement(rule, "MarkersSymbolizer", **{
            "fill": colour, "stroke": OUTLINE, "stroke-width": "1", "width": str(POINT_SIZE),
            "height": str(POINT_SIZE), "marker-type": "ellipse", "placement": "point",
            "allow-overlap": "true", "ignore-placement": "true"})


def add_choropleth(root: ET.Element, source: ChoroplethSource) -> None:
    """Append the style and the layer of ``source`` to a Mapnik XML map."""
    if not any(f["geometry"] for f in source.features):
        return  # nothing to draw (Mapnik's GeoJSON datasource refuses an empty collection)
    name = source.layer.name
    style = ET.SubElement(root, "Style", name=f"{name}-classes", **{"filter-mode": "first"})
    colours = [c.colour for c in source.layer.classes] + [NO_VALUE_COLOUR]
    for kind in ("polygon", "point"):
        for cls, colour in enumerate(colours):
            _rule(style, cls, colour, kind)
    layer = ET.SubElement(root, "Layer", name=name, srs="epsg:4326")
    ET.SubElement(layer, "StyleName").text = f"{name}-classes"
    ds = ET.SubElement(layer, "Datasource")
    for key, value in {"type": "geojson", "inline": source.geojson(), "cache_features": "true"}.items():
        ET.SubElement(ds, "Parameter", name=key).text = value

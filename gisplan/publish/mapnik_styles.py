"""Mapnik map definitions (Mapnik XML) generated from ``layers/*.yaml``.

Each layer becomes one PostGIS datasource over its :class:`~.sources.LayerSource` (the pub view or
the full table, a SQL subquery that Mapnik filters with ``!bbox!`` so the spatial index is used)
and one style per geometry kind: the layer's rules in file order, first match wins, then the
default symbol. Labels are a separate style (drawn above the symbols), in a Cyrillic-capable font,
shown only at large scales. ``style.min_zoom`` becomes the layer's maximum scale denominator.
The same :func:`categories` drive the legend. Computed gap and indicator layers are added by
:mod:`.choropleth_styles`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..catalog import LayerSpec, Text
from ..settings import wms_settings

POOL_PER_RENDER = 10  # PostGIS connections Mapnik may open per render slot (maps of up to ~10 layers)
from .crs import UKRAINE_LONLAT
from .sources import LayerSource

SYMBOLS_DIR = Path(__file__).with_name("symbols")
LABEL_FONT = "DejaVu Sans Book"   # in Mapnik's wheel and Debian's fonts-dejavu-core; has Cyrillic
# scale denominator of zoom level z on a 256-pixel web-mercator grid: ZOOM0_SCALE / 2**z
ZOOM0_SCALE = 559_082_264.028
LABEL_MAX_SCALE = {"point": 150_000, "line": 600_000, "polygon": 2_200_000}
# the layer envelope given to Mapnik instead of an extent scan: Ukraine with a margin
LAYER_EXTENT = (UKRAINE_LONLAT[0] - 1, UKRAINE_LONLAT[1] - 1, UKRAINE_LONLAT[2] + 1, UKRAINE_LONLAT[3] + 1)
OTHER = Text(uk="інше", en="other")
# pixels drawn beyond the image edge, so markers and labels on the edge are not cut
BUFFER_PX = 16


@dataclass(frozen=True)
class Look:
    symbol: str
    fill: str
    fill_opacity: float
    stroke: str
    stroke_width: float
    size: float


@dataclass(frozen=True)
class Category:
    """One legend entry and one rule: features where ``field`` equals ``value`` (None: the rest)."""

    label: Text
    look: Look
    field: str | None = None
    value: object = None


def categories(source: LayerSource) -> list[Category]:
    """The layer's style rules the caller's columns allow, then the default symbol."""
    style = source.layer.style
    base = Look(style.symbol, style.fill, style.fill_opacity, style.stroke, style.stroke_width, style.size)
    out: list[Category] = []
    for rule in style.rules:
        if not source.has(rule.field):
            continue  # a rule on a hidden field would show hidden data
        look = Look(base.symbol, rule.fill or base.fill, base.fill_opacity, rule.stroke or base.stroke,
                    base.stroke_width, rule.size or base.size)
        out.append(Category(rule.label or _value_label(source.layer, rule.field, rule.value), look,
                            rule.field, rule.value))
    out.append(Category(OTHER if out else source.layer.title, base))
    return out


def _value_label(layer: LayerSpec, field: str, value) -> Text:
    spec = layer.fields.get(field)
    if spec is not None and spec.values and str(value) in spec.values:
        v = spec.values[str(value)]
        return Text(uk=v.uk, en=v.en)
    if field == "status" and str(value) in layer.statuses:
        v = layer.statuses[str(value)]
        return Text(uk=v.uk, en=v.en)
    return Text(uk=str(value), en=str(value))


def _literal(value) -> str:
    """A value in a Mapnik filter expression."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _filter(category: Category, kind: str | None) -> str | None:
    parts = []
    if category.field is not None:
        parts.append(f"([{category.field}] = {_literal(category.value)})")
    if kind is not None:
        parts.append(_kind_filter(kind))
    return " and ".join(parts) or None


def _kind_filter(kind: str) -> str:
    return f"([mapnik::geometry_type] = {'linestring' if kind == 'line' else kind})"


def _symbolizers(rule: ET.Element, look: Look, kind: str) -> None:
    if kind == "polygon":
        ET.SubElement(rule, "PolygonSymbolizer", fill=look.fill, **{"fill-opacity": f"{look.fill_opacity:g}"})
        ET.SubElement(rule, "LineSymbolizer", stroke=look.stroke, **{"stroke-width": f"{look.stroke_width:g}"})
    elif kind == "line":
        ET.SubElement(rule, "LineSymbolizer", stroke=look.stroke, **{
            "stroke-width": f"{look.stroke_width:g}", "stroke-linecap": "round", "stroke-linejoin": "round"})
    else:
        attrs = {"fill": look.fill, "stroke": look.stroke, "stroke-width": "1",
                 "width": f"{look.size:g}", "height": f"{look.size:g}", "placement": "point",
                 "allow-overlap": "true", "ignore-placement": "true"}
        if look.symbol in ("square", "triangle", "star"):
            attrs["file"] = str(SYMBOLS_DIR / f"{look.symbol}.svg")
        else:
            attrs["marker-type"] = "ellipse"
        ET.SubElement(rule, "MarkersSymbolizer", **attrs)


def _scale_limit(layer: LayerSpec) -> float | None:
    if layer.style.min_zoom is None:
        return None
    return ZOOM0_SCALE / 2 ** layer.style.min_zoom * 1.001


def _add_styles(root: ET.Element, source: LayerSource) -> list[str]:
    names = []
    kinds = source.kinds()
    cats = categories(source)
    max_scale = _scale_limit(source.layer)
    for kind in kinds:
        name = f"{source.layer.name}-{kind}"
        style = ET.SubElement(root, "Style", name=name, **{"filter-mode": "first"})
        for cat in cats:
            rule = ET.SubElement(style, "Rule")
            if max_scale:
                ET.SubElement(rule, "MaxScaleDenominator").text = f"{max_scale:.0f}"
            expr = _filter(cat, kind if len(kinds) > 1 else None)
            if expr:
                ET.SubElement(rule, "Filter").text = expr
            _symbolizers(rule, cat.look, kind)
        names.append(name)
    label = source.layer.style.label_field
    if label and source.has(label):
        name = f"{source.layer.name}-labels"
        style = ET.SubElement(root, "Style", name=name)
        for kind in kinds:
            rule = ET.SubElement(style, "Rule")
            limit = LABEL_MAX_SCALE[kind] if max_scale is None else min(LABEL_MAX_SCALE[kind], max_scale)
            ET.SubElement(rule, "MaxScaleDenominator").text = f"{limit:.0f}"
            if len(kinds) > 1:
                ET.SubElement(rule, "Filter").text = _kind_filter(kind)
            attrs = {"face-name": LABEL_FONT, "size": "11" if kind == "polygon" else "10",
                     "fill": "#1a1a1a", "halo-fill": "#ffffff", "halo-radius": "1.5",
                     "placement": {"point": "point", "line": "line", "polygon": "interior"}[kind],
                     "wrap-width": "90", "avoid-edges": "false"}
            if kind == "point":
                attrs["dy"] = f"{-(source.layer.style.size / 2 + 7):g}"
            ET.SubElement(rule, "TextSymbolizer", **attrs).text = f"[{label}]"
        names.append(name)
    return names


def subquery(source: LayerSource) -> str:
    """The SQL Mapnik reads: the drawn geometry, the columns styles and labels use, in the bbox."""
    used = {c.field for c in categories(source) if c.field}
    if source.layer.style.label_field and source.has(source.layer.style.label_field):
        used.add(source.layer.style.label_field)
    columns = "".join(f', t."{c}"' for c in sorted(used))
    return (f"(SELECT {source.geometry_sql} AS geom{columns} FROM {source.relation} t "
            f"WHERE {source.where} AND {source.bbox_sql('!bbox!')}) AS features")


def map_xml(sources: list[LayerSource], db: dict[str, str]) -> str:
    """A Mapnik XML map of ``sources`` in drawing order; srs, size and extent are set per request."""
    root = ET.Element("Map", srs="epsg:4326", **{"buffer-size": str(BUFFER_PX)})
    for source in sources:
        if not isinstance(source, LayerSource):  # a computed gap / indicator layer
            from .choropleth_styles import add_choropleth

            add_choropleth(root, source)
            continue
        style_names = _add_styles(root, source)
        layer = ET.SubElement(root, "Layer", name=source.layer.name, srs="epsg:4326")
        max_scale = _scale_limit(source.layer)
        if max_scale:
            layer.set("maximum-scale-denominator", f"{max_scale:.0f}")
        for name in style_names:
            ET.SubElement(layer, "StyleName").text = name
        ds = ET.SubElement(layer, "Datasource")
        params = {
            "type": "postgis", **db,
            "table": subquery(source),
            "geometry_field": "geom", "srid": "4326",
            "extent": ",".join(f"{v:g}" for v in LAYER_EXTENT), "estimate_extent": "false",
            "persist_connection": "true", "initial_size": "1",
            # a render may hold one connection per layer of its map until it ends: with fewer
            # connections than slots × layers, concurrent multi-layer renders starve each other
            "max_size": str(POOL_PER_RENDER * wms_settings().render_concurrency),
        }
        for key, value in params.items():
            ET.SubElement(ds, "Parameter", name=key).text = str(value)
    return ET.tostring(root, encoding="unicode")

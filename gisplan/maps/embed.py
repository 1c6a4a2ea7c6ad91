"""``/{code}/embed/{layer}``: one public layer of a громада as a self-contained folium page."""

from __future__ import annotations

import html
import re

import folium
from sqlalchemy import Connection

from ..catalog import LayerSpec
from ..features import list_features
from ..settings import residents_settings
from .local_assets import local_map, strip_remote

MAX_FEATURES = 5000
# folium's page forbids zooming the page (maximum-scale=1, user-scalable=no): WCAG 1.4.4 wants it
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _style(layer: LayerSpec):
    st = layer.style

    def style(_feature):
        return {"color": st.stroke, "fillColor": st.fill, "weight": max(st.stroke_width, 2),
                "fillOpacity": st.fill_opacity}
    return style


def embed_page(conn: Connection, layer: LayerSpec, hromada: str, hromada_name: str, lang: str) -> str:
    """The page's HTML: the layer's public features, fitted to their extent, with credits."""
    collection = list_features(conn, layer.name, public=True, hromada=hromada, limit=MAX_FEATURES)
    features = [f for f in collection.features if f.get("geometry")]
    title = getattr(layer.title, lang)
    m = local_map(location=[49.0, 31.0], zoom_start=6, control_scale=True,
                  attribution_control=True)
    s = residents_settings()
    if s.osm_background:
        folium.TileLayer(tiles=s.osm_tile_url, attr=s.osm_attribution, name="OpenStreetMap").add_to(m)
    fields = [f for f in (layer.style.label_field, "address", "category") if f and f in layer.fields]
    labels = [getattr(layer.fields[f].label, lang) for f in fields]
    gj = folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=title, style_function=_style(layer),
        marker=folium.CircleMarker(radius=6, weight=2),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=labels) if fields else None,
        attr=f"{hromada_name}: {title}",
    )
    gj.add_to(m)
    if features:
        m.fit_bounds(gj.get_bounds())
    m.get_root().html.add_child(folium.Element(
        f'<p style="position:absolute;bottom:0;left:0;margin:0;padding:2px 6px;background:#fff;'
        f'font:12px sans-serif;z-index:1000">{html.escape(hromada_name)} — {html.escape(title)} '
        f'({len(features)}) · gisplan</p>'))
    m.get_root().header.add_child(folium.Element(f"<title>{html.escape(title)} — {html.escape(hromada_name)}</title>"))
    strip_remote(m)
    page = _VIEWPORT.sub(VIEWPORT, m.get_root().render(), count=1)
    return page.replace('<html>', f'<html lang="{lang}">', 1)

"""folium with gisplan's local assets: its default CDN links (jsDelivr, Bootstrap, Font Awesome,
jQuery) are replaced by the npm-installed Leaflet that gisplan serves under ``/static/vendor``.

The maps built here use plain Leaflet only (GeoJSON layers, popups, tooltips), so the plugins
folium links by default are not needed and are left out rather than pointed at another site.
"""

from __future__ import annotations

import folium

LEAFLET_JS = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/vendor/leaflet/leaflet.css")]


def local_map(**kwargs) -> folium.Map:
    """A folium map with no tiles from another origin and local Leaflet."""
    m = folium.Map(tiles=None, **kwargs)
    m.default_js = list(LEAFLET_JS)
    m.default_css = list(LEAFLET_CSS)
    return m


def strip_remote(element: folium.MacroElement) -> None:
    """Child elements (GeoJson, tooltips) may declare assets of their own: keep local ones only."""
    for child in element._children.values():
        for attr in ("default_js", "default_css"):
            if getattr(child, attr, None):
                setattr(child, attr, [(n, u) for n, u in getattr(child, attr) if u.startswith("/")])
        strip_remote(child)

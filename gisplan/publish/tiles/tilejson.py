"""TileJSON 3.0.0 documents of the vector tiles: one layer, nationally or in one громада."""

from __future__ import annotations

from sqlalchemy import text

from ...catalog import LayerSpec
from ..sources import Scope, layer_source
from .service import TileService
from .state import read_sql

TILEJSON_VERSION = "3.0.0"


def tilejson(service: TileService, layer: LayerSpec, scope: Scope, tiles_url: str) -> dict:
    """``tiles_url`` is the template ``…/{z}/{x}/{y}.mvt``; bounds are the boxes of the datasets."""
    source = layer_source(layer, scope)
    with service.engine.connect() as conn:
        found = conn.execute(text(read_sql("bounds.sql")),
                             {"layer": layer.name, "full": scope.full, "hromada": scope.hromada}).one()
    bounds = None if found.west is None else (found.west, found.south, found.east, found.north)
    s = service.settings
    fields = {c: f"{layer.label(c, 'uk')} / {layer.label(c, 'en')}" for c in source.columns}
    doc = {
        "tilejson": TILEJSON_VERSION,
        "name": layer.name,
        "description": f"{layer.title.uk} / {layer.title.en}",
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": s.min_zoom,
        "maxzoom": s.max_zoom,
        "vector_layers": [{"id": layer.name, "description": f"{layer.title.uk} / {layer.title.en}",
                           "minzoom": s.min_zoom, "maxzoom": s.max_zoom, "fields": fields}],
        "attribution": "gisplan: опубліковані набори даних громад / published datasets of the громади",
        "datasets": int(found.datasets),
    }
    if bounds is not None:
        west, south, east, north = (round(v, 6) for v in bounds)
        doc["bounds"] = [west, south, east, north]
        zoom = max(s.min_zoom, min(s.max_zoom, 10 if scope.hromada else 6))
        doc["center"] = [round((west + east) / 2, 6), round((south + north) / 2, 6), zoom]
    return doc

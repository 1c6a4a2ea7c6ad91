"""TileJSON 3.0.0 documents of the vector tiles: one layer, nationally or in one громада."""

from __future__ import annotations

from sqlalchemy import text

from ...catalog import LayerSpec
from ..sources import Scope, layer_source
from .service import TileService
from .state import read_sql

TILEJSON_VERSION = "3.0.0"


def _union(boxes) -> tuple[float, float, float, float] | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def tilejson(service: TileService, layer: LayerSpec, scope: Scope, tiles_url: str) -> dict:
    """``tiles_url`` is the template ``…/{z}/{x}/{y}.mvt``; bounds are the extents of the datasets."""
    source = layer_source(layer, scope)
    with service.engine.connect() as conn:
        rows = conn.execute(text(read_sql("datasets.sql")),
                            {"layer": layer.name, "full": scope.full, "hromada": scope.hromada}).all()
        counters = {r.hromada: int(r.change_count) for r in rows}
        bounds = _union(service.extents.boxes(conn, layer, counters).values())
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
        "datasets": len(counters),
    }
    if bounds is not None:
        west, south, east, north = (round(v, 6) for v in bounds)
        doc["bounds"] = [west, south, east, north]
        zoom = max(s.min_zoom, min(s.max_zoom, 10 if scope.hromada else 6))
        doc["center"] = [round((west + east) / 2, 6), round((south + north) / 2, 6), zoom]
    return doc

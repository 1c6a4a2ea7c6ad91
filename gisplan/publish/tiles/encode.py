"""One tile of one layer, encoded by PostGIS: ``ST_AsMVT`` over ``tile.sql``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from ..sources import LayerSource
from .grid import TileAddress
from .state import geometry_expression, read_sql

# Attribute types MVT holds as they are; the others (uuid, dates, lists, json) travel as text.
NATIVE_TYPES = {"text", "url", "enum", "integer", "number", "boolean"}
NATIVE_COMMON = {"code", "katottg", "hromada", "status", "version", "source"}


@dataclass(frozen=True)
class TileOptions:
    extent: int = 4096
    buffer: int = 64
    simplify_cells: float = 1.0

    @property
    def margin(self) -> float:
        """The buffer as a fraction of the tile width."""
        return self.buffer / self.extent


def attribute_sql(source: LayerSource) -> str:
    fields = source.layer.fields
    out = []
    for c in source.columns:
        native = c in NATIVE_COMMON or (c in fields and fields[c].type in NATIVE_TYPES)
        out.append(f't."{c}"' if native else f't."{c}"::text AS "{c}"')
    return ", ".join(out)


def tile_sql(source: LayerSource) -> str:
    return (read_sql("tile.sql")
            .replace("{columns}", attribute_sql(source))
            .replace("{geometry}", geometry_expression(source.layer))
            .replace("{bbox}", source.bbox_sql("tile.area"))
            .replace("{relation}", source.relation)
            .replace("{where}", source.where))


def encode_tile(conn: Connection, source: LayerSource, tile: TileAddress, options: TileOptions) -> tuple[bytes, int]:
    """The tile's bytes (empty when no feature meets it) and its number of features."""
    west, south, east, north = tile.lonlat_bounds(options.margin)
    row = conn.execute(text(tile_sql(source)), {
        "z": tile.z, "x": tile.x, "y": tile.y, "west": west, "south": south, "east": east, "north": north,
        "tolerance": tile.simplify_tolerance(options.extent, options.simplify_cells),
        "extent": options.extent, "buffer": options.buffer, "name": source.layer.name,
    }).one()
    return (bytes(row.mvt) if row.n else b""), int(row.n)

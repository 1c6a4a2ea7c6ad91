"""What a tile depends on: the datasets (layer × громада) whose box meets the tile, with their change
counters from the ``dataset`` table.

The tile's content is a function of the rows of exactly those datasets, so their (громада, change
counter) pairs, with the scope, the columns shown and the publication rule, are the tile's version: its
strong ETag and its cache key. An edit in one громада changes the counter of that dataset only, so
tiles of other datasets keep their ETag and stay cached.

Each dataset's box is ``dataset.extent`` (migration 0014), kept by triggers on the layer tables
(``gisplan/db/sql/dataset_extent.sql``): it grows with every feature inserted or updated, so it always
holds every feature of the dataset (a deletion or a move away leaves it larger until
:func:`.extents.recompute`). A tile's state is then one indexed query for the tile's area
(``datasets_met.sql``) that returns one row: the number of datasets met and a digest of their counters.
Its cost follows the datasets the tile meets, not the datasets of the layer (1 466 nationally), and
nothing is kept in the process, so every worker answers from the database's current state.

Read the state before drawing: a tile drawn from newer rows than its key is harmless (the next request
sees the newer counter and draws again); the reverse cannot happen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, TextClause, text

from ...catalog import LayerSpec
from ..response_cache import StateReader
from ..sources import LayerSource, Scope
from .grid import TileAddress

SQL_DIR = Path(__file__).parent


@lru_cache
def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def geometry_expression(layer: LayerSpec) -> str:
    cols = [f't."{c}"' for c in ("geom", *layer.extra_geometries)]
    return cols[0] if len(cols) == 1 else f"coalesce({', '.join(cols)})"


@dataclass(frozen=True)
class TileState:
    layer: str
    scope: Scope
    tile: TileAddress
    datasets: int                           # how many datasets the tile meets
    counters: str                           # digest of their (громада, change counter) pairs
    columns: tuple[str, ...]                # the attributes shown
    row_filter: str                         # the catalogue's publication rule for the pub view

    @property
    def digest(self) -> str:
        parts = (self.layer, self.scope.key, self.tile.z, self.tile.x, self.tile.y, self.datasets, self.counters,
                 self.columns, "" if self.scope.full else self.row_filter)
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


@lru_cache
def statement(name: str) -> TextClause:
    """The SQL file as a statement, made once (a tile's state is read on every request)."""
    return text(read_sql(name))


def tile_state(conn: Connection | StateReader, source: LayerSource, scope: Scope, tile: TileAddress,
               margin: float) -> TileState:
    """The datasets of ``source`` whose box meets the tile (with its buffer ``margin``), read in
    ``conn`` or by a :class:`StateReader` (its own autocommit connections: no pool round trip)."""
    west, south, east, north = tile.lonlat_bounds(margin)
    params = {"layer": source.layer.name, "full": scope.full, "hromada": scope.hromada,
              "west": west, "south": south, "east": east, "north": north}
    if isinstance(conn, StateReader):
        datasets, counters = conn.row(read_sql("datasets_met.sql"), params)
    else:
        datasets, counters = conn.execute(statement("datasets_met.sql"), params).one()
    return TileState(source.layer.name, scope, tile, int(datasets), counters, source.columns,
                     source.layer.publication.row_filter or "")

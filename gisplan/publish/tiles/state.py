"""What a tile depends on: the datasets (layer × громада) whose extent meets the tile, with their
change counters from the ``dataset`` table.

The tile's content is a function of the rows of exactly those datasets, so the sorted list of their
(громада, change counter) pairs, with the scope, the columns shown and the publication rule, is the
tile's version: its strong ETag and its cache key. An edit in one громада changes the counter of that
dataset only, so tiles of other datasets keep their ETag and stay cached. A dataset's extent is read
from its table once per change of its counter and kept in process (a box per dataset, never a table
scan per tile). Read the counters before drawing: a tile drawn from newer rows than its key is
harmless (the next request sees the newer counter and draws again); the reverse cannot happen.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, text

from ...catalog import LayerSpec
from ..sources import LayerSource, Scope
from .grid import TileAddress

SQL_DIR = Path(__file__).parent
Box = tuple[float, float, float, float]


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
    datasets: tuple[tuple[str, int], ...]   # (громада, change counter) of the datasets met
    columns: tuple[str, ...]                # the attributes shown
    row_filter: str                         # the catalogue's publication rule for the pub view

    @property
    def digest(self) -> str:
        parts = (self.layer, self.scope.key, self.tile.z, self.tile.x, self.tile.y, self.datasets, self.columns,
                 "" if self.scope.full else self.row_filter)
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


class DatasetExtents:
    """Boxes of the datasets, each valid for one change counter; thread-safe."""

    def __init__(self):
        self._boxes: dict[tuple[str, str], tuple[int, Box | None]] = {}
        self._lock = threading.Lock()
        self.kept = DatasetBoxes()  # the datasets of each layer and scope, with their boxes

    def boxes(self, conn: Connection, layer: LayerSpec, counters: dict[str, int]) -> dict[str, Box | None]:
        """The box of each dataset of ``counters`` (громада → change counter); the stale ones are
        read again, all in one grouped query."""
        with self._lock:
            known = {h: self._boxes.get((layer.name, h)) for h in counters}
        stale = [h for h, k in known.items() if k is None or k[0] != counters[h]]
        out = {h: k[1] for h, k in known.items() if k is not None and h not in stale}
        if stale:
            sql = read_sql("extent.sql").replace("{table}", layer.table) \
                .replace("{geometry}", geometry_expression(layer))
            found = {r.hromada: (r.west, r.south, r.east, r.north)
                     for r in conn.execute(text(sql), {"hromady": stale}) if r.west is not None}
            with self._lock:
                for h in stale:
                    out[h] = found.get(h)
                    self._boxes[(layer.name, h)] = (counters[h], out[h])
        return out


def _meets(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class DatasetBoxes:
    """The (громада, change counter, box) of the datasets of each layer and tile scope, kept with the
    aggregate of ``datasets_state.sql`` they were read at: while it has not moved, a tile reads that
    one row instead of every dataset of the layer (1 466 nationally), so the state of a tile costs
    the same at national scale as for one громада (bench/national_scale.py). Thread-safe, bounded."""

    def __init__(self, max_entries: int = 512):
        self._kept: dict[tuple, tuple[tuple, tuple]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def datasets(self, conn: Connection, source: LayerSource, scope: Scope,
                 extents: DatasetExtents) -> tuple[tuple[str, int, Box | None], ...]:
        params = {"layer": source.layer.name, "full": scope.full, "hromada": scope.hromada}
        version = tuple(conn.execute(text(read_sql("datasets_state.sql")), params).one())
        key = (source.layer.name, scope.full, scope.hromada)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        rows = conn.execute(text(read_sql("datasets.sql")), params).all()
        counters = {row.hromada: int(row.change_count) for row in rows}
        boxes = extents.boxes(conn, source.layer, counters)
        found = tuple((h, n, boxes[h]) for h, n in counters.items())
        with self._lock:
            if len(self._kept) >= self.max_entries:
                self._kept.clear()
            self._kept[key] = (version, found)
        return found



def tile_state(conn: Connection, source: LayerSource, scope: Scope, tile: TileAddress, margin: float,
               extents: DatasetExtents) -> TileState:
    """The datasets of ``source`` whose extent meets the tile (with its buffer ``margin``)."""
    area = tile.lonlat_bounds(margin)
    met = tuple((h, n) for h, n, box in extents.kept.datasets(conn, source, scope, extents)
                if box is not None and _meets(box, area))
    return TileState(source.layer.name, scope, tile, met, source.columns,
                     source.layer.publication.row_filter or "")

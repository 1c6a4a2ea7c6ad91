"""Where a layer's features come from for one caller: the ``pub`` view (anonymous callers) or the
full table (a signed-in reader of the громада at ``/{code}/ows``), and which columns they may see.

Everything the view service reads goes through :func:`layer_source`, so rendering, feature info and
styles cannot reach a column or a row the caller may not see: a style rule or label on a
non-public field is dropped for anonymous callers rather than drawn from hidden data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import KATOTTG_RE, LayerSpec
from ..db.derived import pub_columns
from ..db.layer_tables import data_columns

GEOMETRY_KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line",
                  "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


@dataclass(frozen=True)
class Scope:
    """What a request may read: one громада or all (``hromada`` None), pub views or full tables."""

    hromada: str | None = None
    full: bool = False

    def __post_init__(self):
        if self.hromada is not None and not KATOTTG_RE.match(self.hromada):
            raise ValueError(f"not a КАТОТТГ code: {self.hromada!r}")
        if self.full and self.hromada is None:
            raise ValueError("full tables are read for one громада only")

    @property
    def key(self) -> str:
        return f"{'full' if self.full else 'pub'}:{self.hromada or '*'}"


@dataclass(frozen=True)
class LayerSource:
    layer: LayerSpec
    relation: str                 # pub."shelters" or public."shelters"
    columns: tuple[str, ...]      # attribute columns the caller may see (no geometry)
    geometry_columns: tuple[str, ...]   # "geom" and the extra geometries, in that order
    where: str                    # SQL condition without the bbox (the громада filter), or "true"

    @property
    def geometry_sql(self) -> str:
        """The geometry drawn: the layer's own, else its extra geometries (a settlement known only
        as a point), as features.py does."""
        cols = [f't."{c}"' for c in self.geometry_columns]
        return cols[0] if len(cols) == 1 else f"coalesce({', '.join(cols)})"

    def bbox_sql(self, envelope: str) -> str:
        """A condition that uses the spatial indexes: any geometry column meets ``envelope``."""
        return "(" + " OR ".join(f't."{c}" && {envelope}' for c in self.geometry_columns) + ")"

    def kinds(self) -> tuple[str, ...]:
        """Geometry kinds the layer can hold: point, line, polygon (all three for "Geometry")."""
        specs = [self.layer.geometry, *self.layer.extra_geometries.values()]
        found: list[str] = []
        for spec in specs:
            for kind in ([GEOMETRY_KINDS[spec.type]] if spec.type in GEOMETRY_KINDS
                         else ["polygon", "line", "point"]):
                if kind not in found:
                    found.append(kind)
        order = ("polygon", "line", "point")
        return tuple(k for k in order if k in found)

    def has(self, column: str) -> bool:
        return column in self.columns


def layer_source(layer: LayerSpec, scope: Scope) -> LayerSource:
    geometry_columns = ("geom", *layer.extra_geometries)
    if scope.full:
        visible = [c for c in data_columns(layer) if c not in geometry_columns]
        relation = f'public."{layer.table}"'
    else:
        visible = [c for c in pub_columns(layer) if c not in geometry_columns]
        relation = f'pub."{layer.name}"'
    where = f"t.hromada = '{scope.hromada}'" if scope.hromada else "true"  # a checked КАТОТТГ code
    return LayerSource(layer, relation, tuple(visible), geometry_columns, where)

"""The boxes of the datasets (``dataset.extent``) computed again from the layer tables.

Triggers grow a dataset's box with every feature written (``gisplan/db/sql/dataset_extent.sql``) and
never shrink it, so after features are deleted or moved away a box may cover more than its features:
tiles there still read the state and ask PostGIS, and get an empty tile. :func:`recompute` shrinks the
boxes of a layer back to its features. It takes a SHARE lock on the layer table, so writers of that
layer wait for it and it waits for their open transactions: the box computed is then that of every
committed feature, and a write after it grows it again (READ COMMITTED, the default, is needed for
the computing statement to see what the writers committed while the lock was awaited).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from ...catalog import LayerSpec, catalog
from .state import geometry_expression, read_sql


def recompute(conn: Connection, layer: LayerSpec) -> int:
    """Shrink (or grow) every box of ``layer``'s datasets to its features; returns the boxes changed."""
    conn.execute(text(f'LOCK TABLE public."{layer.table}" IN SHARE MODE'))
    sql = read_sql("extent.sql").replace("{table}", layer.table).replace("{geometry}", geometry_expression(layer))
    return conn.execute(text(sql), {"layer": layer.name}).rowcount


def recompute_all(conn: Connection) -> dict[str, int]:
    """:func:`recompute` for every layer of the catalogue: {layer: boxes changed}."""
    return {layer.name: recompute(conn, layer) for layer in catalog()}

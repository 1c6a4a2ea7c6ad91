"""Database objects derived from the catalogue, rebuilt on every ``gisplan db upgrade``:
trigger functions, per-layer triggers (version, history, dataset counters and extents) and the ``pub`` views.

Tables change only through Alembic migrations; these objects hold no data, so they are simply
replaced from the catalogue in force, in the same transaction as the migration.
"""

from __future__ import annotations

from sqlalchemy import Connection

from ..catalog import PUBLIC_COMMON_COLUMNS, Catalog, LayerSpec
from ..paths import SQL_DIR
from .layer_tables import data_columns


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def _quoted(columns: list[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' for c in columns)


def layer_triggers_sql(layer: LayerSpec) -> str:
    return _fill(read_sql("layer_triggers.sql"), table=layer.table, history=layer.history_table,
                 layer=layer.name, columns=_quoted(data_columns(layer)))


def dataset_extent_sql(layer: LayerSpec) -> str:
    """The triggers that grow the layer's dataset boxes (``dataset.extent``, migration 0014)."""
    columns = [f'n."{c}"' for c in ("geom", *layer.extra_geometries)]
    geometry = columns[0] if len(columns) == 1 else f"coalesce({', '.join(columns)})"
    return _fill(read_sql("dataset_extent.sql"), table=layer.table, layer=layer.name, geometry=geometry)


def pub_columns(layer: LayerSpec) -> list[str]:
    return list(PUBLIC_COMMON_COLUMNS) + layer.public_fields() + list(layer.extra_geometries) + ["geom"]


def pub_view_sql(layer: LayerSpec) -> str:
    comment = f"{layer.title.uk} / {layer.title.en}: published part".replace("'", "''")
    return _fill(read_sql("pub_view.sql"), layer=layer.name, table=layer.table,
                 columns=_quoted(pub_columns(layer), "t."), row_filter=layer.publication.row_filter or "true",
                 comment=comment)


def _exec_script(conn: Connection, sql: str) -> None:
    # psycopg runs a multi-statement string in one call when it has no parameters
    conn.exec_driver_sql(sql)


def apply_derived(conn: Connection, cat: Catalog) -> None:
    _exec_script(conn, read_sql("functions.sql"))
    if conn.exec_driver_sql("SELECT to_regclass('catalogue_version')").scalar():  # migration 0012 on
        _exec_script(conn, read_sql("catalogue_version.sql"))
    extents = conn.exec_driver_sql(  # migration 0014 on
        "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('dataset') AND attname = 'extent' "
        "AND NOT attisdropped").scalar()
    for layer in cat:
        _exec_script(conn, layer_triggers_sql(layer))
        if extents:
            _exec_script(conn, dataset_extent_sql(layer))
        _exec_script(conn, pub_view_sql(layer))

"""Tables built from the layer catalogue: one table per layer, and its history table.

Every layer table has the time model's common columns (see :data:`gisplan.catalog.COMMON_COLUMNS`)
and the layer's own fields. The history table mirrors it and adds who ended each version, how and
when. Tables are added to :data:`gisplan.db.models.metadata`, which Alembic compares with the
migrations (``tests/test_migrations.py`` fails when they differ).
"""

from __future__ import annotations

from functools import lru_cache

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Double, Identity, Index, Integer,
    MetaData, Table, Text, func, text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from ..catalog import Catalog, FieldSpec, GeometrySpec, LayerSpec, catalog
from .models import metadata

SRID = 4326

_TYPES = {
    "text": Text, "url": Text, "enum": Text, "integer": Integer, "number": Double,
    "boolean": Boolean, "date": Date, "datetime": lambda: DateTime(timezone=True),
    "json": JSONB, "text_list": lambda: ARRAY(Text), "integer_list": lambda: ARRAY(Integer),
}


def sql_type(field: FieldSpec):
    return _TYPES[field.type]()


def _geometry(spec: GeometrySpec) -> Geometry:
    # spatial_index=False: indexes are declared explicitly below so Alembic sees them by name
    return Geometry(geometry_type=spec.type.upper(), srid=SRID, spatial_index=False)


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _default_sql(field: FieldSpec):
    value = field.default
    if isinstance(value, bool):
        return text("true" if value else "false")
    if isinstance(value, (int, float)):
        return text(repr(value))
    return text(_quote_literal(str(value)))


def _field_checks(layer: LayerSpec, name: str, field: FieldSpec) -> list[CheckConstraint]:
    checks = []
    if field.type == "enum":
        codes = ", ".join(_quote_literal(c) for c in field.values)  # type: ignore[union-attr]
        checks.append(CheckConstraint(f"{name} IN ({codes})", name=f"{name}_enum"))
    if field.min is not None:
        checks.append(CheckConstraint(f"{name} >= {field.min:g}", name=f"{name}_min"))
    if field.max is not None:
        checks.append(CheckConstraint(f"{name} <= {field.max:g}", name=f"{name}_max"))
    if field.pattern is not None:
        checks.append(CheckConstraint(f"{name} ~ {_quote_literal(field.pattern)}", name=f"{name}_pattern"))
    return checks


def katottg_check(column: str) -> str:
    """The КАТОТТГ format check of a layer table's code column: exactly what ``column ~
    '^UA[0-9]{17}$'`` (:data:`.models.KATOTTG_CHECK`) accepts, written without a regular expression,
    which costs a few times less per row (it is evaluated for every row a large import writes):
    "UA" and then only ASCII digits, 19 bytes in all, so 17 digits. NULL passes, as with the
    regular expression. ``tests/test_ingest_fast.py`` checks both agree on awkward values."""
    return (f"octet_length({column}) = 19 AND left({column}, 2) = 'UA' "
            f"AND ltrim(substr({column}, 3), '0123456789') = ''")


def _common_columns(layer: LayerSpec, history: bool) -> list[Column]:
    statuses = ", ".join(_quote_literal(s) for s in layer.statuses)
    cols = [
        Column("id", UUID(as_uuid=True), nullable=False,
               **({} if history else {"primary_key": True, "server_default": text("gen_random_uuid()")})),
        Column("code", Text, comment="human code, unique within the dataset when given"),
        Column("katottg", Text, comment="КАТОТТГ code of the settlement (or громада)"),
        Column("hromada", Text, nullable=False, comment="КАТОТТГ code of the громада"),
        Column("status", Text, nullable=False, server_default=text("'active'")),
        Column("installed_at", Date, comment="in the world since; NULL = always"),
        Column("removed_at", Date, comment="out of the world since; NULL = still there"),
        Column("version", Integer, nullable=False, server_default=text("1")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_by", Text),
        Column("source", Text),
        Column("public", Boolean, nullable=False, server_default=text("true"),
               comment="row may be published (within a published dataset)"),
        Column("geom", _geometry(layer.geometry), nullable=layer.geometry.nullable),
    ]
    if not history:
        cols += [
            CheckConstraint(katottg_check("katottg"), name="katottg_format"),
            CheckConstraint(katottg_check("hromada"), name="hromada_format"),
            CheckConstraint(f"status IN ({statuses})", name="status_enum"),
            CheckConstraint("removed_at IS NULL OR installed_at IS NULL OR removed_at >= installed_at",
                            name="lifetime_order"),
        ]
    return cols


def _layer_columns(layer: LayerSpec, history: bool) -> list:
    items: list = _common_columns(layer, history)
    for name, spec in layer.extra_geometries.items():
        items.append(Column(name, _geometry(spec), nullable=spec.nullable))
    for name, field in layer.fields.items():
        default = {} if history or field.default is None else {"server_default": _default_sql(field)}
        items.append(Column(name, sql_type(field), nullable=history or not field.required,
                            comment=field.label.en, **default))
        if not history:
            items += _field_checks(layer, name, field)
    return items


def define_layer(layer: LayerSpec, md: MetaData = metadata) -> tuple[Table, Table]:
    """Add the layer's table and history table to ``md`` (idempotent)."""
    if layer.table in md.tables:
        return md.tables[layer.table], md.tables[layer.history_table]
    t = Table(layer.table, md, *_layer_columns(layer, history=False),
              comment=f"{layer.title.uk} / {layer.title.en}")
    Index(f"ix_{layer.table}_geom", t.c.geom, postgresql_using="gist")
    # (hromada, code) also serves every search by hromada alone (migration 0013 dropped the
    # separate index on hromada, which only cost every write)
    Index(f"ix_{layer.table}_code", t.c.hromada, t.c.code)
    if layer.geometry.geography_index:
        Index(f"ix_{layer.table}_geog", func.geography(t.c.geom), postgresql_using="gist")
    for name in layer.extra_geometries:
        Index(f"ix_{layer.table}_{name}", t.c[name], postgresql_using="gist")

    h = Table(
        layer.history_table, md,
        Column("history_id", BigInteger, Identity(), primary_key=True),
        *_layer_columns(layer, history=True),
        Column("operation", Text, nullable=False, comment="UPDATE or DELETE: what ended this version"),
        Column("changed_by", Text),
        Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        CheckConstraint("operation IN ('UPDATE', 'DELETE')", name="operation"),
        comment=f"previous versions of {layer.table}",
    )
    Index(f"ix_{layer.history_table}_id", h.c.id, h.c.version)
    return t, h


def define_all(cat: Catalog | None = None, md: MetaData = metadata) -> MetaData:
    for layer in cat or catalog():
        define_layer(layer, md)
    return md


@lru_cache
def full_metadata() -> MetaData:
    """Core tables plus every layer of the catalogue in force."""
    import gisplan.program.tables  # noqa: F401
    import gisplan.indicators.tables  # noqa: F401
    import gisplan.registration.tables  # noqa: F401
    import gisplan.residents.problem_reports  # noqa: F401
    import gisplan.rasters.tables  # noqa: F401
    import gisplan.qr.tables  # noqa: F401
    import gisplan.reports.tables  # noqa: F401
    return define_all()


def layer_table(name: str) -> Table:
    full_metadata()
    return metadata.tables[name]


def history_table(name: str) -> Table:
    full_metadata()
    return metadata.tables[f"{name}_history"]


def data_columns(layer: LayerSpec) -> list[str]:
    """Column order of the layer table (and of its history table after ``history_id``)."""
    return [c.name for c in _layer_columns(layer, history=True) if isinstance(c, Column)]

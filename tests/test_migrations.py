"""The committed migrations build exactly the schema the models and layers/*.yaml describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from gisplan.catalog import catalog
from gisplan.db.layer_tables import full_metadata
from gisplan.db.migrate import current_revision, head_revision
from gisplan.db.migrations_support import include_object


def test_models_match_migration_head(engine):
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(ctx, full_metadata())
    assert diff == [], (
        "layers/*.yaml or gisplan/db/models.py changed without a migration: "
        "run `gisplan db revision -m '…'` and commit it\n" + "\n".join(map(str, diff))
    )


def test_every_geometry_has_a_gist_index(engine):
    insp = inspect(engine)
    missing = []
    for layer in catalog():
        indexed = {
            col for ix in insp.get_indexes(layer.table)
            for col in ix["column_names"] if col and ix.get("dialect_options", {}).get("postgresql_using") == "gist"
        }
        for col in ["geom", *layer.extra_geometries]:
            if col not in indexed:
                missing.append(f"{layer.table}.{col}")
        if layer.geometry.geography_index:
            names = {ix["name"] for ix in insp.get_indexes(layer.table)}
            if f"ix_{layer.table}_geog" not in names:
                missing.append(f"{layer.table}.geography(geom)")
    assert missing == []


def test_geography_index_is_used(engine):
    """A metres query on a geography_index layer can use the expression index."""
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT id FROM schools WHERE ST_DWithin(geography(geom), "
            "geography(ST_SetSRID(ST_MakePoint(36.84, 49.46), 4326)), 500)")))
    assert "ix_schools_geog" in plan, plan


def test_storage_crs_is_4326(engine):
    with engine.connect() as conn:
        srids = conn.execute(text(
            "SELECT DISTINCT srid FROM geometry_columns WHERE f_table_schema = 'public'")).scalars().all()
    assert srids == [4326]

"""Alembic environment: the engine comes from gisplan (config attribute or settings)."""

from alembic import context
from geoalchemy2 import alembic_helpers

from gisplan.db.engine import get_engine
from gisplan.db.layer_tables import full_metadata
from gisplan.db.migrations_support import include_object

config = context.config
target_metadata = full_metadata()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_item=alembic_helpers.render_item,
            compare_type=True,
            transaction_per_migration=False,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `gisplan db upgrade`")
run_migrations_online()

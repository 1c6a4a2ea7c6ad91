"""Schema migrations: Alembic (committed under ``gisplan/db/migrations``) plus derived objects."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..catalog import catalog
from ..paths import MIGRATIONS_DIR
from .derived import apply_derived
from .engine import check_database


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", "alembic_version")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate to ``revision`` and rebuild triggers and ``pub`` views; returns the new revision."""
    check_database(engine)
    command.upgrade(alembic_config(engine), revision)
    with engine.begin() as conn:
        apply_derived(conn, catalog())
    return current_revision(engine)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the difference between the catalogue and the database."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)


def require_current_schema(engine: Engine) -> None:
    """A one-line error unless the database is at the migration head."""
    from ..errors import DatabaseError

    check_database(engine)
    cur, head = current_revision(engine), head_revision()
    if cur != head:
        raise DatabaseError(f"the database schema is at {cur or 'nothing'}, the code needs {head}: "
                            f"run `gisplan db upgrade`")

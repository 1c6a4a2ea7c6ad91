"""The database connection: an external PostGIS (``GISPLAN_DATABASE_URL``) or the private cluster."""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..errors import DatabaseError
from ..settings import DatabaseSettings, database_settings

MIN_POSTGIS = (3, 1)
MIN_POSTGRES = 13


def database_url(settings: DatabaseSettings | None = None) -> str:
    """The URL in force: ``GISPLAN_DATABASE_URL`` or that of the private cluster."""
    settings = settings or database_settings()
    if settings.database_url:
        return settings.database_url
    from .cluster import Cluster

    return Cluster(settings).url()


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


@lru_cache
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(settings: DatabaseSettings | None = None) -> Engine:
    return _engine_for(database_url(settings))


def check_database(engine: Engine) -> dict:
    """Connect and check PostgreSQL and PostGIS versions; a one-line :class:`DatabaseError` if unfit."""
    where = safe_url(str(engine.url.render_as_string(hide_password=False)))
    try:
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version_num")).scalar_one()
            ext = conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar_one_or_none()
            if ext is None:
                available = conn.execute(
                    text("SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")
                ).scalar_one_or_none()
                if available is None:
                    raise DatabaseError(
                        f"PostGIS is not installed on the server of {where}: install PostGIS ≥ 3.1 there"
                    )
                try:
                    with conn.begin_nested():
                        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
                    conn.commit()
                except ProgrammingError:
                    raise DatabaseError(
                        f"the database of {where} lacks the postgis extension and this role may not "
                        f"create it: run CREATE EXTENSION postgis; there as a superuser"
                    ) from None
                ext = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname='postgis'")).scalar_one()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"cannot connect to {where}: {reason} — start it with `gisplan db start` "
            f"or check GISPLAN_DATABASE_URL"
        ) from None
    if int(server) // 10000 < MIN_POSTGRES:
        raise DatabaseError(f"PostgreSQL {int(server) // 10000} at {where} is too old: need ≥ {MIN_POSTGRES}")
    version = tuple(int(x) for x in re.findall(r"\d+", ext)[:2])
    if version < MIN_POSTGIS:
        raise DatabaseError(f"PostGIS {ext} at {where} is too old: need ≥ {'.'.join(map(str, MIN_POSTGIS))}")
    return {"postgres": int(server), "postgis": ext}


@contextmanager
def acting_as(conn: Connection, user: str | None) -> Iterator[Connection]:
    """Tag the transaction with the user's name: triggers write it to ``updated_by`` and history."""
    conn.execute(text("SELECT set_config('gisplan.user', :u, true)"), {"u": user or ""})
    yield conn

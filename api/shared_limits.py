"""The database connection of the shared request limits (api/rate_limit.py, api/login_throttle.py).

Each limit is one statement (an ``INSERT … ON CONFLICT … RETURNING`` or a primary-key read) on an
UNLOGGED table of the primary database, so every worker process counts the same requests. They run
on a small engine of their own in autocommit and without a ping before each use: one round trip per
check, and commits that do not wait for the disk (``synchronous_commit=off``: these rows do not
survive a crash anyway). A connection found broken is dropped from the pool and the statement tried
once more.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError

SQL_DIR = Path(__file__).resolve().parent / "sql"
SHARED = "shared"          # the namespace of the limits the app makes from its settings
PRUNE_EVERY_SECONDS = 60.0
# The tables are UNLOGGED (a crash empties them): waiting for the commit record to reach the disk
# would buy nothing, and it is most of a write's time.
NO_FLUSH = "-c synchronous_commit=off"


@lru_cache(maxsize=None)
def statement(name: str):
    return text((SQL_DIR / name).read_text(encoding="utf-8"))


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def limits_engine(primary: Engine) -> Engine:
    """An autocommit engine on the primary's database, one per database URL and process."""
    key = primary.url.render_as_string(hide_password=False)
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = create_engine(primary.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                                  pool_size=4, max_overflow=16,
                                                  connect_args={"connect_timeout": 5, "options": NO_FLUSH})
    return found


def run(primary: Engine, name: str, params: dict) -> Row | None:
    """Run one statement of ``api/sql``; its first row (None when it returns none)."""
    engine = limits_engine(primary)
    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                result = conn.execute(statement(name), params)
                return result.first() if result.returns_rows else None
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None


class Pruner:
    """Runs a prune statement at most once every :data:`PRUNE_EVERY_SECONDS` in this process."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._next = 0.0
        self._lock = threading.Lock()

    def maybe(self, primary: Engine, params: dict) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                return
            self._next = now + PRUNE_EVERY_SECONDS
        run(primary, self.name, params)

"""What a worker process keeps of the catalogue, refreshed on change rather than by a timer (issue 17).

The ``catalogue_version`` row moves (by triggers, ``gisplan/db/sql/catalogue_version.sql``) whenever a
dataset is published, withdrawn, added or removed, or the territory is reloaded — through any process,
the CLI or SQL. A :class:`VersionedCache` entry is kept with the version it was computed at and used
only while the row still holds that version, so one primary-key read per use replaces the periodic
re-reads: a publication made through another worker is seen on the very next request, and nothing is
read again while nothing changed.

Why a version row and not ``LISTEN/NOTIFY``: a notification reaches only a session that is listening
at that moment (a dropped listener connection, a restart or a pooler in transaction mode loses it
silently, and a process would have to treat every reconnect as "everything changed"), and a hot
standby delivers none at all, while anonymous reads may be served by the replica. The row is an
ordinary replicated table, is read in the request's own connection, needs no background thread, and
a change is visible exactly when its transaction is.
"""

from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

from sqlalchemy import Connection, Engine, text

T = TypeVar("T")

READ = text("SELECT version FROM catalogue_version WHERE id")


def catalogue_version(conn: Connection) -> int:
    """The current version (0 on a database without the row)."""
    return int(conn.execute(READ).scalar() or 0)


class VersionedCache:
    """Small answers from the ``dataset`` and ``territory`` tables, each kept for one catalogue
    version; thread-safe, bounded. The drawn data never comes from here (it is read from the pub views
    at once), so an entry only ever decides which layers are listed or allowed."""

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._values: dict = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, engine: Engine, key: Hashable, compute: Callable[[Connection], T]) -> T:
        """The value of ``key`` for the database's current version; ``compute(conn)`` when it moved.
        The version is read before computing, so a value is never kept under a newer version than
        the state it was computed from (at worst it is computed once more)."""
        full_key = (str(engine.url), key)
        with engine.connect() as conn:
            version = catalogue_version(conn)
            with self._lock:
                hit = self._values.get(full_key)
            if hit is not None and hit[0] == version:
                self.hits += 1
                return hit[1]
            self.misses += 1
            value = compute(conn)
        with self._lock:
            if len(self._values) >= self.max_entries and full_key not in self._values:
                self._values.clear()
            self._values[full_key] = (version, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

"""Reads of anonymous visitors on a streaming replica (``GISPLAN_DATABASE_REPLICA_URL``).

The rule is the simplest one that is always correct: a request without credentials (no bearer
token, no session cookie) that only reads (GET or HEAD) may be answered from the replica; every
other request — writes, version checks, and everything a signed-in planner does, so a planner's
read right after an edit sees it — goes to the primary. Anonymous visitors only see published
data, for which a replica a fraction of a second behind is fine.

A replica that cannot be reached is not fatal: :meth:`ReplicaRouter.engine_for_anonymous_read`
probes it (at most once per ``check_seconds``), and while it is down anonymous reads fall back to
the primary. A connection error on the replica inside a request marks it down at once; that one
request answers 503 with ``Retry-After`` (see ``api/errors.py``), the next one goes to the primary.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from .engine import make_engine

APPLICATION_NAME = "gisplan-replica-reader"  # visible in pg_stat_activity of the replica
PRIMARY, REPLICA = "primary", "replica"


def make_replica_engine(url: str, connect_timeout: int = 2) -> Engine:
    """An engine on the replica, named in its ``pg_stat_activity`` and quick to give up connecting."""
    return make_engine(url, connect_args={"connect_timeout": connect_timeout,
                                          "application_name": APPLICATION_NAME})


class ReplicaRouter:
    """Chooses the engine of a request; thread-safe (routes run in the thread pool)."""

    def __init__(self, primary: Engine, replica: Engine | None, check_seconds: float = 1.0):
        self.primary = primary
        self.replica = replica
        self.check_seconds = check_seconds
        self._checked_at = float("-inf")
        self._up = False
        self._lock = threading.RLock()  # mark_down() runs inside a failing probe
        self.replica_statements = 0  # statements run on the replica (counted for /healthz and tests)
        if replica is not None:
            event.listen(replica, "handle_error", self._on_error)
            event.listen(replica, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.replica_statements += 1  # a race may lose a count: it is a gauge, not an account

    def _on_error(self, context) -> None:
        """A lost or refused connection (or a query cancelled by recovery): the primary for a while."""
        if context.is_disconnect or isinstance(context.sqlalchemy_exception, OperationalError):
            self.mark_down()

    def mark_down(self) -> None:
        with self._lock:
            self._up = False
            self._checked_at = time.monotonic()

    def _probe(self) -> bool:
        try:
            with self.replica.connect() as conn:  # type: ignore[union-attr]
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure to reach it: read from the primary meanwhile
            return False

    def replica_up(self) -> bool:
        if self.replica is None:
            return False
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds:
            return self._up
        if not self._lock.acquire(blocking=False):
            return self._up  # another request is probing: use the last answer
        try:
            self._up = self._probe()
            self._checked_at = time.monotonic()
            return self._up
        finally:
            self._lock.release()

    def engine_for_anonymous_read(self) -> tuple[Engine, str]:
        if self.replica_up():
            return self.replica, REPLICA  # type: ignore[return-value]
        return self.primary, PRIMARY

    def status(self) -> str:
        """For /healthz: ``none`` (no replica configured), ``up`` or ``down``."""
        if self.replica is None:
            return "none"
        return "up" if self.replica_up() else "down"

"""Rate limits of anonymous requests, per client address (a token bucket), shared by every worker.

``GISPLAN_RATE_LIMIT_PER_MINUTE`` requests a minute per address, in bursts of up to as many; beyond
that 429 with ``Retry-After``. ``0`` switches the limit off (the load benchmark does). Signed-in
callers (bearer token or session cookie), ``/static`` and ``/healthz`` are not limited.

The buckets are rows of the UNLOGGED table ``rate_limit_bucket`` on the primary database, taken
from with one ``INSERT … ON CONFLICT … RETURNING`` (``api/sql/rate_limit_take.sql``), so with
``GISPLAN_WORKERS=N`` a client still gets the limit once, not N times. Times are the database's
clock, the same for every process. Full buckets are pruned at most once a minute per process. When
the database cannot be reached the request goes on (the limit fails open; the route itself will
answer its own error).
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from .shared_limits import SHARED, Pruner, run

EXEMPT = ("/static/", "/healthz")
log = logging.getLogger(__name__)


class TokenBuckets:
    """Token buckets of ``per_minute`` requests a minute per address.

    The app's instance uses the database clock and the ``shared`` namespace: every worker takes from
    the same buckets. An instance given its own ``clock`` (tests move it) keeps its rows in a
    namespace of its own, since other processes cannot share that clock."""

    def __init__(self, per_minute: int, clock: Callable[[], float] | None = None, namespace: str | None = None,
                 engine: Engine | None = None):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.namespace = namespace or (SHARED if clock is None else f"own:{uuid.uuid4().hex}")
        self.engine = engine
        self._pruner = Pruner("rate_limit_prune.sql")

    def take(self, address: str, engine: Engine | None = None) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        primary = self.engine or engine
        if primary is None:
            from gisplan.db.engine import get_engine

            primary = get_engine()
        now = self.clock() if self.clock is not None else None
        row = run(primary, "rate_limit_take.sql", {"namespace": self.namespace, "key": address, "now": now,
                                                   "capacity": self.capacity, "rate": self.rate})
        self._pruner.maybe(primary, {"namespace": self.namespace, "now": now})
        if row.allowed:
            return 0.0
        return (1 - row.tokens) / self.rate


def _signed_in(scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
        if name == b"cookie" and b"gisplan_session=" in value:
            return True
    return False


def _primary(app) -> Engine:
    found = getattr(app.state, "engine", None) if app is not None else None
    if found is None:
        from gisplan.db.engine import get_engine

        found = get_engine()
    return found


class RateLimitMiddleware:
    def __init__(self, app, per_minute: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute) if per_minute > 0 else None

    async def __call__(self, scope, receive, send):
        app = scope.get("app")  # tests install their own buckets as app.state.rate_limit
        buckets = (getattr(app.state, "rate_limit", None) if app is not None else None) or self.buckets
        if (buckets is None or scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT)
                or _signed_in(scope)):
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        try:
            wait = await run_in_threadpool(buckets.take, address, _primary(app))
        except SQLAlchemyError as exc:  # fail open: the limit must not take the site down with the database
            log.warning("rate limit not checked: %s", exc.__class__.__name__)
            wait = 0.0
        if not wait:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        body = json.dumps({"detail": f"too many requests from {address}: try again in {retry} s / "
                                     f"забагато запитів: спробуйте через {retry} с"}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", retry.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

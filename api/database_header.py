"""``X-Gisplan-Database: primary|replica`` on every answer that used the database: which one served
the request (chosen by :func:`api.deps.engine_dep`), so operators and the replica test can see the
routing; with ``GISPLAN_WORKERS`` above one, ``X-Gisplan-Worker`` names the process that answered.
A pure ASGI middleware: it reads the choice from the request's state when the answer starts."""

from __future__ import annotations

import os

HEADER = b"x-gisplan-database"
WORKER_HEADER = b"x-gisplan-worker"


class DatabaseHeaderMiddleware:
    def __init__(self, app, worker_header: bool = False):
        self.app = app
        self.worker = [(WORKER_HEADER, str(os.getpid()).encode())] if worker_header else []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                state = scope.get("state") or {}
                chosen = state.get("gisplan_database") if isinstance(state, dict) else None
                extra = [(HEADER, chosen.encode())] if chosen else []
                if extra or self.worker:
                    message["headers"] = [*message.get("headers", []), *extra, *self.worker]
            await send(message)

        await self.app(scope, receive, send_with_header)

"""Every successful change made by a signed-in user through the web app goes to the audit log.

One place instead of every route: an unsafe request (POST, PUT, PATCH, DELETE) whose caller was
identified by ``optional_user`` (api/deps.py notes the user in the ASGI scope) and that answered
below 400 is recorded after its answer: who, the route (``PATCH /api/layers/{layer}/features/{feature_id}``),
the path changed, the громада when the request names one, the status and when. A change made
through a route added later is recorded without further work. Sign-ins and sign-outs are recorded
by the auth routes themselves; CSW POSTs only read and are left out.

The entry is written in its own transaction once the change has been committed; a failure to
write it is logged, not turned into an error of the request that already succeeded.
"""

from __future__ import annotations

import logging

import anyio

from gisplan.audit import record

SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NOT_CHANGES = ("/csw",)  # route suffixes of POSTs that only read
USER_KEY = "gisplan.user"  # set by api.deps.optional_user
log = logging.getLogger("gisplan.audit")


def note_user(scope: dict, user) -> None:
    scope[USER_KEY] = user


def _query_hromada(scope: dict) -> str | None:
    from urllib.parse import parse_qs

    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("hromada")
    return values[0] if values else None


class AuditMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE:
            await self.app(scope, receive, send)
            return
        answer: dict[str, int] = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        user = scope.get(USER_KEY)
        route = scope.get("route")
        status = answer.get("status", 500)
        if user is None or route is None or status >= 400 or route.path.endswith(NOT_CHANGES):
            return
        params = {k: str(v) for k, v in (scope.get("path_params") or {}).items()}
        entry = dict(
            username=user.username, hromada=params.get("code") or params.get("hromada") or _query_hromada(scope),
            target=scope.get("path"), status=status,
            client=scope["client"][0] if scope.get("client") else None,
            detail={"params": params, "query": scope.get("query_string", b"").decode("latin-1")[:500],
                    "summary": getattr(route, "summary", None)},
        )
        await anyio.to_thread.run_sync(self._write, scope, f"{scope['method']} {route.path}", entry)

    @staticmethod
    def _write(scope, action: str, entry: dict) -> None:
        from gisplan.db.engine import get_engine

        engine = getattr(scope["app"].state, "engine", None) or get_engine()
        try:
            with engine.begin() as conn:
                record(conn, action, **entry)
        except Exception:  # noqa: BLE001 - the change stands; say that its entry is missing
            log.exception("audit: could not record %s by %s", action, entry.get("username"))

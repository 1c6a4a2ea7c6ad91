"""Kept anonymous answers served before routing (issue 17: the hot set ≥ 10× the cold throughput).

:func:`api.response_cache.cached_answer` keeps an anonymous answer under an ETag made of its request
key and the state of what it is drawn from, and notes here which :class:`AnswerState` that request
reads (:func:`remember`). The next time the same request comes (same site, path, query and
``Accept``, no credentials), this middleware reads that state again on a connection of its own (one
primary-key read, :class:`gisplan.publish.response_cache.StateReader`) and, when the ETag is
unchanged, answers 304 or the kept bytes without routing, dependencies or a pooled connection. Any
other outcome — a state that moved, an answer no longer kept, an error — goes on to the route, which
decides as before; so the answer is exactly as fresh as the route's: nothing is trusted that was not
read from the database in this request.

It sits inside the other middlewares (rate limits, CORS, security headers and the database header
still apply) and is placed innermost in :func:`api.main.create_app`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from gisplan.publish.response_cache import AnswerState, etag_for, gzip_etag, shared_cache, state_reader
from gisplan.settings import response_cache_settings

from .routes.downloads import etag_matches

log = logging.getLogger(__name__)

MAX_REQUESTS = 50_000  # requests remembered per process (a few hundred bytes each)


def _anonymous_get(scope) -> bool:
    if scope.get("method") != "GET":
        return False
    for name, value in scope.get("headers", []):
        if name == b"authorization" or (name == b"cookie" and b"gisplan_session=" in value):
            return False
    return True


def request_key(request: Request, *extra) -> tuple:
    """The site, the path and the query (sorted, names as sent) — what the answer's bytes depend on
    besides the data."""
    return (str(request.base_url), request.url.path, tuple(sorted(request.query_params.multi_items())), *extra)


def fingerprint(request: Request) -> tuple:
    """The request as far as a kept answer may differ: its key and the ``Accept`` header (HTML or
    JSON is chosen by it)."""
    return (request_key(request), request.headers.get("accept", ""))


def control() -> str:
    return response_cache_settings().control


def matched_validator(if_none_match: str | None, etag: str) -> str | None:
    """The validator of ours the client holds: the answer's ETag or its gzip's."""
    for candidate in (etag, gzip_etag(etag)):
        if etag_matches(if_none_match, candidate):
            return candidate
    return None


class RememberedRequests:
    """Request fingerprint → the state its kept answer is drawn from; a bounded LRU."""

    def __init__(self, max_entries: int = MAX_REQUESTS):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple, AnswerState] = OrderedDict()
        self._lock = threading.Lock()
        self.served = 0  # answers given before routing (200 or 304)

    def get(self, key: tuple) -> AnswerState | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, state: AnswerState) -> None:
        with self._lock:
            self._items[key] = state
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


REMEMBERED = RememberedRequests()


def remember(request: Request, state: AnswerState) -> None:
    """Called by the route for an anonymous GET whose answer is kept under ``state``."""
    if _anonymous_get(request.scope):
        REMEMBERED.put(fingerprint(request), state)


class KeptAnswersMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or not _anonymous_get(scope) or not REMEMBERED._items
                or not response_cache_settings().early):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = REMEMBERED.get(fingerprint(request))
        if state is None:
            await self.app(scope, receive, send)
            return
        from .deps import db_router

        try:
            engine, database = db_router(request).engine_for_anonymous_read()
            token = await run_in_threadpool(state_reader(engine).read, state)
        except Exception as exc:  # the route answers (and reports) whatever is wrong
            log.debug("kept answer not checked: %s", exc)
            await self.app(scope, receive, send)
            return
        etag = etag_for(request_key(request), token)
        scope.setdefault("state", {})["gisplan_database"] = database
        headers = dict(scope["headers"])
        inm = headers.get(b"if-none-match")
        matched = matched_validator(inm.decode("latin-1"), etag) if inm else None
        if matched:
            REMEMBERED.served += 1
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", matched.encode()), (b"cache-control", control().encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        cache = shared_cache()
        kept = cache.get(etag) if cache.max_bytes > 0 else None
        if kept is None:
            await self.app(scope, receive, send)
            return
        REMEMBERED.served += 1
        accept = headers.get(b"accept-encoding")
        body, encoding = kept.encoded(accept.decode("latin-1") if accept else None, etag)
        out = [(b"content-length", str(len(body)).encode())]
        if kept.media_type:
            out.append((b"content-type", kept.media_type.encode("latin-1")))
        out += [(k.encode("latin-1"), v.encode("latin-1"))
                for k, v in (*kept.headers, ("cache-control", control()), *encoding)
                if k.lower() != "vary" or kept.gzipped is None or (k, v) in encoding]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})

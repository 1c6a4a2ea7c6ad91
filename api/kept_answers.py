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
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from gisplan.publish.response_cache import AnswerState, etag_for, gzip_etag, shared_cache, state_reader
from gisplan.settings import response_cache_settings

from .routes.downloads import etag_matches

log = logging.getLogger(__name__)

MAX_REQUESTS = 50_000  # requests remembered per process (a few hundred bytes each)
# the services whose answers are kept: every other request passes without a look
KEPT_PATHS = re.compile(r"^/(?:UA\d{17}/)?(?:ows|ogcapi|tiles)(?:/|$)")


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
    """Request fingerprint → how it is answered before routing (:class:`Recall`); a bounded LRU."""

    def __init__(self, max_entries: int = MAX_REQUESTS):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple, Recall] = OrderedDict()
        self._lock = threading.Lock()
        self.served = 0  # answers given before routing (200 or 304)

    def get(self, key: tuple) -> "Recall | None":
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, recall: "Recall") -> None:
        with self._lock:
            self._items[key] = recall
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


REMEMBERED = RememberedRequests()


@dataclass(frozen=True)
class Early:
    """An answer given before routing."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


class Recall(Protocol):
    """How a remembered request is answered before routing: ``answer`` reads the current state
    (in a worker thread) and returns the answer, or None when the route must answer."""

    def answer(self, request: Request, engine) -> Early | None: ...


@dataclass(frozen=True)
class KeptRecall:
    """A kept answer of :func:`api.response_cache.cached_answer`, under its :class:`AnswerState`."""

    state: AnswerState

    def answer(self, request: Request, engine) -> Early | None:
        etag = etag_for(request_key(request), state_reader(engine).read(self.state))
        matched = matched_validator(request.headers.get("if-none-match"), etag)
        if matched:
            return Early(304, [("etag", matched), ("cache-control", control())])
        cache = shared_cache()
        kept = cache.get(etag) if cache.max_bytes > 0 else None
        if kept is None:
            return None
        body, encoding = kept.encoded(request.headers.get("accept-encoding"), etag)
        headers = [("content-type", kept.media_type)] if kept.media_type else []
        headers += [(k, v) for k, v in (*kept.headers, ("cache-control", control()), *encoding)
                    if k.lower() != "vary" or kept.gzipped is None or (k, v) in encoding]
        return Early(200, headers, body)


def remember(request: Request, recall: "Recall | AnswerState") -> None:
    """Called by a route for an anonymous GET whose answer it kept: the next same request is
    answered by ``recall`` (an :class:`AnswerState`: the kept answers of the response cache)."""
    if _anonymous_get(request.scope):
        REMEMBERED.put(fingerprint(request), KeptRecall(recall) if isinstance(recall, AnswerState) else recall)


class KeptAnswersMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or not KEPT_PATHS.match(scope.get("path", "")) or not _anonymous_get(scope)
                or not REMEMBERED._items or not response_cache_settings().early):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        recall = REMEMBERED.get(fingerprint(request))
        if recall is None:
            await self.app(scope, receive, send)
            return
        from .deps import db_router

        try:
            engine, database = db_router(request).engine_for_anonymous_read()
            early = await run_in_threadpool(recall.answer, request, engine)
        except Exception as exc:  # the route answers (and reports) whatever is wrong
            log.debug("kept answer not checked: %s", exc)
            early = None
        if early is None:
            await self.app(scope, receive, send)
            return
        REMEMBERED.served += 1
        scope.setdefault("state", {})["gisplan_database"] = database
        headers = [(b"content-length", str(len(early.body)).encode())] if early.status not in (204, 304) else []
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in early.headers]
        await send({"type": "http.response.start", "status": early.status, "headers": headers})
        await send({"type": "http.response.body", "body": early.body})

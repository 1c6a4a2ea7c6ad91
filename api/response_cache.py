"""ETag, 304 and kept answers for anonymous service answers (:mod:`gisplan.publish.response_cache`):
the routes of ``/ows`` (GetCapabilities, GetMap) and of OGC API – Features items pass their request
key, the layers and громада the answer is drawn from, and a function that draws it."""

from __future__ import annotations

from typing import Callable

from fastapi import Request, Response
from sqlalchemy import Connection

from gisplan.publish.response_cache import KeptAnswer, etag_for, shared_cache, state_token
from gisplan.settings import response_cache_settings

from .routes.downloads import etag_matches

SKIPPED_HEADERS = {"content-length", "content-type", "etag", "cache-control"}


def request_key(request: Request, *extra) -> tuple:
    """The site, the path and the query (sorted, names as sent) — what the answer's bytes depend on
    besides the data."""
    return (str(request.base_url), request.url.path, tuple(sorted(request.query_params.multi_items())), *extra)


def cached_answer(request: Request, conn: Connection, key: tuple, layers: list[str] | None, hromada: str | None,
                  produce: Callable[[], Response], keep: Callable[[Response], bool] = lambda r: True,
                  token: str | None = None) -> Response:
    """304 when the client holds the current ETag, the kept answer when there is one, else
    ``produce()`` — kept (and given the ETag) when it is a 200 that ``keep`` accepts. ``token``: the
    state the answer depends on when the caller knows it (else the datasets' state of ``layers``)."""
    settings = response_cache_settings()
    etag = etag_for(key, token if token is not None else state_token(conn, layers, hromada))
    headers = {"ETag": etag, "Cache-Control": settings.control}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    cache = shared_cache()
    kept = cache.get(etag) if cache.max_bytes > 0 else None
    if kept is not None:
        return Response(kept.body, media_type=kept.media_type, headers={**dict(kept.headers), **headers})
    response = produce()
    if response.status_code != 200 or not keep(response):
        return response
    body = bytes(response.body)
    media_type = response.headers.get("content-type")
    extra = tuple((k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS)
    if cache.max_bytes > 0:
        cache.put(etag, KeptAnswer(body, media_type, extra))
    response.headers.update(headers)
    return response

"""ETag, 304 and kept answers for anonymous service answers (:mod:`gisplan.publish.response_cache`):
the routes of ``/ows`` (GetCapabilities, GetMap) and of OGC API – Features items pass their request
key, the layers and громада the answer is drawn from, and a function that draws it."""

from __future__ import annotations

from typing import Callable

from fastapi import Request, Response
from sqlalchemy import Connection

from gisplan.publish.response_cache import AnswerState, KeptAnswer, etag_for, shared_cache

from .kept_answers import control, matched_validator, remember, request_key

__all__ = ["cached_answer", "request_key"]

# written by the kept answer itself; a cookie is never kept (an answer kept is given to everyone)
SKIPPED_HEADERS = {"content-length", "content-type", "etag", "cache-control", "set-cookie"}


def cached_answer(request: Request, conn: Connection, key: tuple, layers: list[str] | None, hromada: str | None,
                  produce: Callable[[], Response], keep: Callable[[Response], bool] = lambda r: True,
                  state: AnswerState | None = None) -> Response:
    """304 when the client holds the current ETag, the kept answer when there is one, else
    ``produce()`` — kept (and given the ETag) when it is a 200 that ``keep`` accepts. ``state``: what
    the answer is drawn from when the caller knows better (else the published datasets of ``layers``
    in ``hromada``). A kept request is remembered so the next one is answered before routing
    (:mod:`api.kept_answers`) when ``key`` is the plain request key."""
    state = state or AnswerState.of_datasets(layers, hromada)
    etag = etag_for(key, state.read(conn))
    plain_key = key == request_key(request)
    matched = matched_validator(request.headers.get("if-none-match"), etag)
    if matched:
        return Response(status_code=304, headers={"ETag": matched, "Cache-Control": control()})
    cache = shared_cache()
    kept = cache.get(etag) if cache.max_bytes > 0 else None
    if kept is None:
        response = produce()
        if response.status_code != 200 or not keep(response) or "content-encoding" in response.headers:
            return response  # an encoded body is not kept (its gzip is made here, once)
        extra = tuple((k, v) for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS)
        kept = KeptAnswer.of(bytes(response.body), response.headers.get("content-type"), extra)
        if cache.max_bytes <= 0:
            response.headers.update({"ETag": etag, "Cache-Control": control()})
            return response
        cache.put(etag, kept)
    if plain_key:
        remember(request, state)
    return kept_response(kept, request.headers.get("accept-encoding"), etag)


def kept_response(kept: KeptAnswer, accept_encoding: str | None, etag: str) -> Response:
    body, encoding = kept.encoded(accept_encoding, etag)
    headers = {**{k: v for k, v in kept.headers if k.lower() != "vary" or kept.gzipped is None},
               "cache-control": control(), **dict(encoding)}
    return Response(body, media_type=kept.media_type, headers=headers)

"""Anonymous answers kept by the state of the datasets they are drawn from (issue 17, item 2).

A WMS GetCapabilities or GetMap, or an OGC API – Features page, asked anonymously, depends only on
the request, the calendar day (features are alive "as of today") and the published datasets it
reads. :func:`state_token` reads that state from the ``dataset`` table in one aggregate
(``sql/response_state.sql``: change counters, publication times, counts) — never the features. The ETag is a digest of the request's key and that token, so:

- a client that sends the ETag back (``If-None-Match``) gets a **304** while nothing it depends on
  changed, without the answer being drawn or read;
- the answer itself is kept in a bounded in-process LRU (:class:`ResponseCache`,
  ``GISPLAN_RESPONSE_CACHE_MB``) under the same key, so another client asking the same gets the
  kept bytes;
- an edit of one layer moves only the tokens that include that layer (and громада): a GetMap of
  another layer, or a page of another collection, keeps its ETag and its kept answer.

Each worker process has its own LRU; nothing kept can go stale because the key is read from the
database on every request (as the tiles do). Signed-in answers (full tables) are never kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from .. import clock

STATE_SQL = text((Path(__file__).resolve().parent / "sql" / "response_state.sql").read_text(encoding="utf-8"))


def state_token(conn: Connection, layers: list[str] | None, hromada: str | None) -> str:
    """The state of the published datasets of ``layers`` (None: every layer of the catalogue, which
    the computed gap and indicator layers are drawn from too) in ``hromada`` (None: all)."""
    from ..catalog import catalog

    names = sorted(set(layers)) if layers is not None else list(catalog().names())
    row = conn.execute(STATE_SQL, {"layers": names, "hromada": hromada}).one()
    return "|".join(str(v) for v in row)


def settings_fingerprint() -> str:
    """The settings the kept documents are written with (titles, licence, limits, public URL): a
    changed setting is a new ETag, never a 304 for a document written under the old one."""
    from ..settings import download_settings, metadata_settings, ogcapi_settings, server_settings, wms_settings

    parts = [s.model_dump_json() for s in (wms_settings(), metadata_settings(), ogcapi_settings(),
                                            download_settings())]
    return "|".join([*parts, str(server_settings().public_url)])


def etag_for(key: tuple, token: str, day: dt.date | None = None) -> str:
    """The strong ETag of an answer: its request key, the data state, the calendar day (features
    are alive "as of today") and the settings."""
    digest = hashlib.sha256(repr((key, token, (day or clock.today()).isoformat(),
                                  settings_fingerprint())).encode()).hexdigest()
    return f'"r-{digest[:32]}"'


@dataclass(frozen=True)
class KeptAnswer:
    body: bytes
    media_type: str | None
    headers: tuple[tuple[str, str], ...]


class ResponseCache:
    """A thread-safe LRU of answers bounded by their total size; counts hits and misses."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, KeptAnswer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, etag: str) -> KeptAnswer | None:
        with self._lock:
            found = self._items.get(etag)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(etag)
            self.hits += 1
            return found

    def put(self, etag: str, answer: KeptAnswer) -> None:
        size = len(answer.body)
        if size > self.max_bytes // 4:  # one answer never takes more than a quarter
            return
        with self._lock:
            old = self._items.pop(etag, None)
            if old is not None:
                self._size -= len(old.body)
            self._items[etag] = answer
            self._size += size
            while self._size > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


_cache: ResponseCache | None = None
_cache_lock = threading.Lock()


def shared_cache() -> ResponseCache:
    """This process's cache, sized by ``GISPLAN_RESPONSE_CACHE_MB`` when first used."""
    global _cache
    with _cache_lock:
        if _cache is None:
            from ..settings import response_cache_settings

            _cache = ResponseCache(int(response_cache_settings().mb * 1024 * 1024))
        return _cache


def reset_shared_cache() -> None:
    """Forget the cache and its size (tests that change ``GISPLAN_RESPONSE_CACHE_MB``)."""
    global _cache
    with _cache_lock:
        _cache = None

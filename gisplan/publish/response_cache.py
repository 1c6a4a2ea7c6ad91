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
import gzip
import hashlib
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, text

from .. import clock

STATE_TEXT = (Path(__file__).resolve().parent / "sql" / "response_state.sql").read_text(encoding="utf-8")
STATE_SQL = text(STATE_TEXT)
AREA_STATE_TEXT = (Path(__file__).resolve().parent / "sql" / "response_state_area.sql").read_text(encoding="utf-8")
_STATEMENTS: dict[str, object] = {}


def _statement(sql: str):
    found = _STATEMENTS.get(sql)
    if found is None:
        found = _STATEMENTS[sql] = text(sql)
    return found
CATALOGUE_VERSION_TEXT = "SELECT version FROM catalogue_version WHERE id"


@dataclass(frozen=True)
class AnswerState:
    """What an anonymous answer is drawn from, as a query that reads its state: the published
    datasets of ``layers`` in ``hromada`` (``sql/response_state.sql``), or only the catalogue version
    row (documents built from the catalogue alone, e.g. WMS capabilities). Kept beside a request key
    so the state can be read again before routing (:mod:`api.kept_answers`)."""

    layers: tuple[str, ...] | None = None
    hromada: str | None = None
    catalogue_only: bool = False
    area: tuple[float, float, float, float] | None = None  # lon/lat: only the datasets whose box meets it

    @classmethod
    def of_datasets(cls, layers: list[str] | None, hromada: str | None) -> "AnswerState":
        from ..catalog import catalog

        names = tuple(sorted(set(layers))) if layers is not None else tuple(catalog().names())
        return cls(names, hromada)

    @classmethod
    def of_catalogue(cls) -> "AnswerState":
        return cls(catalogue_only=True)

    def query(self) -> tuple[str, dict]:
        """The SQL (SQLAlchemy ``:name`` parameters) and its parameters."""
        if self.catalogue_only:
            return CATALOGUE_VERSION_TEXT, {}
        params = {"layers": list(self.layers or ()), "hromada": self.hromada}
        if self.area is not None:
            west, south, east, north = self.area
            return AREA_STATE_TEXT, {**params, "west": west, "south": south, "east": east, "north": north}
        return STATE_TEXT, params

    def token(self, row) -> str:
        if self.catalogue_only:
            return f"catalogue {int(row[0]) if row else 0}"
        return "|".join(str(v) for v in row)

    def read(self, conn: Connection) -> str:
        sql, params = self.query()
        return self.token(conn.execute(_statement(sql), params).first())


def state_token(conn: Connection, layers: list[str] | None, hromada: str | None) -> str:
    """The state of the published datasets of ``layers`` (None: every layer of the catalogue, which
    the computed gap and indicator layers are drawn from too) in ``hromada`` (None: all)."""
    return AnswerState.of_datasets(layers, hromada).read(conn)


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


COMPRESSIBLE = ("text/", "application/xml", "application/json", "application/geo+json",
                "application/vnd.ogc.", "application/schema+json", "application/vnd.oai.")
GZIP_FROM = 1024  # bytes: smaller answers are sent as they are


@dataclass(frozen=True)
class KeptAnswer:
    """A kept answer: its bytes, media type and headers, and its gzip when it is text worth it
    (compressed once, when kept: a national capabilities document is 3 MB, its gzip ~150 kB)."""

    body: bytes
    media_type: str | None
    headers: tuple[tuple[str, str], ...]
    gzipped: bytes | None = None

    @classmethod
    def of(cls, body: bytes, media_type: str | None, headers: tuple[tuple[str, str], ...]) -> "KeptAnswer":
        compress = len(body) >= GZIP_FROM and (media_type or "").startswith(COMPRESSIBLE)
        return cls(body, media_type, headers, gzip.compress(body, 6, mtime=0) if compress else None)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")

    def encoded(self, accept_encoding: str | None, etag: str) -> tuple[bytes, list[tuple[str, str]]]:
        """The body for a client sending ``accept_encoding`` and the headers that go with it: the gzip
        (``Content-Encoding``, its own strong ETag) when the client takes it; ``Vary`` either way."""
        if self.gzipped is None:
            return self.body, [("etag", etag)]
        own = [v for k, v in self.headers if k.lower() == "vary"]
        vary = ("vary", ", ".join([*own, "Accept-Encoding"]))
        if accepts_gzip(accept_encoding):
            return self.gzipped, [("content-encoding", "gzip"), vary, ("etag", gzip_etag(etag))]
        return self.body, [vary, ("etag", etag)]


def accepts_gzip(accept_encoding: str | None) -> bool:
    """``gzip`` listed in Accept-Encoding and not refused with ``q=0``."""
    for part in (accept_encoding or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.replace(" ", "").removeprefix("q=")
            try:
                return not params or float(q) > 0
            except ValueError:
                return False
    return False


def gzip_etag(etag: str) -> str:
    """The strong ETag of the gzip of an answer (another representation, another validator)."""
    return etag[:-1] + '-gz"'


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
        size = answer.size
        if size > self.max_bytes // 4:  # one answer never takes more than a quarter
            return
        with self._lock:
            old = self._items.pop(etag, None)
            if old is not None:
                self._size -= old.size
            self._items[etag] = answer
            self._size += size
            while self._size > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= dropped.size

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


def _driver_sql(sql: str) -> str:
    """A ``text()`` query in psycopg's own parameter style (comments dropped: they may hold ``%``)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", "\n".join(lines))


class StateReader:
    """Reads an :class:`AnswerState` on a few connections of its own, taken out of ``engine``'s pool
    (so the engine's connect settings hold) and used in autocommit with prepared statements: no
    pool checkout, ping or rollback around a one-row read. Used before routing, where a kept answer
    costs little else (:mod:`api.kept_answers`). Thread-safe; keeps at most ``idle`` connections."""

    def __init__(self, engine: Engine, idle: int = 8):
        self._engine = weakref.ref(engine)  # a weak key of _readers: the reader must not keep it alive
        self.idle = idle
        self._free: list = []
        self._lock = threading.Lock()
        self._sql: dict[str, str] = {}

    def read(self, state: AnswerState) -> str:
        sql, params = state.query()
        return state.token(self.row(sql, params))

    def row(self, sql: str, params: dict):
        """The first row of ``sql`` (a ``text()`` query with ``:name`` parameters), as a tuple."""
        driver_sql = self._sql.get(sql)
        if driver_sql is None:
            driver_sql = self._sql[sql] = _driver_sql(sql)
        try:
            conn = self._take()
            try:
                with conn.cursor() as cur:
                    cur.execute(driver_sql, params, prepare=True)
                    row = cur.fetchone()
            except BaseException:
                conn.close()
                raise
        except psycopg.Error:
            # a broken or refused connection (a restarted server, a replica gone): read through the
            # engine once, whose error handling (reconnects, the replica router) applies as usual
            engine = self._engine()
            if engine is None:
                raise
            with engine.connect() as pooled:
                found = pooled.execute(text(sql), params).first()
            return tuple(found) if found is not None else None
        self._give(conn)
        return row

    def _take(self):
        with self._lock:
            if self._free:
                return self._free.pop()
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of this state reader is gone")
        proxied = engine.raw_connection()
        dbapi = proxied.dbapi_connection
        proxied.detach()  # ours now: closed by us, never handed back to the pool
        dbapi.rollback()  # the pool's ping may have opened a transaction
        dbapi.autocommit = True
        return dbapi

    def _give(self, conn) -> None:
        with self._lock:
            if len(self._free) < self.idle and not conn.closed:
                self._free.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            free, self._free = self._free, []
        for conn in free:
            conn.close()


_readers: "weakref.WeakKeyDictionary[Engine, StateReader]" = weakref.WeakKeyDictionary()


def state_reader(engine: Engine) -> StateReader:
    """This process's reader of ``engine`` (one per engine object, gone with it)."""
    with _cache_lock:
        found = _readers.get(engine)
        if found is None:
            found = _readers[engine] = StateReader(engine)
        return found

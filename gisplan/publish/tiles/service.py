"""Tiles for the routes: the address checked, the state read (ETag), the cache asked, PostGIS last.

One :class:`TileService` per database (engine): it holds the tile caches: a small LRU in the process
in front of the tile files shared by every worker process. The state of a tile (which datasets it
meets, their change counters) is read from the database on every request (:mod:`.state`).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from ...catalog import catalog
from ...errors import GisplanError
from ...settings import TileSettings, tile_settings
from ..sources import Scope, layer_source
from .cache import TileCache
from .encode import TileOptions, encode_tile
from .file_cache import FileTileCache
from .grid import TileAddress
from ..response_cache import state_reader
from .state import TileState, tile_state


class UnknownLayer(GisplanError):
    pass


@dataclass(frozen=True)
class Tile:
    state: TileState
    data: bytes | None    # None: not read (the caller's ETag matched); b"": no feature in the tile

    @property
    def etag(self) -> str:
        return self.state.etag


class TileService:
    def __init__(self, engine: Engine, settings: TileSettings | None = None):
        self.engine = engine
        self.settings = settings or tile_settings()
        s = self.settings
        self.options = TileOptions(extent=s.extent, buffer=s.buffer, simplify_cells=s.simplify_cells)
        self.cache = TileCache(int(s.cache_mb * 1024 * 1024))
        self.shared = FileTileCache(s.cache_directory(), int(s.shared_cache_mb * 1024 * 1024)) \
            if s.shared_cache_mb > 0 else None
        self._identity: str | None = None

    def identity(self, conn) -> str:
        """The database's identity in the shared cache's keys (one per database, the same on its
        replica): the cluster's system identifier and the database's oid, read once."""
        if self._identity is None:
            self._identity = database_identity(conn)
        return self._identity

    def address(self, z: str, x: str, y: str) -> TileAddress:
        return TileAddress.parse(z, x, y, self.settings.min_zoom, self.settings.max_zoom)

    def tile(self, layer_name: str, scope: Scope, address: TileAddress, if_none_match=None,
             draw: bool = True) -> Tile | None:
        """The tile, or only its state when ``if_none_match(etag)`` says the caller holds it; with
        ``draw`` false, None instead of reading files or drawing (only what this process keeps)."""
        cat = catalog()
        if layer_name not in cat:
            raise UnknownLayer(f"layer: {layer_name!r} is not a layer of the catalogue "
                               f"({', '.join(cat.names())})")
        source = layer_source(cat.get(layer_name), scope)
        # the state on the state reader's own autocommit connection; a pooled one only to draw
        state = tile_state(state_reader(self.engine), source, scope, address, self.options.margin)
        if if_none_match is not None and if_none_match(state.etag):
            return Tile(state, None)
        if not state.datasets:
            return Tile(state, b"")  # no dataset reaches the tile: empty without asking PostGIS
        key = ("tile", state.digest)
        data = self.cache.get(key, count_miss=draw)
        if data is not None:
            return Tile(state, data)
        if not draw:
            return None
        with self.engine.connect() as conn:
            shared_key = f"{state.digest}-{self.identity(conn)}"
            data = self.shared.get(shared_key) if self.shared else None
            if data is None:
                data, _ = encode_tile(conn, source, address, self.options)
                if self.shared:
                    self.shared.put(shared_key, data)
            self.cache.put(key, data)
        return Tile(state, data)


def database_identity(conn: Connection) -> str:
    try:
        with conn.begin_nested():
            row = conn.execute(text("SELECT (SELECT system_identifier FROM pg_control_system()), "
                                    "(SELECT oid FROM pg_database WHERE datname = current_database())")).one()
        return hashlib.sha256(f"{row[0]}/{row[1]}".encode()).hexdigest()[:16]
    except DBAPIError:  # pg_control_system() not granted to this role: the server's address instead
        url = conn.engine.url
        return hashlib.sha256(f"{url.host}:{url.port}/{url.database}".encode()).hexdigest()[:16]


_SERVICES: dict[int, TileService] = {}
_LOCK = threading.Lock()


def tile_service(engine: Engine) -> TileService:
    """The service of ``engine``, made on first use with the settings then in force."""
    with _LOCK:
        found = _SERVICES.get(id(engine))
        if found is None or found.engine is not engine:
            found = _SERVICES[id(engine)] = TileService(engine)
        return found

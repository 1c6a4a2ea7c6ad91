"""GetMap: Mapnik renders the requested layers straight from PostGIS.

Maps are built once per (database, scope, layer list) from :mod:`.mapnik_styles` and kept in a
small pool, so a request only sets size, CRS, background and extent, then renders; a map is used by
one thread at a time. Mapnik reprojects from the storage CRS (EPSG:4326) to the request's CRS with
the pinned definitions of :mod:`.crs`. ``aspect_fix_mode`` RESPECT draws exactly the BBOX asked
for, stretched if its aspect differs from WIDTH×HEIGHT, as WMS requires.
"""

from __future__ import annotations

from . import proj_env  # noqa: F401  (PROJ_DATA before Mapnik)

import threading
from collections import OrderedDict
from pathlib import Path

import mapnik
from sqlalchemy.engine import URL

from ..settings import wms_settings
from .mapnik_styles import map_xml
from .sources import LayerSource
from .wms_params import MapRequest

POOL_KEYS = 256     # distinct (scope, layer list) maps kept
MAPS_PER_KEY = 4    # idle maps kept per key (one is used per concurrent request)


def db_params(url: URL) -> dict[str, str]:
    """Connection parameters of Mapnik's PostGIS datasource from the app's database URL."""
    params = {
        "host": url.host or str(url.query.get("host", "")),
        "port": str(url.port or url.query.get("port", 5432)),
        "user": url.username or "",
        "password": url.password or "",
        "dbname": url.database or "",
    }
    return {k: v for k, v in params.items() if v}


class MapPool:
    """Built Mapnik maps by key; ``acquire`` gives one no other thread holds."""

    def __init__(self):
        self._idle: OrderedDict[tuple, list[mapnik.Map]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: tuple, build) -> mapnik.Map:
        with self._lock:
            maps = self._idle.get(key)
            if maps:
                self._idle.move_to_end(key)
                return maps.pop()
        return build()

    def release(self, key: tuple, m: mapnik.Map) -> None:
        with self._lock:
            maps = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(maps) < MAPS_PER_KEY:
                maps.append(m)
            while len(self._idle) > POOL_KEYS:
                self._idle.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


POOL = MapPool()


class RenderSlots:
    """At most ``render_concurrency`` images drawn at once, so Mapnik's PostGIS connection pool
    (twice that size) never runs dry; a request over the limit waits for a slot instead of failing
    with "Null connection"."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sem: threading.BoundedSemaphore | None = None
        self._size = 0

    def get(self) -> threading.BoundedSemaphore:
        size = wms_settings().render_concurrency
        with self._lock:
            if self._sem is None or size != self._size:
                self._sem, self._size = threading.BoundedSemaphore(size), size
            return self._sem


SLOTS = RenderSlots()


def _build(sources: list[LayerSource], db: dict[str, str]) -> mapnik.Map:
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, map_xml(sources, db), False, str(Path(__file__).parent))
    m.aspect_fix_mode = mapnik.aspect_fix_mode.RESPECT
    return m


def _colour(rgb: tuple[int, int, int], alpha: int) -> mapnik.Color:
    return mapnik.Color(rgb[0], rgb[1], rgb[2], alpha)


def render_map(request: MapRequest, sources: list[LayerSource], url: URL, scope_key: str) -> bytes:
    """The encoded image of ``request`` with ``sources`` drawn in order."""
    db = db_params(url)
    key = (url.render_as_string(hide_password=False), scope_key,
           tuple(s.layer.name for s in sources), tuple(s.relation for s in sources))
    m = POOL.acquire(key, lambda: _build(sources, db))
    try:
        m.resize(request.width, request.height)
        m.srs = request.crs.proj
        jpeg = request.media_type == "image/jpeg"
        transparent = request.transparent and not jpeg
        m.background = _colour(request.bgcolor, 0 if transparent else 255)
        m.zoom_to_box(mapnik.Box2d(*request.bbox))
        image = mapnik.Image(request.width, request.height)
        with SLOTS.get():
            mapnik.render(m, image)
    finally:
        POOL.release(key, m)
    return image.to_string(request.encoding)

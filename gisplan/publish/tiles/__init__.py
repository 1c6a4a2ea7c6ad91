"""Mapbox Vector Tiles of the layers (issue 17), drawn by PostGIS (``ST_AsMVT``).

- :mod:`.grid`: tile addresses in the Web Mercator quad tree (WebMercatorQuad), checked, with their
  envelopes and the simplification tolerance of each zoom;
- :mod:`.state`: which datasets a tile reads and their change counters: the tile's ETag and cache key,
  one indexed query on the datasets' boxes (``dataset.extent``); :mod:`.extents` recomputes the boxes;
- :mod:`.encode`: the tile itself from the ``pub`` view (or the full table), ``tile.sql``;
- :mod:`.cache`: a small in-process LRU of encoded tiles, bounded in bytes, with hit/miss counters;
- :mod:`.service`: the three put together, what the routes call; :mod:`.tilejson`: TileJSON 3.0.
"""

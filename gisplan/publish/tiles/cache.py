"""A small in-process LRU of encoded tiles, bounded in bytes, with hit and miss counters.

Keys carry the tile's state (its datasets' change counters), so an entry is never invalidated: a
change of data makes new keys, and the old entries age out of the LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable

ENTRY_OVERHEAD = 200  # bytes counted per entry besides the tile (key, bookkeeping)


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int


class TileCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, count_miss: bool = True) -> bytes | None:
        """The tile kept under ``key``; ``count_miss`` false: a look before routing whose miss the
        route will count when it draws (api/kept_answers.py)."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += count_miss
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found

    def put(self, key: Hashable, tile: bytes) -> None:
        size = len(tile) + ENTRY_OVERHEAD
        if size > self.max_bytes:
            return  # larger than the whole cache (or the cache is off)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old) + ENTRY_OVERHEAD
            self._entries[key] = tile
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped) + ENTRY_OVERHEAD

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._bytes, self.max_bytes)

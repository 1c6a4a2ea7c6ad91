"""Encoded tiles shared by every worker process (``GISPLAN_WORKERS``): one file per key under
``$GISPLAN_HOME/cache/tiles`` (or ``GISPLAN_TILES_CACHE_DIR``), bounded in bytes.

The keys are the tiles' state digests (their datasets' change counters, see :mod:`.state`) prefixed
with the database's identity, so an entry is never stale and never invalidated: a worker that saw an
edit asks for a new key, finds no file, draws the tile and writes it; the other workers then read that
file. Files are written to a temporary name and renamed into place, so a reader never sees half a
tile. A read touches the file's time, and when this process's estimate of the directory's size passes
the bound, the least recently read files are deleted down to 80 % of it (a scan of the directory,
once per so many megabytes written, never per request).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from .cache import CacheStats

LOW_WATER = 0.8


class FileTileCache:
    def __init__(self, directory: Path, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._estimate: int | None = None  # bytes in the directory, as this process believes

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.mvt"

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            with self._lock:
                self._misses += 1
            return None
        try:
            os.utime(path)  # recently read: pruned last
        except OSError:
            pass  # pruned meanwhile by another worker: the bytes read are still right
        with self._lock:
            self._hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            return
        with self._lock:
            if self._estimate is None:
                self._estimate = self._scan_size()
            self._estimate += len(data)
            over = self._estimate > self.max_bytes
        if over:
            self.prune()

    def _files(self) -> list[tuple[float, int, Path]]:
        found = []
        for sub in self.directory.glob("??"):
            for path in sub.glob("*.mvt"):
                try:
                    st = path.stat()
                except OSError:
                    continue
                found.append((st.st_mtime, st.st_size, path))
        return found

    def _scan_size(self) -> int:
        return sum(size for _, size, _ in self._files())

    def prune(self) -> None:
        """Delete the least recently read files until the directory holds 80 % of the bound."""
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        target = int(self.max_bytes * LOW_WATER)
        for _, size, path in files:
            if total <= target:
                break
            path.unlink(missing_ok=True)
            total -= size
        with self._lock:
            self._estimate = total

    def stats(self) -> CacheStats:
        with self._lock:
            size = self._estimate if self._estimate is not None else -1
            return CacheStats(self._hits, self._misses, -1, size, self.max_bytes)

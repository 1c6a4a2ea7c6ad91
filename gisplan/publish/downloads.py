"""Download files of published datasets (layer × громада): a full GeoJSON and a GeoPackage each.

Files are written by GDAL through :func:`gisplan.ingest.export.export_layer` from the ``pub`` view
(published rows and public fields only) into a cache folder (``GISPLAN_DOWNLOADS_DIR``, by default
``$GISPLAN_HOME/downloads``), and written again when the dataset's state moves: its change counter
(every insert, update or delete of its features), its publication time, or the public columns
and row filter of its layer. The state and the rows are read in one REPEATABLE READ snapshot, so a
file always matches the state it is named after. Each file has a strong ETag, the SHA-256 of its
bytes, kept beside it in a small JSON file.

Other modules call :func:`download_file` for a file's path, size, media type and ETag (written
first when missing: the Atom feed), or :func:`ready_file` for one already written (OGC API links).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from ..catalog import KATOTTG_RE, catalog
from ..db.derived import pub_columns
from ..db.models import dataset
from ..errors import GisplanError
from ..ingest.export import ExportOptions, export_layer
from ..settings import download_settings

FORMATS = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}
FORMAT_NAMES = {"geojson": "GeoJSON", "gpkg": "GeoPackage"}
STALE_GRACE_S = 60


class NotPublished(GisplanError):
    """No published dataset of that layer in that громада (or an unknown layer, format, code)."""


@dataclass(frozen=True)
class DatasetState:
    layer: str
    hromada: str
    metadata_uuid: str
    change_count: int
    changed_at: dt.datetime | None
    published_at: dt.datetime | None

    @property
    def updated(self) -> dt.datetime | None:
        stamps = [s for s in (self.changed_at, self.published_at) if s is not None]
        return max(stamps) if stamps else None

    def key(self) -> str:
        """What the file's content depends on, hashed: the same key, the same rows."""
        layer = catalog().get(self.layer)
        parts = (self.change_count, self.published_at.isoformat() if self.published_at else "",
                 pub_columns(layer), layer.publication.row_filter or "")
        return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DownloadFile:
    layer: str
    hromada: str
    format: str           # geojson or gpkg
    path: Path
    size: int
    etag: str             # strong, quoted: "sha256…"
    media_type: str
    features: int
    state: DatasetState

    @property
    def filename(self) -> str:
        return f"{self.layer}-{self.hromada}.{self.format}"


def _check(layer: str, hromada: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise NotPublished(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if layer not in catalog():
        raise NotPublished(f"layer: {layer!r} is not a layer of the catalogue")
    if not KATOTTG_RE.match(hromada):
        raise NotPublished(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")


def published_state(conn: Connection, layer: str, hromada: str) -> DatasetState | None:
    row = conn.execute(select(dataset.c.metadata_uuid, dataset.c.change_count, dataset.c.changed_at,
                              dataset.c.published_at)
                       .where(dataset.c.layer == layer, dataset.c.hromada == hromada, dataset.c.published)).first()
    if row is None:
        return None
    return DatasetState(layer, hromada, str(row.metadata_uuid), row.change_count, row.changed_at, row.published_at)


def published_states(conn: Connection, hromada: str | None = None) -> list[DatasetState]:
    """Every published dataset (of one громада), in catalogue order then by громада."""
    q = select(dataset).where(dataset.c.published)
    if hromada:
        q = q.where(dataset.c.hromada == hromada)
    order = {name: i for i, name in enumerate(catalog().names())}
    states = [DatasetState(r.layer, r.hromada, str(r.metadata_uuid), r.change_count, r.changed_at, r.published_at)
              for r in conn.execute(q) if r.layer in order]
    return sorted(states, key=lambda s: (order[s.layer], s.hromada))


def _paths(state: DatasetState, fmt: str) -> tuple[Path, Path]:
    folder = download_settings().directory() / state.hromada
    path = folder / f"{state.layer}-{state.key()}.{fmt}"
    return path, path.with_name(path.name + ".json")


def _cached(state: DatasetState, fmt: str) -> DownloadFile | None:
    path, meta = _paths(state, fmt)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        size = path.stat().st_size
    except (FileNotFoundError, ValueError):
        return None
    if size != info.get("size"):
        return None
    return DownloadFile(state.layer, state.hromada, fmt, path, size, f'"{info["sha256"]}"', FORMATS[fmt],
                        info["features"], state)


def ready_file(state: DatasetState, fmt: str) -> DownloadFile | None:
    """The file of ``state`` when it is already written, else None; never writes (for links that
    show a length without making the page wait for GDAL)."""
    return _cached(state, fmt) if fmt in FORMATS else None


@contextmanager
def _locked(folder: Path, name: str):
    """One writer per dataset and format, across threads and processes."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _generate(conn: Connection, state: DatasetState, fmt: str) -> DownloadFile:
    path, meta = _paths(state, fmt)
    tmp = path.with_name(f".{path.stem}-{os.getpid()}.tmp.{fmt}")
    result = export_layer(conn, state.layer, tmp, ExportOptions(format=fmt, hromada=state.hromada, public=True))
    info = {"sha256": _sha256(tmp), "size": tmp.stat().st_size, "features": result.features,
            "change_count": state.change_count, "generated_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    os.replace(tmp, path)
    meta_tmp = meta.with_name(meta.name + ".tmp")
    meta_tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(meta_tmp, meta)
    _remove_stale(path, meta, state.layer, fmt)
    return DownloadFile(state.layer, state.hromada, fmt, path, info["size"], f'"{info["sha256"]}"',
                        FORMATS[fmt], info["features"], state)


def _remove_stale(path: Path, meta: Path, layer: str, fmt: str) -> None:
    """Files of earlier states, once a minute old (a response may still be reading one)."""
    now = dt.datetime.now().timestamp()
    for old in path.parent.glob(f"{layer}-*.{fmt}*"):
        try:
            if old not in (path, meta) and now - old.stat().st_mtime > STALE_GRACE_S:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            continue


def download_file(engine: Engine, layer: str, hromada: str, fmt: str) -> DownloadFile:
    """The file of a published dataset, written first when missing or stale; :class:`NotPublished`
    when the dataset is not published."""
    _check(layer, hromada, fmt)
    with engine.connect() as conn:
        state = published_state(conn, layer, hromada)
    if state is None:
        raise NotPublished(f"{layer}/{hromada}: no published dataset")
    found = _cached(state, fmt)
    if found is not None:
        return found
    with _locked(download_settings().directory() / hromada, f"{layer}.{fmt}"):
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            state = published_state(conn, layer, hromada)  # the snapshot the rows come from
            if state is None:
                raise NotPublished(f"{layer}/{hromada}: no published dataset")
            return _cached(state, fmt) or _generate(conn, state, fmt)

"""A whole gisplan in one file: ``gisplan backup --out FILE.tar`` and ``gisplan restore FILE.tar``.

The tar holds ``database.dump`` (pg_dump custom format, :mod:`gisplan.backup`), every registered
raster file (``rasters/``, the Cloud-Optimized GeoTIFFs the ``raster_dataset`` rows point to) and
``settings.json`` (the effective ``GISPLAN_*`` settings, secrets redacted), described by
``manifest.json`` with a SHA-256 per member. A restore checks every digest before it touches
anything, loads the database in one transaction, puts the rasters into this installation's raster
directory and points the rows at them, and reports the settings that differ from the backup's (it
does not change the environment: settings belong to whoever starts gisplan).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import create_engine, text

from . import __version__
from .backup import backup, restore
from .errors import GisplanError

FORMAT = "gisplan-backup/1"
SECRET = re.compile(r"password|secret|token|key", re.I)


@dataclass(frozen=True)
class BundleResult:
    path: Path
    size: int
    database: str
    rasters: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _redact(name: str, value):
    if value is None:
        return None
    if SECRET.search(name):
        return "***"
    if isinstance(value, str) and "://" in value and "@" in value:  # a URL with credentials
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", value)
    return value


def effective_settings() -> dict[str, object]:
    """Every ``GISPLAN_*`` setting as gisplan sees it now, secrets redacted."""
    from . import settings as s

    out: dict[str, object] = {}
    for getter in (s.database_settings, s.server_settings, s.path_settings, s.wms_settings, s.metadata_settings,
                   s.residents_settings, s.raster_settings, s.ogcapi_settings, s.download_settings):
        obj = getter()
        prefix = obj.model_config.get("env_prefix", "GISPLAN_")
        for name, value in obj.model_dump(mode="json").items():
            out[f"{prefix}{name}".upper()] = _redact(name, value)
    return dict(sorted(out.items()))


def _raster_rows(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.id, r.path) for r in conn.execute(text("SELECT id, path FROM raster_dataset ORDER BY id"))]
    finally:
        engine.dispose()


def backup_bundle(url: str, out: Path) -> BundleResult:
    out = Path(out)
    if out.is_dir():
        raise GisplanError(f"--out: {out} is a directory; give a file name such as gisplan-backup.tar")
    if not out.parent.exists():
        raise GisplanError(f"--out: no directory {out.parent}")
    rows = _raster_rows(url)
    missing = [p for _, p in rows if not Path(p).is_file()]
    if missing:
        raise GisplanError(f"raster file missing, the backup would be incomplete: {missing[0]}")
    with tempfile.TemporaryDirectory(prefix="gisplan-backup-") as tmp:
        tmpdir = Path(tmp)
        dumped = backup(url, tmpdir / "database.dump")
        (tmpdir / "settings.json").write_text(json.dumps(effective_settings(), ensure_ascii=False, indent=2),
                                              encoding="utf-8")
        members = {"database.dump": tmpdir / "database.dump", "settings.json": tmpdir / "settings.json"}
        rasters = []
        for rid, path in rows:
            arcname = f"rasters/{rid}-{Path(path).name}"
            members[arcname] = Path(path)
            rasters.append({"id": rid, "member": arcname, "path": path})
        manifest = {"format": FORMAT, "gisplan": __version__, "made": dt.datetime.now(dt.timezone.utc).isoformat(),
                    "database": dumped.database, "rasters": rasters,
                    "sha256": {name: _sha256(p) for name, p in members.items()}}
        (tmpdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = out.with_name(out.name + ".partial")
        try:
            with tarfile.open(partial, "w") as tar:
                tar.add(tmpdir / "manifest.json", arcname="manifest.json")
                for name, p in members.items():
                    tar.add(p, arcname=name)
            partial.replace(out)  # a failed backup never leaves a file that looks like one
        finally:
            partial.unlink(missing_ok=True)
    return BundleResult(out, out.stat().st_size, dumped.database, len(rasters))


@dataclass(frozen=True)
class RestoreResult:
    database: str
    rasters: int
    settings_differ: list[str]


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts


def restore_bundle(url: str, path: Path, raster_dir: Path) -> RestoreResult:
    path = Path(path)
    if not path.is_file():
        raise GisplanError(f"FILE: no backup file {path}")
    if not tarfile.is_tarfile(path):
        raise GisplanError(f"FILE: {path} is not a gisplan backup (a tar made by `gisplan backup`)")
    with tempfile.TemporaryDirectory(prefix="gisplan-restore-") as tmp, tarfile.open(path) as tar:
        tmpdir = Path(tmp)
        names = tar.getnames()
        if "manifest.json" not in names:
            raise GisplanError(f"FILE: {path} has no manifest.json: not made by `gisplan backup`")
        for member in tar.getmembers():
            if not member.isfile() or not _safe_member(member.name):
                raise GisplanError(f"FILE: {path}: refused member {member.name!r} (only plain relative files)")
        tar.extractall(tmpdir, filter="data")
        manifest = json.loads((tmpdir / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise GisplanError(f"FILE: {path}: unknown backup format {manifest.get('format')!r}")
        for name, digest in manifest["sha256"].items():
            member = tmpdir / name
            if not member.is_file() or _sha256(member) != digest:
                raise GisplanError(f"FILE: {path}: {name} is missing or damaged (SHA-256 differs)")
        # rasters first, into new files, so a failed database load leaves the old rasters in place
        raster_dir.mkdir(parents=True, exist_ok=True)
        placed: dict[int, str] = {}
        for r in manifest["rasters"]:
            target = raster_dir / PurePosixPath(r["member"]).name
            if not target.exists() or _sha256(target) != manifest["sha256"][r["member"]]:
                shutil.copy2(tmpdir / r["member"], target)
            placed[r["id"]] = str(target)
        name = restore(url, tmpdir / "database.dump")
        if placed:
            engine = create_engine(url)
            try:
                with engine.begin() as conn:
                    for rid, new_path in placed.items():
                        conn.execute(text("UPDATE raster_dataset SET path = :p WHERE id = :id"),
                                     {"p": new_path, "id": rid})
            finally:
                engine.dispose()
        saved = json.loads((tmpdir / "settings.json").read_text(encoding="utf-8"))
        now = effective_settings()
        differ = sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k) and saved.get(k) != "***")
    return RestoreResult(name, len(placed), differ)

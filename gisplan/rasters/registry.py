"""Register rasters: copy them as COG into the raster directory and record them in ``raster_dataset``.

A population raster registered by a planner is preferred over the estimated surface for every
громада it covers; the estimate (``is_estimate``) is used only where no real raster covers the
громада, and it says how it was made.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import Connection, insert, text

from ..catalog import KATOTTG_RE
from ..errors import GisplanError
from ..settings import raster_settings
from .cog import describe, to_cog
from .tables import RASTER_KINDS, raster_dataset

UNITS = {"population": "residents per cell", "mobile_signal": "dBm"}
SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def register(conn: Connection, path: str | Path, kind: str, acquired: dt.date, source: str, *,
             name: str | None = None, hromada: str | None = None, is_estimate: bool = False,
             method: dict | None = None, directory: Path | None = None) -> dict:
    """Store ``path`` as a COG and record it; returns the registry row as a dict."""
    path = Path(path)
    if kind not in RASTER_KINDS:
        raise GisplanError(f"kind: {kind!r} is not one of {', '.join(RASTER_KINDS)}")
    if hromada is not None and not KATOTTG_RE.match(hromada):
        raise GisplanError(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")
    if not path.is_file():
        raise GisplanError(f"raster: no file {path}")
    if not source.strip():
        raise GisplanError("source: say where the raster comes from")
    describe(path)  # refuses what is not a one-band georeferenced raster before copying
    target_dir = directory or raster_settings().directory()
    cog = to_cog(path, target_dir / f"{kind}-{uuid.uuid4().hex[:12]}.tif")
    info = describe(cog)
    row = dict(kind=kind, name=name or path.stem, hromada=hromada, path=str(cog), crs=info.crs,
               extent=f"SRID=4326;{info.extent_wkt()}", res_x=info.res_x, res_y=info.res_y,
               width=info.width, height=info.height, nodata=info.nodata, unit=UNITS[kind],
               acquired=acquired, source=source, is_estimate=is_estimate, method=method)
    new_id = conn.execute(insert(raster_dataset).values(**row).returning(raster_dataset.c.id)).scalar_one()
    return {**row, "id": new_id, "extent": info.bounds_wgs84, "layout": info.layout}


def population_raster(conn: Connection, hromada: str) -> dict | None:
    """The population raster to use for ``hromada``: the newest real one covering its boundary,
    else the newest estimate made for it; None when there is neither."""
    row = conn.execute(text(sql("population_raster")), {"hromada": hromada}).mappings().first()
    return dict(row) if row else None


def rasters(conn: Connection, kind: str | None = None) -> list[dict]:
    q = raster_dataset.select().order_by(raster_dataset.c.id)
    if kind:
        q = q.where(raster_dataset.c.kind == kind)
    return [dict(r) for r in conn.execute(q).mappings()]

"""Zonal statistics with exactextract: exact cell coverage fractions, read window by window.

exactextract's ``feature-sequential`` strategy reads, for each zone, only the raster window under
it, so a national raster is never loaded whole; zones are reprojected to the raster's CRS first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..publish import proj_env  # noqa: F401  (before rasterio)
import geopandas as gpd
import rasterio
from exactextract import exact_extract
from sqlalchemy import Connection, text

from ..errors import GisplanError

ZONE_KINDS = ("settlements", "hromady", "coverage")
SQL_DIR = Path(__file__).resolve().parent / "sql"
DEFAULT_OPS = ("sum", "mean", "count", "min", "max")


def zones(conn: Connection, kind: str, hromada: str, as_of: dt.date) -> gpd.GeoDataFrame:
    """Zones of one kind for a громада, as a GeoDataFrame in EPSG:4326 (columns zone, name, population)."""
    if kind not in ZONE_KINDS:
        raise GisplanError(f"zones: {kind!r} is not one of {', '.join(ZONE_KINDS)}")
    sql = (SQL_DIR / f"zones_{kind}.sql").read_text(encoding="utf-8")
    return gpd.read_postgis(text(sql), conn, geom_col="geom", crs="EPSG:4326",
                            params={"hromada": hromada, "as_of": as_of})


def zonal_stats(raster: str | Path, zone_frame: gpd.GeoDataFrame,
                ops: tuple[str, ...] = DEFAULT_OPS, id_column: str = "zone") -> list[dict]:
    """One dict per zone: its id and the statistics ``ops`` of the cells under it, each cell
    weighted by the share of it the zone covers (``sum`` of a population raster = residents)."""
    if zone_frame.empty:
        return []
    if id_column not in zone_frame.columns:
        raise GisplanError(f"zones: no column {id_column!r}")
    with rasterio.open(raster) as src:
        frame = zone_frame.to_crs(src.crs) if zone_frame.crs != src.crs else zone_frame
        out = exact_extract(src, frame[[id_column, frame.geometry.name]], list(ops),
                            include_cols=[id_column], output="pandas", strategy="feature-sequential")
    return [{k: (None if v != v else v) for k, v in row.items()} for row in out.to_dict("records")]

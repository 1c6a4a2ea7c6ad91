"""The population surface estimated from settlement populations, where no population raster exists.

Grid: EPSG:3035 (ETRS89 Lambert azimuthal equal-area), so every cell has the same area; cells of
``GISPLAN_RASTER_SURFACE_CELL_M`` metres snapped to multiples of the cell size, over the громада's
boundary and every located settlement. A settlement with a polygon spreads its residents over the
cells it covers in proportion to the covered area (exactextract's coverage fractions: uniform
density); a settlement known by a point puts them all in the cell of the point; a settlement not on
the map, or without a population, is left out and counted in the method. The sum of the surface is
exactly the population placed. The raster is registered as an estimate, with the method.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

from ..publish import proj_env  # noqa: F401  (before rasterio)
import geopandas as gpd
import numpy as np
import rasterio
import shapely
from exactextract import exact_extract
from rasterio.io import MemoryFile
from rasterio.transform import from_origin, rowcol
from sqlalchemy import Connection, delete, text

from ..errors import GisplanError
from ..settings import raster_settings
from .registry import register
from .tables import raster_dataset

GRID_CRS = "EPSG:3035"
SQL_DIR = Path(__file__).resolve().parent / "sql"


def _method(cell_m: float, as_of: dt.date, counts: dict) -> dict:
    return {
        "uk": (f"Оцінка: населення кожного населеного пункту на {as_of.isoformat()} розподілене по "
               f"клітинках {cell_m:g} м (EPSG:3035) пропорційно площі його межі в клітинці; пункт, "
               "заданий точкою, — у клітинці точки; не нанесені на карту не враховані."),
        "en": (f"Estimate: each settlement's population on {as_of.isoformat()} spread over {cell_m:g} m "
               "cells (EPSG:3035) in proportion to the area of its boundary in the cell; a settlement "
               "known by a point goes to the cell of the point; settlements not on the map are left out."),
        "parameters": {"cell_m": cell_m, "crs": GRID_CRS, "as_of": as_of.isoformat()},
        **counts,
    }


def _present(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)


def estimate_grid(settlements: gpd.GeoDataFrame, boundary, cell_m: float):
    """(array, transform, counts) of the surface for ``settlements`` (columns population, and
    polygon and point as shapely geometries or None, in EPSG:4326) over ``boundary`` (EPSG:4326 or None)."""
    polygons = gpd.GeoSeries(list(settlements["polygon"]), crs="EPSG:4326").to_crs(GRID_CRS)
    points = gpd.GeoSeries(list(settlements["point"]), crs="EPSG:4326").to_crs(GRID_CRS)
    parts = [g for g in list(polygons) + list(points) if g is not None and not g.is_empty]
    if boundary is not None:
        parts.append(gpd.GeoSeries([boundary], crs="EPSG:4326").to_crs(GRID_CRS).iloc[0])
    if not parts:
        raise GisplanError("population surface: no located settlement and no boundary to lay a grid on")
    minx, miny, maxx, maxy = shapely.union_all(parts).bounds
    x0, y0 = math.floor(minx / cell_m) * cell_m, math.ceil(maxy / cell_m) * cell_m
    width = max(1, math.ceil((maxx - x0) / cell_m))
    height = max(1, math.ceil((y0 - miny) / cell_m))
    transform = from_origin(x0, y0, cell_m, cell_m)
    grid = np.zeros(height * width, dtype="float64")
    pop = settlements["population"].to_numpy(dtype="float64", na_value=np.nan)
    has_pop = ~np.isnan(pop)
    by_polygon = _present(polygons) & has_pop
    by_point = _present(points) & has_pop & ~by_polygon
    anchor = list(points)
    if by_polygon.any():
        zones = gpd.GeoDataFrame({"i": np.flatnonzero(by_polygon)}, geometry=polygons[by_polygon].values,
                                 crs=GRID_CRS)
        with MemoryFile() as mem:
            with mem.open(driver="GTiff", width=width, height=height, count=1, dtype="uint8",
                          crs=GRID_CRS, transform=transform) as template:
                template.write(np.zeros((1, height, width), dtype="uint8"))
            with mem.open() as template:
                cells = exact_extract(template, zones, ["cell_id", "coverage"], include_cols=["i"],
                                      output="pandas")
        for i, ids, cover in zip(cells["i"], cells["cell_id"], cells["coverage"]):
            ids, cover = np.asarray(ids, dtype="int64"), np.asarray(cover, dtype="float64")
            if cover.sum() > 0:
                np.add.at(grid, ids, pop[i] * cover / cover.sum())
            else:  # degenerate polygon: its residents go to the cell of a point on it
                by_polygon[i], by_point[i] = False, True
                anchor[i] = polygons.iloc[i].representative_point()
    for i in np.flatnonzero(by_point):
        r, c = rowcol(transform, anchor[i].x, anchor[i].y)
        grid[min(max(r, 0), height - 1) * width + min(max(c, 0), width - 1)] += pop[i]
    unlocated = has_pop & ~by_polygon & ~by_point
    counts = {"settlements": len(settlements), "by_polygon": int(by_polygon.sum()),
              "by_point": int(by_point.sum()), "unlocated": int(unlocated.sum()),
              "population_unknown": int((~has_pop).sum()),
              "placed_population": float(pop[by_polygon | by_point].sum()),
              "unplaced_population": float(pop[unlocated].sum())}
    return grid.reshape(height, width), transform, counts


def build_population_surface(conn: Connection, hromada: str, as_of: dt.date,
                             cell_m: float | None = None, directory: Path | None = None) -> dict:
    """Estimate the surface of ``hromada`` on ``as_of`` and register it (replacing the estimate of
    the same громада and date); returns the registry row with the method."""
    cell = cell_m or raster_settings().surface_cell_m
    sql = (SQL_DIR / "surface_settlements.sql").read_text(encoding="utf-8")
    frame = gpd.read_postgis(text(sql), conn, geom_col="polygon", crs="EPSG:4326",
                             params={"hromada": hromada, "as_of": as_of})
    if frame.empty:
        raise GisplanError(f"population surface: громада {hromada} has no settlements on {as_of.isoformat()}")
    frame["point"] = [shapely.from_wkt(w) if isinstance(w, str) else None for w in frame["point_wkt"]]
    boundary_sql = (SQL_DIR / "zones_hromady.sql").read_text(encoding="utf-8")
    b = gpd.read_postgis(text(boundary_sql), conn, geom_col="geom", params={"hromada": hromada, "as_of": as_of})
    boundary = shapely.union_all(list(b.geometry)) if len(b) else None
    grid, transform, counts = estimate_grid(frame, boundary, cell)
    # the files of replaced estimates stay on disk: the transaction may still roll back
    conn.execute(delete(raster_dataset).where(
        raster_dataset.c.kind == "population", raster_dataset.c.is_estimate, raster_dataset.c.hromada == hromada,
        raster_dataset.c.acquired == as_of))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"population-{hromada}-{as_of.isoformat()}.tif"
        with rasterio.open(path, "w", driver="GTiff", width=grid.shape[1], height=grid.shape[0], count=1,
                           dtype="float64", crs=GRID_CRS, transform=transform, nodata=None) as dst:
            dst.write(grid, 1)
        row = register(conn, path, "population", as_of, source="gisplan: estimate from settlement populations",
                       name=f"Оцінка населення / population estimate {hromada}", hromada=hromada,
                       is_estimate=True, method=_method(cell, as_of, counts), directory=directory)
    return row

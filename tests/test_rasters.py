"""Rasters (issue 8): COG registration, exact zonal sums with exactextract, the population surface
estimated from settlements, the choice between a real raster and the estimate, and rasterio's PROJ
after Mapnik.

The raster made here is 4 × 4 cells of 100 m in EPSG:3035 with values 1 … 16 (row by row); zones
are drawn on cell edges and half cells, so the sums can be written down by hand.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import text

from gisplan.errors import GisplanError
from gisplan.rasters.cog import describe
from gisplan.rasters.registry import population_raster, register
from gisplan.rasters.surface import build_population_surface
from gisplan.rasters.zonal import zonal_stats, zones

import rasterio  # after gisplan.rasters: PROJ_DATA is pinned
from rasterio.transform import from_origin

H = "UA32080030000070006"  # Бородянська: no other test uses it
D = dt.date(2025, 6, 30)
X0, Y0 = 5_300_000.0, 3_100_000.0  # upper-left corner in EPSG:3035 (inside Ukraine)
KYIV = (30.5234, 50.4501)
MERCATOR_KYIV = (3397849.345, 6524593.222)  # pyproj: EPSG:4326 → EPSG:3857


@pytest.fixture()
def grid_tif(tmp_path):
    path = tmp_path / "known.tif"
    values = np.arange(1, 17, dtype="float64").reshape(4, 4)
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float64",
                       crs="EPSG:3035", transform=from_origin(X0, Y0, 100, 100)) as dst:
        dst.write(values, 1)
    return path


def cells(c0, r0, c1, r1):
    """A box over columns c0…c1 and rows r0…r1 (fractions allowed), in EPSG:3035."""
    return box(X0 + 100 * c0, Y0 - 100 * r1, X0 + 100 * c1, Y0 - 100 * r0)


def test_zonal_sums_are_exact(grid_tif):
    frame = gpd.GeoDataFrame(
        {"zone": ["all", "top_left", "half_cell", "outside"]},
        geometry=[cells(0, 0, 4, 4), cells(0, 0, 2, 2), cells(3, 3, 3.5, 4), cells(10, 10, 11, 11)],
        crs="EPSG:3035")
    stats = {s["zone"]: s for s in zonal_stats(grid_tif, frame)}
    assert stats["all"]["sum"] == 136.0  # 1 + … + 16
    assert stats["all"]["count"] == 16.0
    assert stats["top_left"]["sum"] == 1 + 2 + 5 + 6
    assert stats["half_cell"]["sum"] == 8.0  # half of the last cell, 16
    assert stats["half_cell"]["count"] == 0.5
    assert stats["outside"]["sum"] == 0.0


def test_zones_in_wgs84_are_reprojected(grid_tif):
    to_wgs84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
    zone = shapely.transform(cells(1, 1, 3, 3).segmentize(5), to_wgs84.transform, interleaved=False)
    (s,) = zonal_stats(grid_tif, gpd.GeoDataFrame({"zone": ["z"]}, geometry=[zone], crs="EPSG:4326"))
    assert s["sum"] == pytest.approx(6 + 7 + 10 + 11, abs=1e-3)  # edges straight in degrees


def test_register_stores_a_cog_with_extent_crs_resolution_and_date(engine, grid_tif, tmp_path):
    with engine.connect() as conn:
        tx = conn.begin()
        row = register(conn, grid_tif, "mobile_signal", D, source="test drive", directory=tmp_path / "store")
        stored = conn.execute(text(
            "SELECT crs, res_x, res_y, width, height, acquired, ST_XMin(extent) AS w, ST_YMax(extent) AS n, unit "
            "FROM raster_dataset WHERE id = :id"), {"id": row["id"]}).one()
        tx.rollback()
    info = describe(row["path"])
    assert info.layout == "COG" and info.driver == "GTiff"
    assert (stored.crs, stored.res_x, stored.res_y, stored.width, stored.height) == ("EPSG:3035", 100, 100, 4, 4)
    assert stored.acquired == D and stored.unit == "dBm"
    lon, lat = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True).transform(X0, Y0)
    assert stored.w <= lon + 1e-9 and stored.n >= lat - 1e-9
    frame = gpd.GeoDataFrame({"zone": ["all"]}, geometry=[cells(0, 0, 4, 4)], crs="EPSG:3035")
    assert zonal_stats(row["path"], frame)[0]["sum"] == 136.0  # the COG holds the same values


def test_register_refuses_bad_input(engine, grid_tif, tmp_path):
    bad = tmp_path / "two.tif"
    with rasterio.open(bad, "w", driver="GTiff", width=2, height=2, count=2, dtype="uint8", crs="EPSG:3035",
                       transform=from_origin(X0, Y0, 100, 100)) as dst:
        dst.write(np.zeros((2, 2, 2), dtype="uint8"))
    with engine.connect() as conn:
        with pytest.raises(GisplanError, match="^kind: "):
            register(conn, grid_tif, "rainfall", D, source="x", directory=tmp_path)
        with pytest.raises(GisplanError, match="2 bands"):
            register(conn, bad, "population", D, source="x", directory=tmp_path)
        with pytest.raises(GisplanError, match="no file"):
            register(conn, tmp_path / "missing.tif", "population", D, source="x", directory=tmp_path)


@pytest.fixture()
def settlements(engine):
    """Three settlements in Бородянська, rolled back after the test: a 1 km square (1000 residents),
    a point (300), one not on the map (50)."""
    conn = engine.connect()
    tx = conn.begin()
    lon, lat = conn.execute(text(
        "SELECT ST_X(c.center), ST_Y(c.center) FROM hromady h, ST_MaximumInscribedCircle(h.geom) c "
        "WHERE h.hromada = :h AND h.code = :h"), {"h": H}).one()
    to_wgs84 = Transformer.from_crs(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m",
                                    "EPSG:4326", always_xy=True)
    wkt = lambda g: shapely.transform(g, to_wgs84.transform, interleaved=False).wkt  # noqa: E731
    rows = [("UA32080039900000001", "A", 1000, wkt(MultiPolygon([box(-500, -500, 500, 500)])), None),
            ("UA32080039900000002", "B", 300, None, wkt(Point(2000, 0))),
            ("UA32080039900000003", "C", 50, None, None)]
    for code, name, pop, geom, point in rows:
        conn.execute(text(
            "INSERT INTO settlements (hromada, code, katottg, name, population, located, geom, point) "
            "VALUES (:h, :c, :c, :n, :p, :located, ST_GeomFromText(:g, 4326), ST_GeomFromText(:pt, 4326))"),
            {"h": H, "c": code, "n": name, "p": pop, "g": geom, "pt": point,
             "located": geom is not None or point is not None})
    yield conn
    tx.rollback()
    conn.close()


def test_population_surface_from_settlements(settlements, tmp_path):
    conn = settlements
    assert population_raster(conn, H) is None
    row = build_population_surface(conn, H, D, cell_m=250, directory=tmp_path)
    assert row["is_estimate"] and row["hromada"] == H
    method = row["method"]
    assert method["placed_population"] == 1300 and method["unplaced_population"] == 50
    assert (method["by_polygon"], method["by_point"], method["unlocated"]) == (1, 1, 1)
    assert "оцінка" in method["uk"].lower() and "estimate" in method["en"].lower()
    with rasterio.open(row["path"]) as src:
        assert src.crs.to_epsg() == 3035 and src.res == (250, 250)
        assert src.read(1).sum() == pytest.approx(1300, abs=1e-6)
    whole = zonal_stats(row["path"], zones(conn, "hromady", H, D))
    assert whole[0]["sum"] == pytest.approx(1300, abs=1e-6)
    chosen = population_raster(conn, H)
    assert chosen["is_estimate"] and chosen["path"] == row["path"]
    assert list(zones(conn, "settlements", H, D)["zone"]) == ["UA32080039900000001"]  # polygons only
    assert zonal_stats(row["path"], zones(conn, "coverage", H, D)) == []
    with pytest.raises(GisplanError, match="^zones: "):
        zones(conn, "parcels", H, D)


def test_a_real_population_raster_wins_over_the_estimate(settlements, tmp_path):
    conn = settlements
    build_population_surface(conn, H, D, cell_m=500, directory=tmp_path)
    (west, south, east, north), = conn.execute(text(
        "SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] FROM "
        "(SELECT ST_Extent(geom)::geometry AS e FROM hromady WHERE hromada = :h AND code = :h) b"), {"h": H}).one()
    real = tmp_path / "worldpop.tif"
    with rasterio.open(real, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(west - 0.1, north + 0.1, (east - west + 0.2) / 10,
                                             (north - south + 0.2) / 10)) as dst:
        dst.write(np.ones((1, 10, 10), dtype="float32"))
    register(conn, real, "population", dt.date(2020, 1, 1), source="WorldPop 2020", directory=tmp_path)
    chosen = population_raster(conn, H)
    assert not chosen["is_estimate"] and chosen["source"] == "WorldPop 2020"


def test_rasterio_transforms_kyiv_after_mapnik():
    """In a fresh interpreter Mapnik is imported first and points PROJ_LIB at a folder without
    proj.db; gisplan.rasters pins PROJ_DATA, so rasterio still finds the EPSG database."""
    code = (
        "import mapnik\n"
        "import gisplan.rasters.cog\n"
        "from rasterio.warp import transform\n"
        f"xs, ys = transform('EPSG:4326', 'EPSG:3857', [{KYIV[0]}], [{KYIV[1]}])\n"
        "print(xs[0], ys[0])\n"
        "xs, ys = transform('EPSG:4326', 'EPSG:5564', [30.5234], [50.4501])\n"
        "print(round(xs[0], 1), round(ys[0], 1))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    first, second = out.stdout.split("\n")[:2]
    assert tuple(map(float, first.split())) == pytest.approx(MERCATOR_KYIV, abs=0.01)
    x, y = map(float, second.split())
    assert 6_300_000 < x < 6_400_000 and 5_500_000 < y < 5_700_000  # УСК-2000 / Gauss-Kruger zone 6


def test_rasterio_in_this_process_after_mapnik():
    import mapnik  # noqa: F401
    from rasterio.warp import transform

    xs, ys = transform("EPSG:4326", "EPSG:3857", [KYIV[0]], [KYIV[1]])
    assert (xs[0], ys[0]) == pytest.approx(MERCATOR_KYIV, abs=0.01)


def test_alert_reads_a_registered_population_raster(settlements, tmp_path):
    """Without a raster ALERT counts settlement residents (A's 1000 of 1350 are within the siren's
    1 km); with a registered raster of even density (1 resident per 500 m cell, EPSG:3035) the
    громада's value becomes the share of the boundary's area within the siren's disc, and says so."""
    from gisplan.indicators.engine import evaluate_metric
    from gisplan.indicators.registry import registry

    conn = settlements
    lon, lat = conn.execute(text(
        "SELECT ST_X(c.center), ST_Y(c.center) FROM hromady h, ST_MaximumInscribedCircle(h.geom) c "
        "WHERE h.hromada = :h AND h.code = :h"), {"h": H}).one()
    conn.execute(text(
        "INSERT INTO alert_sirens (hromada, code, geom, audible_radius_m, system_type) "
        "VALUES (:h, 'R1', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 1000, 'local')"),
        {"h": H, "lon": lon, "lat": lat})
    alert = registry().get("ALERT")
    before = evaluate_metric(conn, alert, H, D)
    assert before.value == pytest.approx(100 * 1000 / 1350)
    assert before.details["population_source"]["kind"] == "settlements"

    boundary_m2, (w, s, e, n) = conn.execute(text(
        "SELECT ST_Area(ST_Transform(geom, 3035)), "
        "ARRAY[ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)] FROM hromady, "
        "LATERAL (SELECT ST_Transform(geom, 3035)::box2d AS b) x WHERE hromada = :h AND code = :h"),
        {"h": H}).one()
    x0, y0 = w - 1000, n + 1000
    width, height = int((e - w) // 500) + 5, int((n - s) // 500) + 5
    path = tmp_path / "even.tif"
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs="EPSG:3035", transform=from_origin(x0, y0, 500, 500)) as dst:
        dst.write(np.ones((1, height, width), dtype="float32"))
    row = register(conn, path, "population", dt.date(2024, 1, 1), source="even density", directory=tmp_path)
    after = evaluate_metric(conn, alert, H, D)
    assert after.recomputed and after.inputs["population_raster"] == row["id"]
    src = after.details["population_source"]
    assert src["kind"] == "raster" and src["source"] == "even density"
    assert src["settlement_model"]["value"] == pytest.approx(100 * 1000 / 1350)
    assert after.denominator == pytest.approx(boundary_m2 / 250_000, rel=1e-6)
    assert after.value == pytest.approx(100 * math.pi * 1000**2 / boundary_m2, rel=2e-3)

"""Benchmark: importing GeoPackage files with gisplan against GDAL's ogr2ogr, and peak memory.

1. 100 000 points (``shelters``) and 10 000 polygons (``starosta_districts``) scattered over
   Ukraine's громади, written to one GeoPackage. gisplan imports them with full validation (types,
   enums from Ukrainian labels, CRS and extent, validity, громада and settlement codes by location,
   key checks) in one transaction; the anchor, in the same run on the same file, is
   ``ogr2ogr -f PostgreSQL --config PG_USE_COPY YES`` (Debian's GDAL) into a plain table, which checks
   nothing. Prints rows/s of each and the ratio (target: gisplan ≥ 0.5 × ogr2ogr), and the time of
   each step of the import. gisplan takes its fast path (codes by location found while checking,
   rows staged by binary COPY with raw WKB geometry, the secondary indexes and the primary key
   built again after a large INSERT into a smaller table); with ``BENCH_SLOW=1`` the slow path
   (``ImportOptions(fast=False)``: SQL joins by location, indexes kept) is timed as well. The
   machine is often shared: compare ratios, and run it more than once.
2. Peak memory of a dry-run import of a large GeoJSON (default 2 GB; ``BENCH_GEOJSON_MB`` to change,
   ``0`` to leave this part out), generated into /tmp and deleted afterwards, measured as the child
   process's maximum RSS (target: under 1 GB whatever the file size).

Run ``.venv/bin/python bench/ingest_gpkg.py``; it uses its own temporary cluster unless
GISPLAN_DATABASE_URL is set. ``BENCH_POINTS`` / ``BENCH_POLYGONS`` change the sizes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_POINTS = int(os.environ.get("BENCH_POINTS", "100000"))
N_POLYGONS = int(os.environ.get("BENCH_POLYGONS", "10000"))
GEOJSON_MB = int(os.environ.get("BENCH_GEOJSON_MB", "2048"))
SLOW = os.environ.get("BENCH_SLOW", "") not in ("", "0")
KINDS = ["сховище", "ПРУ", "найпростіше укриття", "споруда подвійного призначення"]


def random_points(engine, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points inside громада boundaries, spread over the country."""
    import shapely
    from sqlalchemy import text

    with engine.connect() as c:
        polys = shapely.from_wkb([bytes(r[0]) for r in c.execute(text("SELECT ST_AsBinary(geom) FROM hromady"))])
    tree = shapely.STRtree(polys)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    while sum(map(len, xs)) < n:
        x, y = rng.uniform(22.2, 40.1, n), rng.uniform(44.4, 52.3, n)
        hit = np.zeros(n, bool)
        idx = tree.query(shapely.points(x, y), predicate="within")[0]
        hit[idx] = True
        xs.append(x[hit])
        ys.append(y[hit])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def make_gpkg(engine, path: Path) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    x, y = random_points(engine, N_POINTS, 1)
    pts = gpd.GeoDataFrame({
        "code": [f"B-{i:06d}" for i in range(N_POINTS)],
        "Назва": [f"Укриття {i}" for i in range(N_POINTS)],
        "Вид": [KINDS[i % 4] for i in range(N_POINTS)],
        "Місткість": np.arange(N_POINTS) % 500,
        "Пандус": [("так", "ні")[i % 2] for i in range(N_POINTS)],
        "last_verified": ["2024-05-01"] * N_POINTS,
    }, geometry=shapely.points(x, y), crs=4326)
    pyogrio.write_dataframe(pts, path, layer="shelters")
    x, y = random_points(engine, N_POLYGONS, 2)
    d = 0.002
    boxes = shapely.box(x - d, y - d, x + d, y + d)
    polys = gpd.GeoDataFrame({"code": [f"S-{i:05d}" for i in range(N_POLYGONS)],
                              "name": [f"Округ {i}" for i in range(N_POLYGONS)]},
                             geometry=shapely.multipolygons(shapely.get_parts(boxes).reshape(-1, 1)), crs=4326)
    pyogrio.write_dataframe(polys, path, layer="starosta_districts", append=True)


def pg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return (f"PG:host={u.host} port={u.port} dbname={u.database} user={u.username} password={u.password}")


def ours(engine, path: Path, layer: str, mapping: dict, fast: bool = True) -> tuple[float, int]:
    from sqlalchemy import text

    from gisplan.ingest import ImportOptions, import_file

    source = "bench" if fast else "bench-slow"
    t0 = time.perf_counter()
    rep = import_file(engine, layer, path, ImportOptions(source_layer=layer, mapping=mapping, source=source,
                                                         fast=fast), user="bench")
    elapsed = time.perf_counter() - t0
    assert rep.rejected_rows == 0 and rep.inserted > 0, rep.summary()
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in rep.seconds.items())
    print(f"  gisplan {layer}{'' if fast else ' (slow path)'}: {elapsed:.2f} s ({steps})")
    if not fast:  # the fast path's run follows on the same, empty table
        with engine.begin() as conn:
            conn.execute(text(f'DELETE FROM "{layer}" WHERE source = :s'), {"s": source})
            conn.execute(text(f'DELETE FROM "{layer}_history" WHERE source = :s'), {"s": source})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'VACUUM "{layer}"'))
    return elapsed, rep.inserted


def ogr2ogr(url: str, path: Path, layer: str) -> float:
    cmd = ["ogr2ogr", "-f", "PostgreSQL", pg_dsn(url), str(path), layer, "-nln", f"ogr_{layer}",
           "-overwrite", "-lco", "GEOMETRY_NAME=geom", "--config", "PG_USE_COPY", "YES"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def make_geojson(path: Path, hromada_point: tuple[float, float], megabytes: int) -> int:
    """A FeatureCollection of about ``megabytes`` MB, written in a stream (points near one place)."""
    lon, lat = hromada_point
    target = megabytes * 1024 * 1024
    rng = np.random.default_rng(3)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        written = 0
        while written < target:
            dx, dy = rng.uniform(-0.005, 0.005, 10_000), rng.uniform(-0.005, 0.005, 10_000)
            lines = []
            for i in range(10_000):
                props = {"code": f"G{n + i}", "name": f"Укриття № {n + i} при загальноосвітній школі",
                         "kind": KINDS[(n + i) % 4], "capacity": (n + i) % 300, "notes": "ПРУ, вхід з двору"}
                lines.append(json.dumps({"type": "Feature", "properties": props, "geometry": {
                    "type": "Point", "coordinates": [round(lon + dx[i], 7), round(lat + dy[i], 7)]}},
                    ensure_ascii=False))
            chunk = ("," if n else "") + ",\n".join(lines) + "\n"
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
            n += 10_000
        fh.write("]}\n")
    return n


CHILD = """
import json, resource, sys, time
from pathlib import Path
from gisplan.db.engine import make_engine
from gisplan.ingest import ImportOptions, import_file
engine = make_engine(sys.argv[1])
t0 = time.perf_counter()
rep = import_file(engine, "shelters", Path(sys.argv[2]), ImportOptions(hromada=sys.argv[3], dry_run=True,
                  source="bench-geojson"), user="bench")
print(json.dumps({"read": rep.read, "rejected": rep.rejected_rows, "seconds": time.perf_counter() - t0,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def main() -> None:
    from sqlalchemy import text

    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="gisplan-bench-ingest-", dir="/tmp"))
    os.chmod(work, 0o755)
    if not url:
        cluster = Cluster(DatabaseSettings(home=work / "cluster", database_url=None))
        url = cluster.create_database("bench")
        os.environ["GISPLAN_DATABASE_URL"] = url
        clear_caches()
    try:
        engine = make_engine(url)
        upgrade(engine)
        data = path_settings().data_dir
        with engine.begin() as conn:
            load_codifier(conn, find_codifier(data))
        with engine.begin() as conn:
            load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
        gpkg = work / "bench.gpkg"
        make_gpkg(engine, gpkg)
        print(f"file: {gpkg.name}, {gpkg.stat().st_size / 1024**2:.1f} MB "
              f"({N_POINTS} points, {N_POLYGONS} polygons)")
        rows = [f"{'layer':20} {'gisplan rows/s':>15} {'ogr2ogr rows/s':>15} {'ratio':>7}"]
        for layer, mapping in (("shelters", {"Вид": "kind", "Пандус": "accessible"}), ("starosta_districts", {})):
            anchor = ogr2ogr(url, gpkg, layer)
            if SLOW:
                slow, n = ours(engine, gpkg, layer, mapping, fast=False)
                rows.append(f"{layer + ' (slow)':20} {n / slow:15,.0f} {n / anchor:15,.0f} {anchor / slow:7.2f}")
            elapsed, n = ours(engine, gpkg, layer, mapping)
            rows.append(f"{layer:20} {n / elapsed:15,.0f} {n / anchor:15,.0f} {anchor / elapsed:7.2f}")
        for row in rows:
            print(row)
        with engine.begin() as conn:
            for layer in ("shelters", "starosta_districts"):
                conn.execute(text(f"DELETE FROM {layer} WHERE source = 'bench'"))
        if GEOJSON_MB <= 0:
            return

        with engine.connect() as conn:
            hromada, lon, lat = conn.execute(text(
                "SELECT hromada, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM hromady "
                "ORDER BY ST_Area(geom) DESC LIMIT 1")).one()
        big = work / "big.geojson"
        t0 = time.perf_counter()
        n = make_geojson(big, (lon, lat), GEOJSON_MB)
        size = big.stat().st_size
        print(f"GeoJSON: {size / 1024**3:.2f} GB, {n:,} features, written in {time.perf_counter() - t0:.0f} s")
        child = subprocess.run([sys.executable, "-c", CHILD, url, str(big), hromada], check=True,
                               capture_output=True, text=True)
        out = json.loads(child.stdout.strip().splitlines()[-1])
        peak = max(out["maxrss_kb"], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        print(f"GeoJSON dry-run import: {out['read']:,} rows in {out['seconds']:.0f} s "
              f"({out['read'] / out['seconds']:,.0f} rows/s), peak memory {peak:,.0f} MB "
              f"({'under' if peak < 1024 else 'OVER'} 1 GB)")
    finally:
        shutil.rmtree(work / "big.geojson", ignore_errors=True)
        (work / "big.geojson").unlink(missing_ok=True)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

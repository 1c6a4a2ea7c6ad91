"""Benchmark: every metric and gap for one громада and for the whole country, on the national
synthetic set, beside a straightforward geopandas implementation; exactextract beside rasterstats.

1. Data: the deterministic national synthetic set (``gisplan demo load --national``: every громада
   from the real boundaries, ~30 000 settlements, ~60 000 shelters, ~20 000 schools, ~10 000 air
   sensors, ~5 000 sirens), in a temporary cluster unless GISPLAN_DATABASE_URL is set.
2. One громада: the 40 metrics (recomputed, not reused) and the 8 gap layers. Target: under 1 s.
3. The whole country: the same for every громада, ``BENCH_WORKERS`` processes (default 2).
   ``BENCH_HROMADY=N`` limits the run to the first N громади and extrapolates (labelled so).
   Target: under 5 minutes on 2 cores.
4. Anchor: a straightforward geopandas implementation (read the layers once, loop over the
   громади, buffers in EPSG:3035) of four metrics: AIR_SENSOR_SETTLEMENT_SHARE,
   WIFI_SETTLEMENT_SHARE, SHELTER_REACH and ALERT, against the engine on the same metrics and
   громади in the same run: times, ratio and the largest difference of the values.
5. Zonal statistics: a 1 km population raster over Ukraine (EPSG:3035) summed over every громада
   with exactextract and with rasterstats: times, ratio, largest relative difference.
6. Peak memory (maximum RSS) of this process and of its worker processes. Target: under 2 GB.

Run ``.venv/bin/python bench/indicators_national.py``. With GISPLAN_DATABASE_URL pointing at a
database that already holds the set, it is reused (``BENCH_RELOAD=1`` to load it again).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import gisplan.rasters  # noqa: F401  (PROJ_DATA before rasterio)

AS_OF = dt.date(2025, 12, 31)
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
LIMIT = int(os.environ["BENCH_HROMADY"]) if os.environ.get("BENCH_HROMADY") else None
ANCHOR_METRICS = ("AIR_SENSOR_SETTLEMENT_SHARE", "WIFI_SETTLEMENT_SHARE", "SHELTER_REACH", "ALERT")
_engine = None


def _worker_engine(url: str) -> None:
    global _engine
    from gisplan.db.engine import make_engine

    _engine = make_engine(url)


def everything_for(hromada: str, codes: tuple[str, ...] | None = None, with_gaps: bool = True) -> dict:
    """Evaluate the metrics (forced) and the gaps of one громада; the values of the metrics."""
    from gisplan.gaps.compute import gap_collection
    from gisplan.gaps.registry import gaps
    from gisplan.indicators.engine import evaluate

    with _engine.begin() as conn:
        values = evaluate(conn, hromada, AS_OF, codes, force=True)
        if with_gaps:
            for name in gaps():
                gap_collection(conn, hromada, name, AS_OF)
    return {v.metric: v.value for v in values}


def run_all(url: str, targets: list[str], codes=None, with_gaps=True) -> tuple[float, dict]:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(WORKERS, initializer=_worker_engine, initargs=(url,)) as pool:
        results = list(pool.map(everything_for, targets, [codes] * len(targets), [with_gaps] * len(targets),
                                chunksize=4))
    return time.perf_counter() - t0, dict(zip(targets, results))


def geopandas_metrics(engine, targets: list[str]) -> tuple[float, dict]:
    """The four anchor metrics, straightforwardly in geopandas (reading included)."""
    import geopandas as gpd
    import numpy as np
    from sqlalchemy import text

    t0 = time.perf_counter()
    alive = ("(installed_at IS NULL OR installed_at <= :d) AND (removed_at IS NULL OR removed_at > :d) "
             "AND (status = 'active' OR removed_at IS NOT NULL)")
    p = {"d": AS_OF, "h": targets}
    read = lambda sql, geom="geom": gpd.read_postgis(text(sql), engine, geom_col=geom, params=p)  # noqa: E731
    st = read(f"SELECT hromada, katottg, population, coalesce(geom, point) AS geom, geom IS NOT NULL AS poly "
              f"FROM settlements WHERE hromada = ANY(:h) AND {alive}")
    sensors = read(f"SELECT hromada, katottg, geom FROM air_sensors WHERE hromada = ANY(:h) AND {alive}")
    wifi = read(f"SELECT hromada, katottg, geom FROM wifi_zones WHERE hromada = ANY(:h) AND access = 'open' AND {alive}")
    shelters = read(f"SELECT hromada, geom FROM shelters WHERE hromada = ANY(:h) AND {alive}")
    sirens = read(f"SELECT hromada, audible_radius_m AS r, geom FROM alert_sirens "
                  f"WHERE hromada = ANY(:h) AND audible_radius_m > 0 AND {alive}")
    st, sensors, wifi, shelters, sirens = (f.to_crs(3035) for f in (st, sensors, wifi, shelters, sirens))
    out: dict = {}
    for h in targets:
        s = st[st.hromada == h]
        res: dict = {}
        for code, pts in (("AIR_SENSOR_SETTLEMENT_SHARE", sensors), ("WIFI_SETTLEMENT_SHARE", wifi)):
            pts = pts[pts.hromada == h]
            polys = s[s.poly]
            hit = set(gpd.sjoin(polys, pts, predicate="intersects").index) if len(pts) else set()
            by_code = set(pts.katottg.dropna())
            marked = [i in hit if row.poly else row.katottg in by_code for i, row in s.iterrows()]
            res[code] = 100.0 * sum(marked) / len(s) if len(s) else None
        for code, cover in (("SHELTER_REACH", shelters[shelters.hromada == h].buffer(500, 32)),
                            ("ALERT", (lambda a: a.buffer(a.r, 32))(sirens[sirens.hromada == h]))):
            u = cover.union_all() if len(cover) else None
            pop = s.population.fillna(0).to_numpy(dtype=float)
            if u is None:
                share = np.zeros(len(s))
            else:
                share = np.where(s.poly, s.geometry.intersection(u).area / s.geometry.area,
                                 s.geometry.intersects(u).astype(float))
            res[code] = 100.0 * float((pop * share).sum()) / pop.sum() if pop.sum() > 0 else None
        out[h] = res
    return time.perf_counter() - t0, out


def zonal_comparison(engine, work: Path) -> str:
    import geopandas as gpd
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from rasterstats import zonal_stats as rs_zonal
    from sqlalchemy import text

    from gisplan.rasters.zonal import zonal_stats

    zones = gpd.read_postgis(text("SELECT hromada AS zone, geom FROM hromady WHERE code = hromada"), engine,
                             geom_col="geom").to_crs(3035)
    w, s, e, n = zones.total_bounds
    x0, y0 = np.floor(w / 1000) * 1000, np.ceil(n / 1000) * 1000
    width, height = int((e - x0) // 1000) + 1, int((y0 - s) // 1000) + 1
    rng = np.random.default_rng(2026)
    path = work / "population_1km.tif"
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs="EPSG:3035", transform=from_origin(x0, y0, 1000, 1000), tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate") as dst:
        dst.write(rng.gamma(1.2, 40, (height, width)).astype("float32"), 1)
    t0 = time.perf_counter()
    ours = {r["zone"]: r["sum"] for r in zonal_stats(path, zones, ops=("sum",))}
    t_ee = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = rs_zonal(list(zones.geometry), str(path), stats=["sum"], all_touched=False, nodata=-1)
    t_rs = time.perf_counter() - t0
    rel = np.array([abs(ours[z] - (t["sum"] or 0)) / max(ours[z], 1) for z, t in zip(zones.zone, theirs)])
    total = abs(sum(ours.values()) - sum(t["sum"] or 0 for t in theirs)) / sum(ours.values())
    return (f"zonal sums over {len(zones)} громади, {width}×{height} cells of 1 km: exactextract {t_ee:.2f} s, "
            f"rasterstats {t_rs:.2f} s, ratio rasterstats/exactextract {t_rs / t_ee:.2f}; relative difference "
            f"per громада median {np.median(rel):.2%}, largest {rel.max():.1%} (small city громади), of the "
            f"national total {total:.3%} (rasterstats takes whole cells by their centre, exactextract the "
            f"covered part of each)")


def main() -> None:
    from sqlalchemy import text

    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.synthetic.national import load_national
    from gisplan.territory import find_codifier, load_codifier

    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="gisplan-bench-national-", dir="/tmp"))
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
        with engine.connect() as conn:
            loaded = conn.execute(text("SELECT count(*) FROM settlements WHERE source = 'synthetic-national'")).scalar()
        if loaded and not os.environ.get("BENCH_RELOAD"):  # a given database that already holds the set
            print(f"synthetic set already in the database ({loaded:,} settlements; BENCH_RELOAD=1 to reload)")
        else:
            with engine.begin() as conn:
                load_codifier(conn, find_codifier(data))
            with engine.begin() as conn:
                load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
            t0 = time.perf_counter()
            counts = load_national(engine)
            print(f"synthetic set in {time.perf_counter() - t0:.0f} s: "
                  + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        with engine.connect() as conn:
            everyone = conn.execute(text("SELECT DISTINCT hromada FROM settlements ORDER BY hromada")).scalars().all()
            conn.execute(text("ANALYZE"))
        targets = everyone[:LIMIT] if LIMIT else everyone

        _worker_engine(url)
        one = everyone[len(everyone) // 2]
        everything_for(one)  # warm the caches of the registry and the SQL
        from sqlalchemy import event

        statements = []
        event.listen(_engine, "before_cursor_execute", lambda *a: statements.append(1))
        t0 = time.perf_counter()
        everything_for(one)
        t_one = time.perf_counter() - t0
        print(f"one громада ({one}): 40 metrics + 8 gaps in {t_one:.3f} s, {len(statements)} SQL statements "
              f"(target < 1 s)")

        t_all, engine_values = run_all(url, targets)
        scale = len(everyone) / len(targets)
        label = "" if scale == 1 else f" for {len(targets)} громади; × {scale:.1f} = {t_all * scale:.0f} s extrapolated"
        print(f"whole country ({len(everyone)} громади, {WORKERS} workers): 40 metrics + 8 gaps each in "
              f"{t_all:.1f} s{label} (target < 300 s)")

        t_eng4, eng4 = run_all(url, targets, ANCHOR_METRICS, with_gaps=False)
        t_gpd, gpd4 = geopandas_metrics(engine, targets)
        diff = max((abs((eng4[h][c] or 0) - (gpd4[h][c] or 0)) for h in targets for c in ANCHOR_METRICS), default=0)
        print(f"four metrics × {len(targets)} громади: engine (PostGIS, {WORKERS} workers) {t_eng4:.1f} s, "
              f"geopandas (1 process) {t_gpd:.1f} s, ratio geopandas/engine {t_gpd / t_eng4:.2f}; "
              f"largest difference {diff:.3f} percentage points (geodesic areas vs EPSG:3035)")
        print(zonal_comparison(engine, work))
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory: this process {own:.0f} MB, largest worker or child {kids:.0f} MB (target < 2048 MB)")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(figures above are inflated when other work shares the machine)")
        engine.dispose()
    finally:
        if cluster is not None:
            cluster.destroy()


if __name__ == "__main__":
    main()

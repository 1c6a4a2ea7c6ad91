"""Benchmark: gisplan's vector tiles, cold against warm tile cache, in the same run.

One temporary PostGIS cluster (or ``GISPLAN_DATABASE_URL``) with the codifier, the 1 466 громада
boundaries and the three demo громади (``gisplan demo load``). The tile set: every tile at zooms 8–12
covering each demo громада's box, for each layer with a published demo dataset among
``BENCH_TILE_LAYERS`` (default: hromady, settlements, schools, shelters, tourist_objects), at
``/{code}/tiles/…`` and nationally at ``/tiles/…``.

Two single-process uvicorn servers run side by side on the same database:
- **cold**: ``GISPLAN_TILES_CACHE_MB=0``, every request is drawn by PostGIS (the database's own
  buffers are warm: this is the cost of a tile-cache miss, not of a disk read);
- **warm**: the default cache, filled by one pass over the set before the measurement.
Each is measured with 1 and 4 concurrent clients (Python threads, one keep-alive connection each),
the set requested in a shuffled order ``BENCH_PASSES`` times (default 1), alternating cold / warm /
cold / warm. Printed: requests/s, p50 and p95 per run, the warm/cold ratio of requests/s and p50,
and the revalidation path (If-None-Match → 304) on the warm server; first, the same tiles through
``TileService`` in this process without HTTP, cold and warm, to show what the cache saves of the
database's work apart from the HTTP stack.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEMO = ("UA63040010000010092", "UA05120170000013778", "UA53020110000092487")
ZOOMS = range(8, 13)
LAYERS = os.environ.get("BENCH_TILE_LAYERS", "hromady,settlements,schools,shelters,tourist_objects").split(",")
PASSES = int(os.environ.get("BENCH_PASSES", "1"))
CLIENTS = (1, 4)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not answer")
        time.sleep(0.3)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def tile_range(west, south, east, north, z):
    n = 1 << z

    def xy(lon, lat):
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return min(max(x, 0), n - 1), min(max(y, 0), n - 1)

    x0, y0 = xy(west, north)
    x1, y1 = xy(east, south)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def tile_set(engine) -> list[str]:
    from sqlalchemy import text

    paths = []
    with engine.connect() as conn:
        for code in DEMO:
            box = conn.execute(text("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
                                    "FROM (SELECT ST_Extent(geom) b FROM hromady WHERE hromada = :h) s"),
                               {"h": code}).one()
            published = {r.layer for r in conn.execute(
                text("SELECT layer FROM dataset WHERE hromada = :h AND published"), {"h": code})}
            for layer in LAYERS:
                if layer not in published:
                    continue
                for z in ZOOMS:
                    for x, y in tile_range(*box, z):
                        paths.append(f"/{code}/tiles/{layer}/{z}/{x}/{y}.mvt")
                        paths.append(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    return paths


def run(base: str, paths: list[str], clients: int, headers_for=None) -> dict:
    """Every path once per pass, shuffled, spread over ``clients`` threads; latencies in ms."""
    work = [p for _ in range(PASSES) for p in paths]
    random.Random(17).shuffle(work)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(work)))

    def client():
        mine, seen = [], {}
        with httpx.Client(base_url=base, timeout=120) as c:
            while True:
                with lock:
                    i = next(index, None)
                if i is None:
                    break
                path = work[i]
                t0 = time.perf_counter()
                r = c.get(path, headers=headers_for(path) if headers_for else None)
                mine.append((time.perf_counter() - t0) * 1000)
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "n": len(latencies), "statuses": statuses}


def library_run(engine, paths: list[str], cache_mb: float) -> dict:
    """The same tiles through :class:`TileService` in this process (no HTTP): what the cache saves
    of the database's work. One pass before timing warms the database's buffers (and fills the
    cache, when there is one), as on a running server."""
    from gisplan.publish.sources import Scope
    from gisplan.publish.tiles.service import TileService
    from gisplan.settings import TileSettings

    service = TileService(engine, TileSettings(cache_mb=cache_mb))
    calls = []
    for p in paths:
        parts = p.strip("/").removesuffix(".mvt").split("/")
        scope = Scope(parts[0]) if parts[0].startswith("UA") else Scope()
        layer, z, x, y = parts[-4:]
        calls.append((layer, scope, service.address(z, x, y)))
    for call in calls:  # warms the buffers (and fills the cache, when there is one)
        service.tile(*call)
    latencies = []
    t0 = time.perf_counter()
    for call in calls:
        t1 = time.perf_counter()
        service.tile(*call)
        latencies.append((time.perf_counter() - t1) * 1000)
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"rps": len(calls) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> None:
    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.demo import load_demo
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-tiles-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster, cold, warm = None, None, None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    try:
        if not url:
            cluster = Cluster(DatabaseSettings(home=tmp / "cluster", database_url=None))
            url = cluster.create_database("bench")
            os.environ["GISPLAN_DATABASE_URL"] = url
            clear_caches()
        engine = make_engine(url)
        upgrade(engine)
        data = path_settings().data_dir
        with engine.begin() as conn:
            load_codifier(conn, find_codifier(data))
        with engine.begin() as conn:
            load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
        load_demo(engine, user="bench")
        paths = tile_set(engine)
        library = {"cold": library_run(engine, paths, 0), "warm": library_run(engine, paths, 256)}
        engine.dispose()

        env = {**os.environ, "GISPLAN_DATABASE_URL": url}
        p_cold, p_warm = free_port(), free_port()
        cold = start(p_cold, {**env, "GISPLAN_TILES_CACHE_MB": "0"})
        warm = start(p_warm, {**env, "GISPLAN_TILES_CACHE_MB": "256"})
        base_cold, base_warm = f"http://127.0.0.1:{p_cold}", f"http://127.0.0.1:{p_warm}"

        etags: dict[str, str] = {}
        with httpx.Client(base_url=base_warm, timeout=120) as c:  # fills the warm cache, reads the ETags
            for p in paths:
                r = c.get(p)
                etags[p] = r.headers.get("etag", "")
        run(base_cold, paths[:50], 1)  # warms the cold server's connections and PostgreSQL's buffers

        print(f"tiles: {len(paths)} (zooms {ZOOMS.start}–{ZOOMS.stop - 1}, layers {', '.join(LAYERS)}, "
              f"3 demo громади, per громада and national), {PASSES} passes per run; "
              f"one uvicorn process per server; {os.cpu_count()} cores")
        print("\nin process, no HTTP (TileService.tile, one caller)")
        print(f"  {'cache':<12} {'calls/s':>11} {'p50 ms':>8} {'p95 ms':>8}")
        for name, r in library.items():
            print(f"  {name:<12} {r['rps']:>11.1f} {r['p50']:>8.2f} {r['p95']:>8.2f}")
        print(f"  ratio warm/cold: calls/s {library['warm']['rps'] / library['cold']['rps']:.2f}×")
        for clients in CLIENTS:
            results: dict[str, list[dict]] = {"cold": [], "warm": []}
            for _ in range(2):  # cold warm cold warm
                results["cold"].append(run(base_cold, paths, clients))
                results["warm"].append(run(base_warm, paths, clients))
            revalidate = run(base_warm, paths, clients, headers_for=lambda p: {"If-None-Match": etags[p]})
            print(f"\n{clients} concurrent client{'s' if clients > 1 else ''}")
            print(f"  {'cache':<12} {'run':>3} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8}  statuses")
            for name, runs in results.items():
                for i, r in enumerate(runs, 1):
                    print(f"  {name:<12} {i:>3} {r['rps']:>11.1f} {r['p50']:>8.2f} {r['p95']:>8.2f}  {r['statuses']}")
            r = revalidate
            print(f"  {'warm, 304':<12} {1:>3} {r['rps']:>11.1f} {r['p50']:>8.2f} {r['p95']:>8.2f}  {r['statuses']}")
            rps = {k: statistics.median(x["rps"] for x in v) for k, v in results.items()}
            p50 = {k: statistics.median(x["p50"] for x in v) for k, v in results.items()}
            print(f"  ratio warm/cold: requests/s {rps['warm'] / rps['cold']:.2f}×, "
                  f"p50 {p50['warm'] / p50['cold']:.2f}× (304 revalidation: "
                  f"{revalidate['rps'] / rps['cold']:.2f}× the cold requests/s)")
    finally:
        stop(cold)
        stop(warm)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

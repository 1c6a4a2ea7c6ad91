"""Benchmark: the same requests at demo scale and at national scale, side by side (issue 17, item 7).

One temporary PostGIS cluster with two databases:

- **demo**: the codifier, the 1 466 громада boundaries (published) and the three demo громади;
- **national**: a copy of it (``CREATE DATABASE … TEMPLATE demo``) plus the deterministic national
  synthetic set (``gisplan demo load --national``: ~30 000 settlements, ~60 000 shelters, … over
  every other громада), every synthetic dataset published — about 12 000 published datasets.

One ``gisplan serve`` process on each (``GISPLAN_WORKERS=1``, loopback, rate limit off), and the same
URLs asked of both, for the first demo громада (``DEMO[0]``):

- WMS 1.3.0 GetCapabilities (national ``/ows``), ``/ogcapi/collections``, a GeoJSON page
  (``/ogcapi/collections/shelters/items?limit=100``), a 256×256 EPSG:3857 GetMap of shelters, the
  shelters' vector tiles, and the громада's indicators (``/api/hromady/{code}/indicators``, a viewer's
  API token): requests/s, p50, p95 with 1 and 8 connections (``wrk``, ``bench/national/paths.lua``),
  runs alternating demo / national ``BENCH_ROUNDS`` times (default 2) for ``BENCH_SECONDS`` (default
  5) each; the ratio national ÷ demo of p50 (target ≤ 1.5×). GetMap and tiles cycle through the hot
  set below, the others repeat one URL.
- **cold vs hot**, for the cacheable ones: a fixed set of 200 distinct requests per kind — the
  capabilities of 200 громади (``/{code}/ows``), GeoJSON pages of 200 bboxes, 200 GetMaps, 200 tiles
  (zooms 11–14 over the громада). Cold: a freshly started server with an empty ``GISPLAN_HOME`` (no
  tile files, no in-process cache), each request once; hot: the same 200 replayed (3 passes), then
  replayed with ``If-None-Match`` when the first answer had an ``ETag``. One client (Python ``http.client`` thread,
  keep-alive) for all three, 4 clients also; the ratio hot ÷ cold of requests/s (target ≥ 10×).
- **tiles beside tipg 1.x** serving the same view (``pub.shelters`` of the national database) at
  ``/collections/pub.shelters/tiles/WebMercatorQuad/{z}/{x}/{y}``: 200 tiles at zooms 6–10 over
  Ukraine, through ``wrk`` with 1 and 8 connections, alternating; gisplan with its caches (hot, the
  set is replayed) and a second gisplan process with every tile cache off (each tile drawn by
  PostGIS, as tipg does). tipg lives in its own venv (see ``bench/ogcapi_tipg.py``).

A fresh process also answers 200 ``/healthz`` after each cold/hot block: the floor a kept answer
cannot go below. ``BENCH_SECONDS``, ``BENCH_ROUNDS`` shorten or lengthen it (the defaults took 13
minutes on 2 busy cores; ``BENCH_SECONDS=3 BENCH_ROUNDS=1`` about half); ``BENCH_SKIP=tipg,cold``
leaves parts out. A request slower than a run (wrk would count none) is timed by Python clients
instead, once per connection, and marked. Needs ``wrk``.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
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
sys.path.insert(0, str(HERE))

import ogcapi_tipg  # noqa: E402  (its tipg venv)
import scaling  # noqa: E402  (gisplan serve started and stopped)
import tiles as tile_bench  # noqa: E402  (tile ranges, free ports)

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
CONNECTIONS = ((1, 1), (8, 2))  # (wrk connections, wrk threads)
HOT = 200
H = tile_bench.DEMO[0]
LAYER = "shelters"
TOKEN_USER = "bench-viewer"


# ------------------------------------------------------------------ request sets
def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in EPSG:3857 metres."""
    size = 2 * math.pi * 6378137 / (1 << z)
    west, north = -math.pi * 6378137 + x * size, math.pi * 6378137 - y * size
    return west, north - size, west + size, north


def lonlat(mx: float, my: float) -> tuple[float, float]:
    return (math.degrees(mx / 6378137), math.degrees(2 * math.atan(math.exp(my / 6378137)) - math.pi / 2))


def hot_tiles(box, zooms, n=HOT, seed=17) -> list[tuple[int, int, int]]:
    every = [(z, x, y) for z in zooms for x, y in tile_bench.tile_range(*box, z)]
    random.Random(seed).shuffle(every)
    if len(every) < n:
        raise SystemExit(f"only {len(every)} tiles in zooms {list(zooms)} over {box}")
    return every[:n]


def getmap(z, x, y) -> str:
    w, s, e, n = tile_bounds(z, x, y)
    return (f"/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={LAYER}&STYLES=&CRS=EPSG:3857"
            f"&BBOX={w:.2f},{s:.2f},{e:.2f},{n:.2f}&WIDTH=256&HEIGHT=256&FORMAT=image/png")


def items_bbox(z, x, y) -> str:
    w, s, e, n = tile_bounds(z, x, y)
    (lw, ls), (le, ln) = lonlat(w, s), lonlat(e, n)
    return f"/ogcapi/collections/{LAYER}/items?limit=100&bbox={lw:.6f},{ls:.6f},{le:.6f},{ln:.6f}"


CAPABILITIES = "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"


def request_sets(engine) -> tuple[dict, dict, list]:
    """The steady-state lists (kind → paths), the cold/hot sets (kind → 200 paths), tipg's tiles."""
    from sqlalchemy import text

    with engine.connect() as conn:
        box = conn.execute(text("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
                                "FROM (SELECT ST_Extent(geom) b FROM hromady WHERE hromada = :h) s"), {"h": H}).one()
        codes = [r[0] for r in conn.execute(text("SELECT hromada FROM hromady ORDER BY hromada LIMIT :n"),
                                            {"n": HOT})]
    tiles = hot_tiles(box, range(11, 15))
    hot = {
        "GetCapabilities": [f"/{c}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities" for c in codes],
        "GeoJSON page": [items_bbox(*t) for t in tiles],
        "GetMap": [getmap(*t) for t in tiles],
        "vector tile": [f"/tiles/{LAYER}/{z}/{x}/{y}.mvt" for z, x, y in tiles],
    }
    steady = {
        "GetCapabilities": [CAPABILITIES],
        "GetCapabilities (gzip)": [CAPABILITIES],  # as QGIS, OWSLib and browsers ask: Accept-Encoding
        "/ogcapi/collections": ["/ogcapi/collections"],
        "GeoJSON page": [f"/ogcapi/collections/{LAYER}/items?limit=100"],
        "GetMap": hot["GetMap"],
        "vector tile": hot["vector tile"],
        "indicators": [f"/api/hromady/{H}/indicators"],
    }
    ukraine = (22.1, 44.4, 40.2, 52.4)
    national_tiles = hot_tiles(ukraine, range(6, 11), seed=18)
    return steady, hot, national_tiles


# ------------------------------------------------------------------ clients
def run_wrk(base: str, paths: list[str], connections: int, threads: int, seconds: int, tmp: Path,
            authorization: str = "", accept_encoding: str = "") -> dict:
    listing = tmp / f"paths-{threading.get_ident()}.txt"
    listing.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "PATHS_FILE": str(listing), "AUTHORIZATION": authorization,
           "ACCEPT_ENCODING": accept_encoding}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "60s", "-s", str(HERE / "national" / "paths.lua"), base],
                         capture_output=True, text=True, errors="replace", env=env, timeout=seconds + 180)
    found = re.search(r"RESULT requests=(\d+) errors=(\d+) seconds=([\d.]+) rps=([\d.]+) p50_ms=([\d.]+) "
                      r"p95_ms=([\d.]+)", out.stdout)
    if out.returncode != 0 or not found or "bad response" in out.stderr:
        raise RuntimeError(f"wrk failed on {base}{paths[0]}: {out.stdout}\n{out.stderr[-2000:]}")
    if int(found[2]):
        raise RuntimeError(f"wrk: {found[2]} errors of {found[1]} requests on {base}{paths[0]}\n{out.stderr[-2000:]}")
    return {"rps": float(found[4]), "p50": float(found[5]), "p95": float(found[6]), "n": int(found[1])}


def measure(base: str, paths: list[str], connections: int, threads: int, tmp: Path, authorization: str = "",
            accept_encoding: str = "") -> dict:
    """wrk for ``SECONDS``; when requests are slower than that (wrk would count fewer than 5), each
    of ``connections`` Python clients asks once instead (``slow`` in the result)."""
    result = run_wrk(base, paths, connections, threads, SECONDS, tmp, authorization, accept_encoding)
    if result["n"] >= 5:
        return result
    headers = {"Authorization": authorization} if authorization else None
    work = [paths[i % len(paths)] for i in range(connections)]
    slow = replay(base, work, connections, headers=headers)
    return {**slow, "n": len(work), "slow": True}


def replay(base: str, paths: list[str], clients: int, passes: int = 1, etags: dict | None = None,
           headers: dict | None = None) -> dict:
    """Every path ``passes`` times in order, spread over ``clients`` keep-alive threads; with ``etags``
    each request carries If-None-Match. Returns requests/s, p50, p95, statuses and the ETags seen.
    The clients are the standard library's ``http.client`` (less client time per request than httpx,
    whose own cost was as much as a kept answer's), accepting gzip as GIS clients and browsers do;
    bodies are read, not decoded."""
    import http.client
    from urllib.parse import urlsplit

    site = urlsplit(base)
    work = [p for _ in range(passes) for p in paths]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    seen: dict[str, str] = {}
    lock = threading.Lock()
    index = iter(range(len(work)))

    def client():
        mine = []
        conn = http.client.HTTPConnection(site.hostname, site.port, timeout=120)
        try:
            while True:
                with lock:
                    i = next(index, None)
                if i is None:
                    break
                path = work[i]
                sent = {"Accept-Encoding": "gzip", **(headers or {})}
                if etags and etags.get(path):
                    sent["If-None-Match"] = etags[path]
                t0 = time.perf_counter()
                conn.request("GET", path, headers=sent)
                r = conn.getresponse()
                r.read()
                mine.append((time.perf_counter() - t0) * 1000)
                with lock:
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    if r.getheader("etag"):
                        seen[path] = r.getheader("etag")
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    bad = {k: v for k, v in statuses.items() if k not in (200, 204, 304)}
    if bad:
        raise RuntimeError(f"{base}{paths[0]}: answers {statuses}")
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "statuses": statuses, "etags": seen}


# ------------------------------------------------------------------ setup
def prepare(tmp: Path, national: bool = True):
    """The cluster, the demo database, the national copy (unless ``national`` is false); returns
    (cluster, urls, token, counts)."""
    from sqlalchemy import text

    from gisplan.accounts import add_user, issue_api_token
    from gisplan.boundaries import load_boundaries
    from gisplan.datasets import publish_layer
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.demo import load_demo
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.synthetic.national import LAYERS as NATIONAL_LAYERS, load_national
    from gisplan.territory import find_codifier, load_codifier

    cluster = Cluster(DatabaseSettings(home=tmp / "cluster", database_url=None))
    t0 = time.perf_counter()
    demo_url = cluster.create_database("demo")
    os.environ["GISPLAN_DATABASE_URL"] = demo_url
    clear_caches()
    engine = make_engine(demo_url)
    upgrade(engine)
    data = path_settings().data_dir
    with engine.begin() as conn:
        load_codifier(conn, find_codifier(data))
    with engine.begin() as conn:
        load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
        publish_layer(conn, "hromady", user="bench")
    load_demo(engine, user="bench")
    with engine.begin() as conn:
        user = add_user(conn, TOKEN_USER, "bench-viewer-password", "viewer", [H])
        token, _ = issue_api_token(conn, user, name="bench")
    engine.dispose()
    print(f"demo database ready in {time.perf_counter() - t0:.0f} s", flush=True)
    if not national:
        return cluster, {"demo": demo_url}, token, {}, {}

    t0 = time.perf_counter()
    info = cluster.start()
    cluster._sql(info, "postgres", 'CREATE DATABASE "national" TEMPLATE "demo"')
    national_url = cluster.create_database("national")
    engine = make_engine(national_url)
    rows = load_national(engine)
    with engine.begin() as conn:  # every synthetic dataset published; the demo ones as they were
        conn.execute(text("UPDATE dataset SET published = true, published_at = now() "
                          "WHERE NOT published AND layer = ANY(:l) AND hromada <> ALL(:demo)"),
                     {"l": list(NATIONAL_LAYERS), "demo": list(tile_bench.DEMO)})
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    print(f"national database ready in {time.perf_counter() - t0:.0f} s", flush=True)

    counts = {}
    for name, url in (("demo", demo_url), ("national", national_url)):
        engine = make_engine(url)
        with engine.connect() as conn:
            counts[name] = conn.execute(text(
                "SELECT count(*) FILTER (WHERE published), count(*), "
                "(SELECT count(*) FROM shelters), (SELECT count(*) FROM settlements) FROM dataset")).one()
        engine.dispose()
    return cluster, {"demo": demo_url, "national": national_url}, token, counts, rows


def start_server(url: str, home: Path, **extra) -> tuple[subprocess.Popen, str]:
    home.mkdir(parents=True, exist_ok=True)
    port = tile_bench.free_port()
    env = {**os.environ, "GISPLAN_DATABASE_URL": url, "GISPLAN_WORKERS": "1", **extra}
    return scaling.serve(port, env, home), f"http://127.0.0.1:{port}"


def start_tipg(url: str) -> tuple[subprocess.Popen, str]:
    from sqlalchemy.engine import make_url

    venv = ogcapi_tipg.tipg_venv()
    u = make_url(url)
    port = tile_bench.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GISPLAN_", "PYTHON"))}
    env.update({
        "DATABASE_URL": f"postgresql://{u.username}:{u.password}@{u.host}:{u.port}/{u.database}",
        "TIPG_DB_SCHEMAS": '["pub"]', "TIPG_DB_TABLES": f'["pub.{LAYER}"]',
        "TIPG_DB_SPATIAL_EXTENT": "false", "TIPG_DB_DATETIME_EXTENT": "false", "TIPG_DB_MAX_CONN_SIZE": "10",
    })
    process = ogcapi_tipg.start([str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--port",
                                 str(port), "--log-level", "warning", "--no-access-log"], env,
                                f"http://127.0.0.1:{port}/collections/pub.{LAYER}")
    return process, f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------ parts
def side_by_side(bases: dict, steady: dict, token: str, tmp: Path) -> list[dict]:
    rows = []
    for kind, paths in steady.items():
        auth = f"Bearer {token}" if kind == "indicators" else ""
        gzip = "gzip" if kind.endswith("(gzip)") else ""
        first = {}
        for name, base in bases.items():  # the first answer (nothing kept yet), then warm up
            hdrs = {"Authorization": auth} if auth else None
            first[name] = replay(base, paths[:1], 1, headers=hdrs)["p50"]
            replay(base, paths[:20], 2, headers=hdrs)
        for connections, threads in CONNECTIONS:
            runs: dict[str, list[dict]] = {name: [] for name in bases}
            for _ in range(ROUNDS):  # demo national demo national
                for name, base in bases.items():
                    runs[name].append(measure(base, paths, connections, threads, tmp, auth, gzip))
                if any(r.get("slow") for rs in runs.values() for r in rs):
                    break  # requests of many seconds: one round says enough and keeps the run short
            med = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p95")}
                   for name, rs in runs.items()}
            rows.append({"kind": kind, "connections": connections, "first": first, **{n: m for n, m in med.items()},
                         "ratio_p50": med["national"]["p50"] / med["demo"]["p50"],
                         "ratio_p95": med["national"]["p95"] / med["demo"]["p95"],
                         "ratio_rps": med["national"]["rps"] / med["demo"]["rps"],
                         "slow": any(r.get("slow") for rs in runs.values() for r in rs)})
            r = rows[-1]
            print(f"  {kind:<22} {connections:>2}  {r['demo']['rps']:>8.1f} {r['demo']['p50']:>7.1f} "
                  f"{r['demo']['p95']:>7.1f}  {r['national']['rps']:>8.1f} {r['national']['p50']:>7.1f} "
                  f"{r['national']['p95']:>7.1f}  {r['ratio_p50']:>5.2f}× {r['ratio_p95']:>5.2f}×  "
                  f"{first['demo']:>8.1f} {first['national']:>8.1f}"
                  f"{'  (a request > the run: timed by Python clients)' if r['slow'] else ''}", flush=True)
    return rows


def cold_hot(urls: dict, hot: dict, tmp: Path) -> list[dict]:
    rows = []
    for clients in (1, 4):
        for name, url in urls.items():
            process, base = start_server(url, tmp / f"cold-{name}-{clients}")  # empty GISPLAN_HOME, no caches
            try:
                # PostgreSQL's buffers are warm from the side-by-side part; gisplan's caches are empty
                for kind, paths in hot.items():
                    cold = replay(base, paths, clients)
                    hot_run = replay(base, paths, clients, passes=3)
                    revalidate = replay(base, paths, clients, etags=cold["etags"]) if cold["etags"] else None
                    row = {"scale": name, "kind": kind, "clients": clients, "cold": cold, "hot": hot_run,
                           "revalidate": revalidate, "ratio": hot_run["rps"] / cold["rps"],
                           "ratio_304": revalidate["rps"] / cold["rps"] if revalidate else None}
                    rows.append(row)
                    r304 = (f"{revalidate['rps']:>8.1f} {row['ratio_304']:>6.1f}×  {revalidate['statuses']}"
                            if revalidate else f"{'no ETag':>16}")
                    print(f"  {name:<9} {kind:<16} {clients:>2}  {cold['rps']:>8.1f} {cold['p50']:>7.1f}  "
                          f"{hot_run['rps']:>8.1f} {hot_run['p50']:>7.1f} {row['ratio']:>6.1f}×  {r304}", flush=True)
                floor = replay(base, ["/healthz"] * HOT, clients)  # the HTTP stack alone: a bound on "hot"
                print(f"  {name:<9} {'/healthz (floor)':<16} {clients:>2}  {'':>8} {'':>7}  {floor['rps']:>8.1f} "
                      f"{floor['p50']:>7.1f}", flush=True)
            finally:
                tile_bench.stop(process)
    return rows


def against_tipg(national_url: str, national_base: str, tiles: list, tmp: Path) -> list[dict]:
    tipg, tipg_base = start_tipg(national_url)
    nocache, nocache_base = start_server(national_url, tmp / "nocache", GISPLAN_TILES_CACHE_MB="0",
                                         GISPLAN_TILES_SHARED_CACHE_MB="0")
    rows = []
    try:
        ours = [f"/tiles/{LAYER}/{z}/{x}/{y}.mvt" for z, x, y in tiles]
        theirs = [f"/collections/pub.{LAYER}/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in tiles]
        servers = {"gisplan (caches)": (national_base, ours), "gisplan (no cache)": (nocache_base, ours),
                   "tipg": (tipg_base, theirs)}
        sizes = {}
        for name, (base, paths) in servers.items():
            with httpx.Client(base_url=base, timeout=120) as c:
                answers = [c.get(p) for p in paths]
            sizes[name] = (sum(len(a.content) for a in answers), sum(a.status_code == 200 for a in answers))
            replay(base, paths, 2)  # warm up
        print("  bytes / non-empty tiles of the set: "
              + ", ".join(f"{n}: {b} / {k}" for n, (b, k) in sizes.items()), flush=True)
        for connections, threads in CONNECTIONS:
            runs: dict[str, list[dict]] = {name: [] for name in servers}
            for _ in range(ROUNDS):
                for name, (base, paths) in servers.items():
                    runs[name].append(measure(base, paths, connections, threads, tmp))
            med = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p95")}
                   for name, rs in runs.items()}
            for name, m in med.items():
                ratio = m["rps"] / med["tipg"]["rps"]
                rows.append({"server": name, "connections": connections, **m, "ratio": ratio})
                print(f"  {name:<20} {connections:>2}  {m['rps']:>8.1f} {m['p50']:>7.1f} {m['p95']:>7.1f}  "
                      f"{ratio:>5.2f}×", flush=True)
    finally:
        tile_bench.stop(tipg)
        tile_bench.stop(nocache)
    return rows


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("missing wrk: apt-get install wrk")
    from gisplan.db.engine import make_engine

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-national-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster = None
    servers: list[subprocess.Popen] = []
    try:
        cluster, urls, token, counts, national_rows = prepare(tmp)
        engine = make_engine(urls["demo"])
        steady, hot, national_tiles = request_sets(engine)
        engine.dispose()
        bases = {}
        for name, url in urls.items():
            process, bases[name] = start_server(url, tmp / f"home-{name}")
            servers.append(process)
        print(f"\ndatasets published / all, shelters, settlements: demo {tuple(counts['demo'])}, "
              f"national {tuple(counts['national'])}; synthetic rows {json.dumps(national_rows)}")
        print(f"громада {H}; one `gisplan serve` process per scale on loopback, rate limit off; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
              f"{SECONDS} s per wrk run, {ROUNDS} rounds alternating demo/national (medians)")

        print("\n1. side by side (wrk; GetMap and tiles cycle through 200 requests, the others repeat one)")
        print(f"  {'request':<20} {'c':>2}  {'demo r/s':>8} {'p50 ms':>7} {'p95 ms':>7}  {'nat r/s':>8} "
              f"{'p50 ms':>7} {'p95 ms':>7}  nat÷demo p50, p95  first ms: demo, national")
        side = side_by_side(bases, steady, token, tmp)
        worst = max(side, key=lambda r: r["ratio_p50"])
        print(f"  worst national ÷ demo p50: {worst['ratio_p50']:.2f}× ({worst['kind']}, {worst['connections']} "
              f"connections; target ≤ 1.5×)")

        if "cold" not in SKIP:
            print(f"\n2. cold (fresh server, empty caches, each request once) vs hot (the same {HOT} replayed "
                  f"×3) vs revalidated (If-None-Match), Python http.client clients accepting gzip")
            print(f"  {'scale':<9} {'request':<16} {'c':>2}  {'cold r/s':>8} {'p50 ms':>7}  {'hot r/s':>8} "
                  f"{'p50 ms':>7} {'hot÷cold':>7}  {'304 r/s':>8} {'÷cold':>7}")
            cold_hot(urls, hot, tmp)

        if "tipg" not in SKIP:
            print(f"\n3. vector tiles of pub.{LAYER} (national database), {len(national_tiles)} tiles at zooms "
                  f"6–10 over Ukraine, wrk, gisplan beside tipg")
            print(f"  {'server':<20} {'c':>2}  {'r/s':>8} {'p50 ms':>7} {'p95 ms':>7}  ÷ tipg r/s")
            against_tipg(urls["national"], bases["national"], national_tiles, tmp)
        print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    finally:
        for process in servers:
            tile_bench.stop(process)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

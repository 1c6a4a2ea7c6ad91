"""Load benchmark (issue 16): the public map endpoints under many concurrent residents, while a
planner imports a file.

A real ``gisplan serve`` process on loopback (one uvicorn process; the per-address rate limit
lifted with ``GISPLAN_RATE_LIMIT_PER_MINUTE=0``, since every client here is 127.0.0.1) over a
temporary PostGIS cluster (or ``GISPLAN_DATABASE_URL``) with the КАТОТТГ codifier, every громада
boundary and the demo loaded. ``BENCH_CLIENTS`` (default 50) concurrent clients send, for
``BENCH_SECONDS`` (default 60) seconds, a seeded random mix of

* the residents' shelter map page ``/{code}/shelters`` (HTML with the shelters inlined),
* the GeoJSON of the громада's shelters ``/api/layers/shelters/features?hromada=…``,
* WMS GetMap ``/{code}/ows``: 256×256 PNG tiles (EPSG:3857, zooms 12–15) over the громада,

while one planner (a bearer token) imports a GeoJSON of 200 points into ``air_sensors`` again
and again. Prints per endpoint: requests, errors (anything but 200; must be zero), p50 and p95
latency and requests/s, and the planner's imports (count, errors, p50).

The anchor, measured in the same run just before the load: the same mix sent by one client for
a sixth of the time. The ratio loaded ÷ alone of p50 says what 50 residents cost each one.
"""

from __future__ import annotations

import asyncio
import json
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
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
HROMADA = "UA63040010000010092"  # Балаклійська: demo shelters, published
SEED = 20261129
IMPORT_POINTS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict) -> subprocess.Popen:
    """``gisplan serve`` as users start it; returns once /healthz answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gisplan", "serve", "--host", "127.0.0.1", "--port", str(port)],
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


# ------------------------------------------------------------------------------------ requests
def _tile_bbox_3857(x: int, y: int, z: int) -> str:
    size = 2 * math.pi * 6378137 / (1 << z)
    minx = -math.pi * 6378137 + x * size
    maxy = math.pi * 6378137 - y * size
    return f"{minx:.2f},{maxy - size:.2f},{minx + size:.2f},{maxy:.2f}"


def _tiles(box: tuple[float, float, float, float]) -> list[str]:
    west, south, east, north = box
    paths = []
    for z in range(12, 16):
        n = 1 << z

        def xy(lon, lat, n=n):
            return (int((lon + 180) / 360 * n),
                    int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))

        (x0, y0), (x1, y1) = xy(west, north), xy(east, south)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                paths.append(f"/{HROMADA}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=shelters&STYLES="
                             f"&CRS=EPSG:3857&BBOX={_tile_bbox_3857(x, y, z)}&WIDTH=256&HEIGHT=256"
                             f"&FORMAT=image/png&TRANSPARENT=TRUE")
    return paths


def workload(box) -> dict[str, list[str]]:
    tiles = _tiles(box)
    random.Random(SEED).shuffle(tiles)
    return {
        "shelter map page": [f"/{HROMADA}/shelters"],
        "GeoJSON": [f"/api/layers/shelters/features?hromada={HROMADA}&limit=1000"],
        "GetMap": tiles,
    }


def import_file(rng: random.Random, box) -> bytes:
    west, south, east, north = box
    cx, cy = (west + east) / 2, (south + north) / 2
    features = [{"type": "Feature", "properties": {"name": f"bench {i}"},
                 "geometry": {"type": "Point", "coordinates": [cx + rng.uniform(-0.01, 0.01),
                                                               cy + rng.uniform(-0.01, 0.01)]}}
                for i in range(IMPORT_POINTS)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


# ---------------------------------------------------------------------------------- the runs
async def residents(base: str, paths: dict[str, list[str]], clients: int, seconds: float) -> dict[str, dict]:
    """``clients`` concurrent clients, each picking endpoint and path at random, for ``seconds``."""
    kinds = list(paths)
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, dict] = {k: {} for k in kinds}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    end = time.perf_counter() + seconds

    async def client(n: int, c: httpx.AsyncClient):
        rng = random.Random(SEED + n)
        while time.perf_counter() < end:
            kind = rng.choice(kinds)
            path = rng.choice(paths[kind])
            t0 = time.perf_counter()
            try:
                r = await c.get(path)
                status = r.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            ms = (time.perf_counter() - t0) * 1000
            samples[kind].append(ms)
            if status != 200:
                errors[kind][status] = errors[kind].get(status, 0) + 1

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:
        await asyncio.gather(*(client(n, c) for n in range(clients)))
    elapsed = time.perf_counter() - t0
    return {k: _figures(samples[k], errors[k], elapsed) for k in kinds}


def _figures(ms: list[float], errors: dict, elapsed: float) -> dict:
    ms = sorted(ms)
    return {"n": len(ms), "errors": errors, "rps": len(ms) / elapsed,
            "p50": statistics.median(ms) if ms else float("nan"),
            "p95": ms[int(0.95 * (len(ms) - 1))] if ms else float("nan")}


async def planner(base: str, token: str, box, stop_at: float) -> dict:
    """One planner importing a file again and again while the residents load the server."""
    rng = random.Random(SEED)
    ms, errors = [], {}
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=300, headers={"Authorization": f"Bearer {token}"}) as c:
        while time.perf_counter() < stop_at:
            body = import_file(rng, box)
            t = time.perf_counter()
            r = await c.post("/api/layers/air_sensors/import", data={"hromada": HROMADA, "mode": "append"},
                             files={"file": ("sensors.geojson", body, "application/geo+json")})
            ms.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                errors[r.status_code] = errors.get(r.status_code, 0) + 1
                if len(errors) == 1 and sum(errors.values()) == 1:
                    print(f"  first import error: {r.status_code} {r.text[:300]}")
    return _figures(ms, errors, time.perf_counter() - t0)


async def load(base: str, paths, token: str, box) -> tuple[dict, dict]:
    stop_at = time.perf_counter() + SECONDS
    res, imp = await asyncio.gather(residents(base, paths, CLIENTS, SECONDS), planner(base, token, box, stop_at))
    return res, imp


def main() -> None:
    from sqlalchemy import text

    from gisplan.accounts import add_user, issue_token
    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.demo import load_demo
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-load-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster, server = None, None
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
        with engine.begin() as conn:
            name = f"bench-planner-{os.getpid()}"
            user = add_user(conn, name, "bench-password-4711", "planner", [HROMADA])
            token = issue_token(conn, user, "api", name="load benchmark")
            box = tuple(conn.execute(text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
                "(SELECT ST_Extent(geom) b FROM shelters WHERE hromada = :h) s"), {"h": HROMADA}).one())
        engine.dispose()

        port = free_port()
        env = {**os.environ, "GISPLAN_DATABASE_URL": url, "GISPLAN_RATE_LIMIT_PER_MINUTE": "0",
               "GISPLAN_MODE": "development"}
        server = start_server(port, env)
        base = f"http://127.0.0.1:{port}"
        paths = workload(box)
        with httpx.Client(base_url=base, timeout=120) as c:  # each endpoint answers before timing
            for kind, ps in paths.items():
                r = c.get(ps[0])
                assert r.status_code == 200, f"{kind}: {r.status_code} {r.text[:300]}"

        alone = asyncio.run(residents(base, paths, 1, max(SECONDS / 6, 5)))
        loaded, imports = asyncio.run(load(base, paths, token, box))

        print(f"public endpoints of one `gisplan serve` process on loopback, {os.cpu_count()} cores; "
              f"{CLIENTS} concurrent clients for {SECONDS:g} s; {len(paths['GetMap'])} GetMap tiles "
              f"(zooms 12–15) of {HROMADA}; one planner importing {IMPORT_POINTS} points per file meanwhile")
        print(f"\n  {'endpoint':<18} {'run':<7} {'requests':>8} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} "
              f"{'requests/s':>11}")
        total_errors = 0
        for kind in paths:
            for label, res in (("alone", alone[kind]), ("loaded", loaded[kind])):
                n_err = sum(res["errors"].values())
                if label == "loaded":
                    total_errors += n_err
                print(f"  {kind:<18} {label:<7} {res['n']:>8} {n_err:>7} {res['p50']:>9.1f} {res['p95']:>9.1f} "
                      f"{res['rps']:>11.1f}" + (f"  {res['errors']}" if res["errors"] else ""))
        all_rps = sum(loaded[k]["rps"] for k in paths)
        print(f"\n  all public requests under load: {all_rps:.1f} requests/s, "
              f"{sum(loaded[k]['n'] for k in paths)} requests")
        n_imp_err = sum(imports["errors"].values())
        total_errors += n_imp_err
        print(f"  planner's imports meanwhile: {imports['n']} files, {n_imp_err} errors, "
              f"p50 {imports['p50']:.0f} ms, p95 {imports['p95']:.0f} ms")
        print("\n  anchor: the same mix from one client just before the load; p50 loaded ÷ alone:")
        for kind in paths:
            print(f"    {kind:<18} {loaded[kind]['p50'] / alone[kind]['p50']:.1f}×")
        print(f"\n  errors under load: {total_errors} (must be 0)")
        if total_errors:
            raise SystemExit(1)
    finally:
        stop(server)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

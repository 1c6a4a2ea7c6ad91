"""Benchmark: serving past one process and one database (issue 17) — worker processes, the shared
tile files, and anonymous reads from a streaming replica — against one process on the primary, in
the same run.

One temporary PostGIS cluster with the codifier, the 1 466 громада boundaries and the demo, and a
second cluster made its streaming replica (``pg_basebackup -R``). The tile set of ``bench/tiles.py``
(zooms 8–12 over the demo громади, per громада and national) is requested through real
``gisplan serve`` processes on loopback, rate limit off:

- **1 process, no cache** (the anchor): every tile drawn by PostGIS on the primary;
- **2 processes, no cache** (``GISPLAN_WORKERS=2``);
- **2 processes, no cache, replica** (``GISPLAN_DATABASE_REPLICA_URL``): anonymous tiles drawn on it;
- **2 processes, shared tile files only** (in-process LRU off, filled by one pass first).

Each with 1 and 4 concurrent clients (one keep-alive connection each): requests/s, p50, p95, and the
ratio to the anchor. Then the replication delay: a feature edited on the primary, polled on the
replica until it shows (median and max of 20 edits).
"""

from __future__ import annotations

import os
import shutil
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
sys.path.insert(0, str(HERE))

import tiles as tile_bench  # noqa: E402  (bench/tiles.py: the tile set and the client runs)

CLIENTS = (1, 4)


def serve(port: int, env: dict, home: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "gisplan", "serve", "--port", str(port)], cwd=ROOT,
                               env={**env, "GISPLAN_HOME": str(home), "GISPLAN_RATE_LIMIT_PER_MINUTE": "0",
                                    "GISPLAN_HOST": "127.0.0.1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise SystemExit(f"gisplan serve exited: {process.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("gisplan serve did not start")
        time.sleep(0.3)


def replication_delay(primary_engine, replica_engine, rounds: int = 20) -> list[float]:
    from sqlalchemy import text

    delays = []
    with primary_engine.connect() as conn:
        fid = conn.execute(text("SELECT id FROM shelters ORDER BY id LIMIT 1")).scalar_one()
    for i in range(rounds):
        marker = f"bench-replica-{i}-{time.monotonic_ns()}"
        with primary_engine.begin() as conn:
            conn.execute(text("UPDATE shelters SET notes = :m WHERE id = :i"), {"m": marker, "i": fid})
        start = time.perf_counter()
        while True:
            with replica_engine.connect() as conn:
                if conn.execute(text("SELECT notes FROM shelters WHERE id = :i"), {"i": fid}).scalar() == marker:
                    break
            if time.perf_counter() - start > 30:
                raise SystemExit("the replica did not catch up in 30 s")
        delays.append((time.perf_counter() - start) * 1000)
    return delays


def main() -> None:
    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster, ClusterInfo
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.demo import load_demo
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-scaling-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster = replica = None
    servers: list[subprocess.Popen] = []
    try:
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
        paths = tile_bench.tile_set(engine)

        replica = Cluster(DatabaseSettings(home=tmp / "replica", database_url=None))
        replica.init_replica(cluster)
        replica.start()
        replica.wait_for_replay(cluster)
        info = replica.info()
        replica_url = ClusterInfo(info.port, info.password, "bench", info.os_user).url()

        env = {**os.environ, "GISPLAN_DATABASE_URL": url}
        no_cache = {"GISPLAN_TILES_CACHE_MB": "0", "GISPLAN_TILES_SHARED_CACHE_MB": "0"}
        setups = {
            "1 process, no cache": {**env, **no_cache, "GISPLAN_WORKERS": "1"},
            "2 processes, no cache": {**env, **no_cache, "GISPLAN_WORKERS": "2"},
            "2 processes, replica": {**env, **no_cache, "GISPLAN_WORKERS": "2",
                                     "GISPLAN_DATABASE_REPLICA_URL": replica_url},
            "2 processes, shared files": {**env, "GISPLAN_WORKERS": "2", "GISPLAN_TILES_CACHE_MB": "0",
                                          "GISPLAN_TILES_SHARED_CACHE_MB": "256"},
        }
        bases = {}
        for i, (name, setup) in enumerate(setups.items()):
            port = tile_bench.free_port()
            servers.append(serve(port, setup, tmp / f"home-{i}"))
            bases[name] = f"http://127.0.0.1:{port}"
        tile_bench.run(bases["2 processes, shared files"], paths, 2)  # writes the shared files
        for base in bases.values():
            tile_bench.run(base, paths[:50], 2)  # connections and PostgreSQL's buffers warm
        served_by = httpx.get(f"{bases['2 processes, replica']}{paths[0]}").headers.get("x-gisplan-database")

        print(f"tiles: {len(paths)} (bench/tiles.py's set), `gisplan serve` on loopback, {os.cpu_count()} cores; "
              f"anonymous tiles of the replica setup served by: {served_by}")
        for clients in CLIENTS:
            print(f"\n{clients} concurrent client{'s' if clients > 1 else ''}")
            print(f"  {'setup':<28} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8}  {'× anchor':>8}  statuses")
            anchor = None
            for name, base in bases.items():
                r = tile_bench.run(base, paths, clients)
                anchor = anchor or r["rps"]
                print(f"  {name:<28} {r['rps']:>11.1f} {r['p50']:>8.2f} {r['p95']:>8.2f}  "
                      f"{r['rps'] / anchor:>7.2f}×  {r['statuses']}")

        delays = replication_delay(engine, make_engine(replica_url))
        print(f"\nreplication delay (edit on the primary → visible on the replica, {len(delays)} edits): "
              f"median {statistics.median(delays):.1f} ms, max {max(delays):.1f} ms")
        engine.dispose()
    finally:
        for process in servers:
            tile_bench.stop(process)
        if replica is not None:
            replica.destroy()
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: GeoJSON out of PostGIS, gisplan against GDAL's ogr2ogr on the same published view.

Prints rows/s for each path and the ratio to the anchor (ogr2ogr) measured in the same run:
- text: ``gisplan.features.features_text`` (what the API route does: geometry text spliced in);
- dicts: ``gisplan.features.list_features`` + ``json.dumps`` (parsed and re-encoded);
- http: ``GET /api/layers/hromady/features`` on a real uvicorn server (loopback);
- anchor: ``ogr2ogr -f GeoJSON /vsistdout/ PG:… pub.hromady``.

The layer is the boundaries of all 1 466 громади (polygons, ~4.5 MB of GeoJSON). Run with
``make bench`` (or ``.venv/bin/python bench/features_geojson.py``); it uses its own temporary
cluster unless GISPLAN_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def timed(fn, repeat=REPEAT):
    runs = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), out


def main() -> None:
    from sqlalchemy.engine import make_url

    from gisplan import features as feats
    from gisplan.boundaries import load_boundaries
    from gisplan.datasets import publish_layer
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    if not url:
        home = Path(tempfile.mkdtemp(prefix="gisplan-bench-", dir="/tmp"))
        os.chmod(home, 0o755)
        cluster = Cluster(DatabaseSettings(home=home / "cluster", database_url=None))
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
            publish_layer(conn, "hromady", user="bench")

        def library():
            with engine.connect() as conn:
                page = feats.list_features(conn, "hromady", public=True, limit=10_000)
            return json.dumps({"type": "FeatureCollection", "features": page.features})

        def library_text():
            with engine.connect() as conn:
                text, _, _ = feats.features_text(conn, "hromady", public=True, limit=10_000)
            return text

        lib_s, lib_out = timed(library)
        n = len(json.loads(lib_out)["features"])
        txt_s, txt_out = timed(library_text)
        assert len(json.loads(txt_out)) == n

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gisplan", "serve", "--port", str(port)],
            env={**os.environ, "GISPLAN_DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(f"http://127.0.0.1:{port}/healthz")
            api = f"http://127.0.0.1:{port}/api/layers/hromady/features?limit=10000"
            http_s, http_out = timed(lambda: urllib.request.urlopen(api).read())
        finally:
            server.terminate()
            server.wait()
        assert json.loads(http_out)["numberReturned"] == n

        u = make_url(url)
        pg = f"PG:host={u.host} port={u.port} dbname={u.database} user={u.username} password={u.password}"
        ogr_s, ogr_out = timed(lambda: subprocess.run(
            ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", pg, "pub.hromady"],
            capture_output=True, check=True).stdout)
        assert len(json.loads(ogr_out)["features"]) == n

        print(f"GeoJSON of {n} громада polygons (median of {REPEAT}):")
        print(f"  anchor ogr2ogr   {ogr_s * 1000:8.1f} ms  {n / ogr_s:9.0f} rows/s  {len(ogr_out) / 1e6:5.1f} MB")
        print(f"  gisplan text     {txt_s * 1000:8.1f} ms  {n / txt_s:9.0f} rows/s  {len(txt_out) / 1e6:5.1f} MB"
              f"  ratio to anchor {ogr_s / txt_s:5.2f}")
        print(f"  gisplan dicts    {lib_s * 1000:8.1f} ms  {n / lib_s:9.0f} rows/s  {len(lib_out) / 1e6:5.1f} MB"
              f"  ratio to anchor {ogr_s / lib_s:5.2f}")
        print(f"  gisplan HTTP     {http_s * 1000:8.1f} ms  {n / http_s:9.0f} rows/s  {len(http_out) / 1e6:5.1f} MB"
              f"  ratio to anchor {ogr_s / http_s:5.2f}")
        print("  (ratio > 1: faster than ogr2ogr; each path's wall time includes its connection)")
        engine.dispose()
    finally:
        if cluster is not None:
            cluster.destroy()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


if __name__ == "__main__":
    main()

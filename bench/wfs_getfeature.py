"""Benchmark: WFS 2.0 GetFeature and the download files against GDAL writing the same published view.

Prints time, rows/s and the ratio to the anchor measured in the same run (median of BENCH_REPEAT):
- WFS GML 3.2: ``GET /ows?SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=hromady`` on a real uvicorn
  server (loopback), against ``ogr2ogr -f GML -dsco FORMAT=GML32`` from PostGIS;
- WFS GeoJSON: the same with ``OUTPUTFORMAT=application/json``, against ``ogr2ogr -f GeoJSON``;
- WFS pages: every page of ``COUNT=200`` by its ``next`` link (the client's view of paging);
- download file: the GeoPackage of one громада written (first request) and served again from the
  cache with its ETag (304), against ``ogr2ogr -f GPKG`` of the same rows.

The layer is the boundaries of all 1 466 громади (polygons). Run with
``.venv/bin/python bench/wfs_getfeature.py``; it uses its own temporary cluster unless
GISPLAN_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
HROMADA = "UA05120170000013778"  # Хмільницька


def timed(fn, repeat=REPEAT):
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), out


def get(url: str, headers: dict | None = None) -> tuple[int, bytes, object]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as exc:  # 304
        return exc.code, b"", exc.headers


def main() -> None:
    from sqlalchemy.engine import make_url

    from gisplan.boundaries import load_boundaries
    from gisplan.datasets import publish_layer
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    home = Path(tempfile.mkdtemp(prefix="gisplan-bench-", dir="/tmp"))
    os.chmod(home, 0o755)
    if not url:
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
        engine.dispose()

        u = make_url(url)
        pg = f"PG:host={u.host} port={u.port} dbname={u.database} user={u.username} password={u.password}"
        port = _free_port()
        env = {**os.environ, "GISPLAN_DATABASE_URL": url, "GISPLAN_DOWNLOADS_DIR": str(home / "downloads")}
        server = subprocess.Popen([sys.executable, "-m", "gisplan", "serve", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/healthz")
            wfs = f"{base}/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=hromady"
            gml_s, gml = timed(lambda: get(wfs)[1])
            n = int(re.search(rb'numberReturned="(\d+)"', gml[:2000]).group(1))
            json_s, geojson = timed(lambda: get(wfs + "&OUTPUTFORMAT=application/json")[1])

            def pages() -> int:
                link, count = wfs + "&COUNT=200", 0
                while link:
                    body = get(link)[1]
                    count += int(re.search(rb'numberReturned="(\d+)"', body[:2000]).group(1))
                    found = re.search(rb'next="([^"]+)"', body[:3000])
                    link = found.group(1).decode().replace("&amp;", "&") if found else None
                return count

            pages_s, paged = timed(pages)
            assert paged == n, (paged, n)

            file_url = f"{base}/{HROMADA}/downloads/hromady.gpkg"
            t0 = time.perf_counter()
            status, gpkg, headers = get(file_url)
            first_s = time.perf_counter() - t0
            assert status == 200, status
            cached_s, _ = timed(lambda: get(file_url)[1])
            etag_s, answer = timed(lambda: get(file_url, {"If-None-Match": headers["ETag"]})[0])
            assert answer == 304
        finally:
            server.terminate()
            server.wait()

        tmp = home / "anchor"
        tmp.mkdir()
        ogr_gml_s, _ = timed(lambda: subprocess.run(
            ["ogr2ogr", "-f", "GML", "-dsco", "FORMAT=GML32", "/vsistdout/", pg, "pub.hromady"],
            capture_output=True, check=True).stdout)
        ogr_json_s, _ = timed(lambda: subprocess.run(
            ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", pg, "pub.hromady"], capture_output=True, check=True).stdout)

        def ogr_gpkg():
            out = tmp / "anchor.gpkg"
            out.unlink(missing_ok=True)
            subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), pg, "-sql",
                            f"SELECT * FROM pub.hromady WHERE hromada = '{HROMADA}'"], capture_output=True, check=True)

        ogr_gpkg_s, _ = timed(ogr_gpkg)

        def row(label, seconds, anchor, rows=None, size=None):
            rate = f"{rows / seconds:9.0f} rows/s" if rows else " " * 16
            mb = f"{size / 1e6:6.1f} MB" if size is not None else " " * 9
            ratio = f"  ratio to anchor {anchor / seconds:6.2f}" if anchor else ""
            print(f"  {label:<28}{seconds * 1000:9.1f} ms {rate} {mb}{ratio}")

        print(f"WFS 2.0 and download files, {n} громада polygons (median of {REPEAT}):")
        row("anchor ogr2ogr GML 3.2", ogr_gml_s, None, n)
        row("WFS GetFeature GML 3.2", gml_s, ogr_gml_s, n, len(gml))
        row("WFS, pages of 200 (next)", pages_s, ogr_gml_s, n)
        row("anchor ogr2ogr GeoJSON", ogr_json_s, None, n)
        row("WFS GetFeature GeoJSON", json_s, ogr_json_s, n, len(geojson))
        row("anchor ogr2ogr GPKG (1 громада)", ogr_gpkg_s, None)
        row("download .gpkg, first (writes)", first_s, ogr_gpkg_s, None, len(gpkg))
        row("download .gpkg, cached", cached_s, ogr_gpkg_s)
        row("download .gpkg, ETag → 304", etag_s, ogr_gpkg_s)
        print("  (ratio > 1: faster than the anchor; HTTP times include the request on loopback)")
    finally:
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)


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

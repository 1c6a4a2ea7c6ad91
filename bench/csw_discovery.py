"""Benchmark: the CSW 2.0.2 discovery service against INSPIRE's discovery QoS (≤ 3 s a response,
30 requests/s), on the three demo громади served by a real uvicorn server (loopback).

Each request is timed sequentially (median and p95 of BENCH_REPEAT) and then sent by 4 threads
(BENCH_REQUESTS in all) for requests/s. The anchor is GetCapabilities on the same server in the same
run (the app, HTTP and one database round trip, no record): the ratio says what searching and
rendering the records cost on top of it.

- hits: GetRecords resultType=hits, every record;
- text: GetRecords, CQL ``csw:AnyText LIKE '%укриття%'``, 10 Dublin Core summary records;
- bbox: GetRecords by POST with an OGC Filter BBOX around Kremenchuk, 10 summary records;
- iso: GetRecords, 10 full ISO 19139 records (``outputSchema=gmd``);
- byid: GetRecordById of one dataset, ISO 19139.

Run with ``make bench`` (or ``.venv/bin/python bench/csw_discovery.py``); it uses its own temporary
cluster unless GISPLAN_DATABASE_URL is set (then the demo громади must be loadable there).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "120"))
THREADS = 4
KREMENCHUK_BOX = (49.0, 33.3, 49.15, 33.55)  # lat/lon (EPSG:4326 axis order)


def kvp(**params: str) -> str:
    return urllib.parse.urlencode({"service": "CSW", "version": "2.0.2", **params})


def bbox_body() -> bytes:
    s, w, n, e = KREMENCHUK_BOX
    return f"""<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2" resultType="results" maxRecords="10">
  <csw:Query typeNames="csw:Record"><csw:ElementSetName>summary</csw:ElementSetName>
    <csw:Constraint version="1.1.0"><ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>
      <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>{s} {w}</gml:lowerCorner>
      <gml:upperCorner>{n} {e}</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter></csw:Constraint>
  </csw:Query></csw:GetRecords>""".encode()


def fetch(url: str, body: bytes | None = None) -> bytes:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/xml"} if body else {})
    with urllib.request.urlopen(req, timeout=60) as resp:
        out = resp.read()
    if b"ExceptionReport" in out[:400]:
        raise SystemExit(f"{url}: {out[:400]!r}")
    return out


def measure(url: str, body: bytes | None) -> dict:
    runs = []
    size = 0
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        size = len(fetch(url, body))
        runs.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: fetch(url, body), range(REQUESTS)))
    rate = REQUESTS / (time.perf_counter() - t0)
    runs.sort()
    return {"median": statistics.median(runs), "p95": runs[max(0, int(len(runs) * 0.95) - 1)],
            "rate": rate, "bytes": size}


def main() -> None:
    from sqlalchemy import select

    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.db.models import dataset
    from gisplan.demo import load_demo
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
        load_demo(engine, user="bench")
        with engine.connect() as conn:
            one = conn.execute(select(dataset.c.metadata_uuid).where(dataset.c.published, dataset.c.layer == "shelters")
                               .limit(1)).scalar()
            published = conn.execute(select(dataset.c.layer).where(dataset.c.published)).all()

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gisplan", "serve", "--port", str(port)],
            env={**os.environ, "GISPLAN_DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/csw"
        gmd = "http://www.isotc211.org/2005/gmd"
        cases = {
            "anchor GetCapabilities": (f"{base}?{kvp(request='GetCapabilities')}", None),
            "hits, every record": (f"{base}?{kvp(request='GetRecords', typeNames='csw:Record')}", None),
            "text, 10 DC summary": (f"{base}?" + kvp(
                request="GetRecords", typeNames="csw:Record", resultType="results", maxRecords="10",
                constraintLanguage="CQL_TEXT", constraint="csw:AnyText LIKE '%укриття%'"), None),
            "bbox (POST), 10 DC": (base, bbox_body()),
            "iso, 10 ISO 19139": (f"{base}?" + kvp(
                request="GetRecords", typeNames="gmd:MD_Metadata", resultType="results", maxRecords="10",
                outputSchema=gmd, elementSetName="full"), None),
            "byid, 1 ISO 19139": (f"{base}?{kvp(request='GetRecordById', id=str(one), outputSchema=gmd)}", None),
        }
        try:
            _wait(f"http://127.0.0.1:{port}/healthz")
            for target, body in cases.values():  # warm up: first imports, template compilation
                fetch(target, body)
            results = {name: measure(target, body) for name, (target, body) in cases.items()}
        finally:
            server.terminate()
            server.wait()

        anchor = results["anchor GetCapabilities"]
        print(f"CSW 2.0.2 over {len(published)} published datasets and their services "
              f"(median/p95 of {REPEAT} sequential; requests/s with {THREADS} threads, {REQUESTS} requests):")
        for name, r in results.items():
            print(f"  {name:24s} {r['median'] * 1000:8.1f} ms  p95 {r['p95'] * 1000:8.1f} ms  "
                  f"{r['rate']:7.1f} req/s  {r['bytes'] / 1000:7.1f} kB  "
                  f"time ratio to anchor {r['median'] / anchor['median']:6.2f}")
        worst = max(results.values(), key=lambda r: r["p95"])
        print(f"  INSPIRE discovery QoS: ≤ 3 s a response (worst p95 here {worst['p95']:.2f} s), "
              f"30 requests/s (slowest here {min(r['rate'] for r in results.values()):.1f})")
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

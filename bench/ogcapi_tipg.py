"""Benchmark: gisplan's OGC API – Features items against tipg serving the same view, same run.

Both read one temporary PostGIS cluster holding the 1 466 громада boundaries, published, so the
``pub.hromady`` view has 1 466 polygons. gisplan serves ``/ogcapi/collections/hromady/items``; tipg
serves the same view as ``pub.hromady`` (it names collections ``schema.table``). Each runs as one
single-process uvicorn server. ``wrk`` (``bench/ogcapi/pages.lua``) cycles through every page of
200 features: gisplan's pages are the ``next`` links it gives (keyset on the id), tipg's are
``offset`` = 0, 200, … (tipg pages by offset). Runs alternate gisplan / tipg / gisplan / tipg for 1
and for 8 concurrent connections and print requests/s, p50 and p95, and gisplan's requests/s as a
ratio of tipg's.

tipg is not installed into the project's venv (its pins conflict): the script makes its own venv,
``$GISPLAN_HOME/bench-tipg-venv`` when ``GISPLAN_HOME`` is set, else ``/tmp/gisplan-bench-tipg``,
and installs ``tipg`` and ``uvicorn`` there with pip the first time. ``BENCH_SECONDS`` (default 10)
sets the length of a run. Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PAGE = 200
LAYER = "hromady"
CONCURRENCY = ((1, 1), (8, 2))  # (connections, wrk threads)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def wait_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer")
        time.sleep(0.3)


def tipg_venv() -> Path:
    home = os.environ.get("GISPLAN_HOME")
    venv = Path(home) / "bench-tipg-venv" if home else Path("/tmp/gisplan-bench-tipg")
    python = venv / "bin" / "python"
    if not (venv / "bin" / "uvicorn").exists() or subprocess.run(
            [str(python), "-c", "import tipg"], capture_output=True).returncode != 0:
        print(f"installing tipg into {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg>=1.0", "uvicorn"], check=True)
    return venv


def start(command: list[str], env: dict, probe: str) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    wait_http(probe, process)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def our_pages(base: str) -> list[str]:
    """The paths of every page, following gisplan's next links."""
    paths, url = [], f"{base}/ogcapi/collections/{LAYER}/items?limit={PAGE}"
    while url:
        paths.append(url.removeprefix(base))
        doc = get_json(url)
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    return paths


def tipg_pages(base: str, total: int) -> list[str]:
    return [f"/collections/pub.{LAYER}/items?limit={PAGE}&offset={o}" for o in range(0, total, PAGE)]


def run_wrk(base: str, paths: list[str], connections: int, threads: int, seconds: int, tmp: Path) -> dict:
    listing = tmp / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "PAGES_FILE": str(listing)}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "30s", "-s", str(HERE / "ogcapi" / "pages.lua"), base],
                         capture_output=True, text=True, errors="replace", env=env, timeout=seconds + 120)
    found = re.search(r"RESULT requests=(\d+) errors=(\d+) seconds=([\d.]+) rps=([\d.]+) p50_ms=([\d.]+) "
                      r"p95_ms=([\d.]+)", out.stdout)
    if out.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    requests, errors = int(found[1]), int(found[2])
    if errors:
        raise RuntimeError(f"wrk: {errors} errors of {requests} requests\n{out.stdout}\n{out.stderr}")
    return {"rps": float(found[4]), "p50": float(found[5]), "p95": float(found[6])}


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("missing wrk: apt-get install wrk")
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from gisplan.boundaries import load_boundaries
    from gisplan.datasets import publish_layer
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    venv = tipg_venv()
    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-ogcapi-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster, ours, tipg = None, None, None
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
            publish_layer(conn, LAYER, user="bench")
        with engine.connect() as conn:
            total = conn.execute(text(f'SELECT count(*) FROM pub."{LAYER}"')).scalar_one()
        engine.dispose()

        port_ours, port_tipg = free_port(), free_port()
        env = {**os.environ, "GISPLAN_DATABASE_URL": url}
        ours = start([sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1",
                      "--port", str(port_ours), "--log-level", "warning", "--no-access-log"],
                     {**env, "PYTHONPATH": str(ROOT)}, f"http://127.0.0.1:{port_ours}/ogcapi")
        u = make_url(url)
        tipg_env = {k: v for k, v in os.environ.items() if not k.startswith(("GISPLAN_", "PYTHON"))}
        tipg_env.update({
            "DATABASE_URL": f"postgresql://{u.username}:{u.password}@{u.host}:{u.port}/{u.database}",
            "TIPG_DB_SCHEMAS": '["pub"]', "TIPG_DB_TABLES": f'["pub.{LAYER}"]',
            "TIPG_DB_SPATIAL_EXTENT": "false", "TIPG_DB_DATETIME_EXTENT": "false",
            "TIPG_MAX_FEATURES_PER_QUERY": "10000", "TIPG_DB_MAX_CONN_SIZE": "10",
        })
        tipg = start([str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1", "--port",
                      str(port_tipg), "--log-level", "warning", "--no-access-log"], tipg_env,
                     f"http://127.0.0.1:{port_tipg}/collections/pub.{LAYER}")
        base_ours, base_tipg = f"http://127.0.0.1:{port_ours}", f"http://127.0.0.1:{port_tipg}"
        pages_ours, pages_tipg = our_pages(base_ours), tipg_pages(base_tipg, total)
        got_ours = sum(len(get_json(base_ours + p)["features"]) for p in pages_ours)
        got_tipg = sum(len(get_json(base_tipg + p)["features"]) for p in pages_tipg)
        print(f"table pub.{LAYER}: {total} polygons; pages of {PAGE}: gisplan {len(pages_ours)} pages "
              f"({got_ours} features), tipg {len(pages_tipg)} pages ({got_tipg} features); "
              f"{SECONDS} s per run; both: one uvicorn process; {os.cpu_count()} cores")
        for connections, threads in CONCURRENCY:
            run_wrk(base_ours, pages_ours, connections, threads, 3, tmp)  # warm up
            run_wrk(base_tipg, pages_tipg, connections, threads, 3, tmp)
            runs: dict[str, list[dict]] = {"gisplan": [], "tipg": []}
            for _ in range(2):  # A B A B
                runs["gisplan"].append(run_wrk(base_ours, pages_ours, connections, threads, SECONDS, tmp))
                runs["tipg"].append(run_wrk(base_tipg, pages_tipg, connections, threads, SECONDS, tmp))
            print(f"\n{connections} concurrent client{'s' if connections > 1 else ''}")
            print(f"  {'server':<8} {'run':>3} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8}")
            for name, results in runs.items():
                for i, r in enumerate(results, 1):
                    print(f"  {name:<8} {i:>3} {r['rps']:>11.1f} {r['p50']:>8.1f} {r['p95']:>8.1f}")
            ratio = statistics.mean(r["rps"] for r in runs["gisplan"]) / statistics.mean(r["rps"] for r in runs["tipg"])
            print(f"  ratio gisplan / tipg (requests/s): {ratio:.2f}x")
    finally:
        stop(ours)
        stop(tipg)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

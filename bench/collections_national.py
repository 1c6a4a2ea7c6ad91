"""Benchmark: the OGC API collection list (``/ogcapi/collections``) at demo and national scale, in process
(issue 17: national latencies within 1.5× of demo).

The two databases of ``bench/national_scale.py`` (``prepare``: **demo** = codifier, 1 466 published
громада boundaries and the three demo громади; **national** = a copy plus ``gisplan demo load --national``
with every synthetic dataset published). Each scale is measured in its own fresh Python process, the app
called through Starlette's ``TestClient`` (no network, no other process):

Each scale runs ``BENCH_ROUNDS`` times (default 3), alternating demo and national; the medians are
printed with the ratio national ÷ demo (target ≤ 1.5×). In the same rounds, the same requests to the
route as it was before this change (``use_previous_route``; ``BENCH_PREVIOUS=0`` leaves it out).

- **first**: the first anonymous answer of the process (nothing kept yet), national list and the first
  demo громада's list;
- **drawn**: the same request ``BENCH_DRAWN`` times (default 15) with nothing kept (the process's
  answer cache emptied before each): the answer drawn from the database, the definitions (layer YAML,
  registries) already loaded — the first answer less the process's one-time loading;
- **kept**: the same request again ``BENCH_REPEAT`` times (default 300): the state read plus the kept
  bytes; p50 / p95 in ms;
- **304**: the same with ``If-None-Match``;
- **state**: the state read alone — the old aggregate over every published dataset
  (``response_state.sql`` via ``state_token(conn, None, None)``) beside the one the list is keyed by now
  (``collections_state.sql``);
- **the parts of a first answer**, median of 5 after one: the gap collections' boxes by one
  ``hromada_extent`` per громада per gap layer (the way of the first national run, 9 s;
  ``BENCH_OLD_EXTENTS=0`` skips it), by one query per gap layer (``gap_extent.sql``, after
  ``products``), by one grouped query (``gap_extents.sql``), and the whole gap part of the list in one
  statement (``gap_list.sql``); the catalogue's collections read per dataset (``served``, 13 160 rows
  nationally) and per layer (``listed``, ``collection_extents.sql``).

Last, the kept answers and 304s once more with both scales in one process, requests alternated
demo / national (before and after): the ratio least disturbed by other work on the machine.

The cluster is built in ``BENCH_DIR`` (default a temporary directory, removed at the end); with
``BENCH_KEEP=1`` it is kept there and a second run reuses it (the national load takes minutes).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

REPEAT = int(os.environ.get("BENCH_REPEAT", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DRAWN = int(os.environ.get("BENCH_DRAWN", "15"))
PREVIOUS = os.environ.get("BENCH_PREVIOUS", "1") != "0"
H = "UA63040010000010092"  # the first demo громада (bench/tiles.py DEMO[0])


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[int(0.95 * (len(ordered) - 1))]}


def use_previous_route() -> None:
    """The collection list as drawn and keyed before this change (commit 0ad6067): every published
    dataset read with its громада's box (``served``), the gap layers by ``products`` and one extent
    query each, the ETag from the aggregate over every published dataset of every layer."""
    from api.routes import ogcapi as route
    from gisplan.publish import gap_publication
    from gisplan.publish.ogcapi import gap_collections
    from gisplan.publish.response_cache import AnswerState

    def gap_documents(conn, endpoint):
        return [gap_collections.collection_document(conn, endpoint, p, True,
                                                    with_hromady=endpoint.scope.hromada is not None,
                                                    lonlat=gap_publication.extent(conn, p.hromady))
                for p in gap_collections.visible(conn, endpoint)]

    route.listed = route.served
    route.list_state = lambda hromada: AnswerState.of_datasets(None, hromada)
    gap_collections.list_documents = gap_documents


def measure(url: str, old: bool = False) -> dict:
    """One scale, in this (fresh) process; ``old``: the route as before (:func:`use_previous_route`)."""
    os.environ["GISPLAN_DATABASE_URL"] = url
    os.environ.setdefault("GISPLAN_RATE_LIMIT_PER_MINUTE", "0")
    os.environ["GISPLAN_HOME"] = tempfile.mkdtemp(prefix="gisplan-bench-coll-home-")
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from api.kept_answers import REMEMBERED
    from api.main import create_app
    from gisplan.publish.response_cache import shared_cache
    from gisplan.db.engine import get_engine
    from gisplan.publish import gap_publication
    from gisplan.publish.metadata.records import hromada_extent
    from gisplan.publish.response_cache import state_token

    from gisplan.publish.ogcapi import collections_state, gap_collections
    from gisplan.publish.ogcapi.collections import listed, served
    from gisplan.publish.ogcapi.endpoint import Endpoint
    from gisplan.publish.sources import Scope

    if old:
        use_previous_route()
    out: dict = {}
    client = TestClient(create_app())
    client.__enter__()
    for name, path in (("national", "/ogcapi/collections"), ("hromada", f"/{H}/ogcapi/collections")):
        t0 = time.perf_counter()
        first = client.get(path)
        first_ms = (time.perf_counter() - t0) * 1000
        assert first.status_code == 200, first.text[:300]
        tag = first.headers["etag"]
        drawn = []
        for _ in range(DRAWN):  # nothing kept: drawn again from the database (definitions loaded by now)
            shared_cache().clear()
            REMEMBERED.clear()
            t0 = time.perf_counter()
            r = client.get(path)
            drawn.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and r.headers["etag"] == tag and r.content == first.content
        kept, revalidated = [], []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            r = client.get(path)
            kept.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and r.headers["etag"] == tag
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            r = client.get(path, headers={"If-None-Match": tag})
            revalidated.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 304
        out[name] = {"first": first_ms, "drawn": _ms(drawn), "bytes": len(first.content), "kept": _ms(kept), "304": _ms(revalidated),
                     "collections": len(first.json()["collections"])}
    client.__exit__(None, None, None)

    if old:
        return out
    engine = get_engine()
    with engine.connect() as conn:
        for label, read in (("old aggregate", lambda: state_token(conn, None, None)),
                            ("collections_state.sql", lambda: collections_state.state_token(conn, None))):
            read()
            samples = []
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                read()
                samples.append((time.perf_counter() - t0) * 1000)
            out.setdefault("state", {})[label] = _ms(samples)
        products = gap_publication.products(conn, Scope())
        out["gaps"] = {"layers": len(products), "hromady": sum(len(p.hromady) for p in products)}
        if os.environ.get("BENCH_OLD_EXTENTS", "1") != "0":
            t0 = time.perf_counter()
            for p in products:
                boxes = [hromada_extent(conn, h) for h in p.hromady]
                (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                 max(b[3] for b in boxes))
            out["gaps"]["per-hromada ms"] = (time.perf_counter() - t0) * 1000
        endpoint = Endpoint("http://127.0.0.1", Scope())
        for label, draw in (
                ("products + extent per gap ms", lambda: [gap_publication.extent(conn, p.hromady)
                                                          for p in gap_publication.products(conn, Scope())]),
                ("products + grouped extents ms", lambda: gap_collections.extents(
                    conn, gap_publication.products(conn, Scope()))),
                ("gap_list.sql ms", lambda: gap_collections.list_documents(conn, endpoint)),
                ("list: served() ms", lambda: served(conn, endpoint)),
                ("list: listed() ms", lambda: listed(conn, endpoint))):
            draw()
            samples = []
            for _ in range(5):
                t0 = time.perf_counter()
                draw()
                samples.append((time.perf_counter() - t0) * 1000)
            out["gaps"][label] = statistics.median(samples)
        out["datasets"] = conn.execute(text("SELECT count(*) FILTER (WHERE published) FROM dataset")).scalar()
    return out


def median_of(runs: list[dict]) -> dict:
    """The median of each number over the runs (same keys in each)."""
    first = runs[0]
    out = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = median_of([r[key] for r in runs])
        elif isinstance(value, (int, float)):
            out[key] = statistics.median(r[key] for r in runs)
        else:
            out[key] = value
    return out


def alternate(urls: dict, old: bool = False) -> dict:
    """Kept answers and 304s of both scales in one process, requests alternated demo / national (one
    app per database): what a busy machine does to one scale it does to the other."""
    os.environ.setdefault("GISPLAN_RATE_LIMIT_PER_MINUTE", "0")
    os.environ["GISPLAN_HOME"] = tempfile.mkdtemp(prefix="gisplan-bench-coll-home-")
    os.environ["GISPLAN_DATABASE_URL"] = urls["demo"]
    if old:
        use_previous_route()
    from fastapi.testclient import TestClient

    from api.main import create_app
    from gisplan.db.engine import make_engine

    clients = {scale: TestClient(create_app(make_engine(url)), base_url=f"http://{scale}.test")
               for scale, url in urls.items()}
    out: dict = {}
    for path in ("/ogcapi/collections", f"/{H}/ogcapi/collections"):
        tags = {}
        for scale, client in clients.items():
            client.__enter__()
            tags[scale] = client.get(path).headers["etag"]
        for kind in ("kept", "304"):
            samples: dict = {scale: [] for scale in clients}
            for _ in range(REPEAT):
                for scale, client in clients.items():
                    headers = {"If-None-Match": tags[scale]} if kind == "304" else {}
                    t0 = time.perf_counter()
                    r = client.get(path, headers=headers)
                    samples[scale].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == (304 if kind == "304" else 200)
            out[f"{path} {kind}"] = {scale: _ms(v) for scale, v in samples.items()}
    return out


def databases(tmp: Path) -> tuple[object, dict]:
    """The cluster and the two database URLs: built, or reused from a kept ``BENCH_DIR``."""
    from gisplan.db.cluster import Cluster
    from gisplan.settings import DatabaseSettings

    marker = tmp / "urls.json"
    if marker.exists():
        cluster = Cluster(DatabaseSettings(home=tmp / "cluster", database_url=None))
        cluster.start()
        return cluster, json.loads(marker.read_text())
    import national_scale

    cluster, urls, _token, counts, rows = national_scale.prepare(tmp)
    print(f"published datasets, all, shelters, settlements: demo {tuple(counts['demo'])}, "
          f"national {tuple(counts['national'])}", flush=True)
    marker.write_text(json.dumps(urls))
    return cluster, urls


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--alternate":
        urls = json.loads((Path(os.environ["BENCH_DIR"]) / "urls.json").read_text())
        print(json.dumps(alternate(urls, old=sys.argv[2:] == ["--previous"])))
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(sys.argv[2], old=sys.argv[3:] == ["--previous"])))
        return
    keep = os.environ.get("BENCH_KEEP") == "1"
    given = os.environ.get("BENCH_DIR")
    tmp = Path(given) if given else Path(tempfile.mkdtemp(prefix="gisplan-bench-collections-", dir="/tmp"))
    tmp.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, 0o755)
    cluster = None
    try:
        cluster, urls = databases(tmp)
        variants = {("demo", False): [], ("national", False): []}
        if PREVIOUS:
            variants.update({("demo", True): [], ("national", True): []})
        for _ in range(ROUNDS):  # demo national demo national …: a busy machine weighs on both alike
            for (scale, previous), got in variants.items():
                done = subprocess.run([sys.executable, __file__, "--one", urls[scale],
                                       *(["--previous"] if previous else [])], cwd=ROOT, capture_output=True, text=True)
                if done.returncode:
                    raise SystemExit(f"{scale}: {done.stderr[-3000:]}")
                got.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if PREVIOUS:
            before = {scale: median_of(variants[(scale, True)]) for scale in ("demo", "national")}
            print(f"\nBEFORE this change (the route as at 0ad6067), medians of {ROUNDS} fresh processes per scale")
            print_table(before["demo"], before["national"], with_parts=False)
        (tmp / "runs.json").write_text(json.dumps({f"{k[0]}{' previous' if k[1] else ''}": v
                                                   for k, v in variants.items()}))
        demo, nat = median_of(variants[("demo", False)]), median_of(variants[("national", False)])
        print(f"\n/ogcapi/collections in process, medians of {ROUNDS} fresh processes per scale run alternately "
              f"({REPEAT} requests each; published datasets: demo {demo['datasets']:.0f}, national "
              f"{nat['datasets']:.0f}); ms")
        print_table(demo, nat)
        print(f"\nkept answers and 304s in one process, demo and national alternated ({REPEAT} each); ms")
        print(f"{'request':<48} {'demo p50':>9} {'nat. p50':>9} {'nat÷demo':>9} {'demo p95':>9} {'nat. p95':>9}")
        for previous in ((True, False) if PREVIOUS else (False,)):
            done = subprocess.run([sys.executable, __file__, "--alternate", *(["--previous"] if previous else [])],
                                  cwd=ROOT, capture_output=True, text=True, env={**os.environ, "BENCH_DIR": str(tmp)})
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            for label, r in json.loads(done.stdout.strip().splitlines()[-1]).items():
                d, n = r["demo"], r["national"]
                name = ("before: " if previous else "") + label
                print(f"{name:<48} {d['p50']:>9.2f} {n['p50']:>9.2f} {n['p50'] / d['p50']:>8.2f}× {d['p95']:>9.2f} "
                      f"{n['p95']:>9.2f}")
    finally:
        if cluster is not None:
            cluster.stop() if keep else cluster.destroy()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def print_table(demo: dict, nat: dict, with_parts: bool = True) -> None:
    print(f"{'request':<34} {'demo':>9} {'national':>9} {'nat÷demo':>9}")
    for name in ("national", "hromada"):
        label = "/ogcapi/collections" if name == "national" else f"/{H}/ogcapi/collections"
        d, n = demo[name], nat[name]
        print(f"{label + ' first':<34} {d['first']:>9.1f} {n['first']:>9.1f} {n['first'] / d['first']:>8.2f}×")
        for kind in ("drawn", "kept", "304"):
            for q in ("p50", "p95"):
                print(f"{'  ' + kind + ' ' + q:<34} {d[kind][q]:>9.2f} {n[kind][q]:>9.2f} "
                      f"{n[kind][q] / d[kind][q]:>8.2f}×")
        print(f"{'  bytes, collections':<34} {d['bytes']:>9.0f} {n['bytes']:>9.0f}   ({d['collections']:.0f}, "
              f"{n['collections']:.0f})")
    if not with_parts:
        return
    for label in demo["state"]:
        d, n = demo["state"][label], nat["state"][label]
        print(f"{'state: ' + label + ' p50':<34} {d['p50']:>9.2f} {n['p50']:>9.2f} {n['p50'] / d['p50']:>8.2f}×")
    for key in demo["gaps"]:
        if key.endswith("ms"):
            print(f"{key:<34} {demo['gaps'][key]:>9.1f} {nat['gaps'][key]:>9.1f}")
    print(f"(gap layers shown, громади covered: demo {demo['gaps']['layers']:.0f}, "
          f"{demo['gaps']['hromady']:.0f}; national {nat['gaps']['layers']:.0f}, {nat['gaps']['hromady']:.0f})")


if __name__ == "__main__":
    main()

"""Benchmark: the state read of a vector tile (which datasets it meets, their change counters: its
ETag and cache key) at demo and at national scale, in the same run (issue 17, item 7).

Builds the two databases of ``bench/national_scale.py`` (demo: 1 513 published datasets; national:
~13 000, 1 466 of them shelters) and reads, in this process on one connection, the state of
``/tiles/shelters/…`` (every громада) through :func:`gisplan.publish.tiles.state.tile_state`, one
indexed query on ``dataset.extent`` (migration 0014), for two sets of 200 tiles:

- **steady**: zooms 11–14 over the demo громада (the tiles of ``bench/national_scale.py``);
- **wide**: zooms 6–10 over Ukraine (the tiles it puts beside tipg), which meet many datasets.

Anchors measured in the same run on the same connection: ``SELECT 1`` (a round trip), and the
aggregate over the layer's datasets that each tile read before migration 0014
(``SELECT count(*), sum(change_count), … FROM dataset WHERE layer = 'shelters' AND published``,
without the Python box test over every dataset that followed it). Last, the whole
``TileService.tile`` of a tile kept in the in-process cache (its own connection from the pool: the
state, then the cache hit; the shared tile files off). ``BENCH_PASSES`` (default 5)
passes over each set, demo and national interleaved; p50 and p95 in µs, national ÷ demo of p50
(target ≤ 1.5×). Also prints the query plan of one steady and one wide tile at national scale.

Then the steady tiles over HTTP: one ``gisplan serve`` per scale, ``wrk`` for ``BENCH_SECONDS``
(default 5) with 1 and 8 connections, ``BENCH_HTTP_ROUNDS`` (default 5) rounds alternating demo /
national, the median of each side's p50 and their ratio (``BENCH_HTTP_ROUNDS=0`` leaves it out).
Last, what the box triggers add to writes (:func:`write_cost`, by ``EXPLAIN ANALYZE``). Needs ``wrk``; about 5 minutes on 2
busy cores.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import national_scale  # noqa: E402  (the demo and national databases, the tile sets)

PASSES = int(os.environ.get("BENCH_PASSES", "5"))
HTTP_ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "5"))
OLD_AGGREGATE = ("SELECT count(*), coalesce(sum(d.change_count), 0), max(d.changed_at), max(d.published_at) "
                 "FROM dataset d WHERE d.layer = :layer AND d.published")


def timings(conn, calls, passes: int) -> list[float]:
    out = []
    for _ in range(passes):
        for call in calls:
            t0 = time.perf_counter()
            call(conn)
            out.append((time.perf_counter() - t0) * 1e6)
    out.sort()
    return out


def over_http(urls: dict, paths: list[str], tmp: Path) -> None:
    """The steady tiles through one ``gisplan serve`` per scale (``wrk``, as bench/national_scale.py),
    ``HTTP_ROUNDS`` short runs alternating demo / national: the median of the p50s."""
    processes, bases = [], {}
    try:
        for name, url in urls.items():
            process, bases[name] = national_scale.start_server(url, tmp / f"home-{name}")
            processes.append(process)
            national_scale.replay(bases[name], paths, 2)  # warm: every tile kept
        print(f"\nover HTTP: /tiles/shelters/… (the steady 200, kept), wrk {national_scale.SECONDS} s × "
              f"{HTTP_ROUNDS} rounds alternating; load average {os.getloadavg()[0]:.1f}")
        print(f"  {'conn.':>5}  {'demo r/s':>8} {'p50 ms':>7}  {'national r/s':>12} {'p50 ms':>7}  nat ÷ demo p50")
        for connections, threads in national_scale.CONNECTIONS:
            runs: dict[str, list[dict]] = {name: [] for name in bases}
            for _ in range(HTTP_ROUNDS):
                for name, base in bases.items():
                    runs[name].append(national_scale.measure(base, paths, connections, threads, tmp))
            med = {name: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50")} for name, rs in runs.items()}
            print(f"  {connections:>5}  {med['demo']['rps']:>8.1f} {med['demo']['p50']:>7.1f}  "
                  f"{med['national']['rps']:>12.1f} {med['national']['p50']:>7.1f}  "
                  f"{med['national']['p50'] / med['demo']['p50']:>13.2f}×", flush=True)
    finally:
        for process in processes:
            national_scale.tile_bench.stop(process)


EDIT = "UPDATE shelters SET capacity = coalesce(capacity, 0) + 1 WHERE id = :id"
BULK = ("INSERT INTO shelters (hromada, katottg, code, name, capacity, source, geom) "
        "SELECT :h, :h, 'bench-extent-' || i, 'bench', 1, 'bench', "
        "ST_SetSRID(ST_MakePoint(:x + (i % 100) * 1e-4, :y + (i / 100) * 1e-4), 4326) "
        "FROM generate_series(1, :n) i")
TRIGGER_TIME = re.compile(r"Trigger (\w+): time=([\d.]+)")
EXECUTION_TIME = re.compile(r"Execution Time: ([\d.]+) ms")


def write_cost(url: str) -> None:
    """What the box triggers add to writes of shelters (demo database, after everything else), from
    ``EXPLAIN (ANALYZE)``: the time of ``gisplan_extent_insert`` / ``_update`` against the whole
    statement and against ``gisplan_count_*`` (the change counter's trigger, the anchor), for a
    5 000-row ``INSERT … SELECT`` (as an import writes) and one feature edited, 5 rounds each."""
    from sqlalchemy import text

    from gisplan.db.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        fid, h, x, y = conn.execute(text("SELECT id, hromada, ST_X(geom), ST_Y(geom) FROM shelters "
                                         "WHERE hromada = :h ORDER BY code LIMIT 1"), {"h": national_scale.H}).one()
    found: dict[str, dict[str, list[float]]] = {"bulk": {}, "edit": {}}
    try:
        for _ in range(5):
            for kind, sql, params in (("bulk", BULK, {"h": h, "x": x, "y": y, "n": 5000}),
                                      ("edit", EDIT, {"id": fid})):
                with engine.begin() as conn:
                    plan = "\n".join(conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF) " + sql), params).scalars())
                for name, ms in TRIGGER_TIME.findall(plan):
                    found[kind].setdefault(name.rsplit("_", 1)[0], []).append(float(ms))
                found[kind].setdefault("statement", []).append(float(EXECUTION_TIME.search(plan)[1]))
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM shelters WHERE code LIKE 'bench-extent-%'"))
    finally:
        engine.dispose()
    print("\nwrite cost of the box triggers (shelters, demo database, EXPLAIN ANALYZE, medians of 5)")
    for kind, label in (("bulk", "5 000 rows INSERT … SELECT"), ("edit", "one feature edited")):
        m = {name: statistics.median(v) for name, v in found[kind].items()}
        box, counter, whole = m["gisplan_extent"], m["gisplan_count"], m["statement"]
        print(f"  {label:<28} box trigger {box:>7.2f} ms  counter trigger (anchor) {counter:>7.2f} ms  "
              f"{box / counter:>5.2f}×  statement {whole:>8.2f} ms  box share {100 * box / whole:>5.1f} %",
              flush=True)


def main() -> None:
    from sqlalchemy import text

    from gisplan.catalog import catalog
    from gisplan.db.engine import make_engine
    from gisplan.publish.sources import Scope, layer_source
    from gisplan.publish.tiles.grid import TileAddress
    from gisplan.publish.tiles.service import TileService
    from gisplan.settings import TileSettings
    from gisplan.publish.tiles.state import read_sql, tile_state

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-tile-state-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster = None
    try:
        cluster, urls, _, counts, _ = national_scale.prepare(tmp)
        engine = make_engine(urls["demo"])
        steady, _, wide = national_scale.request_sets(engine)
        engine.dispose()
        steady_tiles = [tuple(int(v) for v in p.removesuffix(".mvt").split("/")[-3:]) for p in steady["vector tile"]]
        source = layer_source(catalog().get(national_scale.LAYER), Scope())
        margin = 64 / 4096

        def state_calls(tiles):
            return [lambda conn, a=TileAddress(*t): tile_state(conn, source, Scope(), a, margin) for t in tiles]

        kinds = {
            "SELECT 1 (anchor)": [lambda conn: conn.execute(text("SELECT 1")).one()] * 200,
            "layer aggregate (before 0014)": [lambda conn: conn.execute(
                text(OLD_AGGREGATE), {"layer": national_scale.LAYER}).one()] * 200,
            "tile state, steady z11-14": state_calls(steady_tiles),
            "tile state, wide z6-10": state_calls(wide),
        }
        def kept_calls(name):  # the whole TileService.tile of a tile kept in its LRU: state + cache hit
            service = services[name]
            return [lambda conn, a=TileAddress(*t): service.tile(national_scale.LAYER, Scope(), a)
                    for t in steady_tiles]
        engines = {name: make_engine(url) for name, url in urls.items()}
        conns = {name: e.connect() for name, e in engines.items()}
        services = {name: TileService(e, TileSettings(shared_cache_mb=0)) for name, e in engines.items()}
        kinds["TileService.tile, kept, steady"] = None  # per scale, below
        met = {}
        for name, conn in conns.items():  # warm up (prepared statements, buffers); datasets met
            for kind, calls in kinds.items():
                timings(conn, calls if calls is not None else kept_calls(name), 1)
            met[name] = {label: statistics.mean(
                tile_state(conn, source, Scope(), TileAddress(*t), margin).datasets for t in tiles)
                for label, tiles in (("steady", steady_tiles), ("wide", wide))}
        results: dict[str, dict[str, list[float]]] = {kind: {n: [] for n in conns} for kind in kinds}
        for _ in range(PASSES):  # demo, national, demo, national …
            for kind, calls in kinds.items():
                for name, conn in conns.items():
                    results[kind][name] += timings(conn, calls if calls is not None else kept_calls(name), 1)

        print(f"\ndatasets published / all, shelters, settlements: demo {tuple(counts['demo'])}, "
              f"national {tuple(counts['national'])}; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores; {PASSES} passes of 200 calls each, one connection per scale")
        print("datasets met per tile (mean): " + ", ".join(
            f"{n} steady {m['steady']:.1f} / wide {m['wide']:.1f}" for n, m in met.items()))
        print(f"\n  {'read':<32} {'demo p50 µs':>11} {'p95':>7} {'× SELECT 1':>10}  {'national p50 µs':>15} "
              f"{'p95':>7} {'× SELECT 1':>10}  {'nat ÷ demo p50':>14}")
        anchor = {n: statistics.median(results["SELECT 1 (anchor)"][n]) for n in conns}
        for kind, by in results.items():
            cells = []
            for n in conns:
                xs = sorted(by[n])
                p50, p95 = statistics.median(xs), xs[int(0.95 * (len(xs) - 1))]
                cells.append((p50, p95, p50 / anchor[n]))
            (d50, d95, dx), (n50, n95, nx) = cells
            print(f"  {kind:<32} {d50:>11.0f} {d95:>7.0f} {dx:>9.2f}×  {n50:>15.0f} {n95:>7.0f} {nx:>9.2f}×  "
                  f"{n50 / d50:>13.2f}×")

        conn = conns["national"]
        for label, tile in (("steady", steady_tiles[0]), ("wide", wide[0])):
            w, s, e, n = TileAddress(*tile).lonlat_bounds(margin)
            sql = read_sql("datasets_met.sql")
            plan = conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql), {
                "layer": national_scale.LAYER, "full": False, "hromada": None,
                "west": w, "south": s, "east": e, "north": n}).scalars().all()
            print(f"\nplan at national scale, {label} tile {tile}:\n  " + "\n  ".join(plan))
        for c in conns.values():
            c.close()
        for e in engines.values():
            e.dispose()
        if HTTP_ROUNDS:
            over_http(urls, steady["vector tile"], tmp)
        write_cost(urls["demo"])
    finally:
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

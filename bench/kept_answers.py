"""Benchmark: kept anonymous answers served before routing (api/kept_answers.py) against the same
answers routed (``GISPLAN_RESPONSE_CACHE_EARLY=false``, the anchor), in the same run (issue 17).

One temporary cluster with the demo database (``BENCH_NATIONAL=1``: the national copy too, several
minutes more), two ``gisplan serve`` processes on it — early answers on and off — and the request sets
of ``bench/national_scale.py`` (200 per-громада capabilities, 200 GeoJSON pages by bbox, 200 GetMaps;
200 ``/healthz`` as the floor of the HTTP stack). For each mode and 1 or 8 clients: cold (a fresh
process, each request once) and hot (the same 200 three times), both with Python keep-alive clients;
then ``wrk`` (1 and 8 connections) cycling through the 200 kept answers, ``BENCH_SECONDS`` each,
alternating the modes ``BENCH_ROUNDS`` times (medians). Prints requests/s, p50, p95, hot ÷ cold and
early ÷ routed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import national_scale as ns  # noqa: E402
import tiles as tile_bench  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
NATIONAL = os.environ.get("BENCH_NATIONAL", "") not in ("", "0")
KINDS = ("GetCapabilities", "GeoJSON page", "GetMap")
MODES = {"early": {}, "routed": {"GISPLAN_RESPONSE_CACHE_EARLY": "false"}}


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("missing wrk: apt-get install wrk")
    from gisplan.db.engine import make_engine

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-kept-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster = None
    try:
        cluster, urls, _token, _counts, _rows = ns.prepare(tmp, national=NATIONAL)
        engine = make_engine(urls["demo"])
        _steady, hot, _tiles = ns.request_sets(engine)
        engine.dispose()
        sets = {k: hot[k] for k in KINDS}
        sets["/healthz (floor)"] = ["/healthz"] * ns.HOT
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {SECONDS} s per wrk run, "
              f"{ROUNDS} rounds alternating early/routed (medians)", flush=True)
        for scale, url in urls.items():
            cold_hot = {}  # (mode, kind, clients) -> (cold, hot): Python keep-alive clients, fresh process
            for clients in (1, 8):
                for mode, env in MODES.items():
                    process, base = ns.start_server(url, tmp / f"cold-{scale}-{mode}-{clients}", **env)
                    try:
                        for kind, paths in sets.items():
                            cold = ns.replay(base, paths, clients)
                            cold_hot[(mode, kind, clients)] = (cold, ns.replay(base, paths, clients, passes=3))
                    finally:
                        tile_bench.stop(process)
            servers = {}
            try:
                results: dict = {}
                for mode, env in MODES.items():
                    servers[mode] = ns.start_server(url, tmp / f"home-{scale}-{mode}", **env)
                    for kind, paths in sets.items():  # keep the 200 answers first
                        ns.replay(servers[mode][1], paths, 1)
                for _ in range(ROUNDS):
                    for mode in MODES:
                        base = servers[mode][1]
                        for kind, paths in sets.items():
                            for c, t in ns.CONNECTIONS:
                                r = ns.run_wrk(base, paths, c, t, SECONDS, tmp)
                                results.setdefault((mode, kind, c), []).append(r)
                print(f"\n{scale}: Python clients (cold: fresh process, each request once; hot: the same "
                      f"{ns.HOT} ×3) and wrk (the {ns.HOT} cycled, kept)")
                print(f"  {'request':<18} {'c':>2}  {'mode':<7} {'cold r/s':>8} {'p50 ms':>7}  {'hot r/s':>8} "
                      f"{'p50 ms':>7} {'hot÷cold':>8}  {'wrk r/s':>8} {'p50 ms':>7} {'p95 ms':>7}  early÷routed wrk r/s")
                for kind in sets:
                    for c, _t in ns.CONNECTIONS:
                        med = {m: {f: statistics.median(r[f] for r in results[(m, kind, c)])
                                   for f in ("rps", "p50", "p95")} for m in MODES}
                        for mode in MODES:
                            m = med[mode]
                            cold, hot = cold_hot[(mode, kind, c)]
                            ratio = (f"{med['early']['rps'] / med['routed']['rps']:>6.2f}×" if mode == "early"
                                     else "")
                            print(f"  {kind:<18} {c:>2}  {mode:<7} {cold['rps']:>8.1f} {cold['p50']:>7.1f}  "
                                  f"{hot['rps']:>8.1f} {hot['p50']:>7.1f} {hot['rps'] / cold['rps']:>7.1f}×  "
                                  f"{m['rps']:>8.1f} {m['p50']:>7.2f} {m['p95']:>7.2f}  {ratio}", flush=True)
            finally:
                for process, _base in servers.values():
                    tile_bench.stop(process)
        print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    finally:
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

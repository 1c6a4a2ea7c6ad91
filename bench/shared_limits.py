"""What the shared worker state costs (issue 17): the anonymous rate limit, the login throttle and the
catalogue version, now rows on the primary database instead of memory in each process.

Over a temporary PostGIS cluster (or ``GISPLAN_DATABASE_URL``), migrated to head:

* in process, ``BENCH_N`` (default 3000) calls each, interleaved, of: the rate limit's take (one
  address; and one new address per call, as from many clients), the login throttle's lockout check,
  a failed sign-in counted (default limits, 500 names from 679 addresses), the catalogue version
  read; median and p95 µs;
* over HTTP, two real ``gisplan serve`` processes on loopback, ``BENCH_HTTP_N`` (default 900)
  anonymous ``GET /ogcapi/conformance`` (a small static document) from one client, with the limit
  on (one no client reaches) and off (``GISPLAN_RATE_LIMIT_PER_MINUTE=0``), alternately in rounds:
  p50/p95 and the added latency.

The anchor, in the same run: ``SELECT 1`` on the same connection pool (one database round trip), and
the limit switched off for the HTTP rows.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.load_public import free_port, start_server, stop  # noqa: E402

N = int(os.environ.get("BENCH_N", "3000"))
HTTP_N = int(os.environ.get("BENCH_HTTP_N", "900"))
ROUNDS = 10


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def in_process(engine) -> list[tuple[str, list[float]]]:
    from sqlalchemy import text

    from api.login_throttle import LoginThrottle
    from api.rate_limit import TokenBuckets
    from api.shared_limits import limits_engine
    from gisplan.publish.catalogue_version import catalogue_version

    limits = limits_engine(engine)
    buckets = TokenBuckets(10**9, namespace=f"bench-{uuid.uuid4().hex}", engine=engine)
    throttle = LoginThrottle(5, 20, namespace=f"bench-{uuid.uuid4().hex}", engine=engine)  # the defaults
    one = text("SELECT 1")

    def select_one(_):
        with limits.connect() as conn:
            conn.execute(one).scalar()

    def version(_):
        with engine.connect() as conn:
            catalogue_version(conn)

    def select_one_main(_):
        with engine.connect() as conn:
            conn.execute(one).scalar()

    ops = [
        ("SELECT 1, limits pool (anchor)", select_one),
        ("rate limit take, one address", lambda i: buckets.take("198.51.100.1")),
        ("rate limit take, new address each", lambda i: buckets.take(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")),
        ("login lockout check", lambda i: throttle.retry_after("bench-user", "198.51.100.2")),
        ("failed sign-in counted", lambda i: throttle.failed(f"bench-{i % 500}", f"198.51.{i % 7}.{i % 97}")),
        ("SELECT 1, app pool (pre-ping)", select_one_main),
        ("catalogue version, app pool", version),
    ]
    for _, fn in ops:  # warm the pools and the prepared statements
        timed(fn, 20)
    out: dict[str, list[float]] = {label: [] for label, _ in ops}
    for i in range(N):  # interleaved: the machine's load falls on every operation alike
        for label, fn in ops:
            t = time.perf_counter()
            fn(i)
            out[label].append((time.perf_counter() - t) * 1e6)
    return list(out.items())


def http_round(base: str, n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=base, timeout=60) as c:
        c.get("/ogcapi/conformance")
        for _ in range(n):
            t = time.perf_counter()
            r = c.get("/ogcapi/conformance")
            out.append((time.perf_counter() - t) * 1e3)
            assert r.status_code == 200, r.status_code
    return out


def main() -> None:
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-limits-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster, servers = None, []
    url = os.environ.get("GISPLAN_DATABASE_URL")
    try:
        if not url:
            cluster = Cluster(DatabaseSettings(home=tmp / "cluster", database_url=None))
            url = cluster.create_database("bench")
            os.environ["GISPLAN_DATABASE_URL"] = url
            clear_caches()
        engine = make_engine(url)
        upgrade(engine)

        rows = in_process(engine)
        anchor = statistics.median(rows[0][1])
        print(f"shared worker state, in process, {N} calls each (interleaved), {os.cpu_count()} cores")
        print(f"  {'operation':<36} {'p50 µs':>9} {'p95 µs':>9} {'× anchor':>9}")
        for label, values in rows:
            med = statistics.median(values)
            print(f"  {label:<36} {med:>9.0f} {p(values, 95):>9.0f} {med / anchor:>9.2f}")

        env = {**os.environ, "GISPLAN_DATABASE_URL": url, "GISPLAN_MODE": "development",
               "GISPLAN_HOME": str(tmp / "home")}
        on_port, off_port = free_port(), free_port()
        servers.append(start_server(on_port, {**env, "GISPLAN_RATE_LIMIT_PER_MINUTE": str(10**9)}))
        servers.append(start_server(off_port, {**env, "GISPLAN_RATE_LIMIT_PER_MINUTE": "0"}))
        on: list[float] = []
        off: list[float] = []
        for _ in range(ROUNDS):  # alternate, so that the machine's load falls on both alike
            off += http_round(f"http://127.0.0.1:{off_port}", HTTP_N // ROUNDS)
            on += http_round(f"http://127.0.0.1:{on_port}", HTTP_N // ROUNDS)
        print(f"\nanonymous GET /ogcapi/conformance on a real `gisplan serve` process, one client, {len(on)} requests each")
        print(f"  {'rate limit':<36} {'p50 ms':>9} {'p95 ms':>9} {'× anchor':>9}")
        base50 = statistics.median(off)
        for label, values in (("off (anchor)", off), ("on, shared in the database", on)):
            print(f"  {label:<36} {statistics.median(values):>9.2f} {p(values, 95):>9.2f} "
                  f"{statistics.median(values) / base50:>9.2f}")
        print(f"  added by the shared limit: p50 {statistics.median(on) - base50:+.2f} ms, "
              f"p95 {p(on, 95) - p(off, 95):+.2f} ms")
    finally:
        for s in servers:
            stop(s)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

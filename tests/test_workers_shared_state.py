"""Stateless workers (issue 17): with GISPLAN_WORKERS=2 nothing one process needs is held only by the
other. The login throttle and the anonymous rate limit count across both processes (rows on the
primary database), and a publication or withdrawal made through one process is what the other's
WMS and OGC API answer on the very next request (its layer lists are kept per catalogue version,
not for a time).

Each test holds one keep-alive connection to each process (the ``X-Gisplan-Worker`` of every answer
is checked), so it decides which process answers each request; each uses its own loopback source
address, so each has its own rate-limit bucket and address count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import text

from gisplan.catalog import catalog
from gisplan.datasets import set_published
from gisplan.db.cluster import free_port
from tests.conftest import KHMILNYK, ROOT, auth

WORKER = "x-gisplan-worker"
PER_MINUTE = 40          # anonymous requests a minute per address
USER_FAILURES = 4        # failed sign-ins of one user name before a lockout
ADDRESS_FAILURES = 6     # … from one address
LOCKOUT = 120


@pytest.fixture(scope="module")
def server(database_url, engine, test_home):
    port = free_port()
    env = {**os.environ, "GISPLAN_WORKERS": "2", "GISPLAN_DATABASE_URL": database_url,
           "GISPLAN_HOME": str(test_home / "workers-shared-home"), "GISPLAN_PORT": str(port),
           "GISPLAN_HOST": "127.0.0.1", "GISPLAN_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE),
           "GISPLAN_LOGIN_MAX_FAILURES": str(USER_FAILURES),
           "GISPLAN_LOGIN_MAX_FAILURES_PER_ADDRESS": str(ADDRESS_FAILURES),
           "GISPLAN_LOGIN_LOCKOUT_SECONDS": str(LOCKOUT)}
    proc = subprocess.Popen([sys.executable, "-m", "gisplan", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # two processes importing everything on a busy machine
    try:
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Pinned:
    """A keep-alive connection to one worker process; every answer must come from that process."""

    def __init__(self, client: httpx.Client, pid: str):
        self.client, self.pid = client, pid

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        r = self.client.request(method, path, **kw)
        assert r.headers[WORKER] == self.pid, "the connection moved to another process"
        return r

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.request("POST", path, **kw)


@contextmanager
def one_per_worker(base: str, source: str, tries: int = 60):
    """(A, B): connections from ``source`` (a loopback address) to two different processes."""
    found: dict[str, Pinned] = {}
    spare: list[httpx.Client] = []
    try:
        for _ in range(tries):
            client = httpx.Client(base_url=base, timeout=60, transport=httpx.HTTPTransport(local_address=source))
            pid = client.get("/healthz").headers[WORKER]  # not rate limited
            if pid in found:
                spare.append(client)
            else:
                found[pid] = Pinned(client, pid)
            if len(found) == 2:
                break
        assert len(found) == 2, f"only worker {list(found)} answered {tries} connections"
        for c in spare:
            c.close()
        yield tuple(found.values())
    finally:
        for p in found.values():
            p.client.close()
        for c in spare:
            c.close()


# --------------------------------------------------------------------------------- login throttle
def test_failed_sign_ins_spread_over_both_processes_lock_the_user_out(server, make_user):
    name, password, _ = make_user("planner", (KHMILNYK,))
    with one_per_worker(server, "127.0.0.4") as (a, b):
        for i in range(USER_FAILURES):  # A, B, A, B: no process alone sees the limit
            r = (a, b)[i % 2].post("/api/auth/login", json={"username": name, "password": "wrong"})
            assert r.status_code == 401, r.text
        for p in (a, b):  # locked out everywhere, even with the right password
            r = p.post("/api/auth/login", json={"username": name, "password": password})
            assert r.status_code == 429, (p.pid, r.status_code, r.text)
            assert 0 < int(r.headers["retry-after"]) <= LOCKOUT


def test_one_address_trying_names_on_both_processes_is_locked_out(server, make_user):
    name, password, _ = make_user("planner", (KHMILNYK,))
    with one_per_worker(server, "127.0.0.5") as (a, b):
        for i in range(ADDRESS_FAILURES):
            p = (a, b)[i % 2]
            r = p.post("/api/auth/login", json={"username": f"guess-{i}-{p.pid}", "password": "x"})
            assert r.status_code == 401, r.text
        for p in (a, b):
            r = p.post("/api/auth/login", json={"username": name, "password": password})
            assert r.status_code == 429 and int(r.headers["retry-after"]) > 0, (p.pid, r.text)
    # another address is not concerned
    with httpx.Client(base_url=server, transport=httpx.HTTPTransport(local_address="127.0.0.6")) as other:
        assert other.post("/api/auth/login", json={"username": name, "password": password}).status_code == 200


# ------------------------------------------------------------------------------------- rate limit
def test_the_anonymous_rate_limit_counts_across_processes(server):
    """Alternating between the processes, a client gets its PER_MINUTE burst once (plus what refills
    while it sends), not once per process; both processes then refuse it."""
    with one_per_worker(server, "127.0.0.7") as (a, b):
        started = time.monotonic()
        allowed: dict[str, int] = {a.pid: 0, b.pid: 0}
        refused: set[str] = set()
        for i in range(4 * PER_MINUTE):
            p = (a, b)[i % 2]
            r = p.get("/api/layers")
            if r.status_code == 429:
                assert int(r.headers["retry-after"]) >= 1
                refused.add(p.pid)
                if len(refused) == 2:
                    break
            else:
                assert r.status_code == 200, r.text
                allowed[p.pid] += 1
        elapsed = time.monotonic() - started
    assert refused == {a.pid, b.pid}
    assert min(allowed.values()) > 0  # both processes let some through …
    refill = elapsed * PER_MINUTE / 60
    assert PER_MINUTE <= sum(allowed.values()) <= PER_MINUTE + refill + 1, (allowed, elapsed)  # … from one bucket


# --------------------------------------------------------------------- publication seen by the other
@pytest.fixture()
def dataset(engine, make_user):
    """A dataset of KHMILNYK, withdrawn for the test (its state put back afterwards), and a planner
    of the громада."""
    with engine.begin() as conn:
        rows = dict(conn.execute(text("SELECT layer, published FROM dataset WHERE hromada = :h"),
                                 {"h": KHMILNYK}).all())
    layer = next(n for n in ("shelters", *catalog().names()) if n in rows)
    with engine.begin() as conn:
        set_published(conn, layer, KHMILNYK, False, "workers-test")
    _, _, token = make_user("planner", (KHMILNYK,))
    yield layer, token
    with engine.begin() as conn:
        set_published(conn, layer, KHMILNYK, rows[layer], "workers-test")


def _legend(p: Pinned, layer: str) -> httpx.Response:
    return p.get(f"/{KHMILNYK}/ows", params={"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetLegendGraphic",
                                             "LAYER": layer, "FORMAT": "image/png", "SLD_VERSION": "1.1.0"})


def _served(p: Pinned, layer: str) -> dict[str, bool]:
    """What process ``p`` answers about ``layer`` in KHMILNYK's services, each asked once."""
    caps = p.get(f"/{KHMILNYK}/ows", params={"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"})
    assert caps.status_code == 200
    collections = p.get(f"/{KHMILNYK}/ogcapi/collections", params={"f": "json"})
    assert collections.status_code == 200, collections.text
    legend = _legend(p, layer)
    if legend.headers["content-type"].startswith("image/png"):
        drawn = True
    else:
        assert "LayerNotDefined" in legend.text, legend.text
        drawn = False
    return {"capabilities": f"<Name>{layer}</Name>" in caps.text,
            "collections": layer in {c["id"] for c in collections.json()["collections"]},
            "legend": drawn}


def test_a_publication_through_one_process_is_served_by_the_other_at_once(server, dataset):
    layer, token = dataset
    nothing = {"capabilities": False, "collections": False, "legend": False}
    everything = {"capabilities": True, "collections": True, "legend": True}
    with one_per_worker(server, "127.0.0.3") as (a, b):
        assert _served(b, layer) == nothing  # B has now read (and kept) the layer lists without it
        assert _served(b, layer) == nothing
        r = a.post(f"/api/datasets/{layer}/{KHMILNYK}/publish", headers=auth(token))
        assert r.status_code == 200, r.text
        assert _served(b, layer) == everything  # the very next request, no waiting
        r = a.post(f"/api/datasets/{layer}/{KHMILNYK}/withdraw", headers=auth(token))
        assert r.status_code == 200, r.text
        assert "LayerNotDefined" in _legend(b, layer).text  # asked first, before anything else of B's
        assert _served(b, layer) == nothing


def test_the_catalogue_version_moves_on_publication_only(engine, dataset):
    """Edits move their dataset's change counter, not the catalogue version (no shared hot row);
    publishing and withdrawing move it."""
    from gisplan.publish.catalogue_version import catalogue_version

    layer, _ = dataset

    def version() -> int:
        with engine.connect() as conn:
            return catalogue_version(conn)

    before = version()
    with engine.begin() as conn:
        conn.execute(text("UPDATE dataset SET change_count = change_count + 1, changed_at = now() "
                          "WHERE layer = :l AND hromada = :h"), {"l": layer, "h": KHMILNYK})
    assert version() == before
    with engine.begin() as conn:
        set_published(conn, layer, KHMILNYK, True, "workers-test")
    assert version() > before

"""Stateless workers (issue 17): `gisplan serve` with GISPLAN_WORKERS=2 answers on one port from two
processes (``X-Gisplan-Worker``); a planner's edit through one of them shows as the new tile and ETag
through the other, and the tile drawn by one is read from the shared tile files by the other."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import text

from gisplan.datasets import set_published
from gisplan.db.cluster import free_port
from gisplan.features import create_feature
from tests.conftest import BALAKLIIA, ROOT, auth
from tests.test_tiles import _point_in, tile_of

WORKER = "x-gisplan-worker"
Z = 13


@pytest.fixture(scope="module")
def shelter(engine):
    lon, lat = _point_in(engine, BALAKLIIA)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'workers-%'"))
        props = {"hromada": BALAKLIIA, "code": "workers-1", "name": "Укриття воркерів", "capacity": 50}
        made = create_feature(conn, "shelters", props, {"type": "Point", "coordinates": [lon, lat]},
                              "workers-test")
        set_published(conn, "shelters", BALAKLIIA, True, "workers-test")
    return {"id": made["id"], "tile": (Z, *tile_of(lon, lat, Z))}


@pytest.fixture(scope="module")
def server(database_url, engine, test_home):
    port = free_port()
    home = test_home / "workers-home"
    inherited = {k: v for k, v in os.environ.items() if k != "GISPLAN_TILES_CACHE_DIR"}  # default: under its home
    env = {**inherited, "GISPLAN_WORKERS": "2", "GISPLAN_DATABASE_URL": database_url, "GISPLAN_HOME": str(home),
           "GISPLAN_PORT": str(port), "GISPLAN_HOST": "127.0.0.1",
           "GISPLAN_RATE_LIMIT_PER_MINUTE": "0"}  # many anonymous requests to reach both processes
    proc = subprocess.Popen([sys.executable, "-m", "gisplan", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
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
        yield {"url": base, "home": home}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def by_worker(url: str, want: int = 2, headers: dict | None = None, tries: int = 200) -> dict[str, httpx.Response]:
    """GET ``url`` on new connections until ``want`` worker processes have answered; {pid: answer}."""
    seen: dict[str, httpx.Response] = {}
    for _ in range(tries):
        r = httpx.get(url, headers={"Connection": "close", **(headers or {})}, timeout=30)
        seen.setdefault(r.headers[WORKER], r)
        if len(seen) >= want:
            return seen
    raise AssertionError(f"only workers {sorted(seen)} answered {tries} requests")


def capacity_in(tile: bytes) -> int:
    features = mapbox_vector_tile.decode(tile)["shelters"]["features"]
    return next(f["properties"]["capacity"] for f in features if f["properties"].get("code") == "workers-1")


def test_two_processes_answer_on_one_port(server):
    answers = by_worker(f"{server['url']}/healthz")
    assert len(answers) == 2
    assert {str(r.json()["pid"]) for r in answers.values()} == set(answers)  # the header names the process


def test_an_edit_through_one_worker_is_the_new_tile_through_the_other(server, shelter, make_user):
    z, x, y = shelter["tile"]
    tile_url = f"{server['url']}/tiles/shelters/{z}/{x}/{y}.mvt"
    before = by_worker(tile_url)
    etags = {r.headers["etag"] for r in before.values()}
    assert len(etags) == 1  # both processes give the same version of the tile
    assert {capacity_in(r.content) for r in before.values()} == {50}
    old_etag = etags.pop()

    _, _, token = make_user("planner", (BALAKLIIA,))
    fid = shelter["id"]
    current = httpx.get(f"{server['url']}/api/layers/shelters/features/{fid}", headers=auth(token)).json()
    edit = httpx.patch(f"{server['url']}/api/layers/shelters/features/{fid}", headers=auth(token),
                       json={"version": current["properties"]["version"], "properties": {"capacity": 75}})
    assert edit.status_code == 200, edit.text
    editor = edit.headers[WORKER]

    after = by_worker(tile_url, headers={"If-None-Match": old_etag})
    assert editor in after and len(after) == 2
    for pid, r in after.items():
        assert r.status_code == 200, (pid, r.status_code)  # not a 304: the old ETag is stale everywhere
        assert r.headers["etag"] != old_etag
        assert capacity_in(r.content) == 75
    assert len({r.headers["etag"] for r in after.values()}) == 1


def test_the_tile_files_are_shared(server, shelter):
    """The national tile was drawn once and written to the shared directory; the files are the tiles."""
    files = list((server["home"] / "cache" / "tiles").glob("??/*.mvt"))
    assert files, "no shared tile file was written"
    z, x, y = shelter["tile"]
    body = httpx.get(f"{server['url']}/tiles/shelters/{z}/{x}/{y}.mvt").content
    assert body in {f.read_bytes() for f in files}

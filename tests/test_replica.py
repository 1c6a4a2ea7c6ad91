"""Read replica (issue 17): a second local cluster made a streaming replica of the test session's
primary (``pg_basebackup -R`` as the cluster's OS user, its own port). Anonymous reads are served by
it (the ``X-Gisplan-Database`` header, and the replica's own ``pg_stat_activity`` showing the tile
query on a gisplan connection while ``pg_is_in_recovery()``); a planner's write and the read right
after it go to the primary; a replica that is down sends anonymous reads to the primary, and once back
it serves them again."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from gisplan.datasets import set_published
from gisplan.db.cluster import Cluster, ClusterInfo
from gisplan.db.engine import make_engine
from gisplan.db.replica import APPLICATION_NAME, make_replica_engine
from gisplan.features import create_feature
from gisplan.settings import DatabaseSettings
from tests.conftest import BALAKLIIA, auth
from tests.test_tiles import _point_in, tile_of

HEADER = "x-gisplan-database"


@pytest.fixture(scope="module")
def replica(cluster, engine, test_home):
    assert cluster is not None, "the replica test needs the private test cluster (GISPLAN_TEST_DATABASE_URL unset)"
    rep = Cluster(DatabaseSettings(home=test_home / "replica", database_url=None))
    rep.init_replica(cluster)
    rep.start()
    assert rep.is_standby() and rep.info().port != cluster.info().port
    yield rep
    rep.destroy()


@pytest.fixture(scope="module")
def world(engine, cluster, replica):
    """A published Балаклійська shelter, replayed on the replica."""
    lon, lat = _point_in(engine, BALAKLIIA)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'replica-%'"))
        props = {"hromada": BALAKLIIA, "code": "replica-1", "name": "Укриття репліки", "capacity": 30}
        shelter = create_feature(conn, "shelters", props, {"type": "Point", "coordinates": [lon, lat]},
                                 "replica-test")
        set_published(conn, "shelters", BALAKLIIA, True, "replica-test")
    replica.wait_for_replay(cluster)
    return {"id": shelter["id"], "point": (lon, lat)}


@pytest.fixture(scope="module")
def served(engine, replica):
    info = replica.info()
    url = ClusterInfo(info.port, info.password, engine.url.database, info.os_user).url()
    replica_engine = make_replica_engine(url)
    from api.main import create_app

    app = create_app(engine, replica_engine)
    with TestClient(app) as client:
        yield client, app, make_engine(url, poolclass=NullPool)  # the test's own look at the replica
    replica_engine.dispose()


def test_the_replica_is_a_hot_standby_of_the_primary(served, world):
    _, _, watcher = served
    with watcher.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
        assert conn.execute(text("SELECT name FROM shelters WHERE id = :i"), {"i": world["id"]}).scalar() \
            == "Укриття репліки"


def test_anonymous_reads_are_served_by_the_replica(served, world):
    client, app, watcher = served
    z = 12
    x, y = tile_of(*world["point"], z)
    before = app.state.db_router.replica_statements if hasattr(app.state, "db_router") else 0
    tile = client.get(f"/tiles/shelters/{z}/{x}/{y}.mvt")
    assert tile.status_code == 200, tile.text
    assert tile.headers[HEADER] == "replica"
    router = app.state.db_router
    assert router.replica_statements > before  # the tile's queries ran on the replica's engine …
    # … whose connections are there, named, on a server in recovery
    with watcher.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
        assert conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a "
                                 "AND datname = current_database()"), {"a": APPLICATION_NAME}).scalar() >= 1

    wfs = "/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=shelters&COUNT=2"
    for path in ("/ogcapi/collections/shelters/items?limit=5", f"/ogcapi/collections/shelters/items/{world['id']}",
                 f"/{BALAKLIIA}/ogcapi/collections", wfs, f"/{BALAKLIIA}/shelters"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert r.headers[HEADER] == "replica", path


def test_a_planners_write_and_next_read_go_to_the_primary(served, world, make_user, engine):
    client, _, _ = served
    _, _, token = make_user("planner", (BALAKLIIA,))
    fid = world["id"]
    mine = client.get(f"/api/layers/shelters/features/{fid}", headers=auth(token))
    assert mine.headers[HEADER] == "primary"
    version = mine.json()["properties"]["version"]
    r = client.patch(f"/api/layers/shelters/features/{fid}", headers=auth(token),
                     json={"version": version, "properties": {"capacity": 31}})
    assert r.status_code == 200, r.text
    after = client.get(f"/api/layers/shelters/features/{fid}", headers=auth(token))
    assert after.headers[HEADER] == "primary"
    assert after.json()["properties"]["capacity"] == 31
    assert after.json()["properties"]["version"] == version + 1
    # a signed-in read of a public service: the primary as well
    assert client.get(f"/ogcapi/collections/shelters/items/{fid}", headers=auth(token)).headers[HEADER] == "primary"


def test_replication_brings_the_edit_to_anonymous_readers(served, world, cluster, replica):
    client, _, _ = served
    replica.wait_for_replay(cluster)
    r = client.get(f"/ogcapi/collections/shelters/items/{world['id']}")
    assert r.headers[HEADER] == "replica"
    assert r.json()["properties"]["capacity"] == 31


def test_a_replica_that_is_down_sends_anonymous_reads_to_the_primary(served, world, replica):
    client, app, _ = served
    path = f"/ogcapi/collections/shelters/items/{world['id']}"
    assert client.get(path).headers[HEADER] == "replica"
    replica.stop("fast")
    try:
        first = client.get(path)
        # probed recently and thought up: the lost connection is a 503 to retry; else the primary answered
        if first.status_code == 503:
            assert first.headers["retry-after"] == "1"
        else:
            assert (first.status_code, first.headers[HEADER]) == (200, "primary")
        for _ in range(3):
            r = client.get(path)
            assert r.status_code == 200, r.text
            assert r.headers[HEADER] == "primary"
            assert r.json()["properties"]["capacity"] == 31
        assert client.get("/healthz").json()["replica"] == "down"
    finally:
        replica.start()
    time.sleep(app.state.db_router.check_seconds + 0.2)  # the next probe finds it back
    r = client.get(path)
    assert (r.status_code, r.headers[HEADER]) == (200, "replica")
    assert client.get("/healthz").json()["replica"] == "up"

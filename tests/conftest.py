"""The test session runs against a real PostGIS, started once by the same code as `gisplan db start`.

Without ``GISPLAN_TEST_DATABASE_URL`` a private cluster is created in a temporary directory (under
/tmp, reachable by the cluster's OS user when the tests run as root) and removed at the end. The
schema is migrated and the codifier and громада boundaries are loaded once.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the whole session's anonymous requests come from one client address: no per-address rate limit
# (tests/test_security.py installs its own)
os.environ.setdefault("GISPLAN_RATE_LIMIT_PER_MINUTE", "0")
BALAKLIIA = "UA63040010000010092"
KHMILNYK = "UA05120170000013778"
KREMENCHUK = "UA53020110000092487"


@pytest.fixture(scope="session")
def test_home():
    home = Path(tempfile.mkdtemp(prefix="gisplan-test-", dir="/tmp"))
    os.chmod(home, 0o755)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster(test_home):
    """The private cluster of the test session (None when an external test database is given)."""
    if os.environ.get("GISPLAN_TEST_DATABASE_URL"):
        yield None
        return
    from gisplan.db.cluster import Cluster
    from gisplan.settings import DatabaseSettings

    c = Cluster(DatabaseSettings(home=test_home / "cluster", database_url=None))
    c.start()
    yield c
    c.destroy()


@pytest.fixture(scope="session")
def database_url(cluster, test_home):
    url = os.environ.get("GISPLAN_TEST_DATABASE_URL") or cluster.create_database("gisplan_test")
    # the tile files shared by worker processes (issue 17) of this session: in its own directory
    os.environ.setdefault("GISPLAN_TILES_CACHE_DIR", str(test_home / "tile-cache"))
    from gisplan.settings import DatabaseSettings

    url = DatabaseSettings(database_url=url).database_url
    old = os.environ.get("GISPLAN_DATABASE_URL")
    os.environ["GISPLAN_DATABASE_URL"] = url  # CLI subprocesses and get_engine() use it
    from gisplan.settings import clear_caches

    clear_caches()
    yield url
    if old is None:
        os.environ.pop("GISPLAN_DATABASE_URL", None)
    else:
        os.environ["GISPLAN_DATABASE_URL"] = old
    clear_caches()


@pytest.fixture(scope="session")
def engine(database_url):
    """A migrated database with the КАТОТТГ codifier and all громада boundaries loaded."""
    from gisplan.boundaries import load_boundaries
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import path_settings
    from gisplan.territory import load_codifier

    eng = make_engine(database_url)
    upgrade(eng)
    data = path_settings().data_dir
    with eng.begin() as conn:
        load_codifier(conn, data / "katottg" / "kodifikator-16-05-2025.csv")
    with eng.begin() as conn:
        load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(engine):
    from api.main import create_app

    return create_app(engine)


@pytest.fixture()
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def make_user(engine):
    """make_user(role, hromady) -> (username, password, bearer token)."""
    from gisplan.accounts import add_user, issue_token

    def make(role: str = "planner", hromady: tuple[str, ...] = (BALAKLIIA,)):
        name = f"{role}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        with engine.begin() as conn:
            user = add_user(conn, name, password, role, list(hromady))
            token = issue_token(conn, user, "api", name="tests")
        return name, password, token

    return make


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}

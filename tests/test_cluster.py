"""The private cluster: created as an unprivileged user, restarts after kill -9, clear errors."""

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gisplan.db.cluster import Cluster
from gisplan.errors import DatabaseError, MissingDependency
from gisplan.settings import DatabaseSettings, default_home


@pytest.fixture()
def own_cluster(test_home):
    c = Cluster(DatabaseSettings(home=test_home / f"own-{os.getpid()}-{time.monotonic_ns()}", database_url=None))
    yield c
    c.destroy()


def _query(c: Cluster, sql: str):
    return c._sql(c.info(), c.info().database, sql)


@pytest.mark.slow
def test_restart_after_kill_9(own_cluster):
    c = own_cluster
    c.start()
    _query(c, "CREATE TABLE survivor AS SELECT 42 AS answer")
    # a backend that stays connected: it becomes an orphan when the postmaster is killed
    import psycopg

    info = c.info()
    orphan_conn = psycopg.connect(host="127.0.0.1", port=info.port, user="gisplan",
                                  password=info.password, dbname=info.database)
    os.kill(c.server_pid(), signal.SIGKILL)
    time.sleep(0.3)
    assert not c.running()
    assert (c.datadir / "postmaster.pid").exists()  # stale
    c.start()
    assert c.running()
    assert _query(c, "SELECT answer FROM survivor") == 42
    orphan_conn.close()


@pytest.mark.slow
def test_new_port_when_taken(own_cluster):
    c = own_cluster
    c.start()
    c.stop()
    port = c.info().port
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        c.start()
        assert c.info().port != port
        assert c.running()


@pytest.mark.slow
def test_loopback_only_and_unprivileged(own_cluster):
    c = own_cluster
    c.start()
    assert _query(c, "SHOW listen_addresses") == "127.0.0.1"
    owner = pwd.getpwuid(c.datadir.stat().st_uid).pw_name
    if os.geteuid() == 0:
        assert owner == c.settings.db_os_user
        assert pwd.getpwuid(Path(f"/proc/{c.server_pid()}").stat().st_uid).pw_name == owner
    else:
        assert owner == pwd.getpwuid(os.geteuid()).pw_name
    assert oct(c.statefile.stat().st_mode & 0o777) == "0o600"


@pytest.mark.slow
def test_byte_order_collation_with_ukrainian_letters(own_cluster):
    """Collation C (fast comparisons) orders as code points, like Python; case mapping of Ukrainian
    letters still works (ctype C.UTF-8)."""
    c = own_cluster
    c.start()
    assert _query(c, "SELECT datcollate || '|' || datctype FROM pg_database WHERE datname = current_database()") \
        == "C|C.UTF-8"
    words = ["їжак", "Ґудзик", "ясен", "ірис", "єнот", "абрикос", "Яблуко", "ґанок", "Іван"]
    values = ", ".join(f"('{w}')" for w in words)
    ordered = _query(c, f"SELECT string_agg(w, ',' ORDER BY w) FROM (VALUES {values}) v(w)")
    assert ordered.split(",") == sorted(words)
    assert _query(c, "SELECT upper('ґанок їжак єнот і') || lower('ҐЇЄІ')") == "ҐАНОК ЇЖАК ЄНОТ Іґїєі"
    assert _query(c, "SELECT 'ЇЖАК' ILIKE 'їж%'") is True


def test_missing_server_binaries(tmp_path):
    c = Cluster(DatabaseSettings(home=tmp_path / "c", pg_bindir=tmp_path / "nowhere", database_url=None))
    with pytest.raises(MissingDependency, match="PostgreSQL server not found in .*apt-get install postgresql-15"):
        c.start()


@pytest.mark.skipif(os.geteuid() != 0, reason="the /root reachability rule applies when run as root")
def test_home_unreachable_by_cluster_user_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    c = Cluster(DatabaseSettings(home=locked / "home", database_url=None))
    with pytest.raises(DatabaseError, match="is not reachable by OS user 'gisplan'.*set GISPLAN_HOME"):
        c.start()


def test_default_home_is_reachable_as_root():
    home = default_home()
    if os.geteuid() == 0:
        assert str(home).startswith("/var/lib/gisplan/")
    else:
        assert home.name == ".gisplan" or "gisplan" in str(home)


def test_stopped_database_one_line(test_home):
    """`gisplan db status` on a stopped private cluster: one line that says what to do."""
    home = test_home / "stopped"
    c = Cluster(DatabaseSettings(home=home, database_url=None))
    c.init()
    env = {k: v for k, v in os.environ.items() if k != "GISPLAN_DATABASE_URL"}
    env["GISPLAN_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-m", "gisplan", "db", "status"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "is stopped: run `gisplan db start`" in proc.stderr

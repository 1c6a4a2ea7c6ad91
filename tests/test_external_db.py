"""Another PostGIS through GISPLAN_DATABASE_URL, and the one-line errors of a bad setup."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli_inprocess import gisplan as gisplan_here

ROOT = Path(__file__).resolve().parents[1]


def gisplan(*args, env=None):
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "gisplan", *args], capture_output=True, text=True,
                          env=full, cwd=ROOT)


def _admin(database_url: str, dbname: str = "postgres"):
    u = make_url(database_url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=dbname, autocommit=True)


@pytest.mark.slow
def test_external_database_url(database_url, engine):
    """Migrate and use a second database given only by GISPLAN_DATABASE_URL (postgres:// form too)."""
    u = make_url(database_url)
    with _admin(database_url) as conn:
        conn.execute("DROP DATABASE IF EXISTS gisplan_external")
        conn.execute("CREATE DATABASE gisplan_external")
    url = f"postgres://{u.username}:{u.password}@{u.host}:{u.port}/gisplan_external"
    env = {"GISPLAN_DATABASE_URL": url}
    # in this process, through the same entry function (tests/cli_inprocess.py); the one-line errors
    # below start a process each
    started = gisplan_here("db", "start", env=env)
    assert started.returncode == 0, started.stderr
    assert "external database" in started.stdout and "nothing to start" in started.stdout
    up = gisplan_here("db", "upgrade", env=env)
    assert up.returncode == 0, up.stderr
    status = gisplan_here("db", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "schema up to date" in status.stdout and "***" in status.stdout  # password hidden
    assert u.password not in status.stdout
    with _admin(database_url, "gisplan_external") as conn:
        assert conn.execute("SELECT count(*) FROM pub.shelters").fetchone()[0] == 0


def test_database_down_is_one_line():
    r = gisplan("db", "status", env={"GISPLAN_DATABASE_URL": "postgresql://x:y@127.0.0.1:9/none"})
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("gisplan: error: cannot connect to postgresql+psycopg://x:***@127.0.0.1:9/none")
    assert "gisplan db start" in r.stderr


def test_database_without_postgis_is_one_line(database_url, engine):
    """A role that may not create extensions, on a database without PostGIS."""
    with _admin(database_url) as conn:
        conn.execute("DROP DATABASE IF EXISTS gisplan_nogis")
        conn.execute("DROP ROLE IF EXISTS plain_user")
        conn.execute("CREATE ROLE plain_user LOGIN PASSWORD 'plain-pass'")
        conn.execute("CREATE DATABASE gisplan_nogis OWNER plain_user")
    u = make_url(database_url)
    url = f"postgresql://plain_user:plain-pass@{u.host}:{u.port}/gisplan_nogis"
    r = gisplan("db", "status", env={"GISPLAN_DATABASE_URL": url})
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1, r.stderr
    assert "lacks the postgis extension" in r.stderr and "CREATE EXTENSION postgis" in r.stderr


def test_missing_python_package_is_one_line():
    code = ("import sys; sys.modules['argon2'] = None; sys.argv = ['gisplan', 'user', 'list'];"
            "from gisplan.cli import main; main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1
    assert r.stderr.strip() == ("gisplan: error: missing Python package 'argon2': run `make run` "
                                "(or `.venv/bin/pip install -e .`)")


def test_missing_debian_package_prints_the_apt_command(tmp_path):
    """`make` as an ordinary user cannot apt-get: it prints the command and stops."""
    if os.geteuid() == 0:
        runner = ["runuser", "-u", "nobody", "--"]
        os.chmod(tmp_path, 0o755)
    else:
        runner = []
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    r = subprocess.run([*runner, "make", "-s", "system-deps", "APT_PACKAGES=gisplan-no-such-package"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0
    assert "missing Debian packages: gisplan-no-such-package" in r.stdout
    assert "apt-get install -y gisplan-no-such-package" in r.stdout


def test_compose_file_is_valid():
    r = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    cfg = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
                         capture_output=True, text=True, cwd=ROOT).stdout
    assert "GISPLAN_DATABASE_URL: postgresql://gisplan:" in cfg and "postgis/postgis" in cfg

"""Issue 16: `gisplan db backup --out FILE` and `gisplan db restore FILE` (pg_dump custom format).

The test database (codifier, boundaries, a feature with its history, an account) is backed up by
the command line, restored into a fresh database, and every table is compared row by row (count
and a digest of the sorted rows), with the views and the sequences' positions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import subprocess
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from gisplan import features as feats
from gisplan.db.engine import make_engine
from tests.cli_inprocess import gisplan
from tests.conftest import KHMILNYK

TABLES = text("""
    SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2""")
VIEWS = text("""
    SELECT table_schema || '.' || table_name FROM information_schema.views
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1""")
SEQUENCES = text("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences ORDER BY 1")


def gisplan_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    """`gisplan …` against the database ``url``, in this process (tests/cli_inprocess.py: the same entry
    function, errors and exit codes; pg_dump and pg_restore still run as their own processes)."""
    return gisplan(*args, env={"GISPLAN_DATABASE_URL": url})


def snapshot(engine) -> dict:
    """Every table's row count and a digest of its sorted rows; the views; the sequences."""
    out = {}
    with engine.connect() as conn:
        for schema, table in conn.execute(TABLES).all():
            q = text(f'SELECT count(*), md5(coalesce(string_agg(h, \'\' ORDER BY h), \'\')) '
                     f'FROM (SELECT md5(t::text) AS h FROM "{schema}"."{table}" t) r')
            out[f"{schema}.{table}"] = tuple(conn.execute(q).one())
        out["views"] = tuple(conn.execute(VIEWS).scalars())
        out["sequences"] = tuple(map(tuple, conn.execute(SEQUENCES).all()))
    return out


@pytest.fixture(scope="module")
def fresh_url(engine, cluster):
    """A new, empty database beside the test database."""
    name = f"gisplan_restore_{secrets.token_hex(3)}"
    if cluster is not None:
        url = cluster.create_database(name, postgis=False)
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = engine.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_backup_and_restore_round_trip(engine, database_url, fresh_url, tmp_path):
    with engine.begin() as conn:
        created = feats.create_feature(conn, "shelters", {"name": "Укриття для резервної копії", "capacity": 30},
                                       {"type": "Point", "coordinates": [27.844, 49.557]}, "backup-test")
        feats.update_feature(conn, "shelters", created["id"], 1, {"capacity": 35}, None, "backup-test")
    dump = tmp_path / "gisplan.dump"
    made = gisplan_cli(database_url, "db", "backup", "--out", str(dump))
    assert made.returncode == 0, made.stderr
    assert "backed up to" in made.stdout and dump.read_bytes()[:5] == b"PGDMP"

    restored = gisplan_cli(fresh_url, "db", "restore", str(dump))
    assert restored.returncode == 0, restored.stderr
    target = make_engine(fresh_url)
    try:
        before, after = snapshot(engine), snapshot(target)
        assert before["public.shelters"][0] >= 1 and before["public.territory"][0] > 1000
        assert set(after) == set(before)
        differ = sorted(k for k in before if before[k] != after[k])
        assert differ == [], f"tables that differ after the restore: {differ}"

        # a restore over a changed database brings it back: one transaction, the whole file
        with target.begin() as conn:
            conn.execute(text("UPDATE shelters SET capacity = 1 WHERE id = :id"), {"id": created["id"]})
            conn.execute(text("UPDATE territory SET name = 'змінено' WHERE code = :c"), {"c": KHMILNYK})
        assert snapshot(target) != before
        again = gisplan_cli(fresh_url, "db", "restore", str(dump))
        assert again.returncode == 0, again.stderr
        assert snapshot(target) == before
    finally:
        target.dispose()


def test_bad_files_are_refused_in_one_line(database_url, tmp_path):
    missing = gisplan_cli(database_url, "db", "restore", str(tmp_path / "none.dump"))
    assert missing.returncode != 0
    assert "no backup file" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")
    refused = gisplan_cli(database_url, "db", "restore", str(junk))
    assert refused.returncode != 0 and "not a pg_dump custom-format backup" in refused.stderr
    into_dir = gisplan_cli(database_url, "db", "backup", "--out", str(tmp_path))
    assert into_dir.returncode != 0 and "--out" in into_dir.stderr and "directory" in into_dir.stderr


# ------------------------------------------------ gisplan backup / restore: database + rasters + settings
def test_full_backup_carries_rasters_and_settings(engine, database_url, fresh_url, tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    from gisplan.rasters.registry import register

    source = tmp_path / "signal.tif"
    with rasterio.open(source, "w", driver="GTiff", width=4, height=4, count=1, dtype="float64",
                       crs="EPSG:3035", transform=from_origin(5_300_000, 3_100_000, 100, 100)) as dst:
        dst.write(np.arange(16, dtype="float64").reshape(4, 4) - 110, 1)
    with engine.begin() as conn:
        row = register(conn, source, "mobile_signal", dt.date(2026, 5, 1), source="backup test",
                       directory=tmp_path / "store-a")
    try:
        bundle = tmp_path / "gisplan-backup.tar"
        env_a = {"GISPLAN_RASTER_DIR": str(tmp_path / "store-a")}
        made = gisplan_cli_env(database_url, env_a, "backup", "--out", str(bundle))
        assert made.returncode == 0, made.stderr
        with tarfile.open(bundle) as tar:
            names = set(tar.getnames())
            settings = json.load(tar.extractfile("settings.json"))
        assert {"manifest.json", "database.dump", "settings.json"} <= names
        assert any(n.startswith("rasters/") and n.endswith(Path(row["path"]).name) for n in names)
        assert all(v in (None, "***") for k, v in settings.items() if "PASSWORD" in k)
        assert "***@" in settings["GISPLAN_DATABASE_URL"] or settings["GISPLAN_DATABASE_URL"] is None

        # a damaged bundle is refused before anything changes
        damaged = tmp_path / "damaged.tar"
        with tarfile.open(bundle) as src, tarfile.open(damaged, "w") as dst:
            for m in src.getmembers():
                data = src.extractfile(m).read()
                if m.name.startswith("rasters/"):
                    data = data[:-1] + bytes([data[-1] ^ 1])
                dst.addfile(m, io.BytesIO(data))
        before_fresh = snapshot(make_engine(fresh_url))
        refused = gisplan_cli_env(fresh_url, {"GISPLAN_RASTER_DIR": str(tmp_path / "store-b")}, "restore", str(damaged))
        assert refused.returncode != 0 and "damaged" in refused.stderr, refused.stderr
        assert snapshot(make_engine(fresh_url)) == before_fresh
        assert not (tmp_path / "store-b").exists()

        restored = gisplan_cli_env(fresh_url, {"GISPLAN_RASTER_DIR": str(tmp_path / "store-b")}, "restore", str(bundle))
        assert restored.returncode == 0, restored.stderr
        assert "1 raster file(s) restored" in restored.stdout
        assert "GISPLAN_RASTER_DIR" in restored.stdout  # the settings that differ are named
        target = make_engine(fresh_url)
        try:
            before, after = snapshot(engine), snapshot(target)
            differ = sorted(k for k in before if before[k] != after[k])
            assert differ == ["public.raster_dataset"], differ  # only the raster paths moved
            with target.connect() as conn:
                new_path = conn.execute(text("SELECT path FROM raster_dataset WHERE id = :id"),
                                        {"id": row["id"]}).scalar_one()
            assert new_path.startswith(str(tmp_path / "store-b"))
            assert Path(new_path).read_bytes() == Path(row["path"]).read_bytes()
        finally:
            target.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM raster_dataset WHERE id = :id"), {"id": row["id"]})


def gisplan_cli_env(url: str, extra: dict, *args: str) -> subprocess.CompletedProcess:
    return gisplan(*args, env={"GISPLAN_DATABASE_URL": url, **extra})

"""Exports, and round trips: every format brings back the same features and attributes, less what
``docs/formats.md`` says the format loses.

The data are the real shelters of Полтавська міська громада (from the shared Poltava-oblast file),
with typed attributes added so that every kind of column travels. A round trip re-imports the
exported file as an upsert by id (dry run): the database's own "unchanged row" rule then proves that
every stored value came back identical.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from sqlalchemy import text

from gisplan.datasets import set_published
from gisplan.ingest import ImportOptions, IngestError, import_file
from gisplan.ingest import crs as ingest_crs
from gisplan.ingest.export import ExportOptions, export_layer
from tests.conftest import ROOT

POLTAVA = "UA53080370000025447"
SOURCE = "t-export-poltava"
KINDS = ["сховище", "ПРУ", "найпростіше укриття", None]


@pytest.fixture(scope="module")
def poltava(engine, tmp_path_factory):
    """The real shelters that lie in Полтавська громада, with typed attributes; loaded once."""
    with engine.connect() as c:
        boundary = shapely.from_wkt(c.execute(text("SELECT ST_AsText(geom) FROM hromady WHERE hromada = :h"),
                                              {"h": POLTAVA}).scalar_one())
    gdf = pyogrio.read_dataframe(ROOT / "data" / "shelters" / "poltava_oblast_shelters_2022.geojson")
    gdf = gdf[gdf.geometry.within(boundary)].reset_index(drop=True)
    n = len(gdf)
    gdf["code"] = [f"P-{i:04d}" for i in range(n)]
    gdf["kind"] = [KINDS[i % 4] for i in range(n)]
    gdf["capacity"] = [None if i % 7 == 0 else 25 * i for i in range(n)]
    gdf["area_m2"] = [12.5 * (i % 9) if i % 5 else None for i in range(n)]
    gdf["accessible"] = [None if i % 3 == 0 else bool(i % 2) for i in range(n)]
    gdf["last_verified"] = [None if i % 4 == 0 else (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat()
                            for i in range(n)]
    gdf["installed_at"] = [None if i % 2 else "2001-05-0%d" % (1 + i % 9) for i in range(n)]
    path = tmp_path_factory.mktemp("poltava") / "poltava_shelters.geojson"
    pyogrio.write_dataframe(gdf.rename(columns={"description": "notes", "folder": "address"}), path)
    rep = import_file(engine, "shelters", path, ImportOptions(hromada=POLTAVA, source=SOURCE), user="test-export")
    assert rep.inserted == n > 100
    return n


def export(engine, tmp_path, fmt, **kw):
    kw.setdefault("hromada", POLTAVA)
    kw.setdefault("public", False)
    suffix = {"shp": "zip"}.get(fmt, fmt)
    with engine.connect() as c:
        return export_layer(c, "shelters", tmp_path / f"out.{suffix}", ExportOptions(format=fmt, **kw))


def reimport(engine, path, **kw):
    return import_file(engine, "shelters", path, ImportOptions(mode="upsert", key="id", dry_run=True, **kw),
                       user="test-export")


def long_notes(engine) -> int:
    with engine.connect() as c:
        return c.execute(text("SELECT count(*) FROM shelters WHERE hromada = :h AND octet_length(notes) > 254"),
                         {"h": POLTAVA}).scalar_one()


@pytest.mark.parametrize("fmt, extra", [("geojson", {}), ("gpkg", {}), ("csv", {"csv_geometry": "wkt"}),
                                        ("csv", {"csv_geometry": "xy"}), ("kml", {})])
def test_round_trip_is_exact(engine, poltava, tmp_path, fmt, extra):
    result = export(engine, tmp_path, fmt, **extra)
    assert result.features == poltava
    rep = reimport(engine, result.path)
    assert (rep.read, rep.inserted, rep.updated, rep.unchanged, rep.rejected_rows) == (poltava, 0, 0, poltava, 0)
    assert set(rep.ignored_columns) <= {"version", "created_at", "updated_at", "updated_by", "description",
                                        "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
                                        "visibility", "drawOrder", "icon"}


def test_shapefile_round_trip_loses_only_what_formats_md_says(engine, poltava, tmp_path):
    result = export(engine, tmp_path, "shp")
    with zipfile.ZipFile(result.path) as zf:
        names = sorted(zf.namelist())
        assert zf.read("shelters.cpg").decode().strip() == "UTF-8"
    assert names == ["shelters.cpg", "shelters.dbf", "shelters.prj", "shelters.shp", "shelters.shx"]
    fields = pyogrio.read_info(f"/vsizip/{result.path}/shelters.shp")["fields"]
    assert max(len(f) for f in fields) == 10 and "key_holder" in fields and "dual_use_s" in fields
    rep = reimport(engine, result.path)
    cut = long_notes(engine)  # text longer than 254 bytes is cut: those rows come back changed
    assert cut > 0
    assert (rep.inserted, rep.updated, rep.unchanged, rep.rejected_rows) == (0, cut, poltava - cut, 0)
    assert f"Shapefile: {cut} text values longer than 254 bytes were cut" in result.notes
    assert rep.mapping["key_holder"] == "key_holder_phone" and rep.mapping["last_verif"] == "last_verified"


def test_export_in_ucs2000_gauss_kruger(engine, poltava, tmp_path):
    result = export(engine, tmp_path, "gpkg", crs="EPSG:5564")
    assert "UCS-2000 to WGS 84 (2)" in result.transformation
    got = pyogrio.read_dataframe(result.path)
    assert got.crs.to_epsg() == 5564 and len(got) == poltava
    with engine.connect() as c:
        stored = dict(c.execute(text("SELECT id::text, ST_AsText(geom) FROM shelters WHERE hromada = :h"),
                                {"h": POLTAVA}).all())
    pinned = ingest_crs._pinned("EPSG:4326", "EPSG:5564")
    for fid, geom in zip(got["id"][:20], got.geometry[:20]):
        p = shapely.from_wkt(stored[fid])
        x, y = pinned.transform(p.x, p.y)
        assert (geom.x, geom.y) == (pytest.approx(x, abs=1e-6), pytest.approx(y, abs=1e-6))
    rep = reimport(engine, result.path)  # back through the inverse: same places within a millimetre
    assert (rep.inserted, rep.rejected_rows, rep.read) == (0, 0, poltava)
    assert rep.crs.startswith("EPSG:5564")


def test_geojson_is_rfc7946(engine, poltava, tmp_path):
    result = export(engine, tmp_path, "geojson")
    doc = json.loads(result.path.read_text(encoding="utf-8"))
    assert "crs" not in doc and doc["type"] == "FeatureCollection"
    x, y = doc["features"][0]["geometry"]["coordinates"]
    assert len(repr(x).split(".")[1]) <= 7
    other = export(engine, tmp_path / "b", "geojson", crs="EPSG:3857")
    assert "crs" in json.loads(other.path.read_text(encoding="utf-8")) and other.notes


def test_bbox_filter_and_bad_requests(engine, poltava, tmp_path):
    with engine.connect() as c:
        x, y = c.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM shelters WHERE hromada = :h AND code = 'P-0000'"),
                         {"h": POLTAVA}).one()
    small = export(engine, tmp_path, "gpkg", bbox=(x - 1e-6, y - 1e-6, x + 1e-6, y + 1e-6))
    assert small.features >= 1 and small.features < poltava
    with pytest.raises(IngestError, match="KML is always"):
        export(engine, tmp_path, "kml", crs="EPSG:5564")
    with pytest.raises(IngestError, match="points only"):
        with engine.connect() as c:
            export_layer(c, "hromady", tmp_path / "x.csv", ExportOptions(format="csv", csv_geometry="xy"))
    with pytest.raises(IngestError, match="not one of"):
        export(engine, tmp_path, "dxf")


def test_export_route_anonymous_reads_pub_only(client, engine, poltava, tmp_path):
    r = client.get(f"/api/layers/shelters/export?format=geojson&hromada={POLTAVA}")
    assert r.status_code == 200 and r.headers["x-feature-count"] == "0"  # not published yet
    with engine.begin() as c:
        set_published(c, "shelters", POLTAVA, True, user="test-export")
    try:
        r = client.get(f"/api/layers/shelters/export?format=gpkg&hromada={POLTAVA}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/geopackage+sqlite3"
        path = tmp_path / "pub.gpkg"
        path.write_bytes(r.content)
        got = gpd.read_file(path)
        assert len(got) == poltava
        assert {"key_holder_phone", "owner_edrpou", "notes", "balance_holder", "public"}.isdisjoint(got.columns)
        assert {"name", "kind", "capacity", "hromada"} <= set(got.columns)
        r = client.get(f"/api/layers/shelters/export?format=shp&hromada={POLTAVA}&crs=EPSG:6384")
        assert r.status_code == 200 and r.headers["x-crs"] == "EPSG:6384"
        assert r.headers["content-disposition"].endswith('.zip"')
        assert client.get("/api/layers/shelters/export?format=dxf").status_code == 400
        assert client.get("/api/layers/shelters/export?format=kml&crs=EPSG:5564").status_code == 400
    finally:
        with engine.begin() as c:
            set_published(c, "shelters", POLTAVA, False, user="test-export")

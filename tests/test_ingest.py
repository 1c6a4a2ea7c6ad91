"""Imports into PostGIS: the shared real files, and the hard cases made here. Every failing import
must leave the layer as it was and name each rejected row, field and reason.

Rows of these tests live in Poltava-oblast громади nobody else uses (Лубенська, Миргородська,
Гадяцька, Карлівська, Решетилівська) and carry their own ``source``; assertions count only them.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import text

from gisplan.catalog import Catalog, catalog
from gisplan.ingest import ImportOptions, ImportRejected, IngestError, import_file
from gisplan.ingest import crs as ingest_crs
from gisplan.ingest import load as ingest_load
from tests.conftest import ROOT, auth

DATA = ROOT / "data"
LUBNY = "UA53040030000088898"
MYRHOROD = "UA53060230000098362"
HADIACH = "UA53060090000098426"
KARLIVKA = "UA53080110000062015"
RESHETYLIVKA = "UA53080390000027656"


def run(engine, layer, path, **options):
    return import_file(engine, layer, Path(path), ImportOptions(**options), user="test-ingest")


def rejected(engine, layer, path, **options):
    with pytest.raises(ImportRejected) as info:
        run(engine, layer, path, **options)
    return info.value.report


def count(engine, layer, source) -> int:
    with engine.connect() as c:
        return c.execute(text(f'SELECT count(*) FROM "{layer}" WHERE source = :s'), {"s": source}).scalar_one()


def inside(engine, hromada: str, n: int = 1, seed: int = 1) -> list[tuple[float, float]]:
    """``n`` points inside a громада's boundary (lon, lat)."""
    with engine.connect() as c:
        wkt = c.execute(text("SELECT ST_AsText(geom) FROM hromady WHERE hromada = :h"), {"h": hromada}).scalar_one()
    poly = shapely.from_wkt(wkt)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = poly.bounds
    out = []
    inner = poly.buffer(-0.01)
    while len(out) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if inner.contains(shapely.Point(x, y)):
            out.append((round(x, 7), round(y, 7)))
    return out


def frame(rows: list[dict], geoms: list, crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)


def write_csv(path: Path, header: list[str], rows: list[list], encoding="utf-8", delimiter=",") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


# ------------------------------------------------------------------ the shared real files
def test_real_shelters_file_dry_run(engine):
    """1386 Poltava-oblast shelters: every row gets its громада by location; nothing is written."""
    path = DATA / "shelters" / "poltava_oblast_shelters_2022.geojson"
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*) FROM shelters")).scalar_one()
    rep = run(engine, "shelters", path, dry_run=True, mapping={"description": "notes"}, source="t-real-dry")
    assert (rep.status, rep.read, rep.inserted, rep.rejected_rows) == ("dry-run", 1386, 1386, 0)
    assert rep.mapping == {"name": "name", "description": "notes"} and "folder" in rep.ignored_columns
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM shelters")).scalar_one() == before
        log = c.execute(text("SELECT status, rows_read FROM import_log WHERE id = :i"), {"i": rep.import_log_id}).one()
    assert tuple(log) == ("dry-run", 1386)


def test_real_shelters_duplicate_numbers_reject_the_whole_file(engine, tmp_path):
    """The numbers in ``name`` repeat (9 times): as codes they cannot be loaded, and nothing is."""
    path = DATA / "shelters" / "poltava_oblast_shelters_2022.geojson"
    rep = rejected(engine, "shelters", path, mapping={"name": "code"}, source="t-real-dup", report_dir=tmp_path)
    duplicates = [r for r in rep.rejections if r.reason.startswith("duplicate code")]
    assert len(duplicates) == 9 and rep.read == 1386  # (the demo's shelters may add "already exists")
    first = duplicates[0]
    assert (first.row, first.field) == (427, "code")
    assert "duplicate code '60801' in the file (first at row 425)" == first.reason
    assert count(engine, "shelters", "t-real-dup") == 0
    saved = json.loads(Path(rep.files["json"]).read_text(encoding="utf-8"))
    assert saved["status"] == "rejected" and {"row": 427, "field": "code", "reason": first.reason} in saved["rejections"]
    lines = Path(rep.files["csv"]).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("рядок / row") and any(line.startswith("427,code,") for line in lines)


def test_real_nature_sites(engine):
    """Nature-reserve points: their kinds («заказник гідрологічний») are no category of the layer,
    and each is named; with that column left out, all 252 load (dry run)."""
    path = DATA / "tourism_nature" / "pzo-poltavska.geojson"
    mapping = {"Унормована назва": "name", "Реєстраційний номер": "code",
               "Адміністративний статус": "heritage_status"}
    rep = rejected(engine, "tourist_objects", path, mapping={**mapping, "Вид географічного об'єкту": "category"},
                   dry_run=True)
    kinds = [r for r in rep.rejections if r.field == "category"]
    assert kinds[0].reason.startswith("unknown value 'заказник гідрологічний'; expected one of: nature_site")
    # upsert by the registration number: the demo may have loaded some of these sites already
    rep = run(engine, "tourist_objects", path, mapping={**mapping, "Вид географічного об'єкту": "description"},
              mode="upsert", dry_run=True)
    assert (rep.read, rep.inserted + rep.updated + rep.unchanged, rep.rejected_rows) == (252, 252, 0)
    assert rep.crs.startswith("EPSG:4326")


def test_real_settlements_into_the_point_column(engine):
    """Settlements with КАТОТТГ codes: the file's point goes to the extra geometry ``point``; the 35
    settlements OSM could not place have none, and still load."""
    path = DATA / "boundaries" / "target_hromada_settlements_katottg_osm.geojson"
    rep = run(engine, "settlements", path, dry_run=True,
              mapping={"hromada_katottg": "hromada", "hromada": "", "geometry": "point"})
    assert (rep.read, rep.inserted, rep.rejected_rows) == (107, 107, 0)
    assert rep.mapping["category"] == "category" and rep.mapping["katottg"] == "katottg"


# ------------------------------------------------------------------ encodings, CSV, CRS
def test_cp1251_shapefile_without_cpg(engine, tmp_path):
    pts = inside(engine, LUBNY, 2)
    names = ["Укриття при школі № 3", "Підвал житлового будинку, вул. Шевченка"]
    gdf = frame([{"Назва": n, "Місткість": 50 + i} for i, n in enumerate(names)], [shapely.Point(p) for p in pts])
    shp = tmp_path / "ukryttia.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="cp1251")
    shp.with_suffix(".cpg").unlink()
    archive = tmp_path / "ukryttia.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("ukryttia.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    rep = run(engine, "shelters", archive, source="t-cp1251")
    assert rep.inserted == 2 and rep.encoding == "CP1251"
    assert any("detected (no .cpg)" in n for n in rep.notes)
    with engine.connect() as c:
        got = c.execute(text("SELECT name, capacity, hromada FROM shelters WHERE source = 't-cp1251' ORDER BY capacity")).all()
    assert [tuple(r) for r in got] == [(names[0], 50, LUBNY), (names[1], 51, LUBNY)]


def test_csv_with_semicolons_decimal_commas_and_ukrainian_headers(engine, tmp_path):
    (x1, y1), (x2, y2) = inside(engine, LUBNY, 2, seed=2)
    rows = [["Укриття 1", str(y1).replace(".", ","), str(x1).replace(".", ","), "1 200", "ПРУ", "так"],
            ["Укриття 2", str(y2).replace(".", ","), str(x2).replace(".", ","), "80", "найпростіше", "ні"]]
    path = write_csv(tmp_path / "ukryttia.csv", ["Назва", "Широта", "Довгота", "Місткість", "Вид", "Пандус"],
                     rows, encoding="cp1251", delimiter=";")
    rep = run(engine, "shelters", path, source="t-csv", mapping={"Вид": "kind", "Пандус": "accessible"})
    assert rep.inserted == 2 and rep.encoding == "cp1251"
    assert "CSV: encoding cp1251, delimiter ';'" in rep.notes
    with engine.connect() as c:
        got = c.execute(text("SELECT name, capacity, kind, accessible, ST_X(geom), ST_Y(geom) FROM shelters "
                             "WHERE source = 't-csv' ORDER BY name")).all()
    assert [tuple(r[:4]) for r in got] == [("Укриття 1", 1200, "anti_radiation", True),
                                           ("Укриття 2", 80, "simple", False)]
    assert (got[0][4], got[0][5]) == (pytest.approx(x1, abs=1e-9), pytest.approx(y1, abs=1e-9))


def test_web_mercator_input(engine, tmp_path):
    (lon, lat), = inside(engine, LUBNY, 1, seed=3)
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    path = tmp_path / "mercator.gpkg"
    pyogrio.write_dataframe(frame([{"name": "3857"}], [shapely.Point(x, y)], crs="EPSG:3857"), path)
    rep = run(engine, "shelters", path, source="t-3857")
    assert rep.crs.startswith("EPSG:3857") and rep.inserted == 1
    with engine.connect() as c:
        gx, gy = c.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM shelters WHERE source = 't-3857'")).one()
    assert (gx, gy) == (pytest.approx(lon, abs=1e-8), pytest.approx(lat, abs=1e-8))


def test_ucs2000_gauss_kruger_input_uses_the_pinned_transformation(engine, tmp_path):
    (lon, lat), = inside(engine, LUBNY, 1, seed=4)
    pinned = ingest_crs._pinned("EPSG:4326", "EPSG:5564")
    x, y = pinned.transform(lon, lat)
    path = tmp_path / "gk6.geojson"
    pyogrio.write_dataframe(frame([{"name": "ГК зона 6"}], [shapely.Point(x, y)], crs="EPSG:5564"), path)
    rep = run(engine, "shelters", path, source="t-5564")
    assert rep.crs.startswith("EPSG:5564") and "UCS-2000 to WGS 84 (2)" in rep.transformation
    with engine.connect() as c:
        gx, gy = c.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM shelters WHERE source = 't-5564'")).one()
    assert (gx, gy) == (pytest.approx(lon, abs=1e-7), pytest.approx(lat, abs=1e-7))  # 1 cm


def test_swapped_latitude_and_longitude_are_refused(engine, tmp_path):
    pts = inside(engine, LUBNY, 3, seed=5)
    path = write_csv(tmp_path / "swapped.csv", ["name", "lon", "lat"], [[f"s{i}", y, x] for i, (x, y) in enumerate(pts)])
    rep = rejected(engine, "shelters", path, source="t-swap")
    assert rep.rejected_rows == 3 and [r.row for r in rep.rejections] == [2, 3, 4]
    assert all(r.field == "geometry" and "swapped" in r.reason for r in rep.rejections)
    assert count(engine, "shelters", "t-swap") == 0


def test_wrong_gauss_kruger_zone_is_named(engine, tmp_path):
    (lon, lat), = inside(engine, LUBNY, 1, seed=6)
    x, y = ingest_crs._pinned("EPSG:4326", "EPSG:5564").transform(lon, lat)
    path = tmp_path / "zone.gpkg"
    pyogrio.write_dataframe(frame([{"name": "zone"}], [shapely.Point(x, y)], crs="EPSG:5563"), path)
    rep = rejected(engine, "shelters", path, source="t-zone")
    assert "do not fit the file's CRS EPSG:5563" in rep.rejections[0].reason
    assert "EPSG:5564 (UCS-2000 / Gauss-Kruger zone 6)" in rep.rejections[0].reason


# ------------------------------------------------------------------ geometry rules
def _bow_tie(lon: float, lat: float) -> shapely.Polygon:
    d = 0.01
    return shapely.Polygon([(lon, lat), (lon + d, lat + d), (lon + d, lat), (lon, lat + d), (lon, lat)])


def test_bow_tie_is_repaired_and_reported(engine, tmp_path):
    (lon, lat), = inside(engine, MYRHOROD, 1, seed=7)
    path = tmp_path / "okruhy.geojson"
    pyogrio.write_dataframe(frame([{"name": "Округ-метелик"}], [_bow_tie(lon, lat)]), path)
    rep = run(engine, "starosta_districts", path, source="t-bowtie")
    assert rep.inserted == 1 and rep.repair_count == 1
    assert rep.repairs[0].row == 1 and rep.repairs[0].field == "geometry"
    assert "Self-intersection" in rep.repairs[0].reason and "MultiPolygon of 2 part(s)" in rep.repairs[0].reason
    with engine.connect() as c:
        valid, parts = c.execute(text("SELECT ST_IsValid(geom), ST_NumGeometries(geom) FROM starosta_districts "
                                      "WHERE source = 't-bowtie'")).one()
    assert valid and parts == 2


def test_bow_tie_is_rejected_where_the_layer_says_so(engine, tmp_path, monkeypatch):
    cat = catalog()
    strict = cat.get("starosta_districts").model_copy(
        update={"geometry": cat.get("starosta_districts").geometry.model_copy(update={"invalid": "reject"})})
    monkeypatch.setattr(ingest_load, "catalog", lambda: Catalog({**cat.layers, "starosta_districts": strict}))
    (lon, lat), = inside(engine, MYRHOROD, 1, seed=8)
    path = tmp_path / "okruhy.geojson"
    pyogrio.write_dataframe(frame([{"name": "Округ-метелик"}], [_bow_tie(lon, lat)]), path)
    rep = rejected(engine, "starosta_districts", path, source="t-bowtie-strict")
    assert rep.rejections[0].reason.startswith("invalid geometry: Self-intersection")
    assert count(engine, "starosta_districts", "t-bowtie-strict") == 0


def test_empty_geometry_is_rejected(engine, tmp_path):
    (lon, lat), = inside(engine, LUBNY, 1, seed=9)
    path = write_csv(tmp_path / "empty.csv", ["name", "wkt"], [["ok", f"POINT ({lon} {lat})"], ["empty", "POINT EMPTY"]])
    rep = rejected(engine, "shelters", path, source="t-empty")
    assert [(r.row, r.field, r.reason) for r in rep.rejections] == [(3, "geometry", "empty geometry")]


def test_points_from_polygons_only_on_request(engine, tmp_path):
    (lon, lat), = inside(engine, HADIACH, 1, seed=10)
    square = shapely.box(lon, lat, lon + 0.002, lat + 0.002)
    path = tmp_path / "building.geojson"
    pyogrio.write_dataframe(frame([{"name": "будівля"}], [square]), path)
    rep = rejected(engine, "shelters", path, source="t-poly")
    assert "expected Point, got Polygon" in rep.rejections[0].reason and "--points-from-polygons" in rep.rejections[0].reason
    rep = run(engine, "shelters", path, source="t-poly", points_from_polygons=True)
    assert rep.inserted == 1 and rep.points_from_polygons == 1
    with engine.connect() as c:
        assert c.execute(text("SELECT ST_Within(s.geom, ST_GeomFromText(:w, 4326)) FROM shelters s "
                              "WHERE source = 't-poly'"), {"w": square.wkt}).scalar_one()


# ------------------------------------------------------------------ values and keys
def test_unknown_enum_value_is_named(engine, tmp_path):
    pts = inside(engine, LUBNY, 2, seed=11)
    path = tmp_path / "kinds.geojson"
    pyogrio.write_dataframe(frame([{"name": "a", "kind": "ПРУ"}, {"name": "b", "kind": "бункер"}],
                                  [shapely.Point(p) for p in pts]), path)
    rep = rejected(engine, "shelters", path, source="t-enum")
    assert [(r.row, r.field) for r in rep.rejections] == [(2, "kind")]
    assert rep.rejections[0].reason.startswith("unknown value 'бункер'")
    assert count(engine, "shelters", "t-enum") == 0


def test_one_bad_row_among_a_thousand_loads_nothing(engine, tmp_path):
    pts = inside(engine, KARLIVKA, 1000, seed=12)
    rows = [{"code": f"K-{i:04d}", "name": f"Укриття {i}", "capacity": str(10 + i)} for i in range(1000)]
    rows[636]["capacity"] = "багато"
    path = tmp_path / "thousand.geojson"
    pyogrio.write_dataframe(frame(rows, [shapely.Point(p) for p in pts]), path)
    rep = rejected(engine, "shelters", path, source="t-thousand", report_dir=tmp_path / "reports")
    assert (rep.read, rep.rejected_rows) == (1000, 1)
    assert [(r.row, r.field, r.reason) for r in rep.rejections] == [(637, "capacity", "'багато' is not a number")]
    assert count(engine, "shelters", "t-thousand") == 0
    assert "637,capacity" in Path(rep.files["csv"]).read_text(encoding="utf-8-sig")
    with engine.connect() as c:
        log = c.execute(text("SELECT status, rows_read, rows_rejected, rows_loaded, report FROM import_log "
                             "WHERE id = :i"), {"i": rep.import_log_id}).one()
    assert tuple(log[:4]) == ("rejected", 1000, 1, 0) and log.report["rejections"][0]["row"] == 637


def test_upsert_by_code_then_replace(engine, tmp_path):
    pts = inside(engine, RESHETYLIVKA, 4, seed=13)

    def file(name, rows):
        path = tmp_path / name
        pyogrio.write_dataframe(frame([r for r, _ in rows], [shapely.Point(p) for _, p in rows]), path)
        return path

    a, b, c_, d = pts
    first = file("v1.geojson", [({"code": "R1", "name": "один", "capacity": 10}, a),
                                ({"code": "R2", "name": "два", "capacity": 20}, b),
                                ({"code": "R3", "name": "три", "capacity": 30}, c_)])
    assert run(engine, "shelters", first, source="t-upsert").inserted == 3
    again = rejected(engine, "shelters", first, source="t-upsert")  # append twice: codes exist
    assert "already exists in громада" in again.rejections[0].reason and again.rejected_rows == 3
    second = file("v2.geojson", [({"code": "R1", "name": "один", "capacity": 10}, a),
                                 ({"code": "R2", "name": "два", "capacity": 25}, b),
                                 ({"code": "R4", "name": "чотири", "capacity": 40}, d)])
    dry = run(engine, "shelters", second, mode="upsert", dry_run=True, source="t-upsert")
    assert (dry.inserted, dry.updated, dry.unchanged, dry.status) == (1, 1, 1, "dry-run")
    assert count(engine, "shelters", "t-upsert") == 3
    rep = run(engine, "shelters", second, mode="upsert", source="t-upsert")
    assert (rep.inserted, rep.updated, rep.unchanged) == (1, 1, 1)
    with engine.connect() as c:
        cap, version, fid = c.execute(text("SELECT capacity, version, id FROM shelters WHERE code = 'R2' "
                                           "AND hromada = :h"), {"h": RESHETYLIVKA}).one()
        history = c.execute(text("SELECT capacity, operation, changed_by FROM shelters_history WHERE id = :i"),
                            {"i": fid}).all()
    assert (cap, version) == (25, 2) and [tuple(h) for h in history] == [(20, "UPDATE", "test-ingest")]
    rep = run(engine, "shelters", file("v3.geojson", [({"code": "R1", "name": "один", "capacity": 11}, a)]),
              mode="replace", hromada=RESHETYLIVKA, source="t-upsert")
    assert (rep.updated, rep.deleted, rep.inserted) == (1, 3, 0)
    assert count(engine, "shelters", "t-upsert") == 1


def test_duplicate_codes_in_upsert(engine, tmp_path):
    pts = inside(engine, RESHETYLIVKA, 3, seed=14)
    path = tmp_path / "dups.geojson"
    pyogrio.write_dataframe(frame([{"code": "D1", "name": "a"}, {"code": "D2", "name": "b"},
                                   {"code": "D1", "name": "c"}], [shapely.Point(p) for p in pts]), path)
    rep = rejected(engine, "shelters", path, mode="upsert", source="t-dups")
    assert [(r.row, r.field, r.reason) for r in rep.rejections] == [
        (3, "code", "duplicate code 'D1' in the file (first at row 1)")]
    assert count(engine, "shelters", "t-dups") == 0


def test_hromada_given_but_rows_elsewhere(engine, tmp_path):
    (lon, lat), = inside(engine, HADIACH, 1, seed=15)
    path = tmp_path / "elsewhere.geojson"
    pyogrio.write_dataframe(frame([{"name": "not in Lubny"}], [shapely.Point(lon, lat)]), path)
    rep = rejected(engine, "shelters", path, hromada=LUBNY, source="t-elsewhere")
    assert rep.rejections[0].field == "geometry"
    assert f"km outside громада {LUBNY}" in rep.rejections[0].reason and HADIACH in rep.rejections[0].reason


def test_settlement_code_by_location(engine, tmp_path):
    """A point inside a settlement's boundary gets the settlement's КАТОТТГ code."""
    with engine.connect() as c:
        code, name = c.execute(text("SELECT code, name FROM territory WHERE hromada_code = :h AND level = 4 "
                                    "ORDER BY code LIMIT 1"), {"h": MYRHOROD}).one()
    (lon, lat), = inside(engine, MYRHOROD, 1, seed=16)
    boundary = shapely.box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    path = tmp_path / "settlement.geojson"
    pyogrio.write_dataframe(frame([{"katottg": code, "name": name, "category": "село"}], [boundary]), path)
    assert run(engine, "settlements", path, source="t-settlement").inserted == 1
    pts = tmp_path / "points.geojson"
    pyogrio.write_dataframe(frame([{"name": "в селі"}, {"name": "за селом"}],
                                  [shapely.Point(lon, lat), shapely.Point(lon + 0.05, lat + 0.05)]), pts)
    rep = run(engine, "shelters", pts, source="t-by-location")
    assert rep.inserted == 2
    with engine.connect() as c:
        got = dict(c.execute(text("SELECT name, katottg FROM shelters WHERE source = 't-by-location'")).all())
    assert got == {"в селі": code, "за селом": None}


def test_unknown_settlement_of_another_hromada(engine, tmp_path):
    with engine.connect() as c:
        other = c.execute(text("SELECT code FROM territory WHERE hromada_code = :h AND level = 4 LIMIT 1"),
                          {"h": HADIACH}).scalar_one()
    (lon, lat), = inside(engine, LUBNY, 1, seed=17)
    path = tmp_path / "codes.geojson"
    pyogrio.write_dataframe(frame([{"name": "x", "katottg": other}, {"name": "y", "katottg": "UA99999999999999999"}],
                                  [shapely.Point(lon, lat), shapely.Point(lon, lat)]), path)
    rep = rejected(engine, "shelters", path, source="t-codes")
    reasons = {r.row: r.reason for r in rep.rejections}
    assert f"belongs to громада {HADIACH}, not to {LUBNY}" in reasons[1]
    assert reasons[2] == "UA99999999999999999 is not in the КАТОТТГ codifier"


# ------------------------------------------------------------------ archives
def test_truncated_zip_fails_clearly_and_is_logged(engine, tmp_path):
    (lon, lat), = inside(engine, LUBNY, 1, seed=18)
    shp = tmp_path / "a.shp"
    pyogrio.write_dataframe(frame([{"name": "a"}], [shapely.Point(lon, lat)]), shp)
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("a.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 40])
    with pytest.raises(IngestError, match="truncated"):
        run(engine, "shelters", archive, source="t-truncated")
    with engine.connect() as c:
        status = c.execute(text("SELECT status FROM import_log WHERE source = 'a.zip' ORDER BY id DESC LIMIT 1")).scalar_one()
    assert status == "failed"


def test_kmz_from_google_my_maps(engine, tmp_path):
    pts = inside(engine, LUBNY, 2, seed=19)
    kml = tmp_path / "doc.kml"
    pyogrio.write_dataframe(frame([{"Name": "Укриття А", "description": "підвал"}, {"Name": "Укриття Б", "description": ""}],
                                  [shapely.Point(p) for p in pts]), kml, driver="LIBKML")
    kmz = tmp_path / "map.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(kml, "doc.kml")
    rep = run(engine, "shelters", kmz, source="t-kmz", mapping={"description": "notes"})
    assert rep.inserted == 2 and rep.format == "KML"
    with engine.connect() as c:
        got = c.execute(text("SELECT name, notes FROM shelters WHERE source = 't-kmz' ORDER BY name")).all()
    assert [tuple(r) for r in got] == [("Укриття А", "підвал"), ("Укриття Б", None)]


# ------------------------------------------------------------------ the HTTP route
def test_import_route(client, make_user, engine, tmp_path, monkeypatch):
    (lon, lat), = inside(engine, LUBNY, 1, seed=20)
    path = tmp_path / "api.geojson"
    pyogrio.write_dataframe(frame([{"name": "через API", "code": "API-1"}], [shapely.Point(lon, lat)]), path)
    files = {"file": ("api.geojson", path.read_bytes(), "application/geo+json")}
    assert client.post("/api/layers/shelters/import", files=files).status_code == 401
    _, _, other = make_user("planner", (HADIACH,))
    r = client.post("/api/layers/shelters/import", files=files, headers=auth(other))
    assert r.status_code == 403 and r.json()["rejections"][0]["reason"].startswith("you may not change data")
    _, _, token = make_user("planner", (LUBNY,))
    r = client.post("/api/layers/shelters/import", files=files, data={"dry_run": "true"}, headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "dry-run" and r.json()["inserted"] == 1
    r = client.post("/api/layers/shelters/import", files=files, headers=auth(token))
    assert r.status_code == 200 and r.json()["inserted"] == 1
    r = client.post("/api/layers/shelters/import", files=files, headers=auth(token))
    assert r.status_code == 422 and "already exists" in r.json()["rejections"][0]["reason"]
    with engine.connect() as c:
        who = c.execute(text("SELECT updated_by FROM shelters WHERE code = 'API-1' AND hromada = :h"),
                        {"h": LUBNY}).scalar_one()
    assert who.startswith("planner-")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../evil.shp", b"x")
    r = client.post("/api/layers/shelters/import", files={"file": ("evil.zip", evil.read_bytes())}, headers=auth(token))
    assert r.status_code == 400 and "outside the archive" in r.json()["detail"]
    monkeypatch.setattr("api.routes.transfer._limit_bytes", lambda: 100)
    r = client.post("/api/layers/shelters/import", files=files, headers=auth(token))
    assert r.status_code == 413

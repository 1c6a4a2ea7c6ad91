"""Ingest building blocks without a database: CRS (the pinned УСК-2000 transformation, swap and
CRS diagnosis), value conversion, column mapping, encodings and archive checks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from pyproj.transformer import TransformerGroup

from gisplan.catalog import catalog
from gisplan.ingest import crs, encoding, safezip, values
from gisplan.ingest.errors import IngestError
from gisplan.ingest.mapping import build_mapping, parse_map, shapefile_names
from gisplan.ingest.read import find_csv_geometry, parse_coordinate

KYIV_LONLAT = (30.5234, 50.4501)
KYIV_5564 = (6324225.8, 5593953.9)


# ------------------------------------------------------------------ CRS
def test_kyiv_point_through_the_pinned_transformation():
    r = crs.reprojection(crs.parse_crs("EPSG:5564"))
    assert crs.PINNED_UCS2000 in r.operation and "(1)" not in r.operation
    lon, lat = r.points_forward(np.array([KYIV_5564[0]]), np.array([KYIV_5564[1]]))
    assert lon[0] == pytest.approx(KYIV_LONLAT[0], abs=1e-6)
    assert lat[0] == pytest.approx(KYIV_LONLAT[1], abs=1e-6)
    back = crs.from_wgs84(np.array([shapely.Point(KYIV_LONLAT)]), 5564)[0]
    assert (back.x, back.y) == (pytest.approx(KYIV_5564[0], abs=0.1), pytest.approx(KYIV_5564[1], abs=0.1))
    assert crs.PINNED_UCS2000 in crs.export_operation(5564)


def test_the_pinned_operation_is_not_the_5_m_one():
    """(1) and (2) differ by metres: the one used gives (2)'s answer, whatever PROJ would choose."""
    group = TransformerGroup("EPSG:5561", "EPSG:4326", always_xy=True)
    by_name = {("(2)" if "(2)" in t.description else "(1)"): t for t in group.transformers}
    p2 = by_name["(2)"].transform(*KYIV_LONLAT)
    p1 = by_name["(1)"].transform(*KYIV_LONLAT)
    ours = crs.reprojection(crs.parse_crs("EPSG:5561")).points_forward(np.array([KYIV_LONLAT[0]]),
                                                                         np.array([KYIV_LONLAT[1]]))
    assert abs(p1[0] - p2[0]) > 1e-6  # the two really differ
    assert ours[0][0] == pytest.approx(p2[0], abs=1e-12) and ours[1][0] == pytest.approx(p2[1], abs=1e-12)


@pytest.mark.parametrize("code", [5561, *range(5562, 5570), *range(6381, 6388)])
def test_every_ucs2000_crs_uses_the_pinned_operation(code):
    r = crs.reprojection(crs.parse_crs(f"EPSG:{code}"))
    assert crs.PINNED_UCS2000 in r.operation, r.operation


@pytest.mark.parametrize("given", ["EPSG:4326", "CRS:84", "OGC:CRS84", "4326", "EPSG:3857", "EPSG:32636"])
def test_accepted_crs(given):
    r = crs.reprojection(crs.parse_crs(given))
    assert r.label.startswith("EPSG:")


def test_unknown_crs_is_refused():
    with pytest.raises(IngestError, match="not a coordinate reference system"):
        crs.parse_crs("EPSG:999999")


def _diagnose(x, y, declared="EPSG:4326"):
    return crs.diagnose(np.array([x], float), np.array([y], float), crs.reprojection(crs.parse_crs(declared)))[0]


def test_swapped_latitude_longitude_is_named():
    assert "swapped" in _diagnose(50.4501, 30.5234)


def test_web_mercator_declared_as_degrees_is_named():
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(*KYIV_LONLAT)
    assert "EPSG:3857" in _diagnose(x, y)


def test_gauss_kruger_zone_is_named():
    assert "EPSG:5564" in _diagnose(*KYIV_5564)
    assert "northing and easting swapped" in _diagnose(KYIV_5564[1], KYIV_5564[0])


def test_wrong_zone_is_named():
    why = _diagnose(*KYIV_5564, declared="EPSG:5563")
    assert "do not fit the file's CRS EPSG:5563" in why and "EPSG:5564" in why


def test_degrees_declared_as_metres_are_named():
    assert "look like degrees" in _diagnose(*KYIV_LONLAT, declared="EPSG:5564")


def test_nonsense_is_named_as_such():
    assert "fits no usual CRS" in _diagnose(-70.0, -10.0)


# ------------------------------------------------------------------ values
@pytest.mark.parametrize("text, number", [("49,5500206", 49.5500206), ("1 234,5", 1234.5), (" 12.5 ", 12.5),
                                          ("1\u00a0000", 1000.0), ("-3", -3.0)])
def test_numbers_with_decimal_comma(text, number):
    assert values.to_number(text) == number


def test_bad_values_give_reasons():
    with pytest.raises(values.Invalid, match="not a number"):
        values.to_number("12,5,6")
    with pytest.raises(values.Invalid, match="whole number"):
        values.to_integer("2,5")
    with pytest.raises(values.Invalid, match="yes/no"):
        values.to_boolean("можливо")
    with pytest.raises(values.Invalid, match="КАТОТТГ"):
        values.to_katottg("UA123")
    with pytest.raises(values.Invalid, match="not a date"):
        values.to_date("31.02.2024")


def test_dates_booleans_lists():
    assert values.to_date("05.03.2024") == dt.date(2024, 3, 5)
    assert values.to_date("2024/03/05") == dt.date(2024, 3, 5)
    assert values.to_date("2024-03-05T10:00:00") == dt.date(2024, 3, 5)
    assert [values.to_boolean(w) for w in ("так", "Ні", "1", "false", None)] == [True, False, True, False, None]
    assert values.to_text_list('["a", "b"]') == ["a", "b"]
    assert values.to_text_list("a; b") == ["a", "b"]
    assert values.to_integer_list("[1, 2]") == [1, 2]


def test_enum_by_ukrainian_label_and_synonym():
    kind = catalog().get("shelters").fields["kind"]
    convert = values.field_converter(kind, "kind")
    assert convert("ПРУ") == "anti_radiation"
    assert convert("Найпростіше укриття") == "simple"
    assert convert("blast_shelter") == "blast_shelter"
    with pytest.raises(values.Invalid, match="unknown value 'бункер'.*anti_radiation"):
        convert("бункер")


def test_min_and_url_checks():
    layer = catalog().get("shelters")
    with pytest.raises(values.Invalid, match="less than the minimum 0"):
        values.field_converter(layer.fields["capacity"], "capacity")("-5")
    url = catalog().get("tourist_objects").fields["website"]
    with pytest.raises(values.Invalid, match="web address"):
        values.field_converter(url, "website")("www example")


def test_coordinates_in_dms_and_decimal_comma():
    assert parse_coordinate("49,5") == 49.5
    assert parse_coordinate("N 49°18'48\"") == pytest.approx(49.313333, abs=1e-6)
    assert parse_coordinate("E 33°42'13\"") == pytest.approx(33.703611, abs=1e-6)
    assert parse_coordinate("") is None
    with pytest.raises(ValueError, match="not a coordinate"):
        parse_coordinate("північ")


# ------------------------------------------------------------------ mapping
def test_mapping_by_name_label_synonym_and_explicit():
    layer = catalog().get("shelters")
    m = build_mapping(["Назва", "Місткість", "Вид захисної споруди", "код", "id", "version", "folder", "Опис"],
                      layer, parse_map(["Опис=notes"]))
    assert m.columns == {"Назва": "name", "Місткість": "capacity", "Вид захисної споруди": "kind",
                         "код": "code", "Опис": "notes"}
    assert set(m.ignored) == {"id", "version", "folder"}
    assert "use --map" in m.ignored["folder"]


def test_explicit_map_wins_and_unknown_targets_are_refused():
    layer = catalog().get("settlements")
    m = build_mapping(["hromada", "hromada_katottg", "name"], layer,
                      parse_map(["hromada_katottg=hromada", "geometry=point"]))
    assert m.columns == {"hromada_katottg": "hromada", "name": "name"}
    assert m.geometry_to == "point"
    with pytest.raises(IngestError, match="has no column 'nonsense'"):
        build_mapping(["name"], layer, {"name": "nonsense"})
    with pytest.raises(IngestError, match="no column 'absent'"):
        build_mapping(["name"], layer, {"absent": "name"})


def test_shapefile_names_are_unique_and_map_back():
    layer = catalog().get("shelters")
    names = shapefile_names(["key_holder_phone", "key_holder_name", "dual_use_subtype"])
    assert names == {"key_holder_phone": "key_holder", "key_holder_name": "key_hold_1",
                     "dual_use_subtype": "dual_use_s"}
    assert all(len(n) <= 10 for n in names.values())
    m = build_mapping(["key_holder", "dual_use_s", "last_verif"], layer)
    assert m.columns == {"key_holder": "key_holder_phone", "dual_use_s": "dual_use_subtype",
                         "last_verif": "last_verified"}


def test_csv_geometry_columns_by_ukrainian_names():
    how = find_csv_geometry(["Назва", "Широта", "Довгота"], {})
    assert (how.lon, how.lat) == ("Довгота", "Широта")
    assert find_csv_geometry(["WKT", "name"], {}).wkt == "WKT"
    assert find_csv_geometry(["a", "b"], {"a": "lon", "b": "lat"}).lon == "a"
    assert find_csv_geometry(["name"], {}) is None


# ------------------------------------------------------------------ encodings and archives
@pytest.mark.parametrize("enc", ["cp1251", "koi8_u", "cp1125", "utf-8"])
def test_cyrillic_encodings_are_detected(enc):
    text = "Назва;Адреса\nУкриття при школі;вул. Соборності, 12\nПідвал житлового будинку;Гоголя, 3\n"
    assert encoding.detect(text.encode(enc)) == enc


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_path_traversal_is_refused(tmp_path):
    p = tmp_path / "evil.zip"
    p.write_bytes(_zip({"../../etc/evil.shp": b"x"}))
    with pytest.raises(IngestError, match="outside the archive"):
        safezip.members(p)


def test_zip_bomb_is_refused(tmp_path):
    p = tmp_path / "bomb.zip"
    p.write_bytes(_zip({"a.geojson": b"0" * 5_000_000}))
    with pytest.raises(IngestError, match="decompression bomb"):
        safezip.members(p)
    with pytest.raises(IngestError, match="more than 1 MB"):
        safezip.members(p, safezip.ZipLimits(max_total_bytes=1024 * 1024, max_ratio=10**6))


def test_truncated_zip_is_refused(tmp_path):
    data = _zip({"a.shp": b"x" * 1000, "a.dbf": b"y" * 1000, "a.shx": b"z" * 100})
    p = tmp_path / "cut.zip"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="truncated"):
        safezip.members(p)

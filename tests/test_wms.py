"""The view service (WMS 1.3.0 / 1.1.1) through the app: capabilities validated offline against the
OGC schemas, GetMap / GetFeatureInfo / GetLegendGraphic, exceptions, axis order and the pinned
UCS-2000 transformation (the Kyiv point lands on the same pixel in 4326, 3857 and 5564), and what
an anonymous caller must never see."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from lxml import etree
from PIL import Image
from sqlalchemy import select, text

from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, ROOT, auth
from tests.fixtures.schemas.extract import ensure as ensure_schemas

WMS = "{http://www.opengis.net/wms}"
XLINK = "{http://www.w3.org/1999/xlink}"
KYIV_LONLAT = (30.5234, 50.4501)
KYIV_5564 = (6324225.8, 5593953.9)  # GEOPORTAL.md: EPSG:5564 easting, northing
SECRET_PHONE = "+380501112233"
SECRET_EDRPOU = "87654321"
SECRET_NOTE = "нотатка-для-плановика"


# ---------------------------------------------------------------- data: one громада of our own
@pytest.fixture(scope="module")
def world(engine):
    """A громада no other test uses, with: an IT hub at Kyiv (published), a shelter with hidden
    fields (published) and a CCTV camera (not published)."""
    from gisplan.datasets import set_published
    from gisplan.db.models import territory
    from gisplan.features import create_feature

    tag = secrets.token_hex(3)
    with engine.begin() as conn:
        code = conn.execute(select(territory.c.code).where(
            territory.c.level == 3, territory.c.code.notin_([BALAKLIIA, KHMILNYK, KREMENCHUK]))
            .order_by(territory.c.code.desc()).limit(1)).scalar_one()
        hub = create_feature(conn, "it_hubs", {"name": f"Хаб-{tag}", "kind": "it_hub", "hromada": code},
                             {"type": "Point", "coordinates": list(KYIV_LONLAT)}, user="tests")
        shelter = create_feature(conn, "shelters", {
            "name": f"Укриття-{tag}", "hromada": code, "readiness": "ready", "key_holder_phone": SECRET_PHONE,
            "owner_edrpou": SECRET_EDRPOU, "notes": SECRET_NOTE, "balance_holder": "Балансоутримувач-таємний"},
            {"type": "Point", "coordinates": [30.40, 50.40]}, user="tests")
        camera = create_feature(conn, "cctv_cameras", {"name": f"Камера-{tag}", "hromada": code},
                                {"type": "Point", "coordinates": [30.45, 50.42]}, user="tests")
        set_published(conn, "it_hubs", code, True, "tests")
        set_published(conn, "shelters", code, True, "tests")
        set_published(conn, "cctv_cameras", code, False, "tests")
        uuids = dict(conn.execute(text("SELECT layer, metadata_uuid::text FROM dataset WHERE hromada = :h"),
                                  {"h": code}).all())
    from gisplan.publish.wms_service import CACHE

    CACHE.clear()  # layer lists are kept 2 s; these tests look at once
    return {"code": code, "hub": hub["id"], "shelter": shelter["id"], "camera": camera["id"], "uuids": uuids}


def wms(client, path="/ows", headers=None, **params):
    return client.get(f"{path}?{urlencode(params)}", headers=headers or {})


def png(response) -> Image.Image:
    assert response.headers["content-type"].startswith("image/"), response.text[:500]
    return Image.open(io.BytesIO(response.content))


def exception_code(response) -> str | None:
    assert "xml" in response.headers["content-type"], response.headers["content-type"]
    root = etree.fromstring(response.content)
    found = root.find("{http://www.opengis.net/ogc}ServiceException")
    if found is None:
        found = root.find("ServiceException")
    assert found is not None, response.text
    return found.get("code")


# ---------------------------------------------------------------- schemas (extracted from the MapProxy wheel)
@pytest.fixture(scope="session")
def schemas():
    return ensure_schemas()


@pytest.fixture(scope="session")
def xsd_1_3_0(schemas):
    """WMS 1.3.0 + SLD 1.1.0 capabilities + INSPIRE view service, one schema, offline."""
    imports = {
        "http://www.opengis.net/wms": schemas / "wms/1.3.0/capabilities_1_3_0.xsd",
        "http://www.opengis.net/sld": schemas / "sld/1.1.0/sld_capabilities.xsd",
        "http://inspire.ec.europa.eu/schemas/inspire_vs/1.0": schemas / "inspire/inspire_vs/1.0/inspire_vs.xsd",
    }
    wrapper = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>' for ns, path in imports.items()
    ) + "</xs:schema>"
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), etree.XMLParser(no_network=True)))


def validate(schema, content: bytes):
    doc = etree.fromstring(content, etree.XMLParser(no_network=True, load_dtd=False))
    assert schema.validate(doc), schema.error_log.last_error
    return doc


# ---------------------------------------------------------------- PROJ set up before Mapnik
def test_proj_data_serves_every_proj_after_mapnik():
    """After the renderer (Mapnik) is imported, PROJ_DATA holds a proj.db that Mapnik's PROJ, pyproj
    and any library honouring the environment accept, and both transform the Kyiv point alike."""
    code = r"""
import os
import gisplan.publish.wms_render
import mapnik, pyproj
from gisplan.publish.proj_env import layout_version
folder = os.environ["PROJ_DATA"]
assert layout_version(folder) is not None, folder
assert layout_version(folder) >= layout_version(pyproj.datadir.get_data_dir())
pyproj.datadir.set_data_dir(folder)   # a library that takes its data from the environment
t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:5564", always_xy=True)
x, y = t.transform(30.5234, 50.4501)
m = mapnik.ProjTransform(mapnik.Projection("epsg:4326"), mapnik.Projection("epsg:5564")).forward(
    mapnik.Coord(30.5234, 50.4501))
print(x, y, m.x, m.y)
"""
    env = {k: v for k, v in os.environ.items() if k not in ("PROJ_DATA", "PROJ_LIB")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    x, y, mx, my = (float(v) for v in out.stdout.split())
    assert abs(x - KYIV_5564[0]) < 0.5 and abs(y - KYIV_5564[1]) < 0.5
    assert abs(mx - x) < 0.01 and abs(my - y) < 0.01


def test_proj_data_prefers_the_newest_database(tmp_path, monkeypatch):
    import sqlite3

    from gisplan.publish import proj_env

    for name, minor in (("old", 2), ("new", 9)):
        (tmp_path / name).mkdir()
        with sqlite3.connect(tmp_path / name / "proj.db") as db:
            db.execute("CREATE TABLE metadata (key TEXT, value TEXT)")
            db.executemany("INSERT INTO metadata VALUES (?, ?)", [
                ("DATABASE.LAYOUT.VERSION.MAJOR", "1"), ("DATABASE.LAYOUT.VERSION.MINOR", str(minor))])
    monkeypatch.setenv("PROJ_DATA", str(tmp_path / "old"))
    assert proj_env.newest_proj_data() != tmp_path / "old"  # the wheels' databases are newer
    monkeypatch.setenv("PROJ_DATA", str(tmp_path / "new"))
    assert proj_env.newest_proj_data() == tmp_path / "new"


# ---------------------------------------------------------------- CRS
def test_crs_axis_order_and_pinned_ucs2000_transformation():
    from gisplan.publish import crs

    yx = {c: crs.service_crs(c).yx for c in crs.SUPPORTED}
    assert yx["EPSG:4326"] and yx["EPSG:5561"] and yx["EPSG:5564"] and yx["EPSG:6387"]
    assert not yx["CRS:84"] and not yx["EPSG:3857"]
    assert all(yx[c] for c in crs.UCS2000_CODES)
    assert "+towgs84=24,-121,-76" in crs.service_crs("EPSG:6384").proj  # EPSG:5840, "(2)"
    x, y = crs.transformer("EPSG:4326", "EPSG:5564").transform(*KYIV_LONLAT)
    assert abs(x - KYIV_5564[0]) < 0.5 and abs(y - KYIV_5564[1]) < 0.5
    assert crs.service_crs("epsg:5564") == crs.service_crs("EPSG:5564")
    with pytest.raises(crs.UnknownCRS):
        crs.service_crs("EPSG:2056")


def test_parameter_names_are_case_insensitive():
    from gisplan.publish.wms_params import negotiate_version, parse_query

    assert parse_query("service=wms&Request=GetMap&LAYERS=a,b&layers=c") == {
        "SERVICE": "wms", "REQUEST": "GetMap", "LAYERS": "a,b"}
    assert [negotiate_version(v) for v in (None, "1.3.0", "2.0.0", "1.1.1", "1.2.0", "1.0.0")] == [
        "1.3.0", "1.3.0", "1.3.0", "1.1.1", "1.1.1", "1.1.1"]


# ---------------------------------------------------------------- capabilities
def _layers(doc, ns=WMS):
    return {el.findtext(f"{ns}Name"): el for el in doc.iter(f"{ns}Layer") if el.find(f"{ns}Name") is not None}


def test_capabilities_1_3_0_validate_and_describe_each_layer(client, world, xsd_1_3_0):
    code = world["code"]
    r = wms(client, f"/{code}/ows", SERVICE="WMS", REQUEST="GetCapabilities")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    doc = validate(xsd_1_3_0, r.content)
    assert doc.get("version") == "1.3.0"
    root_layer = doc.find(f"{WMS}Capability/{WMS}Layer")
    crs_codes = [el.text for el in root_layer.findall(f"{WMS}CRS")]
    assert crs_codes == ["EPSG:4326", "CRS:84", "EPSG:3857", "EPSG:5561", "EPSG:5562", "EPSG:5563",
                         "EPSG:5564", "EPSG:5565"] + [f"EPSG:{n}" for n in range(6381, 6388)]
    assert root_layer.find(f"{WMS}AuthorityURL").get("name") == "gisplan"
    layers = _layers(doc)
    assert "it_hubs" in layers and "shelters" in layers
    assert "cctv_cameras" not in layers  # not published
    hub = layers["it_hubs"]
    assert hub.findtext(f"{WMS}Title") == "ІТ-хаби та хаби цифрової освіти" or any(
        "\u0400" <= ch <= "\u04ff" for ch in hub.findtext(f"{WMS}Title"))
    assert any("\u0400" <= ch <= "\u04ff" for ch in hub.findtext(f"{WMS}Abstract"))
    assert len(hub.findall(f"{WMS}KeywordList/{WMS}Keyword")) >= 2
    assert hub.find(f"{WMS}EX_GeographicBoundingBox") is not None
    assert {b.get("CRS") for b in hub.findall(f"{WMS}BoundingBox")} == set(crs_codes)
    box = {b.get("CRS"): b for b in hub.findall(f"{WMS}BoundingBox")}["EPSG:4326"]
    assert 43 < float(box.get("minx")) < 53 and 21 < float(box.get("miny")) < 41  # lat first
    assert hub.find(f"{WMS}Identifier").get("authority") == "gisplan"
    assert hub.findtext(f"{WMS}Identifier") == world["uuids"]["it_hubs"]
    meta = hub.find(f"{WMS}MetadataURL")
    assert meta.get("type") == "ISO19115:2003"
    assert meta.find(f"{WMS}OnlineResource").get(f"{XLINK}href").endswith(
        f"/metadata/{world['uuids']['it_hubs']}.xml")
    style = hub.find(f"{WMS}Style")
    assert style.findtext(f"{WMS}Name") == "default" and style.findtext(f"{WMS}Title")
    legend = style.find(f"{WMS}LegendURL")
    href = legend.find(f"{WMS}OnlineResource").get(f"{XLINK}href")
    image = png(client.get(href[href.index("/", 8):]))
    assert image.size == (int(legend.get("width")), int(legend.get("height")))


def test_capabilities_1_1_1_validate_against_the_dtd(client, world, schemas):
    r = wms(client, f"/{world['code']}/ows", service="WMS", request="GetCapabilities", version="1.1.1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.ogc.wms_xml")
    doc = etree.fromstring(r.content, etree.XMLParser(no_network=True, load_dtd=False))
    dtd = etree.DTD(str(schemas / "wms/1.1.1/WMS_MS_Capabilities.dtd"))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()[:3]
    layers = _layers(doc, "")
    assert {"it_hubs", "shelters"} <= set(layers) and "cctv_cameras" not in layers
    box = {b.get("SRS"): b for b in layers["it_hubs"].findall("BoundingBox")}["EPSG:4326"]
    assert 21 < float(box.get("minx")) < 41  # 1.1.1: lon first


def test_national_capabilities_validate(client, world, xsd_1_3_0):
    doc = validate(xsd_1_3_0, wms(client, "/ows", SERVICE="WMS", REQUEST="GetCapabilities").content)
    hub = _layers(doc)["it_hubs"]
    hrefs = [m.find(f"{WMS}OnlineResource").get(f"{XLINK}href") for m in hub.findall(f"{WMS}MetadataURL")]
    assert any(h.endswith(f"/metadata/{world['uuids']['it_hubs']}.xml") for h in hrefs)


def test_inspire_extended_capabilities_when_enabled(client, world, xsd_1_3_0, monkeypatch):
    from gisplan.settings import clear_caches

    monkeypatch.setenv("GISPLAN_WMS_INSPIRE_EXTENDED_CAPABILITIES", "true")
    clear_caches()
    try:
        r = wms(client, f"/{world['code']}/ows", SERVICE="WMS", REQUEST="GetCapabilities")
    finally:
        monkeypatch.delenv("GISPLAN_WMS_INSPIRE_EXTENDED_CAPABILITIES")
        clear_caches()
    doc = validate(xsd_1_3_0, r.content)
    ext = doc.find(f"{WMS}Capability/{{http://inspire.ec.europa.eu/schemas/inspire_vs/1.0}}ExtendedCapabilities")
    assert ext is not None
    first = ext[0]
    assert first.tag == "{http://inspire.ec.europa.eu/schemas/common/1.0}MetadataUrl"  # scenario 1
    assert "/metadata/" in first[0].text
    plain = wms(client, f"/{world['code']}/ows", SERVICE="WMS", REQUEST="GetCapabilities")
    assert b"inspire_vs" not in plain.content


def test_language_parameter(client, world):
    def titles(**extra):
        doc = etree.fromstring(wms(client, f"/{world['code']}/ows", SERVICE="WMS", REQUEST="GetCapabilities",
                                   **extra).content)
        return _layers(doc)["it_hubs"].findtext(f"{WMS}Title")

    from gisplan.catalog import catalog

    assert titles() == titles(LANGUAGE="xyz") == catalog().get("it_hubs").title.uk
    assert titles(LANGUAGE="eng") == catalog().get("it_hubs").title.en


# ---------------------------------------------------------------- GetMap
def _kyiv_box(code: str, pixel: float, i0: int, j0: int, size: int = 256):
    """A BBOX (x,y order) that puts the Kyiv point at the centre of pixel (i0, j0)."""
    from pyproj import Transformer

    if code == "EPSG:5564":
        x, y = KYIV_5564  # the documented coordinates, not our own transformation
    elif code == "EPSG:3857":
        x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(*KYIV_LONLAT)
    else:
        x, y = KYIV_LONLAT
    minx = x - (i0 + 0.5) * pixel
    maxy = y + (j0 + 0.5) * pixel
    return (minx, maxy - size * pixel, minx + size * pixel, maxy)


def _marker_centre(image: Image.Image, fill: tuple[int, int, int]) -> tuple[float, float]:
    rgba = image.convert("RGBA")
    xs, ys, n = 0.0, 0.0, 0
    for y in range(rgba.height):
        for x in range(rgba.width):
            r, g, b, a = rgba.getpixel((x, y))
            if a > 250 and abs(r - fill[0]) + abs(g - fill[1]) + abs(b - fill[2]) < 30:
                xs, ys, n = xs + x + 0.5, ys + y + 0.5, n + 1
    assert n > 10, "the marker was not drawn"
    return xs / n, ys / n


@pytest.mark.parametrize("code, pixel, version", [
    ("EPSG:4326", 0.00002, "1.3.0"), ("EPSG:4326", 0.00002, "1.1.1"), ("EPSG:3857", 2.0, "1.3.0"),
    ("EPSG:5564", 2.0, "1.3.0"), ("EPSG:5564", 2.0, "1.1.1"),
])
def test_kyiv_point_lands_on_the_same_pixel_in_getmap_and_getfeatureinfo(client, world, code, pixel, version):
    from gisplan.publish.crs import service_crs

    i0, j0 = 100, 60
    xy = _kyiv_box(code, pixel, i0, j0)
    bbox = service_crs(code).from_xy(xy, version)
    common = {"SERVICE": "WMS", "VERSION": version, "LAYERS": "it_hubs", "STYLES": "",
              ("CRS" if version == "1.3.0" else "SRS"): code, "BBOX": ",".join(repr(v) for v in bbox),
              "WIDTH": 256, "HEIGHT": 256}
    path = f"/{world['code']}/ows"
    image = png(wms(client, path, REQUEST="GetMap", FORMAT="image/png", TRANSPARENT="TRUE", **common))
    cx, cy = _marker_centre(image, (0x5E, 0x35, 0xB1))  # it_hub rule fill
    assert abs(cx - (i0 + 0.5)) < 1 and abs(cy - (j0 + 0.5)) < 1, (cx, cy)
    ij = ("I", "J") if version == "1.3.0" else ("X", "Y")
    info = wms(client, path, REQUEST="GetFeatureInfo", QUERY_LAYERS="it_hubs", INFO_FORMAT="application/json",
               **{ij[0]: i0, ij[1]: j0}, **common).json()
    assert [f["id"] for f in info["features"]] == [world["hub"]]
    away = wms(client, path, REQUEST="GetFeatureInfo", QUERY_LAYERS="it_hubs", INFO_FORMAT="application/json",
               **{ij[0]: i0 + 30, ij[1]: j0}, **common).json()
    assert away["features"] == []


def _getmap(client, path="/ows", **over):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "it_hubs,shelters",
              "STYLES": "", "CRS": "EPSG:4326", "BBOX": "50.3,30.3,50.5,30.6", "WIDTH": 200, "HEIGHT": 150,
              "FORMAT": "image/png"}
    params.update(over)
    return wms(client, path, **params)


def test_getmap_formats_transparency_and_background(client, world):
    path = f"/{world['code']}/ows"
    full = png(_getmap(client, path, TRANSPARENT="TRUE"))
    assert full.size == (200, 150) and full.mode in ("RGBA", "P")
    eight = png(_getmap(client, path, FORMAT="image/png; mode=8bit", TRANSPARENT="TRUE"))
    assert eight.mode == "P"
    jpeg = _getmap(client, path, FORMAT="image/jpeg")
    assert jpeg.headers["content-type"] == "image/jpeg" and png(jpeg).format == "JPEG"
    red = png(_getmap(client, path, BGCOLOR="0xFF0000", TRANSPARENT="FALSE")).convert("RGBA")
    assert red.getpixel((0, 0)) == (255, 0, 0, 255)
    assert full.convert("RGBA").getpixel((0, 0))[3] == 0
    assert full.convert("RGBA").getextrema()[3][1] == 255  # something is drawn


def test_extent_without_features_is_fully_transparent(client, world):
    # the Black Sea south of Crimea: inside the layers' envelope, no features
    for fmt in ("image/png", "image/png; mode=8bit"):
        image = png(_getmap(client, LAYERS="it_hubs,shelters", BBOX="43.4,33.0,43.6,33.4",
                            TRANSPARENT="TRUE", FORMAT=fmt)).convert("RGBA")
        assert image.getextrema()[3] == (0, 0)


@pytest.mark.parametrize("change, code", [
    ({"FORMAT": None}, "MissingParameterValue"),
    ({"FORMAT": "image/tiff"}, "InvalidFormat"),
    ({"CRS": "EPSG:2056"}, "InvalidCRS"),
    ({"CRS": None}, "MissingParameterValue"),
    ({"LAYERS": "no_such_layer"}, "LayerNotDefined"),
    ({"LAYERS": None}, "MissingParameterValue"),
    ({"STYLES": "fancy,"}, "StyleNotDefined"),
    ({"STYLES": None}, "MissingParameterValue"),
    ({"WIDTH": 100000, "HEIGHT": 100000}, "InvalidParameterValue"),
    ({"WIDTH": "abc"}, "InvalidParameterValue"),
    ({"BBOX": "1,2,3"}, "InvalidParameterValue"),
    ({"BBOX": "50.5,30.3,50.3,30.6"}, "InvalidParameterValue"),
    ({"VERSION": "9.9.9"}, "InvalidParameterValue"),
    ({"REQUEST": "GetWhatever"}, "OperationNotSupported"),
])
def test_getmap_problems_are_service_exceptions(client, world, change, code):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "it_hubs", "STYLES": "",
              "CRS": "EPSG:4326", "BBOX": "50.3,30.3,50.5,30.6", "WIDTH": 200, "HEIGHT": 150,
              "FORMAT": "image/png"}
    for k, v in change.items():
        if v is None:
            params.pop(k)
        else:
            params[k] = v
    r = wms(client, **params)
    assert r.status_code == 200
    assert exception_code(r) == code


def test_exceptions_1_1_1_and_image_exceptions(client, world):
    r = _getmap(client, VERSION="1.1.1", CRS=None, SRS="EPSG:2056", BBOX="30,50,31,51")
    assert r.headers["content-type"].startswith("application/vnd.ogc.se_xml")
    assert exception_code(r) == "InvalidSRS"
    inimage = png(_getmap(client, LAYERS="no_such_layer", EXCEPTIONS="INIMAGE", WIDTH=300, HEIGHT=120))
    assert inimage.size == (300, 120)
    assert len(inimage.convert("RGB").getcolors(maxcolors=100000)) > 2  # the message is written in
    blank = png(_getmap(client, LAYERS="no_such_layer", EXCEPTIONS="application/vnd.ogc.se_blank",
                        BGCOLOR="0x00FF00", WIDTH=40, HEIGHT=30)).convert("RGB")
    assert blank.size == (40, 30) and blank.getcolors() == [(40 * 30, (0, 255, 0))]
    # INIMAGE cannot be drawn at an unusable size: the XML report instead
    r = _getmap(client, LAYERS="no_such_layer", EXCEPTIONS="INIMAGE", WIDTH=100000)
    assert exception_code(r) == "InvalidParameterValue"


def test_service_dispatch(client):
    r = client.get("/ows?REQUEST=GetCapabilities&SERVICE=WCS")
    assert exception_code(r) == "InvalidParameterValue"
    assert exception_code(client.get("/ows")) == "MissingParameterValue"
    assert client.get("/UA00000000000000000/ows?SERVICE=WMS&REQUEST=GetCapabilities").status_code == 404


def test_legend_graphic_in_both_languages(client, world):
    uk = png(wms(client, SERVICE="WMS", REQUEST="GetLegendGraphic", LAYER="shelters", FORMAT="image/png"))
    en = png(wms(client, SERVICE="WMS", REQUEST="GetLegendGraphic", LAYER="shelters", FORMAT="image/png",
                 LANGUAGE="eng"))
    assert uk.height == en.height == 4 * 2 + 24 * 3  # not ready, partly ready, other
    assert uk.width != en.width
    assert exception_code(wms(client, SERVICE="WMS", REQUEST="GetLegendGraphic", LAYER="nope",
                              FORMAT="image/png")) == "LayerNotDefined"


# ---------------------------------------------------------------- what anonymous callers never see
@pytest.mark.parametrize("info_format", ["application/json", "text/html", "text/xml"])
def test_feature_info_never_shows_hidden_fields_to_anonymous(client, world, info_format):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": "shelters",
              "QUERY_LAYERS": "shelters", "STYLES": "", "CRS": "EPSG:4326",
              "BBOX": "50.399,30.399,50.401,30.401", "WIDTH": 101, "HEIGHT": 101, "I": 50, "J": 50,
              "INFO_FORMAT": info_format, "FEATURE_COUNT": 5}
    r = wms(client, f"/{world['code']}/ows", **params)
    assert r.status_code == 200 and r.headers["content-type"].startswith(info_format)
    body = r.text
    assert world["shelter"] in body and "Укриття-" in body
    for hidden in (SECRET_PHONE, SECRET_EDRPOU, SECRET_NOTE, "key_holder_phone", "owner_edrpou", "notes",
                   "balance_holder", "Балансоутримувач-таємний"):
        assert hidden not in body
    if info_format == "text/html":
        assert "Назва" in body  # Ukrainian labels


def test_planner_of_the_hromada_sees_full_tables(client, world, make_user):
    _, _, token = make_user("planner", (world["code"],))
    _, _, stranger = make_user("planner", (BALAKLIIA,))
    path = f"/{world['code']}/ows"
    caps = etree.fromstring(wms(client, path, headers=auth(token), SERVICE="WMS", REQUEST="GetCapabilities").content)
    assert "cctv_cameras" in _layers(caps)
    caps = etree.fromstring(wms(client, path, headers=auth(stranger), SERVICE="WMS",
                                REQUEST="GetCapabilities").content)
    assert "cctv_cameras" not in _layers(caps)
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": "shelters",
              "QUERY_LAYERS": "shelters", "STYLES": "", "CRS": "EPSG:4326",
              "BBOX": "50.399,30.399,50.401,30.401", "WIDTH": 101, "HEIGHT": 101, "I": 50, "J": 50,
              "INFO_FORMAT": "application/json"}
    r = wms(client, path, headers=auth(token), **params)
    assert r.headers["cache-control"] == "private, no-store"
    props = r.json()["features"][0]["properties"]
    assert props["notes"] == SECRET_NOTE
    assert "notes" not in wms(client, path, headers=auth(stranger), **params).json()["features"][0]["properties"]


def test_unpublished_layer_is_not_defined_and_not_drawn_for_anonymous(client, world):
    path = f"/{world['code']}/ows"
    r = _getmap(client, path, LAYERS="cctv_cameras", BBOX="50.41,30.44,50.43,30.46", TRANSPARENT="TRUE")
    assert exception_code(r) == "LayerNotDefined"
    # nationally the layer may be published elsewhere; our camera is still not drawn
    national = _getmap(client, "/ows", LAYERS="cctv_cameras", BBOX="50.41,30.44,50.43,30.46", TRANSPARENT="TRUE")
    if national.headers["content-type"].startswith("image/"):
        assert png(national).convert("RGBA").getextrema()[3] == (0, 0)
    else:
        assert exception_code(national) == "LayerNotDefined"


def test_concurrent_getmap_waits_for_a_render_slot_instead_of_failing(client, world, monkeypatch):
    """More simultaneous GetMap requests than Mapnik's PostGIS pool holds all succeed: renders queue
    for a slot (GISPLAN_WMS_RENDER_CONCURRENCY) instead of failing with "Null connection"."""
    from concurrent.futures import ThreadPoolExecutor

    from gisplan.publish.wms_render import POOL
    from gisplan.settings import clear_caches

    monkeypatch.setenv("GISPLAN_WMS_RENDER_CONCURRENCY", "1")
    clear_caches()
    POOL.clear()
    try:
        code = world["code"]

        def one(i: int):
            west = 30.0 + (i % 4) * 0.1
            return wms(client, f"/{code}/ows", SERVICE="WMS", VERSION="1.3.0", REQUEST="GetMap",
                       LAYERS="it_hubs,shelters", STYLES="", CRS="CRS:84", BBOX=f"{west},50.0,{west + 0.8},50.8",
                       WIDTH=256, HEIGHT=256, FORMAT="image/png", TRANSPARENT="TRUE")

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(one, range(24)))
        assert [r.status_code for r in answers] == [200] * 24, [r.text[:200] for r in answers if r.status_code != 200]
        assert all(r.headers["content-type"] == "image/png" for r in answers)
    finally:
        monkeypatch.delenv("GISPLAN_WMS_RENDER_CONCURRENCY")
        clear_caches()
        POOL.clear()

"""Gap and indicator layers of the view service, drawn as classed maps (issue 9): capabilities with
the «Прогалини» / «Індикатори» groups still validate; a gap is drawn in its legend's class colour
where the gap API puts a settlement; feature info gives the API's values; an edit re-classes the
map (the kept result is recomputed); anonymous callers get layers only from published inputs.

Runs on the demo (loaded again: it is idempotent). Other modules edit a few demo rows, so the
expected values are read from the gap and indicator APIs at test time, not written down here."""

from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import urlencode

import pytest
from lxml import etree
from PIL import Image
from shapely.geometry import shape

from tests.conftest import KHMILNYK, auth
from tests.test_wms import WMS, XLINK, _layers, exception_code, png, schemas, validate, xsd_1_3_0  # noqa: F401
from tests.test_wms_clients import server  # noqa: F401  (a live server for OWSLib and GDAL)

GAP = "settlements_without_broadband"
GAP_LAYER = f"gap.{GAP}"
HALF = 0.004  # degrees around the clicked settlement


@pytest.fixture(scope="module")
def demo(engine):
    from gisplan.demo import load_demo
    from gisplan.publish.wms_service import CACHE

    load_demo(engine, user="demo-test")
    CACHE.clear()
    return KHMILNYK


@pytest.fixture(scope="module")
def planner(make_user, demo):
    return auth(make_user("planner", (demo,))[2])


def wms(client, path="/ows", headers=None, **params):
    return client.get(f"{path}?{urlencode(params)}", headers=headers or {})


def _gap_api(client, planner, code: str) -> dict:
    r = client.get(f"/api/hromady/{code}/gaps/{GAP}", headers=planner)
    assert r.status_code == 200, r.text
    return r.json()


def _uncovered(client, planner, code: str) -> dict:
    """The most populous settlement of the gap drawn as a polygon, with a point inside it."""
    features = [f for f in _gap_api(client, planner, code)["features"]
                if f["geometry"] and f["geometry"]["type"].endswith("Polygon") and f["properties"]["population"]]
    assert features, "the demo громада has no mapped settlement without broadband"
    f = max(features, key=lambda f: f["properties"]["population"])
    inside = shape(f["geometry"]).representative_point()
    return {**f, "lon": inside.x, "lat": inside.y}


def _map(client, code: str, lon: float, lat: float, layer: str = GAP_LAYER, headers=None, size: int = 65):
    """GetMap (1.3.0, EPSG:4326: lat/lon order) centred on lon, lat."""
    r = wms(client, f"/{code}/ows", headers, SERVICE="WMS", VERSION="1.3.0", REQUEST="GetMap", LAYERS=layer,
            STYLES="", CRS="EPSG:4326", BBOX=f"{lat - HALF},{lon - HALF},{lat + HALF},{lon + HALF}",
            WIDTH=size, HEIGHT=size, FORMAT="image/png", TRANSPARENT="TRUE")
    return png(r).convert("RGBA")


def _info(client, path: str, layer: str, lon: float, lat: float, fmt="application/json", headers=None):
    return wms(client, path, headers, SERVICE="WMS", VERSION="1.3.0", REQUEST="GetFeatureInfo", LAYERS=layer,
               QUERY_LAYERS=layer, STYLES="", CRS="EPSG:4326",
               BBOX=f"{lat - HALF},{lon - HALF},{lat + HALF},{lon + HALF}", WIDTH=65, HEIGHT=65, I=32, J=32,
               INFO_FORMAT=fmt)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# ---------------------------------------------------------------- definitions
def test_layer_names_and_class_labels():
    from gisplan.publish.choropleth_layers import choropleth_layers, wms_layer_names

    layers = choropleth_layers()
    from gisplan.gaps.registry import gaps

    assert {f"gap.{g}" for g in gaps()} <= set(layers)
    assert wms_layer_names("SHELTER_REACH") == {"hromada": "indicator.shelter_reach",
                                                "settlements": "indicator.shelter_reach.settlements"}
    assert wms_layer_names("WIFI_ZONES") == {"hromada": "indicator.wifi_zones"}  # not per settlement
    assert wms_layer_names("GEOPORTAL_PUBLIC") is None  # about publication, not the map
    gap = layers[GAP_LAYER]
    assert [c.label.uk for c in gap.classes] == ["< 200 мешк.", "200 – < 1\u202f000 мешк.",
                                                 "1\u202f000 – < 5\u202f000 мешк.", "≥ 5\u202f000 мешк."]
    assert gap.class_of(199) == 0 and gap.class_of(200) == 1 and gap.class_of(5000) == 3
    assert gap.class_of(None) == len(gap.classes)  # "no value"
    share = layers["indicator.shelter_reach"]
    assert share.classes[0].label.uk == "< 20 %" and share.classes[-1].label.en == "≥ 80 %"


# ---------------------------------------------------------------- capabilities
def _groups(doc, ns=WMS) -> dict[str, list[str]]:
    root = doc.find(f"{ns}Capability/{ns}Layer")
    return {g.findtext(f"{ns}Title"): [el.findtext(f"{ns}Name") for el in g.findall(f"{ns}Layer")]
            for g in root.findall(f"{ns}Layer") if g.find(f"{ns}Name") is None}


def test_capabilities_group_the_computed_layers_and_validate(client, demo, xsd_1_3_0):  # noqa: F811
    for path in ("/ows", f"/{demo}/ows"):
        doc = validate(xsd_1_3_0, wms(client, path, SERVICE="WMS", REQUEST="GetCapabilities").content)
        groups = _groups(doc)
        assert set(groups) == {"Прогалини", "Індикатори"}, groups
        assert GAP_LAYER in groups["Прогалини"]
        assert {"indicator.alert", "indicator.alert.settlements", "indicator.wifi_zones"} <= set(groups["Індикатори"])
        layer = _layers(doc)[GAP_LAYER]
        assert any("\u0400" <= ch <= "\u04ff" for ch in layer.findtext(f"{WMS}Abstract"))
        assert layer.find(f"{WMS}EX_GeographicBoundingBox") is not None
        legend = layer.find(f"{WMS}Style/{WMS}LegendURL")
        assert layer.findtext(f"{WMS}Style/{WMS}Name") == "default"
        href = legend.find(f"{WMS}OnlineResource").get(f"{XLINK}href")
        image = png(client.get(href[href.index("/", 8):]))
        assert image.size == (int(legend.get("width")), int(legend.get("height")))
    english = wms(client, "/ows", SERVICE="WMS", REQUEST="GetCapabilities", LANGUAGE="eng")
    assert set(_groups(etree.fromstring(english.content))) == {"Coverage gaps", "Indicators"}


def test_capabilities_1_1_1_with_groups_validate_against_the_dtd(client, demo, schemas):  # noqa: F811
    dtd = etree.DTD(str(schemas / "wms/1.1.1/WMS_MS_Capabilities.dtd"))
    for path in ("/ows", f"/{demo}/ows"):
        r = wms(client, path, SERVICE="WMS", REQUEST="GetCapabilities", VERSION="1.1.1")
        doc = etree.fromstring(r.content, etree.XMLParser(no_network=True, load_dtd=False))
        assert dtd.validate(doc), dtd.error_log.filter_from_errors()[:3]
        assert GAP_LAYER in _groups(doc, "")["Прогалини"]


# ---------------------------------------------------------------- drawing, legend, feature info
def test_gap_drawn_in_the_legend_colour_of_its_class(client, demo, planner):
    from gisplan.publish.choropleth_layers import choropleth_layers
    from gisplan.publish.choropleth_legend import swatch_centre

    f = _uncovered(client, planner, demo)
    layer = choropleth_layers()[GAP_LAYER]
    cls = layer.class_of(f["properties"]["population"])
    image = _map(client, demo, f["lon"], f["lat"])
    assert image.getpixel((32, 32)) == (*_hex(layer.classes[cls].colour), 255)
    legend = png(wms(client, f"/{demo}/ows", SERVICE="WMS", REQUEST="GetLegendGraphic", LAYER=GAP_LAYER,
                     FORMAT="image/png")).convert("RGBA")
    assert legend.getpixel(swatch_centre(layer, cls)) == image.getpixel((32, 32))
    # every class and "no value" has its swatch, in order
    colours = [c.colour for c in layer.classes] + ["#bdbdbd"]
    assert [legend.getpixel(swatch_centre(layer, n))[:3] for n in range(len(colours))] == [_hex(c) for c in colours]
    assert legend.size[1] >= 24 * (len(colours) + 1)


def test_nationally_the_gap_is_drawn_too(client, demo, planner):
    f = _uncovered(client, planner, demo)
    r = wms(client, "/ows", SERVICE="WMS", VERSION="1.1.1", REQUEST="GetMap", LAYERS=GAP_LAYER, STYLES="",
            SRS="EPSG:4326", BBOX=f"{f['lon'] - HALF},{f['lat'] - HALF},{f['lon'] + HALF},{f['lat'] + HALF}",
            WIDTH=65, HEIGHT=65, FORMAT="image/png", TRANSPARENT="TRUE")
    assert png(r).convert("RGBA").getpixel((32, 32))[3] == 255


@pytest.mark.parametrize("path", ["national", "hromada"])
def test_feature_info_gives_the_gap_api_values(client, demo, planner, path):
    f = _uncovered(client, planner, demo)
    where = "/ows" if path == "national" else f"/{demo}/ows"
    r = _info(client, where, GAP_LAYER, f["lon"], f["lat"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    found = r.json()["features"]
    assert found and found[0]["id"] == f["id"] and found[0]["layer"] == GAP_LAYER
    props = found[0]["properties"]
    assert {k: props[k] for k in f["properties"]} == f["properties"]
    assert props["value"] == f["properties"]["population"]
    html = _info(client, where, GAP_LAYER, f["lon"], f["lat"], "text/html").text
    assert f["properties"]["name"] in html and "мешканців поза послугою" in html
    xml = etree.fromstring(_info(client, where, GAP_LAYER, f["lon"], f["lat"], "text/xml").content)
    values = {a.get("name"): a.get("value") for a in xml.iter("Attribute")}
    assert values["territory"] == f["id"] and float(values["value"]) == f["properties"]["population"]


def test_indicator_per_hromada_matches_the_indicator_api(client, demo, planner, engine):
    """indicator.wifi_zones at /ows: the громада's value is the indicator API's, on its boundary."""
    from sqlalchemy import text

    r = client.get(f"/api/hromady/{demo}/indicators?metric=WIFI_ZONES", headers=planner)
    assert r.status_code == 200, r.text
    value = r.json()["indicators"][0]["value"]
    assert r.json()["indicators"][0]["wms_layer"] == {"hromada": "indicator.wifi_zones"}
    with engine.connect() as conn:
        lon, lat = conn.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM hromady "
                                     "WHERE hromada = :h AND code = :h) s"), {"h": demo}).one()
    found = _info(client, "/ows", "indicator.wifi_zones", lon, lat).json()["features"]
    assert [f["id"] for f in found] == [demo]
    assert found[0]["properties"]["value"] == value


def test_indicator_per_settlement_is_drawn(client, demo, planner):
    r = client.get(f"/api/hromady/{demo}/indicators?metric=ALERT&settlements=true", headers=planner)
    item = r.json()["indicators"][0]
    assert item["wms_layer"] == {"hromada": "indicator.alert", "settlements": "indicator.alert.settlements"}
    from gisplan.publish.choropleth_layers import choropleth_layers

    layer = choropleth_layers()["indicator.alert.settlements"]
    f = _uncovered(client, planner, demo)  # a settlement polygon; its ALERT value from the API
    mine = next(s for s in item["settlements"] if s["territory"] == f["id"])
    image = _map(client, demo, f["lon"], f["lat"], "indicator.alert.settlements")
    colours = [c.colour for c in layer.classes] + ["#bdbdbd"]
    assert image.getpixel((32, 32)) == (*_hex(colours[layer.class_of(mine["value"])]), 255)


def test_program_progress_names_the_wms_layer_of_each_bound_metric(client, demo, planner, engine):
    from gisplan.program import load_demo_programs
    from gisplan.publish.choropleth_layers import wms_layer_names

    with engine.begin() as conn:
        pid = next(r.program_id for r in load_demo_programs(conn) if r.hromada == demo)
    r = client.get(f"/api/programs/{pid}/progress", headers=planner)
    assert r.status_code == 200, r.text
    items = r.json()["indicators"]
    assert items and all(i["wms_layer"] == wms_layer_names(i["metric"]["code"]) for i in items)
    mapped = [i for i in items if i["wms_layer"]]
    assert mapped, "no bound indicator of the demo program has a map"
    names = set(_layers(etree.fromstring(wms(client, f"/{demo}/ows", planner, SERVICE="WMS",
                                               REQUEST="GetCapabilities").content)))
    assert all(set(i["wms_layer"].values()) <= names for i in mapped)


def test_catalogue_and_computed_layers_in_one_getmap(client, demo, planner):
    """LAYERS=settlements,gap.…: the gap is drawn over the catalogue layer, in its class colour."""
    from gisplan.publish.choropleth_layers import choropleth_layers

    f = _uncovered(client, planner, demo)
    layer = choropleth_layers()[GAP_LAYER]
    image = _map(client, demo, f["lon"], f["lat"], f"settlements,{GAP_LAYER}")
    assert image.getpixel((32, 32)) == (*_hex(layer.classes[layer.class_of(f["properties"]["population"])].colour),
                                        255)
    assert _map(client, demo, f["lon"], f["lat"], "settlements").getpixel((32, 32)) != image.getpixel((32, 32))


# ---------------------------------------------------------------- the kept result follows edits
def test_an_edit_that_covers_a_settlement_changes_the_map(client, demo, planner, engine):
    from gisplan.features import get_feature, update_feature
    from gisplan.publish.choropleth_data import RESULTS
    from sqlalchemy import text

    f = _uncovered(client, planner, demo)
    assert _map(client, demo, f["lon"], f["lat"]).getpixel((32, 32))[3] == 255
    computed = RESULTS.computed
    _map(client, demo, f["lon"], f["lat"])  # nothing changed: drawn from the kept result
    assert RESULTS.computed == computed
    with engine.begin() as conn:
        fid = conn.execute(text("SELECT id FROM settlements WHERE hromada = :h AND katottg = :k"),
                           {"h": demo, "k": f["id"]}).scalar_one()
        version = get_feature(conn, "settlements", fid, public=False)["properties"]["version"]
        update_feature(conn, "settlements", fid, version, {"broadband_fixed": True}, None, user="tests")
    try:
        assert _map(client, demo, f["lon"], f["lat"]).getpixel((32, 32))[3] == 0  # covered: not in the gap
        assert RESULTS.computed == computed + 1
        assert _info(client, f"/{demo}/ows", GAP_LAYER, f["lon"], f["lat"]).json()["features"] == []
    finally:
        with engine.begin() as conn:
            version = get_feature(conn, "settlements", fid, public=False)["properties"]["version"]
            update_feature(conn, "settlements", fid, version, {"broadband_fixed": False}, None, user="tests")
    assert _map(client, demo, f["lon"], f["lat"]).getpixel((32, 32))[3] == 255


# ---------------------------------------------------------------- privacy
def test_unpublished_input_hides_the_layer_from_anonymous_but_not_the_planner(client, demo, planner, engine):
    from gisplan.datasets import set_published
    from gisplan.publish.wms_service import CACHE

    f = _uncovered(client, planner, demo)
    with engine.begin() as conn:
        set_published(conn, "settlements", demo, False, "tests")
    CACHE.clear()
    try:
        anonymous = etree.fromstring(wms(client, f"/{demo}/ows", SERVICE="WMS", REQUEST="GetCapabilities").content)
        assert GAP_LAYER not in _layers(anonymous)
        assert "indicator.alert.settlements" not in _layers(anonymous)
        r = wms(client, f"/{demo}/ows", SERVICE="WMS", VERSION="1.3.0", REQUEST="GetMap", LAYERS=GAP_LAYER,
                STYLES="", CRS="CRS:84", BBOX="27,49,29,50", WIDTH=10, HEIGHT=10, FORMAT="image/png")
        assert exception_code(r) == "LayerNotDefined"
        # nationally the layer stays (the other demo громади publish their settlements), without this one
        assert _info(client, "/ows", GAP_LAYER, f["lon"], f["lat"]).json()["features"] == []
        r = wms(client, f"/{demo}/ows", SERVICE="WMS", REQUEST="GetLegendGraphic", LAYER=GAP_LAYER,
                FORMAT="image/png")
        assert exception_code(r) == "LayerNotDefined"
        full = etree.fromstring(wms(client, f"/{demo}/ows", planner, SERVICE="WMS",
                                    REQUEST="GetCapabilities").content)
        assert GAP_LAYER in _layers(full)
        image = _map(client, demo, f["lon"], f["lat"], headers=planner)
        assert image.getpixel((32, 32))[3] == 255
        found = _info(client, f"/{demo}/ows", GAP_LAYER, f["lon"], f["lat"], headers=planner).json()["features"]
        assert found[0]["id"] == f["id"]
    finally:
        with engine.begin() as conn:
            set_published(conn, "settlements", demo, True, "tests")
        CACHE.clear()


def test_anonymous_result_leaves_out_rows_that_are_not_public(client, demo, planner, engine):
    """A settlement row marked not public is not in the anonymous gap, but is in the planner's."""
    from sqlalchemy import text

    from gisplan.publish.wms_service import CACHE

    f = _uncovered(client, planner, demo)
    with engine.begin() as conn:
        conn.execute(text("UPDATE settlements SET public = false WHERE hromada = :h AND katottg = :k"),
                     {"h": demo, "k": f["id"]})
    CACHE.clear()
    try:
        assert _map(client, demo, f["lon"], f["lat"]).getpixel((32, 32))[3] == 0
        assert _map(client, demo, f["lon"], f["lat"], headers=planner).getpixel((32, 32))[3] == 255
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE settlements SET public = true WHERE hromada = :h AND katottg = :k"),
                         {"h": demo, "k": f["id"]})


# ---------------------------------------------------------------- real clients
@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_owslib_lists_and_draws_the_computed_layers(server, demo, planner, client, version):  # noqa: F811
    from owslib.wms import WebMapService

    service = WebMapService(f"{server}/ows", version=version)
    assert {GAP_LAYER, "indicator.alert", "indicator.alert.settlements"} <= set(service.contents)
    layer = service[GAP_LAYER]
    assert layer.title and layer.styles["default"]["legend"]
    assert layer.parent is not None and layer.parent.title == "Прогалини"
    f = _uncovered(client, planner, demo)
    bbox = (f["lon"] - HALF, f["lat"] - HALF, f["lon"] + HALF, f["lat"] + HALF)
    data = service.getmap(layers=[GAP_LAYER], styles=[""], srs="CRS:84" if version == "1.3.0" else "EPSG:4326",
                          bbox=bbox, size=(65, 65), format="image/png", transparent=True).read()
    assert Image.open(io.BytesIO(data)).convert("RGBA").getpixel((32, 32))[3] == 255


@pytest.mark.skipif(shutil.which("gdalinfo") is None, reason="gdal-bin (Makefile TEST_APT_PACKAGES)")
def test_gdal_lists_the_computed_layers(server, demo):  # noqa: F811
    info = subprocess.run(["gdalinfo", f"WMS:{server}/{demo}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"],
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert f"LAYERS={GAP_LAYER}" in info.stdout and "LAYERS=indicator.alert.settlements" in info.stdout

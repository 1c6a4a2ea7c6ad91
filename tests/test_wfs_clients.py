"""Real clients against the WFS 2.0 on a live server (loopback), over the demo громади: OWSLib's
WebFeatureService (2.0.0) and GDAL (``ogrinfo WFS:``, ``ogr2ogr`` from it) read every published
demo layer with the counts of the pub views, page through them without loss or repetition, and
put the features where PostGIS has them (axis order)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from lxml import etree
from sqlalchemy import text

from gisplan.demo import load_demo
from tests.live_server import live_server
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK

WFS = "{http://www.opengis.net/wfs/2.0}"
GML = "{http://www.opengis.net/gml/3.2}"
DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)
gdal = pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin (Makefile TEST_APT_PACKAGES)")


@pytest.fixture(scope="module")
def demo(engine):
    """The demo громади, and per published demo layer the number of rows in its pub view there."""
    from gisplan.publish.wms_service import CACHE

    load_demo(engine, user="wfs-test")
    CACHE.clear()
    with engine.connect() as conn:
        layers = conn.execute(text("SELECT DISTINCT layer FROM dataset WHERE published AND hromada = ANY(:h) "
                                   "ORDER BY layer"), {"h": list(DEMO)}).scalars().all()
        counts = {layer: conn.execute(text(f'SELECT count(*) FROM pub."{layer}" WHERE hromada = ANY(:h)'),
                                      {"h": list(DEMO)}).scalar_one() for layer in layers}
    assert {"schools", "shelters", "settlements", "hromady"} <= set(counts)
    return counts


@pytest.fixture(scope="module")
def server(app, demo):
    with live_server(app) as url:
        yield url


def _members(response) -> tuple[list[str], str | None]:
    doc = etree.fromstring(response.read())
    assert doc.tag == f"{WFS}FeatureCollection", etree.tostring(doc)[:500]
    return [m[0].get(f"{GML}id") for m in doc.findall(f"{WFS}member")], doc.get("next")


@pytest.mark.parametrize("code", DEMO)
def test_owslib_reads_every_published_layer_page_by_page(server, engine, demo, code):
    from owslib.wfs import WebFeatureService

    service = WebFeatureService(f"{server}/{code}/ows", version="2.0.0")
    with engine.connect() as conn:
        expected = {layer: conn.execute(text(f'SELECT count(*) FROM pub."{layer}" WHERE hromada = :h'),
                                        {"h": code}).scalar_one()
                    for layer in conn.execute(text("SELECT layer FROM dataset WHERE published AND hromada = :h"),
                                              {"h": code}).scalars()}
    assert set(service.contents) == {f"gp:{layer}" for layer in expected}
    assert all(t.crsOptions[0].code == 4326 for t in service.contents.values())
    for layer, count in expected.items():
        seen: list[str] = []
        start = 0
        while True:
            ids, more = _members(service.getfeature(typename=[f"gp:{layer}"], maxfeatures=40, startindex=start))
            seen += ids
            start += 40
            if not more:
                break
        assert len(seen) == len(set(seen)) == count, layer


@gdal
def test_gdal_ogrinfo_counts_every_demo_layer(server, engine, demo):
    with engine.connect() as conn:
        national = {layer: conn.execute(text(f'SELECT count(*) FROM pub."{layer}"')).scalar_one() for layer in demo}
    run = subprocess.run(["ogrinfo", "-ro", "-so", "-al", f"WFS:{server}/ows?SERVICE=WFS&VERSION=2.0.0"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    counts = dict(re.findall(r"Layer name: gp:(\w+)\n(?:.*\n)*?Feature Count: (\d+)", run.stdout))
    for layer, count in national.items():
        assert int(counts[layer]) == count, (layer, run.stdout[-2000:])
    assert counts.get("cctv_cameras", "0") == "0"  # published, but its row filter lets no camera out


@gdal
@pytest.mark.parametrize("layer", ["shelters", "schools", "settlements", "tourist_routes"])
def test_ogr2ogr_copies_a_layer_with_paging_in_the_right_place(server, engine, demo, layer, tmp_path):
    if layer not in demo:
        pytest.skip(f"{layer} has no published demo dataset")
    with engine.connect() as conn:  # the demo громада with the most of them
        code = conn.execute(text(f'SELECT hromada FROM pub."{layer}" WHERE hromada = ANY(:h) GROUP BY hromada '
                                 'ORDER BY count(*) DESC LIMIT 1'), {"h": list(DEMO)}).scalar_one()
    out = tmp_path / f"{layer}.geojson"
    run = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "--config", "OGR_WFS_PAGING_ALLOWED", "ON", "--config", "OGR_WFS_PAGE_SIZE", "37",
         "-t_srs", "EPSG:4326", "-lco", "RFC7946=YES", str(out), f"WFS:{server}/{code}/ows", f"gp:{layer}"],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    features = json.loads(out.read_text())["features"]
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            f'SELECT id::text, ST_X(ST_PointOnSurface(coalesce(geom{", point" if layer == "settlements" else ""}))) '
            f'FROM pub."{layer}" WHERE hromada = :h'), {"h": code}).all())
    ids = [f["properties"]["id"] for f in features]
    assert len(ids) == len(set(ids)) == len(rows)
    for feature in features[:60]:
        geometry = feature["geometry"]
        if geometry is None:  # a settlement known by its code only (located = false)
            assert rows[feature["properties"]["id"]] is None
            continue
        if geometry["type"] == "Point":  # x is the longitude after GDAL read the lat,lon of EPSG:4326
            assert geometry["coordinates"][0] == pytest.approx(rows[feature["properties"]["id"]], abs=1e-6)
        coords = json.dumps(geometry["coordinates"])
        first = [float(v) for v in re.findall(r"-?\d+\.?\d*", coords)[:2]]
        assert 26 < first[0] < 38 and 48 < first[1] < 51, (layer, first)  # lon ≈ 27.8–36.4, lat ≈ 49–50


@gdal
def test_gdal_attribute_and_spatial_filters_go_to_the_server(server, engine, demo, tmp_path):
    """ogr2ogr -where / -spat become FES 2.0 FILTER and BBOX (the server declares the Minimum
    Standard Filter); the copied features are those SQL finds."""
    with engine.connect() as conn:
        name, code = conn.execute(text('SELECT name, hromada FROM pub."schools" WHERE hromada = ANY(:h) '
                                       'AND name IS NOT NULL ORDER BY id LIMIT 1'), {"h": list(DEMO)}).one()
        same = conn.execute(text('SELECT count(*) FROM pub."schools" WHERE hromada = :c AND name = :n'),
                            {"c": code, "n": name}).scalar_one()
    out = tmp_path / "one.geojson"
    quoted = name.replace("'", "''")
    run = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-where", f"name = '{quoted}'", str(out),
                          f"WFS:{server}/{code}/ows", "gp:schools", "--debug", "on"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "FILTER=" in run.stderr  # GDAL sent the filter rather than filtering itself
    features = json.loads(out.read_text())["features"]
    assert len(features) == same >= 1 and {f["properties"]["name"] for f in features} == {name}

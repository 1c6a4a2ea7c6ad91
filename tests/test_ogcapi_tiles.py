"""OGC API – Tiles (issue 17) over the vector tiles: the WebMercatorQuad tile matrix set (TMS 2.0),
tilesets of a collection, links from the landing page and the collection, conformance classes, tiles
that are byte for byte the ``/tiles`` tiles with the same ETag, and GDAL reading a tile of a
громада's tileset from a live server."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import text

from gisplan.publish.ogcapi.tiles import TMS_URI
from tests.live_server import live_server
from tests.conftest import KREMENCHUK
from tests.test_tiles import SECRET_PHONE, tile_of, world  # noqa: F401  (the module's data fixture)

BASE = "/ogcapi"
TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"


def rels(doc: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in doc["links"]}


def test_landing_conformance_and_collection_link_the_tiles(client, world):  # noqa: F811
    landing = rels(client.get(BASE).json())
    assert landing["http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"].endswith("/ogcapi/tileMatrixSets")
    conf = client.get(f"{BASE}/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conf
    collection = rels(client.get(f"{BASE}/collections/shelters").json())
    assert collection[TILESETS_REL].endswith("/ogcapi/collections/shelters/tiles")


def test_web_mercator_quad_is_the_tms_2_definition(client):
    sets = client.get(f"{BASE}/tileMatrixSets").json()["tileMatrixSets"]
    assert [s["id"] for s in sets] == ["WebMercatorQuad"]
    tms = client.get(f"{BASE}/tileMatrixSets/WebMercatorQuad").json()
    assert tms["uri"] == TMS_URI and tms["crs"].endswith("/EPSG/0/3857")
    m0, m12 = tms["tileMatrices"][0], tms["tileMatrices"][12]
    assert (m0["matrixWidth"], m12["matrixWidth"], m12["tileWidth"]) == (1, 4096, 256)
    assert m0["scaleDenominator"] == pytest.approx(559082264.028717)
    assert m0["cellSize"] == pytest.approx(156543.033928041)
    assert m0["pointOfOrigin"] == pytest.approx([-20037508.3427892, 20037508.3427892])
    assert client.get(f"{BASE}/tileMatrixSets/WorldCRS84Quad").status_code == 404


def test_tileset_limits_and_template(client, world):  # noqa: F811
    listed = client.get(f"{BASE}/collections/shelters/tiles").json()["tilesets"]
    assert len(listed) == 1 and listed[0]["dataType"] == "vector" and listed[0]["tileMatrixSetURI"] == TMS_URI
    tileset = client.get(f"{BASE}/collections/shelters/tiles/WebMercatorQuad").json()
    template = next(link for link in tileset["links"] if link["rel"] == "item")
    assert template["type"] == "application/vnd.mapbox-vector-tile" and template["templated"] is True
    assert template["href"].endswith("/ogcapi/collections/shelters/tiles/WebMercatorQuad/"
                                     "{tileMatrix}/{tileRow}/{tileCol}")
    x, y = tile_of(*world["krem"], 12)
    z12 = next(lim for lim in tileset["tileMatrixSetLimits"] if lim["tileMatrix"] == "12")
    assert z12["minTileCol"] <= x <= z12["maxTileCol"] and z12["minTileRow"] <= y <= z12["maxTileRow"]
    assert client.get(f"{BASE}/collections/no_such_layer/tiles").status_code == 404


def test_ogc_tiles_are_the_tiles_of_tiles(client, world):  # noqa: F811
    z = 12
    x, y = tile_of(*world["krem"], z)
    for prefix in ("", f"/{KREMENCHUK}"):
        plain = client.get(f"{prefix}/tiles/shelters/{z}/{x}/{y}.mvt")
        ogc = client.get(f"{prefix}/ogcapi/collections/shelters/tiles/WebMercatorQuad/{z}/{y}/{x}")
        assert ogc.status_code == plain.status_code == 200
        assert ogc.content == plain.content and ogc.headers["etag"] == plain.headers["etag"]
        assert ogc.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        again = client.get(f"{prefix}/ogcapi/collections/shelters/tiles/WebMercatorQuad/{z}/{y}/{x}",
                           headers={"If-None-Match": ogc.headers["etag"]})
        assert again.status_code == 304
    assert client.get(f"{BASE}/collections/shelters/tiles/WebMercatorQuad/12/{y}/99999").status_code == 400


@pytest.fixture(scope="module")
def server(app, world):  # noqa: F811

    with live_server(app) as url:
        yield url


def test_gdal_reads_an_ogc_tile_from_the_tileset_template(server, engine, world, tmp_path):  # noqa: F811
    """GDAL's MVT driver decodes the tile at the tileset's URL template (the OGCAPI driver of Debian's
    GDAL 3.6 reads our tilesets and TMS but makes no vector layer of them; see docs/scaling.md)."""
    assert shutil.which("ogrinfo"), "gdal-bin (Makefile TEST_APT_PACKAGES)"
    import httpx

    tileset = httpx.get(f"{server}/{KREMENCHUK}/ogcapi/collections/shelters/tiles/WebMercatorQuad").json()
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    z = 12
    x, y = tile_of(*world["krem"], z)
    url = template.replace("{tileMatrix}", str(z)).replace("{tileRow}", str(y)).replace("{tileCol}", str(x))
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    tile = tmp_path / "tile.mvt"  # Debian's GDAL 3.6 opens MVT from files (not over /vsicurl/)
    tile.write_bytes(answer.content)
    options = ["-oo", "CLIP=NO", "-oo", f"Z={z}", "-oo", f"X={x}", "-oo", f"Y={y}"]  # the buffer's features too
    proc = subprocess.run(["ogrinfo", "-ro", "-al", "-q", *options, f"MVT:{tile}"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    codes = set(re.findall(r"^\s*code \(String\) = (.+)$", proc.stdout, re.M))
    points = [tuple(map(float, p)) for p in re.findall(r"POINT \(([-\d.]+) ([-\d.]+)\)", proc.stdout)]
    with engine.connect() as conn:
        expected = set(conn.execute(text(
            "SELECT code FROM pub.shelters t WHERE hromada = :h AND code IS NOT NULL AND "
            "ST_Intersects(ST_Transform(t.geom, 3857), ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096))"),
            {"h": KREMENCHUK, "z": z, "x": x, "y": y}).scalars())
    assert "tiles-secret" in codes
    assert codes == expected
    # georeferenced by GDAL from Z/X/Y in EPSG:3857: inside the tile with its buffer
    west, north = -20037508.3427892 + x * 40075016.6855784 / 4096, 20037508.3427892 - y * 40075016.6855784 / 4096
    size = 40075016.6855784 / 4096 * (1 + 2 * 64 / 4096)
    assert points and all(west - size <= px <= west + size and north - size <= py <= north + size for px, py in points)


def test_gdal_ogcapi_driver_lists_the_collections_and_reads_a_layer(server, engine, world):  # noqa: F811
    """Debian's GDAL 3.6 OGCAPI driver: the landing page gives every published collection as a
    subdataset, and a collection opened with API=ITEMS (GDAL's OGC API – Features reader) is one
    layer with every published feature and its properties. Its API=TILES path opens nothing (no
    message) for our tilesets as for altered copies of them: see docs/scaling.md."""
    assert shutil.which("ogrinfo"), "gdal-bin (Makefile TEST_APT_PACKAGES)"
    landing = subprocess.run(["ogrinfo", "-ro", f"OGCAPI:{server}/ogcapi"], capture_output=True, text=True,
                             timeout=120)
    assert landing.returncode == 0, landing.stderr
    subdatasets = dict(re.findall(r"SUBDATASET_\d+_NAME=OGCAPI:(\S+/collections/(\w+)\?f=json)", landing.stdout))
    subdatasets = {name: url for url, name in subdatasets.items()}
    with engine.connect() as conn:
        published = set(conn.execute(text("SELECT DISTINCT layer FROM dataset WHERE published")).scalars())
        expected = set(conn.execute(text("SELECT code FROM pub.shelters WHERE code IS NOT NULL")).scalars())
        total = conn.execute(text("SELECT count(*) FROM pub.shelters")).scalar_one()
    assert {"shelters", "hromady"} <= set(subdatasets) <= published
    read = subprocess.run(["ogrinfo", "-ro", "-al", "-q", "-oo", "API=ITEMS", f"OGCAPI:{subdatasets['shelters']}"],
                          capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr
    assert read.stdout.count("OGRFeature(shelters)") == total > 0
    codes = set(re.findall(r"^\s*code \(String\) = (.+)$", read.stdout, re.M)) - {"(null)"}  # GDAL's null
    assert codes == expected
    assert "tiles-secret" in expected and SECRET_PHONE not in read.stdout  # public fields only

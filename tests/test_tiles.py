"""Vector tiles (issue 17): MVT decoded by mapbox-vector-tile and by GDAL, feature counts against SQL on
the pub view for the tile's envelope, no hidden field or unpublished dataset for anonymous callers,
strong ETag with 304, an edit that changes its own tile's ETag and nobody else's (cache hit/miss
counters), 204 for empty tiles, 400 naming z/x/y, TileJSON 3.0, and the byte bound of the LRU."""

from __future__ import annotations

import math
import shutil
import subprocess

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from gisplan.catalog import catalog
from gisplan.datasets import set_published
from gisplan.db.derived import pub_columns
from gisplan.demo import load_demo
from gisplan.features import create_feature, update_feature
from gisplan.publish.tiles.cache import ENTRY_OVERHEAD, TileCache
from gisplan.publish.tiles.service import tile_service
from tests.conftest import BALAKLIIA, KREMENCHUK, auth

UNPUBLISHED = "UA63140110000087562"  # Слобожанська (Kharkiv oblast): its shelters stay unpublished
SECRET_PHONE = "+380 99 000 33 44 (tiles-secret)"
HIDDEN_NAME = "Укриття неоприлюднене tiles-hidden"
MARGIN = 64 / 4096  # the default buffer of GISPLAN_TILES_BUFFER over GISPLAN_TILES_EXTENT


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _point_in(engine, code: str) -> tuple[float, float]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                                       "FROM hromady WHERE hromada = :h) s"), {"h": code}).one())


def _version(engine, fid) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM shelters WHERE id = :i"), {"i": fid}).scalar_one()


@pytest.fixture(scope="module")
def world(engine):
    """The demo (published), a Кременчуцька shelter with a sensitive phone, a Балаклійська shelter
    (dataset published here), and a shelter of a громада whose dataset is not published."""
    load_demo(engine, user="tiles-test")
    krem, bal, hidden = _point_in(engine, KREMENCHUK), _point_in(engine, BALAKLIIA), _point_in(engine, UNPUBLISHED)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'tiles-%'"))
        secret = create_feature(conn, "shelters", {
            "hromada": KREMENCHUK, "code": "tiles-secret", "name": "Укриття tiles", "capacity": 40,
            "key_holder_phone": SECRET_PHONE}, {"type": "Point", "coordinates": list(krem)}, "tiles-test")
        create_feature(conn, "shelters", {"hromada": BALAKLIIA, "code": "tiles-bal", "name": "Укриття tiles Б",
                                          "capacity": 12}, {"type": "Point", "coordinates": list(bal)}, "tiles-test")
        set_published(conn, "shelters", BALAKLIIA, True, "tiles-test")
        create_feature(conn, "shelters", {"hromada": UNPUBLISHED, "code": "tiles-hidden", "name": HIDDEN_NAME,
                                          "capacity": 5}, {"type": "Point", "coordinates": list(hidden)}, "tiles-test")
        assert not conn.execute(text("SELECT published FROM dataset WHERE layer = 'shelters' AND hromada = :h"),
                                {"h": UNPUBLISHED}).scalar()
    return {"krem": krem, "bal": bal, "hidden": hidden, "secret": secret["id"]}


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body)


def pub_count_in_tile(engine, layer: str, z: int, x: int, y: int, hromada: str | None = None) -> int:
    """Rows of the pub view inside the tile with its buffer, found in EPSG:3857 (not as the service does)."""
    sql = (f'SELECT count(*) FROM pub."{layer}" t WHERE ST_Intersects(ST_Transform(t.geom, 3857), '
           "ST_TileEnvelope(:z, :x, :y, margin => :m))")
    params = {"z": z, "x": x, "y": y, "m": MARGIN}
    if hromada:
        sql += " AND t.hromada = :h"
        params["h"] = hromada
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


@pytest.mark.parametrize("z", [8, 10, 12])
def test_feature_counts_match_the_pub_view(client, engine, world, z):
    x, y = tile_of(*world["krem"], z)
    r = client.get(f"/tiles/shelters/{z}/{x}/{y}.mvt")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    features = decode(r.content)["shelters"]["features"]
    expected = pub_count_in_tile(engine, "shelters", z, x, y)
    assert expected >= 1
    assert len(features) == expected
    one = client.get(f"/{KREMENCHUK}/tiles/shelters/{z}/{x}/{y}.mvt")
    assert len(decode(one.content)["shelters"]["features"]) == pub_count_in_tile(engine, "shelters", z, x, y,
                                                                                 KREMENCHUK)


def test_schools_of_a_hromada_match_too(client, engine, world):
    with engine.connect() as conn:
        lon, lat, code = conn.execute(text("SELECT ST_X(geom), ST_Y(geom), hromada FROM pub.schools "
                                           "WHERE geom IS NOT NULL ORDER BY code LIMIT 1")).one()
    for z in (9, 11):
        x, y = tile_of(lon, lat, z)
        r = client.get(f"/{code}/tiles/schools/{z}/{x}/{y}.mvt")
        assert r.status_code == 200, r.text
        assert len(decode(r.content)["schools"]["features"]) == pub_count_in_tile(engine, "schools", z, x, y, code)


def test_only_public_fields_and_published_datasets(client, engine, world, make_user):
    z = 12
    x, y = tile_of(*world["krem"], z)
    features = decode(client.get(f"/tiles/shelters/{z}/{x}/{y}.mvt").content)["shelters"]["features"]
    public = set(pub_columns(catalog().get("shelters"))) - {"geom"}
    assert "key_holder_phone" not in public
    for f in features:
        assert set(f["properties"]) <= public
        assert SECRET_PHONE not in f["properties"].values()
    assert any(f["properties"].get("code") == "tiles-secret" for f in features)

    hx, hy = tile_of(*world["hidden"], z)
    national = client.get(f"/tiles/shelters/{z}/{hx}/{hy}.mvt")
    if national.status_code == 200:
        names = [f["properties"].get("name") for f in decode(national.content)["shelters"]["features"]]
        assert HIDDEN_NAME not in names
    else:
        assert national.status_code == 204
    assert client.get(f"/{UNPUBLISHED}/tiles/shelters/{z}/{hx}/{hy}.mvt").status_code == 204

    # a signed-in reader of that громада sees its full table, privately
    _, _, token = make_user("viewer", (UNPUBLISHED,))
    mine = client.get(f"/{UNPUBLISHED}/tiles/shelters/{z}/{hx}/{hy}.mvt", headers=auth(token))
    assert mine.status_code == 200
    assert mine.headers["cache-control"].startswith("private")
    assert HIDDEN_NAME in [f["properties"].get("name") for f in decode(mine.content)["shelters"]["features"]]


def test_etag_304_and_an_edit_changes_its_own_tile_only(client, engine, world):
    service = tile_service(engine)
    z = 12
    kx, ky = tile_of(*world["krem"], z)
    bx, by = tile_of(*world["bal"], z)
    k_url, b_url = f"/tiles/shelters/{z}/{kx}/{ky}.mvt", f"/tiles/shelters/{z}/{bx}/{by}.mvt"
    k1, b1 = client.get(k_url), client.get(b_url)
    assert k1.status_code == b1.status_code == 200
    assert k1.headers["cache-control"] == service.settings.cache_control
    k_etag, b_etag = k1.headers["etag"], b1.headers["etag"]
    assert k_etag.startswith('"') and not k_etag.startswith("W/") and k_etag != b_etag

    again = client.get(k_url, headers={"If-None-Match": k_etag})
    assert again.status_code == 304 and again.headers["etag"] == k_etag and again.content == b""
    assert client.get(k_url, headers={"If-None-Match": '"other"'}).status_code == 200

    before = service.cache.stats()
    assert client.get(k_url).content == k1.content
    assert service.cache.stats().hits == before.hits + 1  # served from the cache

    with engine.begin() as conn:
        update_feature(conn, "shelters", world["secret"], _version(engine, world["secret"]),
                       {"capacity": 41}, None, "tiles-test")

    before = service.cache.stats()
    k2 = client.get(k_url, headers={"If-None-Match": k_etag})
    assert k2.status_code == 200 and k2.headers["etag"] != k_etag
    edited = [f for f in decode(k2.content)["shelters"]["features"] if f["properties"].get("code") == "tiles-secret"]
    assert edited[0]["properties"]["capacity"] == 41
    after_k = service.cache.stats()
    assert after_k.misses == before.misses + 1  # the edited tile is drawn again

    b2 = client.get(b_url, headers={"If-None-Match": b_etag})
    assert b2.status_code == 304 and b2.headers["etag"] == b_etag  # the other dataset's tile did not change
    b3 = client.get(b_url)
    assert b3.content == b1.content
    after_b = service.cache.stats()
    assert (after_b.hits, after_b.misses) == (after_k.hits + 1, after_k.misses)  # and came from the cache


def test_empty_tiles_are_204_and_bad_addresses_400(client, world):
    x, y = tile_of(-30.0, 0.0, 10)  # the Atlantic
    r = client.get(f"/tiles/shelters/10/{x}/{y}.mvt")
    assert r.status_code == 204 and r.headers["etag"]
    for url, name in (("/tiles/shelters/99/0/0.mvt", "z"), ("/tiles/shelters/-1/0/0.mvt", "z"),
                      ("/tiles/shelters/3/abc/0.mvt", "x"), ("/tiles/shelters/3/8/0.mvt", "x"),
                      ("/tiles/shelters/3/0/8.mvt", "y"), (f"/{KREMENCHUK}/tiles/shelters/2/0/9.mvt", "y")):
        bad = client.get(url)
        assert bad.status_code == 400, url
        assert bad.json()["detail"].startswith(f"{name}: "), bad.json()
    assert client.get("/tiles/nosuchlayer/3/0/0.mvt").status_code == 404
    assert client.get("/UA00000000000000000/tiles/shelters/3/0/0.mvt").status_code == 404


def test_tilejson(client, world):
    doc = client.get("/tiles/shelters.json").json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"][0].endswith("/tiles/shelters/{z}/{x}/{y}.mvt")
    fields = doc["vector_layers"][0]["fields"]
    assert doc["vector_layers"][0]["id"] == "shelters" and "capacity" in fields
    assert "key_holder_phone" not in fields
    west, south, east, north = doc["bounds"]
    for lon, lat in (world["krem"], world["bal"]):
        assert west <= lon <= east and south <= lat <= north
    one = client.get(f"/{KREMENCHUK}/tiles/shelters.json").json()
    assert one["tiles"][0].endswith(f"/{KREMENCHUK}/tiles/shelters/{{z}}/{{x}}/{{y}}.mvt")
    assert one["bounds"][2] < world["bal"][0]  # Балаклійська lies east of Кременчуцька's datasets
    assert client.get("/tiles/nosuchlayer.json").status_code == 404


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_a_tile(client, engine, world, tmp_path):
    z = 10
    x, y = tile_of(*world["krem"], z)
    r = client.get(f"/tiles/shelters/{z}/{x}/{y}.mvt")
    path = tmp_path / str(z) / str(x) / f"{y}.pbf"  # GDAL reads z/x/y from the path
    path.parent.mkdir(parents=True)
    path.write_bytes(r.content)
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True)
    assert "Layer name: shelters" in out.stdout
    count = int(out.stdout.split("Feature Count: ")[1].split()[0])
    assert count == pub_count_in_tile(engine, "shelters", z, x, y)


def test_cache_is_bounded_in_bytes():
    cache = TileCache(max_bytes=3 * (100 + ENTRY_OVERHEAD))
    for i in range(3):
        cache.put(i, b"x" * 100)
    assert cache.get(0) is not None  # 0 is now the most recent
    cache.put(3, b"y" * 100)  # evicts 1, the least recently used
    assert cache.get(1) is None and cache.get(0) is not None and cache.get(3) is not None
    s = cache.stats()
    assert s.entries == 3 and s.bytes <= s.max_bytes and s.misses == 1
    cache.put("big", b"z" * 10_000)  # larger than the cache: not kept, nothing evicted
    assert cache.get("big") is None and cache.stats().entries == 3

"""OGC API – Features (issue 10, part A) through the app: landing, conformance, OpenAPI 3.0, collections
with their links, items with paging, bbox, datetime, CRS, property and CQL2 filters, single items,
HTML views; and what an anonymous caller must never see: a sensitive shelter field and the features
of an unpublished dataset."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text

from gisplan.catalog import catalog
from gisplan.db.models import dataset
from gisplan.demo import load_demo
from gisplan.features import create_feature
from tests.conftest import KHMILNYK, KREMENCHUK, auth

# Слобожанська громада of Kharkiv oblast: not a demo громада, its shelters dataset stays unpublished
UNPUBLISHED = "UA63140110000087562"
SHELTERS_AT = KREMENCHUK  # the demo has no shelters in Хмільницька
SECRET_PHONE = "+380 99 000 11 22 (ogcapi-secret)"
SECRET_EDRPOU = "99887766"
HIDDEN_NAME = "Укриття неоприлюднене ogcapi-hidden"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def _point_in(engine, code: str) -> dict:
    with engine.connect() as conn:
        x, y = conn.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                                 "FROM hromady WHERE hromada = :h) s"), {"h": code}).one()
    return {"type": "Point", "coordinates": [x, y]}


@pytest.fixture(scope="module")
def world(engine):
    """The demo громади (published), Кременчуцька shelters with capacities, kinds and dates (the
    demo's archive rows have none), one with its sensitive fields filled in, and a shelter in a
    громада whose dataset is not published."""
    load_demo(engine, user="ogcapi-test")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'ogcapi-%'"))  # a reused test database
        for n, (capacity, kind, since) in enumerate(((10, "simple", "2018-03-01"), (50, "dual_use", None),
                                                     (120, "blast_shelter", "2022-09-01"), (None, None, None),
                                                     (300, "anti_radiation", "2015-01-01"))):
            create_feature(conn, "shelters", {"hromada": SHELTERS_AT, "code": f"ogcapi-{n}", "capacity": capacity,
                                              "kind": kind, "installed_at": since, "name": f"Укриття ogcapi {n}"},
                           _point_in(engine, SHELTERS_AT), "ogcapi-test")
        secret = create_feature(conn, "shelters", {
            "hromada": SHELTERS_AT, "code": "ogcapi-secret", "name": "Укриття з прихованими полями",
            "capacity": 77, "installed_at": "2020-05-01", "key_holder_phone": SECRET_PHONE,
            "owner_edrpou": SECRET_EDRPOU, "notes": "службова примітка ogcapi"}, _point_in(engine, SHELTERS_AT),
            "ogcapi-test")
        hidden = create_feature(conn, "shelters", {"hromada": UNPUBLISHED, "code": "ogcapi-hidden",
                                                   "name": HIDDEN_NAME, "capacity": 5},
                                _point_in(engine, UNPUBLISHED), "ogcapi-test")
        published = conn.execute(select(dataset.c.published).where(
            dataset.c.layer == "shelters", dataset.c.hromada == UNPUBLISHED)).scalar()
        assert not published
    return {"secret": secret["id"], "hidden": hidden["id"]}


def pub_count(engine, layer: str, hromada: str | None = None, where: str = "true", **params) -> int:
    sql = f'SELECT count(*) FROM pub."{layer}" t WHERE {where}'
    if hromada:
        sql += " AND t.hromada = :h"
        params["h"] = hromada
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def all_pages(client, url: str, params: dict | None = None, headers=None) -> list[dict]:
    """Every feature, following the next links; asserts each page's links are sound."""
    features, seen_urls = [], set()
    r = client.get(url, params=params, headers=headers)
    while True:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        doc = r.json()
        assert doc["type"] == "FeatureCollection" and doc["numberReturned"] == len(doc["features"])
        assert "numberMatched" not in doc
        features += doc["features"]
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        if not nxt:
            return features
        assert nxt[0] not in seen_urls
        seen_urls.add(nxt[0])
        r = client.get(nxt[0], headers=headers)


def _rel(doc: dict, rel: str) -> list[dict]:
    return [link for link in doc["links"] if link["rel"] == rel]


# ------------------------------------------------------------------ landing, conformance, OpenAPI
@pytest.mark.parametrize("base", ["/ogcapi", f"/{KHMILNYK}/ogcapi"])
def test_landing_and_conformance(client, world, base):
    doc = client.get(base).json()
    desc = _rel(doc, "service-desc")[0]
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert desc["href"].endswith(f"{base}/api")
    assert _rel(doc, "data")[0]["href"].endswith(f"{base}/collections")
    assert _rel(doc, "conformance")
    conf = client.get(f"{base}/conformance").json()["conformsTo"]
    for cls in ("core", "oas30", "geojson", "html"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in conf
    assert client.get(base, headers={"Origin": "https://nsdi.gov.ua"}).headers[
        "access-control-allow-origin"] in ("*", "https://nsdi.gov.ua")


@pytest.mark.parametrize("base", ["/ogcapi", f"/{SHELTERS_AT}/ogcapi"])
def test_openapi_is_a_valid_3_0_document_of_this_api(client, world, base):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator

    r = client.get(f"{base}/api")
    assert r.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    doc = r.json()
    assert doc["openapi"].startswith("3.0.")
    validate(doc, cls=OpenAPIV30SpecValidator)
    assert doc["servers"][0]["url"].endswith(base)
    assert "/collections/shelters/items" in doc["paths"]
    assert not any(p.startswith("/api/") for p in doc["paths"])  # this API only, not the whole app
    names = {p.get("name") for p in doc["paths"]["/collections/shelters/items"]["get"]["parameters"]}
    assert {"capacity", "kind"} <= names and not names & {"owner_edrpou", "key_holder_phone", "notes"}
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")  # why ours is separate
    broken = json.loads(json.dumps(doc))
    del broken["paths"]["/collections"]["get"]["responses"]
    with pytest.raises(Exception):
        validate(broken, cls=OpenAPIV30SpecValidator)


# ------------------------------------------------------------------ collections
def test_hromada_collections_link_metadata_licence_and_files(client, engine, world):
    doc = client.get(f"/{KHMILNYK}/ogcapi/collections").json()
    # the computed gap collections (gap.*) follow the catalogue's: tests/test_gap_publication.py
    doc["collections"] = [c for c in doc["collections"] if not c["id"].startswith("gap.")]
    ids = [c["id"] for c in doc["collections"]]
    with engine.connect() as conn:
        rows = {r.layer: r for r in conn.execute(select(dataset).where(
            dataset.c.hromada == KHMILNYK, dataset.c.published))}
    assert ids == [name for name in catalog().names() if name in rows]
    assert "schools" in ids and "shelters" not in ids and len(ids) >= 10
    for c in doc["collections"]:
        described = _rel(c, "describedby")
        assert len(described) == 1 and described[0]["type"] == "application/xml"
        assert described[0]["href"].endswith(f"/metadata/{rows[c['id']].metadata_uuid}.xml")
        assert _rel(c, "license")[0]["href"].startswith("https://creativecommons.org/")
        enclosures = {e["type"]: e["href"] for e in _rel(c, "enclosure")}
        assert enclosures == {
            "application/geo+json": f"http://testserver/{KHMILNYK}/downloads/{c['id']}.geojson",
            "application/geopackage+sqlite3": f"http://testserver/{KHMILNYK}/downloads/{c['id']}.gpkg"}
        assert c["crs"][0] == CRS84 and EPSG.format(5561) in c["crs"]
        west, south, east, north = c["extent"]["spatial"]["bbox"][0]
        assert 26 < west < east < 30 and 49 < south < north < 50.2  # Хмільницька, Vinnytsia oblast
    record = client.get(urlsplit(_rel(doc["collections"][ids.index("schools")], "describedby")[0]["href"]).path)
    assert record.status_code == 200 and b"MD_Metadata" in record.content


def test_unknown_and_unpublished_collections_are_not_found(client, world):
    r = client.get(f"/{UNPUBLISHED}/ogcapi/collections/shelters")
    assert r.status_code == 404 and "no published dataset" in r.json()["description"]
    assert client.get(f"/{UNPUBLISHED}/ogcapi/collections").json()["collections"] == []
    r = client.get("/ogcapi/collections/nonesuch")
    assert r.status_code == 404 and "no such layer" in r.json()["description"]
    assert client.get("/UA00000000000000000/ogcapi").status_code == 404


def test_national_collection_links_every_published_dataset(client, engine, world):
    c = client.get("/ogcapi/collections/shelters").json()
    with engine.connect() as conn:
        published = conn.execute(select(dataset.c.hromada).where(
            dataset.c.layer == "shelters", dataset.c.published)).scalars().all()
    assert len(_rel(c, "describedby")) == len(published) >= 2
    assert len(_rel(c, "enclosure")) == 2 * len(published)
    assert not any(UNPUBLISHED in link["href"] for link in c["links"])


# ------------------------------------------------------------------ items and paging
@pytest.mark.parametrize("base, hromada", [("/ogcapi", None), (f"/{SHELTERS_AT}/ogcapi", SHELTERS_AT)])
def test_paging_returns_every_feature_once(client, engine, world, base, hromada):
    features = all_pages(client, f"{base}/collections/shelters/items", {"limit": 7})
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == pub_count(engine, "shelters", hromada)
    assert world["secret"] in ids if hromada else True


def test_default_and_maximum_limits_and_prev_links(client, world):
    first = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/items").json()
    assert first["numberReturned"] == 10 and not _rel(first, "prev")
    second = client.get(_rel(first, "next")[0]["href"]).json()
    back = client.get(_rel(second, "prev")[0]["href"]).json()
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]
    big = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/items", params={"limit": 50000})
    assert big.status_code == 200  # served as the maximum (10 000)
    assert "limit=10000" in _rel(big.json(), "self")[0]["href"]
    for bad, name in (({"limit": 0}, "limit"), ({"limit": "ten"}, "limit"), ({"after": "x"}, "after"),
                      ({"bbox": "1,2,3"}, "bbox"), ({"datetime": "yesterday"}, "datetime"),
                      ({"crs": "EPSG:32636"}, "crs"), ({"colour": "red"}, "colour"),
                      ({"capacity": "many"}, "capacity"), ({"f": "xml"}, "f")):
        r = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/items", params=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["description"].startswith(f"parameter {name}:"), r.json()


def test_geojson_is_valid_rfc7946(client, world):
    from geojson_validator import validate_geometries, validate_structure

    for base, layer in ((SHELTERS_AT, "shelters"), (KHMILNYK, "hromady"), (KHMILNYK, "settlements"),
                        (KHMILNYK, "tourist_routes"), (KHMILNYK, "mobile_coverage")):
        body = client.get(f"/{base}/ogcapi/collections/{layer}/items", params={"limit": 200}).json()
        assert body["features"], layer
        assert validate_structure(body) == {}, layer
        problems = validate_geometries(body)
        assert not problems.get("invalid"), (layer, problems)
        for f in body["features"]:
            assert isinstance(f["id"], str) and "crs" not in (f["geometry"] or {})
    one = client.get(f"/{KHMILNYK}/ogcapi/collections/hromady/items").json()["features"][0]
    assert validate_structure(one) == {}


def test_single_item(client, world):
    page = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/items", params={"code": "ogcapi-secret"}).json()
    (feature,) = page["features"]
    r = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/items/{feature['id']}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    one = r.json()
    assert one["geometry"] == feature["geometry"] and one["properties"] == feature["properties"]
    assert _rel(one, "self") and _rel(one, "collection")
    assert client.get(f"/ogcapi/collections/shelters/items/{feature['id']}").status_code == 200
    assert client.get(f"/ogcapi/collections/schools/items/{feature['id']}").status_code == 404


# ------------------------------------------------------------------ bbox, datetime, filters
def test_bbox_in_crs84_and_in_other_crs(client, engine, world):
    box = (33.3, 49.0, 33.55, 49.15)  # around Кременчук
    expected = pub_count(engine, "shelters", where="ST_Intersects(t.geom, ST_MakeEnvelope(:a, :b, :c, :d, 4326))",
                         a=box[0], b=box[1], c=box[2], d=box[3])
    got = all_pages(client, "/ogcapi/collections/shelters/items",
                    {"bbox": ",".join(map(str, box)), "limit": 100})
    assert len(got) == expected > 0
    latlon = all_pages(client, "/ogcapi/collections/shelters/items", {
        "bbox": f"{box[1]},{box[0]},{box[3]},{box[2]}", "bbox-crs": EPSG.format(4326), "limit": 100})
    assert {f["id"] for f in latlon} == {f["id"] for f in got}
    from gisplan.publish.crs import transformer

    x0, y0 = transformer("CRS:84", "EPSG:3857").transform(box[0], box[1])
    x1, y1 = transformer("CRS:84", "EPSG:3857").transform(box[2], box[3])
    merc = all_pages(client, "/ogcapi/collections/shelters/items", {
        "bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": EPSG.format(3857), "limit": 100})
    assert {f["id"] for f in merc} == {f["id"] for f in got}


def test_output_crs_axis_order_and_pinned_ucs2000(client, world):
    from gisplan.publish.crs import transformer

    url = f"/{SHELTERS_AT}/ogcapi/collections/shelters/items"
    base = client.get(url, params={"code": "ogcapi-secret"})
    lon, lat = base.json()["features"][0]["geometry"]["coordinates"]
    assert base.headers["content-crs"] == f"<{CRS84}>"
    r = client.get(url, params={"code": "ogcapi-secret", "crs": EPSG.format(4326)})
    assert r.headers["content-crs"] == f"<{EPSG.format(4326)}>"
    assert r.json()["features"][0]["geometry"]["coordinates"] == [lat, lon]
    r = client.get(url, params={"code": "ogcapi-secret", "crs": EPSG.format(3857)})
    x, y = r.json()["features"][0]["geometry"]["coordinates"]
    ex, ey = transformer("CRS:84", "EPSG:3857").transform(lon, lat)
    assert abs(x - ex) < 0.05 and abs(y - ey) < 0.05
    r = client.get(url, params={"code": "ogcapi-secret", "crs": EPSG.format(5561)})
    ulat, ulon = r.json()["features"][0]["geometry"]["coordinates"]
    elon, elat = transformer("CRS:84", "EPSG:5561").transform(lon, lat)
    assert abs(ulon - elon) < 1e-6 and abs(ulat - elat) < 1e-6
    assert abs(ulon - lon) > 1e-6  # the pinned Helmert shift is applied, not an identity
    one = client.get(f"{url}/{r.json()['features'][0]['id']}", params={"crs": EPSG.format(5561)}).json()
    assert one["geometry"]["coordinates"] == [ulat, ulon]


def test_datetime_selects_what_existed(client, engine, world):
    url = f"/{SHELTERS_AT}/ogcapi/collections/shelters/items"
    before = {f["id"] for f in all_pages(client, url, {"datetime": "2019-01-01", "limit": 500})}
    after = {f["id"] for f in all_pages(client, url, {"datetime": "2021-01-01T00:00:00Z", "limit": 500})}
    assert world["secret"] in after and world["secret"] not in before
    interval = {f["id"] for f in all_pages(client, url, {"datetime": "2020-06-01/..", "limit": 500})}
    assert world["secret"] in interval
    assert len(before) == pub_count(engine, "shelters", SHELTERS_AT,
                                     "(t.installed_at IS NULL OR t.installed_at <= :d) "
                                     "AND (t.removed_at IS NULL OR t.removed_at > :d)", d=dt.date(2019, 1, 1))


def test_property_filters_and_cql2(client, engine, world):
    url = f"/{SHELTERS_AT}/ogcapi/collections/shelters/items"
    active = all_pages(client, url, {"status": "active", "limit": 500})
    assert len(active) == pub_count(engine, "shelters", SHELTERS_AT, "t.status = 'active'") > 0
    cases = [
        ("capacity >= 50", "t.capacity >= 50"),
        ("capacity BETWEEN 10 AND 100 AND status = 'active'", "t.capacity BETWEEN 10 AND 100 AND t.status = 'active'"),
        ("name LIKE 'Укриття%'", "t.name LIKE 'Укриття%'"),
        ("CASEI(name) LIKE casei('укриття%')", "lower(t.name) LIKE 'укриття%'"),
        ("kind IN ('dual_use', 'simple') OR capacity IS NULL", "t.kind IN ('dual_use', 'simple') OR t.capacity IS NULL"),
        ("NOT (capacity > 77)", "NOT (t.capacity > 77)"),
        ("S_INTERSECTS(geometry, POLYGON((33.3 49, 33.45 49, 33.45 49.15, 33.3 49.15, 33.3 49)))",
         "ST_Intersects(t.geom, ST_MakeEnvelope(33.3, 49, 33.45, 49.15, 4326))"),
        ("BBOX(geometry, 33.3, 49, 33.45, 49.15)", "ST_Intersects(t.geom, ST_MakeEnvelope(33.3, 49, 33.45, 49.15, 4326))"),
        ("installed_at > DATE('2020-01-01')", "t.installed_at > '2020-01-01'"),
        ("name = 'x) OR (1=1); DROP TABLE shelters; --'", "false"),  # text stays inside the bound value
    ]
    for cql, sql in cases:
        got = all_pages(client, url, {"filter": cql, "limit": 500})
        assert len(got) == pub_count(engine, "shelters", SHELTERS_AT, f"({sql})"), cql
    as_json = {"op": "and", "args": [{"op": ">=", "args": [{"property": "capacity"}, 50]},
                                     {"op": "s_intersects", "args": [{"property": "geometry"}, {
                                         "type": "Polygon", "coordinates": [[[33, 48.9], [34, 48.9], [34, 49.3],
                                                                             [33, 49.3], [33, 48.9]]]}]}]}
    got = all_pages(client, url, {"filter": json.dumps(as_json), "filter-lang": "cql2-json", "limit": 500})
    assert len(got) == pub_count(engine, "shelters", SHELTERS_AT,
                                 "t.capacity >= 50 AND ST_Intersects(t.geom, ST_MakeEnvelope(33, 48.9, 34, 49.3, 4326))")
    for bad, words in (("owner_edrpou = '1'", "unknown property 'owner_edrpou'"),
                       ("capacity >= 'lots'", "capacity is an integer"),
                       ("capacity >>= 1", "not valid cql2-text"),
                       ("capacity * 2 > 10", "not supported")):
        r = client.get(url, params={"filter": bad})
        assert r.status_code == 400 and words in r.json()["description"], (bad, r.text)
    r = client.get(url, params={"filter": "{", "filter-lang": "cql2-json"})
    assert r.status_code == 400 and r.json()["description"].startswith("parameter filter: not JSON")
    r = client.get(url, params={"filter": "capacity > 1", "filter-lang": "sql"})
    assert r.status_code == 400 and r.json()["description"].startswith("parameter filter-lang:")


def test_queryables(client, world):
    doc = client.get(f"/{SHELTERS_AT}/ogcapi/collections/shelters/queryables").json()
    assert doc["properties"]["capacity"]["type"] == "integer"
    assert doc["properties"]["kind"]["enum"][0] == "blast_shelter"
    assert "geometry" in doc["properties"]
    assert not {"owner_edrpou", "key_holder_phone", "notes", "balance_holder"} & set(doc["properties"])


# ------------------------------------------------------------------ what anonymous callers never see
def _anonymous_responses(client, world) -> list[bytes]:
    out = []
    for base in ("/ogcapi", f"/{SHELTERS_AT}/ogcapi", f"/{UNPUBLISHED}/ogcapi"):
        for path in ("", "/collections", "/api", "/collections/shelters", "/collections/shelters/queryables"):
            for f in ("json", "html"):
                out.append(client.get(f"{base}{path}", params={"f": f}).content)
        for f in ("json", "html"):
            out.append(client.get(f"{base}/collections/shelters/items", params={"f": f, "limit": 10000}).content)
            for fid in (world["secret"], world["hidden"]):
                out.append(client.get(f"{base}/collections/shelters/items/{fid}", params={"f": f}).content)
        out.append(client.get(f"{base}/collections/shelters/items",
                              params={"filter": f"name = '{HIDDEN_NAME}'"}).content)
    return out


def test_sensitive_fields_and_unpublished_datasets_never_reach_anonymous_callers(client, world):
    bodies = _anonymous_responses(client, world)
    assert any(b"ogcapi-secret" in b for b in bodies)  # the shelter itself is public
    for body in bodies:
        for secret in (SECRET_PHONE, SECRET_EDRPOU, "службова примітка ogcapi", HIDDEN_NAME):
            assert secret.encode() not in body
        if world["hidden"].encode() in body:  # only where the caller asked for it by id, and was refused
            assert body.startswith(b'{"code": "NotFound"') or b"NotFound" in body, body[:300]
        assert b"key_holder_phone" not in body and b"owner_edrpou" not in body
    r = client.get(f"/ogcapi/collections/shelters/items/{world['hidden']}")
    assert r.status_code == 404


def test_signed_in_reader_sees_the_full_table_of_the_hromada(client, make_user, world):
    _, _, token = make_user("viewer", (UNPUBLISHED,))
    r = client.get(f"/{UNPUBLISHED}/ogcapi/collections/shelters/items", headers=auth(token))
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    assert HIDDEN_NAME in r.text and "key_holder_phone" in r.text
    assert client.get("/ogcapi/collections/shelters/items", params={"limit": 10000},
                      headers=auth(token)).text.count(HIDDEN_NAME) == 0


# ------------------------------------------------------------------ HTML
def test_html_views_are_ukrainian_first(client, world):
    base = f"/{SHELTERS_AT}/ogcapi"
    landing = client.get(base, headers={"Accept": "text/html"})
    assert landing.headers["content-type"].startswith("text/html")
    assert re.search(r"Колекції \(шари\)</a> <span class=\"en\">/ Collections", landing.text)
    cols = client.get(f"{base}/collections", params={"f": "html"}).text
    assert "Укриття (захисні споруди цивільного захисту) / Civil-protection shelters" in cols
    items = client.get(f"{base}/collections/shelters/items", params={"f": "html", "limit": 5})
    assert items.status_code == 200 and "Місткість" in items.text and "leaflet.js" in items.text
    nxt = re.search(r'<a rel="next" href="([^"]+)"', items.text)[1].replace("&amp;", "&")
    assert parse_qs(urlsplit(nxt).query)["f"] == ["html"]
    assert client.get(nxt).status_code == 200
    fid = client.get(f"{base}/collections/shelters/items", params={"code": "ogcapi-secret"}).json()["features"][0]["id"]
    item = client.get(f"{base}/collections/shelters/items/{fid}", params={"f": "html"})
    assert "Укриття з прихованими полями" in item.text and "Місткість" in item.text
    assert 'id="map"' in item.text
    projected = client.get(f"{base}/collections/shelters/items/{fid}",
                           params={"f": "html", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857"})
    assert projected.status_code == 200 and 'id="map"' not in projected.text  # the map takes lon/lat only
    assert client.get(f"{base}/collections/shelters", params={"f": "html"}).text.count("enclosure") == 2
    assert "OpenAPI 3.0" in client.get(f"{base}/api", params={"f": "html"}).text


def test_enclosure_length_once_the_file_exists(client, world):
    pytest.importorskip("gisplan.publish.downloads")
    url = f"/{KHMILNYK}/ogcapi/collections/schools"
    first = {e["type"]: e for e in _rel(client.get(url).json(), "enclosure")}
    files = {}
    for media, e in first.items():
        r = client.get(urlsplit(e["href"]).path)
        if r.status_code != 200:
            pytest.skip(f"the download route answers {r.status_code} (issue 10 part B)")
        files[media] = len(r.content)
    after = {e["type"]: e for e in _rel(client.get(url).json(), "enclosure")}
    assert {m: e.get("length") for m, e in after.items()} == files

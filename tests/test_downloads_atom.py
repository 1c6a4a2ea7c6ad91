"""Per-dataset download files (GeoJSON, GeoPackage) with strong ETags, regenerated when the dataset
changes, and the Atom download feeds with their OpenSearch description."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from urllib.parse import urlsplit

import pytest
from lxml import etree
from sqlalchemy import select, text

from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK

A = "{http://www.w3.org/2005/Atom}"
GEORSS = "{http://www.georss.org/georss}"
DLS = "{http://inspire.ec.europa.eu/schemas/inspire_dls/1.0}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
SECRETS = ("+380509998877", "99887766", "примітка-завантаження")
CRS_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"


@pytest.fixture(scope="module")
def files_dir(tmp_path_factory):
    from gisplan.settings import download_settings

    folder = tmp_path_factory.mktemp("downloads")
    old = os.environ.get("GISPLAN_DOWNLOADS_DIR")
    os.environ["GISPLAN_DOWNLOADS_DIR"] = str(folder)
    download_settings.cache_clear()
    yield folder
    if old is None:
        os.environ.pop("GISPLAN_DOWNLOADS_DIR", None)
    else:
        os.environ["GISPLAN_DOWNLOADS_DIR"] = old
    download_settings.cache_clear()


@pytest.fixture(scope="module")
def place(engine, files_dir):
    """A громада of our own: 3 shelters (one planned, so not published; one with hidden fields) and
    5 IT hubs, both published; a CCTV camera, not published."""
    from gisplan.datasets import set_published
    from gisplan.db.models import territory
    from gisplan.features import create_feature

    tag = secrets.token_hex(3)
    with engine.begin() as conn:
        code = conn.execute(select(territory.c.code).where(
            territory.c.level == 3, territory.c.code.notin_([BALAKLIIA, KHMILNYK, KREMENCHUK]))
            .order_by(territory.c.code.desc()).offset(11).limit(1)).scalar_one()
        hidden = {"key_holder_phone": SECRETS[0], "owner_edrpou": SECRETS[1], "notes": SECRETS[2]}
        shelter = create_feature(conn, "shelters", {"name": f"Укриття-{tag}", "hromada": code, "capacity": 50, **hidden},
                                 {"type": "Point", "coordinates": [30.3, 50.1]}, user="tests")
        create_feature(conn, "shelters", {"name": f"Друге-{tag}", "hromada": code},
                       {"type": "Point", "coordinates": [30.31, 50.11]}, user="tests")
        create_feature(conn, "shelters", {"name": f"Заплановане-{tag}", "hromada": code, "status": "planned"},
                       {"type": "Point", "coordinates": [30.32, 50.12]}, user="tests")
        for i in range(5):
            create_feature(conn, "it_hubs", {"name": f"Хаб-{tag}-{i}", "hromada": code},
                           {"type": "Point", "coordinates": [30.4 + i / 100, 50.2]}, user="tests")
        create_feature(conn, "cctv_cameras", {"name": f"Камера-{tag}", "hromada": code},
                       {"type": "Point", "coordinates": [30.45, 50.42]}, user="tests")
        for layer in ("shelters", "it_hubs"):
            set_published(conn, layer, code, True, "tests")
        set_published(conn, "cctv_cameras", code, False, "tests")
        uuids = dict(conn.execute(text("SELECT layer, metadata_uuid::text FROM dataset WHERE hromada = :h"),
                                  {"h": code}).all())
    return {"code": code, "tag": tag, "shelter": shelter["id"], "uuids": uuids}


def pub_names(engine, layer: str, code: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(f'SELECT name FROM pub."{layer}" WHERE hromada = :h'), {"h": code}).scalars())


# ---------------------------------------------------------------- files
def test_geojson_file_is_the_published_part_with_a_strong_etag(client, engine, place):
    from geojson_validator import validate_geometries, validate_structure

    r = client.get(f"/{place['code']}/downloads/shelters.geojson")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'
    assert f"shelters-{place['code']}.geojson" in r.headers["content-disposition"]
    body = r.json()
    names = {f["properties"]["name"] for f in body["features"]}
    assert names == pub_names(engine, "shelters", place["code"]) and len(names) == 2
    assert not any(s in r.text for s in SECRETS) and "Заплановане" not in r.text
    assert validate_structure(body) == {}
    checked = validate_geometries(body)
    assert checked["invalid"] == {} and checked["problematic"] == {} and checked["count_geometry_types"] == {"Point": 2}


def test_geopackage_file_read_by_gdal(client, engine, place, tmp_path):
    import pyogrio

    r = client.get(f"/{place['code']}/downloads/it_hubs.gpkg")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geopackage+sqlite3"
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'
    path = tmp_path / "hubs.gpkg"
    path.write_bytes(r.content)
    info = pyogrio.read_info(path, layer="it_hubs")
    assert info["features"] == 5 and info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point"
    frame = pyogrio.read_dataframe(path)
    assert set(frame["name"]) == pub_names(engine, "it_hubs", place["code"])
    shelters = tmp_path / "shelters.gpkg"
    shelters.write_bytes(client.get(f"/{place['code']}/downloads/shelters.gpkg").content)
    fields = set(pyogrio.read_info(shelters)["fields"])
    assert {"name", "capacity"} <= fields and not fields & {"key_holder_phone", "owner_edrpou", "notes", "public"}


def test_etag_304_and_regeneration_after_a_feature_edit(client, engine, place, files_dir):
    from gisplan.features import get_feature, update_feature
    from gisplan.publish.downloads import download_file

    url = f"/{place['code']}/downloads/shelters.geojson"
    first = client.get(url)
    etag = first.headers["etag"]
    before = download_file(engine, "shelters", place["code"], "geojson")
    assert before.etag == etag and before.size == len(first.content) and before.path.is_file()
    assert before.path.is_relative_to(files_dir)
    mtime = before.path.stat().st_mtime_ns
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(url, headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert download_file(engine, "shelters", place["code"], "geojson").path.stat().st_mtime_ns == mtime  # reused

    with engine.begin() as conn:
        current = get_feature(conn, "shelters", place["shelter"], public=False)
        update_feature(conn, "shelters", place["shelter"], current["properties"]["version"],
                       {"name": f"Перейменоване-{place['tag']}"}, None, user="tests")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert f"Перейменоване-{place['tag']}" in changed.text and f"Укриття-{place['tag']}" not in changed.text
    after = download_file(engine, "shelters", place["code"], "geojson")
    assert after.path != before.path and after.state.change_count > before.state.change_count
    assert client.get(url, headers={"If-None-Match": changed.headers["etag"]}).status_code == 304
    from gisplan.publish.downloads import ready_file

    assert ready_file(after.state, "geojson").etag == after.etag
    assert ready_file(after.state, "gpkg") is None  # not asked for since the edit: a look-up writes nothing


def test_concurrent_first_requests_write_one_file(engine, place, files_dir):
    from concurrent.futures import ThreadPoolExecutor

    from gisplan.publish.downloads import download_file

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: download_file(engine, "it_hubs", place["code"], "gpkg"), range(4)))
    assert len({f.etag for f in found}) == 1 and len({f.path for f in found}) == 1
    written = [p for p in (files_dir / place["code"]).iterdir() if p.name.startswith("it_hubs-") and "gpkg" in p.name]
    assert sorted(p.suffix for p in written) == [".gpkg", ".json"]  # the file and its ETag record, no leftovers


def test_unpublished_unknown_and_withdrawn_datasets_are_not_served(client, engine, place):
    from gisplan.datasets import set_published

    code = place["code"]
    for path in (f"/{code}/downloads/cctv_cameras.geojson", f"/{code}/downloads/cctv_cameras.gpkg",
                 f"/{code}/downloads/no_such_layer.geojson", f"/{code}/downloads/shelters.shp",
                 f"/{code}/downloads/shelters", "/UA123/downloads/shelters.geojson"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Камера" not in r.text and len(r.json()["detail"].splitlines()) == 1
    etag = client.get(f"/{code}/downloads/it_hubs.geojson").headers["etag"]
    with engine.begin() as conn:
        set_published(conn, "it_hubs", code, False, "tests")
    try:
        assert client.get(f"/{code}/downloads/it_hubs.geojson").status_code == 404
    finally:
        with engine.begin() as conn:
            set_published(conn, "it_hubs", code, True, "tests")
    republished = client.get(f"/{code}/downloads/it_hubs.geojson")
    assert republished.status_code == 200 and republished.json()["features"]


# ---------------------------------------------------------------- Atom
def _feed(client, path: str):
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    doc = etree.fromstring(r.content, etree.XMLParser(no_network=True))  # well-formed
    assert doc.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author/" + A + "name", "rights"):
        assert (doc.findtext(A + required) or "").strip(), required
    assert doc.find(f"{A}link[@rel='self']") is not None
    return doc


def _entries(doc) -> list:
    entries = doc.findall(f"{A}entry")
    for e in entries:
        for required in ("id", "title", "updated"):
            assert (e.findtext(A + required) or "").strip(), required
        assert e.find(f"{A}category").get("term") == CRS_4326
        lat0, lon0, lat1, lon1 = (float(v) for v in e.findtext(f"{GEORSS}box").split())
        assert 43 < lat0 <= lat1 < 53 and 22 < lon0 <= lon1 < 41  # latitude first
    return entries


def test_service_feed_lists_published_datasets_only(client, place):
    doc = _feed(client, "/atom/service.xml")
    assert doc.find(f"{A}link[@rel='search']").get("type") == "application/opensearchdescription+xml"
    mine = {e.findtext(f"{DLS}spatial_dataset_identifier_code"): e for e in _entries(doc)
            if e.findtext(f"{A}id").split("/atom/")[1].startswith(place["code"])}
    assert set(mine) == {place["uuids"]["shelters"], place["uuids"]["it_hubs"]}
    entry = mine[place["uuids"]["shelters"]]
    assert entry.find(f"{A}link[@rel='describedby']").get("href").endswith(f"/metadata/{place['uuids']['shelters']}.xml")
    alternate = entry.find(f"{A}link[@rel='alternate']")
    assert alternate.get("type") == "application/atom+xml"
    assert urlsplit(alternate.get("href")).path == f"/atom/{place['code']}/shelters.xml"
    assert place["uuids"]["cctv_cameras"] not in client.get("/atom/service.xml").text


def test_dataset_feed_links_the_files_with_their_length(client, place):
    doc = _feed(client, f"/atom/{place['code']}/shelters.xml")
    assert doc.find(f"{A}link[@rel='describedby']").get("href").endswith(f"/metadata/{place['uuids']['shelters']}.xml")
    assert urlsplit(doc.find(f"{A}link[@rel='up']").get("href")).path == "/atom/service.xml"
    [entry] = _entries(doc)
    links = {link.get("type"): link for link in entry.findall(f"{A}link[@rel='alternate']")}
    assert set(links) == {"application/geo+json", "application/geopackage+sqlite3"}
    for media_type, link in links.items():
        r = client.get(urlsplit(link.get("href")).path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
        assert int(link.get("length")) == len(r.content) > 0
    for path in (f"/atom/{place['code']}/cctv_cameras.xml", f"/atom/{place['code']}/shelters.json",
                 "/atom/UA1/shelters.xml"):
        assert client.get(path).status_code == 404, path


def test_opensearch_description_and_its_operations(client, place):
    r = client.get("/atom/opensearch.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/opensearchdescription+xml")
    doc = etree.fromstring(r.content, etree.XMLParser(no_network=True))
    assert doc.tag == f"{OS}OpenSearchDescription" and doc.findtext(f"{OS}ShortName")
    templates = {(u.get("rel"), u.get("type")): u.get("template") for u in doc.findall(f"{OS}Url")}
    assert {("self", "application/opensearchdescription+xml"), ("results", "application/atom+xml"),
            ("describedby", "application/atom+xml"), ("results", "application/geo+json"),
            ("results", "application/geopackage+sqlite3")} <= set(templates)
    assert doc.find(f"{OS}Query[@role='example']") is not None

    found = _feed(client, "/atom/search?q=Укриття")
    assert any(e.findtext(f"{DLS}spatial_dataset_identifier_code") == place["uuids"]["shelters"] for e in _entries(found))
    assert all("Укриття" in e.findtext(f"{A}title") for e in found.findall(f"{A}entry"))
    uid = place["uuids"]["shelters"]
    described = _feed(client, f"/atom/search?spatial_dataset_identifier_code={uid}")
    assert described.findtext(f"{A}id").endswith(f"/atom/{place['code']}/shelters.xml")
    got = client.get(f"/atom/search?spatial_dataset_identifier_code={uid}&crs={CRS_4326}&format=gpkg",
                     follow_redirects=False)
    assert got.status_code == 303 and urlsplit(got.headers["location"]).path == f"/{place['code']}/downloads/shelters.gpkg"
    hidden = client.get(f"/atom/search?spatial_dataset_identifier_code={place['uuids']['cctv_cameras']}")
    assert hidden.status_code == 404
    assert client.get(f"/atom/search?spatial_dataset_identifier_code={uid}&format=shp").status_code == 400
    assert json.loads(client.get("/atom/search?format=gpkg").text)["detail"].startswith("format:")

"""The gap layers published like any layer (issue 8, "listed in the catalogue, published like any
layer"): read-only OGC API – Features collections ``gap.<gap>`` beside the catalogue's, whose items
are those of ``/api/hromady/{code}/gaps/{gap}``; one ISO 19139 record per gap layer, valid against
the official XSDs and found through CSW; the gap layers in the dataset list as computed products.
An unpublished input hides a gap from anonymous callers (OGC API, CSW, the list), not from the
громада's planner.
"""

from __future__ import annotations

import pytest
from lxml import etree
from shapely.geometry import box, shape

from gisplan import clock
from gisplan.datasets import set_published
from gisplan.gaps.registry import gaps
from gisplan.publish.gap_publication import record_uuid
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth
from tests.fixtures.schemas.extract import ensure as ensure_schemas
from tests.test_metadata import APISO, GMD, _schema

DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)
GAP_IDS = [f"gap.{g}" for g in gaps()]
BROADBAND = "gap.settlements_without_broadband"
NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco",
      "csw": "http://www.opengis.net/cat/csw/2.0.2", "dc": "http://purl.org/dc/elements/1.1/"}
ISO_OUT = "outputSchema=http://www.isotc211.org/2005/gmd"


@pytest.fixture(scope="module")
def demo(engine):
    from gisplan.demo import load_demo

    load_demo(engine, user="gap-publication-test")
    return KHMILNYK


@pytest.fixture(scope="module")
def planner(make_user, demo):
    return auth(make_user("planner", (demo,))[2])


@pytest.fixture(scope="module")
def iso_schemas():
    root = ensure_schemas()
    return _schema(root / GMD), _schema(root / APISO)


def expected(engine, code: str | None = None) -> list[str]:
    """The gap layers an anonymous caller should see: those with every input published (in ``code``)."""
    from sqlalchemy import text

    sql = "SELECT hromada, layer FROM dataset WHERE published" + (" AND hromada = :h" if code else "")
    published: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for h, layer in conn.execute(text(sql), {"h": code}):
            published.setdefault(h, set()).add(layer)
    return [f"gap.{g}" for g, s in gaps().items() if any(set(s.inputs) <= names for names in published.values())]


def where_shown(engine, gap: str) -> str:
    """The first demo громада where the gap's inputs are all published."""
    return next(h for h in DEMO if f"gap.{gap}" in expected(engine, h))


def ids(client, base: str, headers=None) -> list[str]:
    r = client.get(f"{base}/collections", headers=headers or {})
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["collections"]]


def every_item(client, url: str, headers=None, **params) -> list[dict]:
    """All features of a collection, following the next links (asserting each page is sound)."""
    out, seen = [], set()
    r = client.get(url, params=params, headers=headers or {})
    while True:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        doc = r.json()
        assert doc["type"] == "FeatureCollection" and doc["numberReturned"] == len(doc["features"])
        assert doc["asOf"] == clock.today().isoformat()
        out += doc["features"]
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        if not nxt:
            return out
        assert nxt[0] not in seen
        seen.add(nxt[0])
        r = client.get(nxt[0], headers=headers or {})


def api_gap(client, planner, code: str, gap: str) -> dict:
    r = client.get(f"/api/hromady/{code}/gaps/{gap}", headers=planner)
    assert r.status_code == 200, r.text
    return r.json()


def assert_same(ogc: list[dict], api: list[dict], code: str) -> None:
    assert [f["id"] for f in ogc] == [f["id"] for f in api]
    for o, a in zip(ogc, api):
        assert o["geometry"] == a["geometry"], a["id"]
        assert {k: o["properties"][k] for k in a["properties"]} == a["properties"], a["id"]
        assert o["properties"]["hromada"] == code and o["properties"]["as_of"] == clock.today().isoformat()


# ------------------------------------------------------------------ OGC API – Features
def test_gap_collections_are_listed_after_the_catalogue_and_say_what_they_are(client, engine, demo):
    assert expected(engine) == GAP_IDS  # the demo громади publish every input somewhere
    assert BROADBAND in expected(engine, demo) and len(expected(engine, demo)) < len(GAP_IDS)  # no shelters
    for base, code in (("/ogcapi", None), (f"/{demo}/ogcapi", demo)):
        listed = ids(client, base)
        gap_ids = [i for i in listed if i.startswith("gap.")]
        assert gap_ids == expected(engine, code), base
        assert listed[-len(gap_ids):] == gap_ids  # after the catalogue's layers
        doc = client.get(f"{base}/collections/{BROADBAND}").json()
        assert doc["id"] == BROADBAND and doc["title"].startswith("Населені пункти без фіксованого")
        today = clock.today().isoformat()
        assert doc["x-gisplan"]["kind"] == "gap" and doc["x-gisplan"]["readOnly"] is True
        assert doc["x-gisplan"]["asOf"] == today and doc["x-gisplan"]["inputs"] == ["settlements"]
        assert doc["extent"]["temporal"]["interval"] == [[f"{today}T00:00:00Z", f"{today}T23:59:59Z"]]
        assert today in doc["description"]
        west, south, east, north = doc["extent"]["spatial"]["bbox"][0]
        assert 22 < west < east < 41 and 44 < south < north < 53
        rels = {link["rel"]: link["href"] for link in doc["links"] if link["type"] != "text/html"}
        assert rels["describedby"].endswith(f"/metadata/{record_uuid(BROADBAND)}.xml")
        assert rels["items"].endswith(f"{base}/collections/{BROADBAND}/items?f=json")
    national = client.get(f"/ogcapi/collections/{BROADBAND}").json()
    assert set(DEMO) <= set(national["x-gisplan"]["hromady"])
    listed = next(c for c in client.get("/ogcapi/collections").json()["collections"] if c["id"] == BROADBAND)
    assert "hromady" not in listed["x-gisplan"]  # the national list keeps only their number
    assert listed["x-gisplan"]["hromadyCount"] == len(national["x-gisplan"]["hromady"])


@pytest.mark.parametrize("gap", list(gaps()))
def test_items_are_the_gap_api_features(client, engine, make_user, gap):
    demo = where_shown(engine, gap)
    planner = auth(make_user("planner", (demo,))[2])
    api = api_gap(client, planner, demo, gap)["features"]
    anonymous = every_item(client, f"/{demo}/ogcapi/collections/gap.{gap}/items", limit=2)
    assert_same(anonymous, api, demo)  # the demo publishes every row and field the gap reads
    as_planner = every_item(client, f"/{demo}/ogcapi/collections/gap.{gap}/items", planner, limit=1000)
    assert_same(as_planner, api, demo)
    nationally = every_item(client, f"/ogcapi/collections/gap.{gap}/items", hromada=demo, limit=3)
    assert_same(nationally, api, demo)


def test_paging_bbox_single_item_and_html(client, demo, planner):
    api = api_gap(client, planner, demo, "settlements_without_broadband")["features"]
    located = [f for f in api if f["geometry"]]
    assert len(api) >= 2 and located, "the demo громада needs settlements without broadband on the map"
    base = f"/ogcapi/collections/{BROADBAND}/items"
    first = client.get(base, params={"limit": 1, "hromada": demo}).json()
    assert len(first["features"]) == 1 and first["features"][0]["id"] == api[0]["id"]
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(nxt).json()
    assert second["features"][0]["id"] == api[1]["id"]
    assert any(link["rel"] == "prev" for link in second["links"])
    # bbox: a box around one settlement's shape holds it and leaves out those it does not meet
    target = shape(located[0]["geometry"])
    area = box(*target.bounds)
    found = every_item(client, base, hromada=demo, bbox=",".join(str(v) for v in target.bounds), limit=100)
    assert located[0]["id"] in [f["id"] for f in found]
    assert {f["id"] for f in found} == {f["id"] for f in located if shape(f["geometry"]).intersects(area)}
    one = client.get(f"{base}/{api[0]['id']}")
    assert one.status_code == 200 and one.json()["id"] == api[0]["id"]
    assert one.json()["properties"]["as_of"] == clock.today().isoformat()
    assert client.get(f"{base}/UA00000000000000000").status_code == 404
    for bad in ({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, {"hromada": "Хмільник"},
                {"bbox": "1,2,3"}, {"after": "nonesuch"}, {"capacity": "5"}):
        r = client.get(base, params=bad)
        assert r.status_code == 400 and r.json()["code"] == "InvalidParameterValue", bad
    html = client.get(base, params={"f": "html", "hromada": demo})
    assert html.status_code == 200 and "Населені пункти без фіксованого" in html.text
    assert client.get(f"{base}/{api[0]['id']}", params={"f": "html"}).status_code == 200
    assert client.get(f"/ogcapi/collections/{BROADBAND}", params={"f": "html"}).status_code == 200
    assert client.get("/ogcapi/collections", params={"f": "html"}).status_code == 200
    r = client.get("/ogcapi/collections/gap.nonesuch")
    assert r.status_code == 404 and "no such gap layer" in r.json()["description"]


def test_gap_collections_are_read_only(client, demo, planner):
    base = f"/{demo}/ogcapi/collections/{BROADBAND}/items"
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [28.3, 49.5]}, "properties": {}}
    assert client.post(base, json=feature, headers=planner).status_code == 405
    some = api_gap(client, planner, demo, "settlements_without_broadband")["features"][0]["id"]
    assert client.put(f"{base}/{some}", json=feature, headers=planner).status_code == 405
    assert client.delete(f"{base}/{some}", headers=planner).status_code == 405


@pytest.mark.parametrize("base", ["/ogcapi", f"/{KHMILNYK}/ogcapi"])
def test_openapi_names_the_gap_collections_and_stays_valid_3_0(client, demo, base):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator

    doc = client.get(f"{base}/api").json()
    validate(doc, cls=OpenAPIV30SpecValidator)
    get = doc["paths"][f"/collections/{BROADBAND}/items"]["get"]
    names = {doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"] for p in get["parameters"]}
    assert {"limit", "bbox", "hromada", "after"} <= names
    assert set(doc["paths"][f"/collections/{BROADBAND}/items"]) == {"get"}


# ------------------------------------------------------------------ ISO 19139 and CSW
def test_every_gap_record_validates_and_names_inputs_method_date_and_services(client, demo, iso_schemas):
    today = clock.today().isoformat()
    for gap, spec in gaps().items():
        r = client.get(f"/metadata/{record_uuid('gap.' + gap)}.xml")
        assert r.status_code == 200, gap
        doc = etree.fromstring(r.content, etree.XMLParser(no_network=True))
        for schema in iso_schemas:
            assert schema.validate(doc), (gap, schema.error_log.last_error)
        text = lambda path: doc.xpath(path, namespaces=NS)  # noqa: E731
        assert text("//gmd:citation//gmd:title/gco:CharacterString/text()")[0].endswith(spec.name.uk)
        assert text("//gmd:citation//gmd:alternateTitle/gco:CharacterString/text()")[0].endswith(spec.name.en)
        abstract = text("//gmd:abstract/gco:CharacterString/text()")[0]
        assert spec.method.uk in abstract and spec.method.en in abstract
        lineage = text("//gmd:lineage//gmd:statement/gco:CharacterString/text()")[0]
        assert all(f"({name})" in lineage for name in spec.inputs) and spec.method.en in lineage
        assert today in lineage and text("//gmd:edition/gco:CharacterString/text()") == [today]
        assert doc.xpath("//gmd:EX_TemporalExtent//gml:beginPosition/text()",
                         namespaces={**NS, "gml": "http://www.opengis.net/gml"}) == [today]
        online = {(p, n) for p, n in zip(text("//gmd:onLine//gmd:protocol/gco:CharacterString/text()"),
                                         text("//gmd:onLine//gmd:linkage/gmd:URL/text()"))}
        assert ("OGC:WMS", "http://testserver/ows?SERVICE=WMS&REQUEST=GetCapabilities") in online
        assert ("OGC API - Features", f"http://testserver/ogcapi/collections/gap.{gap}") in online
        assert text("//gmd:onLine//gmd:name/gco:CharacterString/text()")[0] == f"gap.{gap}"


def test_csw_finds_the_gap_records(client, engine, demo):
    from tests.test_csw import valid

    root = ensure_schemas()
    parser = etree.XMLParser(no_network=True)
    schema = (etree.XMLSchema(etree.parse(str(root / "pycsw/core/schemas/ogc/csw/2.0.2/CSW-discovery.xsd"), parser)),
              _schema(root / APISO))
    wanted = {record_uuid(g) for g in GAP_IDS}
    covering = {record_uuid(g) for g in expected(engine, demo)}
    found = valid(schema, client.get(
        "/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results"
        f"&{ISO_OUT}&constraintLanguage=CQL_TEXT&constraint=csw:AnyText LIKE '%Прогалина%'&maxRecords=100").content)
    uuids = set(found.xpath("//gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString/text()", namespaces=NS))
    assert uuids == wanted
    one = record_uuid(BROADBAND)
    by_id = valid(schema, client.get(f"/csw?service=CSW&version=2.0.2&request=GetRecordById&id={one}"
                                     f"&{ISO_OUT}").content)
    assert by_id.xpath("//gmd:fileIdentifier/gco:CharacterString/text()", namespaces=NS) == [one]
    scoped = valid(schema, client.get(f"/{demo}/csw?service=CSW&version=2.0.2&request=GetRecords"
                                      "&resultType=results&maxRecords=200&elementSetName=brief").content)
    assert set(scoped.xpath("//csw:BriefRecord/dc:identifier/text()", namespaces=NS)) & wanted == covering


# ------------------------------------------------------------------ the dataset list
def test_dataset_list_shows_the_gap_layers_as_computed_products(client, engine, demo, planner):
    computed = client.get("/api/datasets", params={"hromada": demo}).json()["computed"]
    assert [c["layer"] for c in computed] == expected(engine, demo)
    for c in computed:
        assert c["kind"] == "gap" and c["computed"] is True and c["read_only"] is True and c["public"] is True
        assert c["title"]["uk"] == gaps()[c["layer"][4:]].name.uk
        assert c["as_of"] == clock.today().isoformat()
        assert c["links"]["ogcapi"] == f"/{demo}/ogcapi/collections/{c['layer']}"
        assert c["links"]["metadata"] == f"/metadata/{record_uuid(c['layer'])}.xml"
    mine = client.get("/api/datasets", params={"hromada": demo}, headers=planner).json()["computed"]
    assert [c["layer"] for c in mine] == GAP_IDS  # the planner: every gap, from the full tables
    assert {c["layer"] for c in mine if not c["public"]} == set(GAP_IDS) - set(expected(engine, demo))
    national = client.get("/api/datasets").json()["computed"]
    assert [c["layer"] for c in national] == GAP_IDS
    assert set(DEMO) <= set(national[0]["hromady"])


# ------------------------------------------------------------------ audience
def test_an_unpublished_input_hides_the_gap_from_anonymous_callers_not_the_planner(client, engine, demo, planner):
    from gisplan.publish.wms_service import CACHE

    uid = record_uuid(BROADBAND)
    with engine.begin() as conn:
        set_published(conn, "settlements", demo, False, "tests")
    CACHE.clear()
    try:
        # anonymous, the громада's endpoint: every gap that reads settlements is gone
        hidden = [f"gap.{g}" for g, s in gaps().items() if "settlements" in s.inputs]
        assert BROADBAND in hidden
        assert not set(hidden) & set(ids(client, f"/{demo}/ogcapi"))
        r = client.get(f"/{demo}/ogcapi/collections/{BROADBAND}/items")
        assert r.status_code == 404 and "not all published" in r.json()["description"]
        # nationally the layer stays (other громади publish their settlements), without this громада
        assert client.get(f"/ogcapi/collections/{BROADBAND}/items", params={"hromada": demo}).json()["features"] == []
        assert demo not in client.get(f"/ogcapi/collections/{BROADBAND}").json()["x-gisplan"]["hromady"]
        # CSW of the громада: no gap record covers it; the national record no longer names it
        scoped = client.get(f"/{demo}/csw?service=CSW&version=2.0.2&request=GetRecords&resultType=results"
                            "&maxRecords=200&elementSetName=brief").content
        assert uid.encode() not in scoped
        assert demo.encode() not in client.get(f"/metadata/{uid}.xml").content
        listed = client.get("/api/datasets", params={"hromada": demo}).json()["computed"]
        assert not set(hidden) & {c["layer"] for c in listed}
        # the громада's planner still reads it, from the full tables
        assert set(hidden) <= set(ids(client, f"/{demo}/ogcapi", planner))
        api = api_gap(client, planner, demo, "settlements_without_broadband")["features"]
        assert_same(every_item(client, f"/{demo}/ogcapi/collections/{BROADBAND}/items", planner, limit=500),
                    api, demo)
        mine = client.get("/api/datasets", params={"hromada": demo}, headers=planner).json()["computed"]
        entry = next(c for c in mine if c["layer"] == BROADBAND)
        assert entry["public"] is False and "metadata" in entry["links"]  # the national record stays
    finally:
        with engine.begin() as conn:
            set_published(conn, "settlements", demo, True, "tests")
        CACHE.clear()
    assert BROADBAND in ids(client, f"/{demo}/ogcapi")


def test_an_input_unpublished_everywhere_removes_the_record(client, engine, demo):
    """No громада publishes the gap's inputs: no collection, no record, no CSW entry."""
    from sqlalchemy import text

    gap = "gap.settlements_without_wifi"
    uid = record_uuid(gap)
    with engine.begin() as conn:
        withdrawn = conn.execute(text(
            "SELECT hromada FROM dataset WHERE layer = 'wifi_zones' AND published")).scalars().all()
        for h in withdrawn:
            set_published(conn, "wifi_zones", h, False, "tests")
    try:
        assert gap not in ids(client, "/ogcapi")
        assert client.get(f"/ogcapi/collections/{gap}").status_code == 404
        assert client.get(f"/metadata/{uid}.xml").status_code == 404
        r = client.get(f"/csw?service=CSW&version=2.0.2&request=GetRecordById&id={uid}")
        assert r.status_code == 200 and uid.encode() not in r.content
    finally:
        with engine.begin() as conn:
            for h in withdrawn:
                set_published(conn, "wifi_zones", h, True, "tests")
    assert client.get(f"/metadata/{uid}.xml").status_code == 200


def test_wms_gap_layers_link_their_records(client, demo, iso_schemas):
    caps = etree.fromstring(client.get(f"/{demo}/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").content)
    wms = {"wms": "http://www.opengis.net/wms", "xlink": "http://www.w3.org/1999/xlink"}
    hrefs = caps.xpath(f"//wms:Layer[wms:Name='{BROADBAND}']/wms:MetadataURL/wms:OnlineResource/@xlink:href",
                       namespaces=wms)
    assert hrefs == [f"http://testserver/metadata/{record_uuid(BROADBAND)}.xml"]
    doc = etree.fromstring(client.get(hrefs[0][len("http://testserver"):]).content)
    assert all(schema.validate(doc) for schema in iso_schemas)
    indicator = caps.xpath("//wms:Layer[starts-with(wms:Name, 'indicator.')]/wms:MetadataURL", namespaces=wms)
    assert indicator == []  # indicators have no record of their own

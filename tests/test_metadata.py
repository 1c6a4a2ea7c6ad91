"""ISO 19139 records (issue 11): one per published demo dataset and per service, valid offline against
pycsw's ``gmd.xsd`` and ``apiso.xsd``, linked from the WMS capabilities; editable fields and the
громада's profile in the record; a data change moves the revision date, edition and dateStamp.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree
from sqlalchemy import select, text

from gisplan.db.models import dataset
from gisplan.demo import load_demo
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth
from tests.fixtures.schemas.extract import ensure as ensure_schemas

DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)
NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco",
      "srv": "http://www.isotc211.org/2005/srv", "gml": "http://www.opengis.net/gml",
      "wms": "http://www.opengis.net/wms", "xlink": "http://www.w3.org/1999/xlink"}
APISO = "pycsw/plugins/profiles/apiso/schemas/ogc/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
GMD = "pycsw/plugins/profiles/apiso/schemas/ogc/iso/19139/20060504/gmd/gmd.xsd"


def _schema(path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser))


def _gmd_with_srv(root) -> etree.XMLSchema:
    """gmd.xsd does not import srv (service identification); this wrapper loads both, and nothing else."""
    iso = root / GMD.rsplit("/gmd/", 1)[0]
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="http://www.isotc211.org/2005/gmd" schemaLocation="{iso}/gmd/gmd.xsd"/>
      <xs:import namespace="http://www.isotc211.org/2005/srv" schemaLocation="{iso}/srv/srv.xsd"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), etree.XMLParser(no_network=True)))


@pytest.fixture(scope="module")
def schemas():
    """Dataset records: gmd.xsd and apiso.xsd. Service records: gmd.xsd with srv.xsd, and apiso.xsd."""
    root = ensure_schemas()
    return {"gmd": _schema(root / GMD), "gmd+srv": _gmd_with_srv(root), "apiso": _schema(root / APISO)}


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="metadata-test")
    with engine.connect() as conn:
        return conn.execute(select(dataset).where(dataset.c.hromada.in_(DEMO), dataset.c.published)
                            .order_by(dataset.c.hromada, dataset.c.layer)).all()


def assert_valid(schemas, body: bytes) -> etree._Element:
    doc = etree.fromstring(body, etree.XMLParser(no_network=True))
    service = doc.find(".//{http://www.isotc211.org/2005/srv}SV_ServiceIdentification") is not None
    for name, schema in schemas.items():
        if name == ("gmd" if service else "gmd+srv"):
            continue
        assert schema.validate(doc), f"{name}: {schema.error_log.last_error}"
    return doc


def _one(doc, path: str) -> str:
    found = doc.xpath(path, namespaces=NS)
    assert found, path
    return found[0] if isinstance(found[0], str) else found[0].text


def test_every_published_demo_dataset_has_a_valid_record(client, demo, schemas):
    assert len(demo) >= 10
    assert {r.hromada for r in demo} == set(DEMO)
    for row in demo:
        resp = client.get(f"/metadata/{row.metadata_uuid}.xml")
        assert resp.status_code == 200, row.layer
        assert resp.headers["content-type"].startswith("application/xml")
        doc = assert_valid(schemas, resp.content)
        assert _one(doc, "/gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString") == str(row.metadata_uuid)
        assert _one(doc, "//gmd:MD_Metadata/gmd:language/gmd:LanguageCode/@codeListValue") == "ukr"
        crs = doc.xpath("//gmd:referenceSystemInfo//gmd:code/gco:CharacterString/text()", namespaces=NS)
        assert crs == ["http://www.opengis.net/def/crs/EPSG/0/5561", "http://www.opengis.net/def/crs/EPSG/0/4326"]
        assert _one(doc, "//gmd:edition/gco:CharacterString") == str(row.change_count)
        west = float(_one(doc, "//gmd:westBoundLongitude/gco:Decimal"))
        east = float(_one(doc, "//gmd:eastBoundLongitude/gco:Decimal"))
        assert 22 < west < east < 41
        protocols = doc.xpath("//gmd:onLine//gmd:protocol/gco:CharacterString/text()", namespaces=NS)
        assert "OGC:WMS" in protocols and "WWW:DOWNLOAD-1.0-http--download" in protocols


def test_record_content(client, demo, schemas):
    row = next(r for r in demo if r.layer == "shelters" and r.hromada == KREMENCHUK)
    doc = assert_valid(schemas, client.get(f"/metadata/{row.metadata_uuid}.xml").content)
    assert "Кременчуцька" in _one(doc, "//gmd:citation//gmd:title/gco:CharacterString")
    assert _one(doc, "//gmd:pointOfContact//gmd:role/gmd:CI_RoleCode/@codeListValue") == "custodian"
    topics = doc.xpath("//gmd:topicCategory/gmd:MD_TopicCategoryCode/text()", namespaces=NS)
    assert topics == ["society", "structure"]
    thesauri = doc.xpath("//gmd:thesaurusName//gmd:title/gco:CharacterString/text()", namespaces=NS)
    assert any("Кодифікатор" in t for t in thesauri)
    assert "укриття" in doc.xpath("//gmd:keyword/gco:CharacterString/text()", namespaces=NS)
    lineage = _one(doc, "//gmd:lineage//gmd:statement/gco:CharacterString")
    assert "Джерела" in lineage and "постановою КМУ № 138" in lineage
    assert "CC BY 4.0" in " ".join(doc.xpath("//gmd:otherConstraints/gco:CharacterString/text()", namespaces=NS))
    assert doc.xpath("//gml:TimePeriod/gml:beginPosition/text()", namespaces=NS)


def test_wms_layers_link_to_valid_records(client, demo, schemas):
    caps = etree.fromstring(client.get(f"/{BALAKLIIA}/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").content)
    hrefs = caps.xpath("//wms:Layer/wms:MetadataURL/wms:OnlineResource/@xlink:href", namespaces=NS)
    expected = {str(r.metadata_uuid) for r in demo if r.hromada == BALAKLIIA}
    linked = {re.search(r"/metadata/([0-9a-f-]+)\.xml$", h).group(1) for h in hrefs}
    assert expected <= linked
    for href in hrefs[:3]:
        path = href[href.index("/metadata/"):]
        assert_valid(schemas, client.get(path).content)


@pytest.mark.parametrize("path", ["/ows", f"/{KREMENCHUK}/ows"])
def test_service_records(client, demo, schemas, path):
    from gisplan.publish.wms_capabilities import service_metadata_uuid
    from gisplan.settings import wms_settings

    uid = service_metadata_uuid(wms_settings(), f"http://testserver{path}")
    doc = assert_valid(schemas, client.get(f"/metadata/{uid}.xml").content)
    assert _one(doc, "//gmd:hierarchyLevel/gmd:MD_ScopeCode/@codeListValue") == "service"
    assert _one(doc, "//srv:serviceType/gco:LocalName") == "view"
    operates = set(doc.xpath("//srv:operatesOn/@uuidref", namespaces=NS))
    coupled = set(doc.xpath("//srv:SV_CoupledResource/srv:identifier/gco:CharacterString/text()", namespaces=NS))
    mine = {str(r.metadata_uuid) for r in demo if path == "/ows" or r.hromada == KREMENCHUK}
    assert mine <= operates and operates == coupled
    if path != "/ows":
        assert {u for u in operates} == mine


def test_unknown_and_unpublished_records_are_404(client, engine, demo):
    assert client.get("/metadata/00000000-0000-0000-0000-000000000000.xml").status_code == 404
    assert client.get("/metadata/not-a-uuid.xml").status_code == 404
    with engine.connect() as conn:
        hidden = conn.execute(select(dataset.c.metadata_uuid).where(~dataset.c.published).limit(1)).scalar()
    if hidden is not None:
        assert client.get(f"/metadata/{hidden}.xml").status_code == 404


def test_data_change_moves_revision_date_and_edition(client, engine, demo, schemas, make_user):
    row = next(r for r in demo if r.layer == "shelters" and r.hromada == BALAKLIIA)
    with engine.begin() as conn:  # pretend the last change was a while ago
        conn.execute(text("UPDATE dataset SET changed_at = now() - interval '40 days' "
                          "WHERE layer = 'shelters' AND hromada = :h"), {"h": BALAKLIIA})
    before = assert_valid(schemas, client.get(f"/metadata/{row.metadata_uuid}.xml").content)
    old_revision = _one(before, "//gmd:CI_Date[gmd:dateType/gmd:CI_DateTypeCode/@codeListValue='revision']"
                                "/gmd:date/gco:Date")
    old_edition = int(_one(before, "//gmd:edition/gco:CharacterString"))
    assert dt.date.fromisoformat(old_revision) < dt.date.today() - dt.timedelta(days=30)

    _, _, token = make_user("planner", (BALAKLIIA,))
    resp = client.post("/api/layers/shelters/features", headers=auth(token), json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [36.53, 49.46]},
        "properties": {"hromada": BALAKLIIA, "name": "Укриття для перевірки метаданих", "kind": "simple"}})
    assert resp.status_code in (200, 201), resp.text

    after = assert_valid(schemas, client.get(f"/metadata/{row.metadata_uuid}.xml").content)
    revision = _one(after, "//gmd:CI_Date[gmd:dateType/gmd:CI_DateTypeCode/@codeListValue='revision']"
                           "/gmd:date/gco:Date")
    assert dt.date.fromisoformat(revision) >= dt.date.today() - dt.timedelta(days=1)
    assert int(_one(after, "//gmd:edition/gco:CharacterString")) == old_edition + 1
    stamp = _one(after, "//gmd:dateStamp/gco:DateTime")
    assert stamp > _one(before, "//gmd:dateStamp/gco:DateTime")


def test_editable_fields_and_profile_reach_the_record(client, demo, schemas, make_user):
    row = next(r for r in demo if r.layer == "schools" and r.hromada == KREMENCHUK)
    _, _, token = make_user("planner", (KREMENCHUK,))
    _, _, other = make_user("planner", (BALAKLIIA,))
    body = {"title": "Заклади освіти міста", "keywords": ["освіта", "школи", "Кременчук"]}
    assert client.put(f"/api/layers/schools/metadata?hromada={KREMENCHUK}", json=body).status_code == 401
    assert client.put(f"/api/layers/schools/metadata?hromada={KREMENCHUK}", json=body,
                      headers=auth(other)).status_code == 403
    bad = client.put(f"/api/layers/schools/metadata?hromada={KREMENCHUK}", json={"colour": "red"},
                     headers=auth(token))
    assert bad.status_code == 422
    resp = client.put(f"/api/layers/schools/metadata?hromada={KREMENCHUK}", json=body, headers=auth(token))
    assert resp.status_code == 200, resp.text
    assert resp.json()["effective"]["title"] == "Заклади освіти міста"
    got = client.get(f"/api/layers/schools/metadata?hromada={KREMENCHUK}").json()
    assert got["stored"]["keywords"] == ["освіта", "школи", "Кременчук"]
    assert got["effective"]["abstract"]  # from the catalogue

    profile = {"organisation": "Кременчуцька міська рада", "email": "gis@kremen.example.ua",
               "phone": "+380 536 00 00 00", "address": "пл. Перемоги, 2, Кременчук",
               "logo_url": "https://kremen.example.ua/logo.png"}
    assert client.put(f"/api/hromady/{KREMENCHUK}/profile", json=profile, headers=auth(other)).status_code == 403
    assert client.put(f"/api/hromady/{KREMENCHUK}/profile", json=profile, headers=auth(token)).status_code == 200
    assert client.get(f"/api/hromady/{KREMENCHUK}/profile").json()["email"] == "gis@kremen.example.ua"

    doc = assert_valid(schemas, client.get(f"/metadata/{row.metadata_uuid}.xml").content)
    assert _one(doc, "//gmd:citation//gmd:title/gco:CharacterString").startswith("Заклади освіти міста")
    assert "Кременчук" in doc.xpath("//gmd:keyword/gco:CharacterString/text()", namespaces=NS)
    assert _one(doc, "/gmd:MD_Metadata/gmd:contact//gmd:organisationName/gco:CharacterString") \
        == "Кременчуцька міська рада"
    assert _one(doc, "//gmd:electronicMailAddress/gco:CharacterString") == "gis@kremen.example.ua"
    assert "logo.png" in _one(doc, "//gmd:contactInfo//gmd:onlineResource//gmd:URL")


def test_file_links_follow_the_download_service():
    """Files link to /{code}/downloads/{layer}.geojson|gpkg when the app serves them, else to the export."""
    from gisplan.publish.metadata.records import Services, dataset_links

    def files(services):
        return [link["url"] for link in dataset_links("shelters", KREMENCHUK, services)
                if link["protocol"] == "WWW:DOWNLOAD-1.0-http--download"]

    plain = files(Services(base="https://gis.example.ua"))
    assert plain[:3] == [f"https://gis.example.ua/api/layers/shelters/export?format={f}&hromada={KREMENCHUK}"
                         for f in ("geojson", "gpkg", "csv")]
    served = files(Services(base="https://gis.example.ua", downloads=True, ogcapi=True))
    assert served[:3] == [f"https://gis.example.ua/{KREMENCHUK}/downloads/shelters.geojson",
                          f"https://gis.example.ua/{KREMENCHUK}/downloads/shelters.gpkg",
                          f"https://gis.example.ua/api/layers/shelters/export?format=csv&hromada={KREMENCHUK}"]
    assert served[-1].endswith(f"/api/datasets/shelters/{KREMENCHUK}/opendata.zip")


def test_catalogue_service_record(client, demo, schemas):
    """The app serves /csw, so the catalogue has its own service record, coupled to every dataset."""
    import uuid

    uid = uuid.uuid5(uuid.NAMESPACE_URL, "http://testserver/csw")
    resp = client.get(f"/metadata/{uid}.xml")
    assert resp.status_code == 200
    doc = assert_valid(schemas, resp.content)
    assert _one(doc, "//srv:serviceType/gco:LocalName") == "discovery"
    assert _one(doc, "//srv:connectPoint//gmd:URL").startswith("http://testserver/csw?")
    assert {str(r.metadata_uuid) for r in demo} <= set(doc.xpath("//srv:operatesOn/@uuidref", namespaces=NS))


def test_download_service_records(client, app, demo, schemas):
    """WFS (on /{code}/ows) and OGC API – Features (/{code}/ogcapi) get records of their own when the
    app serves them, coupled to the громада's datasets, and the datasets link to them."""
    import uuid

    from api.routes.metadata import route_shapes
    from api.routes.ows import SERVICES

    base = f"http://testserver/{KREMENCHUK}"
    expected = {}
    if "WFS" in SERVICES:
        expected["OGC:WFS"] = (uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/ows#WFS"), f"{base}/ows?SERVICE=WFS")
    if "/{}/ogcapi/collections/{}" in route_shapes(app):
        expected["OGC API - Features"] = (uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/ogcapi"), f"{base}/ogcapi")
    if not expected:
        pytest.skip("this app serves no download service")
    mine = {str(r.metadata_uuid) for r in demo if r.hromada == KREMENCHUK}
    for protocol, (uid, url) in expected.items():
        doc = assert_valid(schemas, client.get(f"/metadata/{uid}.xml").content)
        assert _one(doc, "//srv:serviceType/gco:LocalName") == "download", protocol
        assert _one(doc, "//srv:connectPoint//gmd:URL").startswith(url), protocol
        assert set(doc.xpath("//srv:operatesOn/@uuidref", namespaces=NS)) == mine, protocol
    row = next(r for r in demo if r.hromada == KREMENCHUK and r.layer == "shelters")
    record = assert_valid(schemas, client.get(f"/metadata/{row.metadata_uuid}.xml").content)
    protocols = record.xpath("//gmd:onLine//gmd:protocol/gco:CharacterString/text()", namespaces=NS)
    assert set(expected) <= set(protocols)


def test_ogc_collections_link_to_valid_records(client, app, demo, schemas):
    """Done-when of issue 11: each published dataset's record is reachable from its OGC collection."""
    from api.routes.metadata import route_shapes

    if "/{}/ogcapi/collections/{}" not in route_shapes(app):
        pytest.skip("this app serves no OGC API – Features")
    for row in (r for r in demo if r.hromada == KHMILNYK):
        doc = client.get(f"/{KHMILNYK}/ogcapi/collections/{row.layer}?f=json")
        assert doc.status_code == 200, row.layer
        described = [link["href"] for link in doc.json()["links"] if link["rel"] == "describedby"]
        assert described == [f"http://testserver/metadata/{row.metadata_uuid}.xml"], row.layer
        assert_valid(schemas, client.get(described[0][len("http://testserver"):]).content)

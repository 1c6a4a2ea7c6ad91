"""CSW 2.0.2 (issue 11): responses valid against pycsw's CSW 2.0.2 and APISO schemas; OWSLib's
CatalogueServiceWeb finds a demo dataset by a Ukrainian word and by bbox; paging, ISO output,
GetRecordById, per-громада scope and exception reports.
"""

from __future__ import annotations

import pytest
from lxml import etree
from owslib.catalogue.csw2 import CatalogueServiceWeb
from owslib.fes import BBox, PropertyIsLike
from sqlalchemy import select

from gisplan.db.models import dataset
from gisplan.demo import load_demo
from tests.live_server import live_server
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK
from tests.fixtures.schemas.extract import ensure as ensure_schemas

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
NS = {"csw": CSW_NS, "gmd": "http://www.isotc211.org/2005/gmd", "dc": "http://purl.org/dc/elements/1.1/",
      "ows": "http://www.opengis.net/ows", "gco": "http://www.isotc211.org/2005/gco"}
# Kremenchuk's city centre (lon, lat)
KREMENCHUK_LONLAT = (33.42, 49.07)


@pytest.fixture(scope="module")
def schema():
    """CSW 2.0.2 discovery, and APISO for the ISO records inside responses. The two cannot be
    compiled into one schema: CSW's OWS/Filter import GML 3.1.1 and ISO 19139 (20060504) a GML 3.2.0
    copy, both in the namespace http://www.opengis.net/gml."""
    root = ensure_schemas()
    parser = etree.XMLParser(no_network=True)
    csw = root / "pycsw/core/schemas/ogc/csw/2.0.2/CSW-discovery.xsd"
    apiso = root / "pycsw/plugins/profiles/apiso/schemas/ogc/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
    return etree.XMLSchema(etree.parse(str(csw), parser)), etree.XMLSchema(etree.parse(str(apiso), parser))


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="csw-test")
    with engine.connect() as conn:
        return conn.execute(select(dataset).where(dataset.c.hromada.in_((BALAKLIIA, KHMILNYK, KREMENCHUK)),
                                                  dataset.c.published)).all()


@pytest.fixture(scope="module")
def server(app, demo):
    with live_server(app) as url:
        yield url


def valid(schema, body: bytes) -> etree._Element:
    """Each ISO record against APISO, the response without them against CSW 2.0.2; returns the whole."""
    csw_schema, apiso_schema = schema
    doc = etree.fromstring(body, etree.XMLParser(no_network=True))
    envelope = etree.fromstring(body, etree.XMLParser(no_network=True))
    for record in envelope.xpath("//gmd:MD_Metadata", namespaces=NS):
        assert apiso_schema.validate(etree.ElementTree(record)), apiso_schema.error_log.last_error
        record.getparent().remove(record)
    assert csw_schema.validate(envelope), csw_schema.error_log.last_error
    return doc


def test_capabilities_are_valid(client, schema, demo):
    doc = valid(schema, client.get("/csw?service=CSW&request=GetCapabilities").content)
    ops = doc.xpath("//ows:Operation/@name", namespaces=NS)
    assert ops == ["GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById"]
    assert doc.xpath("//ows:Get/@xlink:href", namespaces={**NS, "xlink": "http://www.w3.org/1999/xlink"})[0] \
        == "http://testserver/csw?"


def test_describe_record(client, schema, demo):
    def namespaces(body: bytes) -> list[str]:
        return valid(schema, body).xpath("//csw:SchemaComponent/@targetNamespace", namespaces=NS)

    assert namespaces(client.get("/csw?service=CSW&version=2.0.2&request=DescribeRecord").content) \
        == [CSW_NS, NS["gmd"]]
    assert namespaces(client.get("/csw?service=CSW&version=2.0.2&request=DescribeRecord"
                                 "&typeName=gmd:MD_Metadata").content) == [NS["gmd"]]
    post = client.post("/csw", content=f"""<csw:DescribeRecord xmlns:csw="{CSW_NS}" service="CSW" version="2.0.2">
        <csw:TypeName>csw:Record</csw:TypeName></csw:DescribeRecord>""".encode(),
                       headers={"Content-Type": "application/xml"})
    assert namespaces(post.content) == [CSW_NS]
    bad = client.get("/csw?service=CSW&version=2.0.2&request=DescribeRecord&typeName=dif:DIF")
    assert bad.status_code == 400
    assert etree.fromstring(bad.content).xpath("//ows:Exception/@locator", namespaces=NS) == ["typeName"]


def test_getrecords_kvp_dublin_core_and_iso(client, schema, demo):
    doc = valid(schema, client.get("/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record"
                                   "&resultType=results&elementSetName=full&maxRecords=5").content)
    results = doc.find(f"{{{CSW_NS}}}SearchResults")
    matched = int(results.get("numberOfRecordsMatched"))
    assert matched >= len(demo) and int(results.get("numberOfRecordsReturned")) == 5
    assert results.get("nextRecord") == "6"
    assert len(doc.xpath("//csw:Record", namespaces=NS)) == 5

    iso = valid(schema, client.get(
        "/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results"
        "&outputSchema=http://www.isotc211.org/2005/gmd&constraintLanguage=CQL_TEXT"
        "&constraint=csw:AnyText LIKE '%Кременчуцька%'&maxRecords=100").content)
    records = iso.xpath("//gmd:MD_Metadata", namespaces=NS)
    uuids = set(iso.xpath("//gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString/text()", namespaces=NS))
    assert {str(r.metadata_uuid) for r in demo if r.hromada == KREMENCHUK} <= uuids
    assert len(records) == int(iso.find(f"{{{CSW_NS}}}SearchResults").get("numberOfRecordsMatched"))

    hits = valid(schema, client.get("/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record").content)
    results = hits.find(f"{{{CSW_NS}}}SearchResults")
    assert int(results.get("numberOfRecordsMatched")) == matched and results.get("numberOfRecordsReturned") == "0"


def test_getrecordbyid_and_hromada_scope(client, schema, demo):
    row = next(r for r in demo if r.hromada == KHMILNYK and r.layer == "schools")
    doc = valid(schema, client.get(f"/{KHMILNYK}/csw?service=CSW&version=2.0.2&request=GetRecordById"
                                   f"&id={row.metadata_uuid}&outputSchema=http://www.isotc211.org/2005/gmd").content)
    assert doc.xpath("//gmd:fileIdentifier/gco:CharacterString/text()", namespaces=NS) == [str(row.metadata_uuid)]
    other = client.get(f"/{BALAKLIIA}/csw?service=CSW&version=2.0.2&request=GetRecordById&id={row.metadata_uuid}")
    assert valid(schema, other.content).xpath("//csw:Record", namespaces=NS) == []

    scoped = valid(schema, client.get(f"/{KHMILNYK}/csw?service=CSW&version=2.0.2&request=GetRecords"
                                      "&resultType=results&maxRecords=100&elementSetName=brief").content)
    ids = set(scoped.xpath("//csw:BriefRecord/dc:identifier/text()", namespaces=NS))
    assert {str(r.metadata_uuid) for r in demo if r.hromada == KHMILNYK} <= ids
    assert not ids & {str(r.metadata_uuid) for r in demo if r.hromada != KHMILNYK}
    assert client.get("/UA00000000000000000/csw?service=CSW&request=GetCapabilities").status_code == 404


def test_exceptions(client, demo):
    for query, code in (("service=CSW&version=2.0.2&request=Transaction", "OperationNotSupported"),
                        ("service=CSW&version=2.0.2&request=GetRecords&outputSchema=urn:nope", "InvalidParameterValue"),
                        ("service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=CQL_TEXT"
                         "&constraint=colour = 'red'", "InvalidParameterValue"),
                        ("request=GetCapabilities", "MissingParameterValue")):
        resp = client.get(f"/csw?{query}")
        assert resp.status_code == 400, query
        doc = etree.fromstring(resp.content)
        assert doc.xpath("//ows:Exception/@exceptionCode", namespaces=NS) == [code], query


def test_owslib_finds_a_demo_dataset_by_ukrainian_word_and_bbox(server, demo):
    csw = CatalogueServiceWeb(f"{server}/csw", timeout=30)
    assert csw.identification.type == "CSW" and "GetRecords" in [op.name for op in csw.operations]
    shelters = next(r for r in demo if r.hromada == KREMENCHUK and r.layer == "shelters")

    csw.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%укриття%", matchCase=False)], maxrecords=100,
                    esn="full")
    assert str(shelters.metadata_uuid) in csw.records
    assert all("укриття" in (r.title + " " + (r.abstract or "") + " ".join(r.subjects)).lower()
               for r in csw.records.values())

    lon, lat = KREMENCHUK_LONLAT
    box = BBox([lat - 0.01, lon - 0.01, lat + 0.01, lon + 0.01], crs="urn:ogc:def:crs:EPSG::4326")
    csw.getrecords2(constraints=[box], maxrecords=100, esn="summary")
    found = set(csw.records)
    assert {str(r.metadata_uuid) for r in demo if r.hromada == KREMENCHUK} <= found
    assert not found & {str(r.metadata_uuid) for r in demo if r.hromada == BALAKLIIA}
    assert csw.results["matches"] == len(found) or csw.results["matches"] > 100

    csw.getrecords2(constraints=[[PropertyIsLike("csw:AnyText", "%укриття%", matchCase=False), box]],
                    outputschema="http://www.isotc211.org/2005/gmd", maxrecords=50, esn="full")
    assert str(shelters.metadata_uuid) in csw.records
    assert csw.records[str(shelters.metadata_uuid)].identification[0].title.startswith("Укриття")

    csw.getrecordbyid([str(shelters.metadata_uuid)], outputschema="http://www.isotc211.org/2005/gmd")
    assert list(csw.records) == [str(shelters.metadata_uuid)]

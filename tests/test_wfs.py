"""The download service WFS 2.0.0 through the app: capabilities, schemas and responses validated
offline against the WFS 2.0 / GML 3.2.1 / OWS 1.1 schemas (tests/fixtures/schemas/ogc-wfs20 with its
XML catalog), counts against SQL on the pub views, paging, axis order per CRS, BBOX, exceptions,
and what an anonymous caller must never see."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from lxml import etree
from sqlalchemy import select, text

from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, ROOT, auth

SCHEMAS = ROOT / "tests" / "fixtures" / "schemas" / "ogc-wfs20"
WFS = "{http://www.opengis.net/wfs/2.0}"
OWS = "{http://www.opengis.net/ows/1.1}"
GML = "{http://www.opengis.net/gml/3.2}"
GP = "{urn:x-gisplan:features}"
FES = "http://www.opengis.net/fes/2.0"
HUB_LONLAT = (30.61, 50.31)
HUBS = 23
SECRETS = ("+380671234509", "11223344", "таємна-примітка-wfs", "Балансоутримувач-wfs")
PUBLISHED = ("it_hubs", "shelters", "tourist_routes", "planning_documents")


# ---------------------------------------------------------------- data: one громада of our own
@pytest.fixture(scope="module")
def place(engine):
    """A громада no other test uses: 23 IT hubs, a public and a planned shelter (with hidden
    fields), a route, a plan polygon (all published) and a CCTV camera (not published)."""
    from gisplan.datasets import set_published
    from gisplan.db.models import territory
    from gisplan.features import create_feature
    from gisplan.publish.wms_service import CACHE

    tag = secrets.token_hex(3)
    with engine.begin() as conn:
        code = conn.execute(select(territory.c.code).where(
            territory.c.level == 3, territory.c.code.notin_([BALAKLIIA, KHMILNYK, KREMENCHUK]))
            .order_by(territory.c.code.desc()).offset(7).limit(1)).scalar_one()
        for i in range(HUBS):
            create_feature(conn, "it_hubs", {"name": f"Хаб-{tag}-{i}", "hromada": code},
                           {"type": "Point", "coordinates": [HUB_LONLAT[0] + i * 0.01, HUB_LONLAT[1]]}, user="tests")
        hidden = {"key_holder_phone": SECRETS[0], "owner_edrpou": SECRETS[1], "notes": SECRETS[2],
                  "balance_holder": SECRETS[3]}
        shelter = create_feature(conn, "shelters", {"name": f"Укриття-{tag}", "hromada": code, "capacity": 120,
                                                    "accessible": True, "last_verified": "2025-03-01", **hidden},
                                 {"type": "Point", "coordinates": [30.5, 50.2]}, user="tests")
        create_feature(conn, "shelters", {"name": f"Заплановане-{tag}", "hromada": code, "status": "planned"},
                       {"type": "Point", "coordinates": [30.51, 50.21]}, user="tests")
        create_feature(conn, "tourist_routes", {"name": f"Маршрут-{tag}", "hromada": code},
                       {"type": "MultiLineString", "coordinates": [[[30.5, 50.3], [30.6, 50.35], [30.7, 50.3]]]},
                       user="tests")
        create_feature(conn, "planning_documents", {"name": f"План-{tag}", "doc_type": "general_plan", "hromada": code},
                       {"type": "MultiPolygon", "coordinates": [[[[30.5, 50.3], [30.6, 50.3], [30.6, 50.4],
                                                                  [30.5, 50.4], [30.5, 50.3]]]]}, user="tests")
        camera = create_feature(conn, "cctv_cameras", {"name": f"Камера-{tag}", "hromada": code},
                                {"type": "Point", "coordinates": [30.45, 50.42]}, user="tests")
        for layer in PUBLISHED:
            set_published(conn, layer, code, True, "tests")
        set_published(conn, "cctv_cameras", code, False, "tests")
        uuids = dict(conn.execute(text("SELECT layer, metadata_uuid::text FROM dataset WHERE hromada = :h"),
                                  {"h": code}).all())
    CACHE.clear()
    return {"code": code, "tag": tag, "shelter": shelter["id"], "camera": camera["id"], "uuids": uuids}


def pub_count(engine, layer: str, hromada: str | None = None) -> int:
    where = "WHERE hromada = :h" if hromada else ""
    with engine.connect() as conn:
        return conn.execute(text(f'SELECT count(*) FROM pub."{layer}" {where}'), {"h": hromada}).scalar_one()


def wfs(client, path="/ows", headers=None, **params):
    query = {"SERVICE": "WFS", "VERSION": "2.0.0", **params}
    return client.get(f"{path}?{urlencode(query)}", headers=headers or {})


# ---------------------------------------------------------------- offline schemas through the XML catalog
class CatalogResolver(etree.Resolver):
    """Resolves the schemas.opengis.net and w3.org locations through schema-catalog.xml; anything
    else is refused (the parser has no network), so a missing mapping fails the test."""

    def __init__(self):
        super().__init__()
        doc = etree.parse(str(SCHEMAS / "schema-catalog.xml"))
        ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
        self.mapping = {e.get("systemId"): (SCHEMAS / e.get("uri")).resolve()
                        for e in doc.iterfind(".//c:system", ns)}

    def resolve(self, url, pubid, context):
        if url in self.mapping:
            return self.resolve_filename(str(self.mapping[url]), context)
        return None


def schema_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(CatalogResolver())
    return parser


def compile_schema(imports: dict[str, str]) -> etree.XMLSchema:
    wrapper = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in imports.items()) + "</xs:schema>"
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), schema_parser()))


@pytest.fixture(scope="session")
def wfs_xsd():
    return compile_schema({"http://www.opengis.net/wfs/2.0": "http://schemas.opengis.net/wfs/2.0/wfs.xsd",
                           "http://www.opengis.net/ows/1.1": "http://schemas.opengis.net/ows/1.1.0/owsAll.xsd"})


def features_xsd(describe: bytes, tmp_path: Path) -> etree.XMLSchema:
    """WFS 2.0 + the feature types of a DescribeFeatureType answer (GML 3.2.1 through the catalog)."""
    path = tmp_path / f"features-{secrets.token_hex(3)}.xsd"
    path.write_bytes(describe)
    return compile_schema({"http://www.opengis.net/wfs/2.0": "http://schemas.opengis.net/wfs/2.0/wfs.xsd",
                           "urn:x-gisplan:features": path.as_uri()})


def validate(schema: etree.XMLSchema, content: bytes):
    doc = etree.fromstring(content, etree.XMLParser(no_network=True))
    assert schema.validate(doc), schema.error_log.last_error
    return doc


def exception(response, status: int, code: str, locator: str | None, wfs_xsd) -> str:
    assert response.status_code == status, response.text
    doc = validate(wfs_xsd, response.content)
    found = doc.find(f"{OWS}Exception")
    assert found.get("exceptionCode") == code, response.text
    assert found.get("locator") == locator
    return found.findtext(f"{OWS}ExceptionText")


# ---------------------------------------------------------------- capabilities and schemas
def test_capabilities_validate_and_list_published_types_only(client, place, wfs_xsd):
    r = wfs(client, f"/{place['code']}/ows", REQUEST="GetCapabilities")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    doc = validate(wfs_xsd, r.content)
    types = {ft.findtext(f"{WFS}Name"): ft for ft in doc.iter(f"{WFS}FeatureType")}
    assert set(types) == {f"gp:{n}" for n in PUBLISHED}
    shelters = types["gp:shelters"]
    assert shelters.findtext(f"{WFS}Title").startswith("Укриття")
    assert shelters.findtext(f"{WFS}DefaultCRS") == "urn:ogc:def:crs:EPSG::4326"
    others = {e.text for e in shelters.iter(f"{WFS}OtherCRS")}
    assert {"urn:ogc:def:crs:EPSG::3857", "urn:ogc:def:crs:EPSG::5561"} <= others
    assert shelters.find(f"{WFS}MetadataURL").get("{http://www.w3.org/1999/xlink}href").endswith(
        f"/metadata/{place['uuids']['shelters']}.xml")
    lower = [float(v) for v in shelters.findtext(f"{OWS}WGS84BoundingBox/{OWS}LowerCorner").split()]
    assert 22 < lower[0] < 41 and 44 < lower[1] < 53
    constraints = {c.get("name"): c.findtext(f"{OWS}DefaultValue") for c in doc.iter(f"{OWS}Constraint")}
    assert constraints["ImplementsResultPaging"] == "TRUE" and int(constraints["CountDefault"]) > 0
    english = wfs(client, f"/{place['code']}/ows", REQUEST="GetCapabilities", LANGUAGE="eng")
    assert "Civil-protection shelters" in english.text
    national = validate(wfs_xsd, wfs(client, REQUEST="GetCapabilities").content)
    assert {f"gp:{n}" for n in PUBLISHED} <= {e.text for e in national.iter(f"{WFS}Name")}


def test_describe_feature_type_hides_non_public_fields(client, place, make_user, tmp_path):
    r = wfs(client, f"/{place['code']}/ows", REQUEST="DescribeFeatureType", TYPENAMES="gp:shelters")
    assert r.status_code == 200, r.text
    features_xsd(r.content, tmp_path)  # compiles against GML 3.2.1
    names = set(etree.fromstring(r.content).xpath("//xsd:element/@name",
                                                  namespaces={"xsd": "http://www.w3.org/2001/XMLSchema"}))
    assert {"shelters", "name", "capacity", "accessible", "geom"} <= names
    assert not names & {"key_holder_phone", "owner_edrpou", "notes", "balance_holder", "public"}
    _, _, token = make_user("viewer", (place["code"],))
    full = wfs(client, f"/{place['code']}/ows", auth(token), REQUEST="DescribeFeatureType", TYPENAMES="shelters")
    assert b'name="key_holder_phone"' in full.content and b'name="notes"' in full.content
    every = wfs(client, f"/{place['code']}/ows", REQUEST="DescribeFeatureType")
    assert every.content.count(b'substitutionGroup="gml:AbstractFeature"') == len(PUBLISHED)


# ---------------------------------------------------------------- GetFeature
@pytest.mark.parametrize("layer", PUBLISHED)
def test_getfeature_gml_validates_and_counts_match_the_pub_view(client, engine, place, layer, tmp_path):
    path = f"/{place['code']}/ows"
    schema = features_xsd(wfs(client, path, REQUEST="DescribeFeatureType", TYPENAMES=layer).content, tmp_path)
    r = wfs(client, path, REQUEST="GetFeature", TYPENAMES=f"gp:{layer}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/gml+xml")
    doc = validate(schema, r.content)
    members = doc.findall(f"{WFS}member")
    expected = pub_count(engine, layer, place["code"])
    assert len(members) == expected > 0
    assert doc.get("numberReturned") == doc.get("numberMatched") == str(expected)
    hits = etree.fromstring(wfs(client, path, REQUEST="GetFeature", TYPENAMES=layer, RESULTTYPE="hits").content)
    assert hits.get("numberMatched") == str(expected) and hits.get("numberReturned") == "0"


def test_paging_returns_every_feature_once(client, engine, place, wfs_xsd):
    path = f"/{place['code']}/ows"
    url = f"{path}?" + urlencode({"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
                                  "TYPENAMES": "it_hubs,tourist_routes", "COUNT": 5})
    seen, pages = [], 0
    while url:
        r = client.get(url)
        doc = etree.fromstring(r.content)
        ids = [m[0].get(f"{GML}id") for m in doc.findall(f"{WFS}member")]
        assert len(ids) == int(doc.get("numberReturned")) <= 5
        seen += ids
        pages += 1
        nxt = doc.get("next")
        url = (lambda s: f"{s.path}?{s.query}")(urlsplit(nxt)) if nxt else None
        assert pages < 20
    with engine.connect() as conn:
        expected = {f"{layer}.{i}" for layer in ("it_hubs", "tourist_routes") for i in conn.execute(
            text(f'SELECT id::text FROM pub."{layer}" WHERE hromada = :h'), {"h": place["code"]}).scalars()}
    assert len(seen) == len(set(seen)) == len(expected) == HUBS + 1
    assert set(seen) == expected
    assert pages == -(-len(expected) // 5)
    # GeoJSON pages too
    r = wfs(client, path, REQUEST="GetFeature", TYPENAMES="it_hubs", COUNT=10, STARTINDEX=20, OUTPUTFORMAT="application/json")
    body = r.json()
    assert body["numberReturned"] == HUBS - 20 and "links" not in body
    first = wfs(client, path, REQUEST="GetFeature", TYPENAMES="it_hubs", COUNT=10, OUTPUTFORMAT="application/json").json()
    assert first["links"][0]["rel"] == "next" and "STARTINDEX=10" in first["links"][0]["href"]


def _hub_position(client, place, srs: str, output: str = "application/gml+xml; version=3.2") -> tuple[float, float]:
    r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES="it_hubs", SRSNAME=srs,
            OUTPUTFORMAT=output, BBOX=f"{HUB_LONLAT[1] - 0.001},{HUB_LONLAT[0] - 0.001},"
                                      f"{HUB_LONLAT[1] + 0.001},{HUB_LONLAT[0] + 0.001}")
    assert r.status_code == 200, r.text
    if output == "application/json":
        features = r.json()["features"]
        assert len(features) == 1
        return tuple(features[0]["geometry"]["coordinates"])
    doc = etree.fromstring(r.content)
    points = list(doc.iter(f"{GML}Point"))
    assert len(points) == 1, r.text[:2000]
    assert points[0].get("srsName") == f"urn:ogc:def:crs:EPSG::{srs.rsplit(':', 1)[1].rsplit('/', 1)[-1]}"
    return tuple(float(v) for v in points[0].findtext(f"{GML}pos").split())


def test_srsname_axis_order(client, place):
    from gisplan.publish.crs import transformer

    lon, lat = HUB_LONLAT
    assert _hub_position(client, place, "urn:ogc:def:crs:EPSG::4326") == pytest.approx((lat, lon), abs=1e-7)
    assert _hub_position(client, place, "EPSG:4326") == pytest.approx((lat, lon), abs=1e-7)
    assert _hub_position(client, place, "EPSG:4326", "application/json") == pytest.approx((lon, lat), abs=1e-7)
    x, y = transformer("EPSG:4326", "EPSG:3857").transform(lon, lat)
    assert _hub_position(client, place, "http://www.opengis.net/def/crs/EPSG/0/3857") == pytest.approx((x, y), abs=0.01)
    ucs_lon, ucs_lat = transformer("EPSG:4326", "EPSG:5561").transform(lon, lat)
    assert (ucs_lon, ucs_lat) != pytest.approx((lon, lat), abs=1e-6)  # the datum shift is real
    assert _hub_position(client, place, "urn:ogc:def:crs:EPSG::5561") == pytest.approx((ucs_lat, ucs_lon), abs=1e-7)
    e, n = transformer("EPSG:4326", "EPSG:5564").transform(lon, lat)
    assert _hub_position(client, place, "urn:ogc:def:crs:EPSG::5564") == pytest.approx((n, e), abs=0.01)


def test_kyiv_point_in_ucs2000_gauss_kruger(client, engine, place):
    """GEOPORTAL.md's Kyiv check: 30.5234 E, 50.4501 N → EPSG:5564 ≈ 6324225.8 E, 5593953.9 N."""
    from gisplan.features import create_feature

    with engine.begin() as conn:
        hub = create_feature(conn, "it_hubs", {"name": "Київ-wfs", "hromada": place["code"]},
                             {"type": "Point", "coordinates": [30.5234, 50.4501]}, user="tests")
    try:
        r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", RESOURCEID=f"it_hubs.{hub['id']}",
                SRSNAME="urn:ogc:def:crs:EPSG::5564")
        pos = [float(v) for v in etree.fromstring(r.content).findtext(f".//{GML}pos").split()]
        assert pos == pytest.approx([5593953.9, 6324225.8], abs=1.0)  # northing, easting
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM it_hubs WHERE id = :i"), {"i": hub["id"]})


def test_bbox_in_every_form(client, place):
    from gisplan.publish.crs import transformer

    lon, lat = HUB_LONLAT[0] + 0.05, HUB_LONLAT[1]  # the sixth hub
    d = 0.002
    boxes = [f"{lat - d},{lon - d},{lat + d},{lon + d}",
             f"{lat - d},{lon - d},{lat + d},{lon + d},urn:ogc:def:crs:EPSG::4326",
             f"{lon - d},{lat - d},{lon + d},{lat + d},EPSG:4326",
             f"{lon - d},{lat - d},{lon + d},{lat + d},urn:ogc:def:crs:OGC:1.3:CRS84"]
    x0, y0 = transformer("EPSG:4326", "EPSG:3857").transform(lon - d, lat - d)
    x1, y1 = transformer("EPSG:4326", "EPSG:3857").transform(lon + d, lat + d)
    boxes.append(f"{x0},{y0},{x1},{y1},urn:ogc:def:crs:EPSG::3857")
    for box in boxes:
        r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES="it_hubs", BBOX=box,
                OUTPUTFORMAT="application/json")
        names = [f["properties"]["name"] for f in r.json()["features"]]
        assert len(names) == 1 and names[0].endswith("-5"), (box, names)


def test_getfeature_by_id_and_property_values(client, place, wfs_xsd, tmp_path):
    path = f"/{place['code']}/ows"
    fid = f"shelters.{place['shelter']}"
    r = wfs(client, path, REQUEST="GetFeature", STOREDQUERY_ID="urn:ogc:def:query:OGC-WFS::GetFeatureById", ID=fid)
    doc = etree.fromstring(r.content)
    assert [m[0].get(f"{GML}id") for m in doc.findall(f"{WFS}member")] == [fid]
    assert doc.find(f".//{GP}capacity").text == "120" and doc.find(f".//{GP}accessible").text == "true"
    missing = wfs(client, path, REQUEST="GetFeature", STOREDQUERY_ID="urn:ogc:def:query:OGC-WFS::GetFeatureById",
                  ID="shelters.00000000-0000-0000-0000-000000000000")
    exception(missing, 404, "NotFound", "ID", wfs_xsd)
    values = wfs(client, path, REQUEST="GetPropertyValue", TYPENAMES="it_hubs", VALUEREFERENCE="name")
    vdoc = validate(wfs_xsd, values.content)
    assert len(vdoc.findall(f"{WFS}member")) == HUBS and all(
        m.text.startswith("Хаб-") for m in vdoc.findall(f"{WFS}member"))
    geoms = validate(wfs_xsd, wfs(client, path, REQUEST="GetPropertyValue", TYPENAMES="it_hubs",
                                  VALUEREFERENCE="gp:geom", COUNT=3).content)
    assert len(list(geoms.iter(f"{GML}Point"))) == 3 and geoms.get("next")
    for request in ("ListStoredQueries", "DescribeStoredQueries"):
        validate(wfs_xsd, wfs(client, path, REQUEST=request).content)


# ---------------------------------------------------------------- FES 2.0 filters
def _filtered(client, place, body: str, layer: str = "it_hubs") -> list[str]:
    r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES=layer, OUTPUTFORMAT="application/json",
            FILTER=f'<fes:Filter xmlns:fes="{FES}" xmlns:gml="http://www.opengis.net/gml/3.2">{body}</fes:Filter>')
    assert r.status_code == 200, r.text
    return sorted(f["properties"]["name"].rsplit("-", 1)[1] for f in r.json()["features"])


def test_fes_filters(client, place, wfs_xsd):
    eq = "<fes:PropertyIsEqualTo><fes:ValueReference>gp:name</fes:ValueReference><fes:Literal>{}</fes:Literal></fes:PropertyIsEqualTo>"
    hub = lambda i: f"Хаб-{place['tag']}-{i}"  # noqa: E731
    assert _filtered(client, place, eq.format(hub(3))) == ["3"]
    assert _filtered(client, place, f"<fes:Or>{eq.format(hub(3))}{eq.format(hub(7))}</fes:Or>") == ["3", "7"]
    assert _filtered(client, place, f"<fes:Not>{eq.format(hub(3))}</fes:Not>") == sorted(
        str(i) for i in range(HUBS) if i != 3)
    like = f"<fes:PropertyIsLike wildCard='*' singleChar='.' escapeChar='!'><fes:ValueReference>name</fes:ValueReference><fes:Literal>Хаб-{place['tag']}-1.</fes:Literal></fes:PropertyIsLike>"
    version = "<fes:PropertyIsGreaterThanOrEqualTo><fes:ValueReference>version</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsGreaterThanOrEqualTo>"
    assert _filtered(client, place, f"<fes:And>{like}{version}</fes:And>") == [str(i) for i in range(10, 20)]
    between = "<fes:PropertyIsBetween><fes:ValueReference>capacity</fes:ValueReference><fes:LowerBoundary><fes:Literal>100</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>150</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>"
    assert len(_filtered(client, place, between, "shelters")) == 1
    lon, lat = HUB_LONLAT[0] + 0.02, HUB_LONLAT[1]
    box = (f"<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName='urn:ogc:def:crs:EPSG::4326'>"
           f"<gml:lowerCorner>{lat - 0.001} {lon - 0.001}</gml:lowerCorner><gml:upperCorner>{lat + 0.001} {lon + 0.001}"
           "</gml:upperCorner></gml:Envelope></fes:BBOX>")
    assert _filtered(client, place, box) == ["2"]
    rid = f"<fes:ResourceId rid='shelters.{place['shelter']}'/>"
    assert len(_filtered(client, place, rid, "shelters")) == 1
    # a hidden field cannot be probed by a filter
    probe = (f"<fes:PropertyIsEqualTo><fes:ValueReference>key_holder_phone</fes:ValueReference>"
             f"<fes:Literal>{SECRETS[0]}</fes:Literal></fes:PropertyIsEqualTo>")
    r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES="shelters",
            FILTER=f'<fes:Filter xmlns:fes="{FES}">{probe}</fes:Filter>')
    exception(r, 400, "InvalidParameterValue", "FILTER", wfs_xsd)
    hits = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES="it_hubs", RESULTTYPE="hits",
               FILTER=f'<fes:Filter xmlns:fes="{FES}">{like}</fes:Filter>')
    assert etree.fromstring(hits.content).get("numberMatched") == "10"


# ---------------------------------------------------------------- exceptions
@pytest.mark.parametrize("params, status, code, locator", [
    ({"REQUEST": "GetFeature", "TYPENAMES": "no_such_layer"}, 400, "InvalidParameterValue", "typeNames"),
    ({"REQUEST": "GetFeature"}, 400, "MissingParameterValue", "typeNames"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "COUNT": "many"}, 400, "InvalidParameterValue", "COUNT"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "SRSNAME": "EPSG:32636"}, 400, "InvalidParameterValue", "srsName"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "BBOX": "1,2,3"}, 400, "InvalidParameterValue", "BBOX"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "OUTPUTFORMAT": "shape-zip"}, 400, "InvalidParameterValue", "outputFormat"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "FILTER": "<fes:Filter/>"}, 400, "OperationParsingFailed", "FILTER"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "FILTER": f'<Filter xmlns="{FES}"><Intersects><ValueReference>geom'
      '</ValueReference></Intersects></Filter>'}, 501, "OptionNotSupported", "FILTER"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "FILTER": f'<Filter xmlns="{FES}"><PropertyIsEqualTo>'
      '<ValueReference>version</ValueReference><Literal>many</Literal></PropertyIsEqualTo></Filter>'},
     400, "InvalidParameterValue", "FILTER"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "BBOX": "1,2,3,4", "RESOURCEID": "it_hubs.x"}, 400,
     "InvalidParameterValue", "RESOURCEID"),
    ({"REQUEST": "GetFeature", "TYPENAMES": "it_hubs", "VERSION": "1.1.0"}, 400, "InvalidParameterValue", "version"),
    ({"REQUEST": "Transaction"}, 501, "OperationNotSupported", "request"),
    ({"REQUEST": "GetCapabilities", "ACCEPTVERSIONS": "1.1.0"}, 400, "VersionNegotiationFailed", "AcceptVersions"),
])
def test_problems_are_ows_exception_reports(client, place, wfs_xsd, params, status, code, locator):
    message = exception(wfs(client, f"/{place['code']}/ows", **params), status, code, locator, wfs_xsd)
    assert message and "\n" not in message.strip()


# ---------------------------------------------------------------- what anonymous callers never see
@pytest.mark.parametrize("path", ["/ows", "{code}"])
def test_anonymous_never_sees_hidden_fields_or_unpublished_datasets(client, place, wfs_xsd, path):
    path = f"/{place['code']}/ows" if path == "{code}" else path
    for output in ("application/gml+xml; version=3.2", "application/json"):
        r = wfs(client, path, REQUEST="GetFeature", TYPENAMES="shelters", OUTPUTFORMAT=output, COUNT=10000)
        assert r.status_code == 200
        body = r.content.decode()
        assert "Укриття-" in body and not any(s in body for s in SECRETS)
        assert "Заплановане-" not in body  # the row filter: planned shelters are not published
    if path != "/ows":  # nationally, other громади (the demo) may publish CCTV: see the camera check below
        for names in ("cctv_cameras", "shelters,cctv_cameras"):
            exception(wfs(client, path, REQUEST="GetFeature", TYPENAMES=names), 400, "InvalidParameterValue",
                      "typeNames", wfs_xsd)
    cameras = wfs(client, path, REQUEST="GetFeature", TYPENAMES="cctv_cameras", COUNT=10000)
    assert cameras.status_code in (200, 400) and "Камера-" not in cameras.text
    r = wfs(client, path, REQUEST="GetFeature", RESOURCEID=f"cctv_cameras.{place['camera']}")
    assert r.status_code in (200, 400) and "Камера-" not in r.text  # 200: an empty collection
    if path != "/ows":
        assert r.status_code == 400
    values = wfs(client, path, REQUEST="GetPropertyValue", TYPENAMES="shelters", VALUEREFERENCE="key_holder_phone")
    exception(values, 400, "InvalidParameterValue", "valueReference", wfs_xsd)


def test_reader_of_the_hromada_gets_full_tables(client, engine, place, make_user):
    _, _, token = make_user("viewer", (place["code"],))
    path = f"/{place['code']}/ows"
    r = wfs(client, path, auth(token), REQUEST="GetFeature", TYPENAMES="shelters,cctv_cameras",
            OUTPUTFORMAT="application/json")
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    body = r.json()
    names = {f["properties"]["name"].split("-")[0] for f in body["features"]}
    assert names == {"Укриття", "Заплановане", "Камера"}
    assert SECRETS[0] in r.text
    # the national endpoint stays anonymous whoever asks
    national = wfs(client, "/ows", auth(token), REQUEST="GetFeature", TYPENAMES="shelters", COUNT=10000)
    assert SECRETS[0] not in national.text
    # another громада: the anonymous view only (its CCTV may be published by the demo, or not at all)
    other = wfs(client, f"/{BALAKLIIA}/ows", auth(token), REQUEST="GetFeature", TYPENAMES="cctv_cameras",
                OUTPUTFORMAT="application/json", COUNT=10000)
    with engine.connect() as conn:
        public = conn.execute(text("SELECT count(*) FROM pub.cctv_cameras WHERE hromada = :h"),
                              {"h": BALAKLIIA}).scalar_one()
    if other.status_code == 200:
        assert len(other.json()["features"]) == public
    else:
        assert other.status_code == 400 and public == 0


def test_hromada_without_published_data_has_valid_empty_capabilities(client, engine, wfs_xsd):
    from gisplan.db.models import dataset, territory

    with engine.connect() as conn:
        code = conn.execute(select(territory.c.code).where(
            territory.c.level == 3, territory.c.code.notin_(select(dataset.c.hromada)))
            .order_by(territory.c.code).limit(1)).scalar_one()
    doc = validate(wfs_xsd, wfs(client, f"/{code}/ows", REQUEST="GetCapabilities").content)
    assert doc.find(f"{WFS}FeatureTypeList") is None
    validate(wfs_xsd, wfs(client, f"/{code}/ows", REQUEST="ListStoredQueries").content)
    exception(wfs(client, f"/{code}/ows", REQUEST="GetFeature", TYPENAMES="shelters"), 400,
              "InvalidParameterValue", "typeNames", wfs_xsd)


@pytest.mark.parametrize("layer", ["planning_documents", "tourist_routes", "it_hubs"])
def test_geojson_output_passes_geojson_validator(client, place, layer):
    from geojson_validator import validate_geometries, validate_structure

    r = wfs(client, f"/{place['code']}/ows", REQUEST="GetFeature", TYPENAMES=layer, OUTPUTFORMAT="application/json")
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert "crs" not in body and body["numberReturned"] == len(body["features"]) > 0
    assert validate_structure(body) == {}
    checked = validate_geometries(body)
    assert checked["invalid"] == {} and checked["problematic"] == {}

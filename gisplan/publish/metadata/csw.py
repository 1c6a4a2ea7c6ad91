"""CSW 2.0.2 (ISO application profile 1.0), the read-only subset: GetCapabilities, DescribeRecord,
GetRecords (OGC Filter 1.1 or CQL text constraints, paging, hits/results, Dublin Core or
``http://www.isotc211.org/2005/gmd`` output) and GetRecordById, as KVP (GET) or XML (POST).

Built here instead of running pycsw: pycsw 2.6.2 needs SQLAlchemy < 2 and OWSLib < 0.29, which
cannot share gisplan's environment, and a separate process with its own repository would have to
be kept in step with every data change. Filters are evaluated by pygeofilter (see :mod:`.fes11`).
ISO output returns the full record whatever the element set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree
from markupsafe import Markup
from sqlalchemy import Connection, select

from ...db.models import dataset
from ...settings import wms_settings
from ..templating import render
from .catalogue import ATTRIBUTES, FilterError, entries, parse_filter, search
from .gap_records import gap_record
from .records import Memo, Services, dataset_record, service_record

CSW = "http://www.opengis.net/cat/csw/2.0.2"
GMD = "http://www.isotc211.org/2005/gmd"
OGC = "http://www.opengis.net/ogc"
OUTPUT_SCHEMAS = (CSW, GMD)
TYPE_NAMES = ("csw:Record", "gmd:MD_Metadata")
ELEMENT_SETS = ("brief", "summary", "full")
DC_ELEMENT = {"brief": "BriefRecord", "summary": "SummaryRecord", "full": "Record"}
MAX_RECORDS = 100
XML = "application/xml; charset=utf-8"


class CswError(Exception):
    def __init__(self, message: str, code: str = "InvalidParameterValue", locator: str | None = None,
                 status: int = 400):
        super().__init__(message)
        self.code, self.locator, self.status = code, locator, status


@dataclass
class CswResponse:
    body: str
    status: int = 200
    media_type: str = XML


@dataclass
class Request:
    operation: str
    output_schema: str = CSW
    element_set: str = "summary"
    result_type: str = "hits"
    start: int = 1
    max_records: int = 10
    ids: tuple[str, ...] = ()
    fes: etree._Element | None = None
    cql: str | None = None
    type_names: tuple[str, ...] = ()


# ------------------------------------------------------------------ request parsing
def _int(value: str | None, name: str, default: int, minimum: int) -> int:
    if value in (None, ""):
        return default
    try:
        n = int(value)
    except ValueError:
        raise CswError(f"{name}: {value!r} is not a whole number", locator=name) from None
    if n < minimum:
        raise CswError(f"{name}: at least {minimum}", locator=name)
    return n


def _check(req: Request) -> Request:
    if req.output_schema not in OUTPUT_SCHEMAS:
        raise CswError(f"outputSchema: {req.output_schema!r} is not one of {', '.join(OUTPUT_SCHEMAS)}",
                       locator="outputSchema")
    if req.element_set not in ELEMENT_SETS:
        raise CswError(f"ElementSetName: one of {', '.join(ELEMENT_SETS)}", locator="ElementSetName")
    if req.result_type not in ("hits", "results", "validate"):
        raise CswError("resultType: one of hits, results, validate", locator="resultType")
    req.max_records = min(req.max_records, MAX_RECORDS)
    return req


def parse_kvp(params: dict[str, str]) -> Request:
    p = {k.lower(): v for k, v in params.items()}
    if (p.get("service") or "").upper() != "CSW":
        raise CswError("parameter service=CSW is missing", "MissingParameterValue", "service")
    op = (p.get("request") or "").strip()
    if not op:
        raise CswError("parameter request is missing", "MissingParameterValue", "request")
    if op != "GetCapabilities" and p.get("version", "2.0.2") != "2.0.2":
        raise CswError("version: only 2.0.2", locator="version")
    req = Request(op, output_schema=p.get("outputschema") or CSW,
                  element_set=(p.get("elementsetname") or ("full" if op == "GetRecordById" else "summary")).lower(),
                  result_type=(p.get("resulttype") or "hits").lower(),
                  start=_int(p.get("startposition"), "startPosition", 1, 1),
                  max_records=_int(p.get("maxrecords"), "maxRecords", 10, 0),
                  ids=tuple(i.strip() for i in (p.get("id") or "").split(",") if i.strip()),
                  type_names=tuple(t.strip() for t in (p.get("typenames") or p.get("typename") or "").split(",")
                                   if t.strip()))
    constraint = p.get("constraint")
    if constraint:
        language = (p.get("constraintlanguage") or "").upper()
        if language == "FILTER":
            try:
                req.fes = etree.fromstring(constraint.encode(), etree.XMLParser(no_network=True, resolve_entities=False))
            except etree.XMLSyntaxError as exc:
                raise CswError(f"constraint: not XML: {exc}", locator="constraint") from None
        elif language == "CQL_TEXT":
            req.cql = constraint
        else:
            raise CswError("constraintLanguage: FILTER or CQL_TEXT", "MissingParameterValue", "constraintLanguage")
    return _check(req) if op in ("GetRecords", "GetRecordById") else req


def parse_xml(body: bytes) -> Request:
    try:
        root = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise CswError(f"the request is not XML: {exc}", "NoApplicableCode") from None
    op = etree.QName(root).localname
    if etree.QName(root).namespace != CSW:
        raise CswError(f"{root.tag} is not a CSW 2.0.2 request", "OperationNotSupported")
    req = Request(op, output_schema=root.get("outputSchema") or CSW,
                  result_type=(root.get("resultType") or "hits").lower(),
                  start=_int(root.get("startPosition"), "startPosition", 1, 1),
                  max_records=_int(root.get("maxRecords"), "maxRecords", 10, 0),
                  element_set="full" if op == "GetRecordById" else "summary")
    names = root.find(f".//{{{CSW}}}ElementSetName")
    if names is not None and names.text:
        req.element_set = names.text.strip().lower()
    elif root.find(f".//{{{CSW}}}ElementName") is not None:
        req.element_set = "full"
    req.ids = tuple(e.text.strip() for e in root.findall(f"{{{CSW}}}Id") if e.text)
    query = root.find(f"{{{CSW}}}Query")
    if query is not None:
        req.type_names = tuple((query.get("typeNames") or "").split())
    if op == "DescribeRecord":
        req.type_names = tuple(e.text.strip() for e in root.findall(f"{{{CSW}}}TypeName") if e.text)
    fes = root.find(f".//{{{CSW}}}Constraint/{{{OGC}}}Filter")
    cql = root.find(f".//{{{CSW}}}Constraint/{{{CSW}}}CqlText")
    req.fes = fes
    req.cql = cql.text if cql is not None else None
    return _check(req) if op in ("GetRecords", "GetRecordById") else req


# ------------------------------------------------------------------ answers
def exception(err: CswError) -> CswResponse:
    return CswResponse(render("csw_exception.xml", code=err.code, locator=err.locator, message=str(err)),
                       err.status)


def _capabilities(url: str, place: str | None, services: Services) -> str:
    w = wms_settings()
    common = [("outputFormat", ["application/xml"]), ("outputSchema", list(OUTPUT_SCHEMAS))]
    operations = [
        {"name": "GetCapabilities", "parameters": [("sections", ["ServiceIdentification", "ServiceProvider",
                                                                 "OperationsMetadata", "Filter_Capabilities"])]},
        {"name": "DescribeRecord", "parameters": [("typeName", list(TYPE_NAMES)),
                                                  ("schemaLanguage", ["http://www.w3.org/XML/Schema"])]},
        {"name": "GetRecords", "constraint": True, "parameters": [
            ("typeNames", list(TYPE_NAMES)), ("resultType", ["hits", "results", "validate"]),
            ("ElementSetName", list(ELEMENT_SETS)), ("CONSTRAINTLANGUAGE", ["FILTER", "CQL_TEXT"]), *common]},
        {"name": "GetRecordById", "parameters": [("ElementSetName", list(ELEMENT_SETS)), *common]},
    ]
    title = "Каталог метаданих геопросторових даних громад (CSW 2.0.2)" + (f": {place}" if place else "")
    return render("csw_capabilities.xml", title=title,
                  abstract="Пошук метаданих наборів геопросторових даних і сервісів (ISO 19139, "
                           "CSW 2.0.2 ISO AP 1.0) / Discovery of the communities' geodata records",
                  keywords=["НІГД", "метадані", "CSW", "infoCatalogueService"], fees=w.fees,
                  access=w.access_constraints, provider=w.contact_organization, email=w.contact_email,
                  base=services.base, url=url, operations=operations,
                  queryables=sorted(n for n in ATTRIBUTES if n.startswith("apiso:")))


SCHEMAS = {
    "csw:Record": {"namespace": CSW, "location": "http://schemas.opengis.net/csw/2.0.2/record.xsd"},
    "gmd:MD_Metadata": {"namespace": GMD, "location": "http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd"},
}


def _describe(type_names: tuple[str, ...]) -> str:
    """The schema of each record type asked for (all when none is named)."""
    unknown = [t for t in type_names if t not in SCHEMAS]
    if unknown:
        raise CswError(f"typeName: {', '.join(unknown)} is not offered; type names: {', '.join(SCHEMAS)}",
                       locator="typeName")
    return render("csw_describe.xml", schemas=[SCHEMAS[t] for t in (type_names or tuple(SCHEMAS))])


def _iso(conn: Connection, page, services: Services) -> dict[str, Markup]:
    uuids = [e.identifier for e in page if e.type == "dataset" and not e.gap]
    rows = {str(r.metadata_uuid): r for r in conn.execute(
        select(dataset).where(dataset.c.metadata_uuid.in_(uuids)))} if uuids else {}
    out = {}
    memo = Memo()
    for e in page:
        if e.gap:
            xml = gap_record(conn, e, services, memo)
        else:
            xml = (dataset_record(conn, rows[e.identifier], services, memo) if e.type == "dataset"
                   else service_record(conn, e.service, services, memo))
        out[e.identifier] = Markup(xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml)
    return out


def _records(conn: Connection, req: Request, items, matched: int, services: Services, by_id: bool) -> str:
    iso = _iso(conn, items, services) if req.output_schema == GMD else None
    nxt = req.start + len(items)
    return render("csw_records.xml", by_id=by_id, records=items, iso=iso, matched=matched,
                  next_record=nxt if nxt <= matched else 0, schema=req.output_schema, element_set=req.element_set,
                  dc_element=DC_ELEMENT[req.element_set], base=services.base,
                  timestamp=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat())


def handle(conn: Connection, req: Request, *, url: str, hromada: str | None, place: str | None,
           services: Services) -> CswResponse:
    try:
        if req.operation == "GetCapabilities":
            return CswResponse(_capabilities(url, place, services))
        if req.operation == "DescribeRecord":
            return CswResponse(_describe(req.type_names))
        if req.operation == "GetRecords":
            try:
                predicate = parse_filter(fes=req.fes, cql=req.cql)
            except FilterError as exc:
                raise CswError(str(exc), locator="constraint") from None
            found = search(entries(conn, hromada, services), predicate)
            if req.result_type == "hits":
                page = []
            else:
                page = found[req.start - 1:req.start - 1 + req.max_records]
            return CswResponse(_records(conn, req, page, len(found), services, by_id=False))
        if req.operation == "GetRecordById":
            if not req.ids:
                raise CswError("parameter id is missing", "MissingParameterValue", "id")
            wanted = set(req.ids)
            page = [e for e in entries(conn, hromada, services) if e.identifier in wanted]
            return CswResponse(_records(conn, req, page, len(page), services, by_id=True))
        raise CswError(f"request {req.operation!r} is not offered (read-only catalogue): GetCapabilities, "
                       "DescribeRecord, GetRecords, GetRecordById", "OperationNotSupported", "request")
    except CswError as err:
        return exception(err)

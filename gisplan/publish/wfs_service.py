"""The WFS 2.0.0 operations for one endpoint (``/ows`` or ``/{code}/ows``) and one caller.

Registered in ``api/routes/ows.py`` under SERVICE=WFS beside the WMS, with the same
:class:`~.wms_service.Endpoint`: anonymous callers read the ``pub`` views of published datasets; a
signed-in reader of the громада reads its full tables at ``/{code}/ows``. A feature type is a
layer the caller may see (:func:`~.wms_service.visible_names`), so an unpublished layer is an
unknown TYPENAMES value. Offered: GetCapabilities, DescribeFeatureType, GetFeature (GML 3.2 and
GeoJSON, BBOX, RESOURCEID, COUNT/STARTINDEX with ``next`` links, RESULTTYPE=hits, SRSNAME),
GetPropertyValue, ListStoredQueries and DescribeStoredQueries (GetFeatureById), and FES 2.0
filters (:mod:`.wfs_filter`: the Minimum Standard Filter, Like, Null, Between, ResourceId, BBOX).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from sqlalchemy import select, text

from ..catalog import catalog
from ..db.models import dataset
from ..settings import server_settings, wms_settings
from .crs import UKRAINE_LONLAT
from .sources import Scope, layer_source
from .templating import render
from .wfs_crs import OFFERED, parse_crs
from .wfs_encode import geojson_collection, gml_collection, value_collection
from .wfs_filter import SCALAR_OPERATORS
from .wfs_params import (
    ADVERTISED_FORMATS, GEOJSON, GET_FEATURE_BY_ID, VERSION, FeatureRequest, WfsError, check_version,
    feature_request, names, negotiate,
)
from .wfs_query import count, read, sql_text
from .wfs_types import GEOMETRY_PROPERTY, NAMESPACE, PREFIX, FeatureType
from .wms_service import Endpoint, OwsResponse, hromada_name, visible_names

XML = "text/xml; charset=utf-8"
GML_MEDIA = "application/gml+xml; version=3.2; charset=utf-8"
OPERATIONS = ("GetCapabilities", "DescribeFeatureType", "GetFeature", "GetPropertyValue",
              "ListStoredQueries", "DescribeStoredQueries")
CONSTRAINTS = (
    ("ImplementsBasicWFS", "TRUE"), ("ImplementsSimpleWFS", "TRUE"), ("ImplementsTransactionalWFS", "FALSE"),
    ("ImplementsLockingWFS", "FALSE"), ("KVPEncoding", "TRUE"), ("XMLEncoding", "FALSE"),
    ("SOAPEncoding", "FALSE"), ("ImplementsInheritance", "FALSE"), ("ImplementsRemoteResolve", "FALSE"),
    ("ImplementsResultPaging", "TRUE"), ("ImplementsStandardJoins", "FALSE"),
    ("ImplementsSpatialJoins", "FALSE"), ("ImplementsTemporalJoins", "FALSE"),
    ("ImplementsFeatureVersioning", "FALSE"), ("ManageStoredQueries", "FALSE"),
)
FILTER_CONSTRAINTS = (
    ("ImplementsQuery", "TRUE"), ("ImplementsAdHocQuery", "TRUE"), ("ImplementsFunctions", "FALSE"),
    ("ImplementsResourceId", "TRUE"), ("ImplementsMinStandardFilter", "TRUE"),
    ("ImplementsStandardFilter", "FALSE"), ("ImplementsMinSpatialFilter", "TRUE"),
    ("ImplementsSpatialFilter", "FALSE"), ("ImplementsMinTemporalFilter", "FALSE"),
    ("ImplementsTemporalFilter", "FALSE"), ("ImplementsVersionNav", "FALSE"), ("ImplementsSorting", "FALSE"),
    ("ImplementsExtendedOperators", "FALSE"), ("ImplementsMinimumXPath", "FALSE"),
    ("ImplementsSchemaElementFunc", "FALSE"),
)


def _types(endpoint: Endpoint, wanted: tuple[str, ...] = (), locator: str = "typeNames") -> list[FeatureType]:
    """The feature types the caller may see (all, or ``wanted`` in request order)."""
    visible = visible_names(endpoint.engine, endpoint.scope)
    cat = catalog()
    if not wanted:
        return [FeatureType(layer_source(spec, endpoint.scope)) for spec in cat if spec.name in visible]
    out = []
    for name in wanted:
        if name not in visible or name not in cat:
            raise WfsError(f"feature type {name!r} is not offered here; see GetCapabilities",
                           "InvalidParameterValue", locator)
        out.append(FeatureType(layer_source(cat.get(name), endpoint.scope)))
    return out


def _datasets(endpoint: Endpoint) -> tuple[dict[str, dict], str]:
    """Per visible layer: its ISO record UUIDs and the extent of its громади; an update sequence."""
    scope = endpoint.scope
    sql = sql_text("wfs_datasets.sql")
    out: dict[str, dict] = {}
    digest = hashlib.sha1()
    with endpoint.engine.connect() as conn:
        for row in conn.execute(text(sql), {"full": scope.full, "h": scope.hromada}):
            digest.update(repr((row.layer, row.uuid, row.changed_at, row.published_at)).encode())
            entry = out.setdefault(row.layer, {"uuids": [], "box": None})
            entry["uuids"].append(row.uuid)
            if row.x0 is not None:
                box = entry["box"]
                entry["box"] = (row.x0, row.y0, row.x1, row.y1) if box is None else (
                    min(box[0], row.x0), min(box[1], row.y0), max(box[2], row.x1), max(box[3], row.y1))
    return out, digest.hexdigest()[:16]


def _capabilities(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    negotiate(params)
    s = wms_settings()
    lang = "en" if (params.get("LANGUAGE") or "").lower() in ("eng", "en") else "uk"
    place = hromada_name(endpoint.engine, endpoint.scope.hromada) if endpoint.scope.hromada else None
    title = s.title_uk if lang == "uk" else s.title_en
    service = {
        "title": f"{title}: {place}" if place else title,
        "abstract": ("Сервіс завантаження (WFS 2.0) наборів геопросторових даних громад."
                     if lang == "uk" else "Download service (WFS 2.0) of the communities' data sets."),
        "keywords": [k for k in s.keywords if k != "infoMapAccessService"] + ["infoFeatureAccessService"],
        "fees": s.fees, "access_constraints": s.access_constraints, "organization": s.contact_organization,
        "person": s.contact_person, "email": s.contact_email,
    }
    datasets, sequence = _datasets(endpoint)
    types = []
    for spec in catalog():
        if spec.name not in datasets:
            continue
        info = datasets[spec.name]
        keywords = list(spec.metadata.keywords.get(lang) or spec.metadata.keywords.get("uk", ()))
        types.append({
            "name": spec.name, "title": getattr(spec.title, lang), "abstract": getattr(spec.abstract, lang),
            "keywords": keywords + [t for t in spec.metadata.topic_categories if t not in keywords],
            "lonlat": tuple(round(v, 6) for v in (info["box"] or UKRAINE_LONLAT)),
            "metadata_urls": [f"{endpoint.base}/metadata/{u}.xml" for u in info["uuids"]],
        })
    body = render("wfs_capabilities.xml", update_sequence=sequence, prefix=PREFIX, namespace=NAMESPACE,
                  service=service, base=endpoint.base, url=endpoint.service_url, operations=OPERATIONS,
                  output_formats=ADVERTISED_FORMATS,
                  constraints=CONSTRAINTS + (("CountDefault", server_settings().max_page_size),),
                  types=types, crs=[parse_crs(c).urn for c in OFFERED], filter_constraints=FILTER_CONSTRAINTS,
                  scalar_operators=SCALAR_OPERATORS)
    return OwsResponse(body.encode("utf-8"), XML)


def _describe_feature_type(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    fmt = (params.get("OUTPUTFORMAT") or "").replace(" ", "").lower()
    if fmt and fmt not in ("application/gml+xml;version=3.2", "text/xml;subtype=gml/3.2",
                           "text/xml;subtype=gml/3.2.1", "application/xml", "text/xml"):
        raise WfsError(f"OUTPUTFORMAT {params['OUTPUTFORMAT']!r} is not offered for schemas; "
                       "use application/gml+xml; version=3.2", "InvalidParameterValue", "outputFormat")
    types = _types(endpoint, names(params, required=False))
    body = render("wfs_describe.xml", types=types, prefix=PREFIX, namespace=NAMESPACE,
                  geometry_property=GEOMETRY_PROPERTY)
    return OwsResponse(body.encode("utf-8"), "application/gml+xml; version=3.2; subtype=xsd; charset=utf-8")


def _schema_location(endpoint: Endpoint, types: list[FeatureType]) -> str:
    describe = endpoint.service_url + urlencode({
        "SERVICE": "WFS", "VERSION": VERSION, "REQUEST": "DescribeFeatureType",
        "TYPENAMES": ",".join(f"{PREFIX}:{t.name}" for t in types)})
    return f"http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd {NAMESPACE} {describe}"


def _next_url(endpoint: Endpoint, params: dict[str, str], request: FeatureRequest) -> str:
    query = {k: v for k, v in params.items() if k not in ("STARTINDEX", "COUNT", "MAXFEATURES")}
    query.update(STARTINDEX=str(request.start + request.count), COUNT=str(request.count))
    return endpoint.service_url + urlencode(query)


def _get_feature(endpoint: Endpoint, params: dict[str, str], property_values: bool = False) -> OwsResponse:
    request = feature_request(params, server_settings().max_page_size, value_reference=property_values)
    types = _types(endpoint, request.type_names)
    columns = None
    if property_values:
        reference = request.value_reference.partition(":")[2] or request.value_reference  # type: ignore[union-attr]
        for t in types:
            if reference != GEOMETRY_PROPERTY and t.find(reference) is None:
                raise WfsError(f"VALUEREFERENCE {request.value_reference!r} is not a property of {t.name}",
                               "InvalidParameterValue", "valueReference")
        columns = {t.name: ["id"] if reference == GEOMETRY_PROPERTY else ["id", reference] for t in types}
    with endpoint.engine.connect() as conn:
        if request.hits:
            matched = sum(count(conn, t, request) for t in types)
            pages, more = [], False
        else:
            pages, more = read(conn, types, request, columns)
            matched = None
    returned = sum(len(p.rows) for p in pages)
    if matched is None and not more and request.start == 0:
        matched = returned  # the whole result is in this page
    next_url = _next_url(endpoint, params, request) if more else None
    if request.resource_ids and not request.hits and returned == 0 and params.get("STOREDQUERY_ID"):
        raise WfsError(f"no feature {request.resource_ids[0]!r}", "NotFound", "ID")
    if request.output == GEOJSON and not property_values:
        return OwsResponse(geojson_collection(pages, request.crs, matched, next_url),
                           "application/geo+json; charset=utf-8")
    location = _schema_location(endpoint, types)
    shown = "unknown" if matched is None else str(matched)
    if property_values:
        body = value_collection(pages, reference, location, shown, next_url)
        return OwsResponse(body, XML)
    return OwsResponse(gml_collection(pages, location, shown, next_url), GML_MEDIA)


def _stored_queries(endpoint: Endpoint, params: dict[str, str], describe: bool) -> OwsResponse:
    if describe:
        wanted = (params.get("STOREDQUERY_ID") or "").strip()
        if wanted and any(w.strip() != GET_FEATURE_BY_ID for w in wanted.split(",")):
            raise WfsError(f"STOREDQUERY_ID {wanted!r} is not offered; the only one is {GET_FEATURE_BY_ID}",
                           "InvalidParameterValue", "STOREDQUERY_ID")
    types = [t.name for t in _types(endpoint)]
    body = render("wfs_stored_queries.xml", describe=describe, types=types, prefix=PREFIX, namespace=NAMESPACE,
                  query_id=GET_FEATURE_BY_ID)
    return OwsResponse(body.encode("utf-8"), XML)


def handle(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    """One WFS request (``params`` from :func:`~.wms_params.parse_query`); errors as an OWS
    ExceptionReport with the status code of the exception."""
    operation = (params.get("REQUEST") or "").strip().lower()
    try:
        if not operation:
            raise WfsError("parameter REQUEST is missing", "MissingParameterValue", "request")
        check_version(params, operation)
        if operation == "getcapabilities":
            return _capabilities(endpoint, params)
        if operation == "describefeaturetype":
            return _describe_feature_type(endpoint, params)
        if operation == "getfeature":
            return _get_feature(endpoint, params)
        if operation == "getpropertyvalue":
            return _get_feature(endpoint, params, property_values=True)
        if operation in ("liststoredqueries", "describestoredqueries"):
            return _stored_queries(endpoint, params, operation == "describestoredqueries")
        raise WfsError(f"REQUEST {params.get('REQUEST')!r} is not offered; use one of {', '.join(OPERATIONS)}",
                       "OperationNotSupported", "request")
    except WfsError as exc:
        return error(exc)


def error(exc: WfsError) -> OwsResponse:
    body = render("wfs_exception.xml", code=exc.code, locator=exc.locator, message=exc.message)
    return OwsResponse(body.encode("utf-8"), XML, status=exc.status)


__all__ = ["handle", "error", "Scope"]

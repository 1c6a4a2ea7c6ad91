"""Parsing WFS 2.0 KVP requests (parameter names upper-cased by :func:`.wms_params.parse_query`).

Every problem is a :class:`WfsError` naming the parameter (``locator``), answered as an OWS 1.1
ExceptionReport with the HTTP status of OGC 09-025r2 Table D.2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .crs import UnknownCRS
from .wfs_crs import WfsCRS, default_crs, parse_crs
from .wfs_types import type_name

VERSION = "2.0.0"
ACCEPTED_VERSIONS = ("2.0.0", "2.0.2")
GML32 = "application/gml+xml; version=3.2"
GEOJSON = "application/json"
# outputFormat values (lower case, no spaces) → GML32 or GEOJSON
OUTPUT_FORMATS = {
    "application/gml+xml;version=3.2": GML32, "text/xml;subtype=gml/3.2": GML32,
    "text/xml;subtype=gml/3.2.1": GML32, "gml32": GML32, "application/gml+xml": GML32,
    "application/json": GEOJSON, "application/geo+json": GEOJSON, "json": GEOJSON, "geojson": GEOJSON,
}
ADVERTISED_FORMATS = (GML32, "text/xml; subtype=gml/3.2", GEOJSON)
GET_FEATURE_BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"

STATUS = {"MissingParameterValue": 400, "InvalidParameterValue": 400, "VersionNegotiationFailed": 400,
          "OperationParsingFailed": 400, "OperationNotSupported": 501, "OptionNotSupported": 501,
          "NotFound": 404, "NoApplicableCode": 500}


class WfsError(Exception):
    def __init__(self, message: str, code: str = "InvalidParameterValue", locator: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.locator = locator

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)


@dataclass(frozen=True)
class BBox:
    """A BBOX filter as x,y bounds in ``crs``."""

    xy: tuple[float, float, float, float]
    crs: WfsCRS


@dataclass(frozen=True)
class FeatureRequest:
    type_names: tuple[str, ...]
    output: str                    # GML32 or GEOJSON
    crs: WfsCRS
    count: int
    start: int
    bbox: BBox | None
    resource_ids: tuple[str, ...]  # "shelters.<uuid>" (RESOURCEID or GetFeatureById)
    hits: bool                     # RESULTTYPE=hits
    value_reference: str | None = None  # GetPropertyValue
    filters: tuple[str, ...] = ()        # FES 2.0 filters, one per type name


def check_version(params: dict[str, str], operation: str) -> None:
    version = (params.get("VERSION") or "").strip()
    if not version and operation != "getcapabilities":
        raise WfsError("parameter VERSION is missing (VERSION=2.0.0)", "MissingParameterValue", "version")
    if version and operation != "getcapabilities" and version not in ACCEPTED_VERSIONS:
        raise WfsError(f"VERSION {version!r} is not offered; this service speaks WFS 2.0.0",
                       "InvalidParameterValue", "version")


def negotiate(params: dict[str, str]) -> None:
    """ACCEPTVERSIONS of GetCapabilities must include 2.0.x when given."""
    accept = (params.get("ACCEPTVERSIONS") or "").strip()
    if accept and not any(v.strip() in ACCEPTED_VERSIONS for v in accept.split(",")):
        raise WfsError(f"ACCEPTVERSIONS {accept!r}: this service speaks WFS 2.0.0 only",
                       "VersionNegotiationFailed", "AcceptVersions")


def names(params: dict[str, str], required: bool, locator: str = "typeNames") -> tuple[str, ...]:
    raw = params.get("TYPENAMES") or params.get("TYPENAME") or ""
    found = tuple(dict.fromkeys(type_name(n) for n in raw.replace("(", "").replace(")", "").split(",")
                                if n.strip()))
    if required and not found:
        raise WfsError("parameter TYPENAMES is missing (a layer name, e.g. TYPENAMES=shelters)",
                       "MissingParameterValue", locator)
    return found


def output_format(params: dict[str, str]) -> str:
    raw = (params.get("OUTPUTFORMAT") or GML32).strip()
    fmt = OUTPUT_FORMATS.get(raw.lower().replace(" ", "").replace('"', ""))
    if fmt is None:
        raise WfsError(f"OUTPUTFORMAT {raw!r} is not offered; use one of {', '.join(ADVERTISED_FORMATS)}",
                       "InvalidParameterValue", "outputFormat")
    return fmt


def crs_param(value: str, locator: str) -> WfsCRS:
    try:
        return parse_crs(value)
    except UnknownCRS:
        raise WfsError(f"{locator} {value!r} is not offered; use urn:ogc:def:crs:EPSG::4326, "
                       "EPSG::3857, EPSG::5561 or another UCS-2000 code of the capabilities",
                       "InvalidParameterValue", locator) from None


def _integer(params: dict[str, str], name: str, default: int | None, high: int) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WfsError(f"{name} {raw!r} is not a whole number", "InvalidParameterValue", name) from None
    if value < 0:
        raise WfsError(f"{name} {raw!r} may not be negative", "InvalidParameterValue", name)
    return min(value, high)


def bbox(params: dict[str, str]) -> BBox | None:
    raw = (params.get("BBOX") or "").strip()
    if not raw:
        return None
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) not in (4, 5):
        raise WfsError(f"BBOX {raw!r} needs four numbers and an optional CRS", "InvalidParameterValue", "BBOX")
    try:
        values = [float(p) for p in parts[:4]]
    except ValueError:
        raise WfsError(f"BBOX {raw!r}: the corners must be numbers", "InvalidParameterValue", "BBOX") from None
    if not all(math.isfinite(v) for v in values):
        raise WfsError(f"BBOX {raw!r}: the corners must be finite", "InvalidParameterValue", "BBOX")
    crs = crs_param(parts[4], "BBOX") if len(parts) == 5 else default_crs()
    a, b, c, d = values
    xy = (a, b, c, d) if crs.given_xy else (b, a, d, c)
    if xy[0] > xy[2] or xy[1] > xy[3]:
        raise WfsError(f"BBOX {raw!r}: the lower corner is above or right of the upper one",
                       "InvalidParameterValue", "BBOX")
    return BBox(xy, crs)  # type: ignore[arg-type]


def feature_request(params: dict[str, str], max_count: int, value_reference: bool = False) -> FeatureRequest:
    """GetFeature (or GetPropertyValue) parameters; TYPENAMES, RESOURCEID or the GetFeatureById
    stored query say what is read."""
    stored = (params.get("STOREDQUERY_ID") or "").strip()
    resource_ids: tuple[str, ...] = ()
    if stored:
        if stored != GET_FEATURE_BY_ID:
            raise WfsError(f"STOREDQUERY_ID {stored!r} is not offered; the only one is {GET_FEATURE_BY_ID}",
                           "InvalidParameterValue", "STOREDQUERY_ID")
        fid = (params.get("ID") or "").strip()
        if not fid:
            raise WfsError("parameter ID is missing for GetFeatureById", "MissingParameterValue", "ID")
        resource_ids = (fid,)
    elif params.get("RESOURCEID"):
        resource_ids = tuple(r.strip() for r in params["RESOURCEID"].split(",") if r.strip())
    type_names = names(params, required=not resource_ids)
    if resource_ids and not type_names:
        type_names = tuple(dict.fromkeys(r.partition(".")[0] for r in resource_ids))
    if params.get("CQL_FILTER"):
        raise WfsError("CQL_FILTER is not offered: use FILTER (FES 2.0), BBOX or RESOURCEID",
                       "OptionNotSupported", "CQL_FILTER")
    chosen = [name for name in ("FILTER", "BBOX", "RESOURCEID") if params.get(name)]
    if len(chosen) > 1:
        raise WfsError(f"{' and '.join(chosen)} exclude each other: give one of them",
                       "InvalidParameterValue", chosen[1])
    filters: tuple[str, ...] = ()
    if params.get("FILTER"):
        from .wfs_filter import split_filters

        filters = tuple(split_filters(params["FILTER"], len(type_names)))
    srs = (params.get("SRSNAME") or "").strip()
    result_type = (params.get("RESULTTYPE") or "results").strip().lower()
    if result_type not in ("results", "hits"):
        raise WfsError(f"RESULTTYPE {params['RESULTTYPE']!r} must be results or hits",
                       "InvalidParameterValue", "resultType")
    count = _integer(params, "COUNT", None, max_count)
    if count is None:
        count = _integer(params, "MAXFEATURES", max_count, max_count)
    reference = None
    if value_reference:
        reference = (params.get("VALUEREFERENCE") or "").strip()
        if not reference:
            raise WfsError("parameter VALUEREFERENCE is missing (a property name)",
                           "MissingParameterValue", "valueReference")
    return FeatureRequest(
        type_names=type_names, output=output_format(params),
        crs=crs_param(srs, "srsName") if srs else default_crs(),
        count=count, start=_integer(params, "STARTINDEX", 0, 10**12) or 0,
        bbox=bbox(params), resource_ids=resource_ids, hits=result_type == "hits",
        value_reference=reference, filters=filters,
    )

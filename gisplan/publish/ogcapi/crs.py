"""The coordinate reference systems of the OGC API (Part 2): CRS84 (default), EPSG 4326, 3857, 5561.

Coordinates follow each CRS's own axis order, as Part 2 requires: CRS84 and EPSG:3857 are x,y;
EPSG:4326 and EPSG:5561 (УСК-2000 geographic) are lat,lon. УСК-2000 goes through the pinned
transformation of :mod:`gisplan.publish.crs` (EPSG:5840 "UCS-2000 to WGS 84 (2)"), given to
PostGIS as the same PROJ string Mapnik draws with, so the download and the map agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import GisplanError
from .. import crs as service

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
GEOJSON_DECIMALS = 7  # degrees: about 1 cm, as gisplan.features
METRE_DECIMALS = 2


class BadParameter(GisplanError):
    """A query parameter the API cannot use; the message names it (HTTP 400)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"parameter {parameter}: {message}")
        self.parameter = parameter


@dataclass(frozen=True)
class ApiCrs:
    uri: str
    code: str          # the code of gisplan.publish.crs: "CRS:84", "EPSG:5561"
    yx: bool           # first axis is latitude (northing)
    geographic: bool

    @property
    def decimals(self) -> int:
        return GEOJSON_DECIMALS if self.geographic else METRE_DECIMALS

    def geojson_sql(self, expr: str) -> str:
        """PostGIS GeoJSON text of ``expr`` (a lon/lat EPSG:4326 geometry) in this CRS and axis
        order; exterior rings counter-clockwise as RFC 7946 asks (in lon/lat); no ``crs`` member."""
        geom = f"ST_ForcePolygonCCW({expr})"
        if self.code == "EPSG:3857":
            geom = f"ST_Transform({geom}, 3857)"
        elif self.code not in ("CRS:84", "EPSG:4326"):
            proj = service.service_crs(self.code).proj.replace("'", "''")
            geom = f"ST_Transform({geom}, '{proj}')"
        if self.yx:
            geom = f"ST_FlipCoordinates({geom})"
        return f"ST_AsGeoJSON({geom}, {self.decimals}, 0)"

    def bbox_to_lonlat(self, values: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A bbox in this CRS's axis order → lon/lat bounds (densified edges)."""
        a, b, c, d = values
        xy = (b, a, d, c) if self.yx else (a, b, c, d)
        return tuple(service.transform_bounds(xy, self.code, "CRS:84"))  # type: ignore[return-value]


OFFERED = (
    ApiCrs(CRS84, "CRS:84", False, True),
    ApiCrs(EPSG_URI.format(4326), "EPSG:4326", True, True),
    ApiCrs(EPSG_URI.format(3857), "EPSG:3857", False, False),
    ApiCrs(EPSG_URI.format(5561), "EPSG:5561", True, True),
)
_ALIASES = {
    "CRS84": CRS84, "OGC:CRS84": CRS84, "CRS:84": CRS84, "[OGC:CRS84]": CRS84,
    "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84": CRS84,
}


def offered_uris() -> list[str]:
    return [c.uri for c in OFFERED]


def parse_crs(value: str | None, parameter: str) -> ApiCrs:
    """A CRS given as URI (``http://www.opengis.net/def/crs/EPSG/0/5561``), safe CURIE
    (``[EPSG:5561]``), URN or ``EPSG:5561``; CRS84 when absent."""
    if value is None or not value.strip():
        return OFFERED[0]
    wanted = value.strip()
    upper = wanted.upper()
    uri = _ALIASES.get(upper)
    if uri is None:
        code = upper.strip("[]")
        for prefix in ("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "URN:OGC:DEF:CRS:EPSG::", "EPSG:"):
            if code.startswith(prefix):
                uri = EPSG_URI.format(code[len(prefix):])
                break
    for crs in OFFERED:
        if crs.uri == uri:
            return crs
    raise BadParameter(parameter, f"{wanted!r} is not offered; use one of {', '.join(offered_uris())}")

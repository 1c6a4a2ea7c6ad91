"""Coordinate reference systems of the download service (WFS 2.0), with their axis order.

Responses name the CRS as a URN (``urn:ogc:def:crs:EPSG::4326``) and give coordinates in the
CRS's own axis order: lat,lon for EPSG:4326 and EPSG:5561, northing,easting for the UCS-2000
projected systems, x,y for EPSG:3857. Requests may name a CRS as that URN, as the OGC HTTP URI
(``http://www.opengis.net/def/crs/EPSG/0/4326``) or as ``EPSG:4326``; the short form keeps the
old x,y (lon,lat) convention of GeoServer and MapServer for a BBOX given in it. GeoJSON output is
always x,y (lon,lat). UCS-2000 goes through the pinned transformation of :mod:`.crs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .crs import SUPPORTED, UnknownCRS, service_crs

DEFAULT = "EPSG:4326"
OFFERED = tuple(c for c in SUPPORTED if c != "CRS:84")  # 4326 first, then 3857 and UCS-2000
_URN = re.compile(r"^urn:(?:x-)?ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.I)
_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.I)
_SHORT = re.compile(r"^EPSG:(\d+)$", re.I)
_CRS84 = re.compile(r"^(urn:ogc:def:crs:OGC:1\.3:CRS84|CRS:84|"
                    r"https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84)$", re.I)


@dataclass(frozen=True)
class WfsCRS:
    code: str            # "EPSG:5561"
    epsg: int
    authority_yx: bool   # the CRS's own axis order is y,x (lat,lon / northing,easting)
    geographic: bool
    given_xy: bool       # a BBOX written in this CRS name is x,y (short form, CRS84)

    @property
    def urn(self) -> str:
        return f"urn:ogc:def:crs:EPSG::{self.epsg}"

    @property
    def uri(self) -> str:
        return f"http://www.opengis.net/def/crs/EPSG/0/{self.epsg}"

    @property
    def decimals(self) -> int:
        return 7 if self.geographic else 2

    @property
    def proj(self) -> str:
        return service_crs(self.code).proj


def parse_crs(text: str) -> WfsCRS:
    """A CRS name of a request → :class:`WfsCRS`; :class:`UnknownCRS` for one not offered."""
    value = text.strip()
    if _CRS84.match(value):
        return WfsCRS(DEFAULT, 4326, True, True, given_xy=True)
    match = _URN.match(value) or _URI.match(value)
    given_xy = False
    if match is None:
        match = _SHORT.match(value)
        given_xy = True
    if match is None:
        raise UnknownCRS(text)
    code = f"EPSG:{int(match.group(1))}"
    if code not in OFFERED:
        raise UnknownCRS(text)
    crs = service_crs(code)
    return WfsCRS(code, int(match.group(1)), crs.yx, crs.geographic, given_xy or not crs.yx)


def default_crs() -> WfsCRS:
    return parse_crs("urn:ogc:def:crs:EPSG::4326")

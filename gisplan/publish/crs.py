"""The coordinate reference systems the view service offers, with WMS axis order.

Every UCS-2000 (УСК-2000) system is given to Mapnik and pyproj as a PROJ string bound to WGS 84
through one pinned transformation, EPSG:5840 "UCS-2000 to WGS 84 (2)" (1 m), read from the EPSG
database: otherwise the result would depend on which transformations and grids PROJ finds.

Axis order (WMS 1.3.0): BBOX follows the CRS's own axis order, so EPSG:4326 and EPSG:5561 are
lat,lon and the projected UCS-2000 systems are northing,easting; CRS:84 and EPSG:3857 are x,y.
WMS 1.1.1 always takes x,y (easting/longitude first). Mapnik, PostGIS and pyproj with
``always_xy`` work in x,y; :func:`to_xy` and :func:`from_xy` convert at the edge.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

UCS2000_TO_WGS84 = "EPSG:5840"  # "UCS-2000 to WGS 84 (2)", 1 m; GEOPORTAL.md §1.4
UCS2000_CODES = ("EPSG:5561", "EPSG:5562", "EPSG:5563", "EPSG:5564", "EPSG:5565",
                 "EPSG:6381", "EPSG:6382", "EPSG:6383", "EPSG:6384", "EPSG:6385", "EPSG:6386",
                 "EPSG:6387")
SUPPORTED = ("EPSG:4326", "CRS:84", "EPSG:3857", *UCS2000_CODES)
STORAGE = "EPSG:4326"  # PostGIS geometry of every layer table (lon/lat in PostGIS)

# Ukraine's extent (the area of use of UCS-2000), used where no data may be read.
UKRAINE_LONLAT = (22.15, 43.18, 40.18, 52.38)


class UnknownCRS(ValueError):
    pass


@dataclass(frozen=True)
class ServiceCRS:
    code: str           # as written in WMS: "EPSG:5564", "CRS:84"
    proj: str           # what Mapnik and pyproj are given (PROJ string or "epsg:…")
    yx: bool            # WMS 1.3.0 axis order is y,x (lat,lon / northing,easting)
    geographic: bool

    def to_xy(self, values: tuple[float, float, float, float], version: str) -> tuple[float, ...]:
        """A WMS BBOX as given in ``version`` → (minx, miny, maxx, maxy) easting/longitude first."""
        if version == "1.3.0" and self.yx:
            a, b, c, d = values
            return (b, a, d, c)
        return tuple(values)

    def from_xy(self, values: tuple[float, float, float, float], version: str) -> tuple[float, ...]:
        """(minx, miny, maxx, maxy) → the axis order of ``version`` (its own inverse)."""
        return self.to_xy(values, version)


def _helmert_towgs84(operation_code: str) -> str:
    """The ``+towgs84`` parameters of a Helmert / geocentric-translation EPSG operation."""
    from pyproj.crs import CoordinateOperation

    op = CoordinateOperation.from_epsg(operation_code.split(":")[1])
    wanted = ("X-axis translation", "Y-axis translation", "Z-axis translation",
              "X-axis rotation", "Y-axis rotation", "Z-axis rotation", "Scale difference")
    values = {p.name: p.value for p in op.params}
    if not all(w in values for w in wanted[:3]):
        raise RuntimeError(f"{operation_code} is not a Helmert transformation: {op.name}")
    numbers = [values.get(w, 0) for w in wanted]
    if "Position Vector" not in op.method_name and any(numbers[3:6]):
        numbers[3:6] = [-v for v in numbers[3:6]]  # coordinate frame → position vector (towgs84)
    return ",".join(f"{v:g}" for v in numbers)


@lru_cache(maxsize=None)
def service_crs(code: str) -> ServiceCRS:
    """One CRS of :data:`SUPPORTED`, case-insensitive (``epsg:5564``); :class:`UnknownCRS` else."""
    wanted = code.strip().upper()
    if wanted in ("CRS:84", "OGC:CRS84"):
        return ServiceCRS("CRS:84", "epsg:4326", False, True)
    if wanted not in SUPPORTED:
        raise UnknownCRS(code)
    crs = CRS.from_user_input(wanted)
    yx = crs.axis_info[0].direction in ("north", "south")
    if wanted in UCS2000_CODES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "You will likely lose important projection information"
            base = crs.to_proj4().replace(" +type=crs", "")
        proj = f"{base} +towgs84={_helmert_towgs84(UCS2000_TO_WGS84)} +type=crs"
    else:
        proj = wanted.lower()
    return ServiceCRS(wanted, proj, yx, crs.is_geographic)


@lru_cache(maxsize=64)
def transformer(src: str, dst: str) -> Transformer:
    """x,y transformer between two service CRS codes, through their pinned definitions."""
    return Transformer.from_crs(service_crs(src).proj, service_crs(dst).proj, always_xy=True)


def transform_bounds(bounds: tuple[float, float, float, float], src: str, dst: str) -> tuple[float, ...]:
    """x,y bounds from ``src`` to ``dst``, densified so curved edges are covered."""
    if service_crs(src).proj == service_crs(dst).proj:
        return tuple(bounds)
    return transformer(src, dst).transform_bounds(*bounds, densify_pts=21)


def pinned_operation_name(code: str) -> str:
    """The name of the operation pyproj uses from WGS 84 to ``code`` (for tests and docs)."""
    group = TransformerGroup(service_crs("EPSG:4326").proj, service_crs(code).proj, always_xy=True)
    return group.transformers[0].description

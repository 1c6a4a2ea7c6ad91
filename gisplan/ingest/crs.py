"""Coordinate reference systems of files coming in and going out.

Storage is EPSG:4326 (longitude first, as every GIS file format stores it). Accepted: EPSG:4326,
CRS:84, EPSG:3857, УСК-2000 (EPSG:5561, 5562–5569, 6381–6387) and any EPSG code PROJ knows.

Every transformation between УСК-2000 and WGS 84 uses the pinned PROJ operation
"UCS-2000 to WGS 84 (2)" (1 m), never "(1)" (5 m), whatever grids are installed. It is done here with
pyproj because PostGIS 3.3 on Debian 12 has no ``ST_TransformPipeline``.

Coordinates that fall outside Ukraine after the transformation are refused; :func:`check_extent`
names the likely cause: latitude and longitude swapped, degrees declared as metres or the other way
round, or the CRS the numbers fit (Web Mercator, a Gauss–Krüger or TM zone of УСК-2000, UTM …).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.enums import TransformDirection
from pyproj.exceptions import CRSError
from pyproj.transformer import TransformerGroup

from .errors import IngestError

PINNED_UCS2000 = "UCS-2000 to WGS 84 (2)"
UCS2000_GEOGRAPHIC = 5561
UCS2000_CODES = (5561, *range(5562, 5570), *range(6381, 6388))
WGS84 = CRS.from_epsg(4326)

# Ukraine's extent in degrees (longitude, latitude), as EPSG's area of use of УСК-2000 onshore.
LON_MIN, LON_MAX = 22.0, 40.3
LAT_MIN, LAT_MAX = 44.3, 52.4

# CRSs a file's numbers are tried against when they fall outside Ukraine, in this order.
CANDIDATES = (4326, 3857, 5562, 5563, 5564, 5565, *range(6381, 6388), 5566, 5567, 5568, 5569,
              32634, 32635, 32636, 32637, 28404, 28405, 28406, 28407)


@dataclass(frozen=True)
class Reprojection:
    """How coordinates of one CRS reach EPSG:4326 (or back), and what was used."""

    crs: CRS
    label: str                     # e.g. "EPSG:5564 (UCS-2000 / Gauss-Kruger zone 6)"
    transformer: Transformer | None  # None: already longitude/latitude on WGS 84
    operation: str                 # the PROJ operation's description, "none" for none

    def forward(self, geoms: np.ndarray) -> np.ndarray:
        """Source CRS → EPSG:4326 (lon, lat)."""
        if self.transformer is None:
            return geoms
        return shapely.transform(geoms, lambda xy: _apply(self.transformer, xy, TransformDirection.FORWARD))

    def points_forward(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.transformer is None:
            return x, y
        return self.transformer.transform(x, y)


def _apply(t: Transformer, xy: np.ndarray, direction: TransformDirection) -> np.ndarray:
    x, y = t.transform(xy[:, 0], xy[:, 1], direction=direction)
    return np.column_stack([x, y])


def parse_crs(value) -> CRS:
    """A CRS from user input ("EPSG:5564", "5564", "CRS:84", WKT); IngestError if unknown."""
    text = str(value).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    if text.upper() in ("CRS:84", "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84"):
        text = "OGC:CRS84"
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise IngestError(f"crs: {value!r} is not a coordinate reference system PROJ knows "
                          f"(give an EPSG code such as EPSG:4326 or EPSG:5564)") from None


def epsg_of(crs: CRS) -> int | None:
    """The EPSG code of a CRS, also for CRS:84 / OGC:CRS84 (→ 4326) and ESRI-flavoured WKT."""
    if crs.to_authority() in (("OGC", "CRS84"), ("OGC", "CRS:84")) or crs.name in ("WGS 84 (CRS84)",):
        return 4326
    code = crs.to_epsg(min_confidence=70)
    return int(code) if code is not None else None


def label(crs: CRS) -> str:
    code = epsg_of(crs)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def is_ucs2000(crs: CRS) -> bool:
    geo = crs.geodetic_crs
    return geo is not None and geo.to_epsg(min_confidence=70) == UCS2000_GEOGRAPHIC


@lru_cache(maxsize=64)
def _pinned(source: str, target: str) -> Transformer:
    """The transformer of the pinned УСК-2000 ↔ WGS 84 operation between two CRSs."""
    group = TransformerGroup(source, target, always_xy=True)
    for t in group.transformers:
        description = t.description or ""
        if PINNED_UCS2000 in description:
            return t
    raise IngestError(f"PROJ has no operation {PINNED_UCS2000!r} from {source} to {target}: "
                      f"the PROJ database of pyproj is incomplete")


@lru_cache(maxsize=64)
def _reprojection(wkt: str) -> Reprojection:
    crs = CRS.from_wkt(wkt)
    code = epsg_of(crs)
    if code is None:
        raise IngestError(f"crs: the file's CRS {crs.name!r} is not an EPSG CRS gisplan can identify; "
                          f"give its EPSG code (--crs EPSG:…)")
    if code == 4326:
        return Reprojection(crs, "EPSG:4326 (WGS 84)", None, "none")
    source = f"EPSG:{code}"
    if is_ucs2000(crs):
        t = _pinned(source, "EPSG:4326")
    else:
        t = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    return Reprojection(crs, label(crs), t, t.description or t.name)


def reprojection(crs: CRS | None) -> Reprojection:
    """From ``crs`` to EPSG:4326; None means WGS 84 longitude/latitude (RFC 7946, KML, CSV)."""
    return _reprojection((crs or WGS84).to_wkt())


@lru_cache(maxsize=64)
def _export_transformer(code: int) -> Transformer:
    target = f"EPSG:{code}"
    if is_ucs2000(CRS.from_epsg(code)):
        return _pinned("EPSG:4326", target)
    return Transformer.from_crs("EPSG:4326", target, always_xy=True)


def from_wgs84(geoms: np.ndarray, code: int) -> np.ndarray:
    """EPSG:4326 (lon, lat) → EPSG:``code`` (x = easting, as GIS files store it)."""
    if code == 4326:
        return geoms
    t = _export_transformer(code)
    return shapely.transform(geoms, lambda xy: _apply(t, xy, TransformDirection.FORWARD))


def export_operation(code: int) -> str:
    return "none" if code == 4326 else (_export_transformer(code).description or "")


def accepted_export_crs(value) -> int:
    """The EPSG code of a requested output CRS; IngestError if it is not an EPSG CRS."""
    crs = parse_crs(value)
    code = epsg_of(crs)
    if code is None:
        raise IngestError(f"crs: {value!r} has no EPSG code; give one such as EPSG:5564")
    return code


# ------------------------------------------------------------------ extent and diagnosis
def inside_ukraine(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= LON_MIN) & (x <= LON_MAX) & (y >= LAT_MIN) & (y <= LAT_MAX)


def outside_rows(geoms: np.ndarray) -> np.ndarray:
    """Indexes of geometries (already in EPSG:4326) whose bounds leave Ukraine's extent."""
    b = shapely.bounds(geoms)
    ok = inside_ukraine(b[:, 0], b[:, 1]) & inside_ukraine(b[:, 2], b[:, 3])
    return np.flatnonzero(~ok)


@lru_cache(maxsize=64)
def _candidate(code: int) -> Transformer:
    crs = CRS.from_epsg(code)
    if is_ucs2000(crs):
        return _pinned(f"EPSG:{code}", "EPSG:4326")
    return Transformer.from_crs(f"EPSG:{code}", "EPSG:4326", always_xy=True)


def _fits(code: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        lon, lat = _candidate(code).transform(x, y, errcheck=False)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return np.isfinite(lon) & np.isfinite(lat) & inside_ukraine(lon, lat)


def _zone_prefix(x: np.ndarray) -> np.ndarray:
    """Gauss–Krüger eastings with the zone number in front (EPSG:5562–5565): 4 500 000 → zone 4."""
    zone = np.floor(np.abs(x) / 1_000_000).astype(int)
    return np.where((zone >= 4) & (zone <= 7), zone, 0)


def _named(code: int, swapped: bool) -> str:
    return f"EPSG:{code} ({CRS.from_epsg(code).name})" + (" with northing and easting swapped" if swapped else "")


def diagnose(x: np.ndarray, y: np.ndarray, declared: Reprojection) -> list[str]:
    """Why each point (raw coordinates of the file, x first) might fall outside Ukraine: swapped
    axes, degrees and metres confused, or the CRSs whose numbers they fit (a Gauss–Krüger zone
    named by the zone number in front of the easting first)."""
    n = len(x)
    geographic = declared.crs.is_geographic
    declared_code = epsg_of(declared.crs)
    swapped = inside_ukraine(y, x) if geographic else np.zeros(n, bool)
    fits: dict[tuple[int, bool], np.ndarray] = {}
    for code in CANDIDATES:
        if code == declared_code:
            continue
        for swap in (False, True):
            fits[(code, swap)] = _fits(code, y, x) if swap else _fits(code, x, y)
    zone_x, zone_y = _zone_prefix(x), _zone_prefix(y)
    out = []
    for i in range(n):
        if swapped[i]:
            out.append("latitude and longitude look swapped: the file gives x (longitude) "
                       f"{x[i]:.6g}, y (latitude) {y[i]:.6g}; put longitude first or map the columns the other way")
            continue
        if fits.get((4326, False), np.zeros(n, bool))[i] or fits.get((4326, True), np.zeros(n, bool))[i]:
            out.append(f"the file's CRS is {declared.label} (metres) but the numbers look like degrees "
                       f"(longitude, latitude in EPSG:4326)")
            continue
        named = []
        for zone, swap in ((zone_x[i], False), (zone_y[i], True)):
            code = 5558 + zone if zone else None
            if code and code != declared_code and fits[(code, swap)][i]:
                named = [_named(code, swap)]
                break
        if not named:
            named = [_named(code, swap) for (code, swap), ok in fits.items() if ok[i] and code != 4326][:3]
        if named:
            lead = (f"the file's CRS is {declared.label} (degrees) but the numbers look like metres" if geographic
                    else f"the numbers do not fit the file's CRS {declared.label}")
            out.append(f"{lead}: they fall in Ukraine as {' or '.join(named)}")
            continue
        out.append(f"({x[i]:.6g}, {y[i]:.6g}) in {declared.label} is outside Ukraine (longitude "
                   f"{LON_MIN}–{LON_MAX}, latitude {LAT_MIN}–{LAT_MAX}) and fits no usual CRS; check the "
                   f"coordinates and the file's CRS")
    return out

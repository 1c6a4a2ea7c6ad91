"""Geometries of a batch checked against the layer, vectorised with shapely 2.

In order: missing and empty geometries; the geometry type (single parts promoted to multi, a
one-part multi reduced to single; a point inside each polygon only on request); the transformation
to EPSG:4326; Ukraine's extent (with the likely CRS or axis problem named); validity, repaired with
``make_valid`` (and reported) or rejected, by the layer's ``geometry.invalid`` rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import GeometryType

from ..catalog import GeometrySpec
from .crs import Reprojection, diagnose, outside_rows

_POINT, _LINE, _POLY = GeometryType.POINT, GeometryType.LINESTRING, GeometryType.POLYGON
_MPOINT, _MLINE, _MPOLY = GeometryType.MULTIPOINT, GeometryType.MULTILINESTRING, GeometryType.MULTIPOLYGON
_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
          5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
_SINGLE = {"Point": _POINT, "LineString": _LINE, "Polygon": _POLY}
_MULTI = {"MultiPoint": (_MPOINT, _POINT), "MultiLineString": (_MLINE, _LINE), "MultiPolygon": (_MPOLY, _POLY)}
_DIMENSION = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1, "Polygon": 2, "MultiPolygon": 2}


@dataclass
class GeometryResult:
    geoms: np.ndarray                                              # EPSG:4326, the layer's type
    rejected: dict[int, str] = field(default_factory=dict)         # index → reason
    repaired: dict[int, str] = field(default_factory=dict)         # index → what was done
    converted: int = 0                                             # points taken from polygons


def type_name(type_id: int) -> str:
    return _NAMES.get(int(type_id), str(type_id))


def _parts_of_dimension(geom, dim: int) -> list:
    return [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == dim and not p.is_empty]


def _to_layer_type(geom, want: str):
    """A geometry of the wanted type (promoting/collecting parts), or None if it cannot be."""
    if want == "Geometry":
        return geom
    dim = _DIMENSION[want]
    parts = []
    for p in _parts_of_dimension(geom, dim) if shapely.get_type_id(geom) == GeometryType.GEOMETRYCOLLECTION \
            else [geom]:
        parts.extend(shapely.get_parts(p) if shapely.get_type_id(p) in (_MPOINT, _MLINE, _MPOLY) else [p])
    if not parts:
        return None
    if want in _MULTI:
        return {"MultiPoint": shapely.multipoints, "MultiLineString": shapely.multilinestrings,
                "MultiPolygon": shapely.multipolygons}[want](parts)
    return parts[0] if len(parts) == 1 else None


def check_geometries(raw: np.ndarray, spec: GeometrySpec, reproj: Reprojection, *,
                     points_from_polygons: bool = False, column: str = "geometry") -> GeometryResult:
    n = len(raw)
    res = GeometryResult(np.full(n, None, dtype=object))
    missing = shapely.is_missing(raw)
    if not spec.nullable:
        for i in np.flatnonzero(missing):
            res.rejected[i] = "no geometry; this layer needs one"
    empty = shapely.is_empty(raw)
    for i in np.flatnonzero(empty):
        res.rejected[i] = "empty geometry"
    todo = np.flatnonzero(~missing & ~empty)
    if not len(todo):
        return res
    geoms = raw[todo].copy()
    ok = np.ones(len(todo), dtype=bool)

    # geometry type
    want = spec.type
    types = shapely.get_type_id(geoms)
    from_polygons = np.zeros(len(todo), dtype=bool)
    if want != "Geometry":
        dim = _DIMENSION[want]
        dims = shapely.get_dimensions(geoms)
        if dim == 0 and points_from_polygons:
            from_polygons = (dims == 2)
        for j in np.flatnonzero((dims != dim) & ~from_polygons):
            got = type_name(types[j])
            hint = ("; to take a point inside each polygon, import with --points-from-polygons"
                    if dim == 0 and dims[j] == 2 else "")
            res.rejected[todo[j]] = f"expected {want}, got {got}{hint}"
            ok[j] = False

    # coordinates: to EPSG:4326, inside Ukraine
    with np.errstate(all="ignore"):
        moved = reproj.forward(geoms[ok])
    idx_ok = np.flatnonzero(ok)
    geoms[idx_ok] = moved
    finite = np.isfinite(shapely.bounds(moved)).all(axis=1)
    bad = np.union1d(outside_rows(moved), np.flatnonzero(~finite))
    if len(bad):
        b = shapely.bounds(raw[todo[idx_ok[bad]]])
        reasons = diagnose((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, reproj)
        for j, reason in zip(idx_ok[bad], reasons):
            res.rejected[todo[j]] = reason
            ok[j] = False

    # validity
    idx_ok = np.flatnonzero(ok)
    valid = shapely.is_valid(geoms[idx_ok])
    for j in idx_ok[~valid]:
        why = shapely.is_valid_reason(geoms[j])
        if spec.invalid == "reject":
            res.rejected[todo[j]] = f"invalid geometry: {why} (this layer rejects invalid geometry)"
            ok[j] = False
            continue
        fixed = shapely.make_valid(geoms[j])
        target = "MultiPolygon" if from_polygons[j] else want
        fixed = _to_layer_type(fixed, target)
        if fixed is None or fixed.is_empty or not fixed.is_valid:
            res.rejected[todo[j]] = f"invalid geometry that cannot be repaired: {why}"
            ok[j] = False
            continue
        res.repaired[todo[j]] = (f"invalid geometry repaired ({why}): now {fixed.geom_type} of "
                                 f"{shapely.get_num_geometries(fixed)} part(s)")
        geoms[j] = fixed

    # points from polygons, then the layer's exact type
    idx = np.flatnonzero(ok & from_polygons)
    if len(idx):
        geoms[idx] = shapely.point_on_surface(geoms[idx])
        res.converted = len(idx)
    idx_ok = np.flatnonzero(ok)
    if want != "Geometry":
        types = shapely.get_type_id(geoms[idx_ok])
        wrong = types != (_MULTI[want][0] if want in _MULTI else _SINGLE[want])
        for j in idx_ok[wrong]:
            fixed = _to_layer_type(geoms[j], want)
            if fixed is None:
                res.rejected[todo[j]] = (f"expected {want}, got {geoms[j].geom_type} of "
                                         f"{shapely.get_num_geometries(geoms[j])} parts")
                ok[j] = False
            else:
                geoms[j] = fixed
    res.geoms[todo[ok]] = geoms[ok]
    return res

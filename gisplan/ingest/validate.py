"""A batch of rows checked against the layer's spec: values converted, geometries prepared.

The result is the rows to stage (every column already of its database type, geometry as WKB in
EPSG:4326: raw bytes for a binary COPY, hex for a text one) and, for the others, every (row, field,
reason). A row with any fault is not staged; all its faults are reported, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..catalog import LayerSpec, Text
from . import values as v
from .crs import Reprojection
from .geometry import check_geometries
from .locate import Locator
from .mapping import Mapping
from .read import Batch, CsvGeometry, csv_geometries

# PostgreSQL types of staged columns, for psycopg's COPY
PG_TYPES = {
    "text": "text", "url": "text", "enum": "text", "integer": "int4", "number": "float8",
    "boolean": "bool", "date": "date", "datetime": "timestamptz", "json": "text",
    "text_list": "text[]", "integer_list": "int4[]",
}
BINARY_COPY = True  # stage by binary COPY where the columns allow it (False: always the text format)
COMMON_TYPES = {
    "code": "text", "katottg": "text", "hromada": "text", "status": "text", "installed_at": "date",
    "removed_at": "date", "source": "text", "public": "bool", "id": "uuid",
}


@dataclass
class Checked:
    rows: list[tuple]                                          # staged rows, columns as Validator.columns
    rejections: list[tuple[int, str, str]] = field(default_factory=list)
    repairs: list[tuple[int, str, str]] = field(default_factory=list)
    converted: int = 0


class Validator:
    """Checks batches of one file against one layer."""

    def __init__(self, layer: LayerSpec, mapping: Mapping, reproj: Reprojection, *,
                 hromada: str | None = None, points_from_polygons: bool = False,
                 with_geometry: bool = True, locator: Locator | None = None):
        self.layer = layer
        self.locator = locator  # codes by location while checking (the fast path), else in SQL
        self.mapping = mapping
        self.reproj = reproj
        self.hromada = hromada
        self.points_from_polygons = points_from_polygons
        self.attributes = [(src, dst) for src, dst in mapping.columns.items() if dst not in layer.extra_geometries]
        self.extra = [(src, dst) for src, dst in mapping.columns.items() if dst in layer.extra_geometries]
        self.converters = {dst: self._converter(dst) for _, dst in self.attributes}
        mapped = [dst for _, dst in self.attributes]
        self.columns = ["row_no", *mapped]
        for always in ("hromada", "katottg"):
            if always not in mapped:
                self.columns.append(always)
        self.with_geometry = with_geometry  # False: the file has none (a CSV of attributes only)
        self.geometry_column = mapping.geometry_to  # "geom", or an extra geometry (--map geometry=point)
        self.geometry_spec = (layer.geometry if self.geometry_column == "geom"
                              else layer.extra_geometries[self.geometry_column])
        self.columns += (([self.geometry_column] if with_geometry else [])
                         + [dst for _, dst in self.extra if dst != self.geometry_column] + ["probe"])
        # binary COPY (geometry as raw WKB, values not spelt out as text and parsed again) unless a
        # JSON field is staged: a jsonb column's binary form is not its text
        self.binary = BINARY_COPY and not any(self.layer.fields[c].type == "json"
                                              for c in self.columns if c in self.layer.fields)
        self.pg_types = ["int4"] + [self._pg_type(c) for c in self.columns[1:]]

    # ------------------------------------------------------------------ columns
    def _pg_type(self, column: str) -> str:
        if column in ("geom", "probe") or column in self.layer.extra_geometries:
            # binary: the WKB bytes go to PostGIS's geometry_recv as they are; text: WKB hex
            return "bytea" if self.binary else "text"
        if column in COMMON_TYPES:
            return COMMON_TYPES[column]
        return PG_TYPES[self.layer.fields[column].type]

    def _converter(self, column: str) -> Callable[[Any], Any]:
        if column in ("katottg", "hromada"):
            return v.to_katottg
        if column in ("installed_at", "removed_at"):
            return v.to_date
        if column == "public":
            return v.to_boolean
        if column == "id":
            return v.to_uuid
        if column == "status":
            return v.enum_converter(self.layer.statuses, Text(uk="Стан", en="Status"))
        if column in ("code", "source"):
            return v.to_text
        return v.field_converter(self.layer.fields[column], column)

    # ------------------------------------------------------------------ one batch
    def check(self, batch: Batch) -> Checked:
        n = len(batch)
        faults: dict[int, list[tuple[str, str]]] = {}
        for i, (fname, reason) in batch.errors.items():
            faults.setdefault(i, []).append((fname, reason))
        out_columns: dict[str, list] = {}
        for src, dst in self.attributes:
            converted, bad = self._convert_column(batch.table.column(src), dst)
            for i, reason in bad.items():
                faults.setdefault(i, []).append((dst, reason))
            out_columns[dst] = converted
        self._required(out_columns, n, faults)
        self._lifetime(out_columns, faults)
        if self.hromada:
            given = out_columns.get("hromada")
            out_columns["hromada"] = [h or self.hromada for h in given] if given else [self.hromada] * n

        repairs: list[tuple[int, str, str]] = []
        geo = check_geometries(batch.geoms, self.geometry_spec, self.reproj,
                               points_from_polygons=self.points_from_polygons)
        for i, reason in geo.rejected.items():
            faults.setdefault(i, []).append(("geometry", reason))
        for i, what in geo.repaired.items():
            repairs.append((batch.row(i), "geometry", what))
        geom_wkb = _wkb(geo.geoms, self.binary)
        located = geo.geoms.copy()  # the geometry that finds the row's громада: main, else an extra one
        extra_wkb = {}
        for src, dst in self.extra:
            g = self._extra_geometry(batch, src, dst, faults, repairs)
            extra_wkb[dst] = _wkb(g, self.binary)
            located = np.where(shapely.is_missing(located), g, located)
        probes = located.copy()  # a point is its own probe; other geometries give a point on them
        other = shapely.get_type_id(located) > shapely.GeometryType.POINT
        probes[other] = shapely.point_on_surface(located[other])
        extra_wkb["probe"] = (geom_wkb if not self.extra and self.geometry_spec.type == "Point"
                              else _wkb(probes, self.binary))
        if self.locator is not None:  # codes by location now, not by SQL joins after the COPY
            out_columns["hromada"], out_columns["katottg"] = self.locator.fill(
                probes, out_columns.get("hromada") or [None] * n, out_columns.get("katottg") or [None] * n)

        values = []
        for col in self.columns[1:]:
            if col == self.geometry_column:
                values.append(geom_wkb)
            elif col in extra_wkb:
                values.append(extra_wkb[col])
            elif col in out_columns:
                values.append(out_columns[col])
            else:
                values.append(repeat(None, n))
        rows = list(zip(range(batch.first_row, batch.first_row + n), *values))
        if faults:
            rows = [row for i, row in enumerate(rows) if i not in faults]
        rejections = [(batch.row(i), f, r) for i in sorted(faults) for f, r in faults[i]]
        return Checked(rows, rejections, repairs, geo.converted)

    def _plain_text(self, column: str) -> bool:
        f = self.layer.fields.get(column)
        return column in ("code", "source") or (
            f is not None and f.type == "text" and not (f.pattern or f.max_length or column.endswith("katottg")))

    def _convert_column(self, col: pa.ChunkedArray, dst: str) -> tuple[list, dict[int, str]]:
        """Values of one column converted; few distinct values are converted once each, plain text is
        trimmed in Arrow, the rest value by value."""
        convert = self.converters[dst]
        bad: dict[int, str] = {}
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if self._plain_text(dst) and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            trimmed = pc.utf8_trim_whitespace(col)
            return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed).to_pylist(), bad
        n = len(col)
        if n > 64 and not pa.types.is_nested(col.type):
            uniq = pc.unique(col)
            if len(uniq) <= max(64, n // 4):
                converted, why = [], {}
                for k, value in enumerate(uniq.to_pylist()):
                    try:
                        converted.append(convert(value))
                    except v.Invalid as exc:
                        converted.append(None)
                        why[k] = str(exc)
                idx = pc.index_in(col, value_set=uniq).to_numpy(zero_copy_only=False).astype(np.int64)
                if why:
                    for i in np.flatnonzero(np.isin(idx, list(why))):
                        bad[int(i)] = why[int(idx[i])]
                return [converted[k] for k in idx.tolist()], bad
        out = [None] * n
        for i, value in enumerate(col.to_pylist()):
            try:
                out[i] = convert(value)
            except v.Invalid as exc:
                bad[i] = str(exc)
        return out, bad

    def _required(self, cols: dict[str, list], n: int, faults: dict) -> None:
        for name, f in self.layer.fields.items():
            if not f.required:
                continue
            values = cols.get(name)
            if values is None:
                continue  # an unmapped required column is refused before reading (see load)
            for i in range(n):
                if values[i] is None and not any(fn == name for fn, _ in faults.get(i, ())):
                    faults.setdefault(i, []).append((name, "required, but empty"))

    def _lifetime(self, cols: dict[str, list], faults: dict) -> None:
        start, end = cols.get("installed_at"), cols.get("removed_at")
        if start is None or end is None:
            return
        for i, (a, b) in enumerate(zip(start, end)):
            if a is not None and b is not None and b < a:
                faults.setdefault(i, []).append(("removed_at", f"{b} is before installed_at {a}"))

    def _extra_geometry(self, batch: Batch, src: str, dst: str, faults: dict, repairs: list) -> np.ndarray:
        """An extra geometry column (e.g. settlements.point), given as WKT text."""
        raw, errors = csv_geometries(batch.table, CsvGeometry(wkt=src))
        for i, (_, reason) in errors.items():
            faults.setdefault(i, []).append((dst, reason))
        spec = self.layer.extra_geometries[dst].model_copy(update={"nullable": True})
        res = check_geometries(raw, spec, self.reproj)
        for i, reason in res.rejected.items():
            faults.setdefault(i, []).append((dst, reason))
        for i, what in res.repaired.items():
            repairs.append((batch.row(i), dst, what))
        return res.geoms


_POINT_WKB = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])  # packed: 21 bytes


def _wkb(geoms: np.ndarray, binary: bool) -> list:
    """WKB (little-endian; bytes, or hex text when not ``binary``) of each geometry, None where
    missing. Without an SRID: every geometry column of a layer is typed with SRID 4326, and PostGIS
    gives it to geometries that have none. Points are written by numpy directly, which is several
    times faster."""
    present = ~shapely.is_missing(geoms)
    out = np.full(len(geoms), None, dtype=object)
    if present.any():
        given = geoms[present]
        if (shapely.get_type_id(given) == shapely.GeometryType.POINT).all() and not shapely.is_empty(given).any():
            xy = shapely.get_coordinates(given)
            packed = np.empty(len(given), dtype=_POINT_WKB)
            packed["order"], packed["type"], packed["x"], packed["y"] = 1, 1, xy[:, 0], xy[:, 1]
            data = packed.tobytes() if binary else packed.tobytes().hex()
            width = _POINT_WKB.itemsize * (1 if binary else 2)
            out[present] = [data[i:i + width] for i in range(0, len(data), width)]
        else:
            out[present] = shapely.to_wkb(given, hex=not binary, byte_order=1, output_dimension=2)
    return out.tolist()

"""A layer out to a file: GeoJSON (RFC 7946), GeoPackage, CSV (WKT or x/y), zipped Shapefile (with
``.cpg``) or KML, in EPSG:4326 or a requested CRS, filtered by громада and bbox.

Rows stream from PostGIS in chunks into Arrow record batches, which GDAL (pyogrio) writes; memory
stays bounded whatever the layer's size. Anonymous callers get the ``pub`` view (published
datasets, public rows and fields); planners the full table of the громади they may read. What each
format loses is in ``docs/formats.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyogrio
import shapely
from sqlalchemy import Connection, func, select

from ..catalog import LayerSpec, catalog
from ..features import _filters, _source
from .crs import accepted_export_crs, export_operation, from_wgs84
from .errors import IngestError
from .mapping import export_columns, shapefile_names

CHUNK = 5_000
DBF_TEXT_BYTES = 254


@dataclass(frozen=True)
class Format:
    name: str
    driver: str
    suffix: str
    media_type: str


FORMATS = {
    "geojson": Format("GeoJSON", "GeoJSON", ".geojson", "application/geo+json"),
    "gpkg": Format("GeoPackage", "GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "csv": Format("CSV", "CSV", ".csv", "text/csv; charset=utf-8"),
    "shp": Format("Shapefile (zip)", "ESRI Shapefile", ".zip", "application/zip"),
    "kml": Format("KML", "LIBKML", ".kml", "application/vnd.google-earth.kml+xml"),
}
CSV_GEOMETRY = ("wkt", "xy")
COMMON_ARROW = {
    "id": pa.string(), "code": pa.string(), "katottg": pa.string(), "hromada": pa.string(),
    "status": pa.string(), "installed_at": pa.date32(), "removed_at": pa.date32(), "version": pa.int32(),
    "created_at": pa.timestamp("ms", tz="UTC"), "updated_at": pa.timestamp("ms", tz="UTC"),
    "updated_by": pa.string(), "source": pa.string(), "public": pa.bool_(),
}
FIELD_ARROW = {
    "text": pa.string(), "url": pa.string(), "enum": pa.string(), "integer": pa.int32(),
    "number": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
    "datetime": pa.timestamp("ms", tz="UTC"), "json": pa.string(),
    "text_list": pa.list_(pa.string()), "integer_list": pa.list_(pa.int32()),
}


@dataclass
class ExportOptions:
    format: str = "geojson"
    crs: str | int = 4326
    hromada: str | None = None
    hromady: Iterable[str] | None = None   # the громади a planner may read (None: all)
    bbox: tuple[float, float, float, float] | None = None
    public: bool = True
    csv_geometry: str = "wkt"


@dataclass
class ExportResult:
    path: Path
    format: str
    features: int
    crs: int
    transformation: str
    notes: list[str] = field(default_factory=list)


def _check(layer: LayerSpec, o: ExportOptions) -> tuple[Format, int]:
    fmt = FORMATS.get(o.format)
    if fmt is None:
        raise IngestError(f"format: {o.format!r} is not one of {', '.join(FORMATS)}")
    code = accepted_export_crs(o.crs)
    if o.format == "kml" and code != 4326:
        raise IngestError("crs: KML is always WGS 84 longitude/latitude (EPSG:4326)")
    if o.format == "csv" and o.csv_geometry not in CSV_GEOMETRY:
        raise IngestError(f"csv geometry: {o.csv_geometry!r} is not one of {', '.join(CSV_GEOMETRY)}")
    if o.format == "csv" and o.csv_geometry == "xy" and layer.geometry.type != "Point":
        raise IngestError(f"csv geometry: x/y columns hold points only; {layer.name} has {layer.geometry.type} "
                          f"geometry: use wkt")
    if o.format == "shp" and layer.geometry.type == "Geometry":
        raise IngestError(f"Shapefile holds one geometry type, and {layer.name} mixes them: "
                          f"export it as GeoPackage or GeoJSON")
    return fmt, code


def _arrow_type(layer: LayerSpec, column: str, lists_as_text: bool) -> pa.DataType:
    if column in layer.extra_geometries:
        return pa.string()
    if column in COMMON_ARROW:
        return COMMON_ARROW[column]
    t = FIELD_ARROW[layer.fields[column].type]
    return pa.string() if lists_as_text and pa.types.is_list(t) else t


def _value(value, arrow_type: pa.DataType):
    if value is None:
        return None
    if pa.types.is_string(arrow_type) and not isinstance(value, str):
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return str(value)
    return value


class _Writer:
    def __init__(self, conn: Connection, layer: LayerSpec, o: ExportOptions, fmt: Format, code: int):
        self.conn, self.layer, self.o, self.fmt, self.code = conn, layer, o, fmt, code
        self.lists_as_text = o.format != "geojson"
        self.columns = export_columns(layer, o.public)
        self.types = [_arrow_type(layer, c, self.lists_as_text) for c in self.columns]
        geometry_field = pa.field("geometry", pa.binary(), metadata={b"ARROW:extension:name": b"geoarrow.wkb"})
        self.schema = pa.schema([pa.field(c, t) for c, t in zip(self.columns, self.types)] + [geometry_field])
        self.count = 0
        self.cut_texts = 0  # Shapefile: text values longer than DBF's 254 bytes

    def _query(self):
        src = _source(self.layer, self.o.public)
        where = _filters(src, self.o.hromada, self.o.hromady, self.o.bbox, None)
        cols = [src.c[c] for c in self.columns if c not in self.layer.extra_geometries]
        cols += [func.ST_AsBinary(src.c[g]).label(g) for g in self.layer.extra_geometries if g in self.columns]
        cols.append(func.ST_AsBinary(src.c.geom).label("__geom"))
        return select(*cols).where(*where).order_by(src.c.hromada, src.c.code, src.c.id)

    def _geoms(self, wkb: list) -> list:
        if self.code == 4326:
            return [bytes(w) if w is not None else None for w in wkb]
        geoms = shapely.from_wkb(np.array([bytes(w) if w is not None else None for w in wkb], dtype=object))
        return list(shapely.to_wkb(from_wgs84(geoms, self.code)))

    def _wkt(self, wkb: list) -> list:
        geoms = shapely.from_wkb(np.array([bytes(w) if w is not None else None for w in wkb], dtype=object))
        return list(shapely.to_wkt(from_wgs84(geoms, self.code), rounding_precision=-1))

    def batches(self) -> Iterator[pa.RecordBatch]:
        result = self.conn.execution_options(yield_per=CHUNK).execute(self._query())
        for part in result.partitions():
            data: dict[str, list] = {}
            for k, (col, t) in enumerate(zip(self.columns, self.types)):
                raw = [r[k] for r in part]
                if col in self.layer.extra_geometries:
                    data[col] = self._wkt(raw)
                else:
                    data[col] = [_value(v, t) for v in raw]
                    if self.o.format == "shp" and pa.types.is_string(t):
                        self.cut_texts += sum(1 for v in data[col] if v and len(v.encode("utf-8")) > DBF_TEXT_BYTES)
            data["geometry"] = self._geoms([r[-1] for r in part])
            self.count += len(part)
            yield pa.RecordBatch.from_pydict(data, schema=self.schema)

    def write(self, path: Path, columns: dict[str, str] | None = None, **kwargs) -> None:
        schema = self.schema
        batches: Iterable[pa.RecordBatch] = self.batches()
        if columns:
            schema = pa.schema([f.with_name(columns.get(f.name, f.name)) for f in self.schema])
            batches = (b.rename_columns(schema.names) for b in batches)
        reader = pa.RecordBatchReader.from_batches(schema, batches)
        geometry_type = "Unknown" if self.layer.geometry.type == "Geometry" else self.layer.geometry.type
        try:
            with warnings.catch_warnings():  # GDAL's "truncated to 254 characters": counted instead
                warnings.filterwarnings("ignore", message=".*has been truncated to 254", category=RuntimeWarning)
                pyogrio.write_arrow(reader, path, layer=self.layer.name, driver=self.fmt.driver,
                                    geometry_name="geometry", geometry_type=geometry_type,
                                    crs=f"EPSG:{self.code}", **kwargs)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                pyogrio.errors.GeometryError) as exc:
            raise IngestError(f"{self.fmt.name}: GDAL could not write the layer: {exc}") from None


def export_layer(conn: Connection, layer_name: str, out: Path, options: ExportOptions | None = None) -> ExportResult:
    """Write the layer to ``out`` (for a Shapefile: a zip holding .shp, .shx, .dbf, .prj, .cpg)."""
    o = options or ExportOptions()
    layer = catalog().get(layer_name)
    fmt, code = _check(layer, o)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    w = _Writer(conn, layer, o, fmt, code)
    notes: list[str] = []
    if o.format == "geojson":
        options_ = {"RFC7946": "YES", "WRITE_NAME": "NO"} if code == 4326 else {"WRITE_NAME": "NO"}
        if code != 4326:
            notes.append(f"GeoJSON in EPSG:{code} carries a crs member and is not RFC 7946 (which is WGS 84 only)")
        w.write(out, layer_options=options_)
    elif o.format == "gpkg":
        w.write(out)
    elif o.format == "csv":
        geometry = "AS_WKT" if o.csv_geometry == "wkt" else "AS_XY"
        w.write(out, layer_options={"GEOMETRY": geometry, "WRITE_BOM": "YES", "STRING_QUOTING": "IF_NEEDED"})
    elif o.format == "kml":
        w.write(out)
    elif o.format == "shp":
        names = shapefile_names(w.columns)
        with tempfile.TemporaryDirectory(prefix="gisplan-export-") as tmp:
            shp = Path(tmp) / f"{layer.name}.shp"
            w.write(shp, columns=names, encoding="UTF-8")
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for part in sorted(Path(tmp).iterdir()):
                    zf.write(part, part.name)
        if w.cut_texts:
            notes.append(f"Shapefile: {w.cut_texts} text values longer than {DBF_TEXT_BYTES} bytes were cut")
        cut = {c: n for c, n in names.items() if c != n}
        if cut:
            notes.append("Shapefile names cut to 10 characters: " + ", ".join(f"{c}→{n}" for c, n in cut.items()))
    return ExportResult(out, o.format, w.count, code, export_operation(code), notes)


def default_name(layer_name: str, fmt: str, hromada: str | None = None) -> str:
    stamp = dt.date.today().isoformat()
    return f"{layer_name}-{hromada or 'all'}-{stamp}{FORMATS[fmt].suffix}"

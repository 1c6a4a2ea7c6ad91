"""Reading files through GDAL (pyogrio) as a stream of Arrow record batches.

Formats: GeoJSON, GeoPackage, Shapefile (plain or zipped), CSV with longitude/latitude (or x/y) or
WKT columns, KML and KMZ; a zip holding one file of another of these formats is read as that file.
Batches keep peak memory bounded whatever the size of the file.

* Shapefile text: the encoding of ``.cpg`` (GDAL applies it), else the DBF's language driver id,
  else detected from the bytes (cp1251 is common in Ukrainian shapefiles).
* CSV: encoding detected (re-encoded to UTF-8 for GDAL when needed), delimiter sniffed (``,`` ``;``
  tab ``|``), decimal commas and degrees-minutes-seconds accepted in coordinates, Ukrainian headers
  («широта», «довгота») recognised.
* Zip archives and KMZ are checked by :mod:`.safezip` before they are unpacked.
"""

from __future__ import annotations

import contextlib
import csv
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyogrio
import shapely
from pyogrio.raw import open_arrow
from pyproj import CRS

from . import encoding as enc
from . import safezip
from .crs import parse_crs
from .errors import IngestError
from .mapping import normalise

BATCH_SIZE = 20_000

SUFFIXES = {
    ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".shp": "ESRI Shapefile",
    ".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".kml": "KML", ".kmz": "KMZ", ".zip": "ZIP",
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj")

# CSV geometry columns, compared after :func:`mapping.normalise`
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "довгота", "долгота", "easting", "схід")
LAT_NAMES = ("lat", "latitude", "y", "широта", "northing", "північ")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "wkt_geom", "shape", "геометрія")
SEPARATORS = {",": "COMMA", ";": "SEMICOLON", "\t": "TAB", "|": "PIPE"}


@dataclass
class Batch:
    """Up to BATCH_SIZE records: attributes (source column names), geometries in the file's CRS,
    and errors found while reading (index in the batch → (field, reason))."""

    first_row: int
    table: pa.Table
    geoms: np.ndarray
    errors: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.table.num_rows

    def row(self, i: int) -> int:
        return self.first_row + i


@dataclass
class CsvGeometry:
    lon: str | None = None
    lat: str | None = None
    wkt: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.lon, self.lat, self.wkt) if c)


@dataclass
class Source:
    """One opened input file, ready to be read in batches."""

    name: str
    format: str                   # GeoJSON, GPKG, ESRI Shapefile, CSV, KML
    read_path: Path
    layers: list[str]
    crs: CRS | None               # None: longitude/latitude on WGS 84 (RFC 7946, KML, CSV)
    crs_from: str                 # "file", "option" or "format default"
    encoding: str
    fields: list[str]
    count: int | None
    header_rows: int = 0          # CSV: the header is row 1, so the first record is row 2
    csv: CsvGeometry | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def batches(self, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
        row = 1 + self.header_rows
        for layer in self.layers:
            kwargs = {}
            if self.format == "CSV":
                kwargs = {"SEPARATOR": SEPARATORS[self.delimiter or ","], "read_geometry": False}
            shp_encoding = self.encoding if self.format == "ESRI Shapefile" else None
            try:
                with open_arrow(self.read_path, layer=layer, encoding=shp_encoding, batch_size=batch_size,
                                use_pyarrow=True, **kwargs) as (meta, reader):
                    geom_col = meta.get("geometry_name") or "wkb_geometry"
                    for rb in reader:
                        table = pa.Table.from_batches([rb])
                        batch = self._batch(table, geom_col, row)
                        row += len(batch)
                        yield batch
            except pyogrio.errors.DataSourceError as exc:
                raise IngestError(f"{self.name}: GDAL cannot read it: {exc}") from None
            except pyogrio.errors.DataLayerError as exc:
                raise IngestError(f"{self.name}: GDAL stopped reading near row {row}: {exc}") from None

    def _batch(self, table: pa.Table, geom_col: str, first_row: int) -> Batch:
        if self.format == "CSV":
            geoms, errors = csv_geometries(table, self.csv)
            drop = [c for c in self.csv.columns if c in table.column_names] if self.csv else []
            return Batch(first_row, table.drop_columns(drop), geoms, errors)
        if geom_col in table.column_names:
            wkb = table.column(geom_col).to_numpy(zero_copy_only=False)
            geoms = shapely.from_wkb(wkb, on_invalid="ignore")
            extra = shapely.has_z(geoms) | shapely.has_m(geoms)  # only these need flattening
            if extra.any():
                geoms[extra] = shapely.force_2d(geoms[extra])
            table = table.drop_columns([geom_col])
        else:
            geoms = np.full(table.num_rows, None, dtype=object)
        return Batch(first_row, table, geoms)


# ------------------------------------------------------------------ CSV coordinates
_DMS = re.compile(
    r"^\s*(N|S|E|W|пн|пд|сх|зх)?\.?\s*(\d+(?:[.,]\d+)?)\s*[°º˚]\s*(?:(\d+(?:[.,]\d+)?)\s*['′’])?\s*"
    r"(?:(\d+(?:[.,]\d+)?)\s*(?:\"|″|''|’’))?\s*(N|S|E|W|пн|пд|сх|зх)?\.?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def parse_coordinate(text) -> float | None:
    """A coordinate from text: decimal point or comma, or degrees-minutes-seconds («N 49°18'48"»).
    None for empty; ValueError for anything else."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip()
    if not s:
        return None
    compact = s.replace("\u00a0", "").replace(" ", "")
    if _NUMBER.match(compact):
        return float(compact.replace(",", "."))
    m = _DMS.match(s)
    if not m:
        raise ValueError(f"{text!r} is not a coordinate (decimal degrees or degrees°minutes′seconds″)")
    hemi = (m[1] or m[5] or "").casefold()
    deg = float(m[2].replace(",", "."))
    minutes = float(m[3].replace(",", ".")) if m[3] else 0.0
    seconds = float(m[4].replace(",", ".")) if m[4] else 0.0
    value = deg + minutes / 60 + seconds / 3600
    return -value if hemi in ("s", "w", "пд", "зх") else value


def _coordinates(values: list, name: str, errors: dict[int, tuple[str, str]]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            c = parse_coordinate(v)
        except ValueError as exc:
            errors.setdefault(i, (name, str(exc)))
            continue
        if c is not None:
            out[i] = c
    return out


def csv_geometries(table: pa.Table, how: CsvGeometry | None) -> tuple[np.ndarray, dict[int, tuple[str, str]]]:
    n = table.num_rows
    geoms = np.full(n, None, dtype=object)
    errors: dict[int, tuple[str, str]] = {}
    if how is None:
        return geoms, errors
    if how.wkt:
        texts = np.array([None if v is None or not str(v).strip() else str(v).strip()
                          for v in table.column(how.wkt).to_pylist()], dtype=object)
        given = np.array([t is not None for t in texts], dtype=bool)
        parsed = shapely.from_wkt(np.where(given, texts, None), on_invalid="ignore")
        for i in np.flatnonzero(given & shapely.is_missing(parsed)):
            errors[i] = (how.wkt, f"{str(texts[i])[:60]!r} is not WKT geometry")
        return parsed, errors
    x = _coordinates(table.column(how.lon).to_pylist(), how.lon, errors)
    y = _coordinates(table.column(how.lat).to_pylist(), how.lat, errors)
    both = np.isfinite(x) & np.isfinite(y)
    one = np.isfinite(x) ^ np.isfinite(y)
    for i in np.flatnonzero(one):
        errors.setdefault(i, (how.lon if np.isnan(x[i]) else how.lat, "only one of the two coordinates is given"))
    geoms[both] = shapely.points(x[both], y[both])
    return geoms, errors


def find_csv_geometry(columns: list[str], explicit: dict[str, str]) -> CsvGeometry | None:
    """Which CSV columns hold the geometry: explicit ``--map COL=lon|lat|wkt`` first, then names."""
    how = CsvGeometry()
    for src, dst in explicit.items():
        if dst in ("lon", "x"):
            how.lon = src
        elif dst in ("lat", "y"):
            how.lat = src
        elif dst == "wkt":
            how.wkt = src
    if how.wkt or (how.lon and how.lat):
        return how
    names = {normalise(c): c for c in columns}
    for n in WKT_NAMES:
        if n in names:
            return CsvGeometry(wkt=names[n])
    lon = next((names[n] for n in LON_NAMES if n in names), None)
    lat = next((names[n] for n in LAT_NAMES if n in names), None)
    if lon and lat:
        return CsvGeometry(lon=lon, lat=lat)
    return None


def _sniff_delimiter(text: str) -> str:
    head = text.splitlines()[:50]
    try:
        return csv.Sniffer().sniff("\n".join(head), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        first = head[0] if head else ""
        return max(SEPARATORS, key=first.count) if first else ","


# ------------------------------------------------------------------ opening
def _choose_layer(path: Path, names: list[str], wanted: str | None, prefer: str | None) -> str:
    if wanted:
        if wanted not in names:
            raise IngestError(f"{path.name}: no layer {wanted!r}; layers: {', '.join(names)}")
        return wanted
    if len(names) == 1:
        return names[0]
    if prefer in names:
        return prefer
    raise IngestError(f"{path.name} has {len(names)} layers ({', '.join(names)}): choose one with --source-layer")


def _unzip(path: Path, workdir: Path, source_layer: str | None) -> Path:
    infos = safezip.members(path)
    by_suffix: dict[str, list] = {}
    for info in infos:
        by_suffix.setdefault(Path(info.filename).suffix.lower(), []).append(info)
    shps = by_suffix.get(".shp", [])
    if shps:
        if len(shps) > 1:
            stems = [Path(i.filename).stem for i in shps]
            if source_layer not in stems:
                raise IngestError(f"{path.name} holds {len(shps)} shapefiles ({', '.join(stems)}): "
                                  f"choose one with --source-layer")
            shps = [i for i in shps if Path(i.filename).stem == source_layer]
        stem = str(Path(shps[0].filename).with_suffix(""))
        parts = [i for i in infos if str(Path(i.filename).with_suffix("")) == stem
                 and Path(i.filename).suffix.lower() in SHAPEFILE_PARTS]
        got = {Path(i.filename).suffix.lower() for i in parts}
        for needed in (".shx", ".dbf"):
            if needed not in got:
                raise IngestError(f"{path.name}: the shapefile {Path(stem).name}.shp has no {needed} beside it")
        safezip.extract(path, workdir, parts)
        return workdir / Path(shps[0].filename).name
    inner = [i for i in infos if SUFFIXES.get(Path(i.filename).suffix.lower()) not in (None, "ZIP")]
    if path.suffix.lower() == ".kmz":
        inner = [i for i in infos if Path(i.filename).suffix.lower() == ".kml"]
        inner.sort(key=lambda i: (Path(i.filename).name != "doc.kml", i.filename))
        if not inner:
            raise IngestError(f"{path.name}: a KMZ without a .kml inside")
        inner = inner[:1]
    if len(inner) != 1:
        found = ", ".join(i.filename for i in infos[:10]) or "nothing"
        raise IngestError(f"{path.name}: expected one shapefile (or one GeoJSON, GeoPackage, CSV or KML) "
                          f"in the archive, found: {found}")
    (extracted,) = safezip.extract(path, workdir, inner)
    return extracted


def _shapefile_encoding(path: Path, declared: str) -> tuple[str, str]:
    """(encoding to read with, how it was found)."""
    if path.with_suffix(".cpg").exists() or any(path.with_suffix(s).exists() for s in (".CPG",)):
        return "", "from .cpg"
    if declared and declared.upper() not in ("ISO-8859-1", "LATIN1", ""):
        return declared, "from the DBF language driver id"
    raw = bytearray()
    with open_arrow(path, encoding="ISO-8859-1", batch_size=5000, read_geometry=False,
                    use_pyarrow=True) as (_meta, reader):
        for rb in reader:
            for col in rb.columns:
                if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                    for v in col.to_pylist():
                        if v:
                            raw += v.encode("latin-1", errors="ignore") + b"\n"
            if len(raw) > enc.SAMPLE_BYTES:
                break
    found = enc.detect(bytes(raw))
    return found.upper(), "detected (no .cpg)"


def _crs_of(info_crs, declared, fmt: str) -> tuple[CRS | None, str]:
    if declared:
        return parse_crs(declared), "option"
    if info_crs:
        return CRS.from_user_input(info_crs), "file"
    if fmt in ("GeoJSON", "KML", "CSV"):
        return None, "format default (WGS 84 longitude/latitude)"
    raise IngestError("crs: the file declares no CRS (a Shapefile without .prj?): give it with --crs EPSG:…")


@contextlib.contextmanager
def open_source(path: Path, *, source_layer: str | None = None, prefer_layer: str | None = None,
                crs: str | None = None, explicit_map: dict[str, str] | None = None,
                display_name: str | None = None) -> Iterator[Source]:
    """Open ``path`` for reading in batches (unpacking or re-encoding into a temporary folder)."""
    path = Path(path)
    name = display_name or path.name
    if not path.is_file():
        raise IngestError(f"{name}: no such file")
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"{name}: unknown format {path.suffix!r}; accepted: "
                          f"{', '.join(sorted(SUFFIXES))}")
    with tempfile.TemporaryDirectory(prefix="gisplan-ingest-") as tmp:
        workdir = Path(tmp)
        read_path = path
        if fmt in ("ZIP", "KMZ"):
            read_path = _unzip(path, workdir, source_layer)
            fmt = SUFFIXES.get(read_path.suffix.lower())
            if fmt in (None, "ZIP", "KMZ"):
                raise IngestError(f"{name}: nested archives are not read; unpack the inner one")
        notes: list[str] = []
        text_encoding = "UTF-8"
        delimiter = None
        if fmt == "CSV":
            raw = enc.sample(read_path)
            text_encoding = enc.detect(raw)
            if text_encoding != "utf-8":
                utf8 = workdir / (read_path.stem + ".utf8.csv")
                enc.transcode_to_utf8(read_path, utf8, text_encoding)
                read_path = utf8
                raw = enc.sample(read_path)
            delimiter = _sniff_delimiter(raw.decode("utf-8", errors="ignore").lstrip("\ufeff"))
            notes.append(f"CSV: encoding {text_encoding}, delimiter {delimiter!r}")
        try:
            layer_names = [str(n) for n, _ in pyogrio.list_layers(read_path)]
        except Exception as exc:  # pyogrio raises DataSourceError, GDAL may say other things
            raise IngestError(f"{name}: GDAL cannot open it as {fmt}: {exc}") from None
        if fmt == "KML":
            layers = layer_names if not source_layer else [_choose_layer(path, layer_names, source_layer, None)]
        else:
            layers = [_choose_layer(path, layer_names, source_layer, prefer_layer)]
        open_kwargs = {"SEPARATOR": SEPARATORS[delimiter]} if fmt == "CSV" else {}
        info = pyogrio.read_info(read_path, layer=layers[0], **open_kwargs)
        if fmt == "ESRI Shapefile":
            text_encoding, how = _shapefile_encoding(read_path, info.get("encoding") or "")
            notes.append(f"Shapefile text encoding: {text_encoding or 'UTF-8 (recoded by GDAL)'} {how}")
            if text_encoding:  # field names are in the same encoding as the values
                info = pyogrio.read_info(read_path, layer=layers[0], encoding=text_encoding)
        fields: list[str] = []
        count: int | None = 0
        for layer in layers:
            layer_info = info if layer == layers[0] else pyogrio.read_info(read_path, layer=layer, **open_kwargs)
            fields += [str(f) for f in layer_info["fields"] if str(f) not in fields]
            n = layer_info.get("features")
            count = None if (n is None or n < 0 or count is None) else count + int(n)
        source_crs, crs_from = _crs_of(info.get("crs"), crs, fmt)
        how_csv = None
        if fmt == "CSV":
            how_csv = find_csv_geometry(fields, explicit_map or {})
            notes.append("CSV geometry: " + (f"WKT column {how_csv.wkt!r}" if how_csv and how_csv.wkt else
                                            f"columns {how_csv.lon!r} (x) and {how_csv.lat!r} (y)" if how_csv
                                            else "none found"))
            if how_csv is not None:
                fields = [f for f in fields if f not in how_csv.columns]
        yield Source(name=name, format=fmt, read_path=read_path, layers=layers, crs=source_crs,
                     crs_from=crs_from, encoding=text_encoding or "UTF-8", fields=fields, count=count,
                     header_rows=1 if fmt == "CSV" else 0, csv=how_csv, delimiter=delimiter, notes=notes)

"""Files in and out of a layer: ``POST /api/layers/{layer}/import`` (multipart upload, planners)
and ``GET /api/layers/{layer}/export?format=…`` (anonymous callers: published data only)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import Engine
from starlette.background import BackgroundTask

from gisplan.catalog import LayerSpec
from gisplan.ingest import ImportOptions, ImportRejected, IngestError, import_file
from gisplan.ingest.export import CSV_GEOMETRY, FORMATS, ExportOptions, default_name, export_layer
from gisplan.ingest.mapping import parse_map
from gisplan.ingest.read import SUFFIXES
from gisplan.ingest.safezip import copy_limited
from gisplan.settings import server_settings

from ..deps import BBox, CurrentUser, OptionalUser, ReadConn, engine_dep, layer_dep, require_writer

router = APIRouter(prefix="/api/layers", tags=["import and export"])
Layer = Annotated[LayerSpec, Depends(layer_dep)]


def _limit_bytes() -> int:
    return server_settings().max_upload_mb * 1024 * 1024


@router.post("/{layer}/import", summary="Import a file into the layer (all or nothing; planners)")
def import_layer(
    request: Request, layer: Layer, user: CurrentUser, engine: Annotated[Engine, Depends(engine_dep)],
    file: Annotated[UploadFile, File(description="GeoJSON, GeoPackage, zipped Shapefile, CSV, KML or KMZ")],
    hromada: Annotated[str | None, Form(pattern=r"^UA\d{17}$", description="громада of rows that name none")] = None,
    mode: Annotated[str, Form(description="append, upsert or replace")] = "append",
    key: Annotated[str, Form(description="upsert/replace: code, id or another field")] = "code",
    map: Annotated[list[str] | None, Form(description="SOURCE=FIELD, repeatable")] = None,  # noqa: A002
    dry_run: Annotated[bool, Form()] = False,
    crs: Annotated[str | None, Form(description="the file's CRS if it declares none")] = None,
    source_layer: Annotated[str | None, Form()] = None,
    points_from_polygons: Annotated[bool, Form()] = False,
):
    if user.role in ("viewer", "executor"):
        raise HTTPException(403, f"{user.username} is a {user.role} and may not change data")
    if hromada:
        require_writer(user, hromada)
    limit = _limit_bytes()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 1024 * 1024:
        raise HTTPException(413, f"upload larger than {limit // 1024**2} MB (GISPLAN_MAX_UPLOAD_MB)")
    name = Path(file.filename or "upload").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise HTTPException(415, f"{name}: unknown format; accepted: {', '.join(sorted(SUFFIXES))}")
    tmp = Path(tempfile.mkdtemp(prefix="gisplan-upload-"))
    try:
        path = tmp / name
        try:
            copy_limited(file.file, path, limit)
        except IngestError as exc:
            raise HTTPException(413, str(exc)) from None
        options = ImportOptions(mode=mode, key=key, hromada=hromada, mapping=parse_map(map), dry_run=dry_run,
                                crs=crs, source_layer=source_layer, points_from_polygons=points_from_polygons,
                                display_name=name)
        allowed = None if user.is_admin else set(user.hromady)
        try:
            report = import_file(engine, layer.name, path, options, user=user.username, allowed_hromady=allowed)
        except ImportRejected as exc:
            body = exc.report.as_dict()
            forbidden = any(r.field == "hromada" and r.reason.startswith("you may not")
                            for r in exc.report.rejections)
            body["detail"] = str(exc)
            return JSONResponse(body, status_code=403 if forbidden else 422)
        return report.as_dict()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@router.get("/{layer}/export", summary="The layer as a file (anonymous callers: published data only)",
            response_class=FileResponse)
def export(
    layer: Layer, conn: ReadConn, user: OptionalUser, bbox: BBox,
    format: Annotated[str, Query(description=", ".join(FORMATS))] = "geojson",  # noqa: A002
    crs: Annotated[str, Query(description="output CRS, e.g. EPSG:5564 (KML: EPSG:4326 only)")] = "EPSG:4326",
    hromada: Annotated[str | None, Query(pattern=r"^UA\d{17}$")] = None,
    csv_geometry: Annotated[str, Query(description=" or ".join(CSV_GEOMETRY))] = "wkt",
):
    if format not in FORMATS:
        raise HTTPException(400, f"format: one of {', '.join(FORMATS)}")
    public, readable = True, None
    if user is not None:
        readable = user.readable_hromady()
        public = bool(hromada and readable is not None and hromada not in readable)
    options = ExportOptions(format=format, crs=crs, hromada=hromada, hromady=None if public else readable,
                            bbox=bbox, public=public, csv_geometry=csv_geometry)
    tmp = Path(tempfile.mkdtemp(prefix="gisplan-export-"))
    name = default_name(layer.name, format, hromada)
    try:
        result = export_layer(conn, layer.name, tmp / name, options)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(result.path, media_type=FORMATS[format].media_type, filename=name,
                        headers={"X-Feature-Count": str(result.features), "X-CRS": f"EPSG:{result.crs}"},
                        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True))

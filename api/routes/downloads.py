"""Download files of published datasets: ``/{code}/downloads/{layer}.geojson`` and ``.gpkg``.

The files are the published part only (the ``pub`` view), whoever asks; they are written by
:mod:`gisplan.publish.downloads` when the dataset changed and served with a strong ETag
(304 on a matching If-None-Match).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from gisplan.catalog import KATOTTG_RE
from gisplan.publish.downloads import FORMATS, NotPublished, download_file

from ..deps import engine_dep

router = APIRouter(tags=["downloads"])
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored, * matches."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in header.split(","))


@router.get("/{code}/downloads/{filename}",
            summary="A published dataset as one file: {layer}.geojson or {layer}.gpkg (strong ETag)")
async def download(code: str, filename: str, request: Request, engine: Annotated[Engine, Depends(engine_dep)]):
    if not KATOTTG_RE.match(code):
        raise HTTPException(404, f"code: {code!r} is not a КАТОТТГ code of a громада")
    layer, dot, fmt = filename.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise HTTPException(404, f"filename: {filename!r} must be <layer>.geojson or <layer>.gpkg")
    try:
        found = await run_in_threadpool(download_file, engine, layer, code, fmt)
    except NotPublished as exc:
        raise HTTPException(404, f"{exc}; published datasets are listed at /atom/service.xml") from None
    headers = {"ETag": found.etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), found.etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(found.path, media_type=found.media_type, filename=found.filename, headers=headers)

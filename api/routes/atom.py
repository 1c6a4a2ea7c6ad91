"""The Atom download feeds (INSPIRE pre-defined dataset download service) and their OpenSearch
description: ``/atom/service.xml``, ``/atom/{code}/{layer}.xml``, ``/atom/opensearch.xml`` and
``/atom/search`` (the OpenSearch templates: search, Describe and Get Spatial Data Set)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from gisplan.catalog import KATOTTG_RE
from gisplan.publish import atom
from gisplan.publish.downloads import FORMATS
from gisplan.settings import server_settings

from ..deps import engine_dep

router = APIRouter(prefix="/atom", tags=["downloads"])
EngineDep = Annotated[Engine, Depends(engine_dep)]
ATOM = "application/atom+xml; charset=utf-8"


def _base(request: Request) -> str:
    return (server_settings().public_url or str(request.base_url)).rstrip("/")


@router.get("/service.xml", summary="Atom service feed: one entry per published dataset")
def service_feed(request: Request, engine: EngineDep):
    return Response(atom.service_feed(engine, _base(request)), media_type=ATOM)


@router.get("/opensearch.xml", summary="OpenSearch description of the Atom download service")
def opensearch(request: Request, engine: EngineDep):
    return Response(atom.opensearch(engine, _base(request)),
                    media_type="application/opensearchdescription+xml; charset=utf-8")


@router.get("/search", summary="OpenSearch: search (q), Describe Spatial Data Set, Get Spatial Data Set (format)")
async def search(request: Request, engine: EngineDep,
                 q: Annotated[str | None, Query(description="words in a dataset's title")] = None,
                 spatial_dataset_identifier_code: Annotated[str | None, Query(description="the ISO record UUID")] = None,
                 spatial_dataset_identifier_namespace: str | None = None,
                 crs: str | None = None, language: str | None = None,
                 format: Annotated[str | None, Query(description="geojson or gpkg: redirect to the file")] = None):
    base = _base(request)
    if not spatial_dataset_identifier_code:
        if format:
            raise HTTPException(400, "format: needs spatial_dataset_identifier_code (the dataset's UUID)")
        return Response(await run_in_threadpool(atom.service_feed, engine, base, q), media_type=ATOM)
    if spatial_dataset_identifier_namespace and spatial_dataset_identifier_namespace.rstrip("/") != base:
        raise HTTPException(404, f"spatial_dataset_identifier_namespace: {spatial_dataset_identifier_namespace!r} "
                                 f"is not this service's ({base}/)")
    if crs and crs.rstrip("/") not in (atom.CRS["term"], "EPSG:4326"):
        raise HTTPException(404, f"crs: {crs!r} is not offered; the files are in {atom.CRS['term']}")
    if format and format not in FORMATS:
        raise HTTPException(400, f"format: {format!r} is not one of {', '.join(FORMATS)}")
    found = atom.datasets(engine, uid=spatial_dataset_identifier_code)
    if not found:
        raise HTTPException(404, f"spatial_dataset_identifier_code: no published dataset "
                                 f"{spatial_dataset_identifier_code!r}")
    d = found[0]
    if format:
        return RedirectResponse(f"{base}/{d.hromada}/downloads/{d.layer}.{format}", status_code=303)
    body = await run_in_threadpool(atom.dataset_feed, engine, base, d.hromada, d.layer)
    return Response(body, media_type=ATOM)


@router.get("/{code}/{filename}", summary="Atom dataset feed of one published dataset: {layer}.xml")
async def dataset_feed(code: str, filename: str, request: Request, engine: EngineDep):
    layer, dot, ext = filename.rpartition(".")
    if not KATOTTG_RE.match(code) or ext != "xml" or not dot:
        raise HTTPException(404, f"no dataset feed {code}/{filename}: "
                                 "the path is /atom/<КАТОТТГ code>/<layer>.xml")
    body = await run_in_threadpool(atom.dataset_feed, engine, _base(request), code, layer)
    if body is None:
        raise HTTPException(404, f"{layer}/{code}: no published dataset; see /atom/service.xml")
    return Response(body, media_type=ATOM)

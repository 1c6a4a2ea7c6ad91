"""Metadata and registration: ISO 19139 records, their editable fields, the громада's profile,
registration status with the national geoportal, the registration package and open-data exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, Response
from sqlalchemy import select

from gisplan.catalog import KATOTTG_RE
from gisplan.db.models import dataset
from gisplan.errors import GisplanError
from gisplan.publish.metadata import fields as md_fields
from gisplan.publish.metadata.records import Services, record_by_uuid
from gisplan.registration import opendata, package, profile, status
from gisplan.settings import server_settings

from ..deps import CurrentUser, OptionalUser, ReadConn, WriteConn, layer_dep, require_writer

router = APIRouter(tags=["metadata"])
XML = "application/xml"


def _paths(routes, prefix: str = "") -> Iterator[str]:
    """Every route path, looking into included routers (FastAPI ≥ 0.16x keeps them behind one entry)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            extra = getattr(getattr(r, "include_context", None), "prefix", "") or ""
            yield from _paths(inner.routes, prefix + extra)
        elif getattr(r, "path", None) is not None:
            yield prefix + r.path


def route_shapes(app) -> frozenset[str]:
    """The app's route paths with every parameter written ``{}`` (computed once per app)."""
    shapes = getattr(app.state, "route_shapes", None)
    if shapes is None:
        shapes = frozenset(re.sub(r"\{[^}]+\}", "{}", p) for p in _paths(app.routes))
        app.state.route_shapes = shapes
    return shapes


def services_of(request: Request) -> Services:
    """The site's origin and which optional services this app serves (links to others are left out)."""
    from .ows import SERVICES

    shapes = route_shapes(request.app)
    base = (server_settings().public_url or str(request.base_url)).rstrip("/")
    return Services(base=base, ogcapi="/{}/ogcapi/collections/{}" in shapes, wfs="WFS" in SERVICES,
                    csw="/csw" in shapes, downloads="/{}/downloads/{}" in shapes)


def _hromada(code: str) -> str:
    if not KATOTTG_RE.match(code):
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    return code


def _bad(exc: GisplanError) -> HTTPException:
    return HTTPException(422, str(exc))


# ------------------------------------------------------------------ records
@router.get("/metadata/{uid}.xml", summary="ISO 19139 record of a published dataset or of a service",
            response_class=Response)
def record(uid: str, request: Request, conn: ReadConn):
    xml = record_by_uuid(conn, uid, services_of(request))
    if xml is None:
        raise HTTPException(404, f"no published dataset or service has the record {uid}")
    return Response(xml, media_type=XML)


@router.get("/api/layers/{layer}/metadata", summary="editable fields of a dataset's ISO record")
def get_metadata(layer: str, conn: ReadConn, user: OptionalUser, response: Response,
                 hromada: Annotated[str, Query(description="КАТОТТГ code")]):
    spec = layer_dep(layer)
    _hromada(hromada)
    row = conn.execute(select(dataset).where(dataset.c.layer == spec.name, dataset.c.hromada == hromada)).first()
    if row is None or (not row.published and (user is None or not user.can_read(hromada))):
        raise HTTPException(404, f"no dataset {layer} in громада {hromada}")  # unpublished: readers only
    response.headers["ETag"] = f'"metadata-{md_fields.metadata_version(conn, spec.name, hromada)}"'
    return {"layer": spec.name, "hromada": hromada, "metadata_uuid": str(row.metadata_uuid),
            "record": f"/metadata/{row.metadata_uuid}.xml" if row.published else None,
            "editable": list(md_fields.EDITABLE),
            "stored": md_fields.stored_fields(conn, spec.name, hromada),
            "effective": md_fields.effective_fields(conn, spec, hromada)}


@router.put("/api/layers/{layer}/metadata", summary="change editable fields (planner of the громада)")
def put_metadata(layer: str, conn: WriteConn, user: CurrentUser, request: Request, response: Response,
                 hromada: Annotated[str, Query(description="КАТОТТГ code")],
                 body: Annotated[dict[str, Any], Body()]):
    """With ``If-Match`` (the ETag of the GET), a save over fields changed meanwhile is refused: 409."""
    spec = layer_dep(layer)
    require_writer(user, _hromada(hromada))
    try:
        expected = md_fields.parse_metadata_tag(request.headers.get("if-match"))
    except GisplanError as exc:
        raise _bad(exc) from None
    md_fields.claim_metadata(conn, spec.name, hromada, expected)  # VersionConflict: 409 with current_version
    try:
        saved = md_fields.save_fields(conn, spec.name, hromada, body, user.username)
    except GisplanError as exc:
        raise _bad(exc) from None
    response.headers["ETag"] = f'"metadata-{md_fields.metadata_version(conn, spec.name, hromada)}"'
    return {"layer": spec.name, "hromada": hromada, **saved}


# ------------------------------------------------------------------ profile
@router.get("/api/hromady/{code}/profile", summary="the громада as data custodian: name, address, e-mail, phone, logo")
def get_profile(code: str, conn: ReadConn):
    p = profile.get_profile(conn, _hromada(code))
    if p is None:
        raise HTTPException(404, f"no громада with КАТОТТГ code {code!r}")
    return p


@router.put("/api/hromady/{code}/profile", summary="change the profile (planner of the громада)")
def put_profile(code: str, conn: WriteConn, user: CurrentUser, body: Annotated[dict[str, Any], Body()]):
    require_writer(user, _hromada(code))
    try:
        return profile.save_profile(conn, code, body, user.username)
    except GisplanError as exc:
        raise _bad(exc) from None


# ------------------------------------------------------------------ registration
@router.get("/api/hromady/{code}/registration",
            summary="registration status of each published dataset with the national geoportal")
def registration(code: str, request: Request, conn: ReadConn):
    _hromada(code)
    return {"hromada": code, "datasets": status.dataset_statuses(conn, code, services_of(request).base),
            "summary": status.summary(conn, code)}


@router.post("/api/datasets/{layer}/{hromada}/registration",
             summary="record a submission or registration ({\"status\": \"submitted\"|\"registered\", \"reference\"})")
def set_registration(layer: str, hromada: str, conn: WriteConn, user: CurrentUser,
                     body: Annotated[dict[str, Any], Body()]):
    spec = layer_dep(layer)
    require_writer(user, _hromada(hromada))
    try:
        return status.set_status(conn, spec.name, hromada, body.get("status"), body.get("reference"), user.username)
    except GisplanError as exc:
        raise _bad(exc) from None


@router.get("/api/hromady/{code}/registration/package.zip", response_class=Response,
            summary="registration package: dataset list with service and metadata URLs, application text, records")
def registration_package(code: str, request: Request, conn: ReadConn):
    _hromada(code)
    try:
        data = package.build_package(conn, code, services_of(request))
    except GisplanError as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="nsdi-{code}.zip"'})


# ------------------------------------------------------------------ open data
@router.get("/api/datasets/{layer}/{hromada}/opendata.zip", response_class=Response,
            summary="open-data package of a published dataset: CSV, JSON, GeoJSON and a data.gov.ua description")
def opendata_package(layer: str, hromada: str, request: Request, conn: ReadConn):
    spec = layer_dep(layer)
    _hromada(hromada)
    try:
        data = opendata.build_opendata(conn, spec.name, hromada, services_of(request))
    except GisplanError as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{layer}-{hromada}-opendata.zip"'})

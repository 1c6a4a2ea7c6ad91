"""QR codes and plates of tourist objects, and the printed → installed workflow (issue 14).

Planners (and viewers) of a громада read its codes and scan counts; planners print plates (the
download records them as printed) and mark them installed. Errors follow the app's mapping: an
unknown object 404, a stale version 409, a bad value 400 naming the field. The public side is ``/q/{short}`` (public_pages), which counts each opening."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gisplan.qr.codes import qr_png, qr_svg, short_url
from gisplan.qr.logo import hromada_logo, hromada_name
from gisplan.qr.plates import plates_pdf
from gisplan.qr.workflow import ensure_short_codes, mark_installed, mark_printed, plate_objects

from ..deps import CurrentUser, WriteConn, require_writer

router = APIRouter(prefix="/api/hromady/{code}/qr", tags=["qr"])


class Installed(BaseModel):
    """A plate put up on site."""

    installed_at: dt.date = Field(description="the day the plate was installed")
    condition: str = Field(default="good", description="good, damaged or missing")
    version: int | None = Field(default=None, description="the feature version read (409 when stale)")


def _reader(user, code: str) -> None:
    if not user.can_read(code):
        raise HTTPException(403, f"{user.username} has no access to громада {code}")


def _one(conn, code: str, feature_id: UUID, user):
    (obj,) = plate_objects(conn, code, [feature_id])
    if not obj.qr_code:  # the first look at a code gives the object its permanent short code
        require_writer(user, code)
        ensure_short_codes(conn, [obj], user.username)
    return obj


@router.get("", summary="Tourist objects with their plate state (not printed, printed, installed) and scans")
def list_plates(code: str, conn: WriteConn, user: CurrentUser) -> dict:
    _reader(user, code)
    objects = plate_objects(conn, code)
    items = [o.public_dict() | {"url": short_url(o.qr_code) if o.qr_code else None} for o in objects]
    counts = {s: sum(1 for i in items if i["state"] == s) for s in ("not_printed", "printed", "installed")}
    return {"hromada": code, "counts": counts, "objects": items}


@router.get("/{feature_id}.png", summary="QR code (PNG, with the громада's logo when its profile has one)",
            response_class=Response)
def code_png(code: str, feature_id: UUID, conn: WriteConn, user: CurrentUser,
             logo: Annotated[bool, Query(description="overlay the громада's logo")] = True) -> Response:
    _reader(user, code)
    obj = _one(conn, code, feature_id, user)
    data = qr_png(short_url(obj.qr_code), logo=hromada_logo(conn, code) if logo else None)
    return Response(data, media_type="image/png",
                    headers={"Content-Disposition": f'inline; filename="qr-{obj.qr_code}.png"'})


@router.get("/{feature_id}.svg", summary="QR code (SVG, 1 module = 1 mm)", response_class=Response)
def code_svg(code: str, feature_id: UUID, conn: WriteConn, user: CurrentUser) -> Response:
    _reader(user, code)
    obj = _one(conn, code, feature_id, user)
    return Response(qr_svg(short_url(obj.qr_code)), media_type="image/svg+xml",
                    headers={"Content-Disposition": f'inline; filename="qr-{obj.qr_code}.svg"'})


@router.get("/plates.pdf", summary="Printable plates, one per page; records them as printed",
            response_class=Response)
def plates(code: str, conn: WriteConn, user: CurrentUser,
           ids: Annotated[str | None, Query(description="comma-separated feature ids; default: every object")] = None,
           size: Annotated[str, Query(pattern="^(A5|A6)$")] = "A6") -> Response:
    require_writer(user, code)
    try:
        wanted = [UUID(i.strip()) for i in ids.split(",") if i.strip()] if ids else None
    except ValueError as exc:
        raise HTTPException(422, f"ids: {ids!r} is not a comma-separated list of feature ids") from exc
    objects = ensure_short_codes(conn, plate_objects(conn, code, wanted), user.username)
    pdf = plates_pdf(objects, hromada_name(conn, code), hromada_logo(conn, code), size)
    mark_printed(conn, objects, user.username)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="qr-plates-{code}.pdf"'})


@router.post("/{feature_id}/installed", summary="Mark a plate installed on a date (sets has_qr, qr_installed_at)")
def installed(code: str, feature_id: UUID, body: Installed, conn: WriteConn, user: CurrentUser) -> dict:
    require_writer(user, code)
    obj = mark_installed(conn, code, feature_id, body.installed_at, user.username, body.version,
                         body.condition)
    return obj.public_dict()

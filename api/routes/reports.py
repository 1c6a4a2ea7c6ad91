"""Monitoring reports of a program (issue 15): quarterly and annual, as PDF, DOCX or XLSX, for the
signed-in planners and viewers of the program's громада; a planner may publish one on the громада's
public page, where anyone downloads it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Response
from sqlalchemy import Connection

from gisplan.accounts import User
from gisplan.program import store
from gisplan.program.errors import ProgramNotFound
from gisplan.reports import publication
from gisplan.reports.build import Report, ReportError, build_report
from gisplan.reports.templates import TemplateError

from ..deps import CurrentUser, ReadConn, WriteConn

router = APIRouter(tags=["reports"])
Kind = Annotated[Literal["quarterly", "annual"], Path(description="quarterly or annual")]
Year = Annotated[int, Query(ge=1990, le=2100, description="the reporting year")]
Quarter = Annotated[int | None, Query(ge=1, le=4, description="1–4 (quarterly reports)")]
Format = Annotated[Literal["pdf", "docx", "xlsx"], Query(description="pdf, docx or xlsx")]
Code = Annotated[str, Path(pattern=r"^UA\d{17}$", description="КАТОТТГ code of the громада")]
FileName = Annotated[str, Path(pattern=r"^[\w.-]{1,120}$", description="the report's file name")]


def _build(conn: Connection, user: User, program_id: int, kind: str, year: int, quarter, fmt: str, *,
           write: bool = False, **kw) -> tuple[Report, str | None]:
    try:
        row = store.program_row(conn, program_id)
        if row.hromada is None:   # as the programs API: any reader, an admin to change
            allowed = user.is_admin or not write
        else:
            allowed = user.can_write(row.hromada) if write else user.can_read(row.hromada)
        if not allowed:
            role = "a planner" if write else "a reader"
            raise HTTPException(403, f"{user.username} is not {role} of громада {row.hromada}")
        return build_report(conn, program_id, kind, year, fmt, quarter=quarter, **kw), row.hromada
    except ProgramNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (ReportError, TemplateError) as exc:
        raise HTTPException(422, str(exc)) from None


def _file(content: bytes, media_type: str, filename: str, template: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "X-Report-Template": quote(template)})


@router.get("/api/programs/{program_id}/reports/{kind}",
            summary="A monitoring report: quarterly or annual, PDF, DOCX or XLSX", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "application/octet-stream": {}}}})
def report(program_id: int, kind: Kind, conn: ReadConn, user: CurrentUser, year: Year, quarter: Quarter = None,
           format: Format = "pdf",
           executor: Annotated[str | None, Query(description="quarterly: only this executor's projects")] = None,
           as_of: Annotated[dt.date | None, Query(description="annual: indicators as of this date")] = None) -> Response:
    rep, _ = _build(conn, user, program_id, kind, year, quarter, format, executor=executor, as_of=as_of)
    return _file(rep.content, rep.media_type, rep.filename, rep.template["label"])


@router.post("/api/programs/{program_id}/reports/{kind}/publish", status_code=201,
             summary="Publish a report on the громада's public page (planner of the громада)")
def publish(program_id: int, kind: Kind, conn: WriteConn, user: CurrentUser, year: Year, quarter: Quarter = None,
            format: Format = "pdf") -> dict:
    rep, hromada = _build(conn, user, program_id, kind, year, quarter, format, write=True)
    if hromada is None:
        raise HTTPException(422, "program: it names no громада, so it has no public page")
    return publication.publish(conn, program_id, hromada, kind, year, quarter, format, rep, user.username)


@router.get("/api/hromady/{code}/reports", summary="Reports published on the громада's page (public)")
def published(code: Code, conn: ReadConn) -> dict:
    items = publication.list_published(conn, code)
    return {"hromada": code, "data": items, "count": len(items)}


@router.delete("/api/hromady/{code}/reports/{filename}", status_code=204,
               summary="Withdraw a published report (planner of the громада)")
def withdraw(code: Code, filename: FileName, conn: WriteConn, user: CurrentUser) -> Response:
    if not user.can_write(code):
        raise HTTPException(403, f"{user.username} is not a planner of громада {code}")
    if not publication.withdraw(conn, code, filename):
        raise HTTPException(404, f"no published report {filename!r} of громада {code}")
    return Response(status_code=204)


@router.get("/{code}/reports/{filename}", summary="A published report, as the planner published it (public)",
            response_class=Response)
def download(code: Code, filename: FileName, conn: ReadConn) -> Response:
    row = publication.published_file(conn, code, filename)
    if row is None:
        raise HTTPException(404, f"no published report {filename!r} of громада {code}")
    return _file(row.content, row.media_type, filename, row.template)

"""Informatization programs: passport, priorities, tasks, projects, funding, indicators, targets and
actuals; XLSX import and export in the annex layout; checks, amendments, the reporting calendar and
the features each project concerns.

Reading needs a signed-in user of the program's громада; changing needs its planner (an admin for
programs whose громада is unknown). The executor of a project may enter its quarterly reports.
"""

from __future__ import annotations

import datetime as dt
import functools
from contextvars import ContextVar
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from gisplan.accounts import User
from gisplan.program import calendar, checks, edit_lock, edits, links, reporting, store, versions
from gisplan.program.canonical import catalogue
from gisplan.program.errors import Forbidden, ProgramError, ProgramNotFound
from gisplan.program.loading import amend_from_workbook, import_workbook
from gisplan.program.schemas import (
    ActualCreate, ActualPublic, AmendmentCreate, FundingIn, IndicatorCreate, IndicatorPublic, IndicatorUpdate, LinkCreate,
    PriorityCreate, PriorityUpdate, ProgramCreate, ProgramDocument, ProgramPublic, ProgramsPublic, ProgramUpdate,
    ProjectCreate, ProjectPublic, ProjectUpdate, ReportCreate, ReportPublic, SubmissionCreate, TaskCreate,
    VersionPublic,
)
from gisplan.program.tables import program_indicator, program_project
from gisplan.program.xlsx import WorkbookError, write_workbook
from gisplan.program.docx import importing as docx_import, read_docx

from ..deps import CurrentUser, ReadConn, WriteConn

# the request's If-Match and its response, for _writable (set by an async dependency: the context
# is inherited by the route's worker thread)
_IF_MATCH: ContextVar[str | None] = ContextVar("program_if_match", default=None)
_RESPONSE: ContextVar[Response | None] = ContextVar("program_response", default=None)


async def _edit_precondition(request: Request, response: Response) -> None:
    _IF_MATCH.set(request.headers.get("if-match"))
    _RESPONSE.set(response)


router = APIRouter(prefix="/api/programs", tags=["programs"], dependencies=[Depends(_edit_precondition)])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HromadaQ = Annotated[str | None, Query(pattern=r"^UA\d{17}$", description="КАТОТТГ code of a громада")]


def mapped(fn):
    """Program errors as HTTP answers, raised inside the route so the transaction rolls back."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ProgramNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except Forbidden as exc:
            raise HTTPException(403, str(exc)) from None
        except WorkbookError as exc:
            raise HTTPException(422, {"detail": str(exc), "problems": exc.details()}) from None
        except ProgramError as exc:
            raise HTTPException(422, str(exc)) from None
    return wrapper


def _readable(conn, pid: int, user: User):
    row = store.program_row(conn, pid)
    if row.hromada is not None and not user.can_read(row.hromada):
        raise Forbidden(f"{user.username} may not read громада {row.hromada}")
    return row


def _writable(conn, pid: int, user: User):
    """The program, once ``user`` may change it; bumps its edit version (409 on a stale If-Match)
    and sends the new ETag."""
    row = store.program_row(conn, pid)
    _require_writer(user, row.hromada)
    version = edit_lock.claim(conn, pid, edit_lock.parse_if_match(_IF_MATCH.get(), pid))
    response = _RESPONSE.get()
    if response is not None:
        response.headers["ETag"] = edit_lock.etag(pid, version)
    return row


def _require_writer(user: User, hromada: str | None) -> None:
    if hromada is None and not user.is_admin:
        raise Forbidden("a program without a громада can be changed by an admin only")
    if hromada is not None and not user.can_write(hromada):
        raise Forbidden(f"{user.username} is not a planner of громада {hromada}")


def _save(conn, pid: int, doc: ProgramDocument, user: User) -> None:
    if doc.hromada is not None:
        _require_writer(user, doc.hromada)
    store.save_program(conn, pid, doc, user=user.username)


def _project_ref(conn, pid: int, project_id: int) -> str:
    return store.ref_of(conn, pid, program_project, project_id)


def _indicator_ref(conn, pid: int, indicator_id: int) -> str:
    return store.ref_of(conn, pid, program_indicator, indicator_id)


def _project_public(conn, pid: int, project_id: int) -> ProjectPublic:
    for p in store.read_program(conn, pid).priorities:
        for pr in p.projects:
            if pr.id == project_id:
                return pr
    raise ProgramNotFound(f"program {pid} has no project {project_id}")


def _indicator_public(conn, pid: int, indicator_id: int) -> IndicatorPublic:
    for ind in store.read_program(conn, pid).indicators:
        if ind.id == indicator_id:
            return ind
    raise ProgramNotFound(f"program {pid} has no indicator {indicator_id}")


# ------------------------------------------------------------------------------ programs
@router.get("", summary="Programs of the caller's громади", response_model=ProgramsPublic)
@mapped
def list_programs(conn: ReadConn, user: CurrentUser, hromada: HromadaQ = None):
    data = store.list_programs(conn, user.readable_hromady(), hromada)
    return ProgramsPublic(data=data, count=len(data))


@router.post("", status_code=201, summary="Create a program from its document", response_model=ProgramPublic)
@mapped
def create_program(conn: WriteConn, user: CurrentUser, program: Annotated[ProgramCreate, Body()]):
    _require_writer(user, program.hromada)
    pid = store.create_program(conn, program, user=user.username, source="api")
    return store.read_program(conn, pid)


@router.post("/import", status_code=201,
             summary="Import a program: a workbook (XLSX, annex layout) or the approved document (DOCX)")
@mapped
def import_program(conn: WriteConn, user: CurrentUser, file: Annotated[UploadFile, File()],
                   hromada: Annotated[str | None, Form(pattern=r"^UA\d{17}$")] = None):
    data = file.file.read()
    from gisplan.program.xlsx import read_workbook

    if docx_import.is_docx(data):  # the council's document: annex tables read, indicators matched
        read = read_docx(data, hromada, file.filename or "upload.docx")
        _require_writer(user, read.document.hromada)
        return docx_import.import_docx(conn, data, source=file.filename or "upload.docx", hromada=hromada,
                                       user=user.username, read=read).public()
    doc = read_workbook(data, hromada)  # read first: a bad workbook answers 422 before any right is needed
    _require_writer(user, doc.hromada)
    return import_workbook(conn, data, source=file.filename or "upload.xlsx", hromada=hromada,
                           user=user.username).public()


class ReviewDecision(BaseModel):
    indicator: str = Field(..., description="the indicator's code in the program (as listed for review)")
    canonical_code: str | None = Field(None, description="a code of the canonical catalogue; null: it has none")


class ReviewDecisions(BaseModel):
    decisions: list[ReviewDecision] = Field(..., min_length=1)


@router.get("/imports/{import_id}/review", summary="Indicator rows of a DOCX import awaiting the planner, "
                                                   "with the report of every row")
@mapped
def import_review(conn: ReadConn, user: CurrentUser, import_id: int):
    _readable(conn, docx_import.program_of(conn, import_id), user)
    return docx_import.review_of(conn, import_id)


@router.post("/imports/{import_id}/review", summary="Confirm the canonical code of rows listed for review")
@mapped
def decide_import_review(conn: WriteConn, user: CurrentUser, import_id: int, body: Annotated[ReviewDecisions, Body()]):
    _writable(conn, docx_import.program_of(conn, import_id), user)
    return docx_import.apply_review(conn, import_id, [d.model_dump() for d in body.decisions], user=user.username)


@router.get("/canonical-indicators", summary="The canonical indicator catalogue (101 codes, 42 recurring)")
def canonical_indicators(recurring: bool | None = None):
    items = [c.public() for c in catalogue().values() if recurring is None or c.recurring == recurring]
    return {"count": len(items), "data": items}


@router.get("/by-feature/{layer}/{feature_id}", summary="The projects a feature is linked to")
@mapped
def projects_of_feature(layer: str, feature_id: str, conn: ReadConn, user: CurrentUser):
    items = [i for i in links.feature_projects(conn, layer, feature_id)
             if i["hromada"] is None or user.can_read(i["hromada"])]
    return {"layer": layer, "feature_id": feature_id, "count": len(items), "data": items}


@router.get("/{program_id}", summary="A program with everything in it (or an earlier version)")
@mapped
def read_program(program_id: int, conn: ReadConn, user: CurrentUser, response: Response,
                 version: Annotated[int | None, Query(ge=1, description="an earlier version")] = None):
    _readable(conn, program_id, user)
    if version is not None:
        return versions.read_version(conn, program_id, version).model_dump(mode="json")
    # send it back in If-Match with a change: a program changed meanwhile answers 409
    response.headers["ETag"] = edit_lock.etag(program_id, edit_lock.current(conn, program_id))
    return store.read_program(conn, program_id).model_dump(mode="json")


@router.patch("/{program_id}", summary="Change the title, period, громада or passport", response_model=ProgramPublic)
@mapped
def update_program(program_id: int, conn: WriteConn, user: CurrentUser, patch: Annotated[ProgramUpdate, Body()]):
    _writable(conn, program_id, user)
    doc = edits.update_program(store.read_document(conn, program_id), patch)
    _save(conn, program_id, doc, user)
    return store.read_program(conn, program_id)


@router.delete("/{program_id}", status_code=204, summary="Delete a program")
@mapped
def delete_program(program_id: int, conn: WriteConn, user: CurrentUser):
    _writable(conn, program_id, user)
    store.delete_program(conn, program_id, user=user.username)


@router.get("/{program_id}/export.xlsx", summary="The program as XLSX in the layout of the official annexes")
@mapped
def export_program(program_id: int, conn: ReadConn, user: CurrentUser,
                   version: Annotated[int | None, Query(ge=1)] = None):
    _readable(conn, program_id, user)
    doc = versions.read_version(conn, program_id, version) if version else store.read_document(conn, program_id)
    suffix = f"-v{version}" if version else ""
    return Response(write_workbook(doc), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="program-{program_id}{suffix}.xlsx"'})


@router.get("/{program_id}/checks", summary="Recomputed totals and dynamics, and every mismatch with its place")
@mapped
def check_program(program_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    report = checks.check_report(store.read_document(conn, program_id)).public()
    return _jsonable(report)


def _jsonable(value: Any):
    from decimal import Decimal

    from gisplan.program.values import json_number

    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@router.get("/{program_id}/calendar", summary="Reporting due dates and what is overdue")
@mapped
def program_calendar(program_id: int, conn: ReadConn, user: CurrentUser,
                     today: Annotated[dt.date | None, Query(description="default: today")] = None):
    _readable(conn, program_id, user)
    return calendar.program_calendar(conn, program_id, today)


@router.post("/{program_id}/submissions", status_code=201, summary="Record the report submitted to the Ministry")
@mapped
def submit(program_id: int, conn: WriteConn, user: CurrentUser, sub: Annotated[SubmissionCreate, Body()]):
    _writable(conn, program_id, user)
    return reporting.record_submission(conn, program_id, sub, user=user.username)


# ------------------------------------------------------------------------------ versions
@router.get("/{program_id}/versions", summary="Versions: as approved, then one per amendment",
            response_model=list[VersionPublic])
@mapped
def list_versions(program_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return versions.list_versions(conn, program_id)


@router.get("/{program_id}/versions/{number}", summary="The program as it stood in one version")
@mapped
def read_version(program_id: int, number: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return versions.read_version(conn, program_id, number).model_dump(mode="json")


@router.post("/{program_id}/amendments", status_code=201, summary="Amend by a council decision (new version)")
@mapped
def amend_program(program_id: int, conn: WriteConn, user: CurrentUser, amendment: Annotated[AmendmentCreate, Body()]):
    _writable(conn, program_id, user)
    if amendment.program.hromada:
        _require_writer(user, amendment.program.hromada)
    number = versions.amend(conn, program_id, amendment.program, decision_number=amendment.decision_number,
                            decision_date=amendment.decision_date, note=amendment.note, user=user.username)
    return {"program_id": program_id, "version": number}


@router.post("/{program_id}/amendments/import", status_code=201, summary="Amend from a workbook (new version)")
@mapped
def amend_from_xlsx(program_id: int, conn: WriteConn, user: CurrentUser, file: Annotated[UploadFile, File()],
                    decision_number: Annotated[str, Form(min_length=1)], decision_date: Annotated[dt.date, Form()],
                    note: Annotated[str | None, Form()] = None):
    row = _writable(conn, program_id, user)
    return amend_from_workbook(conn, program_id, file.file.read(), source=file.filename or "upload.xlsx",
                               decision_number=decision_number, decision_date=decision_date, note=note,
                               hromada=row.hromada, user=user.username).public()


# ------------------------------------------------------------------------------ priorities and tasks
@router.get("/{program_id}/priorities", summary="Priority areas with their tasks and projects")
@mapped
def list_priorities(program_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return [p.model_dump(mode="json") for p in store.read_program(conn, program_id).priorities]


@router.post("/{program_id}/priorities", status_code=201, summary="Add a priority area")
@mapped
def add_priority(program_id: int, conn: WriteConn, user: CurrentUser, priority: Annotated[PriorityCreate, Body()]):
    _writable(conn, program_id, user)
    doc, code = edits.add_priority(store.read_document(conn, program_id), priority)
    _save(conn, program_id, doc, user)
    return next(p for p in store.read_program(conn, program_id).priorities if p.code == code).model_dump(mode="json")


@router.patch("/{program_id}/priorities/{priority_id}", summary="Change a priority area")
@mapped
def update_priority(program_id: int, priority_id: int, conn: WriteConn, user: CurrentUser,
                    patch: Annotated[PriorityUpdate, Body()]):
    _writable(conn, program_id, user)
    current = next((p for p in store.read_program(conn, program_id).priorities if p.id == priority_id), None)
    if current is None:
        raise HTTPException(404, f"program {program_id} has no priority area {priority_id}")
    doc = edits.update_priority(store.read_document(conn, program_id), current.code, patch)
    _save(conn, program_id, doc, user)
    return next(p for p in store.read_program(conn, program_id).priorities if p.id == priority_id).model_dump(mode="json")


@router.post("/{program_id}/tasks", status_code=201, summary="Add a task to a priority area")
@mapped
def add_task(program_id: int, conn: WriteConn, user: CurrentUser, task: Annotated[TaskCreate, Body()]):
    _writable(conn, program_id, user)
    _save(conn, program_id, edits.add_task(store.read_document(conn, program_id), task), user)
    priority = next(p for p in store.read_program(conn, program_id).priorities if p.code == task.priority)
    return priority.tasks[-1].model_dump(mode="json")


# ------------------------------------------------------------------------------ projects and funding
@router.get("/{program_id}/projects", summary="Projects with funding lines and progress")
@mapped
def list_projects(program_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return [pr.model_dump(mode="json") for p in store.read_program(conn, program_id).priorities for pr in p.projects]


@router.post("/{program_id}/projects", status_code=201, summary="Add a project", response_model=ProjectPublic)
@mapped
def add_project(program_id: int, conn: WriteConn, user: CurrentUser, project: Annotated[ProjectCreate, Body()]):
    _writable(conn, program_id, user)
    doc, ref = edits.add_project(store.read_document(conn, program_id), project)
    _save(conn, program_id, doc, user)
    return _project_public(conn, program_id, store.id_of(conn, program_id, program_project, ref))


@router.get("/{program_id}/projects/{project_id}", summary="One project", response_model=ProjectPublic)
@mapped
def read_project(program_id: int, project_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return _project_public(conn, program_id, project_id)


@router.patch("/{program_id}/projects/{project_id}", summary="Change a project", response_model=ProjectPublic)
@mapped
def update_project(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
                   patch: Annotated[ProjectUpdate, Body()]):
    _writable(conn, program_id, user)
    ref = _project_ref(conn, program_id, project_id)
    _save(conn, program_id, edits.update_project(store.read_document(conn, program_id), ref, patch), user)
    return _project_public(conn, program_id, project_id)


@router.delete("/{program_id}/projects/{project_id}", status_code=204, summary="Remove a project")
@mapped
def delete_project(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser):
    _writable(conn, program_id, user)
    ref = _project_ref(conn, program_id, project_id)
    _save(conn, program_id, edits.delete_project(store.read_document(conn, program_id), ref), user)


@router.put("/{program_id}/projects/{project_id}/funding", summary="Replace a project's funding lines",
            response_model=ProjectPublic)
@mapped
def set_funding(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
                funding: Annotated[list[FundingIn], Body()]):
    _writable(conn, program_id, user)
    ref = _project_ref(conn, program_id, project_id)
    doc = edits.update_project(store.read_document(conn, program_id), ref, ProjectUpdate(funding=funding))
    _save(conn, program_id, doc, user)
    return _project_public(conn, program_id, project_id)


class Assignees(BaseModel):
    usernames: list[str] = Field(..., description="accounts of the project's executor")


@router.get("/{program_id}/projects/{project_id}/assignees", summary="Executor accounts of a project")
@mapped
def get_assignees(program_id: int, project_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    _project_ref(conn, program_id, project_id)
    return {"usernames": reporting.assignees(conn, project_id)}


@router.put("/{program_id}/projects/{project_id}/assignees", summary="Set the executor accounts of a project")
@mapped
def put_assignees(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
                  body: Annotated[Assignees, Body()]):
    _writable(conn, program_id, user)
    _project_ref(conn, program_id, project_id)
    return {"usernames": reporting.set_assignees(conn, project_id, body.usernames)}


@router.get("/{program_id}/projects/{project_id}/reports", summary="Quarterly reports on a project",
            response_model=list[ReportPublic])
@mapped
def list_reports(program_id: int, project_id: int, conn: ReadConn, user: CurrentUser):
    row = store.program_row(conn, program_id)
    if not reporting.can_report(conn, user, row.hromada, project_id):  # the project's executor may
        _readable(conn, program_id, user)
    return reporting.list_reports(conn, program_id, project_id)


@router.post("/{program_id}/projects/{project_id}/reports", status_code=201, response_model=ReportPublic,
             summary="Enter a quarterly report (planner, or the project's executor)")
@mapped
def add_report(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
               report: Annotated[ReportCreate, Body()]):
    row = store.program_row(conn, program_id)
    _project_ref(conn, program_id, project_id)
    return reporting.record_report(conn, program_id, project_id, report, user=user, hromada=row.hromada)


# ------------------------------------------------------------------------------ spatial ties
class PlannedFeature(BaseModel):
    layer: str
    type: str = Field("Feature", pattern="^Feature$")
    geometry: dict | None = None
    properties: dict[str, Any] = {}


@router.get("/{program_id}/projects/{project_id}/features", summary="Features the project concerns (GeoJSON)")
@mapped
def project_features(program_id: int, project_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    _project_ref(conn, program_id, project_id)
    return links.project_features(conn, project_id)


@router.post("/{program_id}/projects/{project_id}/features", status_code=201,
             summary="Create a planned feature for the project, linked to it")
@mapped
def create_project_feature(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
                           feature: Annotated[PlannedFeature, Body()]):
    _writable(conn, program_id, user)
    _project_ref(conn, program_id, project_id)
    created = links.create_planned_feature(conn, program_id, project_id, layer=feature.layer,
                                           properties=feature.properties, geometry=feature.geometry,
                                           user=user.username)
    _require_writer(user, created["properties"]["hromada"])
    return created


@router.post("/{program_id}/projects/{project_id}/links", status_code=201, summary="Link an existing feature")
@mapped
def link_feature(program_id: int, project_id: int, conn: WriteConn, user: CurrentUser,
                 link: Annotated[LinkCreate, Body()]):
    _writable(conn, program_id, user)
    _project_ref(conn, program_id, project_id)
    return links.link_feature(conn, program_id, layer=link.layer, feature_id=link.feature_id, project_id=project_id,
                              note=link.note, user=user.username)


@router.delete("/{program_id}/projects/{project_id}/links/{layer}/{feature_id}", status_code=204,
               summary="Unlink a feature")
@mapped
def unlink_feature(program_id: int, project_id: int, layer: str, feature_id: str, conn: WriteConn,
                   user: CurrentUser):
    _writable(conn, program_id, user)
    links.unlink_feature(conn, program_id, layer=layer, feature_id=feature_id, project_id=project_id)


@router.post("/{program_id}/tasks/{task_id}/links", status_code=201, summary="Link an existing feature to a task")
@mapped
def link_task_feature(program_id: int, task_id: int, conn: WriteConn, user: CurrentUser,
                      link: Annotated[LinkCreate, Body()]):
    _writable(conn, program_id, user)
    tasks = {t.id for p in store.read_program(conn, program_id).priorities for t in p.tasks}
    if task_id not in tasks:
        raise ProgramNotFound(f"program {program_id} has no task {task_id}")
    return links.link_feature(conn, program_id, layer=link.layer, feature_id=link.feature_id, task_id=task_id,
                              note=link.note, user=user.username)


# ------------------------------------------------------------------------------ indicators
@router.get("/{program_id}/indicators", summary="Indicators with targets and recomputed dynamics",
            response_model=list[IndicatorPublic])
@mapped
def list_indicators(program_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return store.read_program(conn, program_id).indicators


@router.post("/{program_id}/indicators", status_code=201, response_model=IndicatorPublic, summary="Add an indicator")
@mapped
def add_indicator(program_id: int, conn: WriteConn, user: CurrentUser, indicator: Annotated[IndicatorCreate, Body()]):
    _writable(conn, program_id, user)
    doc, ref = edits.add_indicator(store.read_document(conn, program_id), indicator)
    _save(conn, program_id, doc, user)
    return _indicator_public(conn, program_id, store.id_of(conn, program_id, program_indicator, ref))


@router.get("/{program_id}/indicators/{indicator_id}", response_model=IndicatorPublic, summary="One indicator")
@mapped
def read_indicator(program_id: int, indicator_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    return _indicator_public(conn, program_id, indicator_id)


@router.patch("/{program_id}/indicators/{indicator_id}", response_model=IndicatorPublic, summary="Change an indicator")
@mapped
def update_indicator(program_id: int, indicator_id: int, conn: WriteConn, user: CurrentUser,
                     patch: Annotated[IndicatorUpdate, Body()]):
    _writable(conn, program_id, user)
    ref = _indicator_ref(conn, program_id, indicator_id)
    _save(conn, program_id, edits.update_indicator(store.read_document(conn, program_id), ref, patch), user)
    return _indicator_public(conn, program_id, indicator_id)


@router.put("/{program_id}/indicators/{indicator_id}/targets", response_model=IndicatorPublic,
            summary="Replace the targets per year")
@mapped
def set_targets(program_id: int, indicator_id: int, conn: WriteConn, user: CurrentUser,
                targets: Annotated[dict[int, Any], Body()]):
    _writable(conn, program_id, user)
    ref = _indicator_ref(conn, program_id, indicator_id)
    doc = edits.update_indicator(store.read_document(conn, program_id), ref,
                                 IndicatorUpdate.model_validate({"targets": targets}))
    _save(conn, program_id, doc, user)
    return _indicator_public(conn, program_id, indicator_id)


@router.get("/{program_id}/indicators/{indicator_id}/actuals", response_model=list[ActualPublic],
            summary="Actual values per period, with who entered them and when")
@mapped
def list_actuals(program_id: int, indicator_id: int, conn: ReadConn, user: CurrentUser):
    _readable(conn, program_id, user)
    _indicator_ref(conn, program_id, indicator_id)
    return reporting.list_actuals(conn, program_id, indicator_id)


@router.post("/{program_id}/indicators/{indicator_id}/actuals", status_code=201, response_model=ActualPublic,
             summary="Enter the actual value for a year or a quarter")
@mapped
def add_actual(program_id: int, indicator_id: int, conn: WriteConn, user: CurrentUser,
               actual: Annotated[ActualCreate, Body()]):
    _writable(conn, program_id, user)
    _indicator_ref(conn, program_id, indicator_id)
    return reporting.record_actual(conn, program_id, indicator_id, actual, user=user.username)

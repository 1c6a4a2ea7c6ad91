"""Spatial ties: the features of any layer (planned or existing) that a project or task concerns.

A project's progress counts its linked features that are built (no longer ``planned`` or
``under_construction``) against all it links; a feature can be created as ``planned`` from a
project and is linked at once.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select, text

from .. import features as feats
from ..catalog import catalog
from .errors import ProgramError
from .schemas import Progress
from .tables import program, program_feature_link, program_project, program_project_report

SQL_DIR = Path(__file__).resolve().parent / "sql"


def _layer(name: str):
    cat = catalog()
    if name not in cat:
        raise ProgramError(f"layer: unknown layer {name!r}; layers: {', '.join(cat.names())}")
    return cat.get(name)


def _uuid(value) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise ProgramError(f"feature_id: {value!r} is not a UUID") from None


def link_feature(conn: Connection, pid: int, *, layer: str, feature_id, project_id: int | None = None,
                 task_id: int | None = None, note: str | None = None, user: str | None = None) -> dict:
    """Link an existing feature to a project (or a task) of program ``pid``; idempotent."""
    spec = _layer(layer)
    fid = _uuid(feature_id)
    hromada, _ = feats.feature_hromada(conn, spec.name, fid)
    program_hromada = conn.execute(select(program.c.hromada).where(program.c.id == pid)).scalar_one()
    if program_hromada is not None and hromada != program_hromada:
        raise ProgramError(f"feature {fid} of {layer} lies in громада {hromada}, the program is of {program_hromada}")
    owner = program_feature_link.c.project_id == project_id if project_id else program_feature_link.c.task_id == task_id
    exists = conn.execute(select(program_feature_link.c.id).where(
        owner, program_feature_link.c.layer == spec.name, program_feature_link.c.feature_id == fid)).first()
    if exists is None:
        conn.execute(insert(program_feature_link).values(
            program_id=pid, project_id=project_id, task_id=task_id, layer=spec.name, feature_id=fid, note=note,
            linked_by=user))
    return {"layer": spec.name, "feature_id": str(fid), "project_id": project_id, "task_id": task_id}


def unlink_feature(conn: Connection, pid: int, *, layer: str, feature_id, project_id: int) -> None:
    done = conn.execute(delete(program_feature_link).where(
        program_feature_link.c.program_id == pid, program_feature_link.c.project_id == project_id,
        program_feature_link.c.layer == layer, program_feature_link.c.feature_id == _uuid(feature_id))).rowcount
    if not done:
        raise ProgramError(f"project {project_id} has no link to {layer}/{feature_id}")


def create_planned_feature(conn: Connection, pid: int, project_id: int, *, layer: str, properties: dict,
                           geometry, user: str | None) -> dict:
    """Create a feature with status ``planned`` (unless another is given) and link it to the project."""
    spec = _layer(layer)
    props = {"status": "planned", **properties}
    program_hromada = conn.execute(select(program.c.hromada).where(program.c.id == pid)).scalar_one()
    if program_hromada and not props.get("hromada"):
        props["hromada"] = program_hromada
    feature = feats.create_feature(conn, spec.name, props, geometry, user)
    link_feature(conn, pid, layer=spec.name, feature_id=feature["id"], project_id=project_id, user=user)
    return feature


def project_features(conn: Connection, project_id: int) -> dict:
    """The linked features as one GeoJSON FeatureCollection (``properties.layer`` names the layer)."""
    out = []
    for link in conn.execute(select(program_feature_link).where(program_feature_link.c.project_id == project_id)
                             .order_by(program_feature_link.c.layer, program_feature_link.c.linked_at)):
        try:
            feature = feats.get_feature(conn, link.layer, link.feature_id, public=False)
        except feats.NotFound:
            continue  # deleted since it was linked: its history keeps it
        feature["properties"]["layer"] = link.layer
        out.append(feature)
    return {"type": "FeatureCollection", "numberReturned": len(out), "features": out}


def feature_projects(conn: Connection, layer: str, feature_id) -> list[dict]:
    """The projects (and tasks) a feature is linked to, with their programs."""
    spec = _layer(layer)
    fid = _uuid(feature_id)
    rows = conn.execute(
        select(program_feature_link.c.program_id, program.c.title, program.c.hromada,
               program_feature_link.c.project_id, program_project.c.ref, program_project.c.name,
               program_feature_link.c.task_id)
        .join(program, program.c.id == program_feature_link.c.program_id)
        .outerjoin(program_project, program_project.c.id == program_feature_link.c.project_id)
        .where(program_feature_link.c.layer == spec.name, program_feature_link.c.feature_id == fid)
        .order_by(program_feature_link.c.program_id, program_project.c.seq)).all()
    progress = progress_of_projects(conn, [r.project_id for r in rows if r.project_id])
    return [{"program_id": r.program_id, "program": r.title, "hromada": r.hromada, "project_id": r.project_id,
             "project_ref": r.ref, "project": r.name, "task_id": r.task_id,
             "progress": progress[r.project_id].model_dump(mode="json") if r.project_id in progress else None}
            for r in rows]


def progress_of_projects(conn: Connection, project_ids: list[int]) -> dict[int, Progress]:
    """Per project: linked and built features, and the executor's latest reported progress."""
    if not project_ids:
        return {}
    counts: dict[int, list[int]] = {}
    layers = conn.execute(select(program_feature_link.c.layer).distinct()
                          .where(program_feature_link.c.project_id.in_(project_ids))).scalars().all()
    template = (SQL_DIR / "link_progress.sql").read_text(encoding="utf-8")
    for layer in layers:
        spec = catalog().get(layer)
        for r in conn.execute(text(template.replace("{table}", f'"{spec.table}"')),
                              {"layer": layer, "projects": project_ids}):
            slot = counts.setdefault(r.project_id, [0, 0])
            slot[0] += r.linked
            slot[1] += r.built
    reported: dict[int, Decimal] = {}
    for r in conn.execute(select(program_project_report.c.project_id, program_project_report.c.progress_pct)
                          .where(program_project_report.c.project_id.in_(project_ids),
                                 program_project_report.c.progress_pct.is_not(None))
                          .order_by(program_project_report.c.year, program_project_report.c.quarter)):
        reported[r.project_id] = r.progress_pct
    out = {}
    for pid in set(counts) | set(reported):
        linked, built = counts.get(pid, [0, 0])
        share = (Decimal(100) * built / linked).quantize(Decimal("0.1")) if linked else None
        out[pid] = Progress(linked=linked, built=built, share=share, reported_pct=reported.get(pid))
    return out

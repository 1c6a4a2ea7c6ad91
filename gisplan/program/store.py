"""Programs in the database: a :class:`ProgramDocument` in, the same document (or its public form
with ids) out.

Saving a document over an existing program keeps the ids of the priority areas, projects and
indicators whose code / № stays the same, so actuals, reports, assignees and feature links survive
amendments and edits. Nested edits (add a project, change targets …) go through the document, so
every rule is checked in one place.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, delete, func, insert, select, update

from ..db.models import audit_log
from .checks import recompute_dynamics
from .document import complete
from .errors import ProgramNotFound
from .schemas import (
    DeclaredTotalIn, DeclaredTotalPublic, FundingIn, FundingPublic, GoalIn, GoalPublic, IndicatorIn,
    IndicatorPublic, Passport, PriorityIn, PriorityPublic, ProgramDocument, ProgramPublic, ProgramSummary,
    ProjectIn, ProjectPublic, TaskIn, TaskPublic,
)
from .tables import (
    program, program_declared_total, program_declared_total_amount, program_funding, program_funding_amount,
    program_goal, program_indicator, program_indicator_target, program_priority, program_project, program_task,
    program_version,
)
from .values import from_columns, name_key, to_columns

UNIT_KINDS = [("%", "percent"), ("осіб", "persons"), ("так/ні", "bool"), ("коефіцієнт", "coefficient"),
              ("1000", "per_1000"), ("одиниц", "units"), ("од.", "units")]


def unit_kind(unit: str | None) -> str | None:
    if not unit:
        return None
    folded = unit.casefold()
    for needle, kind in UNIT_KINDS:
        if needle in folded:
            return kind
    return "other"


def audit(conn: Connection, user: str | None, action: str, program_id: int, detail: dict | None = None) -> None:
    conn.execute(insert(audit_log).values(user_name=user, action=action, target=f"program/{program_id}",
                                          detail=detail))


# ------------------------------------------------------------------------------------ writing
def _upsert(conn: Connection, table, existing: dict, key, values: dict) -> int:
    if key in existing:
        conn.execute(update(table).where(table.c.id == existing[key]).values(**values))
        return existing[key]
    return conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()


def _amount_rows(amounts: dict, **key) -> list[dict]:
    return [{**key, "year": y, **to_columns(a, "amount", "marker")} for y, a in amounts.items() if a is not None]


def _write(conn: Connection, pid: int, doc: ProgramDocument, user: str | None) -> None:
    doc = complete(doc)
    goals = {r.code: r.id for r in conn.execute(select(program_goal.c.code, program_goal.c.id)
                                                 .where(program_goal.c.program_id == pid))}
    goal_ids = {}
    for seq, g in enumerate(doc.goals):
        goal_ids[g.code] = _upsert(conn, program_goal, goals, g.code, dict(
            program_id=pid, seq=seq, code=g.code, name=g.name, source_ref=g.source_ref))
    prios = {r.code: r.id for r in conn.execute(select(program_priority.c.code, program_priority.c.id)
                                                 .where(program_priority.c.program_id == pid))}
    prio_ids = {}
    for seq, p in enumerate(doc.priorities):
        prio_ids[p.code] = _upsert(conn, program_priority, prios, p.code, dict(
            program_id=pid, seq=seq, code=p.code, name=p.name, goal_id=goal_ids.get(p.goal) if p.goal else None,
            source_ref=p.source_ref))
    if prios:
        conn.execute(delete(program_task).where(program_task.c.priority_id.in_(list(prios.values()))))
    task_ids = {}
    for p in doc.priorities:
        for seq, t in enumerate(p.tasks):
            task_ids[(p.code, name_key(t.name))] = conn.execute(insert(program_task).values(
                priority_id=prio_ids[p.code], seq=seq, name=t.name, source_ref=t.source_ref,
            ).returning(program_task.c.id)).scalar_one()
    projects = {r.ref: r.id for r in conn.execute(select(program_project.c.ref, program_project.c.id)
                                                   .where(program_project.c.program_id == pid))}
    if projects:
        conn.execute(delete(program_funding).where(program_funding.c.project_id.in_(list(projects.values()))))
    project_ids = {}
    seq = 0
    for p in doc.priorities:
        for pr in p.projects:
            project_ids[pr.ref] = _upsert(conn, program_project, projects, pr.ref, dict(
                program_id=pid, priority_id=prio_ids[p.code], seq=seq, ref=pr.ref, name=pr.name,
                task_id=task_ids.get((p.code, name_key(pr.task))) if pr.task else None, result=pr.result,
                executors=pr.executors, term=pr.term, source_ref=pr.source_ref, updated_at=func.now(),
                updated_by=user))
            seq += 1
            for lseq, line in enumerate(pr.funding):
                fid = conn.execute(insert(program_funding).values(
                    project_id=project_ids[pr.ref], seq=lseq, source=line.source, source_ref=line.source_ref,
                    **to_columns(line.total, "total_amount", "total_marker"),
                ).returning(program_funding.c.id)).scalar_one()
                rows = _amount_rows(line.amounts, funding_id=fid)
                if rows:
                    conn.execute(insert(program_funding_amount), rows)
    gone = [i for ref, i in projects.items() if ref not in project_ids]
    if gone:
        conn.execute(delete(program_project).where(program_project.c.id.in_(gone)))
    indicators = {r.ref: r.id for r in conn.execute(select(program_indicator.c.ref, program_indicator.c.id)
                                                     .where(program_indicator.c.program_id == pid))}
    if indicators:
        conn.execute(delete(program_indicator_target)
                     .where(program_indicator_target.c.indicator_id.in_(list(indicators.values()))))
    kept = set()
    for seq, ind in enumerate(doc.indicators):
        iid = _upsert(conn, program_indicator, indicators, ind.ref, dict(
            program_id=pid, seq=seq, ref=ind.ref, name=ind.name, unit=ind.unit,
            priority_id=prio_ids.get(ind.priority) if ind.priority else None,
            goal_id=goal_ids.get(ind.goal) if ind.goal else None,
            project_id=project_ids.get(ind.project) if ind.project else None,
            canonical_code=ind.canonical_code, value_semantics=ind.value_semantics,
            **to_columns(ind.baseline, "baseline_value", "baseline_text"), baseline_year=ind.baseline_year,
            declared_dynamics=ind.declared_dynamics, regulation_ref=ind.regulation_ref, method=ind.method,
            metric=ind.metric, source_ref=ind.source_ref, updated_at=func.now(), updated_by=user))
        kept.add(iid)
        rows = [{"indicator_id": iid, "year": y, **to_columns(v, "value", "text")}
                for y, v in ind.targets.items() if v is not None]
        if rows:
            conn.execute(insert(program_indicator_target), rows)
    gone = [i for i in indicators.values() if i not in kept]
    if gone:
        conn.execute(delete(program_indicator).where(program_indicator.c.id.in_(gone)))
    conn.execute(delete(program_declared_total).where(program_declared_total.c.program_id == pid))
    for seq, t in enumerate(doc.declared_totals):
        tid = conn.execute(insert(program_declared_total).values(
            program_id=pid, seq=seq, scope=t.scope, priority_id=prio_ids.get(t.priority) if t.priority else None,
            source=t.source, source_ref=t.source_ref, **to_columns(t.total, "total_amount", "total_marker"),
        ).returning(program_declared_total.c.id)).scalar_one()
        rows = _amount_rows(t.amounts, declared_total_id=tid)
        if rows:
            conn.execute(insert(program_declared_total_amount), rows)
    gone = [i for code, i in prios.items() if code not in prio_ids]
    if gone:
        conn.execute(delete(program_priority).where(program_priority.c.id.in_(gone)))
    gone = [i for code, i in goals.items() if code not in goal_ids]
    if gone:
        conn.execute(delete(program_goal).where(program_goal.c.id.in_(gone)))
    conn.execute(update(program).where(program.c.id == pid).values(
        title=doc.title, hromada=doc.hromada, period_start=doc.period_start, period_end=doc.period_end,
        passport_form=doc.passport_form, passport=doc.passport.model_dump(mode="json", exclude_none=True),
        updated_at=func.now(), updated_by=user))


def create_program(conn: Connection, doc: ProgramDocument, *, user: str | None, source: str | None = None,
                   decision_number: str | None = None, decision_date=None) -> int:
    """Store a new program (version 1)."""
    pid = conn.execute(insert(program).values(
        title=doc.title, period_start=doc.period_start, period_end=doc.period_end, updated_by=user,
    ).returning(program.c.id)).scalar_one()
    _write(conn, pid, doc, user)
    conn.execute(insert(program_version).values(
        program_id=pid, number=1, decision_number=decision_number, decision_date=decision_date,
        note=f"imported from {source}" if source else None, created_by=user))
    audit(conn, user, "program.create", pid, {"source": source, "title": doc.title})
    return pid


def save_program(conn: Connection, pid: int, doc: ProgramDocument, *, user: str | None,
                 action: str = "program.update") -> None:
    """Replace the content of the version in force (a correction, not an amendment)."""
    _lock(conn, pid)
    _write(conn, pid, doc, user)
    audit(conn, user, action, pid)


def delete_program(conn: Connection, pid: int, *, user: str | None) -> None:
    _lock(conn, pid)
    conn.execute(delete(program).where(program.c.id == pid))
    audit(conn, user, "program.delete", pid)


def _lock(conn: Connection, pid: int):
    row = conn.execute(select(program).where(program.c.id == pid).with_for_update()).first()
    if row is None:
        raise ProgramNotFound(f"no program {pid}")
    return row


def find_program(conn: Connection, hromada: str | None, title: str) -> int | None:
    where = program.c.hromada.is_(None) if hromada is None else program.c.hromada == hromada
    return conn.execute(select(program.c.id).where(where, program.c.title == title)
                        .order_by(program.c.id).limit(1)).scalar_one_or_none()


# ------------------------------------------------------------------------------------ reading
def program_row(conn: Connection, pid: int):
    row = conn.execute(select(program).where(program.c.id == pid)).first()
    if row is None:
        raise ProgramNotFound(f"no program {pid}")
    return row


def current_version(conn: Connection, pid: int) -> int:
    return conn.execute(select(func.max(program_version.c.number))
                        .where(program_version.c.program_id == pid)).scalar_one() or 1


def _amounts(conn: Connection, table, key_col, ids: Iterable[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    ids = list(ids)
    if not ids:
        return out
    for r in conn.execute(select(table).where(key_col.in_(ids)).order_by(table.c.year)):
        out.setdefault(getattr(r, key_col.name), {})[r.year] = from_columns(r.amount, r.marker)
    return out


def _read(conn: Connection, pid: int) -> tuple[ProgramDocument, dict]:
    """The document, and the database ids of its parts."""
    row = program_row(conn, pid)
    ids: dict = {"goals": {}, "priorities": {}, "tasks": {}, "projects": {}, "funding": {}, "indicators": {},
                 "totals": []}
    goals = conn.execute(select(program_goal).where(program_goal.c.program_id == pid)
                         .order_by(program_goal.c.seq)).all()
    goal_code = {g.id: g.code for g in goals}
    ids["goals"] = {g.code: g.id for g in goals}
    prios = conn.execute(select(program_priority).where(program_priority.c.program_id == pid)
                         .order_by(program_priority.c.seq)).all()
    prio_code = {p.id: p.code for p in prios}
    ids["priorities"] = {p.code: p.id for p in prios}
    tasks = conn.execute(select(program_task).where(program_task.c.priority_id.in_(list(prio_code) or [-1]))
                         .order_by(program_task.c.priority_id, program_task.c.seq)).all()
    task_name = {t.id: t.name for t in tasks}
    projects = conn.execute(select(program_project).where(program_project.c.program_id == pid)
                            .order_by(program_project.c.seq)).all()
    project_ref = {p.id: p.ref for p in projects}
    lines = conn.execute(select(program_funding).where(program_funding.c.project_id.in_(list(project_ref) or [-1]))
                         .order_by(program_funding.c.project_id, program_funding.c.seq)).all()
    line_amounts = _amounts(conn, program_funding_amount, program_funding_amount.c.funding_id, [f.id for f in lines])
    funding: dict[int, list[FundingIn]] = {}
    for f in lines:
        funding.setdefault(f.project_id, []).append(FundingIn(
            source=f.source, amounts=line_amounts.get(f.id, {}), total=from_columns(f.total_amount, f.total_marker),
            source_ref=f.source_ref))
        ids["funding"][(project_ref[f.project_id], len(funding[f.project_id]) - 1)] = f.id
    priorities = []
    for p in prios:
        priorities.append(PriorityIn(
            code=p.code, name=p.name, goal=goal_code.get(p.goal_id), source_ref=p.source_ref,
            tasks=[TaskIn(name=t.name, source_ref=t.source_ref) for t in tasks if t.priority_id == p.id],
            projects=[ProjectIn(ref=pr.ref, name=pr.name, task=task_name.get(pr.task_id), result=pr.result,
                                executors=pr.executors, term=pr.term, source_ref=pr.source_ref,
                                funding=funding.get(pr.id, []))
                      for pr in projects if pr.priority_id == p.id]))
        for t in tasks:
            if t.priority_id == p.id:
                ids["tasks"][(p.code, t.name)] = t.id
    ids["projects"] = {p.ref: p.id for p in projects}
    inds = conn.execute(select(program_indicator).where(program_indicator.c.program_id == pid)
                        .order_by(program_indicator.c.seq)).all()
    targets: dict[int, dict] = {}
    for t in conn.execute(select(program_indicator_target).where(
            program_indicator_target.c.indicator_id.in_([i.id for i in inds] or [-1]))
            .order_by(program_indicator_target.c.year)):
        targets.setdefault(t.indicator_id, {})[t.year] = from_columns(t.value, t.text)
    indicators = [IndicatorIn(
        ref=i.ref, priority=prio_code.get(i.priority_id), goal=goal_code.get(i.goal_id),
        project=project_ref.get(i.project_id), name=i.name, unit=i.unit, canonical_code=i.canonical_code,
        value_semantics=i.value_semantics, baseline=from_columns(i.baseline_value, i.baseline_text),
        baseline_year=i.baseline_year, targets=targets.get(i.id, {}), declared_dynamics=i.declared_dynamics,
        regulation_ref=i.regulation_ref, method=i.method, metric=i.metric, source_ref=i.source_ref) for i in inds]
    ids["indicators"] = {i.ref: i.id for i in inds}
    totals_rows = conn.execute(select(program_declared_total).where(program_declared_total.c.program_id == pid)
                               .order_by(program_declared_total.c.seq)).all()
    total_amounts = _amounts(conn, program_declared_total_amount, program_declared_total_amount.c.declared_total_id,
                             [t.id for t in totals_rows])
    totals = [DeclaredTotalIn(scope=t.scope, priority=prio_code.get(t.priority_id), source=t.source,
                              amounts=total_amounts.get(t.id, {}), total=from_columns(t.total_amount, t.total_marker),
                              source_ref=t.source_ref) for t in totals_rows]
    ids["totals"] = [t.id for t in totals_rows]
    doc = ProgramDocument(
        title=row.title, hromada=row.hromada, period_start=row.period_start, period_end=row.period_end,
        passport_form=row.passport_form, passport=Passport(**(row.passport or {})),
        goals=[GoalIn(code=g.code, name=g.name, source_ref=g.source_ref) for g in goals],
        priorities=priorities, indicators=indicators, declared_totals=totals)
    ids["row"] = row
    return doc, ids


def read_document(conn: Connection, pid: int) -> ProgramDocument:
    return _read(conn, pid)[0]


def read_program(conn: Connection, pid: int) -> ProgramPublic:
    from .links import progress_of_projects

    doc, ids = _read(conn, pid)
    progress = progress_of_projects(conn, list(ids["projects"].values()))
    priorities = []
    for p in doc.priorities:
        projects = [ProjectPublic(**pr.model_dump(exclude={"funding"}), id=ids["projects"][pr.ref], priority=p.code,
                                  funding=[FundingPublic(**f.model_dump(), id=ids["funding"][(pr.ref, i)])
                                           for i, f in enumerate(pr.funding)],
                                  progress=progress.get(ids["projects"][pr.ref]))
                    for pr in p.projects]
        priorities.append(PriorityPublic(**p.model_dump(exclude={"tasks", "projects"}), id=ids["priorities"][p.code],
                                         tasks=[TaskPublic(**t.model_dump(), id=ids["tasks"][(p.code, t.name)])
                                                for t in p.tasks], projects=projects))
    indicators = [IndicatorPublic(**i.model_dump(), id=ids["indicators"][i.ref], unit_kind=unit_kind(i.unit),
                                  recomputed_dynamics=recompute_dynamics(i, doc.years)) for i in doc.indicators]
    row = ids["row"]
    return ProgramPublic(
        **doc.model_dump(exclude={"goals", "priorities", "indicators", "declared_totals"}),
        id=pid, version=current_version(conn, pid), updated_at=row.updated_at,
        goals=[GoalPublic(**g.model_dump(), id=ids["goals"][g.code]) for g in doc.goals],
        priorities=priorities, indicators=indicators,
        declared_totals=[DeclaredTotalPublic(**t.model_dump(), id=i) for t, i in zip(doc.declared_totals, ids["totals"])])


def list_programs(conn: Connection, hromady: Iterable[str] | None, hromada: str | None = None) -> list[ProgramSummary]:
    """Programs of the given громади (None = all; programs without a громада are listed to all)."""
    n_projects = (select(func.count()).where(program_project.c.program_id == program.c.id)
                  .correlate(program).scalar_subquery())
    n_indicators = (select(func.count()).where(program_indicator.c.program_id == program.c.id)
                    .correlate(program).scalar_subquery())
    version = (select(func.coalesce(func.max(program_version.c.number), 1))
               .where(program_version.c.program_id == program.c.id).correlate(program).scalar_subquery())
    q = select(program, n_projects.label("n_projects"), n_indicators.label("n_indicators"),
               version.label("version")).order_by(program.c.hromada, program.c.period_start, program.c.id)
    if hromada:
        q = q.where(program.c.hromada == hromada)
    if hromady is not None:
        q = q.where(program.c.hromada.in_(list(hromady)) | program.c.hromada.is_(None))
    return [ProgramSummary(id=r.id, hromada=r.hromada, title=r.title, period_start=r.period_start,
                           period_end=r.period_end, passport_form=r.passport_form, version=r.version,
                           projects=r.n_projects, indicators=r.n_indicators, updated_at=r.updated_at)
            for r in conn.execute(q)]


def ref_of(conn: Connection, pid: int, table, item_id: int) -> str:
    ref = conn.execute(select(table.c.ref).where(table.c.id == item_id, table.c.program_id == pid)).scalar_one_or_none()
    if ref is None:
        raise ProgramNotFound(f"program {pid} has no {table.name.removeprefix('program_')} {item_id}")
    return ref


def id_of(conn: Connection, pid: int, table, ref: str) -> int:
    return conn.execute(select(table.c.id).where(table.c.ref == ref, table.c.program_id == pid)).scalar_one()

"""Edits of one part of a program, applied to its document (then stored as a whole, so that the
same rules hold for an edit as for an import)."""

from __future__ import annotations

from .errors import ProgramError, ProgramNotFound
from .schemas import (
    FundingIn, IndicatorCreate, IndicatorUpdate, PriorityCreate, PriorityIn, PriorityUpdate, ProgramDocument,
    ProgramUpdate, ProjectCreate, ProjectIn, ProjectUpdate, TaskCreate, TaskIn,
)
from .values import name_key


def _copy(doc: ProgramDocument) -> ProgramDocument:
    return doc.model_copy(deep=True)


def _priority(doc: ProgramDocument, code: str) -> PriorityIn:
    for p in doc.priorities:
        if p.code == code:
            return p
    raise ProgramError(f"priority: no priority area {code!r}")


def _project(doc: ProgramDocument, ref: str) -> tuple[PriorityIn, ProjectIn]:
    for p, pr in doc.projects():
        if pr.ref == ref:
            return p, pr
    raise ProgramNotFound(f"no project № {ref}")


def update_program(doc: ProgramDocument, upd: ProgramUpdate) -> ProgramDocument:
    data = doc.model_dump() | upd.model_dump(exclude_unset=True)
    return ProgramDocument.model_validate(data)


def add_priority(doc: ProgramDocument, new: PriorityCreate) -> tuple[ProgramDocument, str]:
    doc = _copy(doc)
    if new.code and any(p.code == new.code for p in doc.priorities):
        raise ProgramError(f"code: priority area {new.code} exists already")
    doc.priorities.append(PriorityIn(code=new.code, name=new.name, goal=new.goal))
    from .document import complete

    doc = complete(doc)
    return doc, doc.priorities[-1].code


def update_priority(doc: ProgramDocument, code: str, upd: PriorityUpdate) -> ProgramDocument:
    doc = _copy(doc)
    p = _priority(doc, code)
    for key, value in upd.model_dump(exclude_unset=True).items():
        setattr(p, key, value)
    if p.code != code:
        for ind in doc.indicators:
            if ind.priority == code:
                ind.priority = p.code
        for t in doc.declared_totals:
            if t.priority == code:
                t.priority = p.code
    return doc


def add_task(doc: ProgramDocument, new: TaskCreate) -> ProgramDocument:
    doc = _copy(doc)
    p = _priority(doc, new.priority)
    if any(name_key(t.name) == name_key(new.name) for t in p.tasks):
        raise ProgramError(f"name: priority area {p.code} has this task already")
    p.tasks.append(TaskIn(name=new.name))
    return doc


def add_project(doc: ProgramDocument, new: ProjectCreate) -> tuple[ProgramDocument, str]:
    from .document import complete

    doc = _copy(doc)
    p = _priority(doc, new.priority)
    if new.ref and any(pr.ref == new.ref for _, pr in doc.projects()):
        raise ProgramError(f"ref: project № {new.ref} exists already")
    project = ProjectIn(**new.model_dump(exclude={"priority"}))
    p.projects.append(project)
    doc = complete(doc)
    return doc, doc.priorities[[x.code for x in doc.priorities].index(new.priority)].projects[-1].ref


def update_project(doc: ProgramDocument, ref: str, upd: ProjectUpdate) -> ProgramDocument:
    doc = _copy(doc)
    p, pr = _project(doc, ref)
    data = upd.model_dump(exclude_unset=True)
    target = data.pop("priority", None)
    if "funding" in data:
        pr.funding = [FundingIn(**f) for f in data.pop("funding")]
    for key, value in data.items():
        setattr(pr, key, value)
    if target and target != p.code:
        new = _priority(doc, target)
        p.projects.remove(pr)
        new.projects.append(pr)
    return ProgramDocument.model_validate(doc.model_dump())


def delete_project(doc: ProgramDocument, ref: str) -> ProgramDocument:
    doc = _copy(doc)
    p, pr = _project(doc, ref)
    p.projects.remove(pr)
    for ind in doc.indicators:
        if ind.project == ref:
            ind.project = None
    return doc


def add_indicator(doc: ProgramDocument, new: IndicatorCreate) -> tuple[ProgramDocument, str]:
    from .document import complete

    doc = _copy(doc)
    if new.ref and any(i.ref == new.ref for i in doc.indicators):
        raise ProgramError(f"ref: indicator {new.ref} exists already")
    doc.indicators.append(new.model_copy())
    doc = complete(ProgramDocument.model_validate(doc.model_dump()))
    return doc, doc.indicators[-1].ref


def update_indicator(doc: ProgramDocument, ref: str, upd: IndicatorUpdate) -> ProgramDocument:
    doc = _copy(doc)
    for ind in doc.indicators:
        if ind.ref == ref:
            for key, value in upd.model_dump(exclude_unset=True).items():
                setattr(ind, key, value)
            return ProgramDocument.model_validate(doc.model_dump())
    raise ProgramNotFound(f"no indicator {ref}")

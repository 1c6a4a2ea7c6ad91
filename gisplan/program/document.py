"""Completing a program document: codes, refs and tasks it may leave out; references checked."""

from __future__ import annotations

from .canonical import is_canonical
from .errors import ProgramError
from .schemas import ProgramDocument, TaskIn
from .values import name_key


def complete(doc: ProgramDocument) -> ProgramDocument:
    """Fill what a document may leave out: codes of priorities, refs of projects and indicators,
    tasks named by projects; and check that references resolve and refs are unique."""
    used = {p.code for p in doc.priorities if p.code}
    n = 0
    for p in doc.priorities:
        if not p.code:
            n += 1
            while str(n) in used:
                n += 1
            p.code = str(n)
            used.add(p.code)
    codes = [p.code for p in doc.priorities]
    if len(codes) != len(set(codes)):
        raise ProgramError(f"priority codes repeat: {codes}")
    goal_codes = {g.code for g in doc.goals}
    refs = {pr.ref for _, pr in doc.projects() if pr.ref}
    n = 0
    seen: set[str] = set()
    for p in doc.priorities:
        if p.goal and p.goal not in goal_codes:
            raise ProgramError(f"priority {p.code}: no strategic goal {p.goal}")
        names = {name_key(t.name) for t in p.tasks}
        for pr in p.projects:
            if not pr.ref:
                n += 1
                while str(n) in refs:
                    n += 1
                pr.ref = str(n)
                refs.add(pr.ref)
            if pr.ref in seen:
                raise ProgramError(f"project № {pr.ref} appears twice")
            seen.add(pr.ref)
            if pr.task and name_key(pr.task) not in names:
                p.tasks.append(TaskIn(name=pr.task))
                names.add(name_key(pr.task))
    irefs = {i.ref for i in doc.indicators if i.ref}
    n = 0
    iseen: set[str] = set()
    for ind in doc.indicators:
        if not ind.ref:
            n += 1
            while str(n) in irefs:
                n += 1
            ind.ref = str(n)
            irefs.add(ind.ref)
        problems = []
        if ind.ref in iseen:
            problems.append(f"indicator code {ind.ref} appears twice")
        if ind.priority and ind.priority not in codes:
            problems.append(f"indicator {ind.ref}: no priority area {ind.priority}")
        if ind.goal and ind.goal not in goal_codes:
            problems.append(f"indicator {ind.ref}: no strategic goal {ind.goal}")
        if ind.project and ind.project not in seen:
            problems.append(f"indicator {ind.ref}: no project № {ind.project}")
        if ind.canonical_code and not is_canonical(ind.canonical_code):
            problems.append(f"indicator {ind.ref}: {ind.canonical_code!r} is not a canonical code")
        if problems:
            raise ProgramError("; ".join(problems))
        iseen.add(ind.ref)
    for t in doc.declared_totals:
        if t.priority and t.priority not in codes:
            raise ProgramError(f"a total for unknown priority {t.priority}")
    return doc

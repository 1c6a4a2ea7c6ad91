"""No lost updates on a program: one edit counter per program (``program.edit_version``).

Every change to a program or any of its parts (passport, priorities, tasks, projects, funding,
indicators, targets, actual values, links, amendments) goes through :func:`claim`, which bumps the
counter under the program row's lock in the same transaction as the change. A caller that sends
the version it read (HTTP ``If-Match: "program-{id}-{version}"``, the ``ETag`` of
``GET /api/programs/{id}``) and finds the program changed since gets :class:`ProgramChanged`
(HTTP 409 with ``current_version``), and its change is rolled back. The lock is per program, not
per part: two planners editing different parts of one program at the same moment also meet a 409,
which costs a reload, never an edit.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, select, text

from ..features import VersionConflict
from .errors import ProgramError, ProgramNotFound
from .tables import program

_ETAG = re.compile(r'^(?:W/)?"program-(\d+)-(\d+)"$')


class ProgramChanged(VersionConflict):
    def __init__(self, pid: int, current: int):
        super().__init__(current)
        self.args = (f"version: program {pid} has changed since it was read (now version {current}); "
                     "read it again and repeat the change",)


def etag(pid: int, version: int) -> str:
    return f'"program-{pid}-{version}"'


def parse_if_match(value: str | None, pid: int) -> int | None:
    """The version an ``If-Match`` header names for program ``pid``: None when it names none (or
    ``*``), -1 for another program's tag (never current); a malformed header is a ProgramError."""
    if value is None or value.strip() in ("", "*"):
        return None
    m = _ETAG.match(value.strip())
    if m is None:
        raise ProgramError(f'If-Match: expected "program-{pid}-<version>" (the ETag of GET /api/programs/{pid}), '
                           f"got {value.strip()[:80]!r}")
    return int(m.group(2)) if int(m.group(1)) == pid else -1


def current(conn: Connection, pid: int) -> int:
    v = conn.execute(select(program.c.edit_version).where(program.c.id == pid)).scalar()
    if v is None:
        raise ProgramNotFound(f"no program {pid}")
    return v


def claim(conn: Connection, pid: int, expected: int | None) -> int:
    """Bump the program's edit counter (row lock held to the end of the transaction); refuse with
    :class:`ProgramChanged` when ``expected`` is given and is not the version before the bump.
    Returns the new version."""
    was = conn.execute(text("UPDATE program SET edit_version = edit_version + 1 WHERE id = :id "
                            "RETURNING edit_version - 1"), {"id": pid}).scalar()
    if was is None:
        raise ProgramNotFound(f"no program {pid}")
    if expected is not None and expected != was:
        raise ProgramChanged(pid, was)
    return was + 1

"""Database backup and restore with PostgreSQL's own tools: ``pg_dump`` in the custom format and
``pg_restore``, from and into the private cluster or ``GISPLAN_DATABASE_URL``.

The tools come from the same PostgreSQL installation as the private cluster (``GISPLAN_PG_BINDIR``
or the newest ``/usr/lib/postgresql/*/bin``). The password travels in ``PGPASSWORD``, never on
the command line. A restore replaces what the target database holds (``--clean --if-exists``) in
one transaction: it either loads the whole file or changes nothing.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import GisplanError

CUSTOM_FORMAT_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    database: str


def _tool(name: str) -> str:
    from .db.cluster import find_bindir
    from .settings import database_settings

    return str(find_bindir(database_settings().pg_bindir) / name)


def _libpq_env(url: str) -> tuple[dict[str, str], str]:
    """Environment for libpq (host, port, user, password, database) and the database name."""
    u = make_url(url)
    if not u.drivername.startswith("postgresql"):
        raise GisplanError(f"database URL: not PostgreSQL ({u.drivername})")
    env = dict(os.environ)
    for key, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username),
                       ("PGPASSWORD", u.password), ("PGDATABASE", u.database)):
        if value is not None:
            env[key] = str(value)
    return env, u.database or ""


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise GisplanError(f"{what} failed: {lines[-1] if lines else f'exit code {proc.returncode}'}")


def backup(url: str, out: Path) -> BackupResult:
    """Dump the database at ``url`` into ``out`` (custom format, without owners and grants)."""
    out = Path(out)
    if out.is_dir():
        raise GisplanError(f"--out: {out} is a directory; give a file name such as gisplan.dump")
    if not out.parent.exists():
        raise GisplanError(f"--out: no directory {out.parent}")
    env, name = _libpq_env(url)
    partial = out.with_name(out.name + ".partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
             env, "pg_dump")
        partial.replace(out)  # a failed dump never leaves a file that looks like a backup
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, name)


def restore(url: str, path: Path) -> str:
    """Replace the contents of the database at ``url`` with the backup ``path``; returns its name."""
    path = Path(path)
    if not path.is_file():
        raise GisplanError(f"FILE: no backup file {path}")
    with path.open("rb") as f:
        if f.read(len(CUSTOM_FORMAT_MAGIC)) != CUSTOM_FORMAT_MAGIC:
            raise GisplanError(f"FILE: {path} is not a pg_dump custom-format backup (made by `gisplan db backup`)")
    env, name = _libpq_env(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={name}", str(path)], env, "pg_restore")
    return name

"""The SQL of metrics: files under ``sql/``, with shared fragments spliced in.

A metric's SQL may write ``{{in_service s}}`` (the time model's "in service on :as_of" for the row
alias ``s``), ``{{exists_on s}}`` (installed and not removed, whatever the status), ``{{boundary}}``
(the громада's boundary) and ``{{population_share}}`` (the rows of a "% of residents covered"
metric). Each is a file in ``sql/fragments/``; its comment lines are dropped when spliced in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"
FRAGMENTS_DIR = SQL_DIR / "fragments"
TEMPLATES_DIR = SQL_DIR / "templates"

_MACRO = re.compile(r"\{\{\s*(\w+)(?:\s+(\w+))?\s*\}\}")


def strip_comments(sql: str) -> str:
    """Drop whole-line ``--`` comments (fragments are spliced into the middle of expressions)."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip()


@lru_cache
def fragment(name: str) -> str:
    path = FRAGMENTS_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"unknown SQL fragment {{{{{name}}}}}: no {path.relative_to(SQL_DIR.parent)}")
    return strip_comments(path.read_text(encoding="utf-8"))


@lru_cache
def template(name: str) -> str:
    return strip_comments((TEMPLATES_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def expand(sql: str) -> str:
    """Splice the fragments into ``sql``."""
    def put(m: re.Match) -> str:
        body = fragment(m[1])
        return body.replace("{t}", m[2]) if m[2] else body

    return _MACRO.sub(put, sql)


def fragments_text() -> str:
    """All fragments, for definition hashes: a changed fragment changes every metric's definition."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(FRAGMENTS_DIR.glob("*.sql")))


def fill(sql: str, **values: str) -> str:
    """Put ``values`` into the ``{name}`` placeholders of a template (other braces are left alone)."""
    for name, value in values.items():
        sql = sql.replace("{" + name + "}", value)
    return sql


def quote_ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'

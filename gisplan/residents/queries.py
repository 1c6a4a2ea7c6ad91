"""Reading the ``.sql`` files of this package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import TextClause, text

SQL_DIR = Path(__file__).with_name("sql")


@lru_cache
def sql(name: str) -> TextClause:
    return text((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))

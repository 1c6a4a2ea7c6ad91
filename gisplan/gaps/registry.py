"""The gap registry: ``sql/*.sql``, each opening with its declaration in ``--`` comments."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

from gisplan import yaml_text
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, GisplanError
from ..indicators.sql_metrics import split_header

SQL_DIR = Path(__file__).resolve().parent / "sql"


class Text2(BaseModel):
    uk: str
    en: str


class GapSpec(BaseModel):
    gap: str
    name: Text2
    inputs: list[str]
    counts: Literal["settlements", "residents"]
    parameters: dict = {}
    method: Text2
    sql: str = ""

    def public(self) -> dict:
        return {"gap": self.gap, "name": self.name.model_dump(), "inputs": self.inputs,
                "counts": self.counts, "parameters": self.parameters, "method": self.method.model_dump()}


class UnknownGap(GisplanError):
    pass


def load(path: Path) -> GapSpec:
    header, sql = split_header(path.read_text(encoding="utf-8"))
    try:
        spec = GapSpec(**(yaml_text.safe_load(header) or {}), sql=sql)
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise ConfigError(f"gaps/sql/{path.name}: the declaration is not valid: {exc}") from None
    if spec.gap != path.stem:
        raise ConfigError(f"gaps/sql/{path.name}: gap {spec.gap} must match the file name")
    return spec


@lru_cache
def gaps() -> dict[str, GapSpec]:
    return {p.stem: load(p) for p in sorted(SQL_DIR.glob("*.sql"))}


def gap(name: str) -> GapSpec:
    try:
        return gaps()[name]
    except KeyError:
        raise UnknownGap(f"gap: {name!r} is not one of {', '.join(gaps())}") from None

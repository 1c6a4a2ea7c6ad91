"""Pydantic schemas built from the layer catalogue: Create / Update / Public variants per layer.

As in the FastAPI full-stack template: ``<Layer>Create`` (what a planner sends to add a feature),
``<Layer>Update`` (every field optional, plus the ``version`` that was read) and ``<Layer>Public``
(what anonymous users may see). The API uses them for validation and for its OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from .catalog import KATOTTG_RE, FieldSpec, LayerSpec, catalog

_PY = {
    "text": str, "url": str, "integer": int, "number": float, "boolean": bool, "date": dt.date,
    "datetime": dt.datetime, "json": Any, "text_list": list[str], "integer_list": list[int],
}


def python_type(field: FieldSpec):
    if field.type == "enum":
        return Literal[tuple(field.values)]  # type: ignore[misc,arg-type]
    return _PY[field.type]


def _constraints(field: FieldSpec) -> dict:
    kw: dict = {"description": f"{field.label.uk} / {field.label.en}" + (f", {field.unit}" if field.unit else "")}
    if field.min is not None:
        kw["ge"] = field.min
    if field.max is not None:
        kw["le"] = field.max
    if field.max_length is not None:
        kw["max_length"] = field.max_length
    if field.pattern is not None:
        kw["pattern"] = field.pattern
    return kw


def _katottg(v: str | None) -> str | None:
    if v is not None and not KATOTTG_RE.match(v):
        raise ValueError(f"{v!r} is not a КАТОТТГ code (UA and 17 digits)")
    return v


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommonCreate(_Base):
    code: Optional[str] = Field(None, description="Human code (e.g. accounting number)")
    katottg: Optional[str] = Field(None, description="КАТОТТГ code of the settlement")
    hromada: Optional[str] = Field(None, description="КАТОТТГ code of the громада; found from the geometry when omitted")
    status: Optional[str] = Field(None, description="Lifecycle status (layer's status values)")
    installed_at: Optional[dt.date] = None
    removed_at: Optional[dt.date] = None
    source: Optional[str] = None
    public: Optional[bool] = Field(None, description="May this row be published (default yes)")

    @field_validator("katottg", "hromada")
    @classmethod
    def _codes(cls, v: str | None) -> str | None:
        return _katottg(v)


@lru_cache
def create_schema(layer_name: str) -> type[BaseModel]:
    layer = catalog().get(layer_name)
    fields = {}
    for name, f in layer.fields.items():
        typ = python_type(f)
        if f.required:
            fields[name] = (typ, Field(..., **_constraints(f)))
        else:
            fields[name] = (Optional[typ], Field(None, **_constraints(f)))
    return create_model(f"{_camel(layer.name)}Create", __base__=CommonCreate, **fields)


@lru_cache
def update_schema(layer_name: str) -> type[BaseModel]:
    layer = catalog().get(layer_name)
    fields: dict = {
        name: (Optional[python_type(f)], Field(None, **_constraints(f))) for name, f in layer.fields.items()
    }
    return create_model(f"{_camel(layer.name)}Update", __base__=CommonCreate, **fields)


@lru_cache
def public_schema(layer_name: str) -> type[BaseModel]:
    layer = catalog().get(layer_name)
    fields: dict = {
        "id": (UUID, ...), "code": (Optional[str], None), "katottg": (Optional[str], None),
        "hromada": (str, ...), "status": (str, ...), "installed_at": (Optional[dt.date], None),
        "removed_at": (Optional[dt.date], None), "version": (int, ...),
        "updated_at": (dt.datetime, ...), "source": (Optional[str], None),
    }
    for name in layer.public_fields():
        f = layer.fields[name]
        fields[name] = (Optional[python_type(f)], Field(None, **_constraints(f)))
    return create_model(f"{_camel(layer.name)}Public", **fields)


def validate_status(layer: LayerSpec, status: str | None) -> None:
    if status is not None and status not in layer.statuses:
        raise ValueError(f"status: {status!r} is not one of {', '.join(layer.statuses)}")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))

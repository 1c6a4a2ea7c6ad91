"""Jinja filters shared by the report templates: numbers with space thousands and a decimal comma
(«14 469», «80,95»), percentages, and empty values as «—»."""

from __future__ import annotations

import base64
from decimal import Decimal

import jinja2

from ..program.values import fmt

EMPTY = "—"


def num(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Так" if value else "Ні"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", " ").replace(".", ",")
    return str(value)


def pct(value) -> str:
    return EMPTY if value is None else f"{num(round(float(value), 1))} %"


def at(values, index: int):
    """``values[index]``, or None past the end (a template with fixed year columns)."""
    return values[index] if values is not None and -len(values) <= index < len(values) else None


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def environment(**kwargs) -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, **kwargs)
    env.filters.update(num=num, pct=pct, data_uri=data_uri, at=at)
    return env

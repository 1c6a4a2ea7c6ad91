"""Labels of enumerated field values, from the layer catalogue, in the page's language."""

from __future__ import annotations

from ..catalog import catalog


def enum_label(layer: str, field: str, code: str | None, lang: str) -> str | None:
    if code is None:
        return None
    value = (catalog().get(layer).fields[field].values or {}).get(code)
    return getattr(value, lang) if value is not None else code


def field_label(layer: str, field: str, lang: str) -> str:
    return getattr(catalog().get(layer).fields[field].label, lang)

"""Public tourist objects and routes of a громада, one object by id, and QR short codes."""

from __future__ import annotations

from itertools import groupby
from uuid import UUID

from sqlalchemy import Connection

from .labels import enum_label
from .queries import sql


def _label(row: dict, lang: str) -> dict:
    row["category_label"] = enum_label("tourist_objects", "category", row["category"], lang)
    row["heritage_label"] = enum_label("tourist_objects", "heritage_status", row["heritage_status"], lang)
    row["precision_label"] = enum_label("tourist_objects", "location_precision",
                                        row["location_precision"], lang)
    return row


def tourist_objects(conn: Connection, hromada: str, lang: str) -> list[dict]:
    rows = conn.execute(sql("tourist_objects"), {"hromada": hromada}).mappings()
    return [_label(dict(r), lang) for r in rows]


def by_category(objects: list[dict]) -> list[tuple[str, list[dict]]]:
    """(category label, objects) in the catalogue's order of categories."""
    ordered = sorted(objects, key=lambda o: (o["category_label"] or "", o["name"] or ""))
    return [(label, list(group)) for label, group in groupby(ordered, key=lambda o: o["category_label"])]


def tourist_routes(conn: Connection, hromada: str, lang: str) -> list[dict]:
    rows = [dict(r) for r in conn.execute(sql("tourist_routes"), {"hromada": hromada}).mappings()]
    for r in rows:
        r["kind_label"] = enum_label("tourist_routes", "kind", r["kind"], lang)
    return rows


def tourist_object(conn: Connection, lang: str, *, object_id: str | None = None,
                   qr_code: str | None = None, hromada: str | None = None) -> dict | None:
    """One public object by id (within ``hromada``) or by its QR plate's short code."""
    if object_id is not None:
        try:
            object_id = str(UUID(object_id))
        except ValueError:
            return None
    row = conn.execute(sql("tourist_object"),
                       {"id": object_id, "qr": qr_code, "hromada": hromada}).mappings().first()
    return _label(dict(row), lang) if row else None

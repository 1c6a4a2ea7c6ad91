"""Громади with public maps: the home page list and each громада's start page."""

from __future__ import annotations

from sqlalchemy import Connection, text

from .queries import sql


def public_hromady(conn: Connection) -> list[dict]:
    return [dict(r) for r in conn.execute(sql("public_hromady")).mappings()]


def public_hromada(conn: Connection, code: str) -> dict | None:
    """The громада's name and its published layers; None when it publishes nothing."""
    for h in public_hromady(conn):
        if h["code"] == code:
            return h
    return None


def hromada_name(conn: Connection, code: str) -> str | None:
    return conn.execute(text("SELECT name FROM territory WHERE code = :c AND level = 3"),
                        {"c": code}).scalar_one_or_none()


def hromada_centre(conn: Connection, code: str) -> tuple[float, float] | None:
    """(lat, lon) of a point inside the громада's public boundary."""
    row = conn.execute(sql("hromada_centre"), {"code": code}).first()
    return (row[0], row[1]) if row else None

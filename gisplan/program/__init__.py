"""Informatization programs (SEEDS-ANALYSIS §3–4): model, XLSX import and export in the layout of
the official annexes, checks, amendments, the reporting calendar and spatial ties to layers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Connection

    from .loading import ProgramLoadReport


def load_demo_programs(conn: "Connection") -> "list[ProgramLoadReport]":
    """Load the demo programs (Балаклійська, Хмільницька, Кременчуцька) from the shipped XLSX;
    idempotent. Each report has ``summary()``, ``rejections`` and ``import_log_id``."""
    from .loading import load_demo_programs as load

    return load(conn)

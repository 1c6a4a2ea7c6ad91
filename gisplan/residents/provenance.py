"""How old and where from: the dates and sources residents see next to public data.

A row's verification date is its ``last_verified`` field when the layer has one and it is filled,
else the snapshot date written in its ``source`` (the demo shelters say «KMZ of 2022-02-25»).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def date_in_source(source: str | None) -> dt.date | None:
    """The latest ISO date written in a source text, if any."""
    found = []
    for y, m, d in _ISO_DATE.findall(source or ""):
        try:
            found.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return max(found) if found else None


def verified_on(row: dict) -> dt.date | None:
    return row.get("last_verified") or date_in_source(row.get("source"))


@dataclass(frozen=True)
class SourceNote:
    source: str
    as_of: dt.date | None
    rows: int


def source_notes(rows: list[dict]) -> list[SourceNote]:
    """One note per source, with the newest verification date of its rows, most rows first."""
    by_source: dict[str, list[dict]] = {}
    for row in rows:
        by_source.setdefault(row.get("source") or "", []).append(row)
    notes = []
    for source, group in by_source.items():
        dates = [d for d in (verified_on(r) for r in group) if d]
        notes.append(SourceNote(source=source, as_of=max(dates) if dates else None, rows=len(group)))
    return sorted(notes, key=lambda n: (-n.rows, n.source))


def is_stale(as_of: dt.date | None, max_age_days: int, today: dt.date | None = None) -> bool:
    """Unknown dates count as stale: residents are told to check before relying on the data."""
    if as_of is None:
        return True
    return ((today or dt.date.today()) - as_of).days > max_age_days


def long_date(value: dt.date | None, lang: str) -> str | None:
    return format_date(value, "long", locale=lang) if value else None

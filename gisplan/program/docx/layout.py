"""Which table is which: the column headers of the annexes (one or two header rows, merged
cells, «Динаміка» / «(+/-, %)» split over two rows, year columns under a merged «Обсяги
фінансування» or «Прогнозні дані за роками») and the labels of the passport."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..values import name_key
from ..xlsx import INDICATOR_ALIASES, TASK_ALIASES
from .grid import Table

ANNEX1, ANNEX2, PASSPORT = "Додаток 1", "Додаток 2", "Паспорт"
_YEAR = re.compile(r"^(19|20)\d\d$")
PERIOD = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$")
_HEADER_ONLY = re.compile(r"^\(?[+/\-,% ]+\)?$")  # «(+/-, %)» under «Динаміка»
# aliases of the annex layouts as councils write them, beyond the workbook's own
EXTRA_TASK = {"total": ("Всього, тис. грн",)}
EXTRA_INDICATOR = {"group_name": ("Назва пріоритетного напрямку", "Пріоритетний напрям")}


def _aliases(base: dict, extra: dict, drop: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, names in base.items():
        if key in drop:
            continue
        for n in (*names, *extra.get(key, ())):
            out[name_key(n)] = key
    return out


TASK_KEYS = _aliases(TASK_ALIASES, EXTRA_TASK, ("source_ref",))
INDICATOR_KEYS = _aliases(INDICATOR_ALIASES, EXTRA_INDICATOR, ("source_ref", "recomputed"))


def header_key(text: str, aliases: dict[str, str]) -> str | None:
    k = name_key(text)
    if not k:
        return None
    if k in aliases:
        return aliases[k]
    for alias, key in aliases.items():
        if len(alias) >= 8 and k.startswith(alias):
            return key
    return None


@dataclass
class Columns:
    """Named columns of an annex table, found in its header rows."""

    kind: str  # ANNEX1 or ANNEX2
    keys: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # column → year
    headers: dict[int, str] = field(default_factory=dict)  # column → header text (for messages)
    header_rows: list[int] = field(default_factory=list)
    width: int = 0
    texts: list[str] = field(default_factory=list)  # every header cell, merged ones included

    def label(self, col: int | None) -> str | None:
        if col is None:
            return None
        return f"{col + 1} ({self.headers[col]})" if col in self.headers else str(col + 1)

    def header_text(self, key: str) -> str:
        col = self.keys.get(key)
        return self.headers.get(col, "") if col is not None else ""


def _is_header_like(text: str, aliases: dict[str, str]) -> bool:
    return bool(_YEAR.match(text) or PERIOD.match(text) or _HEADER_ONLY.match(text) or header_key(text, aliases))


def find_columns(table: Table, start: int = 0) -> Columns | None:
    """The annex layout of a table whose header starts at or after row ``start`` (within 4 rows)."""
    for kind, aliases, required in ((ANNEX1, TASK_KEYS, "project"), (ANNEX2, INDICATOR_KEYS, "name")):
        for r in range(start, min(start + 4, len(table.rows))):
            found = {header_key(c.text, aliases) for c in table.distinct(r)}
            if required not in found:
                continue
            rows = [r]
            while rows[-1] + 1 < len(table.rows):
                nxt = rows[-1] + 1
                own = table.own_texts(nxt)
                if own and all(_is_header_like(t, aliases) for t in own):
                    rows.append(nxt)
                else:
                    break
            cols = Columns(kind=kind, header_rows=rows, width=table.width)
            for rr in rows:
                for cell in table.distinct(rr):
                    if not cell.text or cell.origin[0] != rr:
                        continue
                    c = cell.origin[1]
                    cols.texts.append(cell.text)
                    span = [i for i, g in enumerate(table.rows[rr]) if g.origin == cell.origin]
                    if _YEAR.match(cell.text) and len(span) == 1:
                        cols.years[c] = int(cell.text)
                        cols.headers[c] = cell.text
                    elif PERIOD.match(cell.text) and len(span) == 1 and "total" not in cols.keys:
                        cols.keys["total"] = c
                        cols.headers[c] = cell.text
                    elif (key := header_key(cell.text, aliases)) and key not in cols.keys and len(span) == 1:
                        cols.keys[key] = c
                        cols.headers[c] = cell.text
                    elif key and key not in cols.keys:  # a merged header over one column of data
                        cols.keys[key] = c
                        cols.headers[c] = cell.text
                    if c not in cols.headers:
                        cols.headers[c] = cell.text
            return cols
    return None

"""The passport table of either generation: the 2024 form (КАТОТТГ code, Мінцифри agreement,
10 fields) and the older EGAP form (region, information-analytical centre, task counts and
volumes per year, 12 fields). Labels may carry their number («3. Керівник програми:»)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..values import ValueProblem, name_key, parse_amount, parse_number
from .grid import Table
from .layout import PASSPORT
from .report import Collector, place

# label (name_key, numbering removed) → passport field; the first that matches wins
LABELS: list[tuple[re.Pattern, str]] = [(re.compile(p), k) for p, k in (
    (r"^(найменування територіальної громади|регіон)", "community"),
    (r"^код за кодифікатором", "hromada"),
    (r"^заголовок дата номер розпорядчого документа", "development_decree"),
    (r"^дата погодження", "ministry_agreement"),
    (r"^(дата затвердження|рішення про затвердження)", "approval"),
    (r"^мета", "goal"),
    (r"^розробник", "developer"),
    (r"^керівник", "head"),
    (r"^відповідальні", "executors"),
    (r"^інформаційно-аналітичний центр", "info_center"),
    (r"^строк", "term"),
    (r"^кількість завдань.*поточному році", "tasks_current_year"),
    (r"^кількість завдань.*наступний рік", "tasks_next_year"),
    (r"^кількість завдань.*три наступні роки", "tasks_three_years"),
    (r"^обсяги? фінансування у поточному році", "funding|current"),
    (r"^обсяги? фінансування на (?P<year>\d{4}) рік", "funding|year"),
    (r"^загальний обсяг фінансування", "funding|total"),
    (r"^джерела( та обсяги)? фінансування", "funding_sources"),
)]
NATIONAL_2024 = {"hromada", "ministry_agreement", "development_decree"}
EGAP_2023 = {"info_center", "tasks_current_year", "tasks_next_year", "tasks_three_years"}
INT_FIELDS = {"tasks_current_year", "tasks_next_year", "tasks_three_years"}
_NUMBERING = re.compile(r"^\s*\d+\s*[.)]\s*")
_MONEY_UNIT = re.compile(r"тис\.?\s*грн\.?", re.I)
_KATOTTG = re.compile(r"UA\d{17}")


def label_key(text: str) -> tuple[str, str | None] | None:
    key = name_key(_NUMBERING.sub("", text)).rstrip(" -")
    for pattern, field_name in LABELS:
        m = pattern.match(key)
        if m:
            return field_name, m.groupdict().get("year")
    return None


def is_passport(table: Table) -> bool:
    """At least three rows whose label cell is a passport field."""
    hits = 0
    for r in range(len(table.rows)):
        cells = [c for c in table.distinct(r) if c.text]
        if len(cells) >= 1 and any(label_key(c.text) for c in cells[:2]):
            hits += 1
    return hits >= 3


@dataclass
class PassportRead:
    fields: dict = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    hromada: str | None = None
    form: str | None = None
    amounts: dict[str, object] = field(default_factory=dict)  # "current" / year / "total" → amount
    amounts_ref: list[str] = field(default_factory=list)


@dataclass
class Entry:
    """One passport line: a table row (``table`` ≥ 1) or a numbered paragraph (``table`` = 0)."""

    table: int
    row: int  # 0-based row of the table, or paragraph number
    label: str | None
    value: str | None
    text: str  # the whole line, for the report


def table_entries(table: Table) -> list[Entry]:
    out = []
    for r in range(len(table.rows)):
        cells = [c for c in table.distinct(r) if c.text]
        label, value = None, None
        for i, c in enumerate(cells[:2]):
            if label_key(c.text) is not None:
                label, value = c.text, " ".join(x.text for x in cells[i + 1:]) or None
                break
        out.append(Entry(table.index, r, label, value, " | ".join(c.text for c in cells)))
    return out


_LINE = re.compile(r"^\s*\d+\s*[.)]\s*(?P<label>[^:]+?)\s*(?::|\s[-–—]\s|$)\s*(?P<value>.*)$")


def paragraph_entries(paragraphs: list[str]) -> list[Entry]:
    """A passport written as a numbered list («1. Регіон: …») after a heading with «Паспорт»."""
    start = next((i for i, t in enumerate(paragraphs) if "паспорт" in t.casefold() and len(t) < 200), None)
    if start is None:
        return []
    out = []
    for i in range(start + 1, len(paragraphs)):
        m = _LINE.match(paragraphs[i])
        if m is None or label_key(m.group("label")) is None:
            break
        out.append(Entry(0, i, m.group("label"), m.group("value").strip() or None, paragraphs[i]))
    return out if len(out) >= 3 else []


def read_passport(entries: list[Entry], out: Collector) -> PassportRead:
    got = PassportRead()
    seen: set[str] = set()
    for e in entries:
        r = e.row
        found = label_key(e.label) if e.label else None
        if found is None:
            out.fate(e.table, r, PASSPORT, "other" if e.text else "empty",
                     "not a passport field" if e.text else "empty", e.text)
            continue
        key, year = found
        value = e.value
        ref = place(e.table, r + 1)
        column = "2" if e.table else None
        seen.add(key)
        if key.startswith("funding|"):
            slot = {"funding|current": "current", "funding|year": year, "funding|total": "total"}[key]
            if value is not None:
                try:
                    got.amounts[slot] = parse_amount(_MONEY_UNIT.sub("", value))
                except ValueProblem as exc:
                    out.problem(PASSPORT, e.table, r, column, str(exc))
                got.amounts_ref.append(ref)
            out.fate(e.table, r, PASSPORT, "passport", f"funding volume ({slot}): kept as declared, checked "
                                                       f"against Додаток 1", e.label)
            continue
        if key == "hromada":
            m = _KATOTTG.search(value or "")
            if value and not m:
                out.problem(PASSPORT, e.table, r, column, f"{value!r} is not a КАТОТТГ code (UA and 17 digits)")
            got.hromada = m.group(0) if m else None
        elif key in INT_FIELDS:
            number = parse_number(value) if value else None
            if value and (number is None or number != number.to_integral_value()):
                out.problem(PASSPORT, e.table, r, column, f"expected a whole number; got {value!r}")
            got.fields[key] = int(number) if number is not None else None
        else:
            got.fields[key] = value
        if value is not None:
            got.refs[key] = ref
        out.fate(e.table, r, PASSPORT, "passport", f"passport field {key}" + ("" if value else " (empty)"), e.label)
    got.form = "national_2024" if seen & NATIONAL_2024 else "egap_2023" if seen & EGAP_2023 else None
    return got

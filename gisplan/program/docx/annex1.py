"""Додаток 1 (tasks, projects, executors, terms, sources, amounts per year and total), read from
one or more tables: a table split over pages continues the one before it, with or without its
header repeated; an empty or vertically merged task cell continues the task above; in the EGAP
layout (a «№» column) a row without a number continues the project above it, cell by cell
(its text was broken by the page)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..values import ValueProblem, name_key, parse_amount
from ..xlsx import _GOAL_ROW, _PRIORITY_ROW, _unquote
from .grid import Table
from .layout import ANNEX1, Columns
from .report import Collector, place

NUMBERED_SUB = re.compile(r"^(?P<code>\d+\.\d+)\.?\s+(?P<name>\D.*)$")
NUMBERED = re.compile(r"^(?P<code>\d+)\.?\s+(?P<name>\D.*)$")


@dataclass
class _Row:
    table: Table
    cols: Columns
    rows: list[int]
    cells: dict[str, str] = field(default_factory=dict)  # key → own text
    years: dict[int, str] = field(default_factory=dict)  # year → own text
    columns: dict[str, int] = field(default_factory=dict)  # key or str(year) → column

    @property
    def ref(self) -> str:
        return place(self.table.index, self.rows[0] + 1) + (f"–{self.rows[-1] + 1}" if len(self.rows) > 1 else "")

    def merge(self, other: "_Row") -> None:
        for key, text in other.cells.items():
            self.cells[key] = f"{self.cells[key]} {text}" if self.cells.get(key) else text
        for year, text in other.years.items():
            self.years[year] = f"{self.years[year]} {text}" if self.years.get(year) else text
        self.rows.extend(other.rows)


def _own(table: Table, r: int, col: int | None) -> str:
    if col is None or col >= len(table.rows[r]):
        return ""
    cell = table.rows[r][col]
    return cell.text if cell.origin == (r, col) else ""  # merged from above or from the left: not its own


def _row(table: Table, cols: Columns, r: int) -> _Row:
    row = _Row(table, cols, [r])
    for key, c in cols.keys.items():
        if text := _own(table, r, c):
            row.cells[key] = text
        row.columns[key] = c
    for c, year in cols.years.items():
        if text := _own(table, r, c):
            row.years[year] = text
        row.columns[str(year)] = c
    return row


class TasksReader:
    def __init__(self, doc: dict, out: Collector, years: list[int]):
        self.doc, self.out, self.years = doc, out, years
        self.goal: dict | None = None
        self.priority: dict | None = None
        self.project: dict | None = None
        self.task: str | None = None
        self.last_total: dict | None = None
        self.pending: _Row | None = None
        self.goals_numbered = False

    # ---------------------------------------------------------------- parsing of values
    def _amount(self, row: _Row, key: str, text: str | None):
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValueProblem as exc:
            col = row.columns.get(key)
            self.out.problem(ANNEX1, row.table.index, row.rows[0], row.cols.label(col), str(exc))
            return None

    def _amounts(self, row: _Row) -> dict:
        return {y: v for y, t in sorted(row.years.items()) if (v := self._amount(row, str(y), t)) is not None}

    # ---------------------------------------------------------------- rows
    def read(self, parts: list[tuple[Table, Columns]]) -> None:
        self.goals_numbered = any(
            NUMBERED_SUB.match(t.own_texts(r)[0]) for t, cols in parts for r in range(len(t.rows))
            if r not in cols.header_rows and len(t.own_texts(r)) == 1)
        for table, cols in parts:
            for r in range(len(table.rows)):
                self._one(table, cols, r)
        self._flush()
        self.years.extend(y for _, cols in parts for y in cols.years.values() if y not in self.years)

    def _one(self, table: Table, cols: Columns, r: int) -> None:
        texts = table.own_texts(r)
        first = texts[0] if texts else ""
        if r in cols.header_rows:
            self.out.fate(table.index, r, ANNEX1, "header", "column headers", " | ".join(texts))
            return
        if not texts:
            self.out.fate(table.index, r, ANNEX1, "empty", "empty or merged from the row above")
            return
        row = _row(table, cols, r)
        if len(texts) == 1 and not row.years:
            if self._section(table, r, first):
                return
        label = row.cells.get("task", "")
        is_total = name_key(label).startswith("всього за") or (
            self.last_total is not None and not label and not row.cells.get("project") and not row.cells.get("ref"))
        if ("ref" in cols.keys and not row.cells.get("ref") and not is_total and self.pending is not None
                and self.pending.cells.get("ref")):
            self.pending.merge(row)
            self.out.fate(table.index, r, ANNEX1, "continuation",
                          f"continues the project row {self.pending.ref} (the row was broken by a page)", first)
            return
        self._flush()
        if is_total:
            self._total(row, label)
            return
        self.last_total = None
        self.pending = row

    def _section(self, table: Table, r: int, text: str) -> bool:
        m_goal, m_priority = _GOAL_ROW.match(text), _PRIORITY_ROW.match(text)
        m_sub, m_num = NUMBERED_SUB.match(text), NUMBERED.match(text)
        if not (m_goal or m_priority or m_sub or m_num):
            return False
        self._flush()
        if m_goal or (m_num and self.goals_numbered and not m_sub):
            m = m_goal or m_num
            self.goal = {"code": m.group("code"), "name": _unquote(m.group("name")),
                         "source_ref": place(table.index, r + 1)}
            self.doc["goals"].append(self.goal)
            self.priority = self.project = self.last_total = None
            self.out.fate(table.index, r, ANNEX1, "section", f"strategic goal {self.goal['code']}", text)
            return True
        m = m_priority or m_sub or m_num
        if m is None:
            return False
        code = m.group("code")
        if code is None:  # «Пріоритетний напрям «…»» without a number: numbered in order
            used = {p["code"] for p in self.doc["priorities"]}
            code = next(str(n) for n in range(len(used) + 1, len(used) + 100) if str(n) not in used)
        self.priority = {"code": code, "name": _unquote(m.group("name")),
                         "goal": self.goal["code"] if self.goal and m_sub else None,
                         "source_ref": place(table.index, r + 1), "tasks": [], "projects": []}
        self.doc["priorities"].append(self.priority)
        self.project, self.task, self.last_total = None, None, None
        self.out.fate(table.index, r, ANNEX1, "section", f"priority area {code}", text)
        return True

    def _total(self, row: _Row, label: str) -> None:
        scope = self.last_total["scope"] if not label else ("priority" if "напрям" in name_key(label) else "program")
        r = row.rows[0]
        if scope == "priority" and self.priority is None:
            self.out.problem(ANNEX1, row.table.index, r, row.cols.label(row.columns.get("task")),
                             "«Всього за напрямом» before any priority area row")
            return
        source = row.cells.get("source")
        if source is not None and name_key(source).startswith("загальний обсяг"):
            source = None
        self.last_total = {"scope": scope, "priority": self.priority["code"] if scope == "priority" else None,
                           "source": source, "amounts": self._amounts(row),
                           "total": self._amount(row, "total", row.cells.get("total")), "source_ref": row.ref}
        self.doc["declared_totals"].append(self.last_total)
        self.project = None
        what = "«Всього за напрямом»" if scope == "priority" else "«Всього за програмою»"
        self.out.fate(row.table.index, r, ANNEX1, "total",
                      f"{what} ({source or 'усі джерела'}): kept as declared, checked against the rows",
                      " | ".join(row.table.own_texts(r)))

    def _flush(self) -> None:
        row, self.pending = self.pending, None
        if row is None:
            return
        r = row.rows[0]
        first = " | ".join(row.table.own_texts(r))
        if self.priority is None:
            self.out.problem(ANNEX1, row.table.index, r, None, "a project row before any priority area row")
            return
        label = row.cells.get("task")
        if label:
            known = [t for t in self.priority["tasks"] if name_key(t["name"]) == name_key(label)]
            if known:
                self.task = known[0]["name"]
            else:
                self.task = label
                self.priority["tasks"].append({"name": label, "source_ref": row.ref})
        name = row.cells.get("project")
        line = {"source": row.cells.get("source"), "amounts": self._amounts(row),
                "total": self._amount(row, "total", row.cells.get("total"))}
        has_money = line["source"] is not None or line["amounts"] or line["total"] is not None
        if name:
            self.project = {"ref": row.cells.get("ref"), "name": name, "task": self.task,
                            "result": row.cells.get("result"), "executors": row.cells.get("executors"),
                            "term": row.cells.get("term"), "source_ref": row.ref, "funding": []}
            self.priority["projects"].append(self.project)
            if has_money:
                self.project["funding"].append({**line, "source_ref": None})
            n = sum(len(p["projects"]) for p in self.doc["priorities"])
            self.out.fate(row.table.index, r, ANNEX1, "project",
                          f"project {self.project['ref'] or f'(№ {n} on import)'}"
                          + (f", task «{self.task[:60]}»" if self.task else ""), first)
        elif has_money and not row.cells.get("ref"):
            if self.project is None:
                self.out.problem(ANNEX1, row.table.index, r, None, "a funding line with no project above it")
                return
            self.project["funding"].append({**line, "source_ref": row.ref})
            self.out.fate(row.table.index, r, ANNEX1, "funding",
                          f"another funding line of project «{self.project['name'][:60]}»", first)
        elif label and len(row.cells) == 1:
            self.out.fate(row.table.index, r, ANNEX1, "section", f"task «{label[:60]}» (no project yet)", first)
        else:
            self.out.problem(ANNEX1, row.table.index, r, row.cols.label(row.columns.get("project")),
                             "a row with data but no project name")

"""Додаток 2 (indicators, units, baseline, targets per year, dynamics), read from one or more
tables. A priority cell merged down (or left empty) keeps the priority of the row above; a row
with only words in the name column continues the name above (a page broke it); every indicator
is matched to the canonical catalogue (:mod:`gisplan.program.matching`)."""

from __future__ import annotations

import re
from decimal import Decimal

from rapidfuzz import fuzz

from ..canonical import METHOD_OF_CLASS, catalogue
from ..checks import declared_dynamics_number
from ..matching import MatchResult, match_indicator
from ..values import ValueProblem, name_key, parse_indicator_value
from .annex1 import _own
from .grid import Table
from .layout import ANNEX2, Columns
from .report import Collector, RowFate, place

_REGULATION = re.compile(r"(РКМУ\s*\d+|Постанов\w*\s+КМУ\s*№\s*\d+)")
PROJECT_LINK_SCORE = 90  # an EGAP indicator measures the project whose expected result it repeats


def regulation(name: str) -> str | None:
    m = _REGULATION.search(name)
    return " ".join(m.group(1).split()) if m else None


def infer_semantics(baseline, targets: list, declared: str | None, preferred: str) -> str:
    """The value semantics that reproduces the declared dynamics, the preferred one first; the
    preferred one when none does (the check then reports the row)."""
    numbers = [t for t in targets if isinstance(t, Decimal)]
    if not numbers:
        return "level"
    d = declared_dynamics_number(declared)
    if d is None:
        return preferred
    start = baseline if isinstance(baseline, Decimal) else numbers[0]
    rules = {"increment": d == sum(numbers, Decimal(0)), "level": d == numbers[-1] - start}
    for name in (preferred, *[k for k in rules if k != preferred]):
        if rules.get(name):
            return name
    return preferred


class IndicatorsReader:
    def __init__(self, doc: dict, out: Collector, years: list[int]):
        self.doc, self.out, self.years = doc, out, years
        self.group: tuple[str, str] | None = None
        self.rows: list[tuple[dict, RowFate]] = []
        self.baseline_before_start = False
        self.convention = "level"

    def read(self, parts: list[tuple[Table, Columns]]) -> None:
        first_cols = parts[0][1]
        base = name_key(first_cols.header_text("baseline"))
        self.baseline_before_start = base.startswith("вихідні дані за рік до початку")
        targets_header = " ".join(name_key(t) for t in first_cols.texts)
        self.convention = "level" if "цільов" in targets_header else "increment"
        for table, cols in parts:
            for r in range(len(table.rows)):
                self._one(table, cols, r)
        self.years.extend(y for _, cols in parts for y in cols.years.values() if y not in self.years)

    def _value(self, table: Table, cols: Columns, r: int, col: int | None):
        text = _own(table, r, col)
        if not text:
            return None
        try:
            return parse_indicator_value(text)
        except ValueProblem as exc:
            self.out.problem(ANNEX2, table.index, r, cols.label(col), str(exc))
            return None

    def _one(self, table: Table, cols: Columns, r: int) -> None:
        texts = table.own_texts(r)
        if r in cols.header_rows:
            self.out.fate(table.index, r, ANNEX2, "header", "column headers", " | ".join(texts))
            return
        if not texts:
            self.out.fate(table.index, r, ANNEX2, "empty", "empty or merged from the row above")
            return
        k = cols.keys
        code, gname = _own(table, r, k.get("group_code")), _own(table, r, k.get("group_name"))
        name = _own(table, r, k.get("name"))
        unit = _own(table, r, k.get("unit"))
        values = [_own(table, r, c) for c in (*cols.years, k.get("baseline"), k.get("declared_dynamics"))]
        if name and not (code or gname or unit or any(values)) and self.rows:
            ind, fate = self.rows[-1]
            ind["name"] = f"{ind['name']} {name}"
            ind["source_ref"] = f"{ind['source_ref']}; {place(table.index, r + 1)}"
            self.out.fate(table.index, r, ANNEX2, "continuation",
                          f"continues the indicator name of {place(fate.table, fate.row)} (broken by a page)", name)
            return
        if code or gname:
            resolved = self._group(table, cols, r, code.rstrip(".").strip() or None, gname or None)
            if resolved:
                self.group = resolved
        if not name:
            if code or gname:
                self.out.fate(table.index, r, ANNEX2, "section", f"{self.group[0] if self.group else 'group'} "
                              f"{self.group[1] if self.group else ''}", " | ".join(texts))
            else:
                self.out.problem(ANNEX2, table.index, r, cols.label(k.get("name")), "an indicator row without a name")
            return
        targets = {}
        for c, year in sorted(cols.years.items(), key=lambda kv: kv[1]):
            v = self._value(table, cols, r, c)
            if v is not None:
                targets[year] = v
        baseline = self._value(table, cols, r, k.get("baseline")) if "baseline" in k else None
        dynamics = _own(table, r, k.get("declared_dynamics")) or None
        ind = {"ref": None, "priority": self.group[1] if self.group and self.group[0] == "priority" else None,
               "goal": self.group[1] if self.group and self.group[0] == "goal" else None, "project": None,
               "name": name, "unit": unit or None, "baseline": baseline, "baseline_year": None,
               "targets": targets, "declared_dynamics": dynamics, "source_ref": place(table.index, r + 1)}
        fate = self.out.fate(table.index, r, ANNEX2, "indicator", "", name)
        self.rows.append((ind, fate))

    def _group(self, table: Table, cols: Columns, r: int, code: str | None, name: str | None):
        def same(item) -> bool:
            return (code is None or item["code"] == code) and (name is None or name_key(item["name"]) == name_key(name))

        for kind, items in (("priority", self.doc["priorities"]), ("goal", self.doc["goals"])):
            for item in items:
                if same(item):
                    return kind, item["code"]
        if code is not None:
            clash = next((p for p in self.doc["priorities"] if p["code"] == code), None)
            if clash is not None:
                self.out.problem(ANNEX2, table.index, r, cols.label(cols.keys.get("group_name")),
                                 f"priority {code} is «{clash['name']}» in Додаток 1, not «{name}»")
                return None
        if name is None:
            self.out.problem(ANNEX2, table.index, r, cols.label(cols.keys.get("group_code")),
                             f"no priority area with code {code!r}")
            return None
        priority = {"code": code, "name": name, "goal": None, "source_ref": place(table.index, r + 1),
                    "tasks": [], "projects": []}
        self.doc["priorities"].append(priority)
        return "priority", code

    # ---------------------------------------------------------------- after the whole document
    def finish(self, period_start: int) -> list[tuple[dict, MatchResult]]:
        """Semantics, baseline year, project links and canonical codes; returns the matches."""
        projects = [p for pr in self.doc["priorities"] for p in pr["projects"]]
        egap = any(ind["goal"] for ind, _ in self.rows)
        links = self._project_links([ind["name"] for ind, _ in self.rows], projects) if egap else {}
        out = []
        for n, (ind, fate) in enumerate(self.rows, start=1):
            ind["ref"] = str(n)
            targets = list(ind["targets"].values())
            if egap:
                numbers = [v for v in [ind["baseline"], *targets] if isinstance(v, Decimal)]
                ind["value_semantics"] = ("project_progress_share" if numbers and sum(numbers, Decimal(0)) == 100
                                          else "level")
                ind["project"] = links.get(n - 1)
            else:
                ind["value_semantics"] = infer_semantics(ind["baseline"], targets, ind["declared_dynamics"],
                                                         self.convention)
            if self.baseline_before_start and ind["baseline"] is not None:
                ind["baseline_year"] = period_start - 1
            ind["regulation_ref"] = regulation(ind["name"])
            match = match_indicator(ind["name"], ind["unit"])
            ind["canonical_code"] = match.code
            ind["method"] = METHOD_OF_CLASS[catalogue()[match.code].cls] if match.code else "manual"
            fate.result = (f"indicator {n} → {match.code} (score {match.score:.0f})" if match.code else
                           f"indicator {n}: no canonical code, listed for review ({match.reason})")
            out.append((ind, match))
        return out

    @staticmethod
    def _project_links(names: list[str], projects: list[dict]) -> dict[int, str]:
        """Indicator index → project ref. An indicator that repeats a project's expected result
        (similarity ≥ :data:`PROJECT_LINK_SCORE`) measures it; when every such pair sits at the same
        position in both annexes, the annexes run in parallel and the others link by position too."""
        strong: dict[int, int] = {}
        for i, name in enumerate(names):
            scores = [(fuzz.ratio(name_key(name), name_key(p.get("result") or "")), j) for j, p in enumerate(projects)]
            best = max(scores, default=(0.0, -1))
            if best[0] >= PROJECT_LINK_SCORE:
                strong[i] = best[1]
        parallel = bool(strong) and all(i == j for i, j in strong.items()) and len(strong) * 2 >= len(names)
        if parallel:
            return {i: projects[i]["ref"] for i in range(min(len(names), len(projects)))}
        return {i: projects[j]["ref"] for i, j in strong.items()}

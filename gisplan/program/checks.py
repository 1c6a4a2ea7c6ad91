"""Checks instead of trust: totals and dynamics are recomputed from the rows, and every place where
the document says otherwise is reported with its sheet, row and column (and the seed line).

* a funding row's total against the sum of its years;
* «Всього за напрямом» and «Всього за програмою» (per source and for all sources) against the
  column sums of their rows, year by year and for the whole period;
* the passport's volumes and its task counts against the annex;
* every indicator's declared «Динаміка» against the dynamics recomputed from its value semantics.

Markers («В межах кошторисних призначень», «+», «-») add nothing to a total but are kept. Nothing
is rounded: indicator values are compared exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

from .schemas import DeclaredTotalIn, IndicatorIn, ProgramDocument
from .values import (
    ACTIVE_NO_COST, WITHIN_ESTIMATES, amount_number, clean_text, fmt, parse_number, source_key,
)
from .xlsx import INDICATORS_SHEET, PASSPORT_SHEET, TASKS_SHEET, Layout, layout_of


@dataclass
class Mismatch:
    kind: str
    sheet: str
    row: int | None
    column: str | None
    source_ref: str | None
    declared: str
    computed: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row else self.sheet
        if self.column:
            where += f", column {self.column}"
        if self.source_ref:
            where += f" [{self.source_ref}]"
        return f"{where}: {self.message}: written {self.declared}, computed {self.computed}"

    def public(self) -> dict:
        return asdict(self) | {"text": str(self)}


# ------------------------------------------------------------------------------------ dynamics
def recompute_dynamics(ind: IndicatorIn, years: list[int]) -> Decimal | None:
    """The dynamics its value semantics implies: level → last target − baseline (or − first
    target without a baseline); increment → sum of the targets; project progress share →
    baseline + targets (100 when the project completes). None for yes/no indicators."""
    targets = [ind.targets[y] for y in years if isinstance(ind.targets.get(y), Decimal)]
    baseline = ind.baseline if isinstance(ind.baseline, Decimal) else None
    if not targets or ind.value_semantics is None:
        return None
    if ind.value_semantics == "level":
        start = baseline if baseline is not None else targets[0]
        return targets[-1] - start
    if ind.value_semantics == "increment":
        return sum(targets, Decimal(0))
    return sum(targets, baseline or Decimal(0))


_DYNAMICS = re.compile(r"^[+-]?\s*\d")


def declared_dynamics_number(text: str | None) -> Decimal | None:
    """«+20%» → 20, «+0,90» → 0.90, «15,0» → 15.0; None for «+», «Так» or empty."""
    if not text:
        return None
    t = clean_text(text).replace(" ", "")
    if not _DYNAMICS.match(t):
        return None
    sign = -1 if t.startswith("-") else 1
    number = parse_number(t.lstrip("+-"))
    return None if number is None else sign * number


# ------------------------------------------------------------------------------------ totals
def _line_sums(doc: ProgramDocument, priority_code: str | None, source: str | None) -> tuple[dict, Decimal]:
    """Column sums per year over the matching funding lines, and the sum of their written totals."""
    key = source_key(source)
    sums = {y: Decimal(0) for y in doc.years}
    written = Decimal(0)
    for priority, project in doc.projects():
        if priority_code is not None and priority.code != priority_code:
            continue
        for line in project.funding:
            if key is not None and source_key(line.source) != key:
                continue
            for year, amount in line.amounts.items():
                sums[year] += amount_number(amount)
            written += amount_number(line.total)
    return sums, written


def _differs(declared, computed: Decimal) -> bool:
    if isinstance(declared, Decimal):
        return declared != computed
    return declared is not None and computed != 0  # a marker where the rows hold money


def _check_total(doc: ProgramDocument, index: int, total: DeclaredTotalIn, lay: Layout, out: list) -> None:
    priority = total.priority if total.scope == "priority" else None
    sums, written = _line_sums(doc, priority, total.source)
    label = {"priority": f"«Всього за напрямом» of priority {total.priority}",
             "program": "«Всього за програмою»", "passport": "the passport's volume"}[total.scope]
    label += f" ({total.source})" if total.source else " (all sources)"
    sheet = PASSPORT_SHEET if total.scope == "passport" else TASKS_SHEET
    src = total.source or ""
    for year in doc.years:
        declared = total.amounts.get(year)
        if declared is not None and _differs(declared, sums[year]):
            row = (lay.passport_rows.get(f"funding|{year}|{src}") if total.scope == "passport"
                   else lay.total_rows.get(index))
            column = "B (Значення)" if total.scope == "passport" else lay.amount_columns.get(year)
            out.append(Mismatch(f"{total.scope}_total", sheet, row, column, total.source_ref, fmt(declared),
                                fmt(sums[year]), f"{label} for {year} is not the sum of its rows"))
    whole = sum(sums.values(), Decimal(0))
    if total.total is not None and _differs(total.total, whole):
        row = (lay.passport_rows.get(f"funding|total|{src}") if total.scope == "passport"
               else lay.total_rows.get(index))
        column = "B (Значення)" if total.scope == "passport" else lay.amount_columns.get("total")
        note = f" (the row totals as written add up to {fmt(written)})" if written != whole else ""
        out.append(Mismatch(f"{total.scope}_total", sheet, row, column, total.source_ref, fmt(total.total),
                            fmt(whole), f"{label} for {doc.period_start}-{doc.period_end} is not the sum of "
                                        f"its years{note}"))


def active_in(project, year: int) -> bool:
    """A project works in a year when that year's cell holds money, «+» or «В межах …»."""
    for line in project.funding:
        amount = line.amounts.get(year)
        if isinstance(amount, Decimal) or amount in (ACTIVE_NO_COST, WITHIN_ESTIMATES):
            return True
    return False


def task_counts(doc: ProgramDocument) -> dict[str, int]:
    projects = [p for _, p in doc.projects()]
    start = doc.period_start
    return {
        "tasks_current_year": sum(active_in(p, start) for p in projects),
        "tasks_next_year": sum(active_in(p, start + 1) for p in projects),
        "tasks_three_years": len(projects),
    }


def funding_totals(doc: ProgramDocument) -> dict:
    """Recomputed totals: per year, whole period, per source and per priority (тис. грн)."""
    years, total = _line_sums(doc, None, None)
    sources: dict[str, dict] = {}
    for _, project in doc.projects():
        for line in project.funding:
            name = line.source or ""
            slot = sources.setdefault(source_key(name) or "", {"source": line.source, "years": {y: Decimal(0) for y in doc.years}})
            for year, amount in line.amounts.items():
                slot["years"][year] += amount_number(amount)
    priorities = {p.code: _line_sums(doc, p.code, None)[0] for p in doc.priorities}
    return {
        "years": years, "total": sum(years.values(), Decimal(0)), "row_totals_as_written": total,
        "sources": [{"source": s["source"], "years": s["years"], "total": sum(s["years"].values(), Decimal(0))}
                    for s in sources.values()],
        "priorities": {code: {"years": ys, "total": sum(ys.values(), Decimal(0))} for code, ys in priorities.items()},
    }


# ------------------------------------------------------------------------------------ all checks
def check_document(doc: ProgramDocument) -> list[Mismatch]:
    lay = layout_of(doc)
    out: list[Mismatch] = []
    for _, project in doc.projects():
        for i, line in enumerate(project.funding):
            computed = sum((amount_number(a) for a in line.amounts.values()), Decimal(0))
            if line.total is not None and _differs(line.total, computed):
                out.append(Mismatch(
                    "row_total", TASKS_SHEET, lay.project_rows.get((project.ref or "", i)),
                    lay.amount_columns.get("total"), line.source_ref or project.source_ref, fmt(line.total),
                    fmt(computed), f"project {project.ref} «{project.name[:60]}»: the row total is not the "
                                   f"sum of its years"))
    for index, total in enumerate(doc.declared_totals):
        _check_total(doc, index, total, lay, out)
    counts = task_counts(doc)
    labels = {"tasks_current_year": f"projects in {doc.period_start}",
              "tasks_next_year": f"projects in {doc.period_start + 1}",
              "tasks_three_years": "projects over the whole period"}
    for key, computed in counts.items():
        declared = getattr(doc.passport, key)
        if declared is not None and declared != computed:
            out.append(Mismatch("passport_tasks", PASSPORT_SHEET, lay.passport_rows.get(key), "B (Значення)",
                                doc.passport.source_refs.get(key), str(declared), str(computed),
                                f"the passport's count of {labels[key]} differs from «{TASKS_SHEET}»"))
    for ind in doc.indicators:
        declared = declared_dynamics_number(ind.declared_dynamics)
        computed = recompute_dynamics(ind, doc.years)
        if declared is not None and computed is not None and declared != computed:
            out.append(Mismatch("dynamics", INDICATORS_SHEET, lay.indicator_rows.get(ind.ref or ""),
                                lay.dynamics_column, ind.source_ref, ind.declared_dynamics or "", fmt(computed),
                                f"indicator {ind.ref} «{ind.name[:60]}»: the declared dynamics differ from "
                                f"the {ind.value_semantics} semantics"))
    return out


@dataclass
class CheckReport:
    mismatches: list[Mismatch]
    totals: dict
    task_counts: dict[str, int]

    def public(self) -> dict:
        return {
            "ok": not self.mismatches,
            "mismatches": [m.public() for m in self.mismatches],
            "totals": self.totals,
            "task_counts": self.task_counts,
        }


def check_report(doc: ProgramDocument) -> CheckReport:
    return CheckReport(check_document(doc), funding_totals(doc), task_counts(doc))

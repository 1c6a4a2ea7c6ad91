"""Progress of a program's indicators that are bound to metrics: baseline, target of the year, the
computed actual, % of target, on track or not, and the series over the program's years.

The targets are read as the indicator's value semantics says (SEEDS-ANALYSIS §2.3):

* ``level``: each year's target is the level to reach that year;
* ``increment``: yearly targets are increments, so the level to reach in year Y is the baseline
  (0 when none) plus the targets up to Y; the computed actual is the level;
* ``project_progress_share``: baseline and yearly targets are shares of a project's work, so the
  share to reach in Y is the baseline plus the targets up to Y; the actual is the project's progress:
  its linked features built (this year), the executor's latest report up to Y, or, given ``planned=N``
  in the indicator's metric, how far the metric moved from its baseline value towards N; a yes/no
  metric that is reached counts as done.

Each year is evaluated as of 31 December (the as-of date in its own year). A yes/no target («Так»)
on a numeric metric reads as "more than zero"; «Ні» asks for nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection

from .. import clock
from ..program import reporting, store
from ..program.values import as_flag, json_number
from .binding import Binding, bind
from .engine import MetricValue, evaluate_metric

NO_PROGRESS = {
    "uk": "частку виконання проєкту не визначено: пов’яжіть об’єкти з проєктом, внесіть звіт виконавця "
          "або задайте planned=N у метриці індикатора",
    "en": "the project's progress is unknown: link features to the project, enter the executor's report "
          "or give planned=N in the indicator's metric",
}
NOT_STARTED = {"uk": "програма ще не почалася", "en": "the program has not started yet"}
NO_HROMADA = {"uk": "у програми не вказано громаду: метрики нема для чого обчислювати",
              "en": "the program names no громада: there is nothing to compute the metrics for"}


def _num(v):
    if isinstance(v, Decimal):
        return json_number(v)
    return v


def _numeric(v) -> float | None:
    return float(v) if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool) else None


def cumulative_target(semantics: str | None, baseline, targets: dict, year: int):
    """The target of ``year`` in the metric's own terms (see the module docstring)."""
    declared = targets.get(year)
    if semantics in (None, "level") or isinstance(declared, str):
        return _numeric(declared) if _numeric(declared) is not None else declared
    upto = [_numeric(v) for y, v in targets.items() if y <= year and _numeric(v) is not None]
    if declared is None and not upto:
        return None
    return (_numeric(baseline) or 0.0) + sum(upto)


def compare(actual, target, metric_unit: str) -> tuple[float | None, bool | None, dict | None]:
    """(% of target, on track, note) of an actual against a target."""
    if actual is None or target is None:
        return None, None, None
    if isinstance(target, str):
        flag = as_flag(target)
        if flag is None:
            return None, None, None
        if isinstance(actual, bool):
            return None, bool(actual) or not flag, None
        note = ({"uk": "ціль «Так» для числового показника прочитано як «більше нуля»",
                 "en": "the target «Так» of a numeric metric is read as 'more than zero'"} if flag else None)
        return None, (actual > 0) if flag else True, note
    if isinstance(actual, bool):
        return None, None, {"uk": "числова ціль для показника «Так/Ні» не порівнюється",
                            "en": "a numeric target is not comparable with a yes/no metric"}
    pct = round(100.0 * actual / target, 2) if target else None
    return pct, actual >= target, None


def _metric_actual(v: MetricValue):
    if v.value is None:
        return None
    return bool(v.value) if v.unit == "bool" else v.value


class _Indicator:
    def __init__(self, conn: Connection, prog, ind, binding: Binding, as_of: dt.date, projects: dict,
                 reports: dict, entered: dict):
        self.conn, self.prog, self.ind, self.b, self.as_of = conn, prog, ind, binding, as_of
        self.project = projects.get(ind.project) if ind.project else None
        self.reports = reports.get(self.project.id, []) if self.project else []
        self.entered = entered
        self.semantics = ind.value_semantics or "level"

    def value_at(self, day: dt.date) -> MetricValue:
        return evaluate_metric(self.conn, self.b.metric, self.prog.hromada, day, self.b.parameters)

    def progress_share(self, year: int, last_year: int, v: MetricValue, base: MetricValue | None):
        """(share of the project done, where it comes from) for ``year``."""
        p = self.project.progress if self.project else None
        if year == last_year and p is not None and p.linked:
            return float(p.share), {"uk": "збудовані / пов’язані об’єкти проєкту",
                                    "en": "the project's linked features built / linked"}
        reported = [r for r in self.reports if r.year <= year and r.progress_pct is not None]
        if reported:
            return float(reported[-1].progress_pct), {"uk": "останній звіт виконавця",
                                                      "en": "the executor's latest report"}
        actual, start = _metric_actual(v), (_metric_actual(base) if base else None)
        if isinstance(actual, bool):
            reached = {"uk": "показник досягнуто", "en": "the metric is reached"}
            return (100.0, reached) if actual else (None, NO_PROGRESS)
        planned = self.b.planned
        if planned is not None and actual is not None and start is not None and planned != start:
            base_share = _numeric(self.ind.baseline) or 0.0
            done = base_share + (100.0 - base_share) * (actual - start) / (planned - start)
            return max(0.0, min(100.0, done)), {
                "uk": f"рух показника від {start:g} до запланованих {planned:g}",
                "en": f"the metric's move from {start:g} towards the planned {planned:g}"}
        return None, NO_PROGRESS

    def build(self, years: list[int], report_year: int) -> dict:
        ind, m = self.ind, self.b.metric
        base_year = ind.baseline_year or self.prog.period_start - 1
        base_day = dt.date(base_year, 12, 31)
        base = self.value_at(base_day) if base_day <= self.as_of else None
        series, previous = [], base
        for year in years:
            day = min(dt.date(year, 12, 31), self.as_of)
            v = self.value_at(day)
            target = cumulative_target(self.semantics, ind.baseline, ind.targets, year)
            note = None
            if self.semantics == "project_progress_share":
                actual, note = self.progress_share(year, years[-1], v, base)
            else:
                actual = _metric_actual(v)
            pct, on_track, cmp_note = compare(actual, target, m.spec.unit)
            if actual is None and v.reason and note is None:
                note = v.public(m)["reason"]
            entry = {
                "year": year, "as_of": day.isoformat(), "partial_year": day < dt.date(year, 12, 31),
                "target_declared": _num(ind.targets.get(year)), "target": target,
                "metric_value": _metric_actual(v), "metric_reason": v.public(m)["reason"] if v.reason else None,
                "actual": actual, "pct_of_target": pct, "on_track": on_track, "note": cmp_note or note,
                "computed_at": v.computed_at.isoformat(),
                "entered": _num(self.entered.get((ind.id, year))),
            }
            if self.semantics == "increment" and previous is not None and v.value is not None \
                    and previous.value is not None and m.spec.unit != "bool":
                entry["increment"] = v.value - previous.value
            series.append(entry)
            previous = v
        current = next((e for e in series if e["year"] == report_year), None)
        return {
            "indicator_id": ind.id, "ref": ind.ref, "name": ind.name, "unit": ind.unit,
            "canonical_code": ind.canonical_code, "value_semantics": ind.value_semantics,
            "metric": {"code": m.code, "name": m.spec.name.model_dump(), "unit": m.spec.unit,
                       "unit_label": m.unit_label(), "bound_by": self.b.source,
                       "parameters": {**m.spec.parameters, **self.b.parameters}, "planned": self.b.planned},
            "baseline": {"declared": _num(ind.baseline), "year": base_year,
                         "computed": _metric_actual(base) if base else None},
            "year": report_year,
            "target": current["target"] if current else cumulative_target(self.semantics, ind.baseline,
                                                                           ind.targets, report_year),
            "actual": current["actual"] if current else None,
            "pct_of_target": current["pct_of_target"] if current else None,
            "on_track": current["on_track"] if current else None,
            "note": (current or {}).get("note") or (None if current else NOT_STARTED),
            "series": series,
        }


def program_progress(conn: Connection, pid: int, as_of: dt.date | None = None) -> dict:
    """Progress of every bound indicator of program ``pid`` as of a date (default today); the
    indicators that are not bound are listed with the reason."""
    as_of = as_of or clock.today()
    prog = store.read_program(conn, pid)
    start, end = prog.period_start, prog.period_end
    report_year = min(max(as_of.year, start), end)
    years = list(range(start, min(as_of.year, end) + 1))
    projects = {pr.ref: pr for p in prog.priorities for pr in p.projects}
    reports: dict[int, list] = {}
    for r in reporting.list_reports(conn, pid):
        reports.setdefault(r.project_id, []).append(r)
    entered = {(a.indicator_id, a.year): a.value for a in reporting.list_actuals(conn, pid)
               if a.quarter == 0 and a.source == "entered"}
    items, unbound = [], []
    for ind in prog.indicators:
        b = bind(ind.canonical_code, ind.unit, ind.value_semantics, ind.metric)
        if not b.bound:
            unbound.append({"indicator_id": ind.id, "ref": ind.ref, "name": ind.name,
                            "canonical_code": ind.canonical_code, "reason": b.reason})
            continue
        if prog.hromada is None:
            unbound.append({"indicator_id": ind.id, "ref": ind.ref, "name": ind.name,
                            "canonical_code": ind.canonical_code, "metric": b.metric.code, "reason": NO_HROMADA})
            continue
        items.append(_Indicator(conn, prog, ind, b, as_of, projects, reports, entered).build(years, report_year))
    return {"program_id": pid, "title": prog.title, "hromada": prog.hromada, "period": [start, end],
            "as_of": as_of.isoformat(), "year": report_year, "indicators": items, "unbound": unbound}

"""The reporting calendar of a program (SEEDS-ANALYSIS §4): executors report each quarter by the
5th of the next month, annual results are due by 31 January, the report to the Ministry (Мінцифри)
by 1 March. Each due item says what is still missing, and whether it is overdue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from .. import clock
from .checks import active_in
from .store import _read
from .tables import program_indicator_actual, program_project_report, program_submission

KINDS = {
    "quarterly_report": ("Квартальна інформація виконавців про хід виконання", "Executors' quarterly report"),
    "annual_results": ("Річна інформація про результати та досягнення індикаторів", "Annual results and indicators"),
    "ministry_report": ("Звіти Мінцифри про хід і результати виконання", "Reports to the Ministry"),
}


def _quarter_due(year: int, quarter: int) -> dt.date:
    return dt.date(year + 1, 1, 5) if quarter == 4 else dt.date(year, 3 * quarter + 1, 5)


def program_calendar(conn: Connection, pid: int, today: dt.date | None = None) -> dict:
    today = today or clock.today()
    doc, ids = _read(conn, pid)
    projects = {ref: pid_ for ref, pid_ in ids["projects"].items()}
    reports = {(r.project_id, r.year, r.quarter) for r in conn.execute(
        select(program_project_report.c.project_id, program_project_report.c.year, program_project_report.c.quarter)
        .where(program_project_report.c.project_id.in_(list(projects.values()) or [-1])))}
    actuals = {(r.indicator_id, r.year) for r in conn.execute(
        select(program_indicator_actual.c.indicator_id, program_indicator_actual.c.year)
        .where(program_indicator_actual.c.indicator_id.in_(list(ids["indicators"].values()) or [-1]),
               program_indicator_actual.c.quarter == 0))}
    submitted = set(conn.execute(select(program_submission.c.year).where(
        program_submission.c.program_id == pid, program_submission.c.kind == "ministry_report")).scalars())
    items = []

    def add(kind: str, year: int, due: dt.date, missing: list[str], quarter: int | None = None, expected: int = 0):
        status = "done" if not missing else ("overdue" if due < today else "due")
        uk, en = KINDS[kind]
        items.append({"kind": kind, "label": {"uk": uk, "en": en}, "year": year, "quarter": quarter,
                      "due": due.isoformat(), "status": status, "expected": expected, "missing": missing})

    for year in doc.years:
        active = [pr.ref for _, pr in doc.projects() if active_in(pr, year)]
        for quarter in (1, 2, 3, 4):
            if active:
                missing = [ref for ref in active if (projects[ref], year, quarter) not in reports]
                add("quarterly_report", year, _quarter_due(year, quarter), missing, quarter, len(active))
        indicators = [i.ref for i in doc.indicators]
        if indicators:
            missing = [ref for ref in indicators if (ids["indicators"][ref], year) not in actuals]
            add("annual_results", year, dt.date(year + 1, 1, 31), missing, expected=len(indicators))
        add("ministry_report", year, dt.date(year + 1, 3, 1), [] if year in submitted else ["report"], expected=1)
    items.sort(key=lambda i: (i["due"], i["kind"]))
    upcoming = [i for i in items if i["status"] == "due"]
    return {
        "program_id": pid, "today": today.isoformat(), "items": items,
        "overdue": [i for i in items if i["status"] == "overdue"],
        "next_due": upcoming[0] if upcoming else None,
    }

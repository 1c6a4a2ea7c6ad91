"""The figures of a report, assembled from the program, the executors' quarterly reports, entered
actuals and the computed indicators: plain dicts and lists that every template format reads.

Money is in тис. грн as the program holds it (exact decimals); a cell that holds a marker
(«В межах кошторисних призначень», «+», «-») adds nothing to a sum and is shown as written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, select, text

from .. import clock
from ..db.models import territory
from ..indicators.progress import program_progress
from ..program import reporting, store
from ..program.checks import active_in, check_document, funding_totals
from ..program.values import source_key
from .labels import KIND_TITLES, QUARTER_NAMES, SOURCE, STATUS

SQL_DIR = Path(__file__).resolve().parent / "sql"
ZERO = Decimal(0)


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _pair(key: tuple[str, str]) -> dict:
    return {"uk": key[0], "en": key[1]}


def _number(value):
    return value if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool) else None


def planned(project, year: int) -> tuple[Decimal, list[dict], str | None]:
    """(sum of the year's amounts, each funding line's amount or marker, the marker when no money)."""
    lines, total, markers = [], ZERO, []
    for line in project.funding:
        amount = line.amounts.get(year)
        lines.append({"source": line.source or "", "amount": amount})
        if isinstance(amount, Decimal):
            total += amount
        elif amount is not None:
            markers.append(amount)
    marker = markers[0] if markers and total == 0 and not any(isinstance(l["amount"], Decimal) for l in lines) else None
    return total, lines, marker


def hromada_name(conn: Connection, code: str | None) -> str | None:
    if code is None:
        return None
    return conn.execute(select(territory.c.name).where(territory.c.code == code)).scalar()


def _header(conn: Connection, prog, kind: str, year: int, quarter: int | None) -> dict:
    title_uk, title_en = KIND_TITLES[kind]
    if kind == "quarterly":
        due = dt.date(year + 1, 1, 5) if quarter == 4 else dt.date(year, 3 * quarter + 1, 5)
        period = {"uk": f"{QUARTER_NAMES[quarter]} квартал {year} року", "en": f"Q{quarter} {year}"}
    else:
        due = dt.date(year + 1, 1, 31)
        period = {"uk": f"{year} рік", "en": f"year {year}"}
    return {
        "kind": kind, "title": {"uk": title_uk, "en": title_en}, "year": year, "quarter": quarter,
        "period": period, "due": due.isoformat(),
        "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "program": {
            "id": prog.id, "title": prog.title, "hromada": prog.hromada,
            "hromada_name": hromada_name(conn, prog.hromada), "period": f"{prog.period_start}–{prog.period_end}",
            "period_start": prog.period_start, "period_end": prog.period_end, "version": prog.version,
            "head": prog.passport.head, "executors": prog.passport.executors,
        },
    }


def _reports(conn: Connection, pid: int, year: int, quarter: int) -> dict[int, dict]:
    rows = conn.execute(text(sql("spent_by_project")), {"program": pid, "year": year, "quarter": quarter})
    return {r.project_id: r._asdict() for r in rows}


def _status(project, reported: dict | None, year: int, quarter: int) -> str:
    if not active_in(project, year):
        return "inactive"
    if project.progress is not None and project.progress.linked and project.progress.share == 100:
        return "done"
    if reported is None or (quarter and not reported.get("reports_in_quarter")):
        return "no_report"
    pct = reported.get("progress_pct")
    if pct is None:
        return "in_progress"
    return "done" if pct >= 100 else ("in_progress" if pct > 0 else "not_started")


def project_rows(prog, year: int, quarter: int, reports: dict[int, dict], executor: str | None = None) -> list[dict]:
    rows = []
    names = {p.code: p.name for p in prog.priorities}
    for priority in prog.priorities:
        for pr in priority.projects:
            if executor and executor.casefold() not in (pr.executors or "").casefold():
                continue
            total, lines, marker = planned(pr, year)
            rep = reports.get(pr.id)
            status = _status(pr, rep, year, quarter)
            rows.append({
                "ref": pr.ref, "priority": priority.code, "priority_name": names[priority.code], "name": pr.name,
                "executors": pr.executors or "", "term": pr.term or "",
                "sources": "; ".join(dict.fromkeys(l["source"] for l in lines if l["source"])),
                "funding": lines, "planned": total if marker is None else marker, "planned_number": total,
                "spent_quarter": rep["spent_quarter"] if rep else None,
                "spent_ytd": rep["spent_ytd"] if rep else None,
                "progress_pct": (rep or {}).get("progress_pct"),
                "linked_built": (f"{pr.progress.built}/{pr.progress.linked}"
                                 if pr.progress is not None and pr.progress.linked else ""),
                "narrative": (rep or {}).get("narrative") or "",
                "status_code": status, "status": _pair(STATUS[status]), "active": active_in(pr, year),
            })
    return rows


def _sum(rows: list[dict], key: str) -> Decimal:
    return sum((r[key] for r in rows if isinstance(r[key], Decimal)), ZERO)


def quarterly(conn: Connection, pid: int, year: int, quarter: int, executor: str | None = None) -> dict:
    prog = store.read_program(conn, pid)
    ctx = _header(conn, prog, "quarterly", year, quarter)
    rows = project_rows(prog, year, quarter, _reports(conn, pid, year, quarter), executor)
    active = [r for r in rows if r["active"]]
    ctx.update({
        "executor": executor or "",
        "projects": active,
        "inactive_projects": [r for r in rows if not r["active"]],
        "totals": {"planned": _sum(active, "planned_number"), "spent_quarter": _sum(active, "spent_quarter"),
                   "spent_ytd": _sum(active, "spent_ytd"), "projects": len(active),
                   "reported": sum(1 for r in active if r["status_code"] != "no_report")},
    })
    return ctx


# ---------------------------------------------------------------------------------------- annual
def _source_rows(prog, years: list[int], spent: dict[int, dict]) -> list[dict]:
    """Planned funding per priority and source (each year and the period) with the year's reported spending."""
    out = []
    for priority in prog.priorities:
        by_source: dict[str, dict] = {}
        for pr in priority.projects:
            for line in pr.funding:
                slot = by_source.setdefault(source_key(line.source) or "", {
                    "priority": priority.code, "priority_name": priority.name, "source": line.source or "",
                    "years": {y: ZERO for y in years}, "markers": set()})
                for y, amount in line.amounts.items():
                    if isinstance(amount, Decimal) and y in slot["years"]:
                        slot["years"][y] += amount
                    elif amount is not None:
                        slot["markers"].add(amount)
        for slot in by_source.values():
            slot["total"] = sum(slot["years"].values(), ZERO)
            slot["amounts"] = [slot["years"][y] for y in years]
            slot["markers"] = ", ".join(sorted(slot["markers"]))
            out.append(slot)
    return out


def annual(conn: Connection, pid: int, year: int, as_of: dt.date | None = None) -> dict:
    prog = store.read_program(conn, pid)
    as_of = as_of or min(dt.date(year, 12, 31), clock.today())
    ctx = _header(conn, prog, "annual", year, None)
    doc = store.read_document(conn, pid)
    years = doc.years
    reports = _reports(conn, pid, year, 4)
    totals = funding_totals(doc)
    progress = program_progress(conn, pid, as_of) if prog.hromada else {"indicators": [], "unbound": []}
    computed = {i["indicator_id"]: i for i in progress["indicators"]}
    entered = {a.indicator_id: a for a in reporting.list_actuals(conn, pid) if a.year == year and a.quarter == 0}
    priority_names = {p.code: p.name for p in prog.priorities}

    indicators = []
    for ind in prog.indicators:
        c, e = computed.get(ind.id), entered.get(ind.id)
        target = ind.targets.get(year)
        actual, source, comment, pct = None, "none", "", None
        if c is not None and c.get("year") == year and c.get("actual") is not None:
            actual, source, pct = c["actual"], "computed", c.get("pct_of_target")
            comment = f"{c['metric']['code']}, {as_of.isoformat()}"
            if c.get("note"):
                comment += f"; {c['note']['uk']}"
        elif e is not None and e.value is not None:
            actual, source = e.value, e.source if e.source in SOURCE else "entered"
            comment = e.note or (f"{e.entered_by}" if e.entered_by else "")
        elif c is not None and c.get("note"):
            comment = c["note"]["uk"]
        if pct is None and _number(actual) is not None and _number(target) not in (None, 0):
            pct = round(100.0 * float(actual) / float(target), 2)
        if isinstance(actual, bool):
            actual = "Так" if actual else "Ні"
        if isinstance(actual, float):
            actual = round(actual, 2)
        indicators.append({
            "ref": ind.ref, "name": ind.name, "unit": ind.unit or "", "priority": ind.priority or "",
            "priority_name": priority_names.get(ind.priority or "", ""),
            "baseline": ind.baseline, "baseline_year": ind.baseline_year, "target": target, "actual": actual,
            "source_code": source, "source": _pair(SOURCE[source]), "pct": pct, "comment": comment,
            "metric": c["metric"]["code"] if c else (ind.metric or ""),
            "on_track": c.get("on_track") if c else None,
        })

    rows = project_rows(prog, year, 0, {k: {**v, "reports_in_quarter": 1} for k, v in reports.items()})
    completed, carried, unfinished = [], [], []
    for r in rows:
        if not r["active"]:
            continue
        if r["status_code"] == "done":
            completed.append(r)
            continue
        project = next(pr for p in prog.priorities for pr in p.projects if pr.ref == r["ref"])
        nxt = year < prog.period_end and active_in(project, year + 1)
        r = {**r, "status_code": "carried_over" if nxt else "unfinished",
             "status": _pair(STATUS["carried_over" if nxt else "unfinished"])}
        (carried if nxt else unfinished).append(r)

    priorities = []
    for p in prog.priorities:
        ys = totals["priorities"][p.code]["years"]
        spent = sum((v["spent_ytd"] or ZERO for k, v in reports.items()
                     if any(pr.id == k for pr in p.projects)), ZERO)
        priorities.append({"code": p.code, "name": p.name, "amounts": [ys[y] for y in years],
                           "total": totals["priorities"][p.code]["total"], "planned_year": ys.get(year, ZERO),
                           "spent_year": spent})
    ctx.update({
        "as_of": as_of.isoformat(),
        "years": years,
        "funding": {"amounts": [totals["years"][y] for y in years], "total": totals["total"],
                    "planned_year": totals["years"].get(year, ZERO),
                    "spent_year": sum((v["spent_ytd"] or ZERO for v in reports.values()), ZERO)},
        "funding_sources": [{"source": s["source"] or "", "amounts": [s["years"][y] for y in years],
                             "total": s["total"]} for s in totals["sources"]],
        "priorities": priorities,
        "priority_sources": _source_rows(prog, years, reports),
        "indicators": indicators,
        "indicators_computed": sum(1 for i in indicators if i["source_code"] == "computed"),
        "projects": [r for r in rows if r["active"]],
        "projects_completed": completed, "projects_carried": carried, "projects_unfinished": unfinished,
        "mismatches": [m.public() for m in check_document(doc)],
        "bound": [i for i in progress["indicators"]],
    })
    return ctx

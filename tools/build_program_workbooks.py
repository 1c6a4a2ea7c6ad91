"""Build the shipped program data from the seed documents (a developer's tool, not the product).

    .venv/bin/python tools/build_program_workbooks.py [--seeds ../shared/seeds]
        [--analysis ../shared/docs/SEEDS-ANALYSIS.md]

Writes, beside this file:

* ``canonical_indicators.csv``: the 101 canonical codes of SEEDS-ANALYSIS §2.4, the 42 of §2.5
  marked ``recurring``;
* ``demo/balakliia.xlsx``, ``demo/khmilnyk.xlsx``, ``demo/kremenchuk.xlsx``: the programs of
  seeds 001, 004 and 002 in the official annex layout, built cell by cell from the seed text. Every
  row carries «Рядок джерела» = ``file:first-last line``, and the passport its fields' lines.

Canonical codes are assigned to the seeds' indicators by the line numbers of SEEDS-ANALYSIS §2.2.
The product and the tests read only the files written here, never the seeds.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
HERE = PROJECT / "gisplan" / "program" / "data"  # where the built files go
sys.path.insert(0, str(PROJECT))

from gisplan.program.canonical import METHOD_OF_CLASS  # noqa: E402
from gisplan.program.checks import declared_dynamics_number  # noqa: E402
from gisplan.program.schemas import (  # noqa: E402
    DeclaredTotalIn, FundingIn, GoalIn, IndicatorIn, Passport, PriorityIn, ProgramDocument, ProjectIn, TaskIn,
)
from gisplan.program.values import clean_text, parse_amount, parse_indicator_value, parse_number  # noqa: E402
from gisplan.program.xlsx import write_workbook  # noqa: E402

BALAKLIIA = "balakliia-indicators-2025-2027.txt"
KHMILNYK = "khmilnyk-program-2023-2025.txt"
KREMENCHUK = "kremenchuk-program-2026-2028.txt"


# ---------------------------------------------------------------------------- the catalogue
def build_catalogue(analysis: Path) -> tuple[list[dict], dict[str, dict[int, str]]]:
    """§2.4 rows (101), §2.5 ranks (42) and, per seed, line → canonical code from §2.2."""
    lines = analysis.read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("### 2.4 "))
    recurring_at = next(i for i, l in enumerate(lines) if l.startswith("### 2.5 "))
    end = next(i for i, l in enumerate(lines) if l.startswith("### 2.6 "))
    rows = []
    for line in lines[start:recurring_at]:
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.split("|")[1:-1]]
        code, uk, en, cls, seeds, _n, units, formula = cells
        rows.append({"code": code.strip("`"), "name_uk": uk, "name_en": en, "class": cls.split()[0],
                     "units": units, "formula": formula, "seed_rows": seeds, "recurring": "false",
                     "recurring_rank": ""})
    by_code = {r["code"]: r for r in rows}
    for line in lines[recurring_at:end]:
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) > 2 and cells[0].isdigit() and cells[1].startswith("`"):
            r = by_code[cells[1].strip("`")]
            r["recurring"], r["recurring_rank"] = "true", cells[0]
    per_seed: dict[str, dict[int, str]] = {}
    for line in lines:
        m = re.match(r"^\| (S\d)-\d+ \| (\d+) \|", line)
        if m:
            code = re.findall(r"`([A-Z0-9_]+)`", line)[-1]
            per_seed.setdefault(m.group(1), {})[int(m.group(2))] = code
    assert len(rows) == 101, len(rows)
    assert sum(r["recurring"] == "true" for r in rows) == 42
    return rows, per_seed


def write_catalogue(rows: list[dict]) -> None:
    with (HERE / "canonical_indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


# ---------------------------------------------------------------------------- seed text
@dataclass
class Cell:
    text: str
    line: int


def cell_rows(path: Path, first: int, last: int) -> list[list[Cell]]:
    """Tables extracted one cell per line: a line starting with a tab opens a cell, a line
    without one continues it, a blank line ends the row."""
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if n < first or n > last:
            continue
        if raw == "":
            if row:
                rows.append(row)
            row = []
        elif raw.startswith("\t"):
            row.append(Cell(clean_text(raw), n))
        elif row:
            row[-1] = Cell(clean_text(row[-1].text + " " + raw), row[-1].line)
    if row:
        rows.append(row)
    return rows


def ref(path: Path, first: int, last: int | None = None) -> str:
    return f"{path.name}:{first}" + (f"-{last}" if last and last != first else "")


def span(path: Path, cells: list[Cell]) -> str:
    lines = [c.line for c in cells]
    return ref(path, min(lines), max(lines))


def line_text(path: Path, n: int) -> str:
    return clean_text(path.read_text(encoding="utf-8").splitlines()[n - 1])


def regulation(name: str) -> str | None:
    m = re.search(r"(РКМУ\s*\d+|Постанов\w*\s+КМУ\s*№\s*\d+)", name)
    return clean_text(m.group(1)) if m else None


def canonical_fields(code: str | None, catalogue: dict[str, dict]) -> dict:
    if code is None:
        return {"canonical_code": None, "method": "manual"}
    return {"canonical_code": code, "method": METHOD_OF_CLASS[catalogue[code]["class"]]}


def infer_semantics(baseline, targets: list, declared: str | None, convention: str) -> str | None:
    """Which value semantics reproduces the declared dynamics (SEEDS-ANALYSIS §2.3); the seed's
    convention when none does (so that the check reports the row)."""
    numbers = [t for t in targets if isinstance(t, Decimal)]
    if not numbers:
        return "level"
    d = declared_dynamics_number(declared)
    if d is None:
        return convention
    if d == sum(numbers, Decimal(0)):
        return "increment"
    start = baseline if isinstance(baseline, Decimal) else numbers[0]
    if d == numbers[-1] - start:
        return "level"
    return convention


# ---------------------------------------------------------------------------- seed 002
def kremenchuk(seeds: Path, catalogue: dict, canon: dict[int, str]) -> ProgramDocument:
    path = seeds / KREMENCHUK
    years = [2026, 2027, 2028]
    title_m = re.search(r"(Програма інформатизації Кременчуцької міської територіальної громади на 2026-2028 роки)",
                        line_text(path, 2))
    priorities: list[PriorityIn] = []
    totals: list[DeclaredTotalIn] = []
    task: str | None = None
    scope: str | None = None
    for row in cell_rows(path, 102, 505):
        texts = [c.text for c in row]
        if len(row) == 1 and texts[0].startswith("Пріоритетний напрям"):
            name = re.match(r"Пріоритетний напрям «(.+)»$", texts[0]).group(1)
            priorities.append(PriorityIn(code=str(len(priorities) + 1), name=name, source_ref=span(path, row)))
            task, scope = None, None
            continue
        if len(row) == 6:  # «Всього за …» rows: label, source, three years, period
            label, source = texts[0], texts[1]
            if label:
                scope = "priority" if "напрям" in label else "program"
            totals.append(DeclaredTotalIn(
                scope=scope, priority=priorities[-1].code if scope == "priority" else None,
                source=None if source.startswith("загальний обсяг") else source,
                amounts={y: parse_amount(t) for y, t in zip(years, texts[2:5])},
                total=parse_amount(texts[5]), source_ref=span(path, row)))
            continue
        assert len(row) == 9, (row[0].line, texts)
        priority = priorities[-1]
        if texts[0]:
            task = texts[0]
            if task not in [t.name for t in priority.tasks]:
                priority.tasks.append(TaskIn(name=task, source_ref=span(path, row)))
        priority.projects.append(ProjectIn(
            ref=str(sum(len(p.projects) for p in priorities) + 1), name=texts[1], task=task,
            executors=texts[2], term=texts[3] or None, source_ref=span(path, row),
            funding=[FundingIn(source=texts[4], amounts={y: parse_amount(t) for y, t in zip(years, texts[5:8])},
                               total=parse_amount(texts[8]))]))
    indicators = []
    current: str | None = None
    for row in cell_rows(path, 545, 805):
        texts = [c.text for c in row]
        assert len(row) == 9, (row[0].line, texts)
        if texts[0]:
            current = texts[0]
            assert priorities[int(current) - 1].name == texts[1], texts[1]
        baseline = parse_indicator_value(texts[4])
        targets = {y: parse_indicator_value(t) for y, t in zip(years, texts[5:8])}
        indicators.append(IndicatorIn(
            ref=str(len(indicators) + 1), priority=current, name=texts[2], unit=texts[3], baseline=baseline,
            targets={y: v for y, v in targets.items() if v is not None}, declared_dynamics=texts[8] or None,
            value_semantics="level", regulation_ref=regulation(texts[2]), source_ref=span(path, row),
            **canonical_fields(canon.get(row[2].line), catalogue)))
    signatory = " ".join(clean_text(line_text(path, n)) for n in (511, 515))
    return ProgramDocument(
        title=title_m.group(1), period_start=2026, period_end=2028, priorities=priorities,
        indicators=indicators, declared_totals=totals,
        passport=Passport(signatory=signatory, source_refs={"title": ref(path, 2), "signatory": ref(path, 511, 515),
                                                            "period": ref(path, 2)}))


# ---------------------------------------------------------------------------- seed 004
def _tab_rows(path: Path, first: int, last: int) -> list[tuple[int, list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for n in range(first, last + 1):
        cells = lines[n - 1].split("\t")
        if len(cells) < 8:
            continue
        cells = [clean_text(re.sub(r"<[^>]+>", " ", c)) for c in cells]
        while cells and cells[-1] == "" and len(cells) > 9:
            cells.pop()
        out.append((n, cells))
    return out


def _passport_value(path: Path, n: int) -> str | None:
    text = line_text(path, n)
    m = re.search(r"\*\*(.*?)\*\*", text)
    return clean_text(m.group(1)) if m else None


def khmilnyk(seeds: Path, catalogue: dict, canon: dict[int, str]) -> ProgramDocument:
    path = seeds / KHMILNYK
    years = [2023, 2024, 2025]
    refs: dict[str, str] = {}

    def field(key: str, n: int) -> str | None:
        value = _passport_value(path, n)
        if value is not None:
            refs[key] = ref(path, n)
        return value

    def count(key: str, n: int) -> int:
        refs[key] = ref(path, n)
        return int(_passport_value(path, n))

    passport = Passport(
        community=field("community", 45), approval=field("approval", 46), head=field("head", 47),
        goal=field("goal", 48), info_center=field("info_center", 49),
        tasks_current_year=count("tasks_current_year", 50), tasks_next_year=count("tasks_next_year", 51),
        tasks_three_years=count("tasks_three_years", 52), source_refs=refs)
    refs["title"] = ref(path, 5)
    refs["period"] = ref(path, 5)
    refs["passport_form"] = ref(path, 41, 56)

    def money(n: int) -> Decimal:
        return parse_number(re.sub(r"тис\.\s*грн", "", _passport_value(path, n)))

    passport_total = DeclaredTotalIn(scope="passport", amounts={2023: money(53), 2024: money(54), 2025: money(55)},
                                     total=money(56), source_ref=ref(path, 53, 56))
    goals: list[GoalIn] = []
    priorities: list[PriorityIn] = []
    rows: list[tuple[list[int], list[str]]] = []
    for n, cells in _tab_rows(path, 1029, 1101):
        if re.match(r"^\d+\.\s", cells[0]) and not any(cells[1:]):
            code, name = re.match(r"^(\d+)\.\s+(.+)$", cells[0]).groups()
            goals.append(GoalIn(code=code, name=name, source_ref=ref(path, n)))
        elif re.match(r"^\d+\.\d+\.?\s", cells[0]) and not any(cells[1:]):
            code, name = re.match(r"^(\d+\.\d+)\.?\s+(.+)$", cells[0]).groups()
            priorities.append(PriorityIn(code=code, name=name, goal=goals[-1].code, source_ref=ref(path, n)))
        elif cells[0].isdigit():
            rows.append(([n], cells[:9]))
            rows[-1][1].append(priorities[-1].code)
        elif not cells[0] and any(cells):  # a row broken by a page: its cells continue the row above
            lines_, previous = rows[-1]
            for i, text in enumerate(cells[:9]):
                if text:
                    previous[i] = clean_text(previous[i] + " " + text)
            lines_.append(n)
    by_code = {p.code: p for p in priorities}
    for lines_, c in rows:
        number, name, result, y1, y2, y3, total, executors, source, priority = c
        by_code[priority].projects.append(ProjectIn(
            ref=number, name=name, result=result or None, executors=executors, source_ref=ref(path, lines_[0], lines_[-1]),
            funding=[FundingIn(source=source, amounts={y: a for y, t in zip(years, (y1, y2, y3))
                                                       if (a := parse_amount(t)) is not None},
                               total=parse_amount(total))]))
    indicators: list[IndicatorIn] = []
    goal: str | None = None
    pending: list[tuple[list[int], list[str]]] = []
    for n, cells in _tab_rows(path, 1109, 1155):
        if len(cells) == 8:  # the priority column is missing on these rows
            cells = [cells[0], "", *cells[1:]]
        number, gname, name, unit, base, y1, y2, y3, dyn = cells[:9]
        if not unit and not any((base, y1, y2, y3, dyn)):
            pending[-1][0].append(n)
            pending[-1][1][2] = clean_text(pending[-1][1][2] + " " + name)
            continue
        if number:
            assert goals[int(number) - 1].name == gname, gname
        pending.append(([n], [number, gname, name, unit, base, y1, y2, y3, dyn]))
    for i, (lines_, cells) in enumerate(pending, start=1):
        number, gname, name, unit, base, y1, y2, y3, dyn = cells
        if number:
            goal = number
        baseline = parse_indicator_value(base)
        targets = {y: v for y, t in zip(years, (y1, y2, y3)) if (v := parse_indicator_value(t)) is not None}
        numbers = [v for v in [baseline, *targets.values()] if isinstance(v, Decimal)]
        share = numbers and sum(numbers, Decimal(0)) == 100
        semantics = "project_progress_share" if share else "level"
        indicators.append(IndicatorIn(
            ref=str(i), goal=goal, project=str(i), name=name, unit=unit, baseline=baseline,
            baseline_year=2022 if baseline is not None else None, targets=targets, declared_dynamics=dyn or None,
            value_semantics=semantics, source_ref=ref(path, lines_[0], lines_[-1]),
            **canonical_fields(canon.get(lines_[0]), catalogue)))
    return ProgramDocument(
        title=line_text(path, 5), period_start=2023, period_end=2025, passport_form="egap_2023", passport=passport,
        goals=goals, priorities=priorities, indicators=indicators, declared_totals=[passport_total])


# ---------------------------------------------------------------------------- seed 001
def balakliia(seeds: Path, catalogue: dict, canon: dict[int, str]) -> ProgramDocument:
    path = seeds / BALAKLIIA
    years = [2025, 2026, 2027]
    title = re.sub(r"^Програми\b", "Програма", line_text(path, 7))
    indicators: list[IndicatorIn] = []
    priorities: list[PriorityIn] = []
    current: str | None = None
    for row in cell_rows(path, 32, 492):
        texts = [c.text for c in row]
        assert len(row) == 8, (row[0].line, texts)
        number, pname, name, unit, y1, y2, y3, dyn = texts
        if number:
            current = number.rstrip(".")
            priorities.append(PriorityIn(code=current, name=pname, source_ref=span(path, row[:2])))
        targets = {y: v for y, t in zip(years, (y1, y2, y3)) if (v := parse_indicator_value(t)) is not None}
        semantics = infer_semantics(None, list(targets.values()), dyn, "increment")
        indicators.append(IndicatorIn(
            ref=str(len(indicators) + 1), priority=current, name=name, unit=unit, targets=targets,
            declared_dynamics=dyn or None, value_semantics=semantics, regulation_ref=regulation(name),
            source_ref=span(path, row), **canonical_fields(canon.get(row[2].line), catalogue)))
    signatory = " ".join(line_text(path, n) for n in (495, 496))
    return ProgramDocument(
        title=title, period_start=2025, period_end=2027, priorities=priorities, indicators=indicators,
        passport=Passport(signatory=signatory, source_refs={"title": ref(path, 7), "period": ref(path, 27, 29),
                                                            "signatory": ref(path, 495, 496)}))


def main() -> None:
    root = PROJECT.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=root / "shared" / "seeds")
    ap.add_argument("--analysis", type=Path, default=root / "shared" / "docs" / "SEEDS-ANALYSIS.md")
    args = ap.parse_args()
    rows, per_seed = build_catalogue(args.analysis)
    write_catalogue(rows)
    catalogue = {r["code"]: r for r in rows}
    (HERE / "demo").mkdir(exist_ok=True)
    for name, build, seed in (("balakliia", balakliia, "S1"), ("khmilnyk", khmilnyk, "S4"),
                              ("kremenchuk", kremenchuk, "S2")):
        doc = build(args.seeds, catalogue, per_seed[seed])
        (HERE / "demo" / f"{name}.xlsx").write_bytes(write_workbook(doc))
        projects = sum(len(p.projects) for p in doc.priorities)
        print(f"{name}: {len(doc.priorities)} priorities, {projects} projects, {len(doc.indicators)} indicators")


if __name__ == "__main__":
    main()

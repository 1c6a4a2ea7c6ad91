"""Programs as XLSX workbooks in the layout of the official annexes.

Sheets: «Паспорт» (field / value), «Додаток 1» (tasks, projects, executors, terms, sources,
amounts per year and total, with «Всього за напрямом» / «Всього за програмою» rows) and
«Додаток 2» (indicators, units, baseline, targets per year, dynamics), each with a hidden
«Рядок джерела» column that says where every row comes from.

Reading is tolerant (columns are found by their headers, numbers may be text with a decimal comma
and space thousands, empty task and priority cells carry the row above forward, as merged cells
do) and strict about what it cannot understand: every problem names the sheet, the row and the
column, and nothing is returned unless the whole workbook reads. Writing then reading gives the
same :class:`~gisplan.program.schemas.ProgramDocument`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from .errors import ProgramError
from .canonical import is_canonical
from .document import complete
from .schemas import (
    PASSPORT_FIELDS, PASSPORT_INT_FIELDS, DeclaredTotalIn, FundingIn, GoalIn, IndicatorIn, Passport,
    PriorityIn, ProgramDocument, ProjectIn, TaskIn,
)
from .values import (
    ValueProblem, clean_text, decimals, fmt, name_key, parse_amount, parse_indicator_value, parse_number,
)

PASSPORT_SHEET = "Паспорт"
TASKS_SHEET = "Додаток 1"
INDICATORS_SHEET = "Додаток 2"
SOURCE_HEADER = "Рядок джерела"
MAX_PROBLEMS = 50

FORM_LABELS = {
    "national_2024": "2024 (код КАТОТТГ, погодження Мінцифри)",
    "egap_2023": "EGAP 2023 (стратегічні цілі)",
}
SEMANTICS_LABELS = {
    "level": "рівень", "increment": "приріст", "project_progress_share": "частка виконання проєкту",
}
METHOD_LABELS = {"layers": "з шарів", "registry": "з реєстру", "manual": "вручну"}
TOTAL_PRIORITY = "Всього за напрямом:"
TOTAL_PROGRAM = "Всього за програмою:"
ALL_SOURCES = "загальний обсяг, у тому числі:"


# ------------------------------------------------------------------------------------ errors
@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class WorkbookError(ProgramError):
    """The workbook cannot be read; ``problems`` name sheet, row and column of each cause."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")

    def details(self) -> list[dict]:
        return [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                for p in self.problems]


class _Stop(Exception):
    pass


@dataclass
class _Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(sheet, row, column, message))
        if len(self.items) >= MAX_PROBLEMS:
            raise _Stop


# ------------------------------------------------------------------------------ cell helpers
_DECIMALS_IN_FORMAT = re.compile(r"\.(0+)")


def cell_number(value: Any, number_format: str | None) -> Decimal:
    """A numeric cell as an exact decimal with the scale its format shows (``100,0`` → 100.0)."""
    if isinstance(value, bool):
        raise ValueProblem("a yes/no cell where a number was expected")
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    m = _DECIMALS_IN_FORMAT.search(number_format or "")
    if m:
        return number.quantize(Decimal(1).scaleb(-len(m.group(1))))
    return number


def _number_format(value: Decimal) -> str:
    places = decimals(value)
    return "#,##0" + ("." + "0" * places if places else "")


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Decimal):
        cell.value = int(value) if decimals(value) == 0 else float(value)
        cell.number_format = _number_format(value)
    elif value is None or value == "":
        cell.value = None
    else:
        cell.value = value
        if isinstance(value, str):
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _text(value: Any) -> str | None:
    """A text cell, cleaned; numbers become their written form."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt(Decimal(value) if isinstance(value, int) else Decimal(repr(value)))
    text = clean_text(str(value))
    return text or None


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    number = parse_number(str(value))
    if number is None or number != number.to_integral_value():
        raise ValueProblem(f"expected a whole number; got {value!r}")
    return int(number)


def _year(value: Any) -> int | None:
    try:
        year = _int(value)
    except ValueProblem:
        return None
    return year if year is not None and 1990 <= year <= 2100 else None


_PERIOD = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")


def _header_key(value: Any) -> str:
    return name_key(str(value)) if value is not None else ""


# ------------------------------------------------------------------------------------ writing
@dataclass
class Layout:
    """Where the writer put things: rows and column headers, for messages that name a place."""

    passport_rows: dict[str, int] = field(default_factory=dict)
    project_rows: dict[tuple[str, int], int] = field(default_factory=dict)  # (project ref, line) → row
    total_rows: dict[int, int] = field(default_factory=dict)  # index in declared_totals → row
    indicator_rows: dict[str, int] = field(default_factory=dict)
    amount_columns: dict[int | str, str] = field(default_factory=dict)  # year or "total" → "J (2026)"
    dynamics_column: str = ""


def _col(col: int, header: str) -> str:
    return f"{get_column_letter(col)} ({header})"


def _title_rows(ws: Worksheet, annex: str, heading: str, width: int) -> None:
    ws.cell(row=1, column=1, value=annex).font = Font(bold=True)
    ws.cell(row=2, column=1, value=heading).font = Font(bold=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _section(ws: Worksheet, row: int, text: str, width: int, source_col: int, source_ref: str | None) -> None:
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = Font(bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    _put(ws, row, source_col, source_ref)


def _hide(ws: Worksheet, col: int) -> None:
    ws.column_dimensions[get_column_letter(col)].hidden = True


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _write_passport(wb: Workbook, doc: ProgramDocument, layout: Layout) -> None:
    ws = wb.active
    ws.title = PASSPORT_SHEET
    ws.cell(row=1, column=1, value="Паспорт програми").font = Font(bold=True)
    _header(ws, 2, ["Поле", "Значення", "Ключ", SOURCE_HEADER])
    refs = doc.passport.source_refs
    rows: list[tuple[str, str, Any, str | None]] = [
        ("title", "Назва програми", doc.title, refs.get("title")),
        ("hromada", "Код громади за КАТОТТГ", doc.hromada, refs.get("hromada")),
        ("period", "Період дії програми", f"{doc.period_start}-{doc.period_end}", refs.get("period")),
        ("passport_form", "Форма паспорта", FORM_LABELS.get(doc.passport_form or ""), refs.get("passport_form")),
    ]
    for key, uk, _en in PASSPORT_FIELDS:
        value = getattr(doc.passport, key)
        rows.append((key, uk, Decimal(value) if isinstance(value, int) else value, refs.get(key)))
    for total in doc.declared_totals:
        if total.scope != "passport":
            continue
        src = total.source or ""
        label_src = f" ({total.source})" if total.source else ""
        for year in doc.years:
            if year in total.amounts:
                rows.append((f"funding|{year}|{src}", f"Обсяги фінансування на {year} рік{label_src}, тис. грн",
                             total.amounts[year], total.source_ref))
        if total.total is not None:
            rows.append((f"funding|total|{src}", f"Загальний обсяг фінансування{label_src}, тис. грн",
                         total.total, total.source_ref))
    for i, (key, label, value, ref) in enumerate(rows, start=3):
        layout.passport_rows[key] = i
        _put(ws, i, 1, label)
        _put(ws, i, 2, value)
        _put(ws, i, 3, key)
        _put(ws, i, 4, ref)
    _widths(ws, {1: 60, 2: 90, 3: 24, 4: 40})
    _hide(ws, 3)
    _hide(ws, 4)


def _tasks_headers(doc: ProgramDocument) -> list[str]:
    return ["№", "Назва завдання", "Назва проєкту, робіт з інформатизації",
            "Показники ефективності (очікувані результати)", "Відповідальні за виконання",
            "Строки виконання", "Джерело фінансування", *[str(y) for y in doc.years],
            f"{doc.period_start}-{doc.period_end}", SOURCE_HEADER]


def _write_tasks(wb: Workbook, doc: ProgramDocument, layout: Layout) -> None:
    ws = wb.create_sheet(TASKS_SHEET)
    headers = _tasks_headers(doc)
    width = len(headers) - 1
    source_col = len(headers)
    first_year = 8
    total_col = first_year + len(doc.years)
    _title_rows(ws, "Додаток 1", f"Перелік завдань, проєктів, робіт з інформатизації. {doc.title}", width)
    _header(ws, 3, headers[:first_year - 1] + ["Обсяги фінансування, тис. грн"] + [""] * len(doc.years)
            + [SOURCE_HEADER])
    ws.merge_cells(start_row=3, start_column=first_year, end_row=3, end_column=total_col)
    _header(ws, 4, [""] * (first_year - 1) + headers[first_year - 1:total_col])
    goals = {g.code: g for g in doc.goals}
    row = 5
    for i, year in enumerate(doc.years):
        layout.amount_columns[year] = _col(first_year + i, str(year))
    layout.amount_columns["total"] = _col(total_col, f"{doc.period_start}-{doc.period_end}")

    def amounts(r: int, line_amounts: dict, total) -> None:
        for i, year in enumerate(doc.years):
            _put(ws, r, first_year + i, line_amounts.get(year))
        _put(ws, r, total_col, total)

    def totals(scope: str, priority_code: str | None) -> int:
        nonlocal row
        for index, t in enumerate(doc.declared_totals):
            if t.scope == scope and t.priority == priority_code:
                layout.total_rows[index] = row
                _put(ws, row, 2, TOTAL_PRIORITY if scope == "priority" else TOTAL_PROGRAM)
                _put(ws, row, 7, t.source if t.source is not None else ALL_SOURCES)
                amounts(row, t.amounts, t.total)
                _put(ws, row, source_col, t.source_ref)
                ws.cell(row=row, column=2).font = Font(bold=True)
                row += 1
        return row

    current_goal: str | None = None
    for priority in doc.priorities:
        if priority.goal and priority.goal != current_goal:
            goal = goals[priority.goal]
            _section(ws, row, f"Стратегічна ціль {goal.code}. {goal.name}", width, source_col, goal.source_ref)
            row += 1
        current_goal = priority.goal
        _section(ws, row, f"Пріоритетний напрям {priority.code}. {priority.name}", width, source_col,
                 priority.source_ref)
        row += 1
        previous_task: str | None = None
        used_tasks = set()
        for project in priority.projects:
            lines = project.funding or [FundingIn()]
            _put(ws, row, 1, project.ref)
            if project.task != previous_task:
                _put(ws, row, 2, project.task)
            previous_task = project.task
            used_tasks.add(project.task)
            for col, value in ((3, project.name), (4, project.result), (5, project.executors), (6, project.term)):
                _put(ws, row, col, value)
            _put(ws, row, source_col, project.source_ref)
            for i, line in enumerate(lines):
                layout.project_rows[(project.ref or "", i)] = row
                if i:
                    _put(ws, row, source_col, line.source_ref)
                _put(ws, row, 7, line.source)
                amounts(row, line.amounts, line.total)
                row += 1
        for task in priority.tasks:
            if task.name not in used_tasks:
                _put(ws, row, 2, task.name)
                _put(ws, row, source_col, task.source_ref)
                row += 1
        totals("priority", priority.code)
    totals("program", None)
    _widths(ws, {1: 6, 2: 34, 3: 50, 4: 40, 5: 34, 6: 12, 7: 22,
                 **{first_year + i: 11 for i in range(len(doc.years) + 1)}, source_col: 30})
    _hide(ws, source_col)
    ws.freeze_panes = "A5"


def _indicator_headers(doc: ProgramDocument) -> list[str]:
    return ["№ з/п", "Назва пріоритетного напряму", "Найменування індикатора", "Одиниця виміру",
            "Базове значення", *[str(y) for y in doc.years], "Динаміка (+/-, %)", "Динаміка (розрахована)",
            "Код індикатора", "Канонічний код", "Зміст значень", "Рік базового значення",
            "Нормативне посилання", "Метод", "Метрика", "Проєкт (№)", SOURCE_HEADER]


def _write_indicators(wb: Workbook, doc: ProgramDocument, layout: Layout) -> None:
    from .checks import recompute_dynamics

    ws = wb.create_sheet(INDICATORS_SHEET)
    headers = _indicator_headers(doc)
    n_years = len(doc.years)
    source_col = len(headers)
    _title_rows(ws, "Додаток 2", f"Перелік індикаторів виконання. {doc.title}", source_col - 1)
    top = headers[:5] + ["Цільові значення індикатора"] + [""] * (n_years - 1) + headers[5 + n_years:]
    _header(ws, 3, top)
    ws.merge_cells(start_row=3, start_column=6, end_row=3, end_column=5 + n_years)
    _header(ws, 4, [""] * 5 + headers[5:5 + n_years])
    goals = {g.code: g for g in doc.goals}
    priorities = {p.code: p for p in doc.priorities}
    previous_group = None
    layout.dynamics_column = _col(6 + n_years, "Динаміка (+/-, %)")
    for row, ind in enumerate(doc.indicators, start=5):
        layout.indicator_rows[ind.ref or ""] = row
        group = ("goal", ind.goal) if ind.goal and not ind.priority else ("priority", ind.priority)
        if group != previous_group and group[1] is not None:
            named = goals[group[1]] if group[0] == "goal" else priorities[group[1]]
            _put(ws, row, 1, named.code)
            _put(ws, row, 2, named.name)
        previous_group = group
        _put(ws, row, 3, ind.name)
        _put(ws, row, 4, ind.unit)
        _put(ws, row, 5, ind.baseline)
        for i, year in enumerate(doc.years):
            _put(ws, row, 6 + i, ind.targets.get(year))
        col = 6 + n_years
        recomputed = recompute_dynamics(ind, doc.years)
        for value in (ind.declared_dynamics, recomputed, ind.ref, ind.canonical_code,
                      SEMANTICS_LABELS.get(ind.value_semantics or ""),
                      Decimal(ind.baseline_year) if ind.baseline_year else None, ind.regulation_ref,
                      METHOD_LABELS[ind.method], ind.metric, ind.project, ind.source_ref):
            _put(ws, row, col, value)
            col += 1
    _widths(ws, {1: 6, 2: 30, 3: 60, 4: 12, 5: 11, **{6 + i: 10 for i in range(n_years)},
                 6 + n_years: 12, 7 + n_years: 12, 8 + n_years: 10, 9 + n_years: 22, source_col: 30})
    _hide(ws, source_col)
    ws.freeze_panes = "A5"


def _build(doc: ProgramDocument) -> tuple[Workbook, Layout]:
    wb, layout = Workbook(), Layout()
    _write_passport(wb, doc, layout)
    _write_tasks(wb, doc, layout)
    _write_indicators(wb, doc, layout)
    return wb, layout


def layout_of(doc: ProgramDocument) -> Layout:
    """Where :func:`write_workbook` puts each project line, total and indicator."""
    return _build(doc)[1]


def write_workbook(doc: ProgramDocument) -> bytes:
    """The program as an XLSX workbook (bytes)."""
    wb, _ = _build(doc)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------ reading
@dataclass
class _Cell:
    sheet: str
    row: int
    col: int
    value: Any
    number_format: str | None
    header: str

    @property
    def where(self) -> str:
        return f"{get_column_letter(self.col)} ({self.header})" if self.header else get_column_letter(self.col)


class _Sheet:
    """A worksheet with named columns found from its header rows."""

    def __init__(self, ws: Worksheet, problems: _Problems):
        self.ws = ws
        self.name = ws.title
        self.problems = problems
        self.rows = [list(r) for r in ws.iter_rows()]
        self.columns: dict[str, int] = {}
        self.headers: dict[int, str] = {}
        self.years: dict[int, int] = {}  # column → year
        self.total_col: int | None = None
        self.data_start = 0

    def find_header(self, aliases: dict[str, tuple[str, ...]], required: str, with_years: bool = True) -> bool:
        wanted = {name_key(a): key for key, names in aliases.items() for a in names}
        for r, cells in enumerate(self.rows[:20]):
            keys = {c: _header_key(cell.value) for c, cell in enumerate(cells)}
            if required not in {wanted.get(k) for k in keys.values()}:
                continue
            for c, k in keys.items():
                if k in wanted and wanted[k] not in self.columns:
                    self.columns[wanted[k]] = c
                    self.headers[c] = clean_text(str(cells[c].value))
            self.data_start = r + 1
            if with_years:
                self._find_years(r, required)
            return True
        return False

    def _find_years(self, r: int, required: str) -> None:
        """Year columns (and a «2026-2028» total column) in the header row or the row below it."""
        for rr in (r, r + 1):
            if rr >= len(self.rows):
                return
            if rr == r + 1 and _text(self.rows[rr][self.columns[required]].value):
                return  # the row below is data already
            found = False
            for c, cell in enumerate(self.rows[rr]):
                if c in self.headers and rr == r:
                    continue
                value = cell.value
                if isinstance(value, str) and _PERIOD.match(value):
                    self.total_col = c
                    self.headers[c] = value.strip()
                    found = True
                elif (year := _year(value) if not isinstance(value, str) or value.strip().isdigit() else None):
                    self.years[c] = year
                    self.headers[c] = str(year)
                    found = True
            if found:
                if rr == r + 1:
                    self.data_start = r + 2
                return

    def cell(self, r: int, key_or_col: str | int) -> _Cell:
        col = self.columns.get(key_or_col) if isinstance(key_or_col, str) else key_or_col
        if col is None or col >= len(self.rows[r]):
            return _Cell(self.name, r + 1, (col or 0) + 1, None, None, "")
        c = self.rows[r][col]
        return _Cell(self.name, r + 1, col + 1, c.value, c.number_format, self.headers.get(col, ""))

    def text(self, r: int, key: str | int) -> str | None:
        return _text(self.cell(r, key).value)

    def parse(self, r: int, key: str | int, parser: Callable[[Any], Any], *, kind: str = "") -> Any:
        c = self.cell(r, key)
        try:
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and kind in ("amount", "value"):
                return cell_number(c.value, c.number_format)
            return parser(c.value)
        except ValueProblem as exc:
            self.problems.add(self.name, c.row, c.where, str(exc))
            return None

    def row_texts(self, r: int) -> list[str]:
        return [t for t in (_text(c.value) for c in self.rows[r]) if t]

    def problem(self, r: int, key: str | int | None, message: str) -> None:
        where = self.cell(r, key).where if key is not None else None
        self.problems.add(self.name, r + 1, where, message)


PASSPORT_ALIASES = {"label": ("Поле",), "value": ("Значення",), "key": ("Ключ",), "source_ref": (SOURCE_HEADER,)}
TASK_ALIASES = {
    "ref": ("№", "№ з/п", "No"),
    "task": ("Назва завдання", "Назва заходу", "Завдання"),
    "project": ("Назва проєкту, робіт з інформатизації", "Назва проекту, робіт з інформатизації",
                "Назва проєкту, короткий опис", "Назва проєкту"),
    "result": ("Показники ефективності (очікувані результати)", "Показники ефективності",
               "Очікувані результати (результативні показники)", "Очікувані результати"),
    "executors": ("Відповідальні за виконання", "Відповідальні"),
    "term": ("Строки виконання", "Строк виконання"),
    "source": ("Джерело фінансування", "Джерела фінансування"),
    "total": ("Всього", "Усього", "Приближний бюджет, тис. грн", "Приблизний бюджет, тис. грн"),
    "source_ref": (SOURCE_HEADER,),
}
INDICATOR_ALIASES = {
    "group_code": ("№ з/п", "№"),
    "group_name": ("Назва пріоритетного напряму", "Назва Пріоритетного напряму", "Пріоритет",
                   "Назва пріоритету"),
    "name": ("Найменування індикатора",),
    "unit": ("Одиниця виміру",),
    "baseline": ("Базове значення", "Вихідні дані за рік до початку дії Програми"),
    "declared_dynamics": ("Динаміка (+/-, %)", "Динаміка"),
    "recomputed": ("Динаміка (розрахована)",),
    "ref": ("Код індикатора",),
    "canonical_code": ("Канонічний код",),
    "value_semantics": ("Зміст значень",),
    "baseline_year": ("Рік базового значення",),
    "regulation_ref": ("Нормативне посилання",),
    "method": ("Метод",),
    "metric": ("Метрика",),
    "project": ("Проєкт (№)", "Проєкт"),
    "source_ref": (SOURCE_HEADER,),
}
_GOAL_ROW = re.compile(r"^Стратегічна ціль\s+(?P<code>\d+(?:\.\d+)*)\.?\s+(?P<name>.+)$", re.I)
_PRIORITY_ROW = re.compile(r"^Пріоритетний напрям(?:\s+(?P<code>\d+(?:\.\d+)*)\.?)?[\s:]+(?P<name>.+)$", re.I)


def _unquote(name: str) -> str:
    name = name.strip()
    if name.startswith("«") and name.endswith("»") and name.count("«") == 1:
        return name[1:-1].strip()
    return name


def _label_lookup(labels: dict[str, str], value: str | None, what: str) -> str | None:
    if value is None:
        return None
    for code, label in labels.items():
        if name_key(value) in (name_key(label), name_key(code)):
            return code
    raise ValueProblem(f"{what}: {value!r} is not one of {', '.join(labels.values())}")


class _Reader:
    def __init__(self, data: bytes):
        self.problems = _Problems()
        try:
            self.wb = load_workbook(io.BytesIO(data), data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
            raise WorkbookError([Problem("(file)", None, None, f"not an XLSX workbook ({exc})")]) from None
        self.years: list[int] = []

    def sheet(self, name: str) -> _Sheet | None:
        for ws in self.wb.worksheets:
            if name_key(ws.title) == name_key(name):
                return _Sheet(ws, self.problems)
        return None

    # ------------------------------------------------------------------ passport
    def passport(self) -> dict:
        out: dict = {"passport": {}, "refs": {}, "totals": {}}
        sh = self.sheet(PASSPORT_SHEET)
        if sh is None:
            return out
        if not sh.find_header(PASSPORT_ALIASES, "value", with_years=False):
            sh.problem(0, None, "no header row with «Поле» and «Значення»")
            return out
        labels = {name_key(uk): key for key, uk, _ in PASSPORT_FIELDS}
        labels.update({name_key("Назва програми"): "title", name_key("Код громади за КАТОТТГ"): "hromada",
                       name_key("Період дії програми"): "period", name_key("Форма паспорта"): "passport_form"})
        for r in range(sh.data_start, len(sh.rows)):
            key = sh.text(r, "key") if "key" in sh.columns else None
            label = sh.text(r, "label")
            if key is None and label is not None:
                key = labels.get(name_key(label))
            value_cell = sh.cell(r, "value")
            if key is None:
                if label is None and value_cell.value is None:
                    continue
                sh.problem(r, "label", f"unknown passport field {label!r}")
                continue
            ref = sh.text(r, "source_ref") if "source_ref" in sh.columns else None
            if key.startswith("funding|"):
                _, year, source = (key.split("|") + ["", ""])[:3]
                amount = sh.parse(r, "value", parse_amount, kind="amount")
                slot = out["totals"].setdefault(source or None, {"amounts": {}, "total": None, "ref": ref})
                if year == "total":
                    slot["total"] = amount
                elif _year(year):
                    slot["amounts"][int(year)] = amount
                else:
                    sh.problem(r, "key", f"bad funding key {key!r}")
                continue
            if key == "period":
                text = sh.text(r, "value") or ""
                m = _PERIOD.match(text)
                if not m:
                    sh.problem(r, "value", f"expected a period like 2026-2028; got {text!r}")
                else:
                    out["period"] = (int(m.group(1)), int(m.group(2)))
            elif key == "passport_form":
                try:
                    out["passport_form"] = _label_lookup(FORM_LABELS, sh.text(r, "value"), "form")
                except ValueProblem as exc:
                    sh.problem(r, "value", str(exc))
            elif key in ("title", "hromada"):
                out[key] = sh.text(r, "value")
            elif key in PASSPORT_INT_FIELDS:
                out["passport"][key] = sh.parse(r, "value", _int)
            elif key in {k for k, _, _ in PASSPORT_FIELDS}:
                out["passport"][key] = sh.text(r, "value")
            else:
                sh.problem(r, "key", f"unknown passport key {key!r}")
                continue
            if ref:
                out["refs"][key] = ref
        return out

    # ------------------------------------------------------------------ annex 1
    def tasks(self, doc: dict) -> None:
        sh = self.sheet(TASKS_SHEET)
        if sh is None:
            return
        if not sh.find_header(TASK_ALIASES, "project"):
            sh.problem(0, None, "no header row with «Назва проєкту, робіт з інформатизації»")
            return
        if sh.total_col is not None:
            sh.columns.setdefault("total", sh.total_col)
        self.years.extend(y for y in sh.years.values() if y not in self.years)
        goals: list[dict] = doc["goals"]
        priorities: list[dict] = doc["priorities"]
        totals: list[dict] = doc["declared_totals"]
        goal: dict | None = None
        priority: dict | None = None
        project: dict | None = None
        task: str | None = None
        last_total: dict | None = None
        amount_cols = sorted(sh.years.items())

        def amounts(r: int) -> dict:
            return {y: v for c, y in amount_cols if (v := sh.parse(r, c, parse_amount, kind="amount")) is not None}

        def total(r: int):
            return sh.parse(r, "total", parse_amount, kind="amount") if "total" in sh.columns else None

        for r in range(sh.data_start, len(sh.rows)):
            texts = sh.row_texts(r)
            ref = sh.text(r, "source_ref") if "source_ref" in sh.columns else None
            content = [t for t in texts if t != ref]
            if not content:
                continue
            first = content[0]
            only_first = len(content) == 1 and sh.text(r, "project") is None
            m_goal, m_priority = _GOAL_ROW.match(first), _PRIORITY_ROW.match(first)
            if only_first and m_goal:
                goal = {"code": m_goal.group("code"), "name": _unquote(m_goal.group("name")), "source_ref": ref}
                goals.append(goal)
                priority = project = None
                last_total = None
                continue
            if only_first and m_priority:
                priority = {"code": m_priority.group("code"), "name": _unquote(m_priority.group("name")),
                            "goal": goal["code"] if goal else None, "source_ref": ref, "tasks": [], "projects": []}
                priorities.append(priority)
                project, task, last_total = None, None, None
                continue
            label = sh.text(r, "task") or ""
            project_name = sh.text(r, "project")
            if name_key(label).startswith("всього за") or (
                    last_total is not None and not label and project_name is None and sh.text(r, "ref") is None):
                scope = last_total["scope"] if not label else (
                    "priority" if "напрям" in name_key(label) else "program")
                if scope == "priority" and priority is None:
                    sh.problem(r, "task", "«Всього за напрямом» before any «Пріоритетний напрям» row")
                    continue
                source = sh.text(r, "source")
                if source is not None and name_key(source).startswith("загальний обсяг"):
                    source = None
                last_total = {"scope": scope, "priority": priority["code"] if scope == "priority" else None,
                              "source": source, "amounts": amounts(r), "total": total(r), "source_ref": ref}
                totals.append(last_total)
                project = None
                continue
            last_total = None
            if priority is None:
                sh.problem(r, None, "a project row before any «Пріоритетний напрям …» row")
                continue
            if label:
                task = label
                if all(name_key(t["name"]) != name_key(task) for t in priority["tasks"]):
                    priority["tasks"].append({"name": task, "source_ref": ref})
                else:
                    task = next(t["name"] for t in priority["tasks"] if name_key(t["name"]) == name_key(task))
            line = {"source": sh.text(r, "source"), "amounts": amounts(r), "total": total(r)}
            if project_name is not None:
                project = {"ref": sh.text(r, "ref"), "name": project_name, "task": task,
                           "result": sh.text(r, "result"), "executors": sh.text(r, "executors"),
                           "term": sh.text(r, "term"), "source_ref": ref, "funding": []}
                priority["projects"].append(project)
                if line["source"] is not None or line["amounts"] or line["total"] is not None:
                    project["funding"].append({**line, "source_ref": None})
            elif sh.text(r, "ref") is None and (line["source"] is not None or line["amounts"]):
                if project is None:
                    sh.problem(r, "source", "a funding line with no project above it")
                    continue
                project["funding"].append({**line, "source_ref": ref})
            elif label and len(content) == 1:
                continue  # a task heading with no project yet
            else:
                sh.problem(r, "project", "a row with data but no project name")

    # ------------------------------------------------------------------ annex 2
    def indicators(self, doc: dict) -> None:
        sh = self.sheet(INDICATORS_SHEET)
        if sh is None:
            return
        if not sh.find_header(INDICATOR_ALIASES, "name"):
            sh.problem(0, None, "no header row with «Найменування індикатора»")
            return
        self.years.extend(y for y in sh.years.values() if y not in self.years)
        baseline_header = name_key(sh.headers.get(sh.columns.get("baseline", -1), ""))
        baseline_before_start = baseline_header.startswith("вихідні дані за рік до початку")
        group: tuple[str, str] | None = None
        for r in range(sh.data_start, len(sh.rows)):
            ref_cell = sh.text(r, "source_ref") if "source_ref" in sh.columns else None
            if not [t for t in sh.row_texts(r) if t != ref_cell]:
                continue
            code, gname = sh.text(r, "group_code"), sh.text(r, "group_name")
            if code or gname:
                resolved = self._group(doc, sh, r, (code or "").rstrip(".").strip() or None, gname)
                if resolved:
                    group = resolved
            name = sh.text(r, "name")
            if name is None:
                sh.problem(r, "name", "an indicator row without a name")
                continue
            canonical = sh.text(r, "canonical_code")
            if canonical is not None and not is_canonical(canonical):
                sh.problem(r, "canonical_code", f"{canonical!r} is not a code of the canonical catalogue")
            semantics = method = None
            try:
                semantics = _label_lookup(SEMANTICS_LABELS, sh.text(r, "value_semantics"), "value semantics")
            except ValueProblem as exc:
                sh.problem(r, "value_semantics", str(exc))
            try:
                method = _label_lookup(METHOD_LABELS, sh.text(r, "method"), "method")
            except ValueProblem as exc:
                sh.problem(r, "method", str(exc))
            targets = {}
            for c, year in sorted(sh.years.items()):
                value = sh.parse(r, c, parse_indicator_value, kind="value")
                if value is not None:
                    targets[year] = value
            dyn = sh.cell(r, "declared_dynamics")
            declared = (fmt(cell_number(dyn.value, dyn.number_format))
                        if isinstance(dyn.value, (int, float)) and not isinstance(dyn.value, bool)
                        else (str(dyn.value).strip() or None) if dyn.value is not None else None)
            baseline_year = sh.parse(r, "baseline_year", _int) if "baseline_year" in sh.columns else None
            doc["indicators"].append({
                "ref": sh.text(r, "ref"),
                "priority": group[1] if group and group[0] == "priority" else None,
                "goal": group[1] if group and group[0] == "goal" else None,
                "project": sh.text(r, "project"),
                "name": name, "unit": sh.text(r, "unit"), "canonical_code": canonical,
                "value_semantics": semantics,
                "baseline": sh.parse(r, "baseline", parse_indicator_value, kind="value")
                if "baseline" in sh.columns else None,
                "baseline_year": baseline_year,
                "targets": targets, "declared_dynamics": declared,
                "regulation_ref": sh.text(r, "regulation_ref"), "method": method or "manual",
                "metric": sh.text(r, "metric"), "source_ref": ref_cell,
                "_baseline_before_start": baseline_before_start, "_row": r,
            })

    def _group(self, doc: dict, sh: _Sheet, r: int, code: str | None, name: str | None):
        def same(item) -> bool:
            return (code is None or item["code"] == code) and (name is None or name_key(item["name"]) == name_key(name))

        for kind, items in (("priority", doc["priorities"]), ("goal", doc["goals"])):
            for item in items:
                if same(item):
                    return kind, item["code"]
        if code is not None:
            clash = next((p for p in doc["priorities"] if p["code"] == code), None)
            if clash is not None:
                sh.problem(r, "group_name", f"priority {code} is «{clash['name']}» in «{TASKS_SHEET}», "
                                            f"not «{name}»")
                return None
        if name is None:
            sh.problem(r, "group_name", f"no priority area with code {code!r}")
            return None
        priority = {"code": code, "name": name, "goal": None, "source_ref": None, "tasks": [], "projects": []}
        doc["priorities"].append(priority)
        return "priority", code

    # ------------------------------------------------------------------ assembly
    def document(self, hromada: str | None) -> ProgramDocument:
        try:
            if not any(self.sheet(n) for n in (PASSPORT_SHEET, TASKS_SHEET, INDICATORS_SHEET)):
                self.problems.add("(workbook)", None, None, f"none of the sheets «{PASSPORT_SHEET}», "
                                  f"«{TASKS_SHEET}», «{INDICATORS_SHEET}» is present")
            pp = self.passport()
            doc: dict = {"goals": [], "priorities": [], "indicators": [], "declared_totals": []}
            self.tasks(doc)
            self.indicators(doc)
        except _Stop:
            pass
        if self.problems.items:
            raise WorkbookError(self.problems.items)
        period = pp.get("period") or ((min(self.years), max(self.years)) if self.years else None)
        if period is None:
            raise WorkbookError([Problem(PASSPORT_SHEET, None, None,
                                         "the period is not given («Період дії програми») and no year columns")])
        code = pp.get("hromada")
        if hromada and code and code != hromada:
            raise WorkbookError([Problem(PASSPORT_SHEET, None, "B (Значення)", f"the workbook is for громада "
                                         f"{code}, not {hromada}")])
        for ind in doc["indicators"]:
            if ind.pop("_baseline_before_start") and ind["baseline_year"] is None and ind["baseline"] is not None:
                ind["baseline_year"] = period[0] - 1
        for ind in doc["indicators"]:
            ind.pop("_row")
        title = pp.get("title") or self._heading() or "Програма інформатизації"
        totals = doc["declared_totals"]
        for source, slot in pp["totals"].items():
            totals.append({"scope": "passport", "priority": None, "source": source, "amounts": slot["amounts"],
                           "total": slot["total"], "source_ref": slot["ref"]})
        refs = pp["refs"]
        passport = {**pp["passport"], "source_refs": refs}
        try:
            result = ProgramDocument(
                title=title, hromada=hromada or code, period_start=period[0], period_end=period[1],
                passport_form=pp.get("passport_form"), passport=Passport(**passport),
                goals=[GoalIn(**g) for g in doc["goals"]],
                priorities=[PriorityIn(**{**p, "tasks": [TaskIn(**t) for t in p["tasks"]],
                                          "projects": [ProjectIn(**{**pr, "funding": [FundingIn(**f) for f in pr["funding"]]})
                                                       for pr in p["projects"]]}) for p in doc["priorities"]],
                indicators=[IndicatorIn(**i) for i in doc["indicators"]],
                declared_totals=[DeclaredTotalIn(**t) for t in totals],
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            raise WorkbookError([Problem("(workbook)", None, None, f"{'.'.join(map(str, err['loc']))}: "
                                         f"{err['msg']}")]) from None
        try:
            return complete(result)
        except ProgramError as exc:
            raise WorkbookError([Problem("(workbook)", None, None, str(exc))]) from None

    def _heading(self) -> str | None:
        for name in (TASKS_SHEET, INDICATORS_SHEET):
            sh = self.sheet(name)
            if sh is not None and len(sh.rows) > 1:
                text = _text(sh.rows[1][0].value)
                if text:
                    return text.split(". ", 1)[-1]
        return None


def read_workbook(data: bytes, hromada: str | None = None) -> ProgramDocument:
    """Read a program workbook; raises :class:`WorkbookError` naming sheet, row and column."""
    return _Reader(data).document(hromada)

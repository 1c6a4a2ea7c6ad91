"""Writes the built-in XLSX and DOCX report templates (version :data:`VERSION`) into ``templates/``.

A developer's step (``python -m gisplan.reports.template_builder``): the product only reads the
files, and a client replaces them with its own layouts (``GISPLAN_REPORT_TEMPLATES_DIR``). The
HTML templates of the PDFs are written by hand beside them.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from .templates import BUILTIN_DIR

VERSION = "1.0"
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
WRAP = Alignment(wrap_text=True, vertical="top")
NUMBER = "#,##0.0##"


# ------------------------------------------------------------------------------------------ XLSX
def _header_block(ws, rows: list[tuple[str, str]], width: int) -> int:
    ws.append(["{{ title.uk }}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["{{ title.en }}"])
    ws["A2"].font = Font(italic=True, color="555555")
    for label, value in rows:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=width)
    ws.append([])
    return ws.max_row


HEADER_ROWS = [
    ("Програма / Program", "{{ program.title }}"),
    ("Громада / Community", "{{ program.hromada_name }} ({{ program.hromada }})"),
    ("Звітний період / Period", "{{ period.uk }} / {{ period.en }}"),
    ("Строк подання / Due", "{{ due }}"),
    ("Шаблон звіту / Template", "{{ template.label }}"),
    ("Сформовано / Generated", "{{ generated_at }}"),
]


def _table(ws, heads_uk: list[str], heads_en: list[str], row: list[str], number_cols: set[int],
           total: list[str] | None = None) -> None:
    ws.append(heads_uk)
    ws.append(heads_en)
    for r in (ws.max_row - 1, ws.max_row):
        for c in range(1, len(heads_uk) + 1):
            cell = ws.cell(r, c)
            cell.fill, cell.border, cell.alignment = HEAD_FILL, BOX, WRAP
            cell.font = Font(bold=r == ws.max_row - 1, italic=r == ws.max_row, size=9)
    for values, bold in ((row, False), (total, True)):
        if values is None:
            continue
        ws.append(values)
        for c in range(1, len(heads_uk) + 1):
            cell = ws.cell(ws.max_row, c)
            cell.border, cell.alignment = BOX, WRAP
            cell.font = Font(bold=bold, size=9)
            if c in number_cols:
                cell.number_format = NUMBER


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w


def quarterly_xlsx() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Квартальний звіт"
    _header_block(ws, HEADER_ROWS + [("Виконавець / Executor", "{{ executor or 'усі / all' }}")], 11)
    _table(ws,
           ["№", "Напрям", "Проєкт, роботи з інформатизації", "Відповідальні виконавці", "Джерела фінансування",
            "Заплановано на рік, тис. грн", "Витрачено за квартал, тис. грн", "Витрачено з початку року, тис. грн",
            "Виконання, %", "Стан", "Коментар виконавця"],
           ["No.", "Priority", "Project or work", "Executors", "Funding sources", "Planned for the year",
            "Spent in the quarter", "Spent year to date", "Progress, %", "Status", "Executor's comment"],
           ["{%row p in projects%}{{ p.ref }}", "{{ p.priority }}", "{{ p.name }}", "{{ p.executors }}",
            "{{ p.sources }}", "{{ p.planned }}", "{{ p.spent_quarter }}", "{{ p.spent_ytd }}",
            "{{ p.progress_pct }}", "{{ p.status.uk }} / {{ p.status.en }}", "{{ p.narrative }}"],
           {6, 7, 8, 9},
           ["Разом / Total", "", "{{ totals.projects }} проєктів, звітів подано: {{ totals.reported }}", "", "",
            "{{ totals.planned }}", "{{ totals.spent_quarter }}", "{{ totals.spent_ytd }}", "", "", ""])
    _widths(ws, [7, 8, 48, 30, 24, 14, 14, 14, 11, 22, 36])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = "1:2"
    return wb


def annual_xlsx() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Індикатори"
    _header_block(ws, HEADER_ROWS + [("Показники обчислено на / Computed as of", "{{ as_of }}")], 11)
    _table(ws,
           ["№", "Напрям", "Індикатор", "Од. виміру", "Базове значення", "Ціль на {{ year }} рік", "Факт",
            "Джерело факту", "Досягнуто, %", "Метрика", "Коментар"],
           ["No.", "Priority", "Indicator", "Unit", "Baseline", "Target {{ year }}", "Actual", "Source of the actual",
            "Achieved, %", "Metric", "Comment"],
           ["{%row i in indicators%}{{ i.ref }}", "{{ i.priority }}", "{{ i.name }}", "{{ i.unit }}",
            "{{ i.baseline }}", "{{ i.target }}", "{{ i.actual }}", "{{ i.source.uk }} / {{ i.source.en }}",
            "{{ i.pct }}", "{{ i.metric }}", "{{ i.comment }}"], {5, 6, 7, 9})
    _widths(ws, [8, 8, 50, 12, 12, 12, 12, 22, 11, 22, 40])

    fs = wb.create_sheet("Фінансування")
    _header_block(fs, HEADER_ROWS[:3], 8)
    fs.append(["Фінансування програми, тис. грн / Program funding, thousand UAH"])
    fs.cell(fs.max_row, 1).font = Font(bold=True)
    years = ["{{ years|at(0) }}", "{{ years|at(1) }}", "{{ years|at(2) }}"]
    _table(fs, ["", "Джерело", *years, "Всього", "", ""], ["", "Source", *years, "Total", "", ""],
           ["{%row s in funding_sources%}", "{{ s.source }}", "{{ s.amounts|at(0) }}", "{{ s.amounts|at(1) }}",
            "{{ s.amounts|at(2) }}", "{{ s.total }}", "", ""], {3, 4, 5, 6},
           ["Всього за програмою", "загальний обсяг / total", "{{ funding.amounts|at(0) }}",
            "{{ funding.amounts|at(1) }}", "{{ funding.amounts|at(2) }}", "{{ funding.total }}", "", ""])
    fs.append([])
    fs.append(["За пріоритетними напрямами і джерелами / By priority area and source"])
    fs.cell(fs.max_row, 1).font = Font(bold=True)
    _table(fs, ["Напрям", "Джерело", *years, "Всього", "Позначки", "Назва напряму"],
           ["Priority", "Source", *years, "Total", "Markers", "Priority area"],
           ["{%row r in priority_sources%}{{ r.priority }}", "{{ r.source }}", "{{ r.amounts|at(0) }}",
            "{{ r.amounts|at(1) }}", "{{ r.amounts|at(2) }}", "{{ r.total }}", "{{ r.markers }}",
            "{{ r.priority_name }}"], {3, 4, 5, 6})
    fs.append([])
    fs.append(["Всього за напрямом; план і фактичні витрати {{ year }} року / Per priority area; planned and spent"])
    fs.cell(fs.max_row, 1).font = Font(bold=True)
    _table(fs, ["Напрям", "Назва", *years, "Всього", "План {{ year }}", "Витрачено {{ year }}"],
           ["Priority", "Name", *years, "Total", "Planned {{ year }}", "Spent {{ year }}"],
           ["{%row p in priorities%}{{ p.code }}", "{{ p.name }}", "{{ p.amounts|at(0) }}", "{{ p.amounts|at(1) }}",
            "{{ p.amounts|at(2) }}", "{{ p.total }}", "{{ p.planned_year }}", "{{ p.spent_year }}"], {3, 4, 5, 6, 7, 8},
           ["Разом", "", "{{ funding.amounts|at(0) }}", "{{ funding.amounts|at(1) }}", "{{ funding.amounts|at(2) }}",
            "{{ funding.total }}", "{{ funding.planned_year }}", "{{ funding.spent_year }}"])
    _widths(fs, [10, 40, 13, 13, 13, 14, 14, 40])

    ps = wb.create_sheet("Проєкти")
    _header_block(ps, HEADER_ROWS[:3], 8)
    _table(ps, ["№", "Напрям", "Проєкт", "Виконавці", "План {{ year }}, тис. грн", "Витрачено, тис. грн",
                "Виконання, %", "Стан"],
           ["No.", "Priority", "Project", "Executors", "Planned", "Spent", "Progress, %", "Status"],
           ["{%row p in projects%}{{ p.ref }}", "{{ p.priority }}", "{{ p.name }}", "{{ p.executors }}",
            "{{ p.planned }}", "{{ p.spent_ytd }}", "{{ p.progress_pct }}",
            "{% if p in projects_carried %}переходить на наступний рік{% else %}{{ p.status.uk }}{% endif %}"],
           {5, 6, 7})
    _widths(ps, [7, 8, 50, 30, 14, 14, 11, 28])
    for sheet in wb.worksheets:
        sheet.page_setup.orientation = "landscape"
    return wb


# ------------------------------------------------------------------------------------------ DOCX
def _doc() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(9)
    doc.add_heading("{{ title.uk }}", level=1)
    doc.add_paragraph("{{ title.en }}").italic = True
    for label, value in HEADER_ROWS:
        p = doc.add_paragraph()
        p.add_run(label + ": ").bold = True
        p.add_run(value)
    return doc


def _docx_table(doc, heads: list[str], cells: list[str], loop: str, total: list[str] | None = None) -> None:
    """Header row, ``{%tr for %}`` row, the data row, ``{%tr endfor %}`` row, then an optional total."""
    table = doc.add_table(rows=4 + (total is not None), cols=len(heads))
    table.style = "Table Grid"
    for i, h in enumerate(heads):
        table.rows[0].cells[i].text = h
        table.rows[0].cells[i].paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for i, c in enumerate(cells):
        table.rows[2].cells[i].text = c
    table.rows[3].cells[0].text = "{%tr endfor %}"
    for i, c in enumerate(total or []):
        table.rows[4].cells[i].text = c
        if c:
            table.rows[4].cells[i].paragraphs[0].runs[0].bold = True


def quarterly_docx() -> Document:
    doc = _doc()
    doc.add_paragraph("Виконавець / Executor: {{ executor or 'усі / all' }}")
    doc.add_heading("Стан виконання проєктів / Projects", level=2)
    _docx_table(doc, ["№", "Проєкт / Project", "Виконавці / Executors", "План на рік / Planned, тис. грн",
                      "За квартал / Quarter", "З початку року / YTD", "%", "Стан / Status", "Коментар / Comment"],
                ["{{ p.ref }}", "{{ p.name }}", "{{ p.executors }}", "{{ p.planned|num }}", "{{ p.spent_quarter|num }}",
                 "{{ p.spent_ytd|num }}", "{{ p.progress_pct|num }}", "{{ p.status.uk }}", "{{ p.narrative }}"],
                "p in projects",
                ["Разом", "{{ totals.projects }} проєктів", "", "{{ totals.planned|num }}",
                 "{{ totals.spent_quarter|num }}", "{{ totals.spent_ytd|num }}", "", "", ""])
    doc.add_paragraph("Звіт сформовано gisplan за шаблоном {{ template.label }} / Generated by gisplan "
                      "from template {{ template.label }}")
    doc.core_properties.version = VERSION
    return doc


def annual_docx() -> Document:
    doc = _doc()
    doc.add_paragraph("Показники обчислено на / Indicators computed as of {{ as_of }}")
    doc.add_heading("1. Фінансування програми / Program funding, тис. грн", level=2)
    doc.add_paragraph("Всього за програмою / Program total: {{ funding.total|num }} тис. грн "
                      "({% for y in years %}{{ y }}: {{ funding.amounts[loop.index0]|num }}{% if not loop.last %}; "
                      "{% endif %}{% endfor %})")
    _docx_table(doc, ["Напрям / Priority", "Назва / Name", "Всього / Total", "План {{ year }} / Planned",
                      "Витрачено {{ year }} / Spent"],
                ["{{ p.code }}", "{{ p.name }}", "{{ p.total|num }}", "{{ p.planned_year|num }}",
                 "{{ p.spent_year|num }}"], "p in priorities",
                ["Разом / Total", "", "{{ funding.total|num }}", "{{ funding.planned_year|num }}",
                 "{{ funding.spent_year|num }}"])
    doc.add_paragraph("")
    _docx_table(doc, ["Напрям", "Джерело / Source", "Роки / Years", "Всього / Total"],
                ["{{ r.priority }}", "{{ r.source }}",
                 "{% for a in r.amounts %}{{ years[loop.index0] }}: {{ a|num }}{% if not loop.last %}; {% endif %}"
                 "{% endfor %}", "{{ r.total|num }}"], "r in priority_sources")
    doc.add_heading("2. Індикатори виконання / Indicators", level=2)
    _docx_table(doc, ["№", "Індикатор / Indicator", "Од.", "Базове / Baseline", "Ціль {{ year }} / Target",
                      "Факт / Actual", "Джерело / Source", "%", "Коментар / Comment"],
                ["{{ i.ref }}", "{{ i.name }}", "{{ i.unit }}", "{{ i.baseline|num }}", "{{ i.target|num }}",
                 "{{ i.actual|num }}", "{{ i.source.uk }}", "{{ i.pct|pct }}", "{{ i.comment }}"], "i in indicators")
    doc.add_heading("3. Проєкти / Projects", level=2)
    doc.add_paragraph("Завершено / completed: {{ projects_completed|length }}; переходять на наступний рік / "
                      "carried over: {{ projects_carried|length }}; не завершено / not completed: "
                      "{{ projects_unfinished|length }}")
    _docx_table(doc, ["№", "Проєкт / Project", "План {{ year }}", "Витрачено / Spent", "%", "Стан / Status"],
                ["{{ p.ref }}", "{{ p.name }}", "{{ p.planned|num }}", "{{ p.spent_ytd|num }}",
                 "{{ p.progress_pct|num }}",
                 "{% if p in projects_carried %}переходить на наступний рік{% else %}{{ p.status.uk }}{% endif %}"],
                "p in projects")
    doc.add_heading("4. Карти просторових індикаторів / Maps of the spatial indicators", level=2)
    doc.add_paragraph("{%p for m in maps %}")
    doc.add_paragraph("{{ m.image }}")
    doc.add_paragraph("{{ m.title.uk }} / {{ m.title.en }} (шари / layers: {{ m.layers }})")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("5. Прогалини покриття / Coverage gaps", level=2)
    doc.add_paragraph("{%p for g in gap_maps %}")
    doc.add_paragraph("{{ g.image }}")
    doc.add_paragraph("{{ g.title.uk }} / {{ g.title.en }} ({{ g.summary }})")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("6. Динаміка індикаторів / Indicator series", level=2)
    doc.add_paragraph("{%p for c in charts %}")
    doc.add_paragraph("{{ c.image }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Звіт сформовано gisplan за шаблоном {{ template.label }} / Generated by gisplan "
                      "from template {{ template.label }}")
    doc.core_properties.version = VERSION
    return doc


def write_all(folder: Path = BUILTIN_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, build in (("quarterly.xlsx", quarterly_xlsx), ("annual.xlsx", annual_xlsx)):
        wb = build()
        wb.properties.version = VERSION
        wb.properties.title = f"gisplan report template {name}"
        wb.save(folder / name)
        out.append(folder / name)
    for name, build in (("quarterly.docx", quarterly_docx), ("annual.docx", annual_docx)):
        build().save(folder / name)
        out.append(folder / name)
    return out


if __name__ == "__main__":
    for path in write_all():
        print(path)

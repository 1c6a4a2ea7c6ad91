"""Program workbooks: the demo annexes read with the counts of the seeds, checks report every
mismatch with its place, and writing then reading loses nothing (no database needed)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gisplan.program.canonical import catalogue
from gisplan.program.checks import check_report
from gisplan.program.loading import DEMO_DIR
from gisplan.program.schemas import IndicatorIn, PriorityIn, ProgramDocument
from gisplan.program.values import WITHIN_ESTIMATES
from gisplan.program.xlsx import WorkbookError, read_workbook, write_workbook


def demo(name: str) -> ProgramDocument:
    return read_workbook((DEMO_DIR / f"{name}.xlsx").read_bytes())


def projects(doc):
    return [p for _, p in doc.projects()]


def test_canonical_catalogue_has_101_codes_42_recurring():
    cat = catalogue()
    assert len(cat) == 101
    assert sum(c.recurring for c in cat.values()) == 42
    assert cat["QR_TOURISM"].name_en.startswith("%") and cat["QR_TOURISM"].cls == "a2"
    assert cat["WIFI_ZONES"].method == "layers" and cat["IVR"].method == "manual"


def test_khmilnyk_counts_and_totals():
    doc = demo("khmilnyk")
    assert doc.passport_form == "egap_2023"
    assert [g.code for g in doc.goals] == ["1", "2", "3"]
    assert len(doc.priorities) == 6 and len(projects(doc)) == 32 and len(doc.indicators) == 31
    report = check_report(doc)
    assert report.totals["years"] == {2023: Decimal("465"), 2024: Decimal("8707"), 2025: Decimal("5297")}
    assert report.totals["total"] == Decimal("14469") == 465 + 8707 + 5297
    # the passport's volumes agree; its task counts (14 / 29) do not: the annex has 15 / 30
    kinds = [(m.kind, m.declared, m.computed) for m in report.mismatches if m.kind.startswith("passport")]
    assert kinds == [("passport_tasks", "14", "15"), ("passport_tasks", "29", "30")]
    first = projects(doc)[0]
    assert first.funding[0].amounts == {2023: "+", 2024: "+", 2025: "+"} and first.funding[0].total == "-"
    assert projects(doc)[9].funding[0].total == WITHIN_ESTIMATES
    # every indicator measures its project and links to a canonical code
    assert all(i.project == i.ref and i.canonical_code in catalogue() for i in doc.indicators)


def test_kremenchuk_counts_and_the_mismatch_of_one():
    doc = demo("kremenchuk")
    assert len(projects(doc)) == 35 and len(doc.indicators) == 26
    assert sum(len(p.tasks) for p in doc.priorities) == 12
    assert projects(doc)[0].funding[0].amounts[2026] == WITHIN_ESTIMATES
    report = check_report(doc)
    assert report.totals["total"] == Decimal("69683")
    program_total = next(m for m in report.mismatches if m.kind == "program_total" and "all sources" in m.message)
    assert (program_total.declared, program_total.computed) == ("69 682", "69 683")
    assert program_total.sheet == "Додаток 1" and program_total.row and program_total.column.endswith("(2026-2028)")
    assert program_total.source_ref == "kremenchuk-program-2026-2028.txt:486-491"
    row = next(m for m in report.mismatches if m.kind == "row_total")
    assert (row.declared, row.computed, row.source_ref) == ("49", "50", "kremenchuk-program-2026-2028.txt:439-447")
    # the workbook row named by the check holds the written total
    ws = load_workbook(DEMO_DIR / "kremenchuk.xlsx")["Додаток 1"]
    assert ws[f"{program_total.column[0]}{program_total.row}"].value == 69682
    assert all(i.canonical_code in catalogue() for i in doc.indicators)


def test_balakliia_indicators_without_baseline():
    doc = demo("balakliia")
    assert len(doc.priorities) == 5 and len(doc.indicators) == 51 and not projects(doc)
    assert all(i.baseline is None for i in doc.indicators)
    assert doc.indicators[0].targets == {2025: Decimal("5.0"), 2026: Decimal("5.0"), 2027: Decimal("5.0")}
    assert str(doc.indicators[0].targets[2025]) == "5.0"  # the scale as written
    assert doc.indicators[15].regulation_ref == "РКМУ 523"
    dynamics = [(m.declared, m.computed) for m in check_report(doc).mismatches]
    assert dynamics == [("60,0", "55,0"), ("50,0", "60,0")]  # SEEDS-ANALYSIS §2.3


@pytest.mark.parametrize("name", ["balakliia", "khmilnyk", "kremenchuk"])
def test_round_trip_is_lossless(name):
    doc = demo(name)
    again = read_workbook(write_workbook(doc))
    assert again == doc
    assert again.model_dump(mode="json") == doc.model_dump(mode="json")


def test_percentages_kept_exactly_as_written():
    doc = ProgramDocument(
        title="t", period_start=2026, period_end=2028,
        priorities=[PriorityIn(code="2", name="Цифровізація публічних послуг")],
        indicators=[IndicatorIn(priority="2", name="% адмінпослуг онлайн", unit="%", baseline="2,74",
                                targets={2026: "2,74", 2027: "3,29", 2028: "3,29"}, declared_dynamics="+0,90",
                                value_semantics="level")])
    again = read_workbook(write_workbook(doc))
    ind = again.indicators[0]
    assert str(ind.baseline) == "2.74" and str(ind.targets[2027]) == "3.29"  # 5/182 truncated, not 2.747…
    assert ind.declared_dynamics == "+0,90"
    mismatch = check_report(again).mismatches[0]
    assert (mismatch.declared, mismatch.computed) == ("+0,90", "0,55")


def _broken(name: str, sheet: str, cell: str, value) -> bytes:
    wb = load_workbook(DEMO_DIR / f"{name}.xlsx")
    wb[sheet][cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_malformed_workbook_names_sheet_row_and_column():
    with pytest.raises(WorkbookError) as exc:
        read_workbook(_broken("kremenchuk", "Додаток 1", "H7", "вісім тисяч"))
    problem = exc.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("Додаток 1", 7, "H (2026)")
    assert "Додаток 1, row 7, column H (2026)" in str(exc.value)
    with pytest.raises(WorkbookError) as exc:
        read_workbook(_broken("balakliia", "Додаток 2", "F5", "багато"))
    assert str(exc.value).startswith("Додаток 2, row 5, column F (2025): expected a number or Так/Ні")
    with pytest.raises(WorkbookError, match="not a code of the canonical catalogue"):
        read_workbook(_broken("balakliia", "Додаток 2", "L6", "NO_SUCH_CODE"))
    with pytest.raises(WorkbookError, match="not an XLSX workbook"):
        read_workbook(b"not a workbook")

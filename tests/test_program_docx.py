"""Programs from their approved DOCX: each demo program, typeset as Word from its seed text
(merged cells, tables split over pages, look-alike letters, stray line breaks), reads exactly as its
XLSX; every table row is accounted for; indicators get canonical codes only with confidence and the
rest wait for the planner's review; faulty documents store nothing and say where the fault is."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from gisplan.program.canonical import catalogue
from gisplan.program.checks import check_document
from gisplan.program.docx import DocxError, read_docx
from gisplan.program.loading import DEMO_DIR
from gisplan.program.matching import THRESHOLD, match_indicator
from gisplan.program.tables import program
from gisplan.program.values import WITHIN_ESTIMATES
from gisplan.program.xlsx import read_workbook
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth
from tests.fixtures.seeds import typeset

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BUILD = {"kremenchuk": typeset.kremenchuk_docx, "balakliia": typeset.balakliia_docx,
         "khmilnyk": typeset.khmilnyk_docx}


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    return {name: build() for name, build in BUILD.items()}


def xlsx(name: str):
    return read_workbook((DEMO_DIR / f"{name}.xlsx").read_bytes())


def projects(doc):
    return [(p.code, pr.ref, pr.name, pr.task, pr.result, pr.executors, pr.term,
             [(f.source, f.amounts, f.total) for f in pr.funding]) for p, pr in doc.projects()]


def indicators(doc):
    return [(i.ref, i.priority, i.goal, i.project, i.name, i.unit, i.baseline, i.baseline_year, i.targets,
             i.declared_dynamics, i.value_semantics, i.regulation_ref) for i in doc.indicators]


def totals(doc):
    return [(t.scope, t.priority, t.source, t.amounts, t.total) for t in doc.declared_totals]


def mismatches(doc):
    return [(m.kind, m.declared, m.computed, m.message) for m in check_document(doc)]


# ------------------------------------------------------------------ reading (no database)
@pytest.mark.parametrize("name", list(BUILD))
def test_docx_reads_as_the_xlsx_demo(documents, name):
    read = read_docx(documents[name])
    d, x = read.document, xlsx(name)
    assert (d.title, d.period_start, d.period_end, d.passport_form) == (x.title, x.period_start, x.period_end,
                                                                      x.passport_form)
    assert d.passport.model_dump(exclude={"source_refs"}) == x.passport.model_dump(exclude={"source_refs"})
    assert [(g.code, g.name) for g in d.goals] == [(g.code, g.name) for g in x.goals]
    assert ([(p.code, p.name, p.goal, [t.name for t in p.tasks]) for p in d.priorities]
            == [(p.code, p.name, p.goal, [t.name for t in p.tasks]) for p in x.priorities])
    assert projects(d) == projects(x)
    assert totals(d) == totals(x)
    assert indicators(d) == indicators(x)
    assert mismatches(d) == mismatches(x)  # the same checks find the same faults in the document
    # a code is given only with confidence, and then it is the code the demo program has
    for ind, match in read.matches:
        xi = next(i for i in x.indicators if i.ref == ind.ref)
        if match.matched:
            assert ind.canonical_code == xi.canonical_code and match.score >= THRESHOLD, (ind.name, match.reason)
            assert ind.method == xi.method
        else:
            assert ind.canonical_code is None and (ind, match) in read.review
            assert match.candidates and match.reason.startswith("below the threshold")
    assert len(read.matches) == len(x.indicators)


def test_counts_of_the_seeds_and_what_was_tolerated(documents):
    kr = read_docx(documents["kremenchuk"])
    assert sum(len(p.tasks) for p in kr.document.priorities) == 12  # merged task cells carried forward
    assert len(projects(kr.document)) == 35 and len(kr.document.indicators) == 26
    assert projects(kr.document)[0][7][0][1][2026] == WITHIN_ESTIMATES
    kinds = kr.report()["row_kinds"]
    assert (kinds["project"], kinds["total"], kinds["indicator"], kinds["header"]) == (35, 7, 26, 6)
    # Додаток 2 is split over two tables with its header repeated: both parts read, priority 2 once
    assert {r.table for r in kr.rows if r.kind == "indicator"} == {3, 4}
    assert [t["read_as"] for t in kr.tables] == ["Додаток 1", None, "Додаток 2", "Додаток 2", None]
    assert kr.tables[2]["heading"] == "Перелік індикаторів виконання"
    assert [p.code for p in kr.document.priorities] == ["1", "2", "3"]
    program_total = next(m for m in check_document(kr.document) if m.kind == "program_total"
                         and "all sources" in m.message)
    assert (program_total.declared, program_total.computed) == ("69 682", "69 683")
    assert program_total.source_ref == "таблиця 1, рядок 45"  # the place in the document

    kh = read_docx(documents["khmilnyk"])
    conts = [r for r in kh.rows if r.kind == "continuation"]
    assert len(conts) == 3  # two project rows and one indicator name broken by a page
    p10 = next(pr for _, pr in kh.document.projects() if pr.ref == "10")
    assert p10.funding[0].total == WITHIN_ESTIMATES  # «В межах кошторисних» + «призначень» across the break
    assert kh.document.declared_totals[0].amounts == {2023: Decimal("465"), 2024: Decimal("8707"),
                                                      2025: Decimal("5297")}
    assert [i.project for i in kh.document.indicators] == [str(n) for n in range(1, 32)]

    ba = read_docx(documents["balakliia"])
    raw = docx.Document(io.BytesIO(documents["balakliia"]))
    cells = [c.text for t in raw.tables for row in t.rows for c in row.cells]
    mixed = [c for c in cells if re.search(r"[а-яі][a-z]|[a-z][а-яі]", c)]
    assert len(mixed) >= 2  # Latin letters typed inside Cyrillic words (an indicator and a priority)
    assert ba.document.indicators[1].name == xlsx("balakliia").indicators[1].name  # read as Cyrillic
    assert ba.document.priorities[1].name == "Цифровізація публічних послуг"
    assert ba.document.indicators[0].targets == {2025: Decimal("5.0"), 2026: Decimal("5.0"), 2027: Decimal("5.0")}
    assert any("\n" in c for c in cells)  # stray line breaks inside cells …
    assert not any("\n" in (i.unit or "") + i.name for i in ba.document.indicators)  # … read as spaces
    assert {i.declared_dynamics for i in ba.document.indicators} >= {"+", "15,0", "0"}


def test_every_row_of_every_table_is_reported(documents):
    for name, data in documents.items():
        read = read_docx(data)
        tables = docx.Document(io.BytesIO(data)).tables
        expected = {(t, r) for t, table in enumerate(tables, start=1) for r in range(1, len(table.rows) + 1)}
        reported = [(f.table, f.row) for f in read.rows if f.table]  # table 0: body paragraphs
        assert sorted(reported) == sorted(expected), name
        assert all(f.result for f in read.rows)
        unmatched = [f for f in read.rows if f.kind == "indicator" and "listed for review" in f.result]
        assert len(unmatched) == len(read.review)


def test_a_passport_written_as_a_numbered_list():
    read = read_docx(typeset.khmilnyk_docx(passport_table=False))
    x = xlsx("khmilnyk")
    assert read.document.passport_form == "egap_2023"
    assert read.document.passport.model_dump(exclude={"source_refs"}) == x.passport.model_dump(exclude={"source_refs"})
    assert totals(read.document) == totals(x)
    assert read.document.passport.source_refs["head"] == "абзац 5"
    assert [f.kind for f in read.rows if f.table == 0] == ["passport"] * 12


def test_the_2024_passport_and_a_program_without_numbers():
    read = read_docx(typeset.slobozhanska_docx())
    d = read.document
    assert d.passport_form == "national_2024" and d.hromada == "UA63140110000087562"
    assert (d.period_start, d.period_end) == (2025, 2027)  # from «Строк виконання Програми»
    assert d.passport.development_decree == "Рішення виконавчого комітету"
    assert d.passport.developer == "Відділ організаційно-інформаційної роботи"
    assert d.passport.ministry_agreement is None  # the date of agreement is left empty in the seed
    projects_ = [pr for _, pr in d.projects()]
    assert len(projects_) == 2 and all(pr.funding == [] for pr in projects_)
    assert projects_[1].task == projects_[0].task  # the measure cell is merged over both projects
    assert [i.targets for i in d.indicators] == [{}] * 4 and d.indicators[3].canonical_code == "SEV_OVV"
    with pytest.raises(DocxError, match="UA63140110000087562, not UA05120170000013778"):
        read_docx(typeset.slobozhanska_docx(), KHMILNYK)


def test_clear_errors():
    with pytest.raises(DocxError) as exc:
        read_docx(typeset.no_annex_docx())
    assert "no annex tables" in str(exc.value) and "«Найменування індикатора»" in str(exc.value)
    assert "«Назва проєкту, робіт з інформатизації»" in str(exc.value)
    with pytest.raises(DocxError, match="not a DOCX document"):
        read_docx(b"plain text, not a document", source="notes.docx")
    with pytest.raises(DocxError) as exc:
        read_docx(typeset.kremenchuk_docx({"8 632": "вісім тисяч"}))
    problem = exc.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("Додаток 1 (таблиця 1)", 5, "6 (2026)")
    assert "вісім тисяч" in problem.message


def test_matching_gives_score_and_reason():
    exact = match_indicator("Кількість датчиків вимірювання якості повітря", "одиниць")
    assert exact.code == "AIR_SENSOR_COUNT" and exact.score == 100 and "unit «одиниць»" in exact.reason
    wrong_unit = match_indicator("Кількість датчиків вимірювання якості повітря", "Так/Ні")
    assert wrong_unit.score < exact.score and "not among the code's units" in wrong_unit.candidates[0].reason
    lookalike = match_indicator("Кiлькiсть дaтчикiв вимiрювaння якостi повiтря", "одиниць")  # Latin i and a
    assert lookalike.code == "AIR_SENSOR_COUNT" and lookalike.score == exact.score
    unrelated = match_indicator("Кількість відремонтованих доріг комунальної власності", "км")
    assert unrelated.code is None and len(unrelated.candidates) == 3
    assert all(c.code in catalogue() for c in unrelated.candidates)


# ------------------------------------------------------------------ storing, review, HTTP and CLI
def _upload(client, token, name, data, hromada=None):
    return client.post("/api/programs/import", headers=auth(token),
                       files={"file": (name, data, DOCX)}, data={"hromada": hromada} if hromada else {})


def _programs(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(program)).scalar_one()


def test_import_over_http_then_review(client, engine, make_user, documents):
    _, _, token = make_user("planner", (KREMENCHUK,))
    r = _upload(client, token, "kremenchuk.docx", documents["kremenchuk"], KREMENCHUK)
    assert r.status_code == 201, r.text
    body = r.json()
    pid, iid = body["program_id"], body["import_id"]
    assert (body["projects"], body["indicators"]) == (35, 26)
    assert any(m["declared"] == "69 682" and m["computed"] == "69 683" for m in body["mismatches"])
    assert len(body["report"]["rows"]) == sum(len(t.rows) for t in docx.Document(io.BytesIO(documents["kremenchuk"])).tables)
    pending = body["review_pending"]
    assert pending == len(read_docx(documents["kremenchuk"]).review) > 0

    review = client.get(f"/api/programs/imports/{iid}/review", headers=auth(token)).json()
    assert review["status"] == "review" and review["pending"] == pending and review["program_id"] == pid
    first, second = review["items"][0], review["items"][1]
    assert first["candidates"] and first["reason"].startswith("below the threshold")
    expected = {i.ref: i.canonical_code for i in xlsx("kremenchuk").indicators}
    r = client.post(f"/api/programs/imports/{iid}/review", headers=auth(token), json={"decisions": [
        {"indicator": first["indicator"], "canonical_code": expected[first["indicator"]]},
        {"indicator": second["indicator"], "canonical_code": None}]})
    assert r.status_code == 200, r.text
    assert r.json()["pending"] == pending - 2
    decided = {i["indicator"]: i for i in r.json()["items"]}
    assert decided[first["indicator"]]["status"] == "confirmed" and decided[second["indicator"]]["status"] == "no_code"
    inds = {i["ref"]: i for i in client.get(f"/api/programs/{pid}/indicators", headers=auth(token)).json()}
    assert inds[first["indicator"]]["canonical_code"] == expected[first["indicator"]]
    assert inds[second["indicator"]]["canonical_code"] is None

    rest = [{"indicator": i["indicator"], "canonical_code": expected[i["indicator"]]}
            for i in r.json()["items"] if i["status"] == "pending"]
    done = client.post(f"/api/programs/imports/{iid}/review", headers=auth(token), json={"decisions": rest}).json()
    assert (done["status"], done["pending"]) == ("ok", 0)
    codes = {i["ref"]: i["canonical_code"] for i in
             client.get(f"/api/programs/{pid}/indicators", headers=auth(token)).json()}
    assert codes == expected | {second["indicator"]: None}  # confirmed, matched or kept without a code
    bad = client.post(f"/api/programs/imports/{iid}/review", headers=auth(token),
                      json={"decisions": [{"indicator": first["indicator"], "canonical_code": "NO_SUCH"}]})
    assert bad.status_code == 422 and "decisions[0].canonical_code" in bad.json()["detail"]
    _, _, other = make_user("planner", (BALAKLIIA,))
    assert client.get(f"/api/programs/imports/{iid}/review", headers=auth(other)).status_code == 403
    missing = client.get("/api/programs/imports/999999/review", headers=auth(token))
    assert missing.status_code == 404 and "no DOCX program import 999999" in missing.json()["detail"]


def test_faulty_document_stores_nothing(client, engine, make_user):
    _, _, token = make_user("planner", (KREMENCHUK,))
    before = _programs(engine)
    r = _upload(client, token, "broken.docx", typeset.kremenchuk_docx({"5 235": "п'ять тисяч"}), KREMENCHUK)
    assert r.status_code == 422
    problem = r.json()["detail"]["problems"][0]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Додаток 1 (таблиця 1)", 5, "7 (2027)")
    r = _upload(client, token, "nothing.docx", typeset.no_annex_docx(), KREMENCHUK)
    assert r.status_code == 422 and "no annex tables" in r.json()["detail"]["detail"]
    assert _programs(engine) == before


def test_cli_imports_a_docx(engine, tmp_path, documents):
    from gisplan.cli import app

    path = tmp_path / "khmilnyk.docx"
    path.write_bytes(documents["khmilnyk"])
    result = CliRunner().invoke(app, ["program", "import", str(path), "--hromada", KHMILNYK])
    assert result.exit_code == 0, result.output
    assert "32 projects, 31 indicators" in result.output
    review = read_docx(documents["khmilnyk"]).review
    assert result.output.count("  review: indicator") == len(review) > 0
    assert "mismatch: Паспорт" in result.output  # the passport's task counts 14/29 against the annex

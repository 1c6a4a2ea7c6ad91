"""Monitoring reports (issue 15): quarterly and annual reports of the demo programs in XLSX, DOCX
and PDF open with openpyxl, python-docx and pypdf and hold the program's figures (SEEDS-ANALYSIS §6.5);
the PDF carries the Mapnik maps; a replaced template changes the layout without code changes."""

from __future__ import annotations

import io
import struct
import zlib
from decimal import Decimal
from functools import lru_cache

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import delete, insert, select
from typer.testing import CliRunner

from gisplan.cli import app as cli_app
from gisplan.demo import load_demo
from gisplan.program import load_demo_programs
from gisplan.program.tables import program_project, program_project_report
from gisplan.reports.build import build_report
from gisplan.reports.build import ReportError
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth

DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)
YEARS = {BALAKLIIA: 2025, KHMILNYK: 2024, KREMENCHUK: 2026}
SPENT = [Decimal("120.5"), Decimal("80")]   # two executors' reports in Q2 of the Хмільницька year


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="reports-test")
    with engine.begin() as conn:
        pids = {r.hromada: r.program_id for r in load_demo_programs(conn)}
        projects = conn.execute(select(program_project.c.id).where(program_project.c.program_id == pids[KHMILNYK])
                                .order_by(program_project.c.seq).limit(2)).scalars().all()
        conn.execute(delete(program_project_report).where(program_project_report.c.project_id.in_(projects)))
        conn.execute(insert(program_project_report), [
            {"project_id": projects[0], "year": 2024, "quarter": 1, "progress_pct": 20, "spent": Decimal("30"),
             "narrative": "закуплено обладнання", "entered_by": "reports-test"},
            {"project_id": projects[0], "year": 2024, "quarter": 2, "progress_pct": 100, "spent": SPENT[0],
             "narrative": "роботи завершено", "entered_by": "reports-test"},
            {"project_id": projects[1], "year": 2024, "quarter": 2, "progress_pct": 40, "spent": SPENT[1],
             "narrative": "триває монтаж", "entered_by": "reports-test"},
        ])
    return pids


def _report(engine, pid, kind, year, fmt, **kw):
    with engine.connect() as conn:
        return build_report(conn, pid, kind, year, fmt, **kw)


@pytest.fixture(scope="module")
def built(engine, demo):
    """built(hromada, kind, fmt, quarter=None): the report of the demo program's year with the built-in
    templates, built once in this module. Several tests read the same report and none changes the
    program data; the tests with a replaced template build their own."""
    kept = {}

    def get(h: str, kind: str, fmt: str, quarter: int | None = None):
        if (h, kind, fmt, quarter) not in kept:
            kept[h, kind, fmt, quarter] = _report(engine, demo[h], kind, YEARS[h], fmt, quarter=quarter)
        return kept[h, kind, fmt, quarter]

    return get


@pytest.fixture(scope="module")
def annual_pdfs(built):
    return {h: built(h, "annual", "pdf") for h in DEMO}


@pytest.fixture(scope="module")
def quarterly_pdfs(built):
    """Q2 of each demo program's year."""
    return {h: built(h, "quarterly", "pdf", quarter=2) for h in DEMO}


def _xlsx_rows(content: bytes, sheet: str) -> list[list]:
    wb = load_workbook(io.BytesIO(content), data_only=True)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in t.rows]
    return "\n".join(parts)


@lru_cache(maxsize=8)
def _pdf_text(content: bytes) -> str:
    """The PDF's text, extracted once per distinct file (several tests read the same report)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())   # cells wrap over lines


def _row(rows: list[list], first: str) -> list:
    return next(r for r in rows if r and isinstance(r[0], str) and r[0].startswith(first))


# ----------------------------------------------------------------------------------- figures
def test_khmilnyk_annual_xlsx_holds_the_total_and_its_yearly_split(built):
    rep = built(KHMILNYK, "annual", "xlsx")   # 2024
    rows = _xlsx_rows(rep.content, "Фінансування")
    assert next(r for r in rows if r[1] == "Джерело")[2:5] == [2023, 2024, 2025]
    total = _row(rows, "Всього за програмою")
    assert [float(v) for v in total[2:6]] == [465.0, 8707.0, 5297.0, 14469.0]
    wb = load_workbook(io.BytesIO(rep.content))
    assert wb.sheetnames == ["Індикатори", "Фінансування", "Проєкти"]
    assert "annual.xlsx v1.0" in wb.properties.keywords
    meta = _xlsx_rows(rep.content, "Індикатори")
    assert _row(meta, "Шаблон звіту")[1].startswith("annual.xlsx v1.0")
    indicators = [r for r in meta if r[0] and str(r[0])[:1].isdigit() and r[2]]
    assert len(indicators) == len(rep.context["indicators"]) == 31   # seed 004: 31 indicators


def test_khmilnyk_annual_docx_and_pdf_hold_the_same_figures(built, annual_pdfs):
    text = _docx_text(built(KHMILNYK, "annual", "docx").content)   # 2024
    assert "Всього за програмою / Program total: 14 469" in text
    for figure in ("2023: 465", "2024: 8 707", "2025: 5 297"):
        assert figure in text
    assert "annual.docx v1.0" in text
    pdf = _pdf_text(annual_pdfs[KHMILNYK].content)
    for figure in ("14 469", "8 707", "5 297", "465", "annual.html v1.0"):
        assert figure in pdf


def test_kremenchuk_priority_totals(built):
    rep = built(KREMENCHUK, "annual", "xlsx")   # 2026
    rows = [r for r in _xlsx_rows(rep.content, "Фінансування") if r[0] in ("1", "2", "3")]
    by_source = {(r[0], r[1].replace("-", "")): [float(v) for v in r[2:6]] for r in rows if isinstance(r[7], str)}
    # «Всього за напрямом» of the annex, 2026 / 2027 / 2028 / 2026–2028, тис. грн (SEEDS-ANALYSIS §3.4)
    assert by_source[("1", "місцевий бюджет")] == [22831, 19025, 18530, 60386]
    assert by_source[("1", "КП «Міськоформлення»")] == [2251, 2187, 2381, 6819]
    assert by_source[("2", "місцевий бюджет")] == [1715, 196, 217, 2128]
    assert by_source[("3", "місцевий бюджет")] == [114, 118, 118, 350]   # the document writes 349 (§6.5)
    per_priority = {r[0]: float(r[5]) for r in rows if not isinstance(r[7], str)}
    assert per_priority == {"1": 60386 + 6819, "2": 2128, "3": 350}
    program_total = _row(_xlsx_rows(rep.content, "Фінансування"), "Всього за програмою")
    assert [float(v) for v in program_total[2:6]] == [26911, 21526, 21246, 69683]
    assert any(m["declared"] == "69 682" and m["computed"] == "69 683" for m in rep.context["mismatches"])


def test_every_demo_program_reports_in_three_formats(built):
    for h in DEMO:
        for kind, quarter in (("quarterly", 2), ("annual", None)):
            for fmt in ("xlsx", "docx", "pdf"):
                rep = built(h, kind, fmt, quarter=quarter)
                if fmt == "xlsx":
                    assert load_workbook(io.BytesIO(rep.content)).sheetnames
                elif fmt == "docx":
                    assert rep.context["program"]["title"] in _docx_text(rep.content)
                else:
                    assert len(PdfReader(io.BytesIO(rep.content)).pages) >= 1
                assert rep.template["version"] == "1.0" and rep.template["origin"] == "built-in"


def test_quarterly_report_sums_the_executors_reports(built, quarterly_pdfs):
    rep = built(KHMILNYK, "quarterly", "xlsx", quarter=2)   # Q2 2024
    rows = _xlsx_rows(rep.content, "Квартальний звіт")
    total = _row(rows, "Разом")
    assert float(total[6]) == float(sum(SPENT))                 # spent in Q2
    assert float(total[7]) == float(sum(SPENT) + 30)           # year to date: Q1 + Q2
    assert float(total[5]) == 8707.0                            # planned for 2024
    statuses = [r[9] for r in rows if r[9] and str(r[9]).startswith(("виконано", "виконується"))]
    assert statuses[:2] == ["виконано / completed", "виконується / in progress"]
    assert rep.context["totals"]["projects"] == 30              # projects active in 2024 (SEEDS §3.4)
    assert rep.context["due"] == "2024-07-05"
    pdf = _pdf_text(quarterly_pdfs[KHMILNYK].content)   # Q2 2024, as the xlsx above
    assert "роботи завершено" in pdf and "200,5" in pdf


def test_quarterly_report_of_one_executor(engine, demo):
    full = _report(engine, demo[KREMENCHUK], "quarterly", 2026, "docx", quarter=1).context
    one = _report(engine, demo[KREMENCHUK], "quarterly", 2026, "docx", quarter=1, executor="Департамент освіти").context
    assert 0 < len(one["projects"]) < len(full["projects"])
    assert all("Департамент освіти" in p["executors"] for p in one["projects"])


# --------------------------------------------------------------------------------- maps, charts
_PNG_COLOUR = {"/DeviceRGB": 2, "/DeviceGray": 0}   # PNG colour types of WeasyPrint's image streams


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def _decode_image(xobj) -> Image.Image | None:
    """An image XObject as WeasyPrint writes it, as a Pillow image: a PNG's IDAT data as the stream
    (FlateDecode, PNG predictors, DeviceRGB/DeviceGray, 8 bits) or a JPEG as it is. Both go to
    Pillow whole (pypdf undoes PNG predictors row by row in Python: ~25 s for the three annual
    reports, 1 s this way). None for anything else."""
    raw, parms = xobj._data, xobj.get("/DecodeParms") or {}   # the stream as stored, not decoded
    colour = _PNG_COLOUR.get(xobj.get("/ColorSpace"))
    if xobj.get("/Filter") == "/DCTDecode":
        return Image.open(io.BytesIO(raw))
    if (xobj.get("/Filter") == "/FlateDecode" and parms.get("/Predictor", 1) >= 10 and colour is not None
            and xobj.get("/BitsPerComponent") == 8 and parms.get("/Colors", 1) == (3 if colour == 2 else 1)
            and parms.get("/Columns") == xobj["/Width"]):
        header = struct.pack("!IIBBBBB", xobj["/Width"], xobj["/Height"], 8, colour, 0, 0, 0)
        png = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", raw) + _png_chunk(b"IEND", b"")
        img = Image.open(io.BytesIO(png))
        img.load()
        return img
    return None


def _image_xobjects(owner, path: tuple = ()):
    """(path, reference, object) of every image XObject in the resources of a page or form, forms
    searched too (pypdf's ``page.images`` walks them the same way)."""
    xobjects = owner.get("/Resources", {}).get("/XObject", {})
    for name, ref in xobjects.items():
        xobj = ref.get_object()
        if xobj.get("/Subtype") == "/Image":
            yield (*path, name), ref, xobj
        elif xobj.get("/Subtype") == "/Form" and name not in path:
            yield from _image_xobjects(xobj, (*path, name))


def _distinct_images(content: bytes) -> list[Image.Image]:
    """The PDF's images, each decoded once and told apart by their pixels and alpha mask:
    WeasyPrint lists every image in each page's resources. What ``_decode_image`` does not read
    is decoded by pypdf (``page.images``, with its mask applied)."""
    decoded: dict[object, tuple[Image.Image, bytes]] = {}
    for n, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        for path, ref, xobj in _image_xobjects(page):
            key = getattr(ref, "idnum", None) or (n, path)
            if key in decoded:
                continue
            img, mask = _decode_image(xobj), xobj.get("/SMask")
            alpha = _decode_image(mask.get_object()) if mask is not None else None
            if img is None or (mask is not None and alpha is None):
                decoded[key] = (page.images[path[0] if len(path) == 1 else list(path)].image, b"")
            else:
                decoded[key] = (img, alpha.tobytes() if alpha is not None else b"")
    distinct = {(img.mode, img.size, img.tobytes(), alpha): img for img, alpha in decoded.values()}
    return list(distinct.values())


def _non_blank(img: Image.Image) -> bool:
    colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    return colours is None or len(colours) > 2


def test_pdf_contains_the_maps_non_blank(annual_pdfs):
    for h in (KHMILNYK, KREMENCHUK, BALAKLIIA):
        rep = annual_pdfs[h]
        maps = rep.context["maps"]
        assert maps, f"{h}: no spatial indicator map"
        images = _distinct_images(rep.content)
        assert len(images) >= len(maps) + len(rep.context["charts"])
        big = [img for img in images if img.size[0] >= 1000]     # the maps are 1200 px wide
        assert len(big) == len(maps) + len(rep.context["gap_maps"])
        assert all(_non_blank(img) for img in big)
        text = _pdf_text(rep.content)
        assert all(m["title"]["uk"].split(".")[0] in text for m in maps)
    gaps = annual_pdfs[KHMILNYK].context["gap_maps"]
    assert [g["gap"] for g in gaps] == ["settlements_without_wifi"]   # bound to the Wi‑Fi indicator
    assert gaps[0]["title"]["uk"] in _pdf_text(annual_pdfs[KHMILNYK].content)


def test_map_draws_the_metric_layer(engine, demo, annual_pdfs):
    """The map differs from one of the boundary alone: the metric's features are drawn."""
    from gisplan.reports.maps import map_layers, render_layers

    m = annual_pdfs[KHMILNYK].context["maps"][0]
    layers = map_layers(m["metric"])
    with engine.connect() as conn:
        with_layers = render_layers(conn, KHMILNYK, layers, 400, 300)
        boundary = render_layers(conn, KHMILNYK, layers[:1], 400, 300)
    assert with_layers != boundary
    assert "cctv_cameras" not in " ".join(x["layers"] for h in DEMO for x in annual_pdfs[h].context["maps"])


# ----------------------------------------------------------------------------------- templates
def test_replaced_xlsx_template_changes_the_layout(engine, demo, tmp_path, monkeypatch):
    wb = Workbook()
    ws = wb.active
    ws.title = "Форма громади"
    ws.append(["Загальний обсяг", "{{ funding.total }}"])
    ws.append(["Рік", "План", "Витрачено"])
    ws.append(["{%row p in priorities%}{{ p.code }}", "{{ p.planned_year }}", "{{ p.spent_year }}"])
    ws.append(["Шаблон", "{{ template.label }}"])
    wb.properties.version = "7.3-test"
    wb.save(tmp_path / "annual.xlsx")
    monkeypatch.setenv("GISPLAN_REPORT_TEMPLATES_DIR", str(tmp_path))
    rep = _report(engine, demo[KHMILNYK], "annual", 2024, "xlsx")
    out = load_workbook(io.BytesIO(rep.content))
    assert out.sheetnames == ["Форма громади"]
    rows = [list(r) for r in out.active.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Загальний обсяг", 14469]
    priorities = rows[2:-1]
    assert len(priorities) == len(rep.context["priorities"]) == 6      # seed 004: six priority areas
    assert sum(float(r[1]) for r in priorities) == 8707.0
    assert rep.template["origin"] == "replaced" and rep.template["version"] == "7.3-test"
    assert rows[-1][1].startswith("annual.xlsx v7.3-test")
    # the other formats still use the built-in templates
    assert _report(engine, demo[KHMILNYK], "quarterly", 2024, "xlsx", quarter=1).template["origin"] == "built-in"


def test_replaced_html_template_changes_the_pdf(engine, demo, tmp_path, monkeypatch):
    (tmp_path / "quarterly.html").write_text(
        '<html><head><meta charset="utf-8"><meta name="template-version" content="2.1"></head><body>'
        '<h1>Коротка форма</h1><p>Разом за квартал: {{ totals.spent_quarter|num }}</p>'
        '<p>{{ template.label }}</p></body></html>', encoding="utf-8")
    monkeypatch.setenv("GISPLAN_REPORT_TEMPLATES_DIR", str(tmp_path))
    text = _pdf_text(_report(engine, demo[KHMILNYK], "quarterly", 2024, "pdf", quarter=2).content)
    assert "Коротка форма" in text and "Разом за квартал: 200,5" in text and "quarterly.html v2.1" in text
    assert "Стан виконання проєктів" not in text


def test_broken_template_names_the_cell(engine, demo, tmp_path, monkeypatch):
    wb = Workbook()
    wb.active.title = "Ф"
    wb.active["C4"] = "{{ no_such_field }}"
    wb.save(tmp_path / "annual.xlsx")
    monkeypatch.setenv("GISPLAN_REPORT_TEMPLATES_DIR", str(tmp_path))
    with pytest.raises(Exception, match=r"annual.xlsx, cell Ф!C4: 'no_such_field' is undefined"):
        _report(engine, demo[KHMILNYK], "annual", 2024, "xlsx")


def test_bad_requests_name_the_parameter(engine, demo):
    with pytest.raises(ReportError, match="^year: 2030 is outside the program period 2023–2025"):
        _report(engine, demo[KHMILNYK], "annual", 2030, "pdf")
    with pytest.raises(ReportError, match="^quarter: a quarterly report needs a quarter 1–4"):
        _report(engine, demo[KHMILNYK], "quarterly", 2024, "pdf")
    with pytest.raises(ReportError, match="^format: 'odt' is not offered"):
        _report(engine, demo[KHMILNYK], "annual", 2024, "odt")


# --------------------------------------------------------------------------------- API and CLI
def test_api_report_download(client, demo, make_user):
    pid = demo[KREMENCHUK]
    viewer = make_user("viewer", (KREMENCHUK,))[2]
    r = client.get(f"/api/programs/{pid}/reports/quarterly", params={"year": 2026, "quarter": 1, "format": "docx"},
                   headers=auth(viewer))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "quarterly.docx%20v1.0" in r.headers["x-report-template"]
    assert "UA53020110000092487-quarterly-2026-q1.docx" in r.headers["content-disposition"]
    assert "Кременчу" in _docx_text(r.content)
    other = make_user("viewer", (BALAKLIIA,))[2]
    assert client.get(f"/api/programs/{pid}/reports/annual", params={"year": 2026},
                      headers=auth(other)).status_code == 403
    assert client.get(f"/api/programs/{pid}/reports/annual", params={"year": 2026}).status_code == 401
    bad = client.get(f"/api/programs/{pid}/reports/quarterly", params={"year": 2026}, headers=auth(viewer))
    assert bad.status_code == 422 and bad.json()["detail"].startswith("quarter:")
    assert client.get(f"/api/programs/{pid}/reports/monthly", params={"year": 2026},
                      headers=auth(viewer)).status_code == 422
    assert client.get("/api/programs/999999/reports/annual", params={"year": 2026},
                      headers=auth(viewer)).status_code == 404


def test_cli_writes_the_report(demo, tmp_path):
    out = tmp_path / "q.xlsx"
    r = CliRunner().invoke(cli_app, ["report", "quarterly", "--hromada", KHMILNYK, "--year", "2024",
                                     "--quarter", "2", "--format", "xlsx", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "template quarterly.xlsx v1.0" in r.output
    assert load_workbook(out).sheetnames == ["Квартальний звіт"]
    r = CliRunner().invoke(cli_app, ["report", "annual", "--hromada", KHMILNYK, "--year", "2031",
                                     "--format", "pdf", "--out", str(tmp_path / "a.pdf")])
    assert r.exit_code != 0
    assert "--hromada UA05120170000013778: no program of this громада covers year 2031" in (r.output + str(r.exception))


def test_publish_on_the_public_page(client, demo, make_user):
    pid = demo[KHMILNYK]
    planner = make_user("planner", (KHMILNYK,))[2]
    viewer = make_user("viewer", (KHMILNYK,))[2]
    params = {"year": 2024, "format": "pdf"}
    assert client.post(f"/api/programs/{pid}/reports/annual/publish", params=params,
                       headers=auth(viewer)).status_code == 403
    r = client.post(f"/api/programs/{pid}/reports/annual/publish", params=params, headers=auth(planner))
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    assert url == f"/{KHMILNYK}/reports/{KHMILNYK}-annual-2024.pdf"
    listed = client.get(f"/api/hromady/{KHMILNYK}/reports").json()
    assert [i["url"] for i in listed["data"]] == [url] and listed["data"][0]["template"].startswith("annual.html v1.0")
    public = client.get(url)                                         # anonymous
    assert public.status_code == 200 and public.headers["content-type"] == "application/pdf"
    assert "14 469" in _pdf_text(public.content)
    page = client.get(f"/{KHMILNYK}/")                               # the громада's public page lists it
    assert page.status_code == 200 and f'href="{url}"' in page.text and "річний звіт, 2024" in page.text
    assert "annual report, 2024" in client.get(f"/{KHMILNYK}/?lang=en").text
    assert client.get(f"/{KHMILNYK}/reports/nothing.pdf").status_code == 404
    assert client.delete(f"/api/hromady/{KHMILNYK}/reports/{KHMILNYK}-annual-2024.pdf",
                         headers=auth(viewer)).status_code == 403
    assert client.delete(f"/api/hromady/{KHMILNYK}/reports/{KHMILNYK}-annual-2024.pdf",
                         headers=auth(planner)).status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(f"/api/hromady/{KHMILNYK}/reports").json()["count"] == 0
    assert f'href="{url}"' not in client.get(f"/{KHMILNYK}/").text

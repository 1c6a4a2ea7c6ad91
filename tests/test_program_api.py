"""Programs in the database and through the API: demo load, lossless export, amendments, actuals,
executors' reports, the calendar, spatial ties and all-or-nothing imports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gisplan import features as feats
from gisplan.db.layer_tables import layer_table
from gisplan.program import load_demo_programs
from gisplan.program.loading import DEMO_DIR, import_workbook
from gisplan.program.store import read_document
from gisplan.program.tables import program
from gisplan.program.xlsx import read_workbook, write_workbook
from tests.cli_inprocess import gisplan
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth


def workbook(name: str) -> bytes:
    return (DEMO_DIR / f"{name}.xlsx").read_bytes()


def upload(client, token, name, data, hromada):
    return client.post("/api/programs/import", headers=auth(token), data={"hromada": hromada},
                       files={"file": (name, data, "application/octet-stream")})


def programs_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(program)).scalar_one()


def test_demo_programs_load_with_the_seed_counts(engine):
    with engine.begin() as conn:
        reports = load_demo_programs(conn)
    with engine.begin() as conn:
        again = load_demo_programs(conn)  # idempotent: same programs, refreshed
    assert [r.program_id for r in again] == [r.program_id for r in reports]
    assert [r.created for r in again] == [False] * 3
    by_name = {r.source: r for r in reports}
    kh, kr, ba = by_name["demo/khmilnyk.xlsx"], by_name["demo/kremenchuk.xlsx"], by_name["demo/balakliia.xlsx"]
    assert (kh.projects, kh.indicators, kh.hromada) == (32, 31, KHMILNYK)
    assert (kr.projects, kr.indicators, kr.hromada) == (35, 26, KREMENCHUK)
    assert (ba.projects, ba.indicators, ba.hromada) == (0, 51, BALAKLIIA)
    assert any(m.declared == "69 682" and m.computed == "69 683" for m in kr.mismatches)
    assert kh.import_log_id and "32 projects" in kh.summary()
    with engine.connect() as conn:
        for rep, name in ((kh, "khmilnyk"), (kr, "kremenchuk"), (ba, "balakliia")):
            assert read_document(conn, rep.program_id) == read_workbook(workbook(name), rep.hromada)


def test_import_export_round_trip_and_checks(client, make_user):
    _, _, token = make_user("planner", (KREMENCHUK,))
    r = upload(client, token, "kremenchuk.xlsx", workbook("kremenchuk"), KREMENCHUK)
    assert r.status_code == 201, r.text
    pid = r.json()["program_id"]
    assert r.json()["projects"] == 35
    exported = client.get(f"/api/programs/{pid}/export.xlsx", headers=auth(token))
    assert exported.status_code == 200
    assert read_workbook(exported.content) == read_workbook(workbook("kremenchuk"), KREMENCHUK)
    checks = client.get(f"/api/programs/{pid}/checks", headers=auth(token)).json()
    assert checks["totals"]["total"] == 69683 and checks["totals"]["years"] == {"2026": 26911, "2027": 21526,
                                                                               "2028": 21246}
    assert any(m["declared"] == "69 682" and m["computed"] == "69 683" for m in checks["mismatches"])
    listed = client.get("/api/programs", headers=auth(token), params={"hromada": KREMENCHUK}).json()
    assert pid in [p["id"] for p in listed["data"]]
    body = client.get(f"/api/programs/{pid}", headers=auth(token)).json()
    assert body["priorities"][0]["projects"][0]["funding"][0]["amounts"]["2026"] == "В межах кошторисних призначень"
    assert body["indicators"][0]["unit_kind"] == "percent" and body["indicators"][0]["recomputed_dynamics"] == 21
    _, _, other = make_user("planner", (BALAKLIIA,))
    assert client.get(f"/api/programs/{pid}", headers=auth(other)).status_code == 403
    assert client.get(f"/api/programs/{pid}").status_code == 401


def test_malformed_workbook_stores_nothing(client, engine, make_user):
    _, _, token = make_user("planner", (BALAKLIIA,))
    wb = load_workbook(DEMO_DIR / "balakliia.xlsx")
    wb["Додаток 2"]["G9"] = "п'ять"
    buf = io.BytesIO()
    wb.save(buf)
    before = programs_count(engine)
    r = upload(client, token, "broken.xlsx", buf.getvalue(), BALAKLIIA)
    assert r.status_code == 422
    problem = r.json()["detail"]["problems"][0]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Додаток 2", 9, "G (2026)")
    assert programs_count(engine) == before
    r = upload(client, token, "kremenchuk.xlsx", workbook("kremenchuk"), KREMENCHUK)  # not their громада
    assert r.status_code == 403 and programs_count(engine) == before


def test_amendment_keeps_the_previous_version(client, engine, make_user):
    _, _, token = make_user("planner", (KREMENCHUK,))
    pid = upload(client, token, "kremenchuk.xlsx", workbook("kremenchuk"), KREMENCHUK).json()["program_id"]
    doc = client.get(f"/api/programs/{pid}/versions/1", headers=auth(token)).json()
    doc["priorities"][2]["projects"][2]["funding"][0]["amounts"]["2028"] = 17
    doc["priorities"][2]["projects"][2]["funding"][0]["total"] = 49
    r = client.post(f"/api/programs/{pid}/amendments", headers=auth(token), json={
        "decision_number": "№ 1234", "decision_date": "2026-05-28", "program": doc})
    assert r.status_code == 201 and r.json()["version"] == 2
    versions = client.get(f"/api/programs/{pid}/versions", headers=auth(token)).json()
    assert [(v["number"], v["decision_number"], v["in_force"]) for v in versions] == [
        (1, None, False), (2, "№ 1234", True)]
    old = client.get(f"/api/programs/{pid}", params={"version": 1}, headers=auth(token)).json()
    new = client.get(f"/api/programs/{pid}", headers=auth(token)).json()
    assert old["priorities"][2]["projects"][2]["funding"][0]["amounts"]["2028"] == 18
    assert new["priorities"][2]["projects"][2]["funding"][0]["amounts"]["2028"] == 17
    v1 = client.get(f"/api/programs/{pid}/export.xlsx", params={"version": 1}, headers=auth(token))
    assert read_workbook(v1.content) == read_workbook(workbook("kremenchuk"), KREMENCHUK)
    checks = client.get(f"/api/programs/{pid}/checks", headers=auth(token)).json()
    assert not any(m["kind"] == "row_total" for m in checks["mismatches"])  # 14 + 18 + 17 = 49 now


def test_edits_actuals_reports_and_calendar(client, make_user):
    planner, _, token = make_user("planner", (BALAKLIIA,))
    created = client.post("/api/programs", headers=auth(token), json={
        "title": "Програма інформатизації (тест)", "hromada": BALAKLIIA, "period_start": 2025, "period_end": 2027,
        "passport_form": "national_2024",
        "priorities": [{"name": "Розбудова інфраструктури інформатизації", "projects": [
            {"name": "Wi-Fi у старостатах", "executors": "Відділ цифрового розвитку",
             "funding": [{"source": "місцевий бюджет", "amounts": {"2025": "100,0", "2026": "+"}}]}]}],
        "indicators": [{"priority": "1", "name": "Кількість відкритих Wi-Fi зон", "unit": "одиниць",
                        "canonical_code": "WIFI_ZONES", "method": "layers", "baseline": 0,
                        "targets": {"2025": 3, "2026": 6}, "value_semantics": "level"}]})
    assert created.status_code == 201, created.text
    body = created.json()
    pid, project, indicator = body["id"], body["priorities"][0]["projects"][0], body["indicators"][0]
    assert project["ref"] == "1" and project["funding"][0]["amounts"] == {"2025": 100.0, "2026": "+"}
    patched = client.patch(f"/api/programs/{pid}/projects/{project['id']}", headers=auth(token),
                           json={"term": "2025-2026"})
    assert patched.status_code == 200 and patched.json()["term"] == "2025-2026"
    assert patched.json()["id"] == project["id"]
    actual = client.post(f"/api/programs/{pid}/indicators/{indicator['id']}/actuals", headers=auth(token),
                         json={"year": 2025, "value": 2, "note": "два з трьох"})
    assert actual.status_code == 201
    assert actual.json()["entered_by"] == planner and actual.json()["source"] == "entered"
    assert client.post(f"/api/programs/{pid}/indicators/{indicator['id']}/actuals", headers=auth(token),
                       json={"year": 2031, "value": 2}).status_code == 422
    # an executor account enters the quarterly report of its own project, and of no other
    executor, _, etoken = make_user("viewer", (BALAKLIIA,))
    assert client.post(f"/api/programs/{pid}/projects/{project['id']}/reports", headers=auth(etoken),
                       json={"year": 2025, "quarter": 1, "progress_pct": 25}).status_code == 403
    client.put(f"/api/programs/{pid}/projects/{project['id']}/assignees", headers=auth(token),
               json={"usernames": [executor]})
    report = client.post(f"/api/programs/{pid}/projects/{project['id']}/reports", headers=auth(etoken),
                         json={"year": 2025, "quarter": 1, "progress_pct": 25, "spent": 40})
    assert report.status_code == 201 and report.json()["entered_by"] == executor
    assert client.patch(f"/api/programs/{pid}", headers=auth(etoken), json={"title": "x"}).status_code == 403
    cal = client.get(f"/api/programs/{pid}/calendar", headers=auth(token), params={"today": "2025-10-20"}).json()
    quarters = {(i["year"], i["quarter"]): i for i in cal["items"] if i["kind"] == "quarterly_report"}
    assert quarters[(2025, 1)]["status"] == "done" and quarters[(2025, 1)]["due"] == "2025-04-05"
    assert quarters[(2025, 2)]["status"] == "overdue" and quarters[(2025, 2)]["missing"] == ["1"]
    assert quarters[(2025, 4)]["due"] == "2026-01-05" and quarters[(2025, 4)]["status"] == "due"
    assert (2027, 1) not in quarters  # the project does not run in 2027
    annual = next(i for i in cal["items"] if i["kind"] == "annual_results" and i["year"] == 2025)
    ministry = next(i for i in cal["items"] if i["kind"] == "ministry_report" and i["year"] == 2025)
    assert (annual["due"], annual["status"]) == ("2026-01-31", "done")
    assert (ministry["due"], ministry["status"]) == ("2026-03-01", "due")
    assert [i["due"] for i in cal["overdue"]] == ["2025-07-05", "2025-10-05"]


def _point_in(engine, hromada: str) -> dict:
    import json

    t = layer_table("hromady")
    with engine.connect() as conn:
        text = conn.execute(select(func.ST_AsGeoJSON(func.ST_PointOnSurface(t.c.geom)))
                            .where(t.c.hromada == hromada)).scalar_one()
    return json.loads(text)


def test_linked_features_show_in_project_progress(client, engine, make_user):
    planner, _, token = make_user("planner", (KHMILNYK,))
    with engine.begin() as conn:
        pid = import_workbook(conn, workbook("khmilnyk"), source="khmilnyk.xlsx", hromada=KHMILNYK,
                              user=planner).program_id
    wifi = next(p for p in client.get(f"/api/programs/{pid}/projects", headers=auth(token)).json() if p["ref"] == "6")
    point = _point_in(engine, KHMILNYK)
    made = []
    for i in range(3):
        r = client.post(f"/api/programs/{pid}/projects/{wifi['id']}/features", headers=auth(token), json={
            "layer": "wifi_zones", "geometry": point,
            "properties": {"name": f"Зона відпочинку {i + 1}", "access": "open"}})
        assert r.status_code == 201, r.text
        assert r.json()["properties"]["status"] == "planned"
        made.append(r.json())
    progress = client.get(f"/api/programs/{pid}/projects/{wifi['id']}", headers=auth(token)).json()["progress"]
    assert (progress["linked"], progress["built"], progress["share"]) == (3, 0, 0.0)
    with engine.begin() as conn:  # one zone is built
        feats.update_feature(conn, "wifi_zones", made[0]["id"], made[0]["properties"]["version"],
                             {"status": "active", "installed_at": dt.date(2024, 6, 1)}, None, planner)
    progress = client.get(f"/api/programs/{pid}/projects/{wifi['id']}", headers=auth(token)).json()["progress"]
    assert (progress["linked"], progress["built"], progress["share"]) == (3, 1, 33.3)
    collection = client.get(f"/api/programs/{pid}/projects/{wifi['id']}/features", headers=auth(token)).json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 3
    assert {f["properties"]["layer"] for f in collection["features"]} == {"wifi_zones"}
    back = client.get(f"/api/programs/by-feature/wifi_zones/{made[0]['id']}", headers=auth(token)).json()
    assert [(d["program_id"], d["project_ref"]) for d in back["data"]] == [(pid, "6")]
    assert back["data"][0]["progress"]["built"] == 1
    # a feature of another громада cannot be linked
    elsewhere = client.post("/api/layers/wifi_zones/features", headers=auth(make_user("admin", ())[2]), json={
        "geometry": _point_in(engine, BALAKLIIA), "properties": {"name": "Площа", "access": "open"}}).json()
    r = client.post(f"/api/programs/{pid}/projects/{wifi['id']}/links", headers=auth(token),
                    json={"layer": "wifi_zones", "feature_id": elsewhere["id"]})
    assert r.status_code == 422 and "громада" in r.json()["detail"]


def test_cli_import_check_export(engine, tmp_path):
    out = tmp_path / "out.xlsx"

    def run(*args):  # in this process, through the entry function (tests/cli_inprocess.py)
        return gisplan("program", *args)

    r = run("import", str(DEMO_DIR / "khmilnyk.xlsx"), "--hromada", KHMILNYK)
    assert r.returncode == 0, r.stderr
    assert "32 projects, 31 indicators" in r.stdout
    pid = r.stdout.split("program ")[1].split()[0]
    r = run("export", pid, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert read_workbook(out.read_bytes()) == read_workbook(workbook("khmilnyk"), KHMILNYK)
    r = run("import", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "no such file" in r.stderr
    bad = tmp_path / "bad.xlsx"
    wb = load_workbook(DEMO_DIR / "khmilnyk.xlsx")
    wb["Додаток 1"]["I7"] = "дві тисячі"
    wb.save(bad)
    r = run("import", str(bad), "--hromada", KHMILNYK)
    assert r.returncode == 1 and "Додаток 1, row 7, column I (2024)" in r.stderr


def test_values_keep_scale_in_the_database(engine):
    with engine.begin() as conn:
        pid = import_workbook(conn, workbook("balakliia"), source="b.xlsx", hromada=BALAKLIIA).program_id
        doc = read_document(conn, pid)
    assert str(doc.indicators[0].targets[2025]) == "5.0"
    assert doc.indicators[47].targets[2025] == Decimal("0.1")
    assert read_workbook(write_workbook(doc)) == doc

"""Metrics of the demo громади, their API, the CLI, and the progress of the demo programs (issue 7).

The demo is loaded (again: it is idempotent) into the session database with its programs. Other
test modules edit a few demo rows, so values here are either stated by the programs themselves
(Diia validation on every ЦНАП workplace of Балаклійська, social objects on fibre, 34 of 42
Хмільницька settlements with broadband) or read back from the data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from gisplan.demo import load_demo
from gisplan.indicators.engine import evaluate
from gisplan.indicators.progress import program_progress
from gisplan.indicators.registry import registry
from gisplan.program import load_demo_programs
from gisplan.program.tables import program_indicator
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth
from tests.test_indicators_registry import ISSUE_METRICS

DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="demo-test")
    with engine.begin() as conn:
        reports = load_demo_programs(conn)
    return {r.hromada: r.program_id for r in reports}


@pytest.fixture(scope="module")
def values(engine, demo):
    out = {}
    for h in DEMO:
        with engine.begin() as conn:
            out[h] = {v.metric: v for v in evaluate(conn, h, TODAY)}
    return out


def _all_capacities_unknown(engine, hromada: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(capacity) = 0 FROM shelters WHERE hromada = :h"),
                            {"h": hromada}).scalar_one()


@pytest.mark.parametrize("code", sorted(ISSUE_METRICS))
def test_balakliia_metric_is_numeric(values, engine, code):
    v = values[BALAKLIIA][code]
    if code == "SHELTER_PLACES" and _all_capacities_unknown(engine, BALAKLIIA):
        # the 2022 shelter snapshot has no capacities: the metric says so rather than guess
        assert v.reason == "capacity_unknown" and v.details["shelters"] > 0
        return
    assert v.reason is None, v.public()["reason"]
    assert isinstance(v.value, float)


def test_every_demo_metric_has_a_value_or_a_reason_with_provenance(values):
    for h in DEMO:
        assert set(values[h]) == set(registry().codes())
        for code, v in values[h].items():
            m = registry().get(code)
            public = v.public()
            assert (public["value"] is None) != (public["reason"] is None), (h, code)
            if public["reason"]:
                assert public["reason"]["uk"] and public["reason"]["en"] and "{" not in public["reason"]["en"]
            assert set(v.inputs) >= set(m.inputs), (h, code)
            assert public["method"]["uk"] and public["method"]["en"]
            assert public["computed_at"] and public["unit"] == m.spec.unit


def test_demo_values_the_programs_state(values, engine):
    b, k, r = values[BALAKLIIA], values[KHMILNYK], values[KREMENCHUK]
    assert b["CNAP_DIIA_VALIDATION"].value == 100.0     # seed 001 S1-21: 100 % in 2025–2027
    assert b["SOCIAL_FIBRE"].value == 100.0             # seed 001 S1-33
    assert k["BROADBAND_SETTLEMENT_SHARE"].value == pytest.approx(100 * 34 / 42)   # seed 004 line 213
    assert (k["CCTV"].value, k["AIR_SENSOR_COUNT"].value) == (12, 2)               # «12 комплектів», 2 stations
    assert b["DIIA_CENTRE"].value == 0 and r["DIIA_CENTRE"].value == 1
    with engine.connect() as conn:
        polygons = conn.execute(text("SELECT count(geom) FROM settlements WHERE hromada = :h"),
                                {"h": KREMENCHUK}).scalar_one()
    if polygons == 0:
        assert r["AIR_SENSOR_DENSITY"].reason == "settlements_points_only"


def test_second_evaluation_reuses_the_stored_values(engine, values):
    with engine.begin() as conn:
        again = evaluate(conn, BALAKLIIA, TODAY)
    assert not any(v.recomputed for v in again)
    assert {v.metric: v.value for v in again} == {c: v.value for c, v in values[BALAKLIIA].items()}


# ------------------------------------------------------------------------------ API
def test_api_hromada_indicators(client, make_user, values):
    _, _, token = make_user("viewer", (BALAKLIIA,))
    r = client.get(f"/api/hromady/{BALAKLIIA}/indicators", headers=auth(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["hromada"] == BALAKLIIA and body["count"] == len(registry())
    items = {i["code"]: i for i in body["indicators"]}
    for key in ("code", "value", "unit", "numerator", "denominator", "method", "computed_at", "inputs", "reason"):
        assert key in items["ALERT"]
    assert items["CNAP_DIIA_VALIDATION"]["value"] == 100.0 and items["DIIA_CENTRE"]["value"] is False
    assert "settlements" not in items["ALERT"]

    r = client.get(f"/api/hromady/{BALAKLIIA}/indicators", headers=auth(token),
                   params={"metric": ["ALERT", "AIR_SENSOR_DENSITY"], "settlements": "true", "as_of": "2026-01-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["code"] for i in body["indicators"]] == ["ALERT", "AIR_SENSOR_DENSITY"]
    assert body["as_of"] == "2026-01-01"
    alert = body["indicators"][0]
    assert len(alert["settlements"]) == alert["details"]["settlements"]
    assert sum(s["denominator"] or 0 for s in alert["settlements"]) == alert["denominator"]


def test_api_refuses_what_it_should(client, make_user):
    _, _, token = make_user("viewer", (KHMILNYK,))
    assert client.get(f"/api/hromady/{BALAKLIIA}/indicators").status_code == 401
    assert client.get(f"/api/hromady/{BALAKLIIA}/indicators", headers=auth(token)).status_code == 403
    r = client.get(f"/api/hromady/{KHMILNYK}/indicators", headers=auth(token), params={"metric": "NOPE"})
    assert r.status_code == 422 and "unknown metric 'NOPE'" in r.json()["detail"]
    r = client.get("/api/hromady/UA63040010020071209/indicators", headers=auth(token))   # a settlement
    assert r.status_code == 404
    assert client.get("/api/indicators").json()["count"] == len(registry())


def test_api_program_progress(client, make_user, demo, engine):
    _, _, token = make_user("viewer", (BALAKLIIA,))
    pid = demo[BALAKLIIA]
    r = client.get(f"/api/programs/{pid}/progress", headers=auth(token), params={"as_of": "2027-03-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2027 and [s["year"] for s in body["indicators"][0]["series"]] == [2025, 2026, 2027]
    items = {i["metric"]["code"]: i for i in body["indicators"]}
    assert {"ALERT", "AIR_SENSOR_DENSITY", "QR_TOURISM", "CNAP_DIIA_VALIDATION", "IT_HUB_SEATS",
            "INVEST_GIS_LAYER", "GEOPORTAL_PUBLIC", "TOURIST_INFO", "SOCIAL_FIBRE"} <= set(items)
    diia = items["CNAP_DIIA_VALIDATION"]                 # level 100 every year
    assert (diia["target"], diia["actual"], diia["pct_of_target"], diia["on_track"]) == (100.0, 100.0, 100.0, True)
    seats = items["IT_HUB_SEATS"]                         # increments 0,1 + 0,1 + 0,1 by 2027
    assert seats["value_semantics"] == "increment" and seats["target"] == pytest.approx(0.3)
    with engine.begin() as conn:
        actual = evaluate(conn, BALAKLIIA, dt.date(2027, 3, 1), ["IT_HUB_SEATS"])[0].value
    assert seats["actual"] == pytest.approx(actual)
    assert seats["pct_of_target"] == pytest.approx(100 * actual / 0.3, abs=0.01)
    assert seats["on_track"] is (actual >= 0.3)
    assert seats["series"][0]["target"] == pytest.approx(0.1) and seats["series"][0]["as_of"] == "2025-12-31"
    assert all(u["reason"]["en"] for u in body["unbound"])
    assert client.get(f"/api/programs/{pid}/progress").status_code == 401
    _, _, other = make_user("viewer", (KHMILNYK,))
    assert client.get(f"/api/programs/{pid}/progress", headers=auth(other)).status_code == 403
    assert client.get("/api/programs/999999/progress", headers=auth(other)).status_code == 404


def test_project_progress_share(engine, demo):
    """Хмільницька S4-29 (CCTV, project progress: baseline 20 %, then 0 / 40 / 40): without project
    data the share is unknown and says so; given planned=24 cameras, the 13th camera installed in 2024
    is 1/12 of the way from the 12 at the baseline."""
    pid = demo[KHMILNYK]
    with engine.connect() as conn:
        tx = conn.begin()
        report = program_progress(conn, pid, dt.date(2025, 12, 31))
        cctv = next(i for i in report["indicators"] if i["metric"]["code"] == "CCTV")
        assert cctv["actual"] is None and "planned=N" in cctv["note"]["en"]
        assert [s["target"] for s in cctv["series"]] == [20, 60, 100]
        conn.execute(program_indicator.update().where(program_indicator.c.program_id == pid,
                                                      program_indicator.c.canonical_code == "CCTV")
                     .values(metric="CCTV planned=24"))
        conn.execute(text("INSERT INTO cctv_cameras (hromada, code, installed_at, geom) SELECT :h, 'test-13', "
                          "DATE '2024-05-01', ST_PointOnSurface(geom) FROM hromady WHERE hromada = :h AND code = :h"),
                     {"h": KHMILNYK})
        report = program_progress(conn, pid, dt.date(2025, 12, 31))
        cctv = next(i for i in report["indicators"] if i["metric"]["code"] == "CCTV")
        assert cctv["metric"]["bound_by"] == "override" and cctv["baseline"]["computed"] == 12
        shares = [s["actual"] for s in cctv["series"]]
        assert shares == pytest.approx([20, 20 + 80 / 12, 20 + 80 / 12])
        assert [s["on_track"] for s in cctv["series"]] == [True, False, False]
        assert cctv["pct_of_target"] == pytest.approx(20 + 80 / 12, abs=0.01)   # of the 100 % due in 2025
        tx.rollback()


# ------------------------------------------------------------------------------ CLI
def test_cli_compute_and_show(demo):
    from gisplan.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["indicators", "compute", "--hromada", KHMILNYK, "--as-of", "2024-12-31"])
    assert first.exit_code == 0, first.output
    n = len(registry())
    assert f"{KHMILNYK}: {n} metrics as of 2024-12-31:" in first.output
    again = runner.invoke(app, ["indicators", "compute", "--hromada", KHMILNYK, "--as-of", "2024-12-31"])
    assert f"0 computed, {n} unchanged (reused)" in again.output
    shown = runner.invoke(app, ["indicators", "show", KHMILNYK, "--as-of", "2024-12-31", "--metric", "CCTV"])
    assert shown.exit_code == 0 and "CCTV" in shown.output and "12" in shown.output
    bad = runner.invoke(app, ["indicators", "compute", "--as-of", "31.12.2024"])
    assert bad.exit_code != 0 and "not YYYY-MM-DD" in str(bad.exception)
    progress = runner.invoke(app, ["indicators", "progress", str(demo[KHMILNYK]), "--as-of", "2025-12-31"])
    assert progress.exit_code == 0 and "CCTV" in progress.output


def test_values_are_kept_per_as_of_date(engine, demo):
    from gisplan.indicators.tables import indicator_value

    with engine.connect() as conn:
        dates = conn.execute(select(indicator_value.c.as_of).distinct().where(
            indicator_value.c.hromada == KHMILNYK, indicator_value.c.metric == "CCTV")).scalars().all()
    assert dt.date(2024, 12, 31) in dates

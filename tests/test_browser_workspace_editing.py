"""The planner's workspace in a real browser, editing (issue 13): draw a polygon (a server-side
validation error shown next to its field in Ukrainian, then saved, in the table and the history),
upload a CSV with one bad row (the report names the row, nothing is loaded) and then a clean one,
enter an indicator's actual value (the program table shows the API's value), edit a dataset's
metadata title (it reaches the anonymous ISO record), accept a siting suggestion as a planned
feature; a viewer gets none of the forms; axe-core clean with the forms open; usable at phone width.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.workspace_browser import (  # noqa: F401  (fixtures)
    BALAKLIIA, _api, _no_console_errors, accounts, browser, planner_page, run_axe, server, viewer_page,
)


def _count(server, token, layer) -> int:
    fc = _api(server, token, f"/api/layers/{layer}/features?hromada={BALAKLIIA}&limit=1000")
    return len(fc["features"])


def test_viewer_gets_no_editing_forms(viewer_page):
    """First in the module: the viewer's page loads before the planner's edits make the indicators stale."""
    page = viewer_page.page
    page.wait_for_selector('#program-body[data-ready="true"] #program-indicators')
    for selector in ("#draw-tools", "#import-form", "#feature-editor", "#actual-form", "#project-report-form",
                     "#passport-form", "#profile-form", "#metadata-editor", "#datasets-table button"):
        assert page.locator(selector).count() == 0, selector


def test_planner_draws_a_polygon_saved_in_table_and_history(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    page.select_option("#layer-select", "starosta_districts")
    page.wait_for_selector('#features-table tbody[data-layer="starosta_districts"]', state="attached")
    page.click("#draw-polygon")
    box = page.locator("#layer-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-50, -40), (50, -40), (40, 45), (-45, 40)):
        page.mouse.click(cx + dx, cy + dy)
    page.click("#draw-finish")
    form = page.locator('#feature-form[data-layer="starosta_districts"][data-id=""]')
    form.wait_for()
    drawn = json.loads(page.input_value("#ff-geometry"))
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5  # four vertices, closed
    name = "Тестовий округ " + uuid.uuid4().hex[:6]
    page.fill("#ff-name", name)
    # a self-intersecting outline: the server refuses it, the reason stands next to the geometry field
    (x0, y0), (x1, y1), (x2, y2), _, _ = drawn["coordinates"][0]
    bowtie = {"type": "Polygon", "coordinates": [[[x0, y0], [x2, y2], [x1, y1], [x0, y2], [x0, y0]]]}
    page.fill("#ff-geometry", json.dumps(bowtie))
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/layers/starosta_districts/features")) as bad:
        page.click("#ff-save")
    assert bad.value.status == 422
    page.wait_for_function("document.getElementById('ff-geometry-err').textContent.includes('недійсна геометрія')")
    assert page.get_attribute("#ff-geometry", "aria-invalid") == "true"
    planner_page.expect_refusal(422)
    page.fill("#ff-geometry", json.dumps(drawn))
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/layers/starosta_districts/features")) as ok:
        page.click("#ff-save")
    assert ok.value.status == 201, ok.value.text()
    fid = ok.value.json()["id"]
    row = page.locator(f'#features-table tbody tr[data-id="{fid}"]')
    row.wait_for()
    assert name in row.inner_text()
    saved = _api(server, token, f"/api/layers/starosta_districts/features/{fid}")
    assert saved["geometry"]["type"] == "MultiPolygon" and saved["properties"]["status"] == "planned"
    assert saved["properties"]["hromada"] == BALAKLIIA
    page.locator('#history li[data-current-version="1"]').wait_for()
    # the row is chosen: its form is open for an edit, which makes version 1 history
    page.locator(f'#feature-form[data-id="{fid}"]').wait_for()
    page.fill("#ff-name", name + " (змінено)")
    with page.expect_response(lambda r: r.request.method == "PATCH" and fid in r.url) as patched:
        page.click("#ff-save")
    assert patched.value.status == 200, patched.value.text()
    page.locator('#history li[data-version="1"]').wait_for()
    page.locator('#history li[data-current-version="2"]').wait_for()
    history = _api(server, token, f"/api/layers/starosta_districts/features/{fid}/history")["versions"]
    assert [h["version"] for h in history] == [1] and history[0]["name"] == name


def test_a_route_is_added_with_the_keyboard_alone(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    lon, lat = _api(server, token, f"/api/layers/shelters/features?hromada={BALAKLIIA}&limit=1")["features"][0]["geometry"]["coordinates"]
    page.select_option("#layer-select", "tourist_routes")
    page.wait_for_selector('#features-table tbody[data-layer="tourist_routes"]', state="attached")
    page.focus("#draw-by-text")
    page.keyboard.press("Enter")
    page.wait_for_selector('#feature-form[data-layer="tourist_routes"][data-id=""]')
    assert page.evaluate("document.activeElement.id") == "ff-geometry"
    line = {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.01, lat + 0.005], [lon + 0.02, lat]]}
    page.keyboard.insert_text(json.dumps(line))
    page.focus("#ff-name")
    page.keyboard.insert_text("Стежка вздовж річки")
    page.focus("#ff-save")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/layers/tourist_routes/features")) as resp:
        page.keyboard.press("Enter")
    assert resp.value.status == 201, resp.value.text()
    fid = resp.value.json()["id"]
    page.locator(f'#features-table tbody tr[data-id="{fid}"]').wait_for()
    saved = _api(server, token, f"/api/layers/tourist_routes/features/{fid}")
    assert saved["geometry"]["type"] == "MultiLineString" and saved["properties"]["name"] == "Стежка вздовж річки"


def _csv(rows) -> bytes:
    lines = ["name,access,lon,lat"] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_upload_with_a_bad_row_is_rejected_naming_the_row_then_a_clean_one_loads(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    lon, lat = _api(server, token, f"/api/layers/shelters/features?hromada={BALAKLIIA}&limit=1")["features"][0]["geometry"]["coordinates"]
    page.select_option("#layer-select", "wifi_zones")
    page.wait_for_selector('#features-table tbody[data-layer="wifi_zones"]', state="attached")
    before = _count(server, token, "wifi_zones")
    good = [("Тест Wi-Fi 1", "open", lon, lat), ("Тест Wi-Fi 2", "restricted", lon + 0.001, lat)]
    # CSV rows 3 and 5 are bad (the header is row 1): the report lists both, not just the first
    bad = [good[0], ("Тест Wi-Fi погане", "за_гроші_xyz", lon, lat), good[1], ("Тест Wi-Fi без місця", "open", "", "")]
    page.set_input_files("#import-file", files=[{"name": "wifi.csv", "mimeType": "text/csv", "buffer": _csv(bad)}])
    page.click("#import-check")
    page.wait_for_selector('#import-report:is([data-state="rejected"], [data-state="checked"], [data-state="failed"])',
                           state="attached", timeout=120000)
    assert page.get_attribute("#import-report", "data-state") == "rejected", page.inner_text("#import-report")
    rejected = page.locator('#import-rejections tr[data-row="3"]')
    assert rejected.count() == 1 and "access" in rejected.inner_text()
    assert page.locator('#import-rejections tr[data-row="5"]').count() == 1
    assert "нічого не завантажено" in page.inner_text("#import-report").lower()
    assert page.locator('#import-preview tr.rejected[data-row="3"]').count() == 1
    assert page.locator("#import-preview tbody tr").count() == 4
    assert page.is_disabled("#import-run")
    planner_page.expect_refusal(422)
    logged = _api(server, token, f"/api/layers/wifi_zones/imports?hromada={BALAKLIIA}&limit=1")["imports"][0]
    assert logged["status"] == "rejected" and logged["source"] == "wifi.csv"
    assert sorted(r["row"] for r in logged["report"]["rejections"]) == [3, 5]
    assert _count(server, token, "wifi_zones") == before
    # the clean file: a dry run with its counts, then the import
    page.set_input_files("#import-file", files=[{"name": "wifi.csv", "mimeType": "text/csv", "buffer": _csv(good)}])
    page.click("#import-check")
    page.wait_for_selector('#import-report[data-state="checked"]')
    assert page.inner_text('#import-report dd[data-count="read"]') == "2"
    assert page.inner_text('#import-report dd[data-count="inserted"]') == "2"
    assert _count(server, token, "wifi_zones") == before
    with page.expect_response(lambda r: r.request.method == "POST" and "/api/layers/wifi_zones/import" in r.url) as resp:
        page.click("#import-run")
    assert resp.value.status == 200, resp.value.text()
    page.wait_for_selector('#import-report[data-state="imported"]')
    assert _count(server, token, "wifi_zones") == before + 2
    page.wait_for_function("n => document.querySelectorAll('#features-table tbody[data-layer=wifi_zones] tr').length === n", arg=before + 2)


def test_import_log_is_for_readers_of_the_hromada(server, make_user):
    url = f"{server}/api/layers/wifi_zones/imports?hromada={BALAKLIIA}"
    assert httpx.get(url, timeout=60).status_code == 401
    _, _, other = make_user("planner", ("UA05120170000013778",))
    assert httpx.get(url, headers={"Authorization": f"Bearer {other}"}, timeout=60).status_code == 403
    _, _, viewer = make_user("viewer", (BALAKLIIA,))
    assert httpx.get(url, headers={"Authorization": f"Bearer {viewer}"}, timeout=60).status_code == 200


def test_entered_actual_value_shows_in_the_program_indicator_table(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    page.wait_for_selector('#program-body[data-ready="true"] #actual-form')
    indicator = page.locator("#actual-form select[name=indicator] option").first.get_attribute("value")
    year = page.locator("#actual-form select[name=year] option").first.get_attribute("value")
    page.select_option("#af-indicator", indicator)
    page.select_option("#af-year", year)
    page.select_option("#af-quarter", "0")
    page.fill("#af-value", "42,5")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/indicators/{indicator}/actuals")) as resp:
        page.click("#actual-form button[type=submit]")
    assert resp.value.status == 201, resp.value.text()
    program = _api(server, token, f"/api/programs?hromada={BALAKLIIA}")["data"][0]
    actuals = _api(server, token, f"/api/programs/{program['id']}/indicators/{indicator}/actuals")
    entered = next(a for a in actuals if a["year"] == int(year) and a["quarter"] == 0)
    assert entered["value"] == pytest.approx(42.5) and entered["source"] == "entered"
    cell = f'#program-indicators tr[data-indicator="{indicator}"] td[data-year="{year}"] .actual'
    page.wait_for_function("sel => (document.querySelector(sel) || {}).textContent === '42.5'", arg=cell)
    assert float(page.inner_text(cell)) == entered["value"]
    # a target of the same year, changed in its form
    page.click("#target-form-toggle")
    page.select_option("#tf-indicator", indicator)
    page.select_option("#tf-year", year)
    page.fill("#tf-value", "50")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith(f"/indicators/{indicator}/targets")) as put:
        page.click("#target-form button[type=submit]")
    assert put.value.status == 200, put.value.text()
    target = f'#program-indicators tr[data-indicator="{indicator}"] td[data-year="{year}"] .target'
    page.wait_for_function("sel => (document.querySelector(sel) || {}).textContent === '50'", arg=target)
    stored = _api(server, token, f"/api/programs/{program['id']}/indicators/{indicator}")["targets"]
    assert float(stored[year]) == 50
    # the program's passport and versions are shown
    assert page.locator("#passport").count() == 1 and page.locator("#versions-table tbody tr").count() >= 1


def test_planner_adds_a_project_with_funding_and_its_executor_reports(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    page.click("#project-form-toggle")
    name = "Модернізація мережі Wi-Fi " + uuid.uuid4().hex[:6]
    page.fill("#pj-name", name)
    page.fill("#pj-executors", "Відділ цифрового розвитку")
    year = page.locator("#project-form input[name^=amount-]").first
    first_year = year.get_attribute("name").split("-")[1]
    year.fill("150,5")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/projects")) as resp:
        page.click("#project-form button[type=submit]")
    assert resp.value.status == 201, resp.value.text()
    project = resp.value.json()
    assert project["funding"][0]["amounts"][first_year] == pytest.approx(150.5)
    row = page.locator(f'#priorities tr[data-project="{project["id"]}"]')
    row.wait_for()
    assert name in row.inner_text() and "150.5" in row.locator(f'td[data-year="{first_year}"]').inner_text()
    program = _api(server, token, f"/api/programs?hromada={BALAKLIIA}")["data"][0]
    assert any(p["id"] == project["id"] for p in _api(server, token, f"/api/programs/{program['id']}/projects"))
    page.select_option("#pr-project", str(project["id"]))
    page.click("#task-form-toggle")
    page.fill("#tk-name", "Оновити мережеве обладнання ЦНАП")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/tasks")) as task:
        page.click("#task-form button[type=submit]")
    assert task.value.status == 201, task.value.text()
    page.wait_for_function("() => document.getElementById('priorities').textContent.includes('Оновити мережеве обладнання ЦНАП')")
    page.select_option("#pr-project", str(project["id"]))
    page.fill("#pr-year", "2026")
    page.select_option("#project-report-form select[name=quarter]", "1")
    page.fill("#pr-progress", "35")
    page.fill("#pr-spent", "120.5")
    page.fill("#pr-narrative", "Закуплено обладнання")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/reports")) as resp:
        page.click("#project-report-form button[type=submit]")
    assert resp.value.status == 201, resp.value.text()
    page.wait_for_function("() => document.getElementById('project-reports').textContent.includes('Закуплено обладнання')")


def test_planner_amends_the_program_from_its_workbook(planner_page, server, accounts, tmp_path):
    page, token = planner_page.page, accounts["planner"][2]
    program = _api(server, token, f"/api/programs?hromada={BALAKLIIA}")["data"][0]
    before = _api(server, token, f"/api/programs/{program['id']}/versions")
    before = before.get("data", before) if isinstance(before, dict) else before
    workbook = httpx.get(f"{server}/api/programs/{program['id']}/export.xlsx", timeout=60,
                         headers={"Authorization": f"Bearer {token}"})
    assert workbook.status_code == 200
    path = tmp_path / "program.xlsx"
    path.write_bytes(workbook.content)
    decision = "№ 12-" + uuid.uuid4().hex[:4]
    page.fill("#am-number", decision)
    page.fill("#am-date", "2026-11-20")
    page.fill("#am-note", "перерозподіл фінансування")
    page.set_input_files("#am-file", str(path))
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/amendments/import")) as resp:
        page.click("#amend-form button[type=submit]")
    assert resp.value.status == 201, resp.value.text()
    page.wait_for_function("d => document.getElementById('versions-table') && "
                           "document.getElementById('versions-table').textContent.includes(d)", arg=decision)
    after = _api(server, token, f"/api/programs/{program['id']}/versions")
    after = after.get("data", after) if isinstance(after, dict) else after
    assert len(after) == len(before) + 1
    newest = max(after, key=lambda v: v["number"])
    assert (newest["decision_number"], newest["decision_date"], newest["in_force"]) == (decision, "2026-11-20", True)


def test_a_program_changed_meanwhile_is_not_overwritten(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    program = _api(server, token, f"/api/programs?hromada={BALAKLIIA}")["data"][0]
    title = "Назва, змінена іншим планувальником " + uuid.uuid4().hex[:4]
    other = httpx.patch(f"{server}/api/programs/{program['id']}", json={"title": title}, timeout=60,
                        headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 200, other.text
    page.locator("#passport-form").evaluate("f => f.closest('details').open = true")
    page.fill("#pp-goal", "Мета зі сторінки, відкритої раніше")
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.url.endswith(f"/api/programs/{program['id']}")) as resp:
        page.click("#passport-form button[type=submit]")
    assert resp.value.status == 409, resp.value.text()
    page.wait_for_selector("#program-body[data-conflict=true][data-ready=true]")
    assert "змінив інший користувач" in page.locator("#status").inner_text()
    doc = _api(server, token, f"/api/programs/{program['id']}")
    assert doc["title"] == title and doc["passport"].get("goal") != "Мета зі сторінки, відкритої раніше"
    # the current version is shown again: repeating the change now succeeds and keeps the other's title
    page.locator("#passport-form").evaluate("f => f.closest('details').open = true")
    page.fill("#pp-goal", "Мета зі сторінки, відкритої раніше")
    with page.expect_response(lambda r: r.request.method == "PATCH" and r.url.endswith(f"/api/programs/{program['id']}")) as again:
        page.click("#passport-form button[type=submit]")
    assert again.value.status == 200, again.value.text()
    doc = _api(server, token, f"/api/programs/{program['id']}")
    assert (doc["title"], doc["passport"]["goal"]) == (title, "Мета зі сторінки, відкритої раніше")
    planner_page.expect_refusal(409)  # Chromium logged the refused PATCH


def test_metadata_title_reaches_the_anonymous_iso_record(planner_page, server):
    page = planner_page.page
    page.click('#datasets-table button[data-metadata="wifi_zones"]')
    page.locator('#metadata-form[data-layer="wifi_zones"]').wait_for()
    title = "Зони Wi‑Fi Балаклійської громади " + uuid.uuid4().hex[:6]
    page.fill("#md-title", title)
    with page.expect_response(lambda r: r.request.method == "PUT" and "/api/layers/wifi_zones/metadata" in r.url) as resp:
        page.click("#metadata-form button[type=submit]")
    assert resp.value.status == 200, resp.value.text()
    page.wait_for_selector('#metadata-form[data-saved="true"]')
    record = page.get_attribute("#metadata-record", "href")
    xml = httpx.get(server + record, timeout=60)  # anonymous
    assert xml.status_code == 200 and title in xml.text


def test_profile_contacts_are_saved(planner_page, server):
    page = planner_page.page
    page.fill("#pf-email", "gis@balakliia.example.org")
    page.fill("#pf-phone", "+380 5749 0 00 00")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith("/profile")) as resp:
        page.click("#profile-form button[type=submit]")
    assert resp.value.status == 200, resp.value.text()
    profile = httpx.get(f"{server}/api/hromady/{BALAKLIIA}/profile", timeout=60).json()
    assert profile["email"] == "gis@balakliia.example.org"


def test_accepting_a_siting_suggestion_adds_a_planned_feature(planner_page, server, accounts):
    page, token = planner_page.page, accounts["planner"][2]
    layer_of = {"sirens": "alert_sirens", "shelters": "shelters", "wifi": "wifi_zones", "sensors": "air_sensors"}
    kind = next(k for k in layer_of
                if _api(server, token, f"/api/hromady/{BALAKLIIA}/suggestions/{k}?n=1")["features"])
    page.select_option("#suggest-kind", kind)
    page.fill("#suggest-n", "3")
    page.click("#suggestions-form button[type=submit]")
    page.wait_for_selector('#suggestions-list[data-state="ready"] button[data-accept]')
    layer = layer_of[kind]
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/api/layers/{layer}/features")) as resp:
        page.locator("#suggestions button[data-accept]").first.click()
    assert resp.value.status == 201, resp.value.text()
    fid = resp.value.json()["id"]
    try:
        page.locator(f'#features-table tbody[data-layer="{layer}"] tr[data-id="{fid}"]').wait_for(state="attached")
    except Exception:
        raise AssertionError((page.inner_text("#status"), page.get_attribute("#features-table tbody", "data-layer"),
                              page.locator("#features-table tbody tr").count(), _api(server, token, f"/api/layers/{layer}/features/{fid}")))
    assert _api(server, token, f"/api/layers/{layer}/features/{fid}")["properties"]["status"] == "planned"
    assert page.locator(f'#suggestions [data-accepted="{fid}"]').count() == 1


def test_forms_are_axe_clean_and_usable_at_phone_width(planner_page):
    page = planner_page.page
    assert page.locator("#feature-form").count() == 1 and page.locator("#metadata-form").count() == 1
    assert run_axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_function("() => document.documentElement.clientWidth <= 390")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate("""() => { const w = document.documentElement.clientWidth;
            const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement)
              if (/auto|scroll|hidden/.test(getComputedStyle(a).overflowX)) return true; return false; };
            return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > w + 1 && !scrolls(e))
              .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8); }""")
        assert overflow <= 1, wide
        assert page.locator("#layer-map").bounding_box()["width"] <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})

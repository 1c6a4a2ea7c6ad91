"""Shared fixtures of the workspace's browser tests (Debian Chromium driven by Playwright): a live
server on the demo, one signed-in planner page per test module, a viewer page, console-error checks
and axe-core. Imported by tests/test_browser_workspace*.py.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gisplan.demo import BALAKLIIA, load_demo
from gisplan.program import load_demo_programs
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "uk-UA"}


@pytest.fixture(scope="module")
def server(app, engine):

    load_demo(engine)
    with engine.begin() as conn:
        load_demo_programs(conn)
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def accounts(make_user):
    planner = make_user("planner", (BALAKLIIA,))
    viewer = make_user("viewer", (BALAKLIIA,))
    return {"planner": planner, "viewer": viewer}


class Session:
    """A signed-in page with its console errors."""

    def __init__(self, browser, server, who):
        self.ctx = browser.new_context(**DESKTOP)
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{server}/{BALAKLIIA}/workspace")
        assert "/login" in self.page.url  # anonymous: sent to sign in first
        self.page.fill("input[name=username]", who[0])
        self.page.fill("input[name=password]", who[1])
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(f"**/{BALAKLIIA}/workspace")
        self.page.wait_for_selector("#ws[data-ready]", timeout=180000)  # indicators may be recomputed after an edit
        assert self.page.get_attribute("#ws", "data-ready") == "true", self.page.inner_text("#status")

    def expect_refusal(self, status: int) -> None:
        """Chromium logs every refused request as a console error: forget those of an expected refusal."""
        self.errors[:] = [e for e in self.errors if f"status of {status}" not in e]

    def close(self):
        self.ctx.close()


@pytest.fixture(scope="module")
def planner_page(browser, server, accounts):
    """One signed-in page for the planner's tests, used in turn (one load: the indicators are
    computed once, and each test starts where the previous left the page)."""
    s = Session(browser, server, accounts["planner"])
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_console_errors(request):
    """Each test on the planner's page ends with no console error on it."""
    yield
    if "planner_page" in request.fixturenames:
        session = request.getfixturevalue("planner_page")
        errors, session.errors[:] = list(session.errors), []
        assert errors == [], errors


@pytest.fixture()
def viewer_page(browser, server, accounts):
    s = Session(browser, server, accounts["viewer"])
    yield s
    assert s.errors == [], s.errors
    s.close()


def _api(server, token, path, **kw):
    r = httpx.get(server + path, headers={"Authorization": f"Bearer {token}"}, timeout=60, **kw)
    r.raise_for_status()
    return r.json()


def run_axe(page) -> list:
    """WCAG 2.1 A/AA violations on the page as it stands: (rule, help, first targets)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # served as if from the page's own origin: the pages' CSP refuses inline scripts
        page.route("**/__axe-core.js", lambda route: route.fulfill(
            body=AXE.read_text(encoding="utf-8"), content_type="application/javascript"))
        page.add_script_tag(url="/__axe-core.js")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]

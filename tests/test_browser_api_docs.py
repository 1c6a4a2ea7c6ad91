"""The API documentation in a real browser (Debian Chromium via Playwright): Swagger UI at ``/docs``
loads every script from gisplan's own origin (no CDN: they work
offline), run under the same Content-Security-Policy as the other pages (no violation, no console
error) and show the API's operations."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.live_server import live_server
from tests.test_browser_national_map import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, ready: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    page = ctx.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url, wait_until="load")
    deadline = time.monotonic() + 60
    while page.locator(ready).count() == 0:
        assert time.monotonic() < deadline, f"{url}: nothing matched {ready!r} within 60 s; errors: {errors}"
        time.sleep(0.2)
    return ctx, page, response, errors, requests


@pytest.mark.parametrize("path, ready", [
    ("/docs", ".opblock-summary-path[data-path='/api/layers/{layer}/features']"),
])
def test_api_docs_from_our_own_origin_under_the_csp(browser, server, path, ready):
    ctx, page, response, errors, requests = _open(browser, f"{server}{path}", ready)
    try:
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        foreign = [u for u in requests if urlsplit(u).netloc != urlsplit(server).netloc
                   and urlsplit(u).scheme in ("http", "https")]
        assert foreign == [], foreign
        assert errors == [], errors
    finally:
        ctx.close()

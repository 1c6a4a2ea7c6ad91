"""The national map (issue 17) in a real browser: Debian Chromium (software WebGL) driven by Playwright
against a live server with the demo loaded. MapLibre GL JS comes from gisplan's own origin, loads the
vector tiles of the ticked layers with no console error and no request to another origin, draws the
demo's features, and the layer picker adds and removes a layer's tiles."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from gisplan.demo import load_demo
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--ignore-gpu-blocklist", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
KREMENCHUK_VIEW = {"center": [33.42, 49.07], "zoom": 10}


@pytest.fixture(scope="module")
def server(app, engine):

    load_demo(engine)
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
        pg = ctx.new_page()
        errors: list[str] = []
        requests: list[str] = []
        tiles: list[tuple[str, int]] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: requests.append(r.url))
        pg.on("response", lambda r: tiles.append((urlsplit(r.url).path, r.status)) if r.url.endswith(".mvt") else None)
        pg.goto(f"{server}/map", wait_until="load")
        _until(pg, "() => !!window.gisplanMap && window.gisplanMap.loaded()")
        yield {"page": pg, "errors": errors, "requests": requests, "tiles": tiles, "server": server}
        ctx.close()
        browser.close()


def _until(pg, predicate: str, seconds: float = 60) -> None:
    """Poll ``predicate`` with page.evaluate (wait_for_function would need 'unsafe-eval', which the
    page's Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + seconds
    while not pg.evaluate(predicate):
        assert time.monotonic() < deadline, f"not true after {seconds} s: {predicate}"
        time.sleep(0.2)


def _settle(pg) -> None:
    _until(pg, "() => window.gisplanMap.loaded() && window.gisplanMap.areTilesLoaded()")


def test_the_map_loads_vector_tiles_without_errors(page):
    pg = page["page"]
    assert pg.title().startswith("Карта")
    assert pg.evaluate("() => !!document.querySelector('#map canvas.maplibregl-canvas')")
    pg.evaluate(f"() => window.gisplanMap.jumpTo({KREMENCHUK_VIEW})")
    _settle(pg)
    tiles = page["tiles"]
    assert any(path.startswith("/tiles/shelters/") and status == 200 for path, status in tiles), tiles[:20]
    assert any(path.startswith("/tiles/hromady/") and status == 200 for path, status in tiles), tiles[:20]
    assert all(status in (200, 204, 304) for _, status in tiles), [t for t in tiles if t[1] not in (200, 204, 304)]
    # the demo's shelters of Кременчук are drawn (features rendered by MapLibre from the tiles)
    drawn = pg.evaluate("() => window.gisplanMap.queryRenderedFeatures({layers: ['shelters-point']}).length")
    assert drawn > 0
    origin = urlsplit(page["server"]).netloc
    assert {urlsplit(u).netloc for u in page["requests"] if u.startswith("http")} == {origin}
    assert any("/static/vendor/maplibre/maplibre-gl.mjs" in u for u in page["requests"])
    assert page["errors"] == []


def test_the_layer_picker_adds_and_removes_a_layer(page):
    pg = page["page"]
    before = len([t for t in page["tiles"] if t[0].startswith("/tiles/schools/")])
    pg.uncheck("#layer-picker input[value=schools]")
    assert pg.evaluate("() => window.gisplanMap.getSource('tiles-schools') === undefined")
    pg.check("#layer-picker input[value=settlements]")
    _settle(pg)
    assert pg.evaluate("() => window.gisplanMap.getSource('tiles-settlements') !== undefined")
    assert any(t[0].startswith("/tiles/settlements/") for t in page["tiles"])
    assert len([t for t in page["tiles"] if t[0].startswith("/tiles/schools/")]) == before
    assert page["errors"] == []

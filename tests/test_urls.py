"""docs/urls.md is the URL contract: every live route answers, every app route is listed."""

import re
import uuid
from pathlib import Path

import pytest
from starlette.routing import Mount

from tests.conftest import KHMILNYK

DOC = Path(__file__).resolve().parents[1] / "docs" / "urls.md"
ROW = re.compile(r"^\|\s*(GET|POST|PATCH|PUT|DELETE)\s*\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|$")
SAMPLES = {"layer": "shelters", "code": KHMILNYK, "hromada": KHMILNYK, "path": "gisplan.css"}


def contract():
    rows = [ROW.match(line.strip()) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return [(m[1], m[2], m[3]) for m in rows if m]


def test_contract_parses():
    rows = contract()
    assert len(rows) > 30
    assert {status.split()[0] for _, _, status in rows} <= {"live", "planned"}


def _flatten(routes, prefix=""):
    """(methods, path) of every route, looking into included routers (FastAPI ≥ 0.16x keeps them
    behind one entry without a path)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            extra = getattr(getattr(r, "include_context", None), "prefix", "") or ""
            yield from _flatten(inner.routes, prefix + extra)
        elif isinstance(r, Mount):
            yield {"GET"}, prefix + r.path + "/{path}"
        elif getattr(r, "path", None) is not None and getattr(r, "methods", None):
            yield set(r.methods), prefix + r.path


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _app_routes(app):
    return {(m, _shape(p)) for methods, p in _flatten(app.routes) for m in methods - {"HEAD", "OPTIONS"}}


def test_every_app_route_is_in_the_contract(app):
    listed = {(m, _shape(p)) for m, p, s in contract() if s == "live"}
    routes = _app_routes(app)
    assert ("GET", "/api/layers/{}/features") in routes  # the flattening sees included routers
    undocumented = {(m, p) for m, p in routes if p != "/docs/oauth2-redirect"} - listed
    assert undocumented == set(), f"add these to docs/urls.md: {sorted(undocumented)}"


@pytest.mark.parametrize("method, path", [(m, p) for m, p, s in contract() if s == "live"])
def test_live_route_answers(client, method, path):
    url = re.sub(r"\{(\w+)\}", lambda m: SAMPLES.get(m[1], str(uuid.uuid4())), path)
    r = client.request(method, url, json={} if method in ("POST", "PATCH") else None)
    assert r.status_code != 405, f"{method} {url}: method not allowed"
    if r.status_code == 404:  # a 404 from our code names what is missing; the router's says "Not Found"
        assert r.headers.get("content-type", "").startswith("application/json")
        assert r.json() != {"detail": "Not Found"}, f"{method} {url}: no such route"

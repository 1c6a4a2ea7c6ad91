"""Issue 16, accounts and HTTP hardening: CSRF of cookie sessions, API tokens (list, revoke,
expiry), login throttling, default secrets refused in production, the audit log, security headers,
CORS and public rate limits.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth

PUBLISH = f"/api/datasets/shelters/{BALAKLIIA}/publish"


@pytest.fixture(autouse=True)
def fresh_login_throttle(app):
    """Failed sign-ins of other modules (the fuzzing sends many) do not lock these tests out."""
    from api.login_throttle import LoginThrottle

    app.state.login_throttle = LoginThrottle()
    yield


def _signed_in(app, make_user, role="planner", hromady=(BALAKLIIA,)) -> tuple[TestClient, str]:
    """A fresh client signed in through the JSON login (session + CSRF cookies)."""
    name, password, _ = make_user(role, hromady)
    c = TestClient(app)
    r = c.post("/api/auth/login", json={"username": name, "password": password})
    assert r.status_code == 200, r.text
    return c, name


# ------------------------------------------------------------------------------------------- CSRF
def test_sign_in_sets_a_readable_csrf_cookie_bound_to_the_session(app, make_user):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    with TestClient(app) as c:
        r = c.post("/api/auth/login", json={"username": name, "password": password})
        cookies = {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}
        assert "httponly" in cookies["gisplan_session"].lower()
        assert "httponly" not in cookies["gisplan_csrf"].lower()  # the page's script reads it
        from api.csrf import csrf_token_for

        assert c.cookies["gisplan_csrf"] == csrf_token_for(c.cookies["gisplan_session"])


def test_cookie_write_without_the_token_is_refused(app, make_user):
    c, _ = _signed_in(app, make_user)
    with c:
        r = c.post(PUBLISH)
        assert r.status_code == 403 and "CSRF" in r.json()["detail"], r.text
        assert c.post(PUBLISH, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
        # a planted pair (cookie and header of the attacker's choosing) does not match the session
        c.cookies.set("gisplan_csrf", "planted")
        assert c.post(PUBLISH, headers={"X-CSRF-Token": "planted"}).status_code == 403
        from api.csrf import csrf_token_for

        good = csrf_token_for(c.cookies["gisplan_session"])
        r = c.post(PUBLISH, headers={"X-CSRF-Token": good})
        assert r.status_code == 200 and r.json()["published"] is True, r.text
        # reads need no token
        assert c.get("/api/auth/me").status_code == 200


def test_bearer_and_anonymous_requests_need_no_token(client, make_user):
    _, _, token = make_user("planner", (BALAKLIIA,))
    assert client.post(f"/api/datasets/shelters/{BALAKLIIA}/withdraw", headers=auth(token)).status_code == 200
    # anonymous: the rights check answers, not the CSRF check
    r = client.post(PUBLISH)
    assert r.status_code == 401


def test_logout_form_carries_the_token(app, make_user):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    with TestClient(app) as c:
        c.post("/login", data={"username": name, "password": password, "next": "/"}, follow_redirects=False)
        page = c.get("/").text
        field = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
        assert field, "the sign-out form has no csrf field"
        assert c.post("/logout", follow_redirects=False).status_code == 403
        assert c.get("/api/auth/me").status_code == 200  # still signed in
        r = c.post("/logout", data={"csrf": field.group(1)}, follow_redirects=False)
        assert r.status_code == 303
        c.cookies.clear()
        assert c.get("/api/auth/me").status_code == 401


# ------------------------------------------------------------------------------------- API tokens
def _cli(*args: str):
    """`gisplan …` in this process (tests/cli_inprocess.py): the same entry function, errors and exit codes."""
    from tests.cli_inprocess import gisplan

    return gisplan(*args)


def test_tokens_are_listed_made_and_revoked_by_their_owner(client, make_user, engine):
    _, _, token = make_user("viewer", (KHMILNYK,))
    _, _, other = make_user("planner", (BALAKLIIA,))
    mine = client.get("/api/auth/tokens", headers=auth(token)).json()["tokens"]
    assert [t["name"] for t in mine] == ["tests"] and "token" not in mine[0]
    r = client.post("/api/auth/tokens", json={"name": "qgis", "expires_days": 30}, headers=auth(token))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == "qgis" and made["expires_at"] and not made["expired"]
    assert client.get("/api/auth/me", headers=auth(made["token"])).status_code == 200
    listed = client.get("/api/auth/tokens", headers=auth(token)).json()["tokens"]
    assert {t["id"] for t in listed} == {made["id"], mine[0]["id"]}
    assert all("token" not in t for t in listed)
    # another user can neither see nor revoke it
    assert made["id"] not in {t["id"] for t in client.get("/api/auth/tokens", headers=auth(other)).json()["tokens"]}
    assert client.delete(f"/api/auth/tokens/{made['id']}", headers=auth(other)).status_code == 404
    assert client.get("/api/admin/tokens", headers=auth(other)).status_code == 403
    assert client.delete(f"/api/auth/tokens/{made['id']}", headers=auth(token)).status_code == 204
    r = client.get("/api/auth/me", headers=auth(made["token"]))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_admin_sees_and_revokes_every_token(client, make_user):
    _, _, admin = make_user("admin", ())
    _, _, planner = make_user("planner", (BALAKLIIA,))
    theirs = client.get("/api/auth/tokens", headers=auth(planner)).json()["tokens"][0]
    everyone = client.get("/api/admin/tokens", headers=auth(admin)).json()["tokens"]
    assert theirs["id"] in {t["id"] for t in everyone}
    assert client.delete(f"/api/auth/tokens/{theirs['id']}", headers=auth(admin)).status_code == 204
    assert client.get("/api/auth/me", headers=auth(planner)).status_code == 401


def test_expired_token_is_refused(client, make_user, engine):
    from sqlalchemy import text

    _, _, token = make_user("planner", (BALAKLIIA,))
    made = client.post("/api/auth/tokens", json={"name": "short", "expires_days": 1}, headers=auth(token)).json()
    assert client.get("/api/auth/me", headers=auth(made["token"])).status_code == 200
    with engine.begin() as conn:  # a day later
        conn.execute(text("UPDATE auth_token SET expires_at = now() - interval '1 second' WHERE id = :i"),
                     {"i": made["id"]})
    r = client.get("/api/auth/me", headers=auth(made["token"]))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    listed = {t["id"]: t for t in client.get("/api/auth/tokens", headers=auth(token)).json()["tokens"]}
    assert listed[made["id"]]["expired"] is True
    assert client.post("/api/auth/tokens", json={"expires_days": 0}, headers=auth(token)).status_code == 422


def test_cli_token_tokens_revoke(client, make_user, database_url):
    name, _, _ = make_user("planner", (BALAKLIIA,))
    made = _cli("user", "token", name, "--name", "cli-test", "--expires-days", "7")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert client.get("/api/auth/me", headers=auth(token)).json()["username"] == name
    listed = _cli("user", "tokens", name)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if "cli-test" in ln)
    assert "active" in line and "expires 20" in line
    token_id = line.split()[0]
    revoked = _cli("user", "revoke", token_id)
    assert revoked.returncode == 0 and f"revoked token {token_id}" in revoked.stdout, revoked.stderr
    assert client.get("/api/auth/me", headers=auth(token)).status_code == 401
    again = _cli("user", "revoke", token_id)
    assert again.returncode != 0 and "gisplan user tokens" in again.stderr


# -------------------------------------------------------------------------------- login throttling
class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def throttle(app):
    """A throttle of 3 failures per user, 6 per address, with a clock the test moves."""
    from api.login_throttle import LoginThrottle

    old = getattr(app.state, "login_throttle", None)
    clock = _Clock()
    app.state.login_throttle = LoginThrottle(3, 6, window_seconds=60, lockout_seconds=30, clock=clock)
    yield clock
    app.state.login_throttle = old


def test_failed_sign_ins_lock_the_user_name_out(client, make_user, throttle):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    for _ in range(3):
        assert client.post("/api/auth/login", json={"username": name, "password": "wrong"}).status_code == 401
    r = client.post("/api/auth/login", json={"username": name, "password": password})
    assert r.status_code == 429 and r.headers["retry-after"] == "30", r.text  # even the right password
    throttle.now += 10
    assert client.post("/api/auth/login", json={"username": name, "password": password}).headers["retry-after"] == "20"
    # the form says so too
    r = client.post("/login", data={"username": name, "password": password}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?error=2" and r.headers["retry-after"] == "20"
    assert "Забагато невдалих спроб" in client.get(r.headers["location"]).text
    throttle.now += 21
    assert client.post("/api/auth/login", json={"username": name, "password": password}).status_code == 200


def test_failures_age_out_and_success_resets(client, make_user, throttle):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    for _ in range(2):
        client.post("/api/auth/login", json={"username": name, "password": "wrong"})
    throttle.now += 61  # outside the window: forgotten
    for _ in range(2):
        assert client.post("/api/auth/login", json={"username": name, "password": "wrong"}).status_code == 401
    assert client.post("/api/auth/login", json={"username": name, "password": password}).status_code == 200
    for _ in range(2):  # the success started the count afresh
        assert client.post("/api/auth/login", json={"username": name, "password": "wrong"}).status_code == 401


def test_one_address_trying_many_names_is_locked_out(client, make_user, throttle):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    for i in range(6):
        assert client.post("/api/auth/login", json={"username": f"guess{i}", "password": "x"}).status_code == 401
    r = client.post("/api/auth/login", json={"username": name, "password": password})
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 30


# ------------------------------------------------------------------- default secrets in production
def test_known_default_database_password_is_refused_in_production(monkeypatch):
    from gisplan.default_secrets import DefaultSecretError, config_problems, refuse_default_secrets

    url = "postgresql+psycopg://gisplan:change-me@db:5432/gisplan"
    assert config_problems(url) and not config_problems("postgresql+psycopg://gisplan:Xk3-long-secret@db/gisplan")
    refuse_default_secrets("development", url)  # allowed
    with pytest.raises(DefaultSecretError, match="GISPLAN_DATABASE_URL"):
        refuse_default_secrets("production", url)
    from gisplan.settings import clear_caches

    monkeypatch.setenv("GISPLAN_MODE", "production")
    monkeypatch.setenv("GISPLAN_DATABASE_URL", url)
    clear_caches()
    try:
        from api.main import create_app

        with pytest.raises(DefaultSecretError, match="known default"):
            create_app()
    finally:
        monkeypatch.undo()
        clear_caches()


@pytest.fixture()
def no_other_active_admins(engine):
    """The admins of other tests (random passwords) inactive during one test, then active again: the
    check tries every known default on every active admin, an argon2 verification each (0.1–0.4 s
    here), so each admin other tests left behind added 24 of them (~5 s) to the test below."""
    from sqlalchemy import text

    with engine.begin() as conn:
        others = conn.execute(text("UPDATE users SET active = false WHERE role = 'admin' AND active "
                                   "RETURNING username")).scalars().all()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE users SET active = true WHERE username = ANY(:names)"), {"names": others})


def test_admin_with_a_default_password_is_refused_in_production(engine, no_other_active_admins):
    from gisplan.accounts import add_user, set_password
    from gisplan.default_secrets import DefaultSecretError, refuse_default_secrets

    strong = "postgresql+psycopg://gisplan:Xk3-long-secret@db/gisplan"
    with engine.begin() as conn:
        add_user(conn, "admin-default-pw", "password123", "admin")
    try:
        with pytest.raises(DefaultSecretError, match="admin-default-pw"):
            refuse_default_secrets("production", strong, engine)
    finally:
        with engine.begin() as conn:
            set_password(conn, "admin-default-pw", "a-better-one-4711")
    refuse_default_secrets("production", strong, engine)


def test_serve_refuses_to_start_in_production_with_defaults(database_url):
    import os
    import subprocess
    import sys

    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(password="change-me").render_as_string(hide_password=False)
    env = {**os.environ, "GISPLAN_MODE": "production", "GISPLAN_DATABASE_URL": url, "GISPLAN_PORT": "0"}
    proc = subprocess.run([sys.executable, "-m", "gisplan", "serve"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.startswith("gisplan: error: GISPLAN_MODE=production refuses known default secrets"), proc.stderr


# -------------------------------------------------------------------------------------- audit log
def _audit(client, admin: str, **params) -> list[dict]:
    r = client.get("/api/admin/audit", params=params, headers=auth(admin))
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_sign_ins_are_audited(client, make_user):
    _, _, admin = make_user("admin", ())
    name, password, _ = make_user("planner", (BALAKLIIA,))
    client.post("/api/auth/login", json={"username": name, "password": "wrong"})
    client.post("/api/auth/login", json={"username": name, "password": password})
    found = _audit(client, admin, username=name)
    assert [(e["action"], e["ok"], e["status"]) for e in found] == [("sign-in", True, 200), ("sign-in", False, 401)]
    assert found[0]["client"] == "testclient"
    failed = _audit(client, admin, username=name, ok="false")
    assert len(failed) == 1 and failed[0]["ok"] is False
    client.post("/api/auth/logout", headers={"X-CSRF-Token": client.cookies["gisplan_csrf"]})
    assert _audit(client, admin, username=name, action="sign-out")[0]["status"] == 204


def test_every_change_is_audited_centrally_and_refusals_are_not(client, make_user):
    _, _, admin = make_user("admin", ())
    planner_name, _, planner = make_user("planner", (BALAKLIIA,))
    stranger_name, _, stranger = make_user("planner", (KHMILNYK,))
    point = {"type": "Point", "coordinates": [36.8400, 49.4600]}  # in Балаклійська
    r = client.post("/api/layers/wifi_zones/features", headers=auth(planner),
                    json={"geometry": point, "properties": {"name": "Аудит", "access": "open"}})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert client.post(PUBLISH, headers=auth(planner)).status_code == 200
    assert client.post(PUBLISH, headers=auth(stranger)).status_code == 403
    found = [e for e in _audit(client, admin, username=planner_name) if " /" in e["action"]]
    actions = [e["action"] for e in found]
    assert actions == ["POST /api/datasets/{layer}/{hromada}/publish", "POST /api/layers/{layer}/features"]
    publish, create = found
    # the core library's own entry of the publication is there too
    assert _audit(client, admin, username=planner_name, action="publish")[-1]["target"] == f"shelters/{BALAKLIIA}"
    assert publish["hromada"] == BALAKLIIA and publish["target"] == PUBLISH and publish["status"] == 200
    assert create["detail"]["params"] == {"layer": "wifi_zones"} and create["status"] == 201
    assert _audit(client, admin, username=stranger_name) == []  # the refused publish changed nothing
    # the filters: by action and by громада
    assert fid and all(e["hromada"] == BALAKLIIA for e in _audit(client, admin, hromada=BALAKLIIA))
    assert {e["username"] for e in _audit(client, admin, action="/publish", limit=1000)} >= {planner_name}


def test_audit_log_is_for_admins_only(client, make_user):
    _, _, planner = make_user("planner", (BALAKLIIA,))
    _, _, viewer = make_user("viewer", (BALAKLIIA,))
    assert client.get("/api/admin/audit").status_code == 401
    assert client.get("/api/admin/audit", headers=auth(planner)).status_code == 403
    assert client.get("/api/admin/audit", headers=auth(viewer)).status_code == 403


def test_cli_account_changes_are_audited(client, make_user):
    _, _, admin = make_user("admin", ())
    name, _, _ = make_user("viewer", (BALAKLIIA,))
    assert _cli("user", "token", name, "--name", "audited").returncode == 0
    found = _audit(client, admin, username="cli", action="user token")
    assert found[0]["target"] == f"user/{name}" and found[0]["detail"]["name"] == "audited"


# --------------------------------------------------------------------- security headers, CORS
@pytest.fixture(scope="module")
def demo(engine):
    from gisplan.demo import load_demo

    load_demo(engine)
    return engine


def _csp(r) -> dict[str, str]:
    return {d.split()[0]: d.partition(" ")[2] for d in r.headers["content-security-policy"].split("; ")}


def _inline_scripts_run_under_the_policy(r) -> int:
    """Every executable inline script carries the response's nonce; the number of them."""
    nonce = re.search(r"'nonce-([^']+)'", _csp(r)["script-src"]).group(1)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
    inline = [attrs for attrs, body in scripts
              if body.strip() and "src=" not in attrs and "application/json" not in attrs]
    assert inline, "the page has no inline script: the check below would mean nothing"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline), [a for a in inline if nonce not in a]
    return len(inline)


@pytest.mark.parametrize("path", ["/api/layers", "/", "/login", "/api/no-such-thing", "/healthz"])
def test_every_response_has_the_security_headers(client, path):
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "DENY"
    csp = _csp(r)
    assert "'unsafe-inline'" not in csp["script-src"] and "'nonce-" in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"


def test_nonce_is_fresh_per_response(client):
    a, b = _csp(client.get("/login"))["script-src"], _csp(client.get("/login"))["script-src"]
    assert a != b


def test_residents_inline_scripts_carry_the_nonce(demo, client):
    for path in (f"/{BALAKLIIA}/shelters", f"/{KREMENCHUK}/tourism"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert _inline_scripts_run_under_the_policy(r) >= 2


def test_embed_stays_embeddable_and_its_scripts_run(demo, client):
    r = client.get(f"/{BALAKLIIA}/embed/shelters")
    assert r.status_code == 200
    assert _csp(r)["frame-ancestors"] == "*" and "x-frame-options" not in r.headers
    assert _inline_scripts_run_under_the_policy(r) >= 1
    assert _csp(client.get(f"/{BALAKLIIA}/shelters"))["frame-ancestors"] == "'none'"


def test_ogcapi_html_map_script_carries_the_nonce(demo, client):
    r = client.get("/ogcapi/collections/shelters/items", params={"f": "html", "limit": 5})
    assert r.status_code == 200
    _inline_scripts_run_under_the_policy(r)


@pytest.mark.parametrize("path", [
    "/ows?SERVICE=WMS&REQUEST=GetCapabilities", f"/{BALAKLIIA}/ows?SERVICE=WFS&REQUEST=GetCapabilities",
    "/ogcapi/collections", "/csw?SERVICE=CSW&REQUEST=GetCapabilities", "/tiles/shelters.json",
    f"/{BALAKLIIA}/downloads/shelters.geojson", "/atom/service.xml", "/api/layers/shelters/metadata?hromada=" + BALAKLIIA,
])
def test_ogc_services_allow_other_origins(demo, client, path):
    r = client.get(path, headers={"Origin": "https://maps.example.org"})
    assert r.status_code == 200, f"{path}: {r.status_code}"
    assert r.headers.get("access-control-allow-origin") == "*"
    assert "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize("path", ["/api/layers", "/api/auth/me", f"/api/layers/shelters/features?hromada={BALAKLIIA}",
                                  "/api/programs"])
def test_planner_api_is_not_shared_with_other_origins(client, make_user, path):
    _, _, token = make_user("planner", (BALAKLIIA,))
    r = client.get(path, headers={"Origin": "https://evil.example.org", **auth(token)})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options(path, headers={"Origin": "https://evil.example.org", "Access-Control-Request-Method": "GET",
                                        "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in pre.headers


def test_ogc_preflight_is_answered(client):
    pre = client.options("/csw", headers={"Origin": "https://maps.example.org", "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]


# ------------------------------------------------------------------------------------ rate limits
@pytest.fixture()
def tight_limit(app):
    from api.rate_limit import TokenBuckets

    clock = _Clock()
    old = getattr(app.state, "rate_limit", None)
    app.state.rate_limit = TokenBuckets(6, clock=clock)  # 6 a minute: one every 10 s, bursts of 6
    yield clock
    app.state.rate_limit = old


def test_anonymous_requests_are_rate_limited(client, make_user, tight_limit):
    for _ in range(6):
        assert client.get("/api/layers").status_code == 200
    r = client.get("/ogcapi")
    assert r.status_code == 429 and r.headers["retry-after"] == "10", r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    # signed-in callers and static files are not limited
    _, _, token = make_user("viewer", (BALAKLIIA,))
    assert client.get("/api/layers", headers=auth(token)).status_code == 200
    assert client.get("/static/gisplan.css").status_code == 200
    tight_limit.now += 10  # one request's worth refilled
    assert client.get("/api/layers").status_code == 200
    assert client.get("/api/layers").status_code == 429


def test_rate_limit_is_off_with_zero(app):
    from api.rate_limit import RateLimitMiddleware

    assert RateLimitMiddleware(app, per_minute=0).buckets is None


# --------------------------------------------------------------------------------- executor role
def test_executor_reports_on_its_projects_only(client, make_user):
    _, _, planner = make_user("planner", (BALAKLIIA,))
    executor_name, _, executor = make_user("executor", ())
    r = client.post("/api/programs", headers=auth(planner),
                    json={"title": "Програма для перевірки виконавця", "hromada": BALAKLIIA,
                          "period_start": 2025, "period_end": 2027})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    prio = client.post(f"/api/programs/{pid}/priorities", headers=auth(planner), json={"code": "1", "name": "x"})
    assert prio.status_code == 201, prio.text
    mine, other = (client.post(f"/api/programs/{pid}/projects", headers=auth(planner),
                               json={"name": name, "priority": "1"}).json()["id"] for name in ("мій", "чужий"))
    r = client.put(f"/api/programs/{pid}/projects/{mine}/assignees", headers=auth(planner),
                   json={"usernames": [executor_name]})
    assert r.status_code == 200, r.text
    report = {"year": 2025, "quarter": 2, "progress_pct": 40}
    assert client.post(f"/api/programs/{pid}/projects/{mine}/reports", json=report,
                       headers=auth(executor)).status_code == 201
    assert client.get(f"/api/programs/{pid}/projects/{mine}/reports", headers=auth(executor)).json()[0][
        "progress_pct"] in (40, "40", "40.0", 40.0)
    assert client.post(f"/api/programs/{pid}/projects/{other}/reports", json=report,
                       headers=auth(executor)).status_code == 403
    assert client.get(f"/api/programs/{pid}/projects/{other}/reports", headers=auth(executor)).status_code == 403
    # nothing else: not the program, not the громада's data, no edits
    assert client.get(f"/api/programs/{pid}", headers=auth(executor)).status_code == 403
    assert client.patch(f"/api/programs/{pid}", json={"title": "x"}, headers=auth(executor)).status_code == 403
    r = client.post("/api/layers/wifi_zones/features", headers=auth(executor),
                    json={"geometry": {"type": "Point", "coordinates": [36.84, 49.46]},
                          "properties": {"name": "x", "access": "open"}})
    assert r.status_code == 403 and "executor" in r.json()["detail"]


def test_executor_is_given_projects_not_hromady(engine):
    from gisplan.accounts import AccountError, add_user

    with engine.begin() as conn, pytest.raises(AccountError, match="executor"):
        add_user(conn, "executor-with-hromada", "long-password-1", "executor", [BALAKLIIA])


# ------------------------------------------------------------------ caches never share signed-in answers
@pytest.mark.parametrize("path", [
    "/ogcapi/collections?f=json",
    f"/{BALAKLIIA}/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
    "/tiles/hromady/6/37/21.mvt",
    f"/api/hromady/{BALAKLIIA}/indicators",
])
def test_signed_in_responses_are_private_and_vary(demo, client, make_user, path):
    _, _, token = make_user("planner", (BALAKLIIA,))
    signed = client.get(path, headers=auth(token))
    assert signed.status_code == 200, signed.text
    assert "private" in signed.headers["cache-control"].split(", "), signed.headers["cache-control"]
    assert "public" not in signed.headers["cache-control"]
    vary = {v.strip().lower() for v in signed.headers["vary"].split(",")}
    assert {"authorization", "cookie"} <= vary


def test_anonymous_public_responses_stay_shareable(demo, client):
    r = client.get("/tiles/hromady/6/37/21.mvt")
    assert r.status_code == 200
    assert "private" not in r.headers.get("cache-control", ""), r.headers.get("cache-control")


def test_private_cache_control_rules():
    from api.private_cache import merged_vary, private_cache_control

    assert private_cache_control(None) == "private, no-cache"
    assert private_cache_control("public, max-age=3600, s-maxage=600") == "private, max-age=3600"
    assert private_cache_control("private, no-store") == "private, no-store"
    assert merged_vary("Accept") == "Accept, Authorization, Cookie"
    assert merged_vary("Accept, cookie") == "Accept, cookie, Authorization"

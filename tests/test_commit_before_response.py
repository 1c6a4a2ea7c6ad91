"""A write is committed before its answer leaves the server: a client that acts on the answer at once
(the browser following a sign-in's redirect, a script reading what it just wrote) sees the change.

The commits are slowed down on purpose; with FastAPI's default "request" scope for the transaction
dependency the answer would arrive first and the read after it would miss the write."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import event

from tests.conftest import BALAKLIIA
from tests.live_server import live_server

SLOW_COMMIT = 0.6


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


@pytest.fixture()
def slow_commits(engine):
    def slow(conn):
        time.sleep(SLOW_COMMIT)

    event.listen(engine, "commit", slow)
    try:
        yield
    finally:
        event.remove(engine, "commit", slow)


def test_session_of_a_sign_in_exists_when_its_redirect_arrives(server, make_user, slow_commits):
    name, password, _ = make_user("planner")
    with httpx.Client(base_url=server, timeout=60) as c:
        signed_in = c.post("/login", data={"username": name, "password": password,
                                           "next": f"/{BALAKLIIA}/workspace"})
        assert signed_in.status_code == 303, signed_in.text
        page = c.get(signed_in.headers["location"])
    assert page.status_code == 200, page.text[:300]


"""Issue 16: no lost updates. Two planners PATCH the same feature with the same version at the
same moment (two threads against the app served by uvicorn): one gets 200, the other 409 with the
current version, and the history keeps every version.
"""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.live_server import live_server
from tests.conftest import KHMILNYK, auth

ROUNDS = 8
POINT = {"type": "Point", "coordinates": [27.8440, 49.5570]}


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


def _race(url: str, version: int, bodies: list[tuple[str, dict]]) -> list[httpx.Response]:
    """Send the PATCHes from one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(bodies))
    results: list[httpx.Response | BaseException] = [None] * len(bodies)  # type: ignore[list-item]

    def send(i: int, token: str, props: dict) -> None:
        with httpx.Client(timeout=30) as c:
            c.get(url, headers=auth(token))  # connection open before the start
            barrier.wait()
            try:
                results[i] = c.patch(url, json={"version": version, "properties": props}, headers=auth(token))
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                results[i] = exc

    threads = [threading.Thread(target=send, args=(i, t, p)) for i, (t, p) in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, httpx.Response) for r in results), results
    return results  # type: ignore[return-value]


def test_two_concurrent_patches_one_wins_one_gets_409(server, make_user):
    _, _, olena = make_user("planner", (KHMILNYK,))
    _, _, taras = make_user("planner", (KHMILNYK,))
    with httpx.Client(base_url=server, timeout=30) as c:
        r = c.post("/api/layers/shelters/features", headers=auth(olena),
                   json={"type": "Feature", "geometry": POINT, "properties": {"name": "Укриття гонитви", "capacity": 0}})
        assert r.status_code == 201, r.text
        fid = r.json()["id"]
    url = f"{server}/api/layers/shelters/features/{fid}"
    winners = []
    for n in range(ROUNDS):
        version = httpx.get(url, headers=auth(olena)).json()["properties"]["version"]
        a, b = 1000 + 2 * n, 1001 + 2 * n
        first, second = _race(url, version, [(olena, {"capacity": a}), (taras, {"capacity": b})])
        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, 409], f"round {n}: {first.status_code} {first.text} / {second.status_code} {second.text}"
        won, lost = (first, second) if first.status_code == 200 else (second, first)
        assert won.json()["properties"]["version"] == version + 1
        assert lost.json()["current_version"] == version + 1  # the loser learns what to reload
        now = httpx.get(url, headers=auth(olena)).json()["properties"]
        assert now["version"] == version + 1 and now["capacity"] == won.json()["properties"]["capacity"]
        winners.append(now["capacity"])
    history = httpx.get(f"{url}/history", headers=auth(olena)).json()
    assert history["current_version"] == ROUNDS + 1
    assert [h["version"] for h in history["versions"]] == list(range(1, ROUNDS + 1))
    kept = {h["capacity"] for h in history["versions"]}
    # every winning value but the last (still current) is in the history: nothing was lost
    assert set(winners[:-1]) <= kept, (winners, kept)

"""QR plates (issue 14): codes decode back to their short links with a real decoder (zbar), also
with the громада's logo, blurred and with a covered corner; plates are one page per object with
the right text; marking a plate installed moves QR_TOURISM from that date; scans are counted."""

from __future__ import annotations

import base64
import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from sqlalchemy import text

from gisplan.demo import load_demo
from gisplan.qr.codes import qr_image, qr_png, short_url
from gisplan.qr.workflow import plate_objects, record_scan

from tests.cli_inprocess import gisplan
from tests.conftest import BALAKLIIA, KHMILNYK, auth


def _decoded(img: Image.Image) -> list[str]:
    return [d.data.decode() for d in decode(img) if d.type == "QRCODE"]


def _has_blue(img: Image.Image) -> bool:
    px = np.asarray(img.convert("RGB")).reshape(-1, 3).astype(int)
    return bool(((px[:, 2] > 150) & (px[:, 0] < 100)).any())


def _logo() -> bytes:
    """A colourful stand-in for a громада's coat of arms."""
    img = Image.new("RGB", (200, 240), "#1565c0")
    d = ImageDraw.Draw(img)
    d.polygon([(100, 20), (180, 120), (100, 220), (20, 120)], fill="#fdd835")
    d.ellipse((70, 90, 130, 150), fill="#c62828")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="qr-test")
    return engine


@pytest.fixture(scope="module")
def planner(make_user, demo):
    return make_user("planner", (BALAKLIIA,))[2]


def _objects(engine, hromada=BALAKLIIA):
    with engine.connect() as conn:
        return plate_objects(conn, hromada)


# ------------------------------------------------------------------ codes
URL = "https://gisplan.example.ua/q/k3x9m2ab"


def test_plain_code_decodes():
    assert _decoded(Image.open(io.BytesIO(qr_png(URL)))) == [URL]


def test_code_with_logo_blur_and_covered_corner_still_decodes():
    img = qr_image(URL, box_size=10, logo=_logo())
    assert _decoded(img) == [URL]
    # the logo really covers modules in the middle of the code
    centre = img.crop((img.width * 0.45, img.height * 0.45, img.width * 0.55, img.height * 0.55))
    assert _has_blue(centre)  # the logo's blue
    weathered = img.filter(ImageFilter.GaussianBlur(radius=3))
    assert _decoded(weathered) == [URL]
    covered = img.copy()
    w = covered.width
    # dirt over the bottom-right corner: 15 % of the side each way, about 2 % of the code
    ImageDraw.Draw(covered).rectangle((int(w * 0.75), int(w * 0.75), int(w * 0.9), int(w * 0.9)), fill="#808080")
    assert _decoded(covered) == [URL]


def test_the_same_damage_defeats_a_low_correction_code():
    """Control: the damage above is real: a level-L code under the same cover does not read."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=10, border=4)
    qr.add_data(URL)
    qr.make(fit=True)
    img = qr.make_image().get_image().convert("RGB")
    side = img.width // 3
    mark = Image.open(io.BytesIO(_logo())).resize((side, side))
    img.paste(mark, ((img.width - side) // 2, (img.height - side) // 2))
    assert _decoded(img) == []


def test_short_url_uses_the_public_origin_and_rejects_bad_codes(monkeypatch):
    from gisplan.errors import GisplanError
    from gisplan.settings import clear_caches

    monkeypatch.setenv("GISPLAN_PUBLIC_URL", "https://maps.balakliia.example/")
    clear_caches()
    try:
        assert short_url("abc123") == "https://maps.balakliia.example/q/abc123"
    finally:
        monkeypatch.delenv("GISPLAN_PUBLIC_URL")
        clear_caches()
    with pytest.raises(GisplanError, match="short"):
        short_url("../etc")


# ------------------------------------------------------------------ API: codes, plates
def test_png_and_svg_of_a_demo_object_decode_to_its_link(client, demo, planner):
    obj = _objects(demo)[0]
    r = client.get(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}.png", headers=auth(planner))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    short = next(o for o in _objects(demo) if o.id == obj.id).qr_code
    assert short and _decoded(Image.open(io.BytesIO(r.content))) == [short_url(short)]
    svg = client.get(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}.svg", headers=auth(planner))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and b"mm" in svg.content
    # the short code is permanent: a rename does not change it
    with demo.begin() as conn:
        conn.execute(text("UPDATE tourist_objects SET name = name || ' (нова назва)' WHERE id = :i"), {"i": obj.id})
    renamed = next(o for o in _objects(demo) if o.id == obj.id)
    assert renamed.name.endswith("(нова назва)") and renamed.qr_code == short


def test_short_codes_are_given_once_and_unique(client, demo, planner):
    r = client.get(f"/api/hromady/{BALAKLIIA}/qr/plates.pdf", headers=auth(planner))
    assert r.status_code == 200
    shorts = [o.qr_code for o in _objects(demo)]
    assert all(shorts) and len(set(shorts)) == len(shorts)
    client.get(f"/api/hromady/{BALAKLIIA}/qr/plates.pdf", headers=auth(planner))
    assert [o.qr_code for o in _objects(demo)] == shorts


def test_plates_pdf_has_one_page_per_object_with_its_text(client, demo, planner):
    objs = _objects(demo)[:3]
    ids = ",".join(str(o.id) for o in objs)
    r = client.get(f"/api/hromady/{BALAKLIIA}/qr/plates.pdf", params={"ids": ids}, headers=auth(planner))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 3
    objs = {o.id: o for o in _objects(demo)}
    for page, o in zip(pages, [objs[x.id] for x in _objects(demo)[:3]]):
        words = " ".join(page.extract_text().split())
        assert o.name.split()[0] in words
        assert short_url(o.qr_code) in words
        assert "Балаклійська" in words
        assert "Scan for the page in English" in words
    states = {o.id: o.state for o in _objects(demo)}
    assert all(states[o.id] in ("printed", "installed") for o in _objects(demo)[:3])


def test_plates_carry_the_profile_logo(client, demo, planner):
    uri = "data:image/png;base64," + base64.b64encode(_logo()).decode()
    with demo.begin() as conn:
        from gisplan.registration.profile import save_profile
        save_profile(conn, BALAKLIIA, {"logo_url": uri}, "qr-test")
    obj = _objects(demo)[1]
    png = client.get(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}.png", headers=auth(planner))
    img = Image.open(io.BytesIO(png.content)).convert("RGB")
    assert _has_blue(img)  # the logo is in
    assert _decoded(img) == [short_url(_objects(demo)[1].qr_code)]
    plain = client.get(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}.png", params={"logo": "false"}, headers=auth(planner))
    assert not _has_blue(Image.open(io.BytesIO(plain.content)).convert("RGB"))


def test_access_rules(client, demo, make_user):
    obj = _objects(demo)[0]
    assert client.get(f"/api/hromady/{BALAKLIIA}/qr").status_code == 401
    viewer = make_user("viewer", (BALAKLIIA,))[2]
    assert client.get(f"/api/hromady/{BALAKLIIA}/qr", headers=auth(viewer)).status_code == 200
    assert client.get(f"/api/hromady/{BALAKLIIA}/qr/plates.pdf", headers=auth(viewer)).status_code == 403
    other = make_user("planner", (KHMILNYK,))[2]
    assert client.get(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}.png", headers=auth(other)).status_code == 403
    r = client.post(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}/installed", json={"installed_at": "2025-01-01"},
                    headers=auth(other))
    assert r.status_code == 403


def test_bad_input_names_the_parameter(client, demo, planner):
    r = client.get(f"/api/hromady/{BALAKLIIA}/qr/plates.pdf", params={"ids": "nope"}, headers=auth(planner))
    assert r.status_code == 422 and "ids" in r.text
    missing = "00000000-0000-0000-0000-000000000000"
    r = client.get(f"/api/hromady/{BALAKLIIA}/qr/{missing}.png", headers=auth(planner))
    assert r.status_code == 404
    obj = _objects(demo)[0]
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = client.post(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}/installed", json={"installed_at": future},
                    headers=auth(planner))
    assert r.status_code == 400 and "date" in r.text
    r = client.post(f"/api/hromady/{BALAKLIIA}/qr/{obj.id}/installed",
                    json={"installed_at": "2025-01-01", "version": 99999}, headers=auth(planner))
    assert r.status_code == 409


# ------------------------------------------------------------------ workflow and the indicator
def _qr_count(engine, as_of: dt.date) -> float:
    from gisplan.indicators.engine import evaluate_metric
    from gisplan.indicators.registry import registry

    with engine.begin() as conn:
        return evaluate_metric(conn, registry().get("QR_TOURISM_COUNT"), BALAKLIIA, as_of).value


def test_installing_a_plate_moves_qr_tourism_from_that_date(client, demo, planner):
    target = next(o for o in _objects(demo) if not o.has_qr)
    day = dt.date(2026, 3, 2)
    before_day, on_day = _qr_count(demo, day - dt.timedelta(days=1)), _qr_count(demo, day)
    r = client.post(f"/api/hromady/{BALAKLIIA}/qr/{target.id}/installed", json={"installed_at": day.isoformat()},
                    headers=auth(planner))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "installed" and r.json()["installed_at"] == day.isoformat()
    assert _qr_count(demo, day) == on_day + 1
    assert _qr_count(demo, day - dt.timedelta(days=1)) == before_day
    listing = client.get(f"/api/hromady/{BALAKLIIA}/qr", headers=auth(planner)).json()
    row = next(o for o in listing["objects"] if o["id"] == str(target.id))
    assert row["state"] == "installed" and listing["counts"]["installed"] >= 1
    hist = client.get(f"/api/layers/tourist_objects/features/{target.id}/history", headers=auth(planner))
    assert hist.status_code == 200 and len(hist.json()) >= 1  # the change is in the feature history


def test_scans_are_counted_per_short_code(client, demo):
    obj = next(o for o in _objects(demo) if o.qr_code)
    with demo.begin() as conn:
        record_scan(conn, obj.qr_code)
    assert next(o for o in _objects(demo) if o.id == obj.id).scans == obj.scans + 1
    public = next(o for o in _objects(demo) if o.public and o.qr_code and o.id != obj.id)
    r = client.get(f"/q/{public.qr_code}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"].endswith(f"/{BALAKLIIA}/objects/{public.id}")
    assert next(o for o in _objects(demo) if o.id == public.id).scans == public.scans + 1
    assert client.get("/q/no-such-code", follow_redirects=False).status_code == 404
    with demo.connect() as conn:
        cols = {r[0] for r in conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'qr_scan'"))}
    assert cols == {"short", "day", "count"}  # aggregate only: nothing about the visitor


def test_cli_writes_plates_and_marks_installed(demo, tmp_path):
    out = tmp_path / "plates.pdf"
    proc = gisplan("qr", "plates", "--hromada", KHMILNYK, "--out", str(out), "--size", "A5")
    assert proc.returncode == 0, proc.stderr
    n = len(_objects(demo, KHMILNYK))
    assert n > 0 and len(PdfReader(out).pages) == n
    assert f"{n} plates" in proc.stdout
    obj = _objects(demo, KHMILNYK)[0]
    proc = gisplan("qr", "installed", "--hromada", KHMILNYK, "--id", str(obj.id), "--date", "2026-01-15")
    assert proc.returncode == 0, proc.stderr
    assert next(o for o in _objects(demo, KHMILNYK) if o.id == obj.id).state == "installed"
    bad = gisplan("qr", "installed", "--hromada", KHMILNYK, "--id", "x", "--date", "2026-01-15")
    assert bad.returncode != 0 and "--id" in bad.stderr

"""The pub views: only published datasets, public rows and public fields go out."""

from sqlalchemy import inspect, text

from gisplan import features as feats
from gisplan.catalog import catalog
from gisplan.datasets import set_published
from tests.conftest import KHMILNYK

KHMILNYK_POINT = {"type": "Point", "coordinates": [27.8440, 49.5570]}


def test_pub_views_have_public_fields_only(engine):
    insp = inspect(engine)
    for layer in catalog():
        cols = {c["name"] for c in insp.get_columns(layer.name, schema="pub")}
        hidden = {n for n, f in layer.fields.items() if not f.is_public}
        assert not (cols & hidden), f"{layer.name} publishes {cols & hidden}"
        assert not (cols & {"updated_by", "public", "created_at"}), layer.name
        assert set(layer.public_fields()) <= cols


def test_unpublished_private_and_sensitive_data_stay_hidden(engine):
    with engine.begin() as conn:
        shown = feats.create_feature(conn, "shelters", {
            "name": "Укриття школи № 1", "kind": "simple", "capacity": 120,
            "key_holder_phone": "+380501234567", "owner_edrpou": "12345678"}, KHMILNYK_POINT, "p")["id"]
        private_row = feats.create_feature(conn, "shelters", {"name": "Службове", "public": False},
                                           KHMILNYK_POINT, "p")["id"]
        planned = feats.create_feature(conn, "shelters", {"name": "Заплановане", "status": "planned"},
                                       KHMILNYK_POINT, "p")["id"]

    def pub_ids(conn):
        return set(conn.execute(text("SELECT id::text FROM pub.shelters WHERE hromada = :h"),
                                {"h": KHMILNYK}).scalars())

    with engine.begin() as conn:
        set_published(conn, "shelters", KHMILNYK, False, "p")
        assert pub_ids(conn) == set()  # not published: nothing
        set_published(conn, "shelters", KHMILNYK, True, "p")
        ids = pub_ids(conn)
        assert shown in ids
        assert private_row not in ids  # row marked not public
        assert planned not in ids  # the layer's row filter: planned shelters are not shown
        row = conn.execute(text("SELECT to_jsonb(s) FROM pub.shelters s WHERE id = :id"), {"id": shown}).scalar_one()
        assert row["capacity"] == 120
        assert "key_holder_phone" not in row and "owner_edrpou" not in row
        # the anonymous reader of the features module reads the same view
        page = feats.list_features(conn, "shelters", public=True, hromada=KHMILNYK, limit=100)
        assert {f["id"] for f in page.features} == ids
        assert all("key_holder_phone" not in f["properties"] for f in page.features)
        set_published(conn, "shelters", KHMILNYK, False, "p")
        assert feats.list_features(conn, "shelters", public=True, hromada=KHMILNYK).matched == 0


def test_cctv_publishes_no_rows(engine):
    with engine.begin() as conn:
        feats.create_feature(conn, "cctv_cameras", {}, KHMILNYK_POINT, "p")
        set_published(conn, "cctv_cameras", KHMILNYK, True, "p")
        assert conn.execute(text("SELECT count(*) FROM pub.cctv_cameras")).scalar_one() == 0
        conn.rollback()

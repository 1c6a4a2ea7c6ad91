"""The fast import path against the slow one. The fast path (the default) finds громада and
settlement codes by location while checking (shapely's STRtree) and, for a large import into a
table that holds fewer rows, builds the secondary indexes again after the INSERT; the slow path
(``ImportOptions(fast=False)``) joins by location in SQL and keeps the indexes. The same files,
imported both ways, must give the same features, codes, versions, history and reports.

Rows live in Poltava-oblast громади no other test uses (Хорольська, Пирятинська, Гребінківська,
Оржицька); each path gives its rows its own code prefix and ``source``.
"""

from __future__ import annotations

import threading
import time

import pyogrio
import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gisplan.ingest import load as ingest_load
from tests.test_ingest import frame, inside, rejected, run

KHOROL = "UA53040110000034949"
PYRIATYN = "UA53040090000048649"
HREBINKA = "UA53040010000091190"
ORZHYTSIA = "UA53040070000083099"
PATHS = {"fast": True, "slow": False}


def shelters_file(tmp_path, name, prefix, rows):
    """A GeoJSON of shelters: rows are (number, attributes, point); codes are prefix + number."""
    path = tmp_path / f"{prefix}{name}.geojson"
    pyogrio.write_dataframe(frame([{"code": f"{prefix}{n:03d}", **attrs} for n, attrs, _ in rows],
                                  [shapely.Point(p) for _, _, p in rows]), path)
    return path


def features(engine, layer, source):
    """Every feature of one path, by number (the code without its prefix), without ids and times."""
    with engine.connect() as c:
        rows = c.execute(text(f"""
            SELECT substr(code, 3) AS n, hromada, katottg, status, public, version, updated_by, name,
                   {'kind, capacity,' if layer == 'shelters' else ''} encode(ST_AsEWKB(geom), 'hex') AS geom
            FROM "{layer}" WHERE source = :s ORDER BY n"""), {"s": source}).all()
    return [tuple(r) for r in rows]


def history(engine, layer, source):
    with engine.connect() as c:
        rows = c.execute(text(f"""
            SELECT substr(code, 3) AS n, version, hromada, katottg, name, capacity, operation, changed_by
            FROM "{layer}_history" WHERE source = :s ORDER BY n, version"""), {"s": source}).all()
    return [tuple(r) for r in rows]


def counts(rep):
    return (rep.status, rep.read, rep.inserted, rep.updated, rep.unchanged, rep.deleted, rep.rejected_rows,
            [(r.row, r.field, r.reason) for r in rep.repairs])


def test_fast_and_slow_paths_load_the_same_codes_versions_and_history(engine, tmp_path):
    # a settlement with a boundary, so that points inside it get its КАТОТТГ code by location
    with engine.connect() as c:
        village, village_name = c.execute(text(
            "SELECT code, name FROM territory WHERE hromada_code = :h AND level = 4 ORDER BY code LIMIT 1"),
            {"h": KHOROL}).one()
    (vx, vy), = inside(engine, KHOROL, 1, seed=41)
    settlement = tmp_path / "village.geojson"
    pyogrio.write_dataframe(frame([{"katottg": village, "name": village_name, "category": "село"}],
                                  [shapely.box(vx - 0.01, vy - 0.01, vx + 0.01, vy + 0.01)]), settlement)
    assert run(engine, "settlements", settlement, source="t-paths-village").inserted == 1

    points = {h: inside(engine, h, 8, seed=42 + k) for k, h in enumerate((KHOROL, PYRIATYN, HREBINKA, ORZHYTSIA))}
    rows = []
    for h, pts in points.items():
        for p in pts:
            n = len(rows)
            rows.append((n, {"name": f"Укриття {n}", "kind": ("сховище", "ПРУ")[n % 2], "capacity": 10 + n,
                             "hromada": None, "katottg": None}, p))
    rows.append((len(rows), {"name": "у селі", "kind": "НУ", "capacity": 5, "hromada": None, "katottg": None},
                 (vx + 0.002, vy + 0.001)))                             # settlement code by location
    rows.append((len(rows), {"name": "код дано", "kind": "НУ", "capacity": 6, "hromada": KHOROL, "katottg": village},
                 (vx - 0.003, vy)))                                      # codes given in the file
    rows.append((len(rows), {"name": "громаду дано", "kind": "НУ", "capacity": 7, "hromada": KHOROL,
                             "katottg": None}, (vx, vy - 0.004)))

    # upsert: five capacities and two names change, the rest does not; then replace within one
    # громада keeping only the first three of its rows
    changed = [(n, {**a, "capacity": a["capacity"] + 100 if n < 5 else a["capacity"],
                    "name": a["name"] + " (нова назва)" if n in (10, 20) else a["name"]}, p) for n, a, p in rows]
    kept = [r for r in changed if r[0] < 3]

    def scenario(path: str) -> dict:
        """The three imports by one path; what they reported and left. The other path's rows are
        gone by then (replace deletes every feature of the громада that the file does not list)."""
        prefix, source, fast = f"{path[0].upper()}-", f"t-paths-{path}", PATHS[path]
        out = {"v1": run(engine, "shelters", shelters_file(tmp_path, "v1", prefix, rows), fast=fast, source=source)}
        out["v1 features"] = features(engine, "shelters", source)
        out["v2"] = run(engine, "shelters", shelters_file(tmp_path, "v2", prefix, changed), mode="upsert",
                        fast=fast, source=source)
        out["v2 features"] = features(engine, "shelters", source)
        out["v3"] = run(engine, "shelters", shelters_file(tmp_path, "v3", prefix, kept), mode="replace",
                        hromada=KHOROL, fast=fast, source=source)
        out["v3 features"] = features(engine, "shelters", source)
        out["history"] = history(engine, "shelters", source)
        with engine.begin() as c:
            c.execute(text("DELETE FROM shelters WHERE source = :s"), {"s": source})
        return out

    fast, slow = scenario("fast"), scenario("slow")
    for step in ("v1", "v2", "v3"):
        assert counts(fast[step]) == counts(slow[step]), step
        assert fast[f"{step} features"] == slow[f"{step} features"], step
    assert fast["history"] == slow["history"]

    assert fast["v1"].inserted == len(rows) == len(fast["v1 features"])
    by_n = {r[0]: r for r in fast["v1 features"]}
    assert {by_n[f"{n:03d}"][1] for n in range(8)} == {KHOROL}          # located громада
    assert {by_n[f"{n:03d}"][1] for n in range(24, 32)} == {ORZHYTSIA}
    assert by_n[f"{len(rows) - 3:03d}"][1:3] == (KHOROL, village)       # located settlement
    assert by_n[f"{len(rows) - 2:03d}"][1:3] == (KHOROL, village)       # codes given in the file
    assert by_n[f"{len(rows) - 1:03d}"][1:3] == (KHOROL, village)       # given громада, located settlement
    assert (fast["v2"].updated, fast["v2"].unchanged) == (7, len(rows) - 7)
    assert {r[5] for r in fast["v2 features"]} == {1, 2}                # versions
    assert (fast["v3"].updated, fast["v3"].unchanged, fast["v3"].deleted) == (0, 3, 8 + 3 - 3)
    operations = [h[6] for h in fast["history"]]
    assert (operations.count("UPDATE"), operations.count("DELETE")) == (7, 8)
    assert {h[7] for h in fast["history"]} == {"test-ingest"}


def test_fast_and_slow_paths_reject_the_same_rows(engine, tmp_path):
    (a, b) = inside(engine, PYRIATYN, 2, seed=51)
    rows = [(0, {"name": "перше", "capacity": 1}, a),
            (1, {"name": "у морі", "capacity": 2}, (31.0, 45.0)),       # inside Ukraine's extent, in no громада
            (2, {"name": "те саме число", "capacity": 3}, b)]
    reports = {}
    for path, fast in PATHS.items():
        dup = [(n if n != 2 else 0, attrs, p) for n, attrs, p in rows]  # row 3 repeats row 1's code
        reports[path] = rejected(engine, "shelters", shelters_file(tmp_path, "bad", f"{path[0].upper()}-", dup),
                                 mode="upsert", fast=fast, source=f"t-paths-bad-{path}")
    fast, slow = ([(r.row, r.field, r.reason.replace("F-", "?-").replace("S-", "?-")) for r in reports[p].rejections]
                  for p in PATHS)
    assert fast == slow
    assert (2, "hromada", "no громада given, and the geometry lies in no громада boundary loaded") in fast
    assert (3, "code", "duplicate code '?-000' in the file (first at row 1)") in fast


def test_polygons_repaired_and_located_alike(engine, tmp_path):
    (x, y), (u, v) = inside(engine, HREBINKA, 2, seed=61)
    bow_tie = shapely.Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01), (x, y)])
    square = shapely.box(u, v, u + 0.01, v + 0.01)
    reports = {}
    for path, fast in PATHS.items():
        prefix = f"{path[0].upper()}-"
        file = tmp_path / f"{prefix}districts.geojson"
        pyogrio.write_dataframe(frame([{"code": f"{prefix}001", "name": "метелик"},
                                       {"code": f"{prefix}002", "name": "квадрат"}], [bow_tie, square]), file)
        reports[path] = run(engine, "starosta_districts", file, fast=fast, source=f"t-paths-poly-{path}")
    assert counts(reports["fast"]) == counts(reports["slow"]) and len(reports["fast"].repairs) == 1
    fast = features(engine, "starosta_districts", "t-paths-poly-fast")
    assert fast == features(engine, "starosta_districts", "t-paths-poly-slow")
    assert [r[1] for r in fast] == [HREBINKA, HREBINKA]


def _index_definitions(engine, table):
    with engine.connect() as c:
        return sorted(tuple(r) for r in c.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :t"), {"t": table}))


def _hub_file(tmp_path, engine, name, n, seed):
    pts = inside(engine, ORZHYTSIA, n, seed=seed)
    path = tmp_path / f"{name}.geojson"
    pyogrio.write_dataframe(frame([{"code": f"{name}-{i}", "name": f"Хаб {i}"} for i in range(n)],
                                  [shapely.Point(p) for p in pts]), path)
    return path


def test_large_import_builds_the_indexes_again(engine, tmp_path, monkeypatch):
    """Into a table holding fewer rows than the file, the secondary indexes are dropped before the
    INSERT and built again after it (the threshold is lowered here; it is 10 000 rows), with the
    same definitions; a rejected import leaves them as they were."""
    monkeypatch.setattr(ingest_load, "REBUILD_INDEXES_FROM", 1)
    before = _index_definitions(engine, "it_hubs")
    assert len(before) >= 4
    with engine.connect() as c:
        existing = c.execute(text("SELECT count(*) FROM it_hubs")).scalar_one()
    rep = run(engine, "it_hubs", _hub_file(tmp_path, engine, "hubs", existing + 5, 71), source="t-paths-hubs")
    assert rep.inserted == existing + 5 and "indexes built again" in rep.seconds
    assert _index_definitions(engine, "it_hubs") == before
    with engine.connect() as c:
        # the rebuilt indexes are used and complete
        found = c.execute(text("SELECT count(*) FROM it_hubs WHERE hromada = :h AND source = 't-paths-hubs'"),
                          {"h": ORZHYTSIA}).scalar_one()
    assert found == existing + 5

    bad = _hub_file(tmp_path, engine, "hubs-bad", existing + 20, 72)
    gdf = pyogrio.read_dataframe(bad)
    gdf.loc[3, "name"] = None                                           # a required field left empty
    pyogrio.write_dataframe(gdf, bad)
    rep = rejected(engine, "it_hubs", bad, source="t-paths-hubs-bad")
    assert [(r.row, r.field) for r in rep.rejections] == [(4, "name")]
    assert _index_definitions(engine, "it_hubs") == before


def _primary_key_oid(engine, table):
    with engine.connect() as c:
        return c.execute(text("SELECT conindid FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
                              "AND contype = 'p'"), {"t": table}).scalar_one()


def test_large_import_builds_the_primary_key_again_unless_something_depends_on_it(engine, tmp_path, monkeypatch):
    """The primary key is dropped with the secondary indexes and added again after the INSERT (a new
    index, the same definition, ids still unique); while a foreign key depends on it, it is kept and
    the import still rebuilds the other indexes."""
    monkeypatch.setattr(ingest_load, "REBUILD_INDEXES_FROM", 1)
    before, key = _index_definitions(engine, "it_hubs"), _primary_key_oid(engine, "it_hubs")
    with engine.connect() as c:
        existing = c.execute(text("SELECT count(*) FROM it_hubs")).scalar_one()
    rep = run(engine, "it_hubs", _hub_file(tmp_path, engine, "pk", existing + 5, 76), source="t-paths-pk")
    assert rep.inserted == existing + 5 and "indexes built again" in rep.seconds
    assert _index_definitions(engine, "it_hubs") == before and _primary_key_oid(engine, "it_hubs") != key
    with pytest.raises(IntegrityError, match="pk_it_hubs"), engine.begin() as c:
        c.execute(text("INSERT INTO it_hubs (id, hromada, name, geom) SELECT id, hromada, name, geom "
                       "FROM it_hubs WHERE source = 't-paths-pk' LIMIT 1"))

    key = _primary_key_oid(engine, "it_hubs")
    with engine.begin() as c:  # a foreign key onto it_hubs.id
        c.execute(text("CREATE TABLE t_hub_visit (hub uuid REFERENCES it_hubs (id))"))
        existing = c.execute(text("SELECT count(*) FROM it_hubs")).scalar_one()
    try:
        rep = run(engine, "it_hubs", _hub_file(tmp_path, engine, "pk-kept", existing + 5, 77), source="t-paths-pk")
    finally:
        with engine.begin() as c:
            c.execute(text("DROP TABLE t_hub_visit"))
    assert rep.inserted == existing + 5 and "indexes built again" in rep.seconds
    assert _primary_key_oid(engine, "it_hubs") == key and _index_definitions(engine, "it_hubs") == before


def test_busy_table_keeps_its_indexes(engine, tmp_path, monkeypatch):
    """Another transaction reading the table: the import does not wait for it to drop the indexes,
    it inserts with the indexes in place, and everything is loaded."""
    monkeypatch.setattr(ingest_load, "REBUILD_INDEXES_FROM", 1)
    monkeypatch.setattr(ingest_load, "REBUILD_LOCK_TIMEOUT", "300ms")
    before = _index_definitions(engine, "it_hubs")
    with engine.connect() as c:
        existing = c.execute(text("SELECT count(*) FROM it_hubs")).scalar_one()
    path = _hub_file(tmp_path, engine, "busy", existing + 5, 73)
    reader_has_lock, release = threading.Event(), threading.Event()

    def reader():
        with engine.connect() as c, c.begin():
            c.execute(text("SELECT count(*) FROM it_hubs")).scalar_one()  # holds ACCESS SHARE until commit
            reader_has_lock.set()
            release.wait(30)

    t = threading.Thread(target=reader)
    t.start()
    try:
        assert reader_has_lock.wait(10)
        t0 = time.perf_counter()
        rep = run(engine, "it_hubs", path, source="t-paths-busy")
        waited = time.perf_counter() - t0
    finally:
        release.set()
        t.join()
    assert rep.inserted == existing + 5 and "indexes built again" not in rep.seconds
    assert waited < 20
    assert _index_definitions(engine, "it_hubs") == before


@pytest.mark.parametrize("fast", [True, False])
def test_both_paths_leave_nothing_on_dry_run(engine, tmp_path, fast):
    path = _hub_file(tmp_path, engine, f"dry-{fast}", 3, 74)
    rep = run(engine, "it_hubs", path, dry_run=True, fast=fast, source=f"t-paths-dry-{fast}")
    assert (rep.status, rep.inserted) == ("dry-run", 3)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM it_hubs WHERE source = :s"),
                         {"s": f"t-paths-dry-{fast}"}).scalar_one() == 0


def test_rows_are_stamped_alike_with_or_without_the_trigger_call(engine):
    """The BEFORE INSERT trigger is skipped only for rows that already carry what it would give them
    (the fast import's INSERT sets them); any other insert is still stamped by it."""
    (x, y), = inside(engine, ORZHYTSIA, 1, seed=75)
    insert = text("""INSERT INTO it_hubs (hromada, name, geom, source, version, created_at, updated_at, updated_by)
                     VALUES (:h, :name, ST_SetSRID(ST_MakePoint(:x, :y), 4326), 't-paths-stamp', :version,
                             CAST(:created AS timestamptz), now(), :by)
                     RETURNING version, created_at = now(), updated_at = now(), updated_by""")
    with engine.begin() as c:
        c.execute(text("SELECT set_config('gisplan.user', 'stamp-test', true)"))
        forged = c.execute(insert, {"h": ORZHYTSIA, "name": "підроблене", "x": x, "y": y, "version": 7,
                                    "created": "2001-01-01", "by": None}).one()
        bulk = c.execute(text(insert.text.replace("CAST(:created AS timestamptz)", "now()")),
                         {"h": ORZHYTSIA, "name": "як імпорт", "x": x, "y": y, "version": 1,
                          "by": "stamp-test"}).one()
    assert tuple(forged) == (1, True, True, "stamp-test")
    assert tuple(bulk) == (1, True, True, "stamp-test")


# ------------------------------------------------------------------ the layer table's write cost (issue 4 benchmark)
AWKWARD_CODES = [
    "UA53040110000034949", "UA5304011000003494", "UA530401100000349490", "ua53040110000034949",
    "UA53040110000034949\n", " UA53040110000034949", "UA5304011000003494 ", "UA530401100000349é",
    "UA530401100000349٤9", "UA５3040110000034949", "UAUA040110000034949", "XUA3040110000034949",
    "UA", "", "UA-3040110000034949", "UA5304011000003494\t",
]


def test_katottg_check_accepts_exactly_what_the_regular_expression_does(engine):
    """The layer tables' КАТОТТГ checks (written without a regular expression since migration 0013)
    agree with ``~ '^UA[0-9]{17}$'`` on awkward values, and the database still refuses a bad code
    written by anyone."""
    from gisplan.db.layer_tables import katottg_check

    with engine.connect() as c:
        rows = c.execute(text(f"SELECT v, v ~ '^UA[0-9]{{17}}$', {katottg_check('v')} "
                              "FROM unnest(CAST(:values AS text[])) AS t(v)"), {"values": AWKWARD_CODES}).all()
        assert [(v, a) for v, a, _ in rows] == [(v, b) for v, _, b in rows]
        assert sum(a for _, a, _ in rows) == 1
        assert c.execute(text(f"SELECT {katottg_check('CAST(NULL AS text)')}")).scalar_one() is None
    (x, y), = inside(engine, ORZHYTSIA, 1, seed=81)
    for column, value in (("hromada", "UA5304007000008309"), ("katottg", "UA530400700000830９9")):
        with pytest.raises(IntegrityError, match=f"ck_it_hubs_{column}_format"), engine.begin() as c:
            values = {"hromada": ORZHYTSIA, "katottg": None, column: value}
            c.execute(text("INSERT INTO it_hubs (hromada, katottg, name, geom) VALUES "
                           "(:hromada, :katottg, 'x', ST_SetSRID(ST_MakePoint(:x, :y), 4326))"),
                      {**values, "x": x, "y": y})


def test_no_separate_hromada_index_and_searches_by_hromada_use_the_code_index(engine):
    with engine.connect() as c:
        names = c.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'shelters'")).scalars().all()
        c.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(c.execute(text("EXPLAIN SELECT id FROM shelters WHERE hromada = :h"), {"h": KHOROL}).scalars())
    assert "ix_shelters_hromada" not in names and "ix_shelters_code" in plan, plan


@pytest.mark.parametrize("layer", ["shelters", "starosta_districts"])
def test_binary_and_text_copy_stage_the_same_values(engine, tmp_path, monkeypatch, layer):
    """Staging by binary COPY (raw WKB geometry) and by the text format load the same features:
    awkward text, numbers, booleans, dates, lists, points and polygons."""
    from gisplan.ingest import validate

    pts = inside(engine, PYRIATYN, 3, seed=82)
    awkward = ["таб\tі\\зворотна коса", "рядок\nдругий\rкінець", "лапки \"' і ; кома, 'N'"]
    if layer == "shelters":
        rows = [{"name": awkward[i], "kind": ("сховище", "ПРУ", "найпростіше укриття")[i],
                 "capacity": [0, 7, None][i], "area_m2": [0.1, 1e-7, 123456.789][i],
                 "accessible": ["так", None, "ні"][i], "last_verified": ["2024-02-29", None, "01.05.2023"][i],
                 "notes": [None, "\\N", ""][i]}
                for i in range(3)]
        geoms = [shapely.Point(p) for p in pts]
        columns = "name, kind, capacity, area_m2, accessible, last_verified, notes"
    else:
        lists = ["с. Перше; с. Друге", None, "[\"с. Третє\", \"\\\\\"]"]  # ; or a JSON list (a backslash)
        rows = [{"name": awkward[i], "settlements": lists[i]} for i in range(3)]
        geoms = [shapely.box(x, y, x + 0.005, y + 0.003) for x, y in pts]
        columns = "name, settlements"
    loaded = {}
    for binary in (True, False):
        monkeypatch.setattr(validate, "BINARY_COPY", binary)
        source = f"t-copy-{layer}-{binary}"
        path = tmp_path / f"{source}.geojson"
        coded = [{"code": f"C{binary:d}-{i}", **r} for i, r in enumerate(rows)]
        pyogrio.write_dataframe(frame(coded, geoms), path)
        assert run(engine, layer, path, source=source).inserted == 3
        with engine.connect() as c:
            loaded[binary] = [tuple(r) for r in c.execute(text(
                f"SELECT substr(code, 4), hromada, {columns}, ST_AsEWKB(geom) FROM \"{layer}\" "
                "WHERE source = :s ORDER BY code"), {"s": source})]
    assert loaded[True] == loaded[False]
    assert [r[2] for r in loaded[True]] == awkward
    assert {r[1] for r in loaded[True]} == {PYRIATYN}

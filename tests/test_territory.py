"""The КАТОТТГ codifier: parsing the shipped file (no database) and loading it into ``territory``.

Database tests live in :class:`TestWithEngine` and use the session ``engine`` fixture; each runs
in a transaction that is rolled back, so the shared test database is left as it was. Select the pure
tests alone with ``-k "not engine"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from gisplan.db.models import import_log, territory
from gisplan.territory import (
    CodifierError, Rejection, category_cyrillic, edition_from_name, hromada, load_codifier,
    normalize_category, read_codifier, settlements_of,
)

CODIFIER = Path(__file__).resolve().parents[1] / "data" / "katottg" / "kodifikator-16-05-2025.csv"

BALAKLIIA = "UA63040010000010092"      # Балаклійська міська громада, Харківська обл.
KHMILNYK = "UA05120170000013778"       # Хмільницька міська громада, Вінницька обл.
KREMENCHUK = "UA53020110000092487"     # Кременчуцька міська громада, Полтавська обл.
KYIV = "UA80000000000093317"

HEADER = ("Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;"
          "Категорія об’єкта;Назва об’єкта")
OBLAST = "UA63000000000041885;;;;;O;Харківська"
RAION = "UA63000000000041885;UA63040000000023521;;;;P;Ізюмський"
HROMADA = "UA63000000000041885;UA63040000000023521;UA63040010000010092;;;H;Балаклійська"
TOWN = "UA63000000000041885;UA63040000000023521;UA63040010000010092;UA63040010010039074;;M;Балаклія"
VILLAGE = ("UA63000000000041885;UA63040000000023521;UA63040010000010092;UA63040010020071209;;"
           "C;Асіївка")


def write_csv(path: Path, lines: list[str], header: str = HEADER, bom: bool = False) -> Path:
    text_ = ("\ufeff" if bom else "") + "\r\n".join([header, *lines]) + "\r\n"
    path.write_text(text_, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the shipped codifier

@pytest.fixture(scope="module")
def codifier():
    return read_codifier(CODIFIER)


def test_shipped_codifier_counts(codifier):
    assert codifier.rows_read == 31_748
    assert len(codifier.rows) == 31_748
    assert codifier.rejections == []
    assert codifier.edition == dt.date(2025, 5, 16)
    assert codifier.source == "kodifikator-16-05-2025.csv"
    assert codifier.category_counts() == {
        "O": 25, "K": 2, "P": 136, "H": 1772, "M": 461, "X": 2007, "C": 27_237, "B": 108,
    }


def test_shipped_codifier_levels_and_codes(codifier):
    levels = Counter(r.level for r in codifier.rows)
    assert levels == {1: 27, 2: 136, 3: 1772, 4: 461 + 2007 + 27_237, 5: 108}
    codes = [r.code for r in codifier.rows]
    assert len(set(codes)) == len(codes)
    known = set(codes)
    assert all(r.parent_code in known for r in codifier.rows if r.parent_code)
    assert all(r.name == r.name.strip() and r.name for r in codifier.rows)  # trailing blanks gone


@pytest.mark.parametrize("code, count", [(BALAKLIIA, 37), (KHMILNYK, 42), (KREMENCHUK, 5)])
def test_settlements_per_hromada(codifier, code, count):
    settlements = [r for r in codifier.rows if r.hromada_code == code and r.level == 4]
    assert len(settlements) == count
    assert {r.category for r in settlements} <= {"M", "T", "X", "C"}
    assert all(r.parent_code == code for r in settlements)


def test_kremenchuk_is_a_hromada(codifier):
    by_code = {r.code: r for r in codifier.rows}
    h = by_code[KREMENCHUK]
    assert (h.category, h.level, h.name) == ("H", 3, "Кременчуцька")
    assert h.hromada_code == KREMENCHUK and h.raion_code == h.parent_code == "UA53020000000034761"
    assert h.oblast_code == "UA53000000000028050"
    district = by_code["UA53020110010112104"]  # Автозаводський район у м. Кременчук
    assert (district.level, district.category) == (5, "B")
    assert district.parent_code == "UA53020110010031694"  # the city Кременчук


def test_repeated_level_codes_mean_no_such_level(codifier):
    by_code = {r.code: r for r in codifier.rows}
    kyiv = by_code[KYIV]
    assert (kyiv.level, kyiv.category, kyiv.parent_code) == (1, "K", None)
    holosiiv = by_code["UA80000000000126643"]  # a Kyiv district: levels 1-4 all repeat Kyiv's code
    assert (holosiiv.level, holosiiv.parent_code, holosiiv.oblast_code) == (5, KYIV, KYIV)
    assert holosiiv.raion_code is None and holosiiv.hromada_code is None
    pripiat = by_code["UA32000000010085013"]  # Прип’ять: no raion and no hromada
    assert (pripiat.level, pripiat.parent_code) == (4, "UA32000000000030281")
    assert pripiat.raion_code is None and pripiat.hromada_code is None


# ---------------------------------------------------------------- categories

CYRILLIC = "ОКРНМТСХВ"
LATIN = "OKPHMTCXB"


def test_normalize_category_examples():
    assert normalize_category("Н") == "H"
    assert normalize_category("H") == "H"
    assert normalize_category(" с ") == "C"


@pytest.mark.parametrize("cyr, lat", list(zip(CYRILLIC, LATIN)))
def test_category_round_trip(cyr, lat):
    assert cyr != lat  # really different code points
    assert normalize_category(cyr) == lat
    assert normalize_category(lat) == lat
    assert category_cyrillic(lat) == cyr
    assert category_cyrillic(cyr) == cyr
    assert normalize_category(category_cyrillic(lat)) == lat


@pytest.mark.parametrize("bad", ["Z", "Ж", "", "OK", "1"])
def test_unknown_category_names_the_value(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        normalize_category(bad)


def test_category_none_is_rejected():
    with pytest.raises(ValueError, match="None"):
        normalize_category(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- small files

def test_bad_code_is_rejected_not_dropped(tmp_path):
    bad = "UA63000000000041885;UA63040000000023521;UA630400100;;;H;Балаклійська"
    path = write_csv(tmp_path / "kodifikator-16-05-2025.csv", [OBLAST, RAION, bad, TOWN])
    result = read_codifier(path)
    assert result.rows_read == 4
    assert len(result.rows) == 3
    assert result.rows_read == len(result.rows) + len(result.rejections)
    [rej] = result.rejections
    assert isinstance(rej, Rejection) and rej.row == 4 and rej.field == "Третій рівень"
    assert "UA630400100" in rej.reason
    row, field, reason = rej  # a plain (row_number, field, reason) tuple too
    assert (row, field) == (4, "Третій рівень")


def test_other_rejections(tmp_path):
    lines = [
        OBLAST,
        "UA63000000000041885;;;;;Z;Харківська 2",                     # row 3: category
        "UA63000000000041885;;UA63040010000010092;;;H;Балаклійська",  # row 4: gap at level 2
        RAION.replace("Ізюмський", "   "),                            # row 5: empty name
        OBLAST,                                                       # row 6: duplicate
        "UA63000000000041885;;;",                                     # row 7: too few fields
        "",                                                           # blank: skipped, not counted
        RAION,                                                        # row 9
    ]
    result = read_codifier(write_csv(tmp_path / "kodifikator-16-05-2025.csv", lines))
    assert [r.code for r in result.rows] == ["UA63000000000041885", "UA63040000000023521"]
    assert [(r.row, r.field) for r in result.rejections] == [
        (3, "Категорія об’єкта"), (4, "Другий рівень"), (5, "Назва об’єкта"),
        (6, "Перший рівень"), (7, "row"),
    ]
    assert "'Z'" in result.rejections[0].reason
    assert "first on row 2" in result.rejections[3].reason
    assert result.rows_read == 7 == len(result.rows) + len(result.rejections)


def test_cyrillic_categories_bom_and_apostrophe_variants(tmp_path):
    header = HEADER.replace("’", "'")  # ASCII apostrophe in the header
    lines = [OBLAST.replace(";O;", ";О;"), HROMADA.replace(";H;", ";Н;"),
             RAION.replace(";P;", ";Р;")]  # Cyrillic О, Н, Р
    path = write_csv(tmp_path / "kodifikator-01-02-2026.csv", lines, header, bom=True)
    result = read_codifier(path)
    assert result.rejections == []
    assert [r.category for r in result.rows] == ["O", "H", "P"]
    assert result.edition == dt.date(2026, 2, 1)


def test_not_a_codifier(tmp_path):
    path = write_csv(tmp_path / "kodifikator-16-05-2025.csv", [OBLAST], header="a;b;c")
    with pytest.raises(CodifierError, match="Категорія об’єкта"):
        read_codifier(path)


def test_edition_from_file_name(tmp_path):
    assert edition_from_name("kodifikator-16-05-2025.csv") == dt.date(2025, 5, 16)
    assert edition_from_name(Path("/x/y/kodifikator-01-12-2024.csv")) == dt.date(2024, 12, 1)
    with pytest.raises(CodifierError, match="no edition date"):
        edition_from_name("codifier.csv")
    with pytest.raises(CodifierError, match="not a valid date"):
        edition_from_name("kodifikator-31-02-2025.csv")
    path = write_csv(tmp_path / "codifier.csv", [OBLAST])
    with pytest.raises(CodifierError):
        read_codifier(path)
    assert read_codifier(path, edition="2025-05-16").edition == dt.date(2025, 5, 16)
    assert read_codifier(path, edition=dt.date(2024, 1, 19)).edition == dt.date(2024, 1, 19)
    named = write_csv(tmp_path / "kodifikator-16-05-2025.csv", [OBLAST])
    assert read_codifier(named, edition=dt.date(2026, 1, 1)).edition == dt.date(2026, 1, 1)


# ---------------------------------------------------------------- database

@pytest.fixture
def db(engine):
    """A connection inside a transaction rolled back at the end, on an empty ``territory``."""
    with engine.connect() as conn:
        outer = conn.begin()
        conn.execute(delete(territory))
        try:
            yield conn
        finally:
            outer.rollback()


def _versions(conn) -> dict[str, str]:
    """Each row's tuple identity: an UPDATE always gives the row a new ctid and xmin."""
    return dict(conn.execute(text("SELECT code, xmin::text || ctid::text FROM territory")).all())


def _log(conn, log_id: int):
    return conn.execute(select(import_log).where(import_log.c.id == log_id)).one()


class TestWithEngine:
    def test_load_is_idempotent(self, db):
        first = load_codifier(db, CODIFIER, user="test")
        assert (first.read, first.loaded, first.rejected) == (31_748, 31_748, 0)
        assert (first.inserted, first.updated, first.unchanged) == (31_748, 0, 0)
        assert first.seconds < 15, f"loading took {first.seconds} s: is it batched?"
        assert db.execute(select(func.count()).select_from(territory)).scalar_one() == 31_748
        before = _versions(db)

        second = load_codifier(db, CODIFIER)
        assert (second.inserted, second.updated, second.changed) == (0, 0, 0)
        assert second.unchanged == 31_748
        assert _versions(db) == before

    def test_queries(self, db):
        load_codifier(db, CODIFIER)
        balakliia = settlements_of(db, BALAKLIIA)
        assert len(balakliia) == 37
        assert balakliia[0].name == "Балаклія" and balakliia[0].category == "M"
        assert len(settlements_of(db, KHMILNYK)) == 42
        h = hromada(db, KREMENCHUK)
        assert (h.name, h.category, h.level) == ("Кременчуцька", "H", 3)
        assert h.edition == dt.date(2025, 5, 16)
        assert hromada(db, KYIV) is None                      # level 1, not a hromada
        assert hromada(db, "UA99999999999999999") is None
        assert settlements_of(db, "UA99999999999999999") == []
        with pytest.raises(ValueError, match="not a КАТОТТГ code"):
            hromada(db, "Балаклійська")

    def test_import_log_equation(self, db, tmp_path):
        bad = VILLAGE.replace("UA63040010020071209", "UA6304001002007120X")
        lines = [OBLAST, RAION, HROMADA, TOWN, bad]
        path = write_csv(tmp_path / "kodifikator-16-05-2025.csv", lines)
        report = load_codifier(db, path)
        assert (report.read, report.loaded, report.rejected) == (5, 4, 1)
        assert report.rejections == [Rejection(6, "Четвертий рівень", report.rejections[0].reason)]
        log = _log(db, report.import_log_id)
        assert log.source == "kodifikator-16-05-2025.csv" and log.layer is None
        assert log.rows_read == log.rows_loaded + log.rows_rejected == 5
        assert (log.rows_loaded, log.rows_rejected, log.status) == (4, 1, "partial")
        assert log.finished_at >= log.started_at
        [rej] = log.report["rejections"]
        assert (rej["row"], rej["field"]) == (6, "Четвертий рівень")
        assert log.report["edition"] == "2025-05-16" and log.report["inserted"] == 4

    def test_newer_edition_updates_and_older_does_not(self, db, tmp_path):
        old = write_csv(tmp_path / "kodifikator-16-05-2025.csv", [OBLAST, RAION, HROMADA, TOWN])
        renamed = HROMADA.replace("Балаклійська", "Балаклійська нова").replace(";H;", ";Н;")
        new_dir = tmp_path / "new"
        new_dir.mkdir()
        new = write_csv(new_dir / "kodifikator-01-01-2026.csv", [OBLAST, RAION, renamed, VILLAGE])
        load_codifier(db, old)

        report = load_codifier(db, new)
        assert (report.inserted, report.updated, report.unchanged) == (1, 3, 0)
        assert report.stale == 1  # Балаклія is not in the new (test) edition; kept, not deleted
        h = hromada(db, BALAKLIIA)
        assert (h.name, h.category, h.edition) == ("Балаклійська нова", "H", dt.date(2026, 1, 1))

        again = load_codifier(db, old)  # an older edition never overwrites a newer one
        assert again.changed == 0
        assert hromada(db, BALAKLIIA).name == "Балаклійська нова"

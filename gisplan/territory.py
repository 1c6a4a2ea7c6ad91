"""The КАТОТТГ codifier: read the official CSV, load it into ``territory``, query it.

The codifier (Кодифікатор адміністративно-територіальних одиниць та територій територіальних
громад) is published as a ``;``-separated CSV, one row per unit, with the codes of its ancestors:

    Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;…
    UA63000000000041885;UA63040000000023521;UA63040010000010092;;;H;Балаклійська

(the last two columns are «Категорія об’єкта» and «Назва об’єкта»).

A row's own code is its deepest non-empty level column; its level (1 oblast or special-status city,
2 raion, 3 hromada, 4 settlement, 5 city district) is that column's position, and its parent is the
nearest shallower column holding another code.

Two quirks of the official file are handled here:

* Kyiv and Sevastopol (category K, level 1) repeat their own code in levels 2–4 of their districts,
  and Прип’ять and Чорнобиль repeat the Kyiv oblast code in levels 2–3 (they belong to no raion or
  hromada). A level column that repeats a shallower one means "no unit at this level":
  ``raion_code``/``hromada_code`` are NULL there and the parent is the repeated code.
* Category letters come in Cyrillic or in their Latin look-alikes; they are stored as Latin
  (:func:`normalize_category`), as the ``territory.category`` check constraint requires.

Rows that cannot be loaded are never dropped silently: each becomes a :class:`Rejection`
``(row, field, reason)`` and ``rows_read == loaded + rejected`` always holds. Row numbers are those
of a spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Sequence

import psycopg
from sqlalchemy import (
    Boolean, Connection, Row, and_, column, func, literal_column, or_, select, table, text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .db.models import import_log, territory
from .errors import GisplanError

__all__ = [
    "CATEGORIES", "CodifierError", "CodifierResult", "LoadReport", "Rejection", "TerritoryRow",
    "category_cyrillic", "edition_from_name", "find_codifier", "hromada", "is_katottg",
    "load_codifier", "normalize_category", "read_codifier", "settlements_of",
]

CODE_RE = re.compile(r"UA[0-9]{17}")  # not \d: that would accept non-ASCII digits

# Cyrillic category letter → its Latin look-alike (the form stored in the database).
_CYRILLIC_TO_LATIN = {
    "О": "O", "К": "K", "Р": "P", "Н": "H", "М": "M", "Т": "T", "С": "C", "Х": "X", "В": "B",
}
_LATIN_TO_CYRILLIC = {lat: cyr for cyr, lat in _CYRILLIC_TO_LATIN.items()}

CATEGORIES: dict[str, dict[str, str]] = {
    "O": {"uk": "область або Автономна Республіка Крим",
          "en": "oblast or Autonomous Republic of Crimea"},
    "K": {"uk": "місто, що має спеціальний статус", "en": "city with special status"},
    "P": {"uk": "район", "en": "raion"},
    "H": {"uk": "територія територіальної громади", "en": "territorial community (hromada)"},
    "M": {"uk": "місто", "en": "city"},
    "T": {"uk": "селище міського типу", "en": "urban-type settlement"},
    "C": {"uk": "село", "en": "village"},
    "X": {"uk": "селище", "en": "rural settlement (selyshche)"},
    "B": {"uk": "район у місті", "en": "city district"},
}

# Header names, compared after folding apostrophe variants and case (see _fold).
LEVEL_COLUMNS = ("Перший рівень", "Другий рівень", "Третій рівень", "Четвертий рівень",
                 "Додатковий рівень")
CATEGORY_COLUMN = "Категорія об’єкта"
NAME_COLUMN = "Назва об’єкта"

_APOSTROPHES = str.maketrans({c: "’" for c in "'ʼ`‘′´"})
_EDITION_RE = re.compile(r"(\d{2})[-._](\d{2})[-._](\d{4})")


class CodifierError(GisplanError):
    """The codifier file as a whole is unusable (missing, wrong columns, no edition date)."""


class Rejection(NamedTuple):
    """A row that was not loaded: spreadsheet row number, the column at fault, why."""

    row: int
    field: str
    reason: str


class TerritoryRow(NamedTuple):
    code: str
    level: int
    category: str
    name: str
    parent_code: str | None
    oblast_code: str | None
    raion_code: str | None
    hromada_code: str | None


@dataclass
class CodifierResult:
    source: str
    edition: dt.date
    rows: list[TerritoryRow]
    rejections: list[Rejection]
    rows_read: int

    def category_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r.category] = counts.get(r.category, 0) + 1
        return counts


@dataclass
class LoadReport:
    """What :func:`load_codifier` did. ``read == loaded + rejected``; ``loaded`` rows split into
    ``inserted`` (new codes), ``updated`` (a column changed — a newer edition re-stamps ``edition``
    on every row it contains, so then all its known codes count as updated) and ``unchanged``."""

    source: str
    edition: dt.date
    read: int
    loaded: int
    rejected: int
    inserted: int
    updated: int
    unchanged: int
    stale: int  # codes in the table that are older than this edition (absent from this file)
    seconds: float
    import_log_id: int
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


# ---------------------------------------------------------------- categories and codes

def normalize_category(letter: str) -> str:
    """The Latin category letter for a Cyrillic or Latin one (``'Н'`` → ``'H'``).

    Surrounding blanks and lower case are tolerated; anything else raises :class:`ValueError`.
    """
    value = letter.strip().upper() if isinstance(letter, str) else letter
    if isinstance(value, str):
        if value in _LATIN_TO_CYRILLIC:
            return value
        if value in _CYRILLIC_TO_LATIN:
            return _CYRILLIC_TO_LATIN[value]
    raise ValueError(
        f"unknown КАТОТТГ category {letter!r}: expected one of "
        f"{', '.join(_LATIN_TO_CYRILLIC)} (Latin or Cyrillic)"
    )


def category_cyrillic(letter: str) -> str:
    """The Cyrillic form of a category letter, as printed in the official codifier text."""
    return _LATIN_TO_CYRILLIC[normalize_category(letter)]


def is_katottg(code: object) -> bool:
    return isinstance(code, str) and CODE_RE.fullmatch(code) is not None


def _check_code(code: str) -> str:
    if not is_katottg(code):
        raise ValueError(f"{code!r} is not a КАТОТТГ code (UA followed by 17 digits)")
    return code


# ---------------------------------------------------------------- reading the CSV

def edition_from_name(path: str | Path) -> dt.date:
    """The edition date in a file name such as ``kodifikator-16-05-2025.csv`` (DD-MM-YYYY)."""
    name = Path(path).name
    m = _EDITION_RE.search(name)
    if not m:
        raise CodifierError(
            f"{name}: no edition date in the file name (expected kodifikator-DD-MM-YYYY.csv): "
            f"rename the file or pass the edition explicitly"
        )
    day, month, year = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CodifierError(f"{name}: {m.group(0)} is not a valid date ({exc})") from None


def _as_date(edition: dt.date | str) -> dt.date:
    if isinstance(edition, dt.datetime):
        return edition.date()
    if isinstance(edition, dt.date):
        return edition
    try:
        return dt.date.fromisoformat(str(edition))
    except ValueError:
        raise CodifierError(f"edition {edition!r} is not a date (YYYY-MM-DD)") from None


def _fold(header: str) -> str:
    return " ".join(header.translate(_APOSTROPHES).split()).casefold()


def _column_indexes(header: Sequence[str], source: str) -> tuple[list[int], int, int]:
    folded = [_fold(h.lstrip("\ufeff")) for h in header]
    wanted = [*LEVEL_COLUMNS, CATEGORY_COLUMN, NAME_COLUMN]
    missing = [w for w in wanted if _fold(w) not in folded]
    if missing:
        raise CodifierError(
            f"{source}: not a КАТОТТГ codifier: column(s) {', '.join(missing)} missing "
            f"(header: {'; '.join(header) or 'empty'})"
        )
    idx = [folded.index(_fold(w)) for w in wanted]
    return idx[:5], idx[5], idx[6]


def _parse_record(
    rec: list[str], level_idx: list[int], cat_idx: int, name_idx: int, width: int,
) -> TerritoryRow | tuple[str, str]:
    """A row, or ``(field, reason)`` for the first problem found."""
    needed = max(*level_idx, cat_idx, name_idx) + 1
    if len(rec) < needed:
        return "row", f"{len(rec)} fields, expected {width} (is the separator ';'?)"
    if len(rec) > width and any(v.strip() for v in rec[width:]):
        return "row", f"{len(rec)} fields, expected {width} (an unquoted ';' in a name?)"

    cols = [rec[i].strip() for i in level_idx]
    filled = [i for i, v in enumerate(cols) if v]
    if not filled:
        return LEVEL_COLUMNS[0], "no code in any level column"
    for i, v in enumerate(cols):
        if v and not CODE_RE.fullmatch(v):
            return LEVEL_COLUMNS[i], f"{v!r} is not a КАТОТТГ code (UA followed by 17 digits)"
    deepest = filled[-1]
    for i in range(deepest):
        if not cols[i]:
            return LEVEL_COLUMNS[i], f"empty while {LEVEL_COLUMNS[deepest]} is filled"

    code = cols[deepest]
    parent = next((cols[i] for i in range(deepest - 1, -1, -1) if cols[i] != code), None)
    # A column repeating a shallower one means "no unit at this level" (Kyiv, Sevastopol, Прип’ять).
    oblast = cols[0]
    raion = cols[1] if cols[1] and cols[1] != oblast else None
    hromada_ = cols[2] if cols[2] and cols[2] not in (oblast, cols[1]) else None

    try:
        category = normalize_category(rec[cat_idx])
    except ValueError as exc:
        return CATEGORY_COLUMN, str(exc)
    name = " ".join(rec[name_idx].split())
    if not name:
        return NAME_COLUMN, "empty name"
    return TerritoryRow(code, deepest + 1, category, name, parent, oblast, raion, hromada_)


def read_codifier(path: str | Path, edition: dt.date | str | None = None) -> CodifierResult:
    """Parse the official codifier CSV (``;``-separated, UTF-8 with or without BOM).

    ``edition`` defaults to the date in the file name. Wholly blank lines are skipped and not
    counted; every other data row is either in ``rows`` or in ``rejections`` (one per row: the
    first problem found, a duplicate code included).
    """
    path = Path(path)
    source = path.name
    edition_date = _as_date(edition) if edition is not None else edition_from_name(path)
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CodifierError(f"{path}: cannot open the codifier: {exc.strerror}") from None
    rows: list[TerritoryRow] = []
    rejections: list[Rejection] = []
    first_row_of: dict[str, int] = {}
    read = 0
    with fh:
        reader = csv.reader(fh, delimiter=";")
        try:
            header = next(reader, [])
            level_idx, cat_idx, name_idx = _column_indexes(header, source)
            width = len(header)
            for number, rec in enumerate(reader, start=2):
                if not any(v.strip() for v in rec):
                    continue
                read += 1
                parsed = _parse_record(rec, level_idx, cat_idx, name_idx, width)
                if not isinstance(parsed, TerritoryRow):
                    rejections.append(Rejection(number, *parsed))
                    continue
                first = first_row_of.setdefault(parsed.code, number)
                if first != number:
                    rejections.append(Rejection(
                        number, LEVEL_COLUMNS[parsed.level - 1],
                        f"duplicate code {parsed.code} (first on row {first})",
                    ))
                    continue
                rows.append(parsed)
        except UnicodeDecodeError as exc:
            raise CodifierError(f"{path}: not UTF-8 text ({exc.reason}): save it as UTF-8") \
                from None
        except csv.Error as exc:
            raise CodifierError(f"{path}: unreadable CSV: {exc}") from None
    return CodifierResult(source, edition_date, rows, rejections, read)


def find_codifier(data_dir: str | Path | None = None) -> Path:
    """The newest ``katottg/kodifikator-*.csv`` shipped in the data folder."""
    if data_dir is None:
        from .settings import path_settings

        data_dir = path_settings().data_dir
    folder = Path(data_dir) / "katottg"
    found = []
    for p in folder.glob("kodifikator-*.csv"):
        try:
            found.append((edition_from_name(p), p))
        except CodifierError:
            continue
    if not found:
        raise CodifierError(f"no kodifikator-DD-MM-YYYY.csv in {folder}")
    return max(found)[1]


# ---------------------------------------------------------------- loading

_COLUMNS = ("code", "level", "category", "name", "parent_code", "oblast_code", "raion_code",
            "hromada_code", "edition")
_STAGE = "territory_load"
# The staging table: same columns and NOT NULLs as territory, no constraints, gone at commit.
_staged = table(_STAGE, *(column(c) for c in _COLUMNS))


def _upsert_statement():
    """``INSERT INTO territory SELECT … FROM territory_load ON CONFLICT (code) DO UPDATE`` only
    when something changed and the incoming edition is not older than the stored one, wrapped in
    a CTE that counts inserts (``xmax = 0``) and updates. Rows left alone are not written at all,
    so a second load of the same edition creates no new row versions."""
    stmt = pg_insert(territory).from_select(list(_COLUMNS), select(*_staged.c))
    ex = stmt.excluded
    changed = or_(*(territory.c[c].is_distinct_from(ex[c]) for c in _COLUMNS[1:]))
    upsert = stmt.on_conflict_do_update(
        index_elements=[territory.c.code],
        set_={c: ex[c] for c in _COLUMNS[1:]},
        where=and_(territory.c.edition <= ex.edition, changed),
    ).returning(literal_column("(xmax = 0)", Boolean).label("inserted"))
    done = upsert.cte("done")
    return select(
        func.count().filter(done.c.inserted).label("inserted"),
        func.count().filter(~done.c.inserted).label("updated"),
    )


def _stage_rows(conn: Connection, result: CodifierResult) -> None:
    """Fill the staging table: COPY with psycopg 3 (a fraction of a second for the whole codifier),
    else a plain executemany."""
    conn.execute(text(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}"))
    conn.execute(text(f"CREATE TEMP TABLE {_STAGE} (LIKE territory) ON COMMIT DROP"))
    driver = conn.connection.driver_connection
    rows = ((*r, result.edition) for r in result.rows)
    if isinstance(driver, psycopg.Connection):
        with driver.cursor() as cur:
            with cur.copy(f"COPY {_STAGE} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    elif result.rows:
        conn.execute(_staged.insert(), [dict(zip(_COLUMNS, row)) for row in rows])


def load_codifier(
    conn: Connection,
    path: str | Path,
    edition: dt.date | str | None = None,
    *,
    user: str | None = None,
) -> LoadReport:
    """Load (upsert) a codifier file into ``territory`` and log it in ``import_log``.

    One transaction: if ``conn`` is already in one, a savepoint inside it (the caller commits);
    otherwise a transaction of its own, committed here. Idempotent: loading the same edition again
    changes no row. A newer edition updates names, categories and hierarchy and stamps its edition
    on every row it contains; codes missing from it are kept (counted as ``stale``), and an older
    edition never overwrites a newer one.
    """
    t0 = time.perf_counter()
    result = read_codifier(path, edition)
    tx = conn.begin_nested() if conn.in_transaction() else conn.begin()
    with tx:
        started = conn.execute(select(func.clock_timestamp())).scalar_one()
        _stage_rows(conn, result)
        inserted, updated = conn.execute(_upsert_statement()).one()
        conn.execute(text(f"DROP TABLE pg_temp.{_STAGE}"))
        stale = conn.execute(
            select(func.count()).select_from(territory).where(territory.c.edition < result.edition)
        ).scalar_one()
        loaded = len(result.rows)
        rejected = len(result.rejections)
        log_id = conn.execute(
            import_log.insert().values(
                started_at=started,
                finished_at=func.clock_timestamp(),
                layer=None,
                source=result.source,
                mode="upsert",
                user_name=user,
                rows_read=result.rows_read,
                rows_loaded=loaded,
                rows_rejected=rejected,
                status="ok" if not rejected else "partial",
                report={
                    "kind": "katottg",
                    "edition": result.edition.isoformat(),
                    "inserted": inserted,
                    "updated": updated,
                    "unchanged": loaded - inserted - updated,
                    "stale": stale,
                    "rejections": [r._asdict() for r in result.rejections],
                },
            ).returning(import_log.c.id)
        ).scalar_one()
    return LoadReport(
        source=result.source, edition=result.edition, read=result.rows_read, loaded=loaded,
        rejected=rejected, inserted=inserted, updated=updated,
        unchanged=loaded - inserted - updated, stale=stale,
        seconds=round(time.perf_counter() - t0, 3), import_log_id=log_id,
        rejections=list(result.rejections),
    )


# ---------------------------------------------------------------- queries

def hromada(conn: Connection, code: str) -> Row | None:
    """The hromada (level 3) with this КАТОТТГ code, or None.

    Kyiv and Sevastopol are level-1 units (category K) and are not returned here.
    """
    _check_code(code)
    return conn.execute(
        select(territory).where(territory.c.code == code, territory.c.level == 3)
    ).one_or_none()


def settlements_of(conn: Connection, hromada_code: str) -> list[Row]:
    """The settlements (level 4: cities M, urban-type T, selyshcha X, villages C) of a hromada,
    in codifier order (the administrative centre first)."""
    _check_code(hromada_code)
    return list(conn.execute(
        select(territory)
        .where(territory.c.hromada_code == hromada_code, territory.c.level == 4)
        .order_by(territory.c.code)
    ))

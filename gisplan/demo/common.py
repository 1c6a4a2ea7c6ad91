"""Shared pieces of the demo loaders: the demo громади, the context, the upsert, geometry helpers.

Every loader turns one source (a file, or one synthetic layer) into a :class:`DemoReport`: each row
read is either loaded (inserted, changed or unchanged) or rejected with its reason. Rows are
upserted by ``(hromada, code)``; the layer's BEFORE UPDATE trigger skips rows that did not change,
so loading identical data again creates no new version.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.prepared import prep
from sqlalchemy import Connection, text, tuple_

from ..db.layer_tables import layer_table
from ..loadreport import LayerLoadReport
from ..territory import Rejection

SQL_DIR = Path(__file__).resolve().parent / "sql"
SYNTHETIC_SOURCE = "synthetic-demo"
DECIMALS = 6  # coordinates of generated geometries: about 0.1 m, and identical on every run

_APOSTROPHES = str.maketrans({c: "’" for c in "'ʼ`‘′´"})


def norm_name(name: str | None) -> str:
    """A name folded for comparison: apostrophe variants, case, runs of blanks."""
    return " ".join(str(name or "").translate(_APOSTROPHES).split()).casefold()


def clean_text(value) -> str | None:
    """A text value of a data frame or CSV, None for missing (NaN, None, blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = " ".join(str(value).replace(" | ", " ").replace("|", " ").split())
    return value or None


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- the demo громади
@dataclass(frozen=True)
class DemoHromada:
    code: str
    name: str  # «Балаклійська»
    name_gen: str  # genitive, «Балаклійської» (громади, міської ради)
    name_en: str  # «Balakliia»
    oblast: str
    raion_file: str  # target_full_res/<oblast>.<raion>.geojson: the громада polygons of the raion
    settlements_file: str  # target_full_res/<oblast>.<raion>.<hromada>.geojson: settlement polygons


BALAKLIIA = "UA63040010000010092"
KHMILNYK = "UA05120170000013778"
KREMENCHUK = "UA53020110000092487"

DEMO_HROMADY: dict[str, DemoHromada] = {
    BALAKLIIA: DemoHromada(
        BALAKLIIA,
        "Балаклійська",
        "Балаклійської",
        "Balakliia",
        "Харківська",
        "kharkivska_oblast.izyumskyy_rayon.geojson",
        "kharkivska_oblast.izyumskyy_rayon.balakliyska_miska_hromada.geojson",
    ),
    KHMILNYK: DemoHromada(
        KHMILNYK,
        "Хмільницька",
        "Хмільницької",
        "Khmilnyk",
        "Вінницька",
        "vinnytska_oblast.khmilnytskyy_rayon.geojson",
        "vinnytska_oblast.khmilnytskyy_rayon.khmilnytska_miska_hromada.geojson",
    ),
    KREMENCHUK: DemoHromada(
        KREMENCHUK,
        "Кременчуцька",
        "Кременчуцької",
        "Kremenchuk",
        "Полтавська",
        "poltavska_oblast.kremenchutskyy_rayon.geojson",
        "poltavska_oblast.kremenchutskyy_rayon.kremenchutska_miska_hromada.geojson",
    ),
}

OSM_COMMIT = "1eca9d6"
OSM_REPO = f"OpenStreetMap (ODbL), darmat1/ukraine-geo-data @{OSM_COMMIT}"


# ---------------------------------------------------------------- reports
@dataclass
class DemoReport(LayerLoadReport):
    """A :class:`LayerLoadReport` that also counts rows this source had loaded before and no longer
    has (removed, so that a changed source leaves nothing stale behind), and lists first the
    rejections worth reviewing. The files cover whole oblasts, so most of their rows are rejected
    as expected (another громада, a centre node that is no boundary); those go after the others, so
    that the few that matter (an ambiguous address, a settlement OSM does not locate) are seen."""

    removed: int = 0
    hromada: str | None = None  # the import_log's hromada, when the source is about one громада
    expected_rejections: list = field(default_factory=list)
    _merged: int = 0  # how many of ``rejections`` are expected ones, appended by finish()

    def reject(self, row: int, fieldname: str, reason: str, *, expected: bool = False) -> None:
        if expected:
            self.expected_rejections.append(Rejection(row, fieldname, reason))
        else:
            super().reject(row, fieldname, reason)

    @property
    def rejected(self) -> int:
        return len(self.rejections) + len(self.expected_rejections)

    @property
    def to_review(self) -> int:
        """Rejections that are not expected by design (listed first)."""
        return len(self.rejections) - self._merged

    def finish(self) -> None:
        """Append the expected rejections after the ones to review."""
        if self.expected_rejections:
            self._merged += len(self.expected_rejections)
            self.rejections.extend(self.expected_rejections)
            self.expected_rejections = []

    def summary(self) -> str:
        s = super().summary()
        if self.rejected:
            s += f" ({self.to_review} to review)" if self.to_review else " (all expected)"
        return s + (f", removed {self.removed} stale" if self.removed else "")

    def log(
        self,
        conn: Connection,
        *,
        hromada: str | None = None,
        mode: str = "upsert",
        user: str | None = None,
    ) -> int:
        self.finish()
        log_id = super().log(conn, hromada=hromada or self.hromada, mode=mode, user=user)
        extra = {"rejected_to_review": self.to_review, "removed": self.removed}
        conn.execute(
            text("UPDATE import_log SET report = report || CAST(:extra AS jsonb) WHERE id = :id"),
            {"extra": json.dumps(extra), "id": log_id},
        )
        return log_id


# ---------------------------------------------------------------- settlements known to the load
_PREFIX = {"M": "м.", "X": "с-ще", "T": "смт", "C": "с."}


@dataclass
class Settlement:
    code: str  # КАТОТТГ
    hromada: str
    name: str
    category: str  # codifier letter, Latin: M X C T
    point: Point | None = None
    polygon: MultiPolygon | None = None

    @property
    def located(self) -> bool:
        return self.point is not None

    @property
    def label(self) -> str:
        """The name with its category abbreviation, e.g. «м. Балаклія», «с. Вербівка»."""
        return f"{_PREFIX.get(self.category, '')} {self.name}".strip()


@dataclass
class DemoContext:
    conn: Connection
    data_dir: Path
    user: str
    boundaries: dict[str, MultiPolygon] = field(
        default_factory=dict
    )  # full resolution, per громада
    settlements: dict[str, list[Settlement]] = field(
        default_factory=dict
    )  # per громада, codifier order
    population: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # KSE total, urban
    loaded_layers: set[tuple[str, str]] = field(default_factory=set)  # (layer, hromada) with rows

    def path(self, *parts: str) -> Path:
        return self.data_dir.joinpath(*parts)

    def located(self, hromada: str) -> list[Settlement]:
        """The located settlements of a громада, in codifier order (the centre first)."""
        return [s for s in self.settlements.get(hromada, []) if s.located]


# ---------------------------------------------------------------- geometry helpers
def ewkb(geom) -> str | None:
    """Hex EWKB with SRID 4326, 2D, the form the upsert reads."""
    if geom is None:
        return None
    return shapely.to_wkb(
        shapely.set_srid(geom, 4326), hex=True, include_srid=True, output_dimension=2
    )


def multi(geom):
    """Promote a single geometry to its Multi form."""
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, Point):
        return MultiPoint([geom])
    if geom is not None and geom.geom_type == "LineString":
        return MultiLineString([geom])
    return geom


def round_point(x: float, y: float) -> Point:
    return Point(round(x, DECIMALS), round(y, DECIMALS))


def offset(point: Point, metres: float, bearing: float) -> tuple[float, float]:
    """A position ``metres`` away from ``point`` towards ``bearing`` (radians), on a local plane."""
    lat = math.radians(point.y)
    dx = metres * math.cos(bearing) / (111_320.0 * math.cos(lat))
    dy = metres * math.sin(bearing) / 110_540.0
    return point.x + dx, point.y + dy


def point_near(rng: random.Random, centre: Point, radius_m: float, *within) -> Point:
    """A deterministic point within ``radius_m`` of ``centre`` that lies in every geometry of
    ``within`` (None entries are ignored); falls back to the centre itself."""
    tests = [prep(g) for g in within if g is not None]
    for attempt in range(200):
        r = radius_m * math.sqrt(rng.random()) * (1 if attempt < 100 else 0.5)
        x, y = offset(centre, r, rng.uniform(0, 2 * math.pi))
        p = round_point(x, y)
        if all(t.covers(p) for t in tests):
            return p
    return round_point(centre.x, centre.y)


def square(centre: Point, side_m: float) -> Polygon:
    """A square of ``side_m`` metres centred on ``centre``, coordinates rounded."""
    h = side_m / 2
    x0, y0 = offset(centre, h * math.sqrt(2), math.radians(225))
    x1, y1 = offset(centre, h * math.sqrt(2), math.radians(45))
    return Polygon(
        [
            (round(x0, DECIMALS), round(y0, DECIMALS)),
            (round(x1, DECIMALS), round(y0, DECIMALS)),
            (round(x1, DECIMALS), round(y1, DECIMALS)),
            (round(x0, DECIMALS), round(y1, DECIMALS)),
        ]
    )


def seeded(hromada: str, layer: str) -> random.Random:
    """The random generator of one synthetic layer in one громада: the same numbers on every run."""
    return random.Random(f"{hromada}:{layer}")


# ---------------------------------------------------------------- writing
def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def upsert(ctx: DemoContext, layer: str, rows: list[dict]) -> dict[tuple[str, str], str]:
    """Insert or update ``rows`` of a layer matched by ``(hromada, code)``; the status of each:
    ``inserted``, ``updated``, ``unchanged`` (the trigger skipped an identical row) or
    ``kept:<user>`` (someone else edited the row after the demo load wrote it: it is left alone,
    so that re-running the demo never undoes a planner's work).

    Rows are dicts of column → value; geometries as hex EWKB (:func:`ewkb`). Only the columns given
    are written; every row of one call must have the same keys.
    """
    if not rows:
        return {}
    table = layer_table(layer)
    columns = list(rows[0])
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"{layer}: no column(s) {', '.join(unknown)}")
    for r in rows:
        if list(r) != columns:
            raise ValueError(f"{layer}: rows of one upsert must have the same columns")
    assert all(_IDENT.match(c) for c in columns) and _IDENT.match(table.name)
    sql = read_sql("upsert.sql").replace("{table}", table.name)
    sql = sql.replace("{columns}", ", ".join(f'"{c}"' for c in columns))
    sql = sql.replace(
        "{set_columns}",
        ", ".join(f'"{c}" = s."{c}"' for c in columns if c not in ("hromada", "code")),
    )
    result = ctx.conn.execute(
        text(sql),
        {"rows": json.dumps(rows, default=_jsonable, ensure_ascii=False), "owner": ctx.user},
    )
    status = {(r["hromada"], r["code"]): "unchanged" for r in rows}
    for what, hromada, code, editor in result:
        status[(hromada, code)] = f"kept:{editor}" if what == "kept" else what
    return status


def count_into(report: LayerLoadReport, statuses, rows=None) -> None:
    """Add statuses from :func:`upsert` to a report; ``rows`` (the source row of each, same order)
    number the notes about rows kept as someone edited them."""
    for k, s in enumerate(statuses):
        if s == "inserted":
            report.inserted += 1
        elif s == "updated":
            report.updated += 1
        else:
            report.unchanged += 1
            if s.startswith("kept:"):
                row = rows[k] if rows is not None else 0
                report.repair(row, "updated_by", f"kept as {s[5:]} edited it after the demo load")


def prune(
    ctx: DemoContext, layer: str, sources: set[tuple[str, str]], keep: set[tuple[str, str]]
) -> int:
    """Delete the rows a source had loaded before and has no longer: rows of ``layer`` whose
    ``(hromada, source)`` is in ``sources``, whose ``(hromada, code)`` is not in ``keep`` and that
    nobody but the demo load has edited."""
    if not sources:
        return 0
    t = layer_table(layer)
    stmt = t.delete().where(
        tuple_(t.c.hromada, t.c.source).in_(sorted(sources)),
        t.c.updated_by.is_not_distinct_from(ctx.user),
    )
    if keep:
        stmt = stmt.where(tuple_(t.c.hromada, t.c.code).not_in(sorted(keep)))
    return ctx.conn.execute(stmt).rowcount or 0


def demo_hromada_of(conn: Connection, points: dict[int, str]) -> dict[int, str]:
    """For points given as ``{row: hex EWKB}``, the demo громада whose boundary (the ``hromady``
    layer, full resolution after :mod:`gisplan.demo.boundaries`) covers each; rows in none are
    absent."""
    if not points:
        return {}
    rows = [{"row": k, "wkb": v} for k, v in points.items()]
    found = conn.execute(
        text(read_sql("locate.sql")), {"rows": json.dumps(rows), "hromady": list(DEMO_HROMADY)}
    )
    return {r.row: r.hromada for r in found}


INSIDE_SHARE = 0.999  # a feature counts as inside its громада when this share of it lies inside


def inside_shares(conn: Connection, items: dict[int, tuple[str, str]]) -> dict[int, float]:
    """For ``{row: (hromada, hex EWKB)}``, the share of each geometry inside its громада's boundary
    (area for polygons, length for lines, 1 or 0 for points), computed by PostGIS."""
    if not items:
        return {}
    rows = [{"row": k, "hromada": h, "wkb": w} for k, (h, w) in items.items()]
    found = conn.execute(text(read_sql("inside.sql")), {"rows": json.dumps(rows)})
    return {r.row: float(r.share) for r in found}

"""An import: file → checked rows → staging table (COPY) → the layer, in one transaction.

1. The file is read in Arrow batches; each batch is checked in Python (values, geometry, CRS) and
   its good rows are streamed into a temporary staging table with a binary ``COPY`` (geometry as
   raw WKB; the text format when a JSON field is staged, see :mod:`.validate`).
2. Set-based SQL steps (``sql/*.sql``) check codes against the codifier, find duplicate keys and
   the features a row updates. Rows without громада or settlement codes get them by location: on
   the fast path (the default) while checking, in Python (:mod:`.locate`); with ``fast=False`` by
   SQL joins over the staging table (``locate_*.sql``), which is slower for large files.
3. Any rejected row, found in step 1 or 2, rolls everything back: nothing is loaded, and the report
   names every row, field and reason. Otherwise the mode is applied: ``append`` inserts,
   ``upsert`` updates matched features and inserts the rest, ``replace`` also deletes the features
   of the громади concerned that the file does not list. A dry run does all of it, counts, and
   rolls back. On the fast path, a large import into a table holding fewer rows builds the table's
   secondary indexes and its primary key again after the INSERT instead of growing them row by row.

Every import ends with an ``import_log`` entry (in its own transaction when nothing was loaded) and,
when a report folder is given, a JSON and a CSV report.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from psycopg.types.string import BytesBinaryDumper
from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import Text

from ..catalog import KATOTTG_RE, LayerSpec, catalog
from ..db.engine import acting_as
from ..db.layer_tables import layer_table
from ..paths import PACKAGE_DIR
from .crs import reprojection
from .errors import ImportRejected, IngestError
from .locate import Locator
from .mapping import Mapping, build_mapping
from .read import BATCH_SIZE, Source, open_source
from .report import ImportReport
from .validate import Validator

log = logging.getLogger(__name__)
SQL_DIR = PACKAGE_DIR / "ingest" / "sql"
MODES = ("append", "upsert", "replace")
OUTSIDE_TOLERANCE_M = 1000  # --hromada: how far outside the stored boundary a row may lie
NOT_NULL_KEEP = ("status", "public", "hromada")  # upsert: an empty value keeps the stored one
REBUILD_INDEXES_FROM = 10_000  # new rows from which, into a table holding fewer, indexes are rebuilt
REBUILD_LOCK_TIMEOUT = "2s"    # how long the rebuild waits for other transactions to leave the table

Progress = Callable[[int, int | None], None]


@dataclass
class ImportOptions:
    mode: str = "append"
    key: str = "code"
    hromada: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    crs: str | None = None
    source_layer: str | None = None
    points_from_polygons: bool = False
    source: str | None = None           # value of the ``source`` column; default: the file's name
    display_name: str | None = None     # the file's name as the user knows it (uploads)
    report_dir: Path | None = None
    batch_size: int = BATCH_SIZE
    fast: bool = True                   # codes by location while checking (False: the SQL steps)


def sql(name: str, **parts: str) -> str:
    template = (SQL_DIR / name).read_text(encoding="utf-8")
    for key, value in parts.items():
        template = template.replace("{" + key + "}", value)
    return template


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_options(layer: LayerSpec, o: ImportOptions) -> None:
    if o.mode not in MODES:
        raise IngestError(f"mode: {o.mode!r} is not one of {', '.join(MODES)}")
    keys = ["code", "id"] + [n for n, f in layer.fields.items() if f.type in ("text", "integer")]
    if o.key not in keys:
        raise IngestError(f"key: {o.key!r} cannot identify features of {layer.name}; one of: {', '.join(keys)}")
    if o.mode == "append" and o.key != "code":
        raise IngestError("key: append adds new features; --key is for upsert and replace")
    if o.hromada is not None and not KATOTTG_RE.fullmatch(o.hromada):
        raise IngestError(f"hromada: {o.hromada!r} is not a КАТОТТГ code (UA and 17 digits)")


def _check_mapping(layer: LayerSpec, mapping: Mapping, o: ImportOptions, src: Source) -> None:
    missing = [n for n, f in layer.fields.items() if f.required and n not in mapping.targets]
    if missing:
        labels = ", ".join(f"{n} («{layer.label(n)}»)" for n in missing)
        raise IngestError(f"{src.name}: no column for the required field(s) {labels}; columns of the file: "
                          f"{', '.join(src.fields)} (map one with --map COLUMN=FIELD)")
    if o.mode != "append" and o.key not in mapping.targets:
        raise IngestError(f"{src.name}: --mode {o.mode} matches features by {o.key}, but no column of the "
                          f"file fills {o.key} (map one with --map COLUMN={o.key})")


def _has_geometry(src: Source) -> bool:
    return src.format != "CSV" or src.csv is not None


class _Run:
    """One import on one connection (inside its transaction)."""

    def __init__(self, conn: Connection, layer: LayerSpec, src: Source, mapping: Mapping,
                 validator: Validator, o: ImportOptions, report: ImportReport):
        self.conn, self.layer, self.src, self.mapping = conn, layer, src, mapping
        self.validator, self.o, self.report = validator, o, report
        self.table = layer.table
        if o.fast:
            validator.locator = Locator(conn, settlements=layer.name not in ("settlements", "hromady"))
        self.staged = [c for c in validator.columns if c not in ("row_no", "probe")]
        key = o.key
        self.key = _q(key)
        if key == "id":
            self.match = "t.id = s.id"
            group = ["s.id"]
        else:
            self.match = f"t.hromada = s.hromada AND t.{self.key} = s.{self.key}"
            group = ["coalesce(s.hromada, '')", f"s.{self.key}"]  # (a row without громада is rejected anyway)
        self.duplicates = {"group": ", ".join(group),
                           "group_columns": ", ".join(f"{g} AS g{i}" for i, g in enumerate(group)),
                           "join": " AND ".join(f"d.g{i} = {g}" for i, g in enumerate(group))}

    def run(self, progress: Progress | None) -> None:
        c = self.conn
        columns = ", ".join(_q(col) for col in self.staged)
        t = self.report.seconds
        t0 = time.perf_counter()
        c.exec_driver_sql(sql("stage.sql", columns=columns, table=self.table))
        self._copy(progress)
        t["read, check, copy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        c.exec_driver_sql(sql("stage_settings.sql" if self.o.fast else "index_stage.sql"))
        self._codes()
        t["codes by location, codifier checks"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        key_index = ""
        if self.o.key in self.staged and not self.o.fast:
            cols = "id" if self.o.key == "id" else f"hromada, {self.key}"
            key_index = f"CREATE INDEX ON ingest_stage ({cols});"
        c.exec_driver_sql(sql("index_keys.sql", key_index=key_index))
        self._keys()
        t["keys"] = time.perf_counter() - t0
        if self.report.rejection_count:
            return
        t0 = time.perf_counter()
        self._apply()
        built = t.pop("indexes built again", None)
        t["write into the layer table"] = time.perf_counter() - t0 - (built or 0)
        if built is not None:
            t["indexes built again"] = built

    # ------------------------------------------------------------------ 1. read, check, COPY
    def _copy(self, progress: Progress | None) -> None:
        raw = self.conn.connection.driver_connection
        cols = ", ".join(_q(col) for col in self.validator.columns)
        binary = " (FORMAT binary)" if self.validator.binary else ""
        with raw.cursor() as cur:
            # WKB bytes as they are, by psycopg's C dumper (the one registered for bytea by default
            # also accepts its DB-API ``Binary`` wrapper, in Python, value by value)
            cur.adapters.register_dumper(None, BytesBinaryDumper)
            self._copy_batches(cur, f"COPY ingest_stage ({cols}) FROM STDIN{binary}", progress)

    def _copy_batches(self, cur, statement: str, progress: Progress | None) -> None:
        with cur.copy(statement) as copy:
            copy.set_types(self.validator.pg_types)
            for batch in self.src.batches(self.o.batch_size):
                checked = self.validator.check(batch)
                self.report.read += len(batch)
                self.report.points_from_polygons += checked.converted
                for r in checked.rejections:
                    self.report.reject(*r)
                for r in checked.repairs:
                    self.report.repair(*r)
                for row in checked.rows:
                    copy.write_row(row)
                if progress:
                    progress(self.report.read, self.src.count)

    # ------------------------------------------------------------------ 2. codes and keys
    def _rejections(self, statement: str, **params) -> None:
        for row_no, fieldname, reason in self.conn.execute(text(statement), params):
            self.report.reject(row_no, fieldname, reason)

    def _codes(self) -> None:
        c, o = self.conn, self.o
        if not o.fast:  # the fast path found the codes while checking (see .locate)
            if o.hromada:
                c.execute(text(sql("given_hromada.sql")), {"hromada": o.hromada})
            c.exec_driver_sql(sql("locate_hromada.sql"))
            if self.layer.name not in ("settlements", "hromady") and "katottg" in self.staged:
                c.exec_driver_sql(sql("locate_settlement.sql"))
        self._rejections(sql("reject_unlocated.sql"))
        self._rejections(sql("reject_unknown_codes.sql"))
        if o.hromada and self.layer.name != "hromady":
            self._rejections(sql("reject_outside_hromada.sql"),
                             hromada=o.hromada, tolerance_m=OUTSIDE_TOLERANCE_M)

    def _keys(self) -> None:
        o = self.o
        key_given = o.key in self.staged
        if key_given:
            self._rejections(sql("reject_duplicate_keys.sql", key=self.key, key_name=o.key, **self.duplicates))
            self.conn.exec_driver_sql(sql("match_existing.sql", table=self.table, match=self.match))
            self._rejections(sql("reject_ambiguous.sql", table=self.table, key=self.key, key_name=o.key, match=self.match))
        if o.mode == "append" and key_given:
            self._rejections(sql("reject_existing.sql", key=self.key, key_name=o.key))
        if o.mode != "append":
            self._rejections(sql("reject_unmatched.sql", key=self.key, key_name=o.key,
                                 by_id="true" if o.key == "id" else "false"))

    def reject_not_allowed(self, allowed: Iterable[str]) -> None:
        stmt = text(sql("reject_not_allowed.sql", table=self.table)).bindparams(
            bindparam("allowed", type_=ARRAY(Text)))
        for row_no, fieldname, reason in self.conn.execute(stmt, {"allowed": sorted(allowed)}):
            self.report.reject(row_no, fieldname, reason)

    # ------------------------------------------------------------------ 3. apply the mode
    def _data_columns(self) -> list[str]:
        return [col for col in self.staged if col != "id"]

    def _apply(self) -> None:
        c, o, r = self.conn, self.o, self.report
        t = layer_table(self.table)
        data = self._data_columns()
        if o.mode in ("upsert", "replace"):
            matched = c.exec_driver_sql("SELECT count(*) FROM ingest_stage WHERE match_id IS NOT NULL").scalar_one()
            sets = []
            for col in data:
                if col in NOT_NULL_KEEP or (col == "katottg" and "katottg" not in self.mapping.targets):
                    sets.append(f"{_q(col)} = coalesce(s.{_q(col)}, t.{_q(col)})")
                else:
                    sets.append(f"{_q(col)} = s.{_q(col)}")
            r.updated = c.exec_driver_sql(sql("update_matched.sql", table=self.table,
                                              assignments=", ".join(sets))).rowcount
            r.unchanged = matched - r.updated
        if o.mode == "replace":
            scope = [o.hromada] if o.hromada else list(c.exec_driver_sql(
                "SELECT DISTINCT hromada FROM ingest_stage").scalars())
            stmt = text(sql("delete_unmatched.sql", table=self.table)).bindparams(
                bindparam("scope", type_=ARRAY(Text)))
            r.deleted = c.execute(stmt, {"scope": scope}).rowcount
        columns, values = [], []
        for col in data:
            default = t.c[col].server_default
            expr = f"s.{_q(col)}"
            if default is not None and hasattr(default, "arg"):
                expr = f"coalesce({expr}, {getattr(default.arg, 'text', default.arg)})"
            columns.append(_q(col))
            values.append(expr)
        if "source" not in data:
            columns.append('"source"')
            values.append(":source")
        if o.fast:  # as the layer's BEFORE INSERT trigger would stamp it, which then skips the row
            columns += ['"version"', '"created_at"', '"updated_at"', '"updated_by"']
            values += ["1", "now()", "now()", "gisplan_current_user()"]
        stmt = sql("insert_new.sql", table=self.table, columns=", ".join(columns), values=", ".join(values))
        rebuild = self._drop_secondary_indexes() if o.fast and not o.dry_run else []
        r.inserted = c.execute(text(stmt), {"source": o.source or r.source}).rowcount
        if rebuild:
            t0 = time.perf_counter()
            c.exec_driver_sql(sql("rebuild_settings.sql"))
            for definition in rebuild:
                c.exec_driver_sql(definition)
            r.seconds["indexes built again"] = time.perf_counter() - t0

    def _drop_secondary_indexes(self) -> list[str]:
        """A large import into a table that holds fewer rows: drop the secondary indexes (and the
        primary key, see :meth:`_drop_primary_key`) before the INSERT and build them afresh after it
        (in the same transaction, so a failure restores them).
        Building a GiST index over all rows at once is much faster than growing it row by row. The
        DROP needs an exclusive lock on the table until commit (readers wait for the import to end);
        if another transaction holds the table for longer than a moment, or the database role may not
        drop indexes, the import keeps the indexes and inserts the slow way.
        A dry run keeps them (it would build them only to roll back, holding the lock meanwhile).
        Returns the definitions to run after the INSERT (empty: nothing was dropped)."""
        c = self.conn
        new = c.exec_driver_sql("SELECT count(*) FROM ingest_stage WHERE match_id IS NULL").scalar_one()
        if new < REBUILD_INDEXES_FROM:
            return []
        existing = c.execute(text(f'SELECT count(*) FROM (SELECT 1 FROM public.{_q(self.table)} LIMIT :n) x'),
                             {"n": new}).scalar_one()
        if existing >= new:
            return []
        indexes = c.execute(text(sql("secondary_indexes.sql")), {"table": f"public.{_q(self.table)}"}).all()
        if not indexes:
            return []
        timeout = c.exec_driver_sql("SELECT current_setting('lock_timeout')").scalar_one()
        savepoint = c.begin_nested()
        try:
            c.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": REBUILD_LOCK_TIMEOUT})
            c.exec_driver_sql("DROP INDEX " + ", ".join(f"public.{_q(name)}" for name, _ in indexes))
            c.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": timeout})
        except DBAPIError as exc:  # the lock not had in time, or not the table's owner
            savepoint.rollback()
            log.info("import into %s: indexes kept (%s)", self.table, str(exc).splitlines()[0])
            return []
        savepoint.commit()
        return self._drop_primary_key() + [definition for _, definition in indexes]

    def _drop_primary_key(self) -> list[str]:
        """With the secondary indexes (the table is locked already): the primary key too, to be added
        again after the INSERT, which builds its index in one sorted pass; inserting random uuids one
        by one into it costs more than everything else the INSERT does. Adding it back checks every
        id again (a duplicate fails the import, as the INSERT would have). If the key cannot be
        dropped (something depends on it), it is kept. Returns the statement that adds it back."""
        c, table = self.conn, f"public.{_q(self.table)}"
        key = c.execute(text(sql("primary_key.sql")), {"table": table}).first()
        if key is None:
            return []
        savepoint = c.begin_nested()
        try:
            c.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {_q(key.name)}")
        except DBAPIError as exc:
            savepoint.rollback()
            log.info("import into %s: primary key kept (%s)", self.table, str(exc).splitlines()[0])
            return []
        savepoint.commit()
        return [f"ALTER TABLE {table} ADD CONSTRAINT {_q(key.name)} {key.definition}"]


def _new_report(layer: LayerSpec, path: Path, o: ImportOptions) -> ImportReport:
    return ImportReport(source=o.display_name or Path(path).name, layer=layer.name, mode=o.mode,
                        key=o.key, dry_run=o.dry_run, hromada=o.hromada)


def _finish(engine: Engine, report: ImportReport, o: ImportOptions, user: str | None) -> None:
    """Write the report files and, in its own transaction, the import_log entry."""
    if o.report_dir is not None:
        report.write(o.report_dir)
    with engine.begin() as conn:
        report.log(conn, user)


def import_file(engine: Engine, layer_name: str, path: Path, options: ImportOptions | None = None, *,
                user: str | None = None, allowed_hromady: Iterable[str] | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Import ``path`` into layer ``layer_name``; all or nothing.

    Returns the report of a successful import (or dry run). Raises :class:`ImportRejected` (with
    the report) when any row was rejected, :class:`IngestError` when the file as a whole is unusable;
    both after writing the report and the import_log entry. ``allowed_hromady`` (None: all) limits
    the громади the rows may belong to (the API passes the user's)."""
    o = options or ImportOptions()
    cat = catalog()
    if layer_name not in cat:
        raise IngestError(f"unknown layer {layer_name!r}; layers: {', '.join(cat.names())}")
    layer = cat.get(layer_name)
    _check_options(layer, o)
    report = _new_report(layer, path, o)
    try:
        with open_source(Path(path), source_layer=o.source_layer, prefer_layer=layer.name, crs=o.crs,
                         explicit_map=o.mapping, display_name=o.display_name) as src:
            mapping = build_mapping(src.fields, layer, o.mapping, o.key)
            _check_mapping(layer, mapping, o, src)
            reproj = reprojection(src.crs)
            report.format, report.encoding, report.notes = src.format, src.encoding, list(src.notes)
            report.crs = f"{reproj.label}, {src.crs_from}"
            report.transformation = reproj.operation
            report.mapping, report.ignored_columns = dict(mapping.columns), dict(mapping.ignored)
            if not _has_geometry(src) and not layer.geometry.nullable:
                raise IngestError(f"{src.name}: no geometry (for a CSV: longitude/latitude or WKT columns, "
                                  f"e.g. «довгота»/«широта», lon/lat, x/y or wkt), and layer {layer.name} needs one")
            validator = Validator(layer, mapping, reproj, hromada=o.hromada,
                                  points_from_polygons=o.points_from_polygons,
                                  with_geometry=_has_geometry(src))
            with engine.connect() as conn:
                trans = conn.begin()
                try:
                    with acting_as(conn, user):
                        run = _Run(conn, layer, src, mapping, validator, o, report)
                        run.run(progress)
                        if allowed_hromady is not None and not report.rejection_count:
                            run.reject_not_allowed(allowed_hromady)
                    if report.rejection_count:
                        report.status = "rejected"
                        report.inserted = report.updated = report.unchanged = report.deleted = 0
                        trans.rollback()
                    elif o.dry_run:
                        report.status = "dry-run"
                        trans.rollback()
                    else:
                        if o.report_dir is not None:
                            report.write(o.report_dir)
                        report.log(conn, user)
                        trans.commit()
                        return report
                except BaseException:
                    if trans.is_active:
                        trans.rollback()
                    raise
    except IngestError as exc:
        report.status, report.error = "failed", str(exc)
        _finish(engine, report, o, user)
        raise
    _finish(engine, report, o, user)
    if report.status == "rejected":
        raise ImportRejected(report)
    return report

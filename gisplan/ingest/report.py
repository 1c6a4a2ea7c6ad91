"""What an import did (or would do): counts, repaired rows, and every rejected row with its field
and reason. Written as JSON (for programs) and CSV (for people, Ukrainian headers first), and as an
entry of ``import_log``.

Row numbers: in a CSV file the header is row 1 and the first record row 2, as a spreadsheet shows
them; in other formats row 1 is the first feature.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func

from ..db.models import import_log
from ..territory import Rejection

MAX_LISTED = 10_000  # rejections and repairs kept in a report; the counts are always complete
CSV_HEADER = ("рядок / row", "поле / field", "що / what", "причина / reason")


@dataclass
class ImportReport:
    source: str
    layer: str
    mode: str
    key: str
    dry_run: bool = False
    hromada: str | None = None
    format: str | None = None
    crs: str | None = None
    transformation: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: dict[str, str] = field(default_factory=dict)
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    points_from_polygons: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    repairs: list[Rejection] = field(default_factory=list)
    rejected_row_numbers: set[int] = field(default_factory=set, repr=False)
    rejection_count: int = 0
    repair_count: int = 0
    status: str = "ok"          # ok, rejected, dry-run, failed
    error: str | None = None
    import_log_id: int | None = None
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    files: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time of each step

    # ------------------------------------------------------------------ adding
    def reject(self, row: int, fieldname: str, reason: str) -> None:
        self.rejection_count += 1
        self.rejected_row_numbers.add(int(row))
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append(Rejection(int(row), str(fieldname), str(reason)))

    def repair(self, row: int, fieldname: str, what: str) -> None:
        self.repair_count += 1
        if len(self.repairs) < MAX_LISTED:
            self.repairs.append(Rejection(int(row), str(fieldname), str(what)))

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected_row_numbers)

    @property
    def loaded(self) -> int:
        return 0 if self.status != "ok" else self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        what = {"ok": "loaded", "dry-run": "would load (dry run, nothing changed)",
                "rejected": "nothing loaded", "failed": "failed"}[self.status]
        counts = (f"new {self.inserted}, changed {self.updated}, unchanged {self.unchanged}"
                  + (f", deleted {self.deleted}" if self.mode == "replace" else ""))
        return (f"{self.source} → {self.layer}: {what}; read {self.read}, {counts}, repaired "
                f"{self.repair_count}, rejected {self.rejected_rows} rows ({self.rejection_count} faults)")

    # ------------------------------------------------------------------ output
    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("rejected_row_numbers")
        d["started_at"] = self.started_at.isoformat(timespec="seconds")
        d["rejected_rows"] = self.rejected_rows
        d["rejections"] = [r._asdict() for r in self.rejections]
        d["repairs"] = [r._asdict() for r in self.repairs]
        d["listed_up_to"] = MAX_LISTED
        d["summary"] = self.summary()
        return d

    def write(self, directory: Path) -> tuple[Path, Path]:
        """``<time>-<layer>-<source>.json`` and ``.csv`` in ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", Path(self.source).stem)[:60]
        base = directory / f"{self.started_at:%Y%m%d-%H%M%S-%f}-{self.layer}-{stem}"
        json_path, csv_path = base.with_suffix(".json"), base.with_suffix(".csv")
        self.files = {"json": str(json_path), "csv": str(csv_path)}
        json_path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_HEADER)
            for r in self.rejections:
                w.writerow((r.row, r.field, "відхилено / rejected", r.reason))
            for r in self.repairs:
                w.writerow((r.row, r.field, "виправлено / repaired", r.reason))
        return json_path, csv_path

    def log(self, conn: Connection, user: str | None) -> int:
        d = self.as_dict()
        self.import_log_id = conn.execute(import_log.insert().values(
            started_at=self.started_at, finished_at=func.clock_timestamp(), layer=self.layer,
            hromada=self.hromada, source=self.source, mode=self.mode, user_name=user,
            rows_read=self.read, rows_loaded=self.loaded, rows_rejected=self.rejected_rows,
            rows_repaired=self.repair_count, status=self.status,
            report={k: d[k] for k in ("inserted", "updated", "unchanged", "deleted", "dry_run", "key",
                                      "format", "crs", "transformation", "encoding", "mapping",
                                      "ignored_columns", "rejections", "repairs", "rejection_count",
                                      "points_from_polygons", "notes", "error", "files", "seconds")},
        ).returning(import_log.c.id)).scalar_one()
        return self.import_log_id

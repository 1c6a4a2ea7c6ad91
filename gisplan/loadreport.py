"""What a load did, row by row: every row read is either loaded or rejected with its reason.

Shared by the territory, boundary and demo loaders (and the general import later). Each report is
also written to ``import_log``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func

from .db.models import import_log
from .territory import Rejection


@dataclass
class LayerLoadReport:
    source: str
    layer: str | None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    repairs: list[Rejection] = field(default_factory=list)  # loaded, but changed by rule
    import_log_id: int | None = None

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def reject(self, row: int, fieldname: str, reason: str) -> None:
        self.rejections.append(Rejection(row, fieldname, reason))

    def repair(self, row: int, fieldname: str, what: str) -> None:
        self.repairs.append(Rejection(row, fieldname, what))

    def balanced(self) -> bool:
        return self.read == self.loaded + self.rejected

    def summary(self) -> str:
        return (f"{self.source}: read {self.read}, loaded {self.loaded} (new {self.inserted}, changed "
                f"{self.updated}, unchanged {self.unchanged}), repaired {len(self.repairs)}, "
                f"rejected {self.rejected}")

    def log(self, conn: Connection, *, hromada: str | None = None, mode: str = "upsert",
            user: str | None = None) -> int:
        if not self.balanced():
            raise AssertionError(f"{self.source}: rows read ≠ loaded + rejected ({self.summary()})")
        self.import_log_id = conn.execute(import_log.insert().values(
            finished_at=func.clock_timestamp(), layer=self.layer, hromada=hromada, source=self.source,
            mode=mode, user_name=user, rows_read=self.read, rows_loaded=self.loaded,
            rows_rejected=self.rejected, rows_repaired=len(self.repairs),
            status="ok" if not self.rejections else "partial",
            report={
                "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
                "rejections": [r._asdict() for r in self.rejections],
                "repairs": [r._asdict() for r in self.repairs],
            },
        ).returning(import_log.c.id)).scalar_one()
        return self.import_log_id

"""The canonical indicator catalogue (SEEDS-ANALYSIS §2.4–2.5), shipped as
``data/canonical_indicators.csv``: 101 codes with uk/en names, class, units and formula, the 42
that recur in at least two national-template programs marked ``recurring``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "canonical_indicators.csv"

CLASSES = {
    "a1": ("просторовий, геометричний запит", "spatial, geometric query"),
    "a2": ("агрегат атрибутів просторового шару", "attribute aggregate over a spatial layer"),
    "a0": ("каталог шарів платформи", "the platform's layer catalogue"),
    "b": ("табличний реєстр", "tabular registry"),
    "c": ("вручну", "manual"),
}
# how an indicator of each class gets its actual value (program_indicator.method)
METHOD_OF_CLASS = {"a1": "layers", "a2": "layers", "a0": "layers", "b": "registry", "c": "manual"}


@dataclass(frozen=True)
class CanonicalIndicator:
    code: str
    name_uk: str
    name_en: str
    cls: str
    units: str
    formula: str
    seed_rows: str
    recurring: bool
    recurring_rank: int | None

    @property
    def method(self) -> str:
        return METHOD_OF_CLASS[self.cls]

    def public(self) -> dict:
        return {
            "code": self.code, "name": {"uk": self.name_uk, "en": self.name_en},
            "class": self.cls, "class_label": dict(zip(("uk", "en"), CLASSES[self.cls])),
            "units": self.units, "formula": self.formula, "method": self.method,
            "seed_rows": self.seed_rows, "recurring": self.recurring, "recurring_rank": self.recurring_rank,
        }


@lru_cache
def catalogue() -> dict[str, CanonicalIndicator]:
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["code"]: CanonicalIndicator(
            code=r["code"], name_uk=r["name_uk"], name_en=r["name_en"], cls=r["class"], units=r["units"],
            formula=r["formula"], seed_rows=r["seed_rows"], recurring=r["recurring"] == "true",
            recurring_rank=int(r["recurring_rank"]) if r["recurring_rank"] else None,
        )
        for r in rows
    }


def is_canonical(code: str) -> bool:
    return code in catalogue()

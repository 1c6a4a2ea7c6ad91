"""The metric registry: every metric the engine can compute, from three kinds of declaration.

* ``sql/<code>.sql``: geometric and other query metrics, each with its declaration in the file's
  leading comments (:mod:`.sql_metrics`);
* ``attribute.yaml``: counts and shares of a layer's features under a filter (:mod:`.attribute_metrics`);
* ``platform.yaml``: whether layers of the громада are public on the platform (:mod:`.platform_metrics`).

Codes are unique across the three; inputs are layers of the catalogue; ``canonical`` names a code of
the canonical indicator catalogue (``gisplan/program/data/canonical_indicators.csv``), through which
program indicators are bound to metrics (:mod:`.binding`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..catalog import catalog
from ..errors import ConfigError
from ..program.canonical import catalogue as canonical_catalogue
from .attribute_metrics import load_attribute_metrics
from .model import Metric
from .platform_metrics import load_platform_metrics
from .sql_metrics import SqlMetric
from .sqltext import SQL_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
ATTRIBUTE_FILE = PACKAGE_DIR / "attribute.yaml"
PLATFORM_FILE = PACKAGE_DIR / "platform.yaml"


class UnknownMetric(KeyError):
    pass


class Registry:
    def __init__(self, metrics: list[Metric]):
        self.metrics: dict[str, Metric] = {}
        for m in metrics:
            if m.code in self.metrics:
                raise ConfigError(f"metric {m.code} is declared twice: in {self.metrics[m.code].source.name} "
                                  f"and {m.source.name}")
            self.metrics[m.code] = m

    def __iter__(self):
        return iter(self.metrics.values())

    def __len__(self) -> int:
        return len(self.metrics)

    def __contains__(self, code: str) -> bool:
        return code in self.metrics

    def get(self, code: str) -> Metric:
        try:
            return self.metrics[code]
        except KeyError:
            raise UnknownMetric(f"unknown metric {code!r}; metrics: {', '.join(sorted(self.metrics))}") from None

    def codes(self) -> list[str]:
        return sorted(self.metrics)

    def for_canonical(self, canonical: str) -> list[Metric]:
        return [m for m in self if m.spec.canonical == canonical]


def _check(metric: Metric) -> None:
    where = f"{metric.source.name}: {metric.code}"
    cat = catalog()
    for layer in metric.inputs:
        if layer not in cat:
            raise ConfigError(f"{where}: inputs: unknown layer {layer!r}")
    canonical = metric.spec.canonical
    if canonical is not None and canonical not in canonical_catalogue():
        raise ConfigError(f"{where}: canonical: {canonical!r} is not a code of the canonical indicator catalogue")


def load_registry(sql_dir: Path = SQL_DIR, attribute_file: Path = ATTRIBUTE_FILE,
                  platform_file: Path = PLATFORM_FILE) -> Registry:
    metrics: list[Metric] = [SqlMetric.load(p) for p in sorted(sql_dir.glob("*.sql"))]
    metrics += load_attribute_metrics(attribute_file)
    metrics += load_platform_metrics(platform_file)
    for m in metrics:
        _check(m)
    return Registry(metrics)


@lru_cache
def registry() -> Registry:
    """The registry of the package's declarations (cached)."""
    return load_registry()

"""Credits for the shipped data (data/attribution.yaml), shown on every page."""

from __future__ import annotations

from functools import lru_cache

import yaml

from .settings import path_settings


@lru_cache
def attributions() -> list[dict]:
    path = path_settings().data_dir / "attribution.yaml"
    if not path.is_file():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []

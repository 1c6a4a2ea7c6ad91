"""The Cyrillic-capable font of legends and image exceptions (DejaVu Sans, as map labels use)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core


@lru_cache(maxsize=1)
def label_font_path() -> str | None:
    """DejaVuSans.ttf from Mapnik's wheel, else Debian's; None when neither is there."""
    spec = importlib.util.find_spec("mapnik")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(list(spec.submodule_search_locations)[0]) / "lib" / "mapnik" / "fonts" / "DejaVuSans.ttf"
        if bundled.is_file():
            return str(bundled)
    return str(SYSTEM_FONT) if SYSTEM_FONT.is_file() else None

"""Files into layers and layers into files.

``import_file`` loads GeoJSON, GeoPackage, (zipped) Shapefile, CSV and KML/KMZ into a layer of the
catalogue, all or nothing, with a report of every rejected and repaired row; ``export_layer``
writes a layer as GeoJSON, GeoPackage, CSV, zipped Shapefile or KML, in EPSG:4326 or another CRS.
What each format keeps and loses is in ``docs/formats.md``.

The names below are imported on first use (PEP 562): ``.load`` pulls pyogrio and geopandas (~2 s),
which ``gisplan layer --help`` and every other command that only lists this package's CLI never need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_LAZY = {
    "ImportRejected": ".errors",
    "IngestError": ".errors",
    "MODES": ".load",
    "ImportOptions": ".load",
    "import_file": ".load",
    "ImportReport": ".report",
}

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .errors import ImportRejected, IngestError
    from .load import MODES, ImportOptions, import_file
    from .report import ImportReport

__all__ = ["MODES", "ImportOptions", "ImportRejected", "ImportReport", "IngestError", "import_file"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once: later look-ups do not come here
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

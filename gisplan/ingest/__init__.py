"""Files into layers and layers into files.

``import_file`` loads GeoJSON, GeoPackage, (zipped) Shapefile, CSV and KML/KMZ into a layer of the
catalogue, all or nothing, with a report of every rejected and repaired row; ``export_layer``
writes a layer as GeoJSON, GeoPackage, CSV, zipped Shapefile or KML, in EPSG:4326 or another CRS.
What each format keeps and loses is in ``docs/formats.md``.
"""

from .errors import ImportRejected, IngestError
from .load import MODES, ImportOptions, import_file
from .report import ImportReport

__all__ = ["MODES", "ImportOptions", "ImportRejected", "ImportReport", "IngestError", "import_file"]

"""gisplan: geospatial planning for the informatization programs of Ukrainian громади.

The core library. It never imports a web framework; the FastAPI app lives in ``api/``.
"""

__version__ = "0.1.0"

# PROJ data for every PROJ library in the process (pyproj, GDAL, Mapnik), set before any of them
# is imported: Mapnik's wheel otherwise points PROJ at a folder without proj.db.
from .publish import proj_env as _proj_env  # noqa: E402,F401

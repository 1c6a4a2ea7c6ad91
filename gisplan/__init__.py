"""gisplan: geospatial planning for the informatization programs of Ukrainian громади.

The core library. It never imports a web framework; the FastAPI app lives in ``api/``.
"""

__version__ = "0.1.0"

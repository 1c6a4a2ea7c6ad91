"""PROJ data for every PROJ library in the process; import this before Mapnik.

The Mapnik wheel carries its own PROJ (with ``proj.db`` compiled in) and, when imported, sets
``PROJ_LIB`` to a folder of its own that holds no ``proj.db``. Libraries loaded after it that take
their PROJ data from the environment (rasterio, GDAL's bindings, a pyproj built without data)
then find no database. Setting ``PROJ_DATA`` first fixes that: PROJ 9.1+ reads ``PROJ_DATA``
before ``PROJ_LIB``, and Mapnik only fills in variables that are unset.

The folder must hold a ``proj.db`` that *every* PROJ in the process accepts. PROJ refuses a
database whose layout version (``DATABASE.LAYOUT.VERSION.MINOR``) is older than its own and accepts
newer ones of the same major version, so the folder with the newest layout among the installed
wheels (pyproj's, pyogrio's) and any ``PROJ_DATA`` given by the user wins. pyproj's own folder is
not always it: pyproj 3.7 ships PROJ 9.5's database, which Mapnik's PROJ 9.8 refuses.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from pathlib import Path


def layout_version(folder: str | Path) -> tuple[int, int] | None:
    """(major, minor) layout version of ``folder/proj.db``; None when there is no readable one."""
    db = Path(folder) / "proj.db"
    if not db.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True) as conn:
            rows = dict(conn.execute(
                "SELECT key, value FROM metadata WHERE key LIKE 'DATABASE.LAYOUT.VERSION.%'"))
        return int(rows["DATABASE.LAYOUT.VERSION.MAJOR"]), int(rows["DATABASE.LAYOUT.VERSION.MINOR"])
    except (sqlite3.Error, KeyError, ValueError):
        return None


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def candidate_folders() -> list[Path]:
    """PROJ data folders found here, the user's ``PROJ_DATA`` first."""
    found: list[Path] = []
    for given in os.environ.get("PROJ_DATA", "").split(os.pathsep):
        if given:
            found.append(Path(given))
    try:
        import pyproj.datadir

        found.append(Path(pyproj.datadir.get_data_dir()))
    except Exception:  # pyproj without data: other candidates remain
        pass
    pyogrio = _package_dir("pyogrio")
    if pyogrio is not None:
        found.append(pyogrio / "proj_data")
    return found


def newest_proj_data() -> Path | None:
    """The candidate folder whose ``proj.db`` has the newest layout (first one on a tie)."""
    best, best_version = None, None
    for folder in candidate_folders():
        version = layout_version(folder)
        if version is not None and (best_version is None or version > best_version):
            best, best_version = folder, version
    return best


def pin_proj_data() -> str | None:
    """Set ``PROJ_DATA`` (and ``PROJ_LIB``, so Mapnik leaves it alone) to the newest folder."""
    folder = newest_proj_data()
    if folder is None:
        return None
    os.environ["PROJ_DATA"] = str(folder)
    os.environ["PROJ_LIB"] = str(folder)
    return str(folder)


PROJ_DATA = pin_proj_data()

"""Where gisplan finds its declarative files, whether run from a checkout or installed.

In a checkout (editable install) the folders beside the package are used: ``layers/``, ``web/``,
``data/``. An installed wheel carries copies of them under ``gisplan/_data/``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent
_BUNDLED = PACKAGE_DIR / "_data"


def project_root() -> Path | None:
    """The checkout holding this package, or None when running from an installed wheel."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "layers").is_dir():
        return _CHECKOUT
    return None


def resource_dir(name: str) -> Path:
    """``layers``, ``web`` or ``data``: from the checkout if there is one, else the bundled copy."""
    root = project_root()
    if root is not None and (root / name).is_dir():
        return root / name
    return _BUNDLED / name


SQL_DIR = PACKAGE_DIR / "db" / "sql"
MIGRATIONS_DIR = PACKAGE_DIR / "db" / "migrations"

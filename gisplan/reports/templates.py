"""Report template files: the built-in ones in ``templates/`` or replacements in
``GISPLAN_REPORT_TEMPLATES_DIR`` (a file missing there falls back to the built-in one).

Each template carries its version inside the file, so a replaced file states its own:
XLSX and DOCX in the document properties (``version``), HTML in
``<meta name="template-version" content="…">``. A file without one is reported as «без версії»
with the first 12 hex digits of its SHA-256, which still identifies it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import GisplanError
from ..settings import report_settings

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"
FILE_OF = {"xlsx": "{kind}.xlsx", "docx": "{kind}.docx", "pdf": "{kind}.html"}
_META = re.compile(r'<meta\s+name="template-version"\s+content="([^"]*)"', re.I)


class TemplateError(GisplanError):
    pass


@dataclass(frozen=True)
class Template:
    path: Path
    version: str
    sha256: str
    builtin: bool

    @property
    def name(self) -> str:
        return self.path.name

    def public(self) -> dict:
        return {"name": self.name, "version": self.version, "sha256": self.sha256[:12],
                "origin": "built-in" if self.builtin else "replaced",
                "label": f"{self.name} v{self.version} ({self.sha256[:12]})"}


def _version(path: Path) -> str | None:
    try:
        if path.suffix == ".xlsx":
            from openpyxl import load_workbook

            return load_workbook(path, read_only=True).properties.version
        if path.suffix == ".docx":
            from docx import Document

            return Document(str(path)).core_properties.version or None
        match = _META.search(path.read_text(encoding="utf-8"))
        return match.group(1) if match else None
    except Exception as exc:  # a damaged replacement: say which file
        raise TemplateError(f"template {path}: cannot be read ({exc})") from None


def find_template(kind: str, fmt: str) -> Template:
    name = FILE_OF[fmt].format(kind=kind)
    override = report_settings().templates_dir
    path, builtin = BUILTIN_DIR / name, True
    if override is not None and (Path(override) / name).is_file():
        path, builtin = Path(override) / name, False
    if not path.is_file():
        raise TemplateError(f"template {name}: not found in {override or BUILTIN_DIR}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Template(path, _version(path) or "без версії", digest, builtin)

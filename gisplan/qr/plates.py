"""Printable plates: a PDF with one plate per page (A6 or A5): the громада, the object's name, its
code with the громада's logo, a short description in Ukrainian and a line in English, and the link
written out for those who cannot scan. DejaVu Sans (Debian's fonts-dejavu-core) carries Cyrillic."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A5, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ..catalog import catalog
from ..errors import GisplanError
from .codes import qr_image, short_url
from .workflow import PlateObject

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SIZES = {"A6": A6, "A5": A5}
DESCRIPTION_CHARS = 220


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        raise GisplanError(f"plates need DejaVu Sans ({regular}); install Debian's fonts-dejavu-core")
    pdfmetrics.registerFont(TTFont("GisplanSans", str(regular)))
    pdfmetrics.registerFont(TTFont("GisplanSans-Bold", str(bold)))
    return "GisplanSans", "GisplanSans-Bold"


def _short_description(text: str | None) -> str:
    text = " ".join((text or "").split())
    return textwrap.shorten(text, DESCRIPTION_CHARS, placeholder=" …") if text else ""


def english_line(obj: PlateObject) -> str:
    """The English line: the category's English label (descriptions are kept in Ukrainian only)."""
    field = catalog().get("tourist_objects").fields["category"]
    label = field.values[obj.category].en if obj.category and field.values and obj.category in field.values else None
    return f"{label.capitalize()}. Scan for the page in English." if label else "Scan for the page in English."


def _lines(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to ``width`` points."""
    out, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if c.stringWidth(trial, font, size) <= width or not line:
            line = trial
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    return out


def plates_pdf(objects: list[PlateObject], hromada_name: str, logo: bytes | None = None,
               size: str = "A6", origin: str | None = None) -> bytes:
    """One page per object; every object must already have its short code."""
    if size not in SIZES:
        raise GisplanError(f"size: {size!r} is not one of {', '.join(SIZES)}")
    if not objects:
        raise GisplanError("ids: no tourist objects to print plates for")
    regular, bold = _fonts()
    width, height = SIZES[size]
    scale = width / A6[0]
    margin = 8 * mm * scale
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setTitle(f"QR-таблички: {hromada_name}")
    c.setAuthor("gisplan")
    text_w = width - 2 * margin
    for obj in objects:
        if not obj.qr_code:
            raise GisplanError(f"{obj.id}: no short code yet (call ensure_short_codes first)")
        url = short_url(obj.qr_code, origin)
        y = height - margin
        c.setFont(regular, 8 * scale)
        c.setFillGray(0.25)
        for line in _lines(c, hromada_name, regular, 8 * scale, text_w):
            y -= 9 * scale
            c.drawString(margin, y, line)
        c.setFillGray(0)
        y -= 4 * scale
        for line in _lines(c, obj.name, bold, 13 * scale, text_w)[:3]:
            y -= 15 * scale
            c.setFont(bold, 13 * scale)
            c.drawString(margin, y, line)
        side = min(text_w, 62 * mm * scale)
        y -= side + 4 * scale
        img = qr_image(url, box_size=12, logo=logo)
        c.drawImage(ImageReader(img), (width - side) / 2, y, side, side)
        c.setFont(regular, 8 * scale)
        for line in _lines(c, _short_description(obj.description), regular, 8 * scale, text_w)[:5]:
            y -= 10 * scale
            c.drawString(margin, y, line)
        c.setFont(regular, 7.5 * scale)
        c.setFillGray(0.3)
        for line in _lines(c, english_line(obj), regular, 7.5 * scale, text_w)[:2]:
            y -= 9 * scale
            c.drawString(margin, y, line)
        c.setFillGray(0)
        c.setFont(bold, 8 * scale)
        c.drawCentredString(width / 2, margin, url)
        c.showPage()
    c.save()
    return buf.getvalue()

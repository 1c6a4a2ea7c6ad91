"""QR codes of short links: error correction H (30 % of the code may be lost), so a logo in the
centre and some weathering still read. PNG (optionally with the громада's logo) and SVG."""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.image.svg
from PIL import Image

from ..errors import GisplanError
from ..settings import server_settings

SHORT_RE = re.compile(r"^[A-Za-z0-9_-]{3,64}$")
LOGO_SHARE = 0.22  # the logo's width as a share of the code's: about 5 % of its area, well within H


def short_url(short: str, origin: str | None = None) -> str:
    """The permanent link printed on a plate: ``{GISPLAN_PUBLIC_URL}/q/{short}``.

    Only the short code is stored; the origin comes from the settings, so a move to another domain
    needs no new plates as long as the old domain redirects ``/q/``."""
    if not SHORT_RE.match(short or ""):
        raise GisplanError(f"short: {short!r} is not a QR short code (3–64 letters, digits, - or _)")
    base = (origin or server_settings().public_url or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/q/{short}"


def _code(data: str, box_size: int, border: int = 4) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=box_size, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_image(data: str, box_size: int = 10, logo: bytes | None = None) -> Image.Image:
    """The code as a black-on-white RGB image, with ``logo`` (any image PIL reads) in its centre."""
    img = _code(data, box_size).make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    if logo:
        try:
            mark = Image.open(io.BytesIO(logo)).convert("RGBA")
        except Exception as exc:  # PIL raises several kinds for bad files
            raise GisplanError(f"logo: not an image PIL can read ({exc.__class__.__name__})") from exc
        side = int(img.width * LOGO_SHARE)
        mark.thumbnail((side, side))
        pad = max(2, box_size // 2)
        plate = Image.new("RGB", (mark.width + 2 * pad, mark.height + 2 * pad), "white")
        plate.paste(mark, (pad, pad), mark)
        img.paste(plate, ((img.width - plate.width) // 2, (img.height - plate.height) // 2))
    return img


def qr_png(data: str, box_size: int = 10, logo: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    qr_image(data, box_size, logo).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable code for print shops: one path, sized in millimetres (1 module = 1 mm)."""
    img = _code(data, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()

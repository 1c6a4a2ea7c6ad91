"""WMS service exceptions: the XML report, or an image (INIMAGE, BLANK) when the request asked
for one and its size and format are usable.

Codes are those of WMS 1.3.0 (Annex A.3; 1.1.1 says InvalidSRS for InvalidCRS) plus OWS's
MissingParameterValue / InvalidParameterValue. Every parameter problem is a :class:`WmsError`,
never an HTTP 500.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .templating import render

XML_MEDIA_TYPE = {"1.3.0": "text/xml", "1.1.1": "application/vnd.ogc.se_xml"}
# EXCEPTIONS values of both versions → XML, INIMAGE, BLANK
EXCEPTION_FORMATS = {
    "XML": "XML", "INIMAGE": "INIMAGE", "BLANK": "BLANK",
    "APPLICATION/VND.OGC.SE_XML": "XML", "APPLICATION/VND.OGC.SE_INIMAGE": "INIMAGE",
    "APPLICATION/VND.OGC.SE_BLANK": "BLANK", "TEXT/XML": "XML",
}


class WmsError(Exception):
    """A service exception: ``code`` (None for NoApplicableCode), ``locator`` the parameter."""

    def __init__(self, message: str, code: str | None = None, locator: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.locator = locator

    def code_for(self, version: str) -> str | None:
        if version == "1.1.1" and self.code == "InvalidCRS":
            return "InvalidSRS"
        return self.code


@dataclass(frozen=True)
class ImageTarget:
    """What an INIMAGE or BLANK exception is drawn into: a usable size, format and background."""

    width: int
    height: int
    media_type: str           # image/png or image/jpeg
    transparent: bool
    bgcolor: tuple[int, int, int]


def xml_report(error: WmsError, version: str) -> tuple[bytes, str]:
    """The ServiceExceptionReport of ``version`` and its media type."""
    version = "1.1.1" if version == "1.1.1" else "1.3.0"
    body = render(f"exception_{version.replace('.', '_')}.xml", code=error.code_for(version),
                  locator=error.locator if version == "1.3.0" else None, message=error.message)
    return body.encode("utf-8"), XML_MEDIA_TYPE[version]


def image_report(error: WmsError, target: ImageTarget, mode: str, font_path: str | None) -> tuple[bytes, str]:
    """An image of the requested size: blank (BLANK), or with the message written in (INIMAGE)."""
    from PIL import Image, ImageDraw, ImageFont

    jpeg = target.media_type == "image/jpeg"
    transparent = target.transparent and not jpeg
    colour = (*target.bgcolor, 0 if transparent else 255)
    image = Image.new("RGBA", (target.width, target.height), colour)
    if mode == "INIMAGE":
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(font_path, 12) if font_path else ImageFont.load_default()
        text = _wrap(f"{error.code or 'Error'}: {error.message}", draw, font, max(target.width - 8, 20))
        draw.multiline_text((4, 4), text, fill=(200, 0, 0, 255), font=font, spacing=2)
    out = io.BytesIO()
    if jpeg:
        image.convert("RGB").save(out, "JPEG", quality=85)
    else:
        image.save(out, "PNG")
    return out.getvalue(), target.media_type


def _wrap(text: str, draw, font, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        probe = f"{line} {word}".strip()
        if line and draw.textlength(probe, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = probe
    if line:
        lines.append(line)
    return "\n".join(lines)

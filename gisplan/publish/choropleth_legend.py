"""GetLegendGraphic of a computed layer: a heading (what the classes count) and one row per class,
its colour and its range («200 – < 1 000 мешк.»), then "no value". The size depends only on the
layer's definition and the language, so capabilities state it without data."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from .choropleth_layers import ChoroplethLayer
from .wms_legend import GAP, PAD, ROW, SWATCH, _font, _hex


def _rows(layer: ChoroplethLayer, lang: str) -> list[tuple[str, str]]:
    return [(getattr(label, lang), colour) for label, colour in layer.legend_rows()]


def _heading(layer: ChoroplethLayer, lang: str) -> str:
    return getattr(layer.value_label, lang)


def legend_size(layer: ChoroplethLayer, lang: str = "uk") -> tuple[int, int]:
    font = _font()
    widths = [PAD + SWATCH + GAP + int(font.getlength(label)) + 1 + PAD for label, _ in _rows(layer, lang)]
    widths.append(PAD + int(font.getlength(_heading(layer, lang))) + 1 + PAD)
    return max(widths), PAD * 2 + ROW * (len(_rows(layer, lang)) + 1)


def swatch_centre(layer: ChoroplethLayer, cls: int) -> tuple[int, int]:
    """The pixel in the middle of class ``cls``'s swatch (tests compare it with the map)."""
    return PAD + SWATCH // 2, PAD + ROW * (cls + 1) + ROW // 2


def legend_png(layer: ChoroplethLayer, lang: str = "uk", transparent: bool = True) -> bytes:
    width, height = legend_size(layer, lang)
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image)
    ink = (26, 26, 26, 255)
    draw.text((PAD, PAD + ROW / 2), _heading(layer, lang), fill=ink, font=_font(), anchor="lm")
    for n, (label, colour) in enumerate(_rows(layer, lang), start=1):
        y = PAD + n * ROW
        top = y + (ROW - SWATCH) // 2
        draw.rectangle((PAD + 1, top + 1, PAD + SWATCH - 1, top + SWATCH - 1), fill=_hex(colour),
                       outline=_hex("#4d4d4d"))
        draw.text((PAD + SWATCH + GAP, y + ROW / 2), label, fill=ink, font=_font(), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()

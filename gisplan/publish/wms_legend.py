"""GetLegendGraphic: one row per style category (symbol and its Ukrainian or English label).

Drawn with Pillow from the same :func:`~.mapnik_styles.categories` that style the map. The image
size depends only on the catalogue, the caller's columns and the language, so capabilities can
state each LegendURL's width and height without drawing or reading data.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .fonts import label_font_path
from .mapnik_styles import Category, categories
from .sources import LayerSource

FONT_SIZE = 12
SWATCH = 20
ROW = 24
PAD = 4
GAP = 6


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = label_font_path()
    return ImageFont.truetype(path, FONT_SIZE) if path else ImageFont.load_default()


def _entries(source: LayerSource, lang: str) -> list[tuple[str, Category]]:
    return [(getattr(c.label, lang), c) for c in categories(source)]


def legend_size(source: LayerSource, lang: str = "uk") -> tuple[int, int]:
    entries = _entries(source, lang)
    text_width = max(int(_font().getlength(label)) + 1 for label, _ in entries)
    return PAD + SWATCH + GAP + text_width + PAD, PAD * 2 + ROW * len(entries)


def _hex(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), round(255 * opacity))


def _swatch(draw: ImageDraw.ImageDraw, category: Category, kind: str, x: int, y: int) -> None:
    look = category.look
    box = (x + 2, y + 2, x + SWATCH - 2, y + SWATCH - 2)
    if kind == "polygon":
        draw.rectangle(box, fill=_hex(look.fill, look.fill_opacity), outline=_hex(look.stroke),
                       width=max(1, round(look.stroke_width)))
    elif kind == "line":
        draw.line((x + 1, y + SWATCH - 4, x + SWATCH - 1, y + 4), fill=_hex(look.stroke),
                  width=max(1, round(look.stroke_width)))
    else:
        r = min(look.size, SWATCH - 2) / 2
        cx, cy = x + SWATCH / 2, y + SWATCH / 2
        fill, outline = _hex(look.fill), _hex(look.stroke)
        if look.symbol == "square":
            draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline)
        elif look.symbol == "triangle":
            draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill, outline=outline)
        elif look.symbol == "star":
            draw.regular_polygon((cx, cy, r), 5, fill=fill, outline=outline)
        else:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline)


def legend_png(source: LayerSource, lang: str = "uk", transparent: bool = True) -> bytes:
    width, height = legend_size(source, lang)
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image)
    kind = source.kinds()[-1] if source.layer.style.symbol not in ("line", "polygon") else (
        "line" if source.layer.style.symbol == "line" else "polygon")
    for n, (label, category) in enumerate(_entries(source, lang)):
        y = PAD + n * ROW
        _swatch(draw, category, kind, PAD, y + (ROW - SWATCH) // 2)
        draw.text((PAD + SWATCH + GAP, y + ROW / 2), label, fill=(26, 26, 26, 255), font=_font(), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()

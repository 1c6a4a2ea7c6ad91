"""The national map (issue 17): every громада's published layers drawn in the browser by MapLibre GL
JS from the vector tiles (``/tiles/{layer}.json``), with a layer picker. MapLibre is served from
``/static/vendor/maplibre`` (``make web-assets``), never from a CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gisplan.attribution import attributions
from gisplan.catalog import catalog

from ..deps import OptionalUser
from ..templates import templates

router = APIRouter(include_in_schema=False)

SHOWN_FIRST = ("hromady", "shelters", "schools")  # ticked when the page opens


def _layers() -> list[dict]:
    out = []
    for layer in catalog():
        s = layer.style
        out.append({"name": layer.name, "uk": layer.title.uk, "en": layer.title.en, "symbol": s.symbol,
                    "fill": s.fill, "stroke": s.stroke, "opacity": s.fill_opacity, "size": s.size,
                    "on": layer.name in SHOWN_FIRST})
    return out


@router.get("/map", response_class=HTMLResponse)
def national_map(request: Request, user: OptionalUser):
    return templates.TemplateResponse(request, "national_map.html", {
        "user": user, "layers": _layers(), "attributions": attributions(),
    })

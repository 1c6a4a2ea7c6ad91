"""GetCapabilities of WMS 1.3.0 and 1.1.1, from Jinja templates (as titiler's WMS extension).

Built from the catalogue, the ``dataset`` table (which layers are published, their ISO record
UUIDs) and settings only: no layer data is counted or scanned. Extents are the громада's boundary
box for ``/{code}/ows`` (one indexed row) and Ukraine's (the area of use of UCS-2000) nationally;
bounding boxes in every CRS are computed from that extent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from ..catalog import LayerSpec
from ..settings import WmsSettings
from .choropleth_layers import GROUP_TEXT, ChoroplethLayer
from .choropleth_legend import legend_size as choropleth_legend_size
from .crs import SUPPORTED, service_crs, transform_bounds
from .sources import LayerSource
from .templating import render
from .wms_legend import legend_size
from .wms_params import ADVERTISED_MAP_FORMATS, INFO_FORMATS

STYLE_TITLE = {"uk": "Стиль за замовчуванням", "en": "Default style"}
ROOT_ABSTRACT = {
    "uk": "Опубліковані набори даних; кожен шар — один шар каталогу gisplan.",
    "en": "Published data sets; each layer is one layer of the gisplan catalogue.",
}


@dataclass
class LayerEntry:
    """A layer as the caller sees it, with the ISO records of its datasets (one per громада)."""

    source: LayerSource
    metadata_uuids: list[str] = field(default_factory=list)


def service_metadata_uuid(settings: WmsSettings, service_url: str) -> str:
    """The UUID of the service's ISO record: the setting, else derived from the service URL."""
    return settings.service_metadata_uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, service_url))


def _rounded(values, digits: int) -> tuple:
    return tuple(round(v, digits) for v in values)


@lru_cache(maxsize=256)
def bounding_boxes(lonlat: tuple[float, float, float, float], version: str) -> tuple[dict, ...]:
    """A BoundingBox per offered CRS, in that version's axis order."""
    boxes = []
    for code in SUPPORTED:
        crs = service_crs(code)
        xy = transform_bounds(lonlat, "CRS:84", code)
        digits = 6 if crs.geographic else 2
        boxes.append({"code": code, "v": _rounded(crs.from_xy(xy, version), digits)})
    return tuple(boxes)


def _legend_href(url: str, version: str, layer: str, lang: str) -> str:
    query = {"SERVICE": "WMS", "VERSION": version, "REQUEST": "GetLegendGraphic", "FORMAT": "image/png",
             "LAYER": layer, "STYLE": "default"}
    if version == "1.3.0":
        query["SLD_VERSION"] = "1.1.0"
    if lang == "en":
        query["LANGUAGE"] = "eng"
    return url + urlencode(query)


def _layer_context(entry: LayerEntry, url: str, base: str, version: str, lang: str, per_dataset: bool) -> dict:
    layer: LayerSpec = entry.source.layer
    width, height = legend_size(entry.source, lang)
    keywords = list(layer.metadata.keywords.get(lang) or layer.metadata.keywords.get("uk", ()))
    keywords += [t for t in layer.metadata.topic_categories if t not in keywords]
    identifiers = entry.metadata_uuids if per_dataset else [layer.name]
    max_scale = None
    if layer.style.min_zoom is not None:
        from .mapnik_styles import ZOOM0_SCALE

        max_scale = round(ZOOM0_SCALE / 2 ** layer.style.min_zoom)
    return {
        "name": layer.name,
        "title": getattr(layer.title, lang),
        "abstract": getattr(layer.abstract, lang),
        "keywords": keywords,
        "identifiers": identifiers,
        "metadata_urls": [f"{base}/metadata/{u}.xml" for u in entry.metadata_uuids],
        "legend": {"width": width, "height": height, "href": _legend_href(url, version, layer.name, lang)},
        "max_scale": max_scale,
        "scale_hint": round(max_scale * 0.00028 * 2 ** 0.5, 4) if max_scale else None,
    }


def _computed_context(layer: ChoroplethLayer, url: str, base: str, version: str, lang: str) -> dict:
    """A computed layer: a gap layer links its ISO record (gap_publication), an indicator has none;
    its legend lists the classes."""
    from .gap_publication import record_uuid

    width, height = choropleth_legend_size(layer, lang)
    records = [f"{base}/metadata/{record_uuid(layer.name)}.xml"] if layer.kind == "gap" else []
    return {
        "name": layer.name, "title": getattr(layer.title, lang), "abstract": getattr(layer.abstract, lang),
        "keywords": layer.keywords[lang], "identifiers": [layer.name], "metadata_urls": records,
        "legend": {"width": width, "height": height, "href": _legend_href(url, version, layer.name, lang)},
        "max_scale": None, "scale_hint": None,
    }


def _groups(computed: list[ChoroplethLayer], url: str, base: str, version: str, lang: str) -> list[dict]:
    """The parent layers «Прогалини» and «Індикатори» (no Name: not drawn as one) with their layers."""
    groups = []
    for kind in ("gap", "indicator"):
        members = [layer for layer in computed if layer.kind == kind]
        if members:
            text = GROUP_TEXT[kind]
            groups.append({"title": getattr(text["title"], lang), "abstract": getattr(text["abstract"], lang),
                           "layers": [_computed_context(m, url, base, version, lang) for m in members]})
    return groups


def capabilities(*, version: str, entries: list[LayerEntry], url: str, base: str, lonlat: tuple,
                 settings: WmsSettings, lang: str, place: str | None, update_sequence: str,
                 computed: list[ChoroplethLayer] = ()) -> str:
    """The capabilities document. ``url`` is the service URL ending in ``?``, ``base`` the site's
    origin (for metadata links), ``place`` the громада's name for ``/{code}/ows``; ``computed`` the
    gap and indicator layers the caller may see, grouped under two parent layers."""
    title = settings.title_uk if lang == "uk" else settings.title_en
    abstract = settings.abstract_uk if lang == "uk" else settings.abstract_en
    if place:
        title = f"{title}: {place}"
    service = {
        "title": title, "abstract": abstract, "keywords": settings.keywords,
        "contact_person": settings.contact_person or "", "contact_organization": settings.contact_organization,
        "contact_email": settings.contact_email, "fees": settings.fees,
        "access_constraints": settings.access_constraints,
        "max_width": settings.max_width, "max_height": settings.max_height,
    }
    inspire = None
    if settings.inspire_extended_capabilities and version == "1.3.0":
        uid = service_metadata_uuid(settings, url.rstrip("?"))
        inspire = {"metadata_url": f"{base}/metadata/{uid}.xml", "language": settings.inspire_language}
    lonlat = _rounded(lonlat, 6)
    root = {"title": title, "abstract": ROOT_ABSTRACT[lang], "lonlat": lonlat,
            "boxes": bounding_boxes(lonlat, version)}
    per_dataset = place is not None
    layers = [_layer_context(e, url, base, version, lang, per_dataset) for e in entries]
    return render(
        f"wms_capabilities_{version.replace('.', '_')}.xml",
        version=version, url=url, service=service, inspire=inspire, root=root, layers=layers,
        groups=_groups(list(computed), url, base, version, lang), crs_codes=SUPPORTED, map_formats=ADVERTISED_MAP_FORMATS, info_formats=INFO_FORMATS,
        style_title=STYLE_TITLE[lang], authority={"name": "gisplan", "url": f"{base}/metadata/"},
        update_sequence=update_sequence,
    )

"""The WMS operations for one endpoint (``/ows`` or ``/{code}/ows``) and one caller.

Framework-free: :func:`handle` takes the raw query string and gives an :class:`OwsResponse`; the
FastAPI route only builds the :class:`Endpoint`. Layer names are checked against the layers the
caller may see (published datasets in the endpoint's scope, or every dataset of the громада for a
signed-in reader of it), so an unpublished layer is "not defined" for anonymous callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select, text

from ..catalog import catalog
from ..db.models import dataset, territory
from ..settings import wms_settings
from .catalogue_version import VersionedCache
from .crs import UKRAINE_LONLAT
from .fonts import label_font_path
from .sources import Scope, layer_source
from .wms_capabilities import LayerEntry, capabilities
from .wms_exceptions import WmsError, image_report, xml_report
from .wms_params import (
    exception_mode, image_target, language, negotiate_version, operation_version, parse_bool,
    parse_info_request, parse_map_request, required,
)


@dataclass
class OwsResponse:
    body: bytes
    media_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    """One service endpoint as one caller sees it."""

    scope: Scope
    service_url: str        # the GetCapabilities OnlineResource, ending in "?"
    base: str               # the site's origin, for /metadata/{uuid}.xml links
    engine: Engine          # the app's database; Mapnik reads the same one


CACHE = VersionedCache()
"""Layer names per scope and громада names, each kept for one catalogue version
(:mod:`.catalogue_version`): GetMap then needs one primary-key read before drawing, and a layer
published or withdrawn through any worker process is listed (or refused) on the next request."""


def hromada_name(engine: Engine, code: str) -> str | None:
    """The codifier name of a громада (level 3), or None when ``code`` is not one."""
    def query(conn: Connection):
        return conn.execute(select(territory.c.name).where(territory.c.code == code, territory.c.level == 3)).scalar()

    return CACHE.get(engine, ("hromada", code), query)


def _visible(conn: Connection, scope: Scope) -> tuple[list[LayerEntry], str]:
    """The layers the caller may see, in catalogue order, and the document's update sequence: the
    catalogue version, which moves with everything a capabilities document shows (publications,
    record UUIDs, territory names, boundaries) and only then, as the kept answers' ETag does."""
    from .catalogue_version import catalogue_version

    sequence = str(catalogue_version(conn))
    q = select(dataset.c.layer, dataset.c.metadata_uuid).order_by(dataset.c.layer, dataset.c.hromada)
    if not scope.full:
        q = q.where(dataset.c.published)
    if scope.hromada:
        q = q.where(dataset.c.hromada == scope.hromada)
    uuids: dict[str, list[str]] = {}
    for layer, uuid in conn.execute(q):
        uuids.setdefault(layer, []).append(str(uuid))
    entries = [LayerEntry(layer_source(spec, scope), uuids[spec.name]) for spec in catalog() if spec.name in uuids]
    return entries, sequence


def _extent(conn: Connection, scope: Scope) -> tuple[float, float, float, float]:
    """The громада's boundary box (one indexed row of ``hromady``), else Ukraine's."""
    if scope.hromada:
        row = conn.execute(text(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT geom::box2d AS b "
            "FROM public.hromady WHERE hromada = :h AND geom IS NOT NULL LIMIT 1) s"), {"h": scope.hromada}).first()
        if row and row[0] is not None:
            return tuple(float(v) for v in row)  # type: ignore[return-value]
    return UKRAINE_LONLAT


def _pick(entries: list[LayerEntry], names: tuple[str, ...] | list[str], locator: str) -> list[LayerEntry]:
    by_name = {e.source.layer.name: e for e in entries}
    picked = []
    for name in names:
        if name not in by_name:
            raise WmsError(f"layer {name!r} is not defined", "LayerNotDefined", locator)
        picked.append(by_name[name])
    return picked


def visible_names(engine: Engine, scope: Scope) -> frozenset[str]:
    """Names of the layers the scope may see: with a published dataset (any dataset for full
    tables) in the scope's громада, or anywhere nationally. Kept in :data:`CACHE` per catalogue version."""
    def query(conn: Connection):
        q = select(dataset.c.layer).group_by(dataset.c.layer)
        if not scope.full:
            q = q.where(dataset.c.published)
        if scope.hromada:
            q = q.where(dataset.c.hromada == scope.hromada)
        return frozenset(conn.execute(q).scalars())

    return CACHE.get(engine, ("layers", scope.key), query)


def visible_computed(engine: Engine, scope: Scope) -> frozenset[str]:
    """Names of the computed (gap / indicator) layers the scope may see (:mod:`.choropleth_data`),
    from the dataset table only. Kept in :data:`CACHE` per catalogue version."""
    from .choropleth_data import visible_layers

    def query(conn: Connection):
        return frozenset(layer.name for layer in visible_layers(conn, scope))

    return CACHE.get(engine, ("computed", scope.key), query)


def _requested(engine: Engine, scope: Scope, names, locator: str) -> list[LayerEntry]:
    """The requested layers, in request order; LayerNotDefined for one the caller may not see.
    A computed layer comes with its data, computed now or kept from before (:mod:`.choropleth_data`)."""
    from .choropleth_layers import is_choropleth

    cat = catalog()
    plain = [n for n in dict.fromkeys(names) if not is_choropleth(n)]
    computed = [n for n in dict.fromkeys(names) if is_choropleth(n)]
    visible = visible_names(engine, scope) if plain else frozenset()
    entries = [LayerEntry(layer_source(cat.get(n), scope)) for n in plain if n in visible and n in cat]
    if computed:
        from .choropleth_data import choropleth_source

        shown = visible_computed(engine, scope)
        entries += [LayerEntry(choropleth_source(engine, n, scope)) for n in computed if n in shown]
    return _pick(entries, names, locator)


def _get_capabilities(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    version = negotiate_version(params.get("VERSION") or params.get("WMTVER"))
    fmt = (params.get("FORMAT") or "").strip().lower()
    if fmt and fmt not in ("text/xml", "application/xml", "application/vnd.ogc.wms_xml"):
        raise WmsError(f"FORMAT {params['FORMAT']!r} is not offered for capabilities", "InvalidFormat", "FORMAT")
    from .choropleth_data import visible_layers

    with endpoint.engine.connect() as conn:
        entries, sequence = _visible(conn, endpoint.scope)
        computed = visible_layers(conn, endpoint.scope)
        lonlat = _extent(conn, endpoint.scope)
    place = hromada_name(endpoint.engine, endpoint.scope.hromada) if endpoint.scope.hromada else None
    body = capabilities(version=version, entries=entries, url=endpoint.service_url, base=endpoint.base,
                        lonlat=lonlat, settings=wms_settings(), lang=language(params), place=place,
                        update_sequence=sequence, computed=computed)
    media_type = "text/xml" if version == "1.3.0" else "application/vnd.ogc.wms_xml"
    return OwsResponse(body.encode("utf-8"), f"{media_type}; charset=utf-8")


def _get_map(endpoint: Endpoint, params: dict[str, str], version: str) -> OwsResponse:
    from .wms_render import render_map  # Mapnik only where drawn

    s = wms_settings()
    request = parse_map_request(params, version, s.max_width, s.max_height)
    picked = _requested(endpoint.engine, endpoint.scope, request.layers, "LAYERS")
    body = render_map(request, [e.source for e in picked], endpoint.engine.url, endpoint.scope.key)
    return OwsResponse(body, request.media_type if request.media_type != "image/png; mode=8bit" else "image/png")


def _get_feature_info(endpoint: Endpoint, params: dict[str, str], version: str) -> OwsResponse:
    from . import wms_featureinfo

    s = wms_settings()
    request = parse_info_request(params, version, s.max_width, s.max_height)
    _requested(endpoint.engine, endpoint.scope, request.map.layers, "LAYERS")
    sources = [e.source for e in _requested(endpoint.engine, endpoint.scope, request.query_layers, "QUERY_LAYERS")]
    with endpoint.engine.connect() as conn:
        found = wms_featureinfo.query(conn, request, sources)
    body, media_type = wms_featureinfo.encode(found, sources, request.info_format, request.map.language)
    return OwsResponse(body, media_type)


def _get_legend_graphic(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    from .wms_legend import legend_png

    name = required(params, "LAYER")
    style = (params.get("STYLE") or "").strip()
    if style and style.lower() != "default":
        raise WmsError(f"style {style!r} is not defined; the only style is 'default'", "StyleNotDefined", "STYLE")
    fmt = (params.get("FORMAT") or "image/png").strip().lower()
    if fmt != "image/png":
        raise WmsError(f"FORMAT {params.get('FORMAT')!r} is not offered for legends; use image/png",
                       "InvalidFormat", "FORMAT")
    transparent = parse_bool(params, "TRANSPARENT", default=True)
    from .choropleth_layers import choropleth_layers, is_choropleth

    if is_choropleth(name):  # the classes need no data: the layer is only checked to be visible
        if name not in visible_computed(endpoint.engine, endpoint.scope):
            raise WmsError(f"layer {name!r} is not defined", "LayerNotDefined", "LAYER")
        from . import choropleth_legend

        return OwsResponse(choropleth_legend.legend_png(choropleth_layers()[name], language(params), transparent),
                           "image/png")
    entry = _requested(endpoint.engine, endpoint.scope, [name], "LAYER")[0]
    return OwsResponse(legend_png(entry.source, language(params), transparent), "image/png")


OPERATIONS = ("getcapabilities", "getmap", "getfeatureinfo", "getlegendgraphic")


def handle(endpoint: Endpoint, params: dict[str, str]) -> OwsResponse:
    """One WMS request (``params`` from :func:`~.wms_params.parse_query`); exceptions as the
    standard says: XML, or an image when EXCEPTIONS asks for INIMAGE/BLANK on GetMap."""
    operation = (params.get("REQUEST") or "").strip().lower()
    operation = {"capabilities": "getcapabilities", "map": "getmap", "feature_info": "getfeatureinfo"}.get(
        operation, operation)
    if operation == "getcapabilities":
        version = negotiate_version(params.get("VERSION") or params.get("WMTVER"))
    else:
        try:
            version = operation_version(params)
        except WmsError as exc:
            return xml_error(exc, "1.3.0")
    try:
        if not operation:
            raise WmsError("parameter REQUEST is missing", "MissingParameterValue", "REQUEST")
        if operation == "getcapabilities":
            return _get_capabilities(endpoint, params)
        if operation == "getmap":
            return _get_map(endpoint, params, version)
        if operation == "getfeatureinfo":
            return _get_feature_info(endpoint, params, version)
        if operation == "getlegendgraphic":
            return _get_legend_graphic(endpoint, params)
        raise WmsError(f"REQUEST {params.get('REQUEST')!r} is not supported; use one of "
                       "GetCapabilities, GetMap, GetFeatureInfo, GetLegendGraphic",
                       "OperationNotSupported", "REQUEST")
    except WmsError as exc:
        mode = exception_mode(params) if operation == "getmap" else "XML"
        if mode != "XML":
            s = wms_settings()
            target = image_target(params, s.max_width, s.max_height)
            if target is not None:
                body, media_type = image_report(exc, target, mode, label_font_path())
                return OwsResponse(body, media_type)
        return xml_error(exc, version)


def xml_error(exc: WmsError, version: str) -> OwsResponse:
    body, media_type = xml_report(exc, version)
    return OwsResponse(body, f"{media_type}; charset=utf-8")

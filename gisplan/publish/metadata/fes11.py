"""OGC Filter Encoding 1.1 (the CSW 2.0.2 ``ogc:Filter``) → a pygeofilter AST.

Why not pygeofilter's own FES parser: it needs ``pygml``, whose wheel installs a top-level
``tests`` package into site-packages, which hides gisplan's ``tests`` (a namespace package) from
the test suite. The subset a read-only catalogue needs is small: And, Or, Not, the comparison
operators, PropertyIsLike, PropertyIsNull and BBOX; evaluation stays with pygeofilter.
"""

from __future__ import annotations

from lxml import etree
from pygeofilter import ast

OGC = "http://www.opengis.net/ogc"
GML = ("http://www.opengis.net/gml", "http://www.opengis.net/gml/3.2")
# CRSs whose axis order is latitude first: their boxes are turned to lon/lat
LATLON_CRS = ("urn:ogc:def:crs:EPSG::4326", "urn:x-ogc:def:crs:EPSG:4326", "urn:x-ogc:def:crs:EPSG:6.11:4326",
              "http://www.opengis.net/def/crs/EPSG/0/4326")
COMPARISONS = {
    "PropertyIsEqualTo": ast.Equal, "PropertyIsNotEqualTo": ast.NotEqual,
    "PropertyIsLessThan": ast.LessThan, "PropertyIsLessThanOrEqualTo": ast.LessEqual,
    "PropertyIsGreaterThan": ast.GreaterThan, "PropertyIsGreaterThanOrEqualTo": ast.GreaterEqual,
}


class FesError(ValueError):
    pass


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _property(el: etree._Element) -> ast.Attribute:
    name = el.find(f"{{{OGC}}}PropertyName")
    if name is None or not (name.text or "").strip():
        raise FesError(f"{_local(el)}: ogc:PropertyName is missing")
    return ast.Attribute(name.text.strip())


def _literal(el: etree._Element) -> str:
    lit = el.find(f"{{{OGC}}}Literal")
    if lit is None:
        raise FesError(f"{_local(el)}: ogc:Literal is missing")
    return "".join(lit.itertext())


def _value(text: str):
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text


def _corners(env: etree._Element) -> tuple[float, float, float, float]:
    def point(names: tuple[str, ...]) -> list[float]:
        for ns in GML:
            for n in names:
                c = env.find(f"{{{ns}}}{n}")
                if c is not None and c.text:
                    return [float(v) for v in c.text.split()]
        raise FesError("BBOX: gml:Envelope needs lowerCorner and upperCorner")

    try:
        (x1, y1), (x2, y2) = point(("lowerCorner", "lowerCorner")), point(("upperCorner", "upperCorner"))
    except ValueError:
        raise FesError("BBOX: corners must be two numbers each") from None
    if (env.get("srsName") or "").strip() in LATLON_CRS:
        x1, y1, x2, y2 = y1, x1, y2, x2
    return x1, y1, x2, y2


def _bbox(el: etree._Element) -> ast.BBox:
    env = next((c for c in _children(el) if _local(c) == "Envelope"), None)
    if env is None:
        raise FesError("BBOX: a gml:Envelope is needed")
    name = el.find(f"{{{OGC}}}PropertyName")
    attr = ast.Attribute(name.text.strip() if name is not None and name.text else "ows:BoundingBox")
    return ast.BBox(attr, *_corners(env), None)


def _node(el: etree._Element):
    name = _local(el)
    kids = _children(el)
    if name in ("And", "Or"):
        if len(kids) < 2:
            raise FesError(f"{name}: at least two operands")
        nodes = [_node(k) for k in kids]
        combine = ast.And if name == "And" else ast.Or
        out = nodes[0]
        for n in nodes[1:]:
            out = combine(out, n)
        return out
    if name == "Not":
        if len(kids) != 1:
            raise FesError("Not: exactly one operand")
        return ast.Not(_node(kids[0]))
    if name in COMPARISONS:
        return COMPARISONS[name](_property(el), _value(_literal(el)))
    if name == "PropertyIsLike":
        return ast.Like(_property(el), _literal(el), nocase=el.get("matchCase", "true").lower() == "false",
                        wildcard=el.get("wildCard", "%"), singlechar=el.get("singleChar", "_"),
                        escapechar=el.get("escapeChar", el.get("escape", "\\")), not_=False)
    if name == "PropertyIsNull":
        return ast.IsNull(_property(el), False)
    if name == "BBOX":
        return _bbox(el)
    raise FesError(f"ogc:{name} is not supported; operators: And, Or, Not, {', '.join(COMPARISONS)}, "
                   "PropertyIsLike, PropertyIsNull, BBOX")


def parse(filter_el: etree._Element):
    """The pygeofilter AST of an ``ogc:Filter`` element."""
    if etree.QName(filter_el).namespace != OGC or _local(filter_el) != "Filter":
        raise FesError("the constraint must be an ogc:Filter (Filter Encoding 1.1)")
    kids = _children(filter_el)
    if len(kids) != 1:
        raise FesError("ogc:Filter holds exactly one operator")
    return _node(kids[0])

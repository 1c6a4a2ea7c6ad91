"""FES 2.0 filters of WFS GetFeature (the KVP ``FILTER``) → an SQL condition with bound values.

The Minimum Standard Filter (And, Or, Not, the six comparisons), PropertyIsLike, PropertyIsNull,
PropertyIsNil, PropertyIsBetween, ResourceId and the BBOX spatial operator. A property must be one
the caller may see (:class:`.wfs_types.FeatureType`), so a filter cannot probe a hidden column;
every literal is converted to the property's type here and bound, never spliced into the SQL.
Anything else is an OptionNotSupported exception naming the operator.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from lxml import etree

from .crs import transform_bounds
from .wfs_crs import default_crs
from .wfs_params import WfsError, crs_param
from .wfs_types import GEOMETRY_PROPERTY, FeatureType

FES = "http://www.opengis.net/fes/2.0"
GML_NAMESPACES = ("http://www.opengis.net/gml/3.2", "http://www.opengis.net/gml")
COMPARISONS = {"PropertyIsEqualTo": "=", "PropertyIsNotEqualTo": "<>", "PropertyIsLessThan": "<",
               "PropertyIsGreaterThan": ">", "PropertyIsLessThanOrEqualTo": "<=",
               "PropertyIsGreaterThanOrEqualTo": ">="}
SCALAR_OPERATORS = ("PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsGreaterThan",
                    "PropertyIsLessThanOrEqualTo", "PropertyIsGreaterThanOrEqualTo", "PropertyIsLike",
                    "PropertyIsNull", "PropertyIsNil", "PropertyIsBetween")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _fail(message: str, code: str = "InvalidParameterValue") -> WfsError:
    return WfsError(f"FILTER: {message}", code, "FILTER")


def split_filters(raw: str, count: int) -> list[str]:
    """KVP FILTER: one filter, or one per type name as ``(<Filter/>)(<Filter/>)``."""
    text = raw.strip()
    if text.startswith("("):
        parts = [p.strip() for p in text[1:-1].split(")(")] if text.endswith(")") else []
    else:
        parts = [text]
    if len(parts) == 1 and count > 1:
        parts = parts * count
    if len(parts) != count:
        raise _fail(f"{len(parts)} filters for {count} type names; give one, or one per type in parentheses")
    return parts


@dataclass
class _Builder:
    feature_type: FeatureType
    prefix: str
    values: dict = field(default_factory=dict)

    def bind(self, value) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    # ------------------------------------------------------------ operands
    def column(self, el) -> tuple[str, str]:
        """The column of a ValueReference and its XML Schema type."""
        ref = el.find(f"{{{FES}}}ValueReference")
        path = (ref.text or "").strip() if ref is not None else ""
        if not path:
            raise _fail(f"{etree.QName(el).localname} needs a ValueReference (a property name)")
        name = path.rsplit("/", 1)[-1].rpartition(":")[2].lstrip("@")
        prop = self.feature_type.find(name)
        if prop is None:
            raise _fail(f"{path!r} is not a property of {self.feature_type.name}")
        return f't."{prop.name}"', prop.xsd_type

    def boundary(self, el, xsd_type: str, where: str) -> str:
        found = el.find(f"{{{FES}}}{where}")
        literal = found.find(f"{{{FES}}}Literal") if found is not None else None
        if literal is None:
            raise _fail(f"{etree.QName(el).localname} needs a {where} with a Literal")
        return self.bind(_typed((literal.text or "").strip(), xsd_type))

    # ------------------------------------------------------------ operators
    def build(self, el) -> str:
        name = etree.QName(el).localname
        if etree.QName(el).namespace != FES:
            raise _fail(f"<{el.tag}> is not an FES 2.0 element ({FES})")
        children = [c for c in el if isinstance(c.tag, str)]
        if name in ("And", "Or"):
            if len(children) < 2:
                raise _fail(f"{name} needs two or more operands")
            return "(" + f" {name.upper()} ".join(self.build(c) for c in children) + ")"
        if name == "Not":
            if len(children) != 1:
                raise _fail("Not needs exactly one operand")
            return f"(NOT {self.build(children[0])})"
        if name in COMPARISONS:
            column, xsd = self.column(el)
            literal_el = el.find(f"{{{FES}}}Literal")
            if literal_el is None:
                raise _fail(f"{name} needs a Literal")
            value = self.bind(_typed((literal_el.text or "").strip(), xsd))
            if xsd == "xsd:string" and el.get("matchCase", "true").lower() == "false":
                return f"(lower({column}) {COMPARISONS[name]} lower({value}))"
            return f"({column} {COMPARISONS[name]} {value})"
        if name == "PropertyIsLike":
            column, _ = self.column(el)
            literal_el = el.find(f"{{{FES}}}Literal")
            if literal_el is None:
                raise _fail("PropertyIsLike needs a Literal")
            pattern = _like(literal_el.text or "", el.get("wildCard", "*"), el.get("singleChar", "?"),
                            el.get("escapeChar", "\\"))
            op = "ILIKE" if el.get("matchCase", "true").lower() == "false" else "LIKE"
            return f"({column}::text {op} {self.bind(pattern)} ESCAPE '\\')"
        if name in ("PropertyIsNull", "PropertyIsNil"):
            column, _ = self.column(el)
            return f"({column} IS NULL)"
        if name == "PropertyIsBetween":
            column, xsd = self.column(el)
            low = self.boundary(el, xsd, "LowerBoundary")
            high = self.boundary(el, xsd, "UpperBoundary")
            return f"({column} BETWEEN {low} AND {high})"
        if name == "BBOX":
            return self.bbox(el)
        raise _fail(f"operator {name} is not offered; see Filter_Capabilities", "OptionNotSupported")

    def bbox(self, el) -> str:
        ref = el.find(f"{{{FES}}}ValueReference")
        if ref is not None and (ref.text or "").strip().rpartition(":")[2] != GEOMETRY_PROPERTY:
            raise _fail(f"BBOX applies to {GEOMETRY_PROPERTY!r}, not {ref.text.strip()!r}")
        envelope = next((c for c in el.iter() if etree.QName(c).localname == "Envelope"
                         and etree.QName(c).namespace in GML_NAMESPACES), None)
        if envelope is None:
            raise _fail("BBOX needs a gml:Envelope")
        corners = []
        for corner in ("lowerCorner", "upperCorner"):
            found = next((c for c in envelope if etree.QName(c).localname == corner), None)
            try:
                a, b = (float(v) for v in (found.text or "").split())  # type: ignore[union-attr]
            except (AttributeError, ValueError):
                raise _fail(f"gml:Envelope needs a {corner} of two numbers") from None
            corners.append((a, b))
        srs = envelope.get("srsName")
        crs = crs_param(srs, "FILTER") if srs else default_crs()
        (a, b), (c, d) = corners
        xy = (a, b, c, d) if crs.given_xy else (b, a, d, c)
        minx, miny, maxx, maxy = transform_bounds(xy, crs.code, "EPSG:4326")
        corners_sql = ", ".join(self.bind(v) for v in (minx, miny, maxx, maxy))
        box = f"ST_MakeEnvelope({corners_sql}, 4326)"
        columns = self.feature_type.source.geometry_columns
        return "(" + " OR ".join(f'ST_Intersects(t."{g}", {box})' for g in columns) + ")"


def _typed(text: str, xsd_type: str):
    try:
        if xsd_type in ("xsd:integer", "xsd:double"):
            return float(text)
        if xsd_type == "xsd:boolean":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if xsd_type == "xsd:date":
            return dt.date.fromisoformat(text)
        if xsd_type == "xsd:dateTime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"literal {text!r} is not a {xsd_type.removeprefix('xsd:')}") from None
    return text


def _like(pattern: str, wild: str, single: str, escape: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == escape and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\" + nxt if nxt in "%_\\" else nxt)
            i += 2
            continue
        out.append("%" if ch == wild else "_" if ch == single else "\\" + ch if ch in "%_\\" else ch)
        i += 1
    return "".join(out)


def filter_sql(xml: str, feature_type: FeatureType, prefix: str = "f") -> tuple[str, dict]:
    """An FES 2.0 ``fes:Filter`` → (SQL condition over the alias ``t``, bound values)."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _fail(f"not well-formed XML ({exc.msg})", "OperationParsingFailed") from None
    if etree.QName(root).localname != "Filter" or etree.QName(root).namespace != FES:
        raise _fail(f"the root element must be fes:Filter ({FES})")
    children = [c for c in root if isinstance(c.tag, str)]
    if not children:
        raise _fail("fes:Filter is empty")
    builder = _Builder(feature_type, prefix)
    if all(etree.QName(c).localname == "ResourceId" for c in children):
        ids = []
        for c in children:
            layer, _, value = (c.get("rid") or "").partition(".")
            try:
                if layer == feature_type.name:
                    ids.append(uuid.UUID(value))
            except ValueError:
                raise _fail(f"ResourceId rid {c.get('rid')!r} is not <layer>.<uuid>") from None
        return f"t.id = ANY({builder.bind(ids)})", builder.values
    if len(children) != 1:
        raise _fail("fes:Filter holds one operator (combine several with And or Or)")
    return builder.build(children[0]), builder.values

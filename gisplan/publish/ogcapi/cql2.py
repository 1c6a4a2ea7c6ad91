"""CQL2 filters (OGC API – Features Part 3): text or JSON, parsed by pygeofilter, compiled to a SQL
condition with bound parameters over the columns a caller may see.

Supported: comparisons, ``LIKE`` (``%`` and ``_``), ``IN``, ``BETWEEN``, ``IS NULL``, ``AND``/``OR``/
``NOT``, ``CASEI``, the spatial predicates ``S_INTERSECTS``, ``S_DISJOINT``, ``S_CONTAINS``,
``S_WITHIN``, ``S_TOUCHES``, ``S_CROSSES``, ``S_OVERLAPS``, ``S_EQUALS`` and ``BBOX`` on the
property ``geometry`` with CRS84 literals. Anything else is refused with a message naming it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle

from .crs import BadParameter
from .queryables import GEOMETRY_NAMES, Queryable

LANGUAGES = ("cql2-text", "cql2-json")
_COMPARE = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_SPATIAL = {"INTERSECTS": "ST_Intersects", "DISJOINT": "ST_Disjoint", "CONTAINS": "ST_Contains",
            "WITHIN": "ST_Within", "TOUCHES": "ST_Touches", "CROSSES": "ST_Crosses",
            "OVERLAPS": "ST_Overlaps", "EQUALS": "ST_Equals"}
_CASEI = ("lower", "casei")
P = "filter"


@dataclass
class Binds:
    """Bound parameters of one query; :meth:`add` returns the placeholder."""

    values: dict = field(default_factory=dict)
    prefix: str = "f"

    def add(self, value) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f":{name}"


@dataclass(frozen=True)
class _Column:
    sql: str
    queryable: Queryable


@dataclass(frozen=True)
class _Geometry:
    sql: str


@dataclass(frozen=True)
class _Value:
    value: object


class _Compiler(Evaluator):
    def __init__(self, fields: dict[str, Queryable], geometry_sql: str, binds: Binds):
        self.fields = fields
        self.geometry_sql = geometry_sql
        self.binds = binds

    # ---------------------------------------------------------------- operands
    @handle(ast.Attribute)
    def attribute(self, node):
        if node.name in GEOMETRY_NAMES:
            return _Geometry(self.geometry_sql)
        q = self.fields.get(node.name)
        if q is None:
            raise BadParameter(P, f"unknown property {node.name!r}; queryables: {', '.join(self.fields)}")
        return _Column(q.sql, q)

    @handle(*values.LITERALS)
    def literal(self, node):
        return _Value(node)

    @handle(values.Geometry)
    def geometry(self, node):
        return _Geometry(f"ST_SetSRID(ST_GeomFromGeoJSON({self.binds.add(json.dumps(node.geometry))}), 4326)")

    @handle(values.Envelope)
    def envelope(self, node):
        return _Geometry(self._envelope(node.x1, node.y1, node.x2, node.y2))

    @handle(ast.Function)
    def function(self, node, *args):
        if node.name.lower() not in _CASEI or len(args) != 1:
            raise BadParameter(P, f"function {node.name}() is not supported (CASEI only)")
        (arg,) = args
        if isinstance(arg, _Column) and arg.queryable.kind == "text":
            return _Column(f"lower({arg.sql})", arg.queryable)
        if isinstance(arg, _Value) and isinstance(arg.value, str):
            return _Value(arg.value.lower())
        raise BadParameter(P, "CASEI takes a text property or a text")

    # ---------------------------------------------------------------- predicates
    @handle(ast.Not)
    def not_(self, node, sub):
        return f"(NOT {sub})"

    @handle(ast.And, ast.Or)
    def combination(self, node, lhs, rhs):
        return f"({lhs} {node.op.value} {rhs})"

    @handle(ast.Include)
    def include(self, node):
        return "false" if node.not_ else "true"

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        op = _COMPARE[node.op.value]
        return f"({self._scalar(lhs, rhs)} {op} {self._scalar(rhs, lhs)})"

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        neg = "NOT " if node.not_ else ""
        return f"({self._scalar(lhs, low)} {neg}BETWEEN {self._scalar(low, lhs)} AND {self._scalar(high, lhs)})"

    @handle(ast.Like)
    def like(self, node, lhs):
        column = self._column(lhs, "LIKE")
        pattern = node.pattern
        if isinstance(pattern, ast.Function) and pattern.name.lower() in _CASEI and len(pattern.arguments) == 1:
            pattern = self.function(pattern, _Value(pattern.arguments[0])).value
        if column.queryable.kind != "text" or not isinstance(pattern, str):
            raise BadParameter(P, f"LIKE needs a text property and a text pattern ({column.queryable.name})")
        op = ("NOT " if node.not_ else "") + ("ILIKE" if node.nocase else "LIKE")
        return f"({column.sql} {op} {self.binds.add(pattern)} ESCAPE '\\')"

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        column = self._column(lhs, "IN")
        listed = ", ".join(self._scalar(o, column) for o in options)
        return f"({column.sql} {'NOT ' if node.not_ else ''}IN ({listed}))"

    @handle(ast.IsNull)
    def is_null(self, node, lhs):
        if isinstance(lhs, _Geometry):
            return f"({lhs.sql} IS {'NOT ' if node.not_ else ''}NULL)"
        return f"({self._column(lhs, 'IS NULL').sql} IS {'NOT ' if node.not_ else ''}NULL)"

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node, lhs, rhs):
        function = _SPATIAL[node.op.name]
        return f"{function}({self._geometry(lhs)}, {self._geometry(rhs)})"

    @handle(ast.BBox)
    def bbox(self, node, lhs):
        if node.crs and node.crs.upper() not in ("CRS84", "OGC:CRS84", "EPSG:4326"):
            raise BadParameter(P, f"BBOX in {node.crs} is not supported; give CRS84 longitude/latitude")
        return f"ST_Intersects({self._geometry(lhs)}, {self._envelope(node.minx, node.miny, node.maxx, node.maxy)})"

    def adopt(self, node, *sub_args):
        raise BadParameter(P, f"{type(node).__name__} is not supported here; see /conformance")

    # ---------------------------------------------------------------- helpers
    def _envelope(self, x1, y1, x2, y2) -> str:
        try:
            coords = [float(v) for v in (x1, y1, x2, y2)]
        except (TypeError, ValueError):
            raise BadParameter(P, "BBOX needs four numbers") from None
        return "ST_MakeEnvelope({}, {}, {}, {}, 4326)".format(*(self.binds.add(v) for v in coords))

    @staticmethod
    def _column(operand, what: str) -> _Column:
        if not isinstance(operand, _Column):
            raise BadParameter(P, f"{what} needs a property on its left")
        return operand

    @staticmethod
    def _geometry(operand) -> str:
        if not isinstance(operand, _Geometry):
            raise BadParameter(P, "spatial predicates take the property geometry and a geometry literal")
        return operand.sql

    def _scalar(self, operand, other) -> str:
        """SQL of a comparison operand; a literal is converted to the type of the property beside it."""
        if isinstance(operand, _Column):
            return operand.sql
        if isinstance(operand, _Geometry):
            raise BadParameter(P, "a geometry cannot be compared with =, <, >; use S_INTERSECTS, …")
        if not isinstance(operand, _Value):
            raise BadParameter(P, f"{type(operand).__name__} cannot be compared")
        if isinstance(other, _Column):
            q = other.queryable
            return q.cast(self.binds.add(q.convert(operand.value, P)))
        raise BadParameter(P, "a comparison needs a property on one side")


def parse(text: str, language: str | None):
    """The pygeofilter AST of a CQL2 text or JSON filter; :class:`BadParameter` when it does not parse."""
    language = (language or "cql2-text").strip().lower()
    if language not in LANGUAGES:
        raise BadParameter("filter-lang", f"{language!r} is not offered; use {' or '.join(LANGUAGES)}")
    try:
        if language == "cql2-json":
            from pygeofilter.parsers.cql2_json import parse as parse_json

            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise BadParameter(P, f"not JSON: {exc.msg} at character {exc.pos}") from None
            return parse_json(document)
        from pygeofilter.parsers.cql2_text import parse as parse_text

        return parse_text(text)
    except BadParameter:
        raise
    except Exception as exc:  # lark and pygeofilter raise many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadParameter(P, f"not valid {language}: {first}") from None


def compile_filter(text: str, language: str | None, fields: dict[str, Queryable], geometry_sql: str,
                   binds: Binds) -> str:
    """A SQL condition for ``text``, its values added to ``binds``."""
    tree = parse(text, language)
    try:
        sql = _Compiler(fields, geometry_sql, binds).evaluate(tree)
    except BadParameter:
        raise
    except (NotImplementedError, KeyError, TypeError, ValueError) as exc:
        raise BadParameter(P, f"cannot be evaluated: {exc}") from None
    if not isinstance(sql, str):
        raise BadParameter(P, "is not a condition (a property or a value alone)")
    return sql

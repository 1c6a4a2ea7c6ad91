"""XLSX reports from an XLSX template (openpyxl): Jinja in the cells.

* A cell holding exactly ``{{ expression }}`` gets the expression's value as is, so numbers stay
  numbers (summable in the spreadsheet); any other text with ``{{ }}`` is rendered as text.
* A row whose first cell starts with ``{%row NAME in EXPRESSION%}`` is repeated for each item of
  the expression, with ``NAME`` bound to the item; the rest of that cell is its own template.
  An empty list removes the row.
* Styles, row heights, column widths, merged cells and print settings of the template are kept
  (merged cells on repeated rows are repeated with them).
"""

from __future__ import annotations

import io
import re
from copy import copy
from decimal import Decimal

from jinja2 import Undefined
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from .formatting import environment
from .templates import Template, TemplateError

ROW_DIRECTIVE = re.compile(r"^\s*\{%\s*row\s+(\w+)\s+in\s+(.+?)\s*%\}", re.S)
WHOLE_EXPRESSION = re.compile(r"^\s*\{\{((?:(?!\}\}|\{\{).)+)\}\}\s*$", re.S)


class _Cells:
    def __init__(self, env, template_name: str):
        self.env, self.name, self.cache = env, template_name, {}

    def evaluate(self, expression: str, ctx: dict, where: str):
        """The value of a Jinja expression, as is."""
        try:
            key = ("e", expression)
            if key not in self.cache:
                self.cache[key] = self.env.compile_expression(expression.strip(), undefined_to_none=False)
            result = self.cache[key](**ctx)
            if isinstance(result, Undefined):
                result._fail_with_undefined_error()
            return result
        except Exception as exc:
            raise TemplateError(f"template {self.name}, cell {where}: {exc}") from None

    def value(self, raw, ctx: dict, where: str):
        """A cell's value: ``{{ x }}`` alone keeps x's type (numbers stay numbers), other text is rendered."""
        if not isinstance(raw, str) or ("{{" not in raw and "{%" not in raw):
            return raw
        whole = WHOLE_EXPRESSION.match(raw)
        if whole:
            result = self.evaluate(whole.group(1), ctx, where)
            if result is None or isinstance(result, (int, float, Decimal)) and not isinstance(result, bool):
                return result
            return str(result)
        try:
            key = ("t", raw)
            if key not in self.cache:
                self.cache[key] = self.env.from_string(raw)
            return self.cache[key].render(**ctx)
        except Exception as exc:
            raise TemplateError(f"template {self.name}, cell {where}: {exc}") from None


def _render_sheet(ws, ctx: dict, cells: _Cells) -> None:
    rows = []
    for r in range(1, ws.max_row + 1):
        row = [(c, ws.cell(r, c).value, copy(ws.cell(r, c)._style)) for c in range(1, ws.max_column + 1)]
        rows.append((r, row, ws.row_dimensions[r].height))
    merges = [range_boundaries(str(m)) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.delete_rows(1, ws.max_row)
    out, new_merges = 1, []
    for r, row, height in rows:
        first = row[0][1] if row else None
        loop = ROW_DIRECTIVE.match(first) if isinstance(first, str) else None
        if loop:
            var, expr = loop.group(1), loop.group(2)
            row = [(row[0][0], first[loop.end():], row[0][2]), *row[1:]]
            items = cells.evaluate(expr, ctx, f"{ws.title}!A{r}")
            if items is not None and not isinstance(items, (list, tuple)):
                raise TemplateError(f"template {cells.name}, cell {ws.title}!A{r}: {expr!r} is not a list")
            scopes = [{**ctx, var: item} for item in (items or [])]
        else:
            scopes = [ctx]
        for scope in scopes:
            for c, raw, style in row:
                cell = ws.cell(out, c)
                cell.value = cells.value(raw, scope, f"{ws.title}!{get_column_letter(c)}{r}")
                cell._style = copy(style)
            if height is not None:
                ws.row_dimensions[out].height = height
            new_merges += [(c1, out, c2, out + (r2 - r1)) for c1, r1, c2, r2 in merges if r1 == r]
            out += 1
    for c1, r1, c2, r2 in new_merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def render_xlsx(template: Template, ctx: dict) -> bytes:
    wb = load_workbook(template.path)
    cells = _Cells(environment(), template.name)
    for ws in wb.worksheets:
        _render_sheet(ws, ctx, cells)
    wb.properties.keywords = f"gisplan report; template {ctx['template']['label']}"
    wb.properties.title = f"{ctx['title']['uk']}: {ctx['program']['title']}"[:250]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

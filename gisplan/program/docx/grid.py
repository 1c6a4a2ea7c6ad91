"""A DOCX body as Word keeps it: paragraphs and tables in document order, each table as a grid
of cell texts in which merged cells are resolved.

Horizontal merges (``gridSpan``) and vertical merges (``vMerge``) both become grid cells that
point to the cell they belong to (its ``origin``), so a reader can tell a merged priority cell
from a cell that merely repeats the same words. ``gridBefore``/``gridAfter`` leave empty cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from .text import normalise


@dataclass(frozen=True)
class GridCell:
    text: str  # normalised: single spaces, look-alike letters fixed, line breaks joined
    origin: tuple[int, int]  # (row, column) of the cell this grid position belongs to
    raw: str = ""  # the text as written, line breaks kept

    @property
    def empty(self) -> bool:
        return not self.text


@dataclass
class Table:
    index: int  # 1-based position among the document's tables
    rows: list[list[GridCell]]
    before: list[str] = field(default_factory=list)  # paragraphs between the previous table and this one

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def distinct(self, r: int) -> list[GridCell]:
        """The cells of a row, each merged cell once, in column order."""
        seen: set[tuple[int, int]] = set()
        out = []
        for c in self.rows[r]:
            if c.origin not in seen:
                seen.add(c.origin)
                out.append(c)
        return out

    def own_texts(self, r: int) -> list[str]:
        """Non-empty texts of the cells that start in row ``r`` (vertical merges from above excluded)."""
        return [c.text for c in self.distinct(r) if c.text and c.origin[0] == r]


@dataclass
class Body:
    paragraphs: list[str]  # every paragraph of the body (outside tables), normalised
    tables: list[Table]


def _cell_text(tc) -> str:
    parts = [Paragraph(p, None).text for p in tc.iter(qn("w:p"))]
    return "\n".join(parts)


def _grid_value(trPr, name: str) -> int:
    if trPr is None:
        return 0
    el = trPr.find(qn(f"w:{name}"))
    return int(el.get(qn("w:val"), "0")) if el is not None else 0


def _table_grid(tbl, index: int) -> Table:
    rows: list[list[GridCell]] = []
    for r, tr in enumerate(tbl.findall(qn("w:tr"))):
        row: list[GridCell] = []
        trPr = tr.find(qn("w:trPr"))
        for _ in range(_grid_value(trPr, "gridBefore")):
            row.append(GridCell("", (r, len(row))))
        for tc in tr.findall(qn("w:tc")):
            tcPr = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if tcPr is not None:
                gs = tcPr.find(qn("w:gridSpan"))
                span = int(gs.get(qn("w:val"), "1")) if gs is not None else 1
                vm = tcPr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val"), "continue")
            col = len(row)
            if vmerge == "continue" and rows and col < len(rows[-1]):
                above = rows[-1][col]
                cell = GridCell(above.text, above.origin, above.raw)
            else:
                raw = _cell_text(tc)
                cell = GridCell(normalise(raw), (r, col), raw)
            row.extend([cell] * span)
        for _ in range(_grid_value(trPr, "gridAfter")):
            row.append(GridCell("", (r, len(row))))
        rows.append(row)
    return Table(index=index, rows=rows)


def read_body(document) -> Body:
    """Paragraphs and tables of a python-docx ``Document`` in the order of the body."""
    paragraphs: list[str] = []
    tables: list[Table] = []
    pending: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = normalise(Paragraph(child, None).text)
            if text:
                paragraphs.append(text)
                pending.append(text)
        elif child.tag == qn("w:tbl"):
            table = _table_grid(child, len(tables) + 1)
            table.before = pending
            pending = []
            tables.append(table)
    return Body(paragraphs, tables)

"""The annual report as a document model, independent of the output format.

``report.py`` builds it from a verified return; ``report_docx.py``, ``report_html.py`` and
``report_md.py`` only draw it. Tables carry their merged cells exactly as the national format
prints them (the same label boxes the Excel template draws), so every output shows the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableCell:
    text: str
    row: int  # 0-based position in the table grid
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # a label (column header, row label or caption), not a number
    numeric: bool = False  # a number: right-aligned
    scope: str = ""  # for HTML: "col", "row", "colgroup", "rowgroup" or ""


@dataclass(frozen=True)
class Table:
    key: str  # "t2", "t3", "t4"
    n_rows: int
    n_cols: int
    cells: tuple[TableCell, ...]  # only the top-left cell of each merged box
    widths: tuple[float, ...] = ()  # relative column widths
    header_rows: int = 0  # rows to repeat on each page


@dataclass(frozen=True)
class Block:
    kind: str  # "heading1" (一、…), "heading2" (（一）…), "paragraph", "table"
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class Report:
    title: str  # {单位全称}{YYYY}年政府信息公开工作年度报告
    unit: str
    year: int
    blocks: tuple[Block, ...] = ()
    signature: tuple[str, ...] = field(default_factory=tuple)  # unit name and date, right-aligned at the end
    mark: str = ""  # "未通过校验…" on a report forced out of a return with errors: shown in every format

    def text_lines(self) -> list[str]:
        """Every paragraph and table cell text in reading order (what tests compare)."""
        out = [self.title]
        for b in self.blocks:
            if b.table is not None:
                out += [c.text for c in sorted(b.table.cells, key=lambda c: (c.row, c.col)) if c.text]
            elif b.text:
                out.append(b.text)
        return out + [s for s in self.signature if s]

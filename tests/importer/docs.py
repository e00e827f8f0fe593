"""Published reports written for the tests, laid out as the national format prints them.

The tables follow the form's grids: merged captions, multi-level headers and row labels (Word cells
merged with python-docx, HTML cells with rowspan/colspan). ``drift`` writes what real documents do
to labels: ASCII parentheses, "规范性文件", "本年(2025)制发件数", a label broken over two lines, a
space inside a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from xltool.form.calc import totals
from xltool.form.layout import label_boxes
from xltool.form.model import Form, Grid

Cells = dict[tuple[int, int], tuple[str, int, int]]  # (row, col) -> (text, rows spanned, cols spanned)

DRIFT = {
    "（": "(",
    "）": ")",
    "行政规范性文件": "规范性文件",
    "本年制发件数": "本年(2025)制发件数",
    "行政许可": "行政 许可",
}


def all_values(form: Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs with every total summed, unless ``values`` gives the total itself (a wrong total)."""
    out = {k: _plain(v) for k, v in totals(form, values).items()}
    out.update(values)
    return out


def _plain(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _show(v: Any) -> str:
    return "" if v is None else str(v)


def grid_cells(form: Form, g: Grid, values: Mapping[str, Any]) -> tuple[int, int, Cells]:
    """The grid as merged cells: (height, width, cells)."""
    width = g.label_depth + g.data_width
    cells: Cells = {}
    top = 0
    if g.caption:
        cells[0, 0] = (g.caption, 1, width)
        top = 1
    if g.label_depth and g.corner:
        cells[top, 0] = (g.corner, g.header_depth, g.label_depth)
    spans = [c.span for c in g.columns]
    for b in label_boxes([c.path for c in g.columns], g.header_depth, spans):
        cells[top + b.level, g.label_depth + b.start] = (b.text, b.level_end - b.level + 1, b.end - b.start + 1)
    data = top + g.header_depth
    if g.label_depth:
        for b in label_boxes([r.path for r in g.rows], g.label_depth):
            cells[data + b.start, b.level] = (b.text, b.end - b.start + 1, b.level_end - b.level + 1)
    for i, r in enumerate(g.rows):
        for j, c in enumerate(g.columns):
            cells[data + i, g.col_pos(j) - g.col0] = (_show(values.get(g.field_key(r, c))), 1, c.span)
    return data + len(g.rows), width, cells


def _drift(text: str, drift: bool) -> str:
    if not drift:
        return text
    for a, b in DRIFT.items():
        text = text.replace(a, b)
    return text


def write_docx(form: Form, out: Path, unit: str, year: int, values: Mapping[str, Any], texts: Mapping[str, str],
               *, drift: bool = False) -> Path:  # fmt: skip
    import docx

    document = docx.Document()
    document.add_paragraph(f"{unit}{year}年政府信息公开工作年度报告")
    document.add_paragraph(f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。联系电话：0377-6000000。")
    full = all_values(form, values)
    for section in form.sections:
        document.add_paragraph(section.heading)
        for key in section.fields:
            if texts.get(key):
                if form.fields[key].label.startswith("（"):  # a sub-item's heading; a part's only text has none
                    document.add_paragraph(form.fields[key].label)
                for line in texts[key].split("\n"):
                    document.add_paragraph(line)
        for g in form.grids_of(section.table) if section.table else ():
            height, width, cells = grid_cells(form, g, full)
            table = document.add_table(rows=height, cols=width)
            table.style = "Table Grid"
            grid = [row.cells for row in table.rows]
            for (r, c), (text, h, w) in cells.items():
                cell = grid[r][c]
                if h > 1 or w > 1:
                    cell = cell.merge(grid[r + h - 1][c + w - 1])
                text = _drift(text, drift)
                if drift and len(text) > 20 and not text[0].isdigit():  # a label broken over two lines
                    cell.text = text[:8]
                    cell.add_paragraph(text[8:])
                else:
                    cell.text = text
    document.save(str(out))
    return out


def write_html(form: Form, out: Path, unit: str, year: int, values: Mapping[str, Any], texts: Mapping[str, str],
               *, drift: bool = False, encoding: str = "gbk") -> Path:  # fmt: skip
    full = all_values(form, values)
    parts = [
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
        f"<title>{escape(unit)}{year}年政府信息公开工作年度报告_桐柏县人民政府</title></head><body>",
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>',
        f"<h1>{escape(unit)}{year}年政府信息公开工作年度报告</h1>",
        f"<p>统计期限自{year}年1月1日起至{year}年12月31日止。</p>",
    ]
    for section in form.sections:
        parts.append(f"<p><strong>{escape(section.heading)}</strong></p>")
        for key in section.fields:
            if texts.get(key):
                if form.fields[key].label.startswith("（"):
                    parts.append(f"<p>{escape(form.fields[key].label)}</p>")
                parts += [f"<p>&nbsp;&nbsp;{escape(line)}</p>" for line in texts[key].split("\n")]
        for g in form.grids_of(section.table) if section.table else ():
            height, width, cells = grid_cells(form, g, full)
            parts.append('<table border="1" cellspacing="0">')
            for r in range(height):
                row = "".join(
                    f'<td rowspan="{h}" colspan="{w}">{escape(_drift(text, drift))}</td>'
                    for (rr, c), (text, h, w) in sorted(cells.items())
                    if rr == r
                )
                parts.append(f"<tr>{row}</tr>")
            parts.append("</table>")
    parts.append('<div class="footer">【打印本页】【关闭窗口】</div></body></html>')
    out.write_bytes("\n".join(parts).encode(encoding))
    return out

"""各单位数据 of the county's summary workbook: one column per unit, one row per number field.

A form has some two hundred number fields and a county some forty units: a row per unit would print
as dozens of A4 pages of five columns each. Turned this way the sheet is fitted to the width of a
landscape page, the unit names and the field labels repeated on every page, and prints in a few
pages. A total is a SUM of its parts in the unit's own column, with the computed value cached; a
value a warning questions is shaded and carries the warning as a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xltool.campaign.aggregate import AggregateResult, Flag
from xltool.campaign.register import STANDING_ZH
from xltool.campaign.status_files import plain_label
from xltool.form.layout import a1, page_fit, row_height, text_units, wrapped_height
from xltool.form.model import Field

UNITS = "各单位数据"
ROW_LABEL_WIDTH = 16.0  # 栏目, the row's label: wraps inside the box merged over its columns' rows
COLUMN_LABEL_WIDTH = (8.0, 28.0)  # 项目, the column's label: one line when it can, within these bounds
UNIT_WIDTH = 6.0  # four digits and a little room; a unit's name wraps two characters a line
LINE = 14.0  # points a line of 10-point text takes
FIRST = 2  # the first unit's column


@dataclass(frozen=True)
class UnitsLayout:
    """Where 各单位数据 put things (0-based): each field's row, the units' columns."""

    rows: dict[str, int]
    heads: dict[str, int]  # 单位, 单位类型, 校验结论 -> its row
    first_col: int
    last_col: int
    labels: tuple[float, float]  # the widths of 栏目 and 项目

    def row_range(self, key: str) -> str:
        """The field's cells of every unit, e.g. "C5:AL5"."""
        row = self.rows[key]
        return f"{a1(row, self.first_col)}:{a1(row, self.last_col)}"


def write_units(book: Any, formats: dict[str, Any], result: AggregateResult, fields: Sequence[Field],
                layout: UnitsLayout, number: Callable[[str, bool, bool], Any]) -> Any:  # fmt: skip
    """The sheet, written as ``units_layout`` placed it; ``number(key, total, questioned)`` the
    format of a field's cell."""
    ws, units = book.add_worksheet(UNITS), result.included
    ws.write_string(0, 0, f"{result.title}：各单位数据（已汇总的 {len(units)} 个单位，每个单位一列）", formats["title"])
    ws.set_column(0, 0, layout.labels[0])
    ws.set_column(1, 1, layout.labels[1])
    ws.set_column(FIRST, layout.last_col, UNIT_WIDTH)
    height = _heads(ws, formats, units, layout) + _labels(ws, formats, result, fields, layout)
    for c, unit in enumerate(units, start=FIRST):
        flags = {f.key: f for f in unit.flags}
        for f in fields:
            row, fmt = layout.rows[f.key], number(f.key, bool(f.parts), f.key in flags)
            if f.key in flags:
                ws.write_comment(row, c, _comment([flags[f.key]]), {"x_scale": 2, "y_scale": 1.5})
            value = unit.values.get(f.key)  # None: a blank the aggregate passes over (an average's)
            if f.parts:
                refs = ",".join(a1(layout.rows[p], c) for p in f.parts)
                ws.write_formula(row, c, f"=SUM({refs})", fmt, "" if value is None else value)
            elif value is None:
                ws.write_blank(row, c, None, fmt)
            else:
                ws.write_number(row, c, value, fmt)
    below = max(layout.heads.values()) + 1  # the unit names, types and verdicts stay in view and in print
    ws.freeze_panes(below, FIRST)
    ws.repeat_rows(1, below - 1)
    ws.repeat_columns(0, FIRST - 1)
    ws.set_paper(9)
    if page_fit([*layout.labels, *[UNIT_WIDTH] * len(units)], height).landscape:  # many units: across
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def units_layout(fields: Sequence[Field], heads: Sequence[str], units: int) -> UnitsLayout:
    """Header rows from row 1 (``heads``: 单位类型 only when the form has unit types), then each run
    of one form sheet's fields under a heading row."""
    head_rows = {h: 1 + i for i, h in enumerate(heads)}
    rows, row, sheet = {}, 1 + len(heads), None
    for f in fields:
        if f.sheet != sheet:
            row, sheet = row + 1, f.sheet  # the form sheet's heading
        rows[f.key] = row
        row += 1
    least, most = COLUMN_LABEL_WIDTH
    widest = max((text_units(plain_label(f.col_label)) for f in fields), default=least)
    labels = (ROW_LABEL_WIDTH, min(most, max(least, widest + 1.5)))
    return UnitsLayout(rows, head_rows, FIRST, FIRST + max(units, 1) - 1, labels)


def _heads(ws: Any, formats: dict[str, Any], units: Sequence[Any], layout: UnitsLayout) -> float:
    """The header rows; their height in points."""
    values = {"单位": [u.unit for u in units], "单位类型": [u.unit_type for u in units],
              "校验结论": [STANDING_ZH[u.standing] for u in units]}  # fmt: skip
    height = 0.0
    for head, row in layout.heads.items():
        ws.merge_range(row, 0, row, FIRST - 1, head, formats["head"])
        texts = values[head]
        for c, text in enumerate(texts, start=FIRST):
            ws.write_string(row, c, text, formats["head"])
        height += _set_row(ws, row, row_height(texts, [UNIT_WIDTH] * len(texts), line=LINE))
    return height


def _set_row(ws: Any, row: int, points: float) -> float:
    ws.set_row(row, points)
    return points


def _labels(ws: Any, formats: dict[str, Any], result: AggregateResult, fields: Sequence[Field],
            layout: UnitsLayout) -> float:  # fmt: skip
    """The form sheet's name over its fields; a row's label once over the run of its columns. The
    rows' height in points."""
    sheet, i, height = None, 0, 0.0
    while i < len(fields):
        f = fields[i]
        if f.sheet != sheet:
            sheet = f.sheet
            ws.merge_range(layout.rows[f.key] - 1, 0, layout.rows[f.key] - 1, layout.last_col,
                           result.form.sheet(f.sheet).name, formats["heading"])  # fmt: skip
            height += 20
        j = i
        while j + 1 < len(fields) and fields[j + 1].sheet == sheet and _row_of(fields[j + 1]) == _row_of(f):
            j += 1
        height += _label_run(ws, formats, fields[i : j + 1], layout)
        i = j + 1
    return height


def _row_of(f: Field) -> str:
    return plain_label(f.row_label) if f.col_label else plain_label(f.label)


def _label_run(ws: Any, formats: dict[str, Any], run: Sequence[Field], layout: UnitsLayout) -> float:
    """Fields of one table row: its label merged over them, each column's label beside it; every
    row tall enough for its texts (LibreOffice does not fit rows on open). Their height in points."""
    first, last = layout.rows[run[0].key], layout.rows[run[-1].key]
    label = _row_of(run[0])
    if not run[0].col_label:  # a field outside a grid's columns: its label across both columns
        ws.merge_range(first, 0, first, FIRST - 1, label, formats["label"])
        return _set_row(ws, first, row_height([label], [sum(layout.labels)], line=LINE))
    if first == last:
        ws.write_string(first, 0, label, formats["label"])
    else:
        ws.merge_range(first, 0, last, 0, label, formats["label"])
    share = wrapped_height(label, layout.labels[0], LINE) / len(run)
    height = 0.0
    for f in run:
        text = plain_label(f.col_label)
        ws.write_string(layout.rows[f.key], 1, text, formats["label"])
        height += _set_row(ws, layout.rows[f.key], max(share, row_height([text], [layout.labels[1]], line=LINE)))
    return height


def _comment(flags: Sequence[Flag]) -> str:
    return "含有警告的数值（已计入汇总，请核实）：\n" + "\n".join(f.line() for f in flags)

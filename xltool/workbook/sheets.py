"""What goes on a template's sheets: each grid (headers, labels, input, sum and formula cells, its
check cells below and to the right) and the check summary with its live verdict, in the order the
fingerprint and the page fit need.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xltool.form.calc import (
    check_status,
    overall_value,
)
from xltool.form.cells import CONSTANT, required_here
from xltool.form.kinds.base import LiveCell
from xltool.form.layout import (
    DEFAULT_ROW_POINTS,
    a1,
    label_boxes,
    wrapped_height,
)
from xltool.form.model import (
    SEVERITY_ZH,
    Check,
    Field,
    Grid,
    text_checks_note,
    workbook_rules,
)
from xltool.form.period import fill
from xltool.workbook.formulas import (
    blank_count,
    checks_formula,
    overall_formula,
    rule_summary,
    untouched,
    untouched_value,
    worst_status,
)
from xltool.workbook.validation import add_validations
from xltool.workbook.writer import NUMBER_STYLE, Writer, input_format


def write_sheets(w: Writer, password: str) -> None:
    """Everything on the sheets, in the order the fingerprint and the page fit need."""
    for s in w.form.sheets:
        ws = w.sheets[s.key]
        for i, width in enumerate(s.widths):
            ws.set_column(i, i, width)
        title = fill(s.title, w.unit.names())
        w.merge(s.key, 0, 0, 0, max(len(s.widths), 1) - 1, title, "title")
        w.row_height(s.key, 0, 30)
        if s.freeze:
            ws.freeze_panes(s.freeze)
    w.guide()
    for g in w.form.grids:
        write_grid(w, g)
    for b in w.form.fields_blocks:
        w.fields_block(b.sheet, b.row0, b.col0, b.items)
    write_checks_summary(w)
    w.subtitles()
    add_validations(w.form, w.sheets)
    w.define_names()
    w.check_colours()
    for s in w.form.sheets:
        w.page_setup(s)
        w.sheets[s.key].protect(password, {"format_rows": True, "format_columns": True})
    w.sheets[w.form.template.active].activate()


def write_grid(w: Writer, g: Grid) -> None:
    ws = w.sheets[g.sheet]
    right = g.col0 + g.label_depth + g.data_width - 1
    if g.caption:
        w.merge(g.sheet, g.row0, g.col0, g.row0, right, g.caption, "caption")
    if g.label_depth:
        w.merge(g.sheet, g.header_top, g.col0, g.data_top - 1, g.data_left - 1, g.corner, "corner")
    if sum(1 for other in w.form.grids if other.sheet == g.sheet) == 1:
        ws.repeat_rows(g.header_top, g.data_top - 1)
        w.print_titles.add(g.sheet)
    for level in range(g.header_depth):
        w.row_height(g.sheet, g.header_top + level, 20 if g.header_depth == 1 else 30)
    # Column headers run down from header_top; row labels run across from col0 (levels transposed).
    for b in label_boxes([c.path for c in g.columns], g.header_depth, [c.span for c in g.columns]):
        top, left = g.header_top + b.level, g.data_left + b.start
        w.merge(g.sheet, top, left, g.header_top + b.level_end, g.data_left + b.end, b.text, "header")
    for b in label_boxes([r.path for r in g.rows], g.label_depth):
        top, left = g.data_top + b.start, g.col0 + b.level
        w.merge(g.sheet, top, left, g.data_top + b.end, g.col0 + b.level_end, b.text, "label")
    for i, row in enumerate(g.rows):
        w.row_height(g.sheet, g.data_top + i, _label_height(w, g, row.path))
        for column in g.columns:
            _grid_cell(w, g, w.form.fields[g.field_key(row, column)], column.span)
    for k, rule_id in enumerate(g.checks_right):
        col = g.data_left + g.data_width + k
        w.merge(
            g.sheet,
            g.header_top,
            col,
            g.data_top - 1,
            col,
            f"校验（{w.form.rule(rule_id).code}）",
            "header",
        )
    for k, rule_id in enumerate(g.checks_below):
        w.row_height(g.sheet, g.data_top + len(g.rows) + k, 28)
        if g.label_depth:
            w.merge(
                g.sheet,
                g.data_top + len(g.rows) + k,
                g.col0,
                g.data_top + len(g.rows) + k,
                g.data_left - 1,
                f"校验：{w.form.rule(rule_id).title}",
                "check_label",
            )
    placed: dict[tuple[int, int], list[Check]] = {}  # one cell may take several checks of a rule
    for check in w.form.checks:
        at = w.form.fields[check.at]
        if (
            at.grid != g.key
            or not (g.data_top <= at.row < g.data_top + len(g.rows))
            or not (g.data_left <= at.col < g.data_left + g.data_width)
        ):
            continue
        if check.rule.id in g.checks_below:
            below = g.data_top + len(g.rows) + g.checks_below.index(check.rule.id)
            placed.setdefault((below, at.col), []).append(check)
        if check.rule.id in g.checks_right:
            right = g.data_left + g.data_width + g.checks_right.index(check.rule.id)
            placed.setdefault((at.row, right), []).append(check)
    for (r, c), checks in placed.items():
        _check_cell(w, g.sheet, r, c, checks)


def _label_height(w: Writer, g: Grid, path: Sequence[str]) -> float:
    """Row height that shows a wrapped row label whole (a CJK character is ~2 width units)."""
    if not path:
        return 20
    # Only the last label is the row's own box; earlier levels are merged down many rows.
    widths = w.form.sheet(g.sheet).widths
    level = len(path) - 1
    width = sum(widths[g.col0 + level : g.col0 + g.label_depth]) or 10
    return max(20, 15 * math.ceil(len(path[-1]) * 2.1 / width) + 4)


def _grid_cell(w: Writer, g: Grid, f: Field, span: int) -> None:
    fmt = ("formula_" + NUMBER_STYLE.get(f.type, "dec")) if not f.editable else input_format(f.type)
    r, c = f.row, f.col
    if f.kind == CONSTANT:
        w.constant(g.sheet, f, span, "formula_" + ("int" if f.type == "int" else "dec"))
        return
    if not f.editable:
        if span > 1:
            w.merge(g.sheet, r, c, r, c + span - 1, "", fmt)
        w.computed_cell(g.sheet, f, fmt)
        return
    if span > 1:
        w.sheets[g.sheet].merge_range(r, c, r, c + span - 1, "", w.fmt[fmt])
        w.merges.append((w.sheet_name(g.sheet), f"{a1(r, c)}:{a1(r, c + span - 1)}"))
    w.write_input(g.sheet, f, fmt)


def _check_cell(w: Writer, sheet: str, row: int, col: int, checks: Sequence[Check]) -> None:
    formula = "=" + checks_formula(w.form, checks, sheet, w.context)
    statuses = [check_status(w.form, c, w.values, w.context, w.computed) for c in checks]
    w.formula(sheet, row, col, formula, worst_status(statuses), "check")
    w.check_cells.setdefault(sheet, []).append(a1(row, col))


def write_checks_summary(w: Writer) -> None:
    b = w.form.checks_block
    if b is None:
        return
    s, r0, c0 = b.sheet, b.row0, b.col0
    for j, head in enumerate(("编号", "检查内容", "级别", "结果")):
        w.text(s, r0, c0 + j, head, "header")
    rules = workbook_rules(w.form)
    summaries: dict[str, tuple[str, str]] = {}
    blank_row = r0 + len(rules) + 1
    blank_ref = a1(blank_row, c0 + 3)
    required = [f for f in w.form.numeric_inputs if f.required]
    blanks = count_blanks(w, required)
    always = sum(1 for f in required if f.required_if is None)  # all blank: a template still untouched
    for i, rule in enumerate(rules, start=1):
        w.text(s, r0 + i, c0, rule.code, "check_code")
        w.text(s, r0 + i, c0 + 1, rule.title, "field_label")
        w.row_height(s, r0 + i, max(DEFAULT_ROW_POINTS, wrapped_height(rule.title, w.form.sheet(s).widths[c0 + 1])))
        w.text(s, r0 + i, c0 + 2, SEVERITY_ZH[rule.severity], "check_code")
        formula, cached = rule_summary(rule, LiveCell(w.form, s, blank_ref, w.values, w.context, w.computed))
        formula = untouched(formula, blank_ref, always)
        cached = untouched_value(cached, blanks, always)
        summaries[rule.id] = formula, cached
        w.formula(s, r0 + i, c0 + 3, "=" + formula, cached, "check")
    w.check_cells.setdefault(s, []).append(f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}")
    w.text(s, blank_row, c0 + 1, "未填写的数字单元格（个）", "field_label")
    count = blank_count(w.form, required, s, w.context)
    w.formula(s, blank_row, c0 + 3, "=" + count, blanks, "formula_int")
    texts = [f for f in w.form.inputs if f.required and not f.numeric]
    w.text(s, blank_row + 1, c0 + 1, "未填写的必填文字项（个）", "field_label")
    count = blank_count(w.form, texts, s, w.context)
    w.formula(s, blank_row + 1, c0 + 3, "=" + count, count_blanks(w, texts), "formula_int")
    results = f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}"
    statuses = [summaries[rule.id][1] for rule in rules]
    w.text(s, blank_row + 2, c0 + 1, "总体结论", "field_label")
    w.formula(
        s,
        blank_row + 2,
        c0 + 3,
        "=" + overall_formula(results),
        overall_value(statuses),
        "check",
    )
    w.check_cells[s].append(a1(blank_row + 2, c0 + 3))
    note = text_checks_note(w.form)
    if note:  # what this sheet cannot check, said where its verdict is read
        w.text(s, blank_row + 3, c0 + 1, "文字部分的检查", "field_label")
        w.text(s, blank_row + 3, c0 + 3, note, "field_label")
        w.row_height(s, blank_row + 3, wrapped_height(note, w.form.sheet(s).widths[c0 + 3]))


def count_blanks(w: Writer, fields: Sequence[Field]) -> int:
    """How many of ``fields`` are blank and must be filled (the count cell's value)."""
    return sum(
        1
        for f in fields
        if w.values.get(f.key) in (None, "") and required_here(w.form, f, w.values, w.computed, w.context)
    )

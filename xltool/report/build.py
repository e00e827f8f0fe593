"""A verified return -> the annual report (document model), with its data-driven paragraphs.

Tables come from the form's grids with the same merged label boxes as the template; numbers are
the inputs and the totals recomputed from them. A data-driven paragraph the unit left blank is
written from the numbers with the sentence pieces of the form definition, so the text can never
contradict the tables. The renderers (docx, html, md) only draw the Report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from xltool.errors import XltoolError
from xltool.form import expr as ex
from xltool.form.layout import label_boxes
from xltool.form.model import Form, Grid, Narrative, Piece
from xltool.form.period import Period, fill
from xltool.form.problems import shown_percent
from xltool.report.model import Block, Report, Table, TableCell
from xltool.workbook.limits import name_flaw
from xltool.workbook.read import Return

CN_DIGITS = "一二三四五六七八九十"


def require_sections(form: Form) -> None:
    """A form that defines no report ([[sections]]) serves templates, verify and the campaign, but
    has nothing to write: say so before any work instead of writing a report with a title only."""
    if not form.sections:
        raise XltoolError(
            f"表单“{form.name}”没有定义报告的内容（form.toml 中的 [[sections]]），不能生成报告；"
            "校验、收取、汇总等其他功能不受影响。"
        )


def report_values(form: Form, ret: Return) -> dict[str, Any]:
    """Every field's value for the report: inputs as read, totals recomputed, blanks as None."""
    values: dict[str, Any] = {k: v for k, v in ret.inputs().items() if k in form.fields}
    values.update({k: v for k, v in ret.complete_totals().items() if k in form.fields})
    return values


def final_texts(form: Form, ret: Return, values: Mapping[str, Any]) -> dict[str, str]:
    """Narrative fields as they will be printed: the unit's text, or the generated paragraph."""
    texts = {k: str(v).strip() for k, v in values.items() if isinstance(v, str) and not form.fields[k].numeric}
    for n in form.report.narratives:
        if not texts.get(n.field):
            texts[n.field] = narrate(n, values, ret.year or 0, _period_names(ret.period))
    return texts


def drafted_texts(form: Form, values: Mapping[str, Any], year: int, period: Period | None = None) -> dict[str, str]:
    """The form's data-driven paragraphs ([[report.narratives]]) written from ``values``, by field
    (the first paragraph that says something, as final_texts takes it)."""
    out: dict[str, str] = {}
    for n in form.report.narratives:
        if not out.get(n.field):
            out[n.field] = narrate(n, values, year, _period_names(period))
    return {k: v for k, v in out.items() if v}


def narrate(n: Narrative, values: Mapping[str, Any], year: int, names: Mapping[str, Any] | None = None) -> str:
    """Write a data-driven paragraph; a value whose inputs are blank makes it empty, never 0.
    ``names``: other numbers the pieces may use (a county paragraph's count of units)."""
    named: dict[str, Any] = {"year": year, **(names or {})}
    for name, e in n.values.items():
        if any(values.get(k) is None for k in e.fields):
            return ""
        named[name] = _plain(ex.evaluate(e, lambda k: values[k], named))
    return "".join(_piece(p, named) for p in n.pieces)


def county_texts(
    form: Form,
    totals: Mapping[str, Any],
    year: int,
    units: int,
    all_units: int,
    period: Period | None = None,
    *,
    area: str,
) -> dict[str, str]:
    """The form's county-wide paragraphs (``[[report.county]]``) written from the county's totals,
    by the field they follow in the county's own report; ``area``: what they call the whole area
    (全县, 全区, 全市: form/levels.py area_word)."""
    out: dict[str, str] = {}
    names = {**_period_names(period), "units": units, "all_units": all_units, "area": area}
    for n in form.report.county:
        text = narrate(n, totals, year, names)
        if text:
            out[n.field] = "\n".join(filter(None, (out.get(n.field, ""), text)))
    return out


def _period_names(period: Period | None) -> dict[str, Any]:
    """{period}, {quarter}, {month} for a paragraph's text (the year is narrate's own)."""
    return {k: v for k, v in period.names().items() if k != "year"} if period else {}


def _piece(p: Piece, named: Mapping[str, Any]) -> str:
    if p.when is not None and not ex.evaluate(p.when, lambda k: None, named):
        return ""
    if p.items:
        return p.join.join(t for item in p.items if (t := _piece(item, named)))
    return p.text.format_map(named)


def _plain(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def build_report(
    form: Form, ret: Return, *, values: Mapping[str, Any] | None = None, texts: Mapping[str, str] | None = None
) -> Report:
    """The report of a return; ``values``/``texts`` when the caller already computed them."""
    values = report_values(form, ret) if values is None else values
    texts = final_texts(form, ret, values) if texts is None else texts
    year = ret.year or 0
    typed = texts.get(form.role("unit_name"), "")
    unit = typed if typed and not name_flaw(typed) else ret.unit  # a flawed name is A2, never a title
    when = ret.period or Period(year)
    title = fill(form.title_pattern, {**when.names(), "unit": unit})
    ctx = {
        **when.names(),
        "year": year,
        "unit": unit,
        "regulation": form.regulation,
        "basis": form.basis,
        "website": texts.get(form.role("website"), ""),
        "phone": texts.get(form.role("phone"), ""),
    }
    intro = _intro(form, ctx)  # "" when the form has no [report] preamble: no empty paragraph
    blocks: list[Block] = [Block("paragraph", intro)] if intro else []
    for section in form.sections:
        blocks.append(Block("heading1", section.heading))
        if section.table:
            blocks.append(Block("table", table=build_table(form, section.table, values)))
        blocks += _section_fields(form, section.fields, values, texts)
    return Report(title, unit, year, tuple(blocks), (unit, _date(values.get(form.role("date")))))


def _section_fields(
    form: Form, keys: tuple[str, ...], values: Mapping[str, Any], texts: Mapping[str, str]
) -> list[Block]:
    """A narrative (longtext) item of a section of several items is a sub-heading, its label
    ("（一）主动公开", renumbered), over its paragraphs; any other field, however short its label or
    answer (网站名称, 是/否, a number), is one line of text "label：answer", never a heading."""
    blocks: list[Block] = []
    headings = 0
    for key in keys:
        f = form.fields[key]
        if f.type != "longtext":
            answer = _answer(form, key, values, texts)
            blocks += [Block("paragraph", f"{f.label}：{answer}")] if answer else []
        elif texts.get(key):
            if len(keys) > 1:
                blocks.append(Block("heading2", _numbered(form, f.label, headings)))
                headings += 1
            blocks += [Block("paragraph", line.strip()) for line in texts[key].splitlines() if line.strip()]
    return blocks


def _answer(form: Form, key: str, values: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    """A short field's answer on one line: text as typed, a date in Chinese, a number with its unit."""
    v = values.get(key)
    if isinstance(v, dt.date):
        return _date(v)
    if v is None or isinstance(v, str):
        return " ".join(texts.get(key, "").split())
    f = form.fields[key]
    return format_number(v) + (form.types[f.type].unit if f.type in form.types else "")


def _intro(form: Form, ctx: Mapping[str, Any]) -> str:
    spec = form.report
    parts = [spec.preamble.format_map(ctx)]
    if ctx.get("website"):
        parts.append(spec.published.format_map(ctx))
    if ctx.get("phone"):
        parts.append(spec.contact.format_map(ctx))
    return "".join(parts)


def _numbered(form: Form, label: str, index: int) -> str:
    """Renumber sub-items in order, so leaving an optional item out leaves no gap (F9)."""
    if not form.report.renumber:
        return label
    return re.sub("^" + form.report.renumber, f"（{_cn(index + 1)}）", label)


def _cn(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n - 1]
    return ("" if n < 20 else CN_DIGITS[n // 10 - 1]) + "十" + (CN_DIGITS[n % 10 - 1] if n % 10 else "")


def _date(v: Any) -> str:
    """The signature date from 填报日期; never today's date in its place (left blank instead)."""
    return f"{v.year}年{v.month}月{v.day}日" if isinstance(v, dt.date) else ""


# ------------------------------------------------------------------ tables
def build_table(form: Form, table: str, values: Mapping[str, Any]) -> Table:
    """One national table; several grids (table 二's four blocks) stack into one table. A block
    repeats its header rows only where the printed table does: under its own caption (table 二's
    blocks, each a 第二十条 item with its header), or when its header differs from the one above;
    a caption-less block under the same header simply continues the rows (an author's split of one
    table into blocks, e.g. one per unit, is one table with one header)."""
    grids = form.grids_of(table)
    n_cols = max(g.label_depth + g.data_width for g in grids)
    cells: list[TableCell] = []
    row = 0
    headed = [i == 0 or bool(g.caption) or _header(g) != _header(grids[i - 1]) for i, g in enumerate(grids)]
    for g, with_header in zip(grids, headed, strict=True):
        cells += _grid_cells(form, g, values, row, n_cols, with_header)
        row += ((1 if g.caption else 0) + g.header_depth if with_header else 0) + len(g.rows)
    first = grids[0]
    header_rows = 0 if any(headed[1:]) else (1 if first.caption else 0) + first.header_depth  # once, on top
    widths = form.sheet(first.sheet).widths[:n_cols]
    return Table(table, row, n_cols, tuple(cells), tuple(widths), header_rows)


def _header(g: Grid) -> tuple[Any, ...]:
    """What a block's header rows show: two blocks with the same can share one header."""
    return g.label_depth, g.header_depth, g.corner, tuple((c.path, c.span) for c in g.columns)


def _grid_cells(
    form: Form, g: Grid, values: Mapping[str, Any], top: int, n_cols: int, with_header: bool = True
) -> list[TableCell]:
    cells = _header_cells(g, top, n_cols) if with_header else []
    data_top = top + ((1 if g.caption else 0) + g.header_depth if with_header else 0)
    left = g.label_depth
    for b in label_boxes([r.path for r in g.rows], g.label_depth):
        scope = "row" if b.start == b.end else "rowgroup"
        cells.append(
            TableCell(
                b.text, data_top + b.start, b.level, b.end - b.start + 1, b.level_end - b.level + 1, True, scope=scope
            )
        )
    for i, r in enumerate(g.rows):
        for j, c in enumerate(g.columns):
            col = left + sum(x.span for x in g.columns[:j])
            key = g.field_key(r, c)
            value, numeric = values.get(key), form.fields[key].numeric  # a name or 是/否 is text, left-aligned
            shown = format_number(value, percent=form.fields[key].type == "percent")
            cells.append(TableCell(shown, data_top + i, col, 1, c.span, numeric=numeric))
    return cells


def _header_cells(g: Grid, top: int, n_cols: int) -> list[TableCell]:
    """A block's caption over the whole width, its corner and its column header boxes."""
    cells: list[TableCell] = []
    if g.caption:
        cells.append(TableCell(g.caption, top, 0, 1, n_cols, header=True, scope="colgroup"))
        top += 1
    if g.label_depth:
        cells.append(TableCell(g.corner, top, 0, g.header_depth, g.label_depth, header=True))
    for b in label_boxes([c.path for c in g.columns], g.header_depth, [c.span for c in g.columns]):
        scope = "col" if b.level_end == g.header_depth - 1 else "colgroup"
        cells.append(
            TableCell(
                b.text,
                top + b.level,
                g.label_depth + b.start,
                b.level_end - b.level + 1,
                b.end - b.start + 1,
                True,
                scope=scope,
            )
        )
    return cells


def format_number(v: Any, *, percent: bool = False) -> str:
    """0, 12, 12.35 — never "12.0"; a blank (or an empty rate) stays blank (never shown as 0); a
    percent's ratio as a percentage (0.985 -> 98.5%)."""
    if v is None:
        return ""
    if percent and isinstance(v, int | float) and not isinstance(v, bool):
        return shown_percent(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)

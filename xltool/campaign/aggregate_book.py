"""The county's summary workbook, written with xlsxwriter from an AggregateResult.

Sheets: 全县汇总 (the national tables as the form lays them out, every number a formula over the
per-unit sheet with the computed sum as its cached value, so Protected View, WPS and LibreOffice all
show it and a recalculation proves it), 各单位数据 (one column per unit summed, one row per number
field: it prints on a few landscape pages, see ``aggregate_units``), 图表, 未汇总单位 and 来源 (file, version, SHA-256 and time of every
summed return). Every sheet is protected against slips (no password: this is no security) and every
text is written as text. A county figure that includes a value a warning questions (a fee the unit
likely wrote in 元, not 万元) is shaded and names the unit and the warning in a comment. Each number of 全县汇总 also has a defined name (``F_<field key>``) so a
program, or a test, finds it without knowing the layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.campaign.aggregate import AggregateResult, Flag, number_fields, outcome_groups
from xltool.campaign.aggregate_units import UNITS, units_layout, write_units
from xltool.campaign.register import STANDING_ZH
from xltool.campaign.status import local_time
from xltool.campaign.status_files import SAFE_STRINGS, plain_label, short_label
from xltool.form.aggregation import MEAN, SUM
from xltool.form.layout import a1, label_boxes, row_height, wrapped_height
from xltool.form.model import Form, Grid
from xltool.form.period import Period, fill
from xltool.outputs import write_output

SUMMARY, CHARTS, LEFT_OUT, SOURCES = "全县汇总", "图表", "未汇总单位", "来源"


def summary_sheet(result: AggregateResult) -> str:
    """The totals' sheet: 全县汇总 (全市汇总 for a city's campaign of counties)."""
    return SUMMARY if result.area == "全县" else f"{result.area}汇总"


__all__ = ["CHARTS", "LEFT_OUT", "SOURCES", "SUMMARY", "UNITS", "summary_layout", "write_aggregate"]
TOP = 4  # rows above the first table: title, what was summed, the re-check, a blank line
UNIT_COLUMNS = ("单位", "单位类型", "校验结论")  # 各单位数据's header rows (单位类型 only when the form has types)
TYPE = "单位类型"
# Locked against slips, but filters, widths and selection still work (no password: a sum is checked
# again on every recalculation anyway).
PROTECT = {"autofilter": True, "format_columns": True, "format_rows": True, "select_locked_cells": True,
           "select_unlocked_cells": True}  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """Where 全县汇总 puts things (0-based rows and columns)."""

    headings: tuple[tuple[str, int], ...]  # a table's title and its row
    grids: tuple[tuple[Grid, int], ...]  # a grid and the row its caption (or header) starts at
    others: tuple[tuple[str, int], ...]  # number fields outside every grid: key, row
    cells: dict[str, tuple[int, int]]  # every number field -> its cell
    widths: tuple[float, ...]


def summary_layout(form: Form) -> Layout:
    """The national tables one below the other, each grid as the form lays it out, from column A."""
    headings, grids, cells, widths = [], [], {}, [10.0] * 4
    row, tables = TOP, list(dict.fromkeys(g.table for g in form.grids))
    for table in tables:
        members = form.grids_of(table)
        headings.append((form.sheet(members[0].sheet).title, row))
        row += 1
        for g in members:
            grids.append((g, row))
            data_top = row + (1 if g.caption else 0) + g.header_depth
            for i, r in enumerate(g.rows):
                for j, c in enumerate(g.columns):
                    cells[g.field_key(r, c)] = (data_top + i, g.col_pos(j) - g.col0)
            sheet_widths = form.sheet(g.sheet).widths
            for k in range(g.label_depth + g.data_width):
                width = sheet_widths[g.col0 + k] if g.col0 + k < len(sheet_widths) else 10
                widths += [10.0] * (k + 1 - len(widths))
                widths[k] = max(widths[k], width)
            row = data_top + len(g.rows) + 1
    others = []
    for f in number_fields(form):
        if f.key not in cells:
            others.append((f.key, row))
            cells[f.key] = (row, 3)
            row += 1
    return Layout(tuple(headings), tuple(grids), tuple(others), cells, tuple(widths))


def write_aggregate(result: AggregateResult, out: Path, *, replace: bool = False) -> Path:
    return write_output(out, lambda tmp: _Book(result, tmp).write(), replace=replace)


def _col(c: int) -> str:
    return a1(0, c)[:-1]


def _flag_note(flags: list[Flag]) -> str:
    """The comment on a county figure that includes values a warning questions: whose, which."""
    return "本合计含有单位报表中有警告的数值（已计入，请核实）：\n" + "\n".join(f.line() for f in flags)


class _Book:
    def __init__(self, result: AggregateResult, path: Path) -> None:
        import xlsxwriter

        self.r, self.form = result, result.form
        self.wb = xlsxwriter.Workbook(str(path), SAFE_STRINGS)
        add = self.wb.add_format
        base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
        self.f = {
            "title": add({"bold": True, "font_size": 15}),
            "line": add({"font_size": 10, "text_wrap": True, "valign": "top"}),
            "alarm": add(
                {
                    "font_size": 11,
                    "bold": True,
                    "font_color": "#9C0006",
                    "bg_color": "#FFC7CE",
                    "text_wrap": True,
                    "valign": "top",
                }
            ),
            "heading": add({"bold": True, "font_size": 12}),
            "caption": add({"italic": True, "font_size": 10}),
            "head": add({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center"}),
            "label": add({**base, "bg_color": "#F2F2F2"}),
            "text": add({**base, "valign": "top"}),
            "int": add({**base, "num_format": "0"}),
            "dec": add({**base, "num_format": "0.00####"}),
            "total_int": add({**base, "num_format": "0", "bold": True, "bg_color": "#EDEDED"}),
            "total_dec": add({**base, "num_format": "0.00####", "bold": True, "bg_color": "#EDEDED"}),
        }
        for name in ("int", "dec", "total_int", "total_dec"):  # a value a warning questions: shaded
            bold = name.startswith("total")
            number = "0" if name.endswith("int") else "0.00####"
            self.f[f"warn_{name}"] = add({**base, "num_format": number, "bold": bold, "bg_color": "#FFEB9C"})
        self.fields = number_fields(self.form)
        self.typed = result.unit_types
        self.flagged = result.flagged()
        self.units = units_layout(self.fields, self._typed(UNIT_COLUMNS), len(result.included))

    def write(self) -> None:
        layout = summary_layout(self.form)
        sheets = [self._summary(layout), write_units(self.wb, self.f, self.r, self.fields, self.units, self._num)]
        charts = self._charts(layout)
        if charts is not None:
            sheets.append(charts)
        sheets += [self._left_out(), self._sources()]
        for ws in sheets:
            ws.protect("", PROTECT)
        self.wb.close()

    def _typed(self, row: Sequence[Any], header: Sequence[str] = UNIT_COLUMNS) -> tuple[Any, ...]:
        """``row`` (laid out as ``header``) without its 单位类型 when the form has no unit types."""
        return tuple(row) if self.typed else tuple(v for v, h in zip(row, header, strict=True) if h != TYPE)

    def _num(self, key: str, total: bool, questioned: bool = False) -> Any:
        kind = "int" if self.form.fields[key].type == "int" else "dec"
        return self.f[("warn_" if questioned else "") + (f"total_{kind}" if total else kind)]

    def _box(self, ws: Any, r0: int, c0: int, r1: int, c1: int, text: str, fmt: Any) -> None:
        if (r0, c0) == (r1, c1):
            ws.write_string(r0, c0, text, fmt)
        else:
            ws.merge_range(r0, c0, r1, c1, text, fmt)

    # ---------------------------------------------------------------- 全县汇总
    def _summary(self, layout: Layout) -> Any:
        r, ws = self.r, self.wb.add_worksheet(summary_sheet(self.r))
        width = len(layout.widths)
        for c, w in enumerate(layout.widths):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, width - 1, r.title, self.f["title"])
        stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        summed = (f"汇总了 {len(r.included)} 个单位的当前报表（名单共 {len(r.included) + len(r.excluded)} 个单位；"
                  f"未汇总 {len(r.excluded)} 个，见“{LEFT_OUT}”；每个数字的来源见“{SOURCES}”）。生成时间 {stamp}。")  # fmt: skip
        if self.flagged:
            summed += "标黄的合计含有单位报表中有警告的数值（批注写明单位和问题编号），请核实。"
        across = sum(layout.widths)  # LibreOffice keeps a row's height: set it for the text's lines
        ws.merge_range(1, 0, 1, width - 1, summed, self.f["line"])
        ws.set_row(1, max(30, wrapped_height(summed, across)))
        recheck = self._recheck_text()
        ws.merge_range(2, 0, 2, width - 1, recheck, self.f["line" if r.ok else "alarm"])
        ws.set_row(2, max(30 if r.ok else 60, wrapped_height(recheck, across)))
        when = r.period or Period(r.year or 0)
        for text, row in layout.headings:
            ws.write_string(row, 0, fill(text, {**when.names(), "unit": r.county or r.area}), self.f["heading"])
        for g, top in layout.grids:
            self._grid(ws, g, top, layout)
        for key, row in layout.others:
            self._box(ws, row, 0, row, 2, self.form.fields[key].label, self.f["label"])
            self._number(ws, key, layout)
        for f in self.fields:
            row, col = layout.cells[f.key]
            self.wb.define_name(f.defined_name, f"='{summary_sheet(r)}'!${_col(col)}${row + 1}")
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        return ws

    def _recheck_text(self) -> str:
        r = self.r
        if not r.ok:
            return r.inconsistency_text()
        text = f"复核：{r.area}合计已按表单的 {r.checks} 项规则重新校验，全部错误规则均符合。" + r.skipped_text()
        warnings = [p for p in r.problems if not p.is_error]
        if warnings:
            text += "提示（供核对，不影响汇总）：" + "；".join(f"【{p.code}】{p.message}" for p in warnings)
        return text

    def _grid(self, ws: Any, g: Grid, top: int, layout: Layout) -> None:
        header_top = top + (1 if g.caption else 0)
        data_top, data_left = header_top + g.header_depth, g.label_depth
        if g.caption:
            ws.write_string(top, 0, g.caption, self.f["caption"])
        if g.label_depth:
            self._box(ws, header_top, 0, data_top - 1, data_left - 1, g.corner, self.f["head"])
        for b in label_boxes([c.path for c in g.columns], g.header_depth, [c.span for c in g.columns]):
            self._box(ws, header_top + b.level, data_left + b.start, header_top + b.level_end, data_left + b.end,
                      b.text, self.f["head"])  # fmt: skip
        for b in label_boxes([r.path for r in g.rows], g.label_depth):
            self._box(ws, data_top + b.start, b.level, data_top + b.end, b.level_end, b.text, self.f["label"])
        for level in range(g.header_depth):
            ws.set_row(header_top + level, 30)
        for i, row in enumerate(g.rows):
            ws.set_row(data_top + i, 30 if row.path and len(row.path[-1]) > 14 else 18)
            for col in g.columns:
                key = g.field_key(row, col)
                self._number(ws, key, layout, span=col.span)

    def _number(self, ws: Any, key: str, layout: Layout, span: int = 1) -> None:
        """A county figure: an input summed is the SUM of its column on 各单位数据, one averaged its
        AVERAGE, a total the SUM of its parts here, as in the template; the cached value is the one
        xltool computed. A cell not added up (a computed rate, a constant, a text or choice cell)
        holds its value as such."""
        f, (row, col) = self.form.fields[key], layout.cells[key]
        value = self.r.totals.get(key)
        fmt = self._num(key, bool(f.parts), key in self.flagged)
        if span > 1:
            ws.merge_range(row, col, row, col + span - 1, "", fmt if f.numeric else self.f["text"])
        if f.parts:
            refs = ",".join(a1(*layout.cells[p]) for p in f.parts)
            ws.write_formula(row, col, f"=SUM({refs})", fmt, value)
        elif f.aggregate in (SUM, MEAN):
            rng = f"'{UNITS}'!{self.units.row_range(key)}"
            formula = f"=SUM({rng})" if f.aggregate == SUM else f'=IFERROR(AVERAGE({rng}),"")'
            ws.write_formula(row, col, formula, fmt, "" if value is None else value)
            if f.aggregate == MEAN:
                ws.write_comment(row, col, f"{self.r.counted.get(key, 0)} 个填写了此项的单位的平均值")
        elif value is not None:
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, self.r.cell_text(key) or "", self.f["text"])
        if key in self.flagged:
            ws.write_comment(row, col, _flag_note(self.flagged[key]), {"x_scale": 2.5, "y_scale": 2})

    # ---------------------------------------------------------------- 图表
    def _charts(self, layout: Layout) -> Any | None:
        apps, groups = self.form.role("applications"), outcome_groups(self.form)
        if not apps and not groups:
            return None  # the form marks neither figure: nothing to chart
        ws = self.wb.add_worksheet(CHARTS)
        ws.write_string(0, 0, f"{self.r.title}：图表", self.f["title"])
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 10)
        place = 2
        if groups:
            outcomes = self.form.fields[self.form.role("outcomes")]
            ws.write_string(2, 0, plain_label(outcomes.row_label.rsplit("/", 1)[0]), self.f["head"])
            ws.write_string(2, 1, f"{self.r.area}合计", self.f["head"])
            for i, (label, keys) in enumerate(groups, start=3):
                ws.write_string(i, 0, short_label(label), self.f["label"])
                refs = ",".join(f"'{summary_sheet(self.r)}'!{a1(*layout.cells[k])}" for k in keys)
                ws.write_formula(i, 1, f"=SUM({refs})", self.f["int"], sum(self.r.totals[k] or 0 for k in keys))
            chart = self.wb.add_chart({"type": "bar"})
            chart.add_series({"categories": [CHARTS, 3, 0, 2 + len(groups), 0],
                              "values": [CHARTS, 3, 1, 2 + len(groups), 1], "data_labels": {"value": True}})  # fmt: skip
            chart.set_title({"name": f"{self.r.area}{plain_label(outcomes.row_label.rsplit('/', 1)[0])}"})
            chart.set_legend({"none": True})
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 720, "height": max(260, 30 * len(groups) + 90)})
            ws.insert_chart(2, 3, chart)
            place = 4 + max(13, (30 * len(groups) + 90) // 20)  # below it (rows of 20 px)
        if apps:
            n, u, row = len(self.r.included), self.units, self.units.rows[apps]
            chart = self.wb.add_chart({"type": "bar"})
            chart.add_series({"categories": [UNITS, u.heads["单位"], u.first_col, u.heads["单位"], u.last_col],
                              "values": [UNITS, row, u.first_col, row, u.last_col],
                              "data_labels": {"value": True}})  # fmt: skip
            chart.set_title({"name": f"各单位{plain_label(self.form.fields[apps].label)}"})
            chart.set_legend({"none": True})
            chart.set_y_axis({"reverse": True})  # the category axis of a bar chart: the first unit on top
            chart.set_size({"width": 720, "height": max(300, 22 * n + 90)})
            ws.insert_chart(place, 3, chart)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        return ws

    # ---------------------------------------------------------------- 未汇总单位, 来源
    def _left_out(self) -> Any:
        header = ("单位", TYPE, "未汇总的原因", "联系人", "联系邮箱")
        rows = [(x.unit, x.unit_type, x.reason, x.contact, x.email) for x in self.r.excluded]
        return self._typed_table(LEFT_OUT, header, rows, (28, 9, 46, 10, 26))

    def _sources(self) -> Any:
        rows = [(u.unit, u.unit_type, STANDING_ZH[u.standing], u.file, u.version, u.sha256, local_time(u.received))
                for u in self.r.included]  # fmt: skip
        header = ("单位", TYPE, "校验结论", "文件", "版本", "SHA-256", "收到时间")
        return self._typed_table(SOURCES, header, rows, (28, 9, 9, 44, 6, 66, 17))

    def _typed_table(self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
                     widths: Sequence[int]) -> Any:  # fmt: skip
        cut = lambda row: self._typed(row, header)  # noqa: E731
        return self._table(name, cut(header), [cut(r) for r in rows], cut(widths))

    def _table(self, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> Any:
        ws = self.wb.add_worksheet(name)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.write_row(0, 0, header, self.f["head"])
        for r, values in enumerate(rows or [("无",) + ("",) * (len(header) - 1)], start=1):
            for c, value in enumerate(values):
                if isinstance(value, int | float):
                    ws.write_number(r, c, value, self.f["text"])
                else:
                    ws.write_string(r, c, str(value), self.f["text"])
            ws.set_row(r, row_height(values, widths))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        ws.repeat_rows(0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        return ws


class _Named(dict[str, object]):
    """The names a title may use; one the form's texts checker allows but this book lacks prints empty."""

    def __missing__(self, key: str) -> str:
        return ""

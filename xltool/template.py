"""Form definition -> the locked Excel template a unit fills in (xlsxwriter).

Only input cells are unlocked (blank ones too: xlsxwriter leaves unwritten cells locked); every total
is a formula written with its correct cached value; live check cells show each rule; a very hidden
``_meta`` sheet carries the form id, year, unit, a fingerprint of all locked content and the field
map. ``values`` lets samples and tests produce a filled return from the same code path.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from . import __version__
from . import expr as ex
from .calc import (
    INCOMPLETE,
    PASS,
    PREFIX,
    check_leaves,
    check_status,
    is_number,
    status_text,
    totals,
)
from .errors import XltoolError
from .fingerprint import fingerprint
from .form import Check, Field, Form, Grid, workbook_rules
from .layout import a1, label_boxes
from .roster import Roster, safe_filename
from .styles import STYLES

META_SHEET = "_meta"
FIELD_MAP_HEADER = ("key", "sheet", "cell", "kind", "type", "label")


@dataclass(frozen=True)
class UnitInfo:
    name: str
    unit_type: str
    year: int


@dataclass(frozen=True)
class TemplateResult:
    path: Path
    unit: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.path), "unit": self.unit, "fingerprint": self.fingerprint}


def guess_unit_type(name: str) -> str:
    """乡镇 for towns and townships, 街道 for streets, otherwise 部门 (a county body)."""
    name = name.strip()
    if "街道" in name:
        return "街道"
    if name.endswith(("镇人民政府", "乡人民政府", "镇政府", "乡政府", "镇", "乡")):
        return "乡镇"
    return "部门"


def template_filename(unit: str, year: int) -> str:
    return f"{year}年政府信息公开工作年度报告_{safe_filename(unit)}.xlsx"


def write_template(
    form: Form,
    unit: UnitInfo,
    out: Path,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> TemplateResult:
    """Write one unit's template (or, with ``values``, a filled return) to ``out`` atomically."""
    data = build_template(form, unit, password=password, values=values, now=now)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".xltool-", suffix=".xlsx")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.content)
    os.replace(tmp, out)
    return TemplateResult(out, unit.name, data.fingerprint)


def write_roster_templates(
    form: Form,
    roster: Roster,
    outdir: Path,
    year: int,
    *,
    password: str = "",
    progress: Callable[[str], None] | None = None,
) -> list[TemplateResult]:
    """One template per roster unit, named by unit, all inside ``outdir``."""
    results = []
    for u in roster:
        results.append(
            write_template(
                form,
                UnitInfo(u.name, u.unit_type, year),
                outdir / template_filename(u.name, year),
                password=password,
            )
        )
        if progress:
            progress(u.name)
    return results


@dataclass(frozen=True)
class Built:
    content: bytes
    fingerprint: str


def build_template(
    form: Form,
    unit: UnitInfo,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Built:
    if unit.unit_type and unit.unit_type not in form.unit_types:
        raise XltoolError(f"单位类型“{unit.unit_type}”无效，应为：{'、'.join(form.unit_types)}")
    if not 2000 <= unit.year <= 2100:
        raise XltoolError(f"年度 {unit.year} 无效，应为四位年份，如 2025")
    buf = io.BytesIO()
    now = now or dt.datetime.now().astimezone()
    writer = _Writer(form, unit, buf, values or {})
    writer.wb.set_properties({**writer.properties, "created": now})  # also the zip timestamps
    writer.write_all(password)
    fp = writer.fingerprint()
    writer.write_meta(fp, now)
    writer.wb.close()
    return Built(_lock_structure(buf.getvalue(), password), fp)


def expected_formula(form: Form, field: Field) -> str:
    """The formula the template puts in a formula field's cell."""
    return "=" + _sum_formula(form, field, field.sheet)


def expected_locked(form: Form, unit: UnitInfo) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The locked cells and merges a fresh template for this unit has (to explain a changed fingerprint)."""
    writer = _Writer(form, unit, io.BytesIO(), {})
    writer.write_all("")
    writer.wb.close()
    return writer.locked, writer.merges


class _Writer:
    """Writes the workbook and records every locked cell and merge for the fingerprint."""

    def __init__(self, form: Form, unit: UnitInfo, buf: io.BytesIO, values: Mapping[str, Any]) -> None:
        self.form, self.unit = form, unit
        self.values = self._initial_values(values)
        self.computed = totals(form, self.values)
        self.context = {"template_year": unit.year}
        self.wb = xlsxwriter.Workbook(
            buf,
            {
                "in_memory": True,
                "default_format_properties": {"font_name": "宋体", "font_size": 11},
            },
        )
        self.properties = {
            "title": form.title_pattern.format(unit=unit.name, year=unit.year),
            "author": "xltool",
            "comments": f"{form.id} {form.version}",
        }
        self.fmt = {name: self.wb.add_format(props) for name, props in STYLES.items()}
        self.sheets: dict[str, Worksheet] = {s.key: self.wb.add_worksheet(s.name) for s in form.sheets}
        self.locked: list[tuple[str, str, str]] = []
        self.merges: list[tuple[str, str]] = []
        self.check_cells: dict[str, list[str]] = {}

    def _initial_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        prefill = {
            "unit": self.unit.name,
            "year": self.unit.year,
            "unit_type": self.unit.unit_type or None,
        }
        out: dict[str, Any] = {f.key: prefill[f.prefill] for f in self.form.fields.values() if f.prefill}
        unknown = [k for k in values if k not in self.form.fields or not self.form.fields[k].editable]
        if unknown:
            raise XltoolError(f"这些字段不存在或不可填写：{'、'.join(unknown[:5])}")
        out.update(values)
        return out

    # -------------------------------------------------------------- primitive writes
    def text(self, sheet: str, row: int, col: int, value: str, fmt: str) -> None:
        self.sheets[sheet].write_string(row, col, value, self.fmt[fmt])
        self.locked.append((self._name(sheet), a1(row, col), value))

    def merge(self, sheet: str, r0: int, c0: int, r1: int, c1: int, value: str, fmt: str) -> None:
        if (r0, c0) == (r1, c1):
            self.text(sheet, r0, c0, value, fmt)
            return
        self.sheets[sheet].merge_range(r0, c0, r1, c1, value, self.fmt[fmt])
        self.merges.append((self._name(sheet), f"{a1(r0, c0)}:{a1(r1, c1)}"))
        if value:
            self.locked.append((self._name(sheet), a1(r0, c0), value))

    def formula(self, sheet: str, row: int, col: int, formula: str, value: Any, fmt: str) -> None:
        self.sheets[sheet].write_formula(row, col, formula, self.fmt[fmt], value)
        self.locked.append((self._name(sheet), a1(row, col), formula))

    def _name(self, sheet: str) -> str:
        return self.form.sheet(sheet).name

    # -------------------------------------------------------------- sheets
    def write_all(self, password: str) -> None:
        for s in self.form.sheets:
            ws = self.sheets[s.key]
            for i, w in enumerate(s.widths):
                ws.set_column(i, i, w)
            title = s.title.format(year=self.unit.year, unit=self.unit.name)
            self.merge(s.key, 0, 0, 0, max(len(s.widths), 1) - 1, title, "title")
            ws.set_row(0, 30)
            self._page_setup(ws, s.landscape)
            if s.freeze:
                ws.freeze_panes(s.freeze)
        self._guide()
        for g in self.form.grids:
            self._grid(g)
        for b in self.form.fields_blocks:
            self._fields_block(b.sheet, b.row0, b.col0, b.items)
        self._checks_summary()
        self._subtitles()
        self._validations()
        self._define_names()
        self._check_colours()
        for s in self.form.sheets:
            self.sheets[s.key].protect(password, {"format_rows": True, "format_columns": True})
        self.sheets[self.form.sheets[1].key].activate()

    def _page_setup(self, ws: Worksheet, landscape: bool) -> None:
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer("&C第 &P 页，共 &N 页")

    def _subtitles(self) -> None:
        """Row 2 of each table sheet names the unit and year, by formula from 基本信息."""
        unit, year = self.form.fields.get("info.unit_name"), self.form.fields.get("info.year")
        if not unit or not year:
            return
        for key in dict.fromkeys(g.sheet for g in self.form.grids):
            formula = f'="填报单位："&{self.form.ref(unit.key, key)}&"　　报告年度："&{self.form.ref(year.key, key)}'
            cached = f"填报单位：{self.values.get(unit.key) or ''}　　报告年度：{self.values.get(year.key) or ''}"
            self.formula(key, 1, 0, formula, cached, "subtitle")

    def _guide(self) -> None:
        for i, line in enumerate(self.form.guide):
            text = line.format(year=self.unit.year, unit=self.unit.name)
            self.text("guide", 2 + i, 0, text, "guide")
            self.sheets["guide"].set_row(2 + i, 16 * math.ceil(len(text) / 52))

    # -------------------------------------------------------------- grids
    def _grid(self, g: Grid) -> None:
        ws = self.sheets[g.sheet]
        right = g.col0 + g.label_depth + g.data_width - 1
        if g.caption:
            self.merge(g.sheet, g.row0, g.col0, g.row0, right, g.caption, "caption")
        if g.label_depth:
            self.merge(g.sheet, g.header_top, g.col0, g.data_top - 1, g.data_left - 1, g.corner, "corner")
        if sum(1 for other in self.form.grids if other.sheet == g.sheet) == 1:
            ws.repeat_rows(g.header_top, g.data_top - 1)
        for level in range(g.header_depth):
            ws.set_row(g.header_top + level, 20 if g.header_depth == 1 else 30)
        for b in label_boxes([c.path for c in g.columns], g.header_depth, [c.span for c in g.columns]):
            self.merge(
                g.sheet,
                g.header_top + b.level,
                g.data_left + b.start,
                g.header_top + b.level_end,
                g.data_left + b.end,
                b.text,
                "header",
            )
        for b in label_boxes([r.path for r in g.rows], g.label_depth):
            self.merge(
                g.sheet,
                g.data_top + b.start,
                g.col0 + b.level,
                g.data_top + b.end,
                g.col0 + b.level_end,
                b.text,
                "label",
            )
        for i, row in enumerate(g.rows):
            ws.set_row(g.data_top + i, self._label_height(g, row.path))
            for column in g.columns:
                self._grid_cell(g, self.form.fields[g.field_key(row, column)], column.span)
        for k, rule_id in enumerate(g.checks_right):
            col = g.data_left + g.data_width + k
            self.merge(
                g.sheet,
                g.header_top,
                col,
                g.data_top - 1,
                col,
                f"校验（{self.form.rule(rule_id).code}）",
                "header",
            )
        for k, rule_id in enumerate(g.checks_below):
            ws.set_row(g.data_top + len(g.rows) + k, 28)
            if g.label_depth:
                self.merge(
                    g.sheet,
                    g.data_top + len(g.rows) + k,
                    g.col0,
                    g.data_top + len(g.rows) + k,
                    g.data_left - 1,
                    f"校验：{self.form.rule(rule_id).title}",
                    "check_label",
                )
        for check in self.form.checks:
            at = self.form.fields[check.at]
            if (
                at.grid != g.key
                or not (g.data_top <= at.row < g.data_top + len(g.rows))
                or not (g.data_left <= at.col < g.data_left + g.data_width)
            ):
                continue
            if check.rule.id in g.checks_below:
                self._check_cell(
                    g.sheet,
                    g.data_top + len(g.rows) + g.checks_below.index(check.rule.id),
                    at.col,
                    check,
                )
            if check.rule.id in g.checks_right:
                self._check_cell(
                    g.sheet,
                    at.row,
                    g.data_left + g.data_width + g.checks_right.index(check.rule.id),
                    check,
                )

    def _label_height(self, g: Grid, path: Sequence[str]) -> float:
        """Row height that shows a wrapped row label whole (a CJK character is ~2 width units)."""
        if not path:
            return 20
        # Only the last label is the row's own box; earlier levels are merged down many rows.
        widths = self.form.sheet(g.sheet).widths
        level = len(path) - 1
        width = sum(widths[g.col0 + level : g.col0 + g.label_depth]) or 10
        return max(20, 15 * math.ceil(len(path[-1]) * 2.1 / width) + 4)

    def _grid_cell(self, g: Grid, f: Field, span: int) -> None:
        fmt = ("formula_" if f.parts else "input_") + ("dec" if f.type != "int" else "int")
        r, c = f.row, f.col
        if f.parts:
            formula = "=" + _sum_formula(self.form, f, g.sheet)
            if span > 1:
                self.merge(g.sheet, r, c, r, c + span - 1, "", fmt)
            self.formula(g.sheet, r, c, formula, self.computed[f.key], fmt)
            return
        if span > 1:
            self.sheets[g.sheet].merge_range(r, c, r, c + span - 1, "", self.fmt[fmt])
            self.merges.append((self._name(g.sheet), f"{a1(r, c)}:{a1(r, c + span - 1)}"))
        self._write_input(g.sheet, f, fmt)

    def _write_input(self, sheet: str, f: Field, fmt: str) -> None:
        ws, v = self.sheets[sheet], self.values.get(f.key)
        if v is None or v == "":
            ws.write_blank(f.row, f.col, None, self.fmt[fmt])
        elif isinstance(v, dt.date):
            ws.write_datetime(
                f.row,
                f.col,
                dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime) else v,
                self.fmt["input_date"],
            )
        elif is_number(v):
            ws.write_number(f.row, f.col, v, self.fmt[fmt])
        else:
            ws.write_string(f.row, f.col, str(v), self.fmt[fmt])

    def _check_cell(self, sheet: str, row: int, col: int, check: Check) -> None:
        formula = "=" + _check_formula(self.form, check, sheet, self.context)
        self.formula(
            sheet,
            row,
            col,
            formula,
            check_status(self.form, check, self.values, self.context, self.computed),
            "check",
        )
        self.check_cells.setdefault(sheet, []).append(a1(row, col))

    # -------------------------------------------------------------- label/value lists
    def _fields_block(self, sheet: str, row0: int, col0: int, items: Sequence[str]) -> None:
        ws, last_col = self.sheets[sheet], max(len(self.form.sheet(sheet).widths) - 1, col0 + 1)
        for i, item in enumerate(items):
            r = row0 + i
            if item.startswith("#"):
                self.merge(sheet, r, col0, r, last_col, item[1:], "section")
                ws.set_row(r, 24)
                continue
            f = self.form.fields[item]
            self.text(sheet, r, col0, f.label + ("" if f.required else "（选填）"), "field_label")
            fmt = {
                "longtext": "input_long",
                "text": "input_text",
                "date": "input_date",
                "choice": "input_text",
                "year": "input_int",
                "int": "input_int",
            }.get(f.type, "input_dec")
            if f.type == "longtext":
                ws.set_row(r, 150)
                if last_col > f.col:
                    self.sheets[sheet].merge_range(r, f.col, r, last_col, "", self.fmt[fmt])
                    self.merges.append((self._name(sheet), f"{a1(r, f.col)}:{a1(r, last_col)}"))
            else:
                ws.set_row(r, 22)
            self._write_input(sheet, f, fmt)

    # -------------------------------------------------------------- check summary
    def _checks_summary(self) -> None:
        b = self.form.checks_block
        if b is None:
            return
        s, r0, c0 = b.sheet, b.row0, b.col0
        for j, head in enumerate(("编号", "检查内容", "级别", "结果")):
            self.text(s, r0, c0 + j, head, "header")
        rules = workbook_rules(self.form)
        summaries: dict[str, tuple[str, str]] = {}
        blank_row = r0 + len(rules) + 1
        blank_ref = a1(blank_row, c0 + 3)
        for i, rule in enumerate(rules, start=1):
            self.text(s, r0 + i, c0, rule.code, "check_code")
            self.text(s, r0 + i, c0 + 1, rule.title, "field_label")
            self.text(s, r0 + i, c0 + 2, "错误" if rule.severity == "error" else "警告", "check_code")
            formula, cached = summaries[rule.id] = self._rule_summary(rule, s, blank_ref)
            self.formula(s, r0 + i, c0 + 3, "=" + formula, cached, "check")
        self.check_cells.setdefault(s, []).append(f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}")
        required = [f for f in self.form.numeric_inputs if f.required]
        self.text(s, blank_row, c0 + 1, "未填写的数字单元格（个）", "field_label")
        count = "+".join(f"COUNTBLANK({r})" for r in _ranges(self.form, [f.key for f in required], s))
        self.formula(
            s,
            blank_row,
            c0 + 3,
            "=" + count,
            sum(1 for f in required if self.values.get(f.key) in (None, "")),
            "formula_int",
        )
        texts = [f for f in self.form.inputs if f.required and not f.numeric]
        self.text(s, blank_row + 1, c0 + 1, "未填写的必填文字项（个）", "field_label")
        count = "+".join(f"COUNTBLANK({r})" for r in _ranges(self.form, [f.key for f in texts], s))
        self.formula(
            s,
            blank_row + 1,
            c0 + 3,
            "=" + count,
            sum(1 for f in texts if self.values.get(f.key) in (None, "")),
            "formula_int",
        )
        results = f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}"
        statuses = [summaries[rule.id][1] for rule in rules]
        self.text(s, blank_row + 2, c0 + 1, "总体结论", "field_label")
        self.formula(
            s,
            blank_row + 2,
            c0 + 3,
            "=" + _overall_formula(results),
            _overall_value(statuses),
            "check",
        )
        self.check_cells[s].append(a1(blank_row + 2, c0 + 3))

    def _rule_summary(self, rule: Any, sheet: str, blank_ref: str) -> tuple[str, str]:
        fail = f"{PREFIX[rule.severity]} {rule.code}：{rule.brief}"
        if rule.kind == "filled":
            blanks = sum(1 for f in self.form.numeric_inputs if f.required and self.values.get(f.key) in (None, ""))
            # While staff are still typing, blanks are "not finished", not an error.
            formula = f'IF({blank_ref}=0,"{PASS}","{INCOMPLETE}：还有"&{blank_ref}&"个数字单元格未填写（{rule.code}）")'
            return (
                formula,
                PASS if blanks == 0 else f"{INCOMPLETE}：还有{blanks}个数字单元格未填写（{rule.code}）",
            )
        if rule.kind == "type":
            keys = [f.key for f in self.form.numeric_inputs if f.type in rule.types]
            rngs = _ranges(self.form, keys, sheet)
            whole = "int" in rule.types
            terms = [f"COUNTA({','.join(rngs)})-COUNT({','.join(rngs)})"]  # text in number cells
            terms += [f'COUNTIF({r},"<0")' for r in rngs]
            if whole:  # fractions in count cells; IFERROR keeps text from turning this into #VALUE!
                terms += [f"SUMPRODUCT(--(IFERROR(MOD({r},1),0)<>0))" for r in rngs]
            bad = "(" + "+".join(terms) + ")"
            n_bad = sum(
                1
                for k in keys
                if (v := self.values.get(k)) not in (None, "")
                and (not is_number(v) or v < 0 or (whole and not float(v).is_integer()))
            )
            return f'IF({bad}=0,"{PASS}","{fail}")', PASS if n_bad == 0 else fail
        checks = [c for c in self.form.checks if c.rule.id == rule.id]
        oks = ",".join(_ok_formula(self.form, c, sheet, self.context) for c in checks)
        pending = [p for c in checks if (p := _pending_formula(self.form, c, sheet, self.context))]
        done = f'IF(OR({",".join(pending)}),"{INCOMPLETE}","{PASS}")' if pending else f'"{PASS}"'
        formula = f'IF(AND({oks}),{done},"{fail}")'
        statuses = [check_status(self.form, c, self.values, self.context, self.computed) for c in checks]
        if any(st.startswith(PREFIX[rule.severity]) for st in statuses):
            return formula, fail
        return formula, INCOMPLETE if INCOMPLETE in statuses else PASS

    # -------------------------------------------------------------- validation, names, meta
    def _validations(self) -> None:
        by_sheet_type: dict[tuple[str, str], list[Field]] = {}
        for f in self.form.inputs:
            by_sheet_type.setdefault((f.sheet, f.type), []).append(f)
        for (sheet, ftype), fields in by_sheet_type.items():
            t = self.form.types[ftype]
            if ftype == "choice":
                for f in fields:
                    self._validate(
                        sheet,
                        [f],
                        {"validate": "list", "source": self._choice_source(f)},
                        t.prompt,
                        t.error,
                        f.hint,
                    )
                continue
            opts = _VALIDATION.get(ftype, {"validate": "any"})
            if opts["validate"] == "any":
                for f in fields:
                    self._validate(sheet, [f], opts, f.hint or t.prompt, "", "")
            else:
                self._validate(sheet, fields, opts, t.prompt, t.error, "")

    def _validate(
        self,
        sheet: str,
        fields: list[Field],
        opts: dict[str, Any],
        prompt: str,
        error: str,
        hint: str,
    ) -> None:
        rngs = _ranges(self.form, [f.key for f in fields], sheet)
        first = fields[0]
        options = dict(opts)
        message = (hint + "\n" + prompt).strip() if hint and hint != prompt else prompt
        options.update({"input_title": "填写提示", "input_message": message[:255]})
        if error:
            options.update({"error_title": "输入有误", "error_message": error[:255], "error_type": "stop"})
        if len(rngs) > 1 or ":" in rngs[0]:
            options["multi_range"] = " ".join(rngs)
        self.sheets[sheet].data_validation(first.row, first.col, first.row, first.col, options)

    def _choice_source(self, f: Field) -> str | list[str]:
        if len(",".join(f.choices)) < 200:
            return list(f.choices)
        raise XltoolError(f"字段 {f.key} 的选项过长")  # pragma: no cover - no such field yet

    def _check_colours(self) -> None:
        """Live colour of every check cell: green 通过, red 错误, orange 警告, grey 未填完.
        One multi-range rule set per sheet: per-cell rules made writing ten times slower."""
        for sheet, cells in self.check_cells.items():
            first = cells[0].split(":")[0]
            for prefix, fmt in _CHECK_COLOURS:
                options = {"type": "text", "criteria": "begins with", "value": prefix, "format": self.fmt[fmt]}
                self.sheets[sheet].conditional_format(first, {**options, "multi_range": " ".join(cells)})

    def _define_names(self) -> None:
        for f in self.form.fields.values():
            self.wb.define_name(f.defined_name, "=" + _abs_ref(self.form, f))

    def fingerprint(self) -> str:
        return fingerprint([s.name for s in self.form.sheets], self.locked, self.merges)

    def write_meta(self, fp: str, now: dt.datetime) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        meta = {
            "magic": "xltool-meta",
            "form_id": self.form.id,
            "form_version": self.form.version,
            "year": self.unit.year,
            "unit": self.unit.name,
            "unit_type": self.unit.unit_type,
            "generated_at": now.isoformat(timespec="seconds"),
            "generator": f"xltool {__version__}",
            "fingerprint": fp,
            "field_count": len(self.form.fields),
        }
        for i, (k, v) in enumerate(meta.items()):
            ws.write_string(i, 0, k)
            ws.write(i, 1, v)
        start = len(meta) + 1
        ws.write_row(start, 0, ("[fields]",))
        ws.write_row(start + 1, 0, FIELD_MAP_HEADER)
        for i, f in enumerate(self.form.fields.values(), start=start + 2):
            ws.write_row(i, 0, (f.key, self.form.sheet(f.sheet).name, f.cell, f.kind, f.type, f.label))
        ws.protect()
        ws.very_hidden()


_CHECK_COLOURS = (
    ("错误", "cf_error"),
    ("未通过", "cf_error"),
    ("警告", "cf_warning"),
    ("有警告", "cf_warning"),
    ("通过", "cf_pass"),
    ("全部通过", "cf_pass"),
    ("未填完", "cf_todo"),
    ("尚未填完", "cf_todo"),
)

_VALIDATION: dict[str, dict[str, Any]] = {
    "int": {"validate": "integer", "criteria": ">=", "value": 0},
    "decimal": {"validate": "decimal", "criteria": ">=", "value": 0},
    "money_yuan": {"validate": "decimal", "criteria": ">=", "value": 0},
    "year": {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100},
    "date": {
        "validate": "date",
        "criteria": "between",
        "minimum": dt.date(2000, 1, 1),
        "maximum": dt.date(2100, 12, 31),
    },
}


# ------------------------------------------------------------------ formula builders
def _abs_ref(form: Form, f: Field) -> str:
    col_letters = re.sub(r"\d", "", f.cell)
    return f"'{form.sheet(f.sheet).name}'!${col_letters}${f.row + 1}"


def _ranges(form: Form, keys: Iterable[str], from_sheet: str) -> list[str]:
    """Compact cells into as few rectangular ranges as possible (per sheet), sheet-qualified."""
    by_sheet: dict[str, set[tuple[int, int]]] = {}
    for k in keys:
        f = form.fields[k]
        by_sheet.setdefault(f.sheet, set()).add((f.row, f.col))
    out = []
    for sheet, cells in by_sheet.items():
        prefix = "" if sheet == from_sheet else f"'{form.sheet(sheet).name}'!"
        out += [prefix + r for r in _rects(cells)]
    return out


def _rects(cells: set[tuple[int, int]]) -> list[str]:
    """Greedy: row runs, then merge identical runs on consecutive rows into rectangles."""
    runs: dict[int, list[tuple[int, int]]] = {}
    for r in sorted({r for r, _ in cells}):
        cols = sorted(c for rr, c in cells if rr == r)
        start = prev = cols[0]
        for c in cols[1:]:
            if c != prev + 1:
                runs.setdefault(r, []).append((start, prev))
                start = c
            prev = c
        runs.setdefault(r, []).append((start, prev))
    rects: list[list[int]] = []  # [r0, r1, c0, c1]
    for r in sorted(runs):
        for c0, c1 in runs[r]:
            for rect in rects:
                if rect[1] == r - 1 and rect[2] == c0 and rect[3] == c1:
                    rect[1] = r
                    break
            else:
                rects.append([r, r, c0, c1])
    return [a1(r0, c0) if (r0, c0) == (r1, c1) else f"{a1(r0, c0)}:{a1(r1, c1)}" for r0, r1, c0, c1 in rects]


def _sum_formula(form: Form, f: Field, sheet: str) -> str:
    return f"SUM({','.join(_ranges(form, f.parts, sheet))})"


def _check_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    body = ex.to_excel(check.expr, lambda k: form.ref(k, sheet), context)
    rngs = _ranges(form, check_leaves(form, check), sheet)
    n = len(check_leaves(form, check))
    inner = (
        f'IF(COUNT({",".join(rngs)})<{n},"{INCOMPLETE}",IF({body},"{PASS}","{status_text(check)}"))'
        if n
        else f'IF({body},"{PASS}","{status_text(check)}")'
    )
    if check.when is None:
        return inner
    return f'IF(NOT({ex.to_excel(check.when, lambda k: form.ref(k, sheet), context)}),"{PASS}",{inner})'


def _ok_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    """TRUE unless the check fails on complete inputs. IF, not OR: OR evaluates every argument,
    and arithmetic on a "/" typed in a number cell would turn the whole summary into #VALUE!."""
    ref = lambda k: form.ref(k, sheet)  # noqa: E731
    formula = ex.to_excel(check.expr, ref, context)
    n = len(check_leaves(form, check))
    if n:
        formula = f"IF(COUNT({','.join(_ranges(form, check_leaves(form, check), sheet))})<{n},TRUE,{formula})"
    if check.when is not None:
        formula = f"IF({ex.to_excel(check.when, ref, context)},{formula},TRUE)"
    return formula


def _pending_formula(form: Form, check: Check, sheet: str, context: Mapping[str, Any]) -> str:
    """TRUE while an applicable check still has blank inputs ("" when it has no numeric inputs)."""
    n = len(check_leaves(form, check))
    if not n:
        return ""
    formula = f"COUNT({','.join(_ranges(form, check_leaves(form, check), sheet))})<{n}"
    if check.when is not None:
        formula = f"IF({ex.to_excel(check.when, lambda k: form.ref(k, sheet), context)},{formula},FALSE)"
    return formula


def _overall_formula(results: str) -> str:
    return (
        f'IF(SUMPRODUCT(--(LEFT({results},2)="错误"))>0,"未通过：请按上面标“错误”的项目修改",'
        f'IF(SUMPRODUCT(--(LEFT({results},3)="{INCOMPLETE}"))>0,"尚未填完",'
        f'IF(SUMPRODUCT(--(LEFT({results},2)="警告"))>0,"有警告：请逐项确认，属实的在下方情况说明中写明","全部通过，可以报送")))'
    )


def _overall_value(statuses: Sequence[str]) -> str:
    if any(s.startswith("错误") for s in statuses):
        return "未通过：请按上面标“错误”的项目修改"
    if any(s.startswith(INCOMPLETE) for s in statuses):
        return "尚未填完"
    if any(s.startswith("警告") for s in statuses):
        return "有警告：请逐项确认，属实的在下方情况说明中写明"
    return "全部通过，可以报送"


# ------------------------------------------------------------------ workbook structure lock
def _lock_structure(content: bytes, password: str) -> bytes:
    """Add <workbookProtection lockStructure="1"> (xlsxwriter cannot) in the schema's order."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = _add_protection(data.decode("utf-8"), password).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def _add_protection(xml: str, password: str) -> str:
    attrs = f' workbookPassword="{_legacy_hash(password)}"' if password else ""
    element = f'<workbookProtection{attrs} lockStructure="1"/>'
    # CT_Workbook order: fileVersion, fileSharing, workbookPr, workbookProtection, bookViews, ...
    m = re.search(r"<bookViews[ >]", xml)
    if not m:
        raise XltoolError("内部错误：生成的工作簿缺少 bookViews 元素")
    return xml[: m.start()] + element + xml[m.start() :]


def _legacy_hash(password: str) -> str:
    """The 16-bit legacy password hash Excel uses for sheet and workbook protection."""
    h = 0
    for i, ch in enumerate(password, start=1):
        v = ord(ch) << i
        h ^= (v & 0x7FFF) | (v >> 15)
    h ^= len(password)
    h ^= 0xCE4B
    return f"{h:04X}"

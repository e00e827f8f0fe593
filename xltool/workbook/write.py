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
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xltool import __version__
from xltool.errors import XltoolError
from xltool.form.calc import (
    INCOMPLETE,
    NOT_FILLED,
    PASS,
    PREFIX,
    VERDICT_ERRORS,
    VERDICT_INCOMPLETE,
    VERDICT_NOT_FILLED,
    VERDICT_PASS,
    VERDICT_WARNINGS,
    check_status,
    is_number,
    overall_value,
    totals,
)
from xltool.form.cells import CONSTANT, constants, required_here
from xltool.form.kinds.base import LiveCell
from xltool.form.layout import (
    DEFAULT_ROW_POINTS,
    MARGINS_INCHES,
    a1,
    label_boxes,
    page_fit,
    wrapped_height,
)
from xltool.form.levels import is_area
from xltool.form.model import (
    SEVERITY_ZH,
    Check,
    Field,
    Form,
    Grid,
    Sheet,
    block_extents,
    text_checks_note,
    workbook_rules,
)
from xltool.form.period import Period, fill
from xltool.outputs import write_output
from xltool.workbook.filenames import template_filename
from xltool.workbook.fingerprint import fingerprint
from xltool.workbook.formulas import (
    abs_ref,
    blank_count,
    checks_formula,
    overall_formula,
    rule_summary,
    sum_formula,
    untouched,
    untouched_value,
    worst_status,
)
from xltool.workbook.limits import name_flaw, shown_name
from xltool.workbook.lock import lock_structure
from xltool.workbook.meta import (
    MAGIC,
    META_SHEET,
    as_text,
    form_map,
    identity_row,
    layout_hash,
    pack_fields,
    pack_locked,
    pack_merges,
)
from xltool.workbook.styles import STYLES
from xltool.workbook.validation import add_validations


@dataclass(frozen=True)
class UnitInfo:
    name: str
    unit_type: str
    year: int
    period: Period | None = None  # a form collected more often than yearly: its half, quarter or month

    @property
    def when(self) -> Period:
        return self.period or Period(self.year)

    def names(self) -> dict[str, object]:
        """What the form's patterns (titles, the guide) are filled with: the unit and its period."""
        return {**self.when.names(), "unit": self.name}


class NamedUnit(Protocol):
    """What a template needs of a roster's unit (the roster sits above the workbook: not imported)."""

    @property
    def name(self) -> str: ...

    @property
    def unit_type(self) -> str: ...


@dataclass(frozen=True)
class TemplateResult:
    path: Path
    unit: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        return {"path": str(self.path), "unit": self.unit, "fingerprint": self.fingerprint}


def write_template(
    form: Form,
    unit: UnitInfo,
    out: Path,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    meta: Mapping[str, str] | None = None,
) -> TemplateResult:
    """Write one unit's template (or, with ``values``, a filled return) to ``out`` atomically;
    ``notes`` are comments on input cells (e.g. what last year's return said); ``meta`` more
    ``_meta`` pairs (a roll-up's level and sources)."""
    data = build_template(form, unit, password=password, values=values, notes=notes, now=now, meta=meta)
    write_output(out, lambda tmp: tmp.write_bytes(data.content), replace=True)  # the CLI asks before replacing
    return TemplateResult(out, unit.name, data.fingerprint)


def write_roster_templates(
    form: Form,
    roster: Iterable[NamedUnit],
    outdir: Path,
    year: int,
    *,
    password: str = "",
    progress: Callable[[str], None] | None = None,
    period: Period | None = None,
) -> list[TemplateResult]:
    """One template per roster unit, named by unit, all inside ``outdir``."""
    results = []
    for u in roster:
        results.append(
            write_template(
                form,
                UnitInfo(u.name, u.unit_type, year, period),
                outdir / template_filename(form, u.name, period or year),
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


PASSWORD_MAX = 255  # characters Excel accepts for a sheet password
LONGTEXT_POINTS = 200  # a narrative input shows about a dozen lines; taller when its text needs it
MAX_ROW_POINTS = 409  # the tallest row Excel allows
SPACER_POINTS = 8


def password_flaw(password: str) -> str:
    """Why a sheet password cannot be used ("" when it can). Only ASCII letters, digits and signs:
    LibreOffice cannot enter a Chinese password against the legacy sheet hash, so a unit could
    never unprotect its own sheet there."""
    if any(not (32 < ord(ch) < 127) for ch in password):
        return "工作表保护密码只能用英文字母、数字和英文符号（不能有汉字、全角字符或空格），如 2025gk"
    if len(password) > PASSWORD_MAX:
        return f"工作表保护密码太长（最多 {PASSWORD_MAX} 个字符）"
    return ""


def build_template(
    form: Form,
    unit: UnitInfo,
    *,
    password: str = "",
    values: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    meta: Mapping[str, str] | None = None,
) -> Built:
    if is_area(unit.unit_type):  # a county on a city's roster: no unit type, no rule for one kind of unit
        unit = replace(unit, unit_type="")
    if unit.unit_type and form.units.names and unit.unit_type not in form.units.names:
        raise XltoolError(f"单位类型“{unit.unit_type}”无效，应为：{'、'.join(form.units.names)}")
    if not unit.name.strip():
        raise XltoolError("单位名称不能为空")
    if any(unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff" for ch in unit.name):
        raise XltoolError(f"单位名称“{shown_name(unit.name)}”中含有不可见的控制字符，请在名单中重新输入该单位名称")
    if flaw := name_flaw(unit.name):  # a line separator, a direction override, too long: H2 when read
        raise XltoolError(f"单位名称“{shown_name(unit.name)}”{flaw}，不能用于模板。请只填写单位全称。")
    if not 2000 <= unit.year <= 2100:
        raise XltoolError(f"年度 {unit.year} 无效，应为四位年份，如 2025")
    if unit.period and unit.period.year != unit.year:
        raise XltoolError(f"报告期 {unit.period.label_zh} 不在年度 {unit.year} 内")
    if flaw := password_flaw(password):
        raise XltoolError(flaw)
    buf = io.BytesIO()
    now = now or dt.datetime.now().astimezone()
    writer = _Writer(form, unit, buf, values or {})
    writer.notes = dict(notes or {})
    writer.extra = dict(meta or {})
    writer.wb.set_properties({**writer.properties, "created": now})  # also the zip timestamps
    writer.write_all(password)
    fp = writer.fingerprint()
    writer.write_meta(fp, now)
    writer.wb.close()
    return Built(lock_structure(buf.getvalue(), password), fp)


def formula_values(
    form: Form, unit: UnitInfo, values: Mapping[str, Any], typed: Mapping[str, Any] | None = None
) -> dict[tuple[str, str], tuple[str, Any]]:
    """Every formula the template of these values holds, by (sheet name, cell): its text and the
    value written as its cached result (the same computation as the template's; nothing is saved).
    ``typed`` are totals a unit typed over their sums: the checks then read them, as Excel does."""
    writer = _Writer(form, unit, io.BytesIO(), values)
    writer.computed.update(typed or {})
    writer.write_all("")
    return writer.cached


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
            "title": fill(form.title_pattern, unit.names()),
            "author": "xltool",
            "comments": f"{form.id} {form.version}",
        }
        self.fmt = {name: self.wb.add_format(props) for name, props in STYLES.items()}
        self.sheets: dict[str, Worksheet] = {s.key: self.wb.add_worksheet(s.name) for s in form.sheets}
        self.locked: list[tuple[str, str, str]] = []
        self.cached: dict[tuple[str, str], tuple[str, Any]] = {}  # (sheet name, cell) -> formula, its value
        self.merges: list[tuple[str, str]] = []
        self.check_cells: dict[str, list[str]] = {}
        self.notes: dict[str, str] = {}  # field key -> a comment on its cell
        self.extra: dict[str, str] = {}  # more _meta pairs (a roll-up's level, covered by the fingerprint)
        self.heights: dict[str, dict[int, float]] = {s.key: {} for s in form.sheets}  # for the page fit
        self.print_titles: set[str] = set()  # sheets whose repeated rows are set

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
        out.update(constants(self.form.fields))  # printed in the template: never the caller's
        return out

    # -------------------------------------------------------------- primitive writes
    def text(self, sheet: str, row: int, col: int, value: str, fmt: str) -> None:
        if not value:  # an empty label (a grid without corner, a sheet without title) is a blank cell:
            # a reader, and LibreOffice when it saves, see no content there, so none is recorded
            self.sheets[sheet].write_blank(row, col, None, self.fmt[fmt])
            return
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
        self.cached[(self._name(sheet), a1(row, col))] = (formula, value)

    def row_height(self, sheet: str, row: int, height: float) -> None:
        self.sheets[sheet].set_row(row, height)
        self.heights[sheet][row] = height

    def _name(self, sheet: str) -> str:
        return self.form.sheet(sheet).name

    # -------------------------------------------------------------- sheets
    def write_all(self, password: str) -> None:
        for s in self.form.sheets:
            ws = self.sheets[s.key]
            for i, w in enumerate(s.widths):
                ws.set_column(i, i, w)
            title = fill(s.title, self.unit.names())
            self.merge(s.key, 0, 0, 0, max(len(s.widths), 1) - 1, title, "title")
            self.row_height(s.key, 0, 30)
            if s.freeze:
                ws.freeze_panes(s.freeze)
        self._guide()
        for g in self.form.grids:
            self._grid(g)
        for b in self.form.fields_blocks:
            self._fields_block(b.sheet, b.row0, b.col0, b.items)
        self._checks_summary()
        self._subtitles()
        add_validations(self.form, self.sheets)
        self._define_names()
        self._check_colours()
        for s in self.form.sheets:
            self._page_setup(s)
            self.sheets[s.key].protect(password, {"format_rows": True, "format_columns": True})
        self.sheets[self.form.template.active].activate()

    def _page_setup(self, s: Sheet) -> None:
        """A4, one page wide, landscape when the columns need it, one page tall when the sheet is
        short enough (a table with its check rows on one sheet of paper), the header rows on every page."""
        ws, heights = self.sheets[s.key], self.heights[s.key]
        bottom = max((b[4] for b in block_extents(self.form) if b[0] == s.key), default=1)
        bottom = max([bottom, *heights])
        fit = page_fit(s.widths, sum(heights.get(r, DEFAULT_ROW_POINTS) for r in range(bottom + 1)), s.landscape)
        ws.set_paper(9)  # A4
        if fit.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, fit.pages_tall)
        left, right, top, bottom_margin = MARGINS_INCHES
        ws.set_margins(left=left, right=right, top=top, bottom=bottom_margin)
        ws.center_horizontally()
        ws.set_footer("&C第 &P 页，共 &N 页")
        if s.key not in self.print_titles:
            ws.repeat_rows(0)  # the sheet's title

    def _subtitles(self) -> None:
        """Row 2 of each table sheet: the form's subtitle, its {role} parts by formula from the fields
        playing those roles (so it follows what the unit types)."""
        known = {k: v for k, v in self.unit.names().items() if k != "unit" and not self.form.role(k)}
        parts = re.split(r"\{(\w+)\}", fill(self.form.template.subtitle, known))
        if len(parts) < 2 or not all(self.form.role(name) for name in parts[1::2]):
            return
        for key in dict.fromkeys(g.sheet for g in self.form.grids):
            terms, cached = [], ""
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    terms += ['"' + part.replace('"', '""') + '"'] if part else []
                    cached += part
                else:
                    terms.append(self.form.ref(self.form.role(part), key))
                    cached += str(self.values.get(self.form.role(part)) or "")
            self.formula(key, 1, 0, "=" + "&".join(terms), cached, "subtitle")

    def _guide(self) -> None:
        sheet = self.form.guide_sheet
        for i, line in enumerate(self.form.guide if sheet else ()):
            text = fill(line, self.unit.names())
            self.text(sheet, 2 + i, 0, text, "guide")
            self.row_height(sheet, 2 + i, wrapped_height(text, self.form.sheet(sheet).widths[0]))

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
            self.print_titles.add(g.sheet)
        for level in range(g.header_depth):
            self.row_height(g.sheet, g.header_top + level, 20 if g.header_depth == 1 else 30)
        # Column headers run down from header_top; row labels run across from col0 (levels transposed).
        for b in label_boxes([c.path for c in g.columns], g.header_depth, [c.span for c in g.columns]):
            top, left = g.header_top + b.level, g.data_left + b.start
            self.merge(g.sheet, top, left, g.header_top + b.level_end, g.data_left + b.end, b.text, "header")
        for b in label_boxes([r.path for r in g.rows], g.label_depth):
            top, left = g.data_top + b.start, g.col0 + b.level
            self.merge(g.sheet, top, left, g.data_top + b.end, g.col0 + b.level_end, b.text, "label")
        for i, row in enumerate(g.rows):
            self.row_height(g.sheet, g.data_top + i, self._label_height(g, row.path))
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
            self.row_height(g.sheet, g.data_top + len(g.rows) + k, 28)
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
        placed: dict[tuple[int, int], list[Check]] = {}  # one cell may take several checks of a rule
        for check in self.form.checks:
            at = self.form.fields[check.at]
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
            self._check_cell(g.sheet, r, c, checks)

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
        fmt = ("formula_" + NUMBER_STYLE.get(f.type, "dec")) if not f.editable else input_format(f.type)
        r, c = f.row, f.col
        if f.kind == CONSTANT:
            self._constant(g.sheet, f, span, "formula_" + ("int" if f.type == "int" else "dec"))
            return
        if not f.editable:
            if span > 1:
                self.merge(g.sheet, r, c, r, c + span - 1, "", fmt)
            self._computed_cell(g.sheet, f, fmt)
            return
        if span > 1:
            self.sheets[g.sheet].merge_range(r, c, r, c + span - 1, "", self.fmt[fmt])
            self.merges.append((self._name(g.sheet), f"{a1(r, c)}:{a1(r, c + span - 1)}"))
        self._write_input(g.sheet, f, fmt)

    def _computed_cell(self, sheet: str, f: Field, fmt: str) -> None:
        """A sum or a formula cell, with the value the office suite will compute ("" when empty)."""
        value = self.computed[f.key]
        self.formula(sheet, f.row, f.col, "=" + sum_formula(self.form, f, sheet), "" if value is None else value, fmt)

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
        if f.key in self.notes:
            ws.write_comment(f.row, f.col, self.notes[f.key], {"author": "xltool", "x_scale": 2.5, "y_scale": 1.2})

    def _check_cell(self, sheet: str, row: int, col: int, checks: Sequence[Check]) -> None:
        formula = "=" + checks_formula(self.form, checks, sheet, self.context)
        statuses = [check_status(self.form, c, self.values, self.context, self.computed) for c in checks]
        self.formula(sheet, row, col, formula, worst_status(statuses), "check")
        self.check_cells.setdefault(sheet, []).append(a1(row, col))

    # -------------------------------------------------------------- label/value lists
    def _fields_block(self, sheet: str, row0: int, col0: int, items: Sequence[str]) -> None:
        widths, last_col = self.form.sheet(sheet).widths, max(len(self.form.sheet(sheet).widths) - 1, col0 + 1)
        for i, item in enumerate(items):
            r = row0 + i
            if item == "#":  # a spacer: a locked, empty row (nothing is written)
                self.row_height(sheet, r, SPACER_POINTS)
                continue
            if item.startswith("#"):
                self.merge(sheet, r, col0, r, last_col, item[1:], "section")
                self.row_height(sheet, r, 24)
                continue
            f = self.form.fields[item]
            optional = not f.required and f.kind != CONSTANT
            self.text(sheet, r, col0, f.label + ("（选填）" if optional else ""), "field_label")
            fmt = input_format(f.type)
            if f.type == "longtext":
                text = str(self.values.get(f.key) or "")
                fitted = wrapped_height(text, sum(widths[f.col : last_col + 1]) or 10)
                self.row_height(sheet, r, min(MAX_ROW_POINTS, max(LONGTEXT_POINTS, fitted)))
                if last_col > f.col:
                    self.sheets[sheet].merge_range(r, f.col, r, last_col, "", self.fmt[fmt])
                    self.merges.append((self._name(sheet), f"{a1(r, f.col)}:{a1(r, last_col)}"))
            else:
                self.row_height(sheet, r, 22)
            if f.kind == CONSTANT:
                self._constant(sheet, f, 1, "formula_dec" if f.numeric else "label")
                continue
            if not f.editable:  # a computed field: locked, its formula live
                self._computed_cell(sheet, f, fmt.replace("input_", "formula_"))
                continue
            self._write_input(sheet, f, fmt)

    def _constant(self, sheet: str, f: Field, span: int, fmt: str) -> None:
        """A constant (``value`` in the form, a printed 满分 8): locked, in the fingerprint, never typed."""
        if span > 1:
            self.merge(sheet, f.row, f.col, f.row, f.col + span - 1, "", fmt)
        if is_number(f.value):
            self.sheets[sheet].write_number(f.row, f.col, f.value, self.fmt[fmt])
        else:
            self.sheets[sheet].write_string(f.row, f.col, str(f.value), self.fmt[fmt])
        self.locked.append((self._name(sheet), f.cell, as_text(f.value)))

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
        required = [f for f in self.form.numeric_inputs if f.required]
        blanks = self._blanks(required)
        always = sum(1 for f in required if f.required_if is None)  # all blank: a template still untouched
        for i, rule in enumerate(rules, start=1):
            self.text(s, r0 + i, c0, rule.code, "check_code")
            self.text(s, r0 + i, c0 + 1, rule.title, "field_label")
            self.row_height(
                s, r0 + i, max(DEFAULT_ROW_POINTS, wrapped_height(rule.title, self.form.sheet(s).widths[c0 + 1]))
            )
            self.text(s, r0 + i, c0 + 2, SEVERITY_ZH[rule.severity], "check_code")
            formula, cached = rule_summary(
                rule, LiveCell(self.form, s, blank_ref, self.values, self.context, self.computed)
            )
            formula = untouched(formula, blank_ref, always)
            cached = untouched_value(cached, blanks, always)
            summaries[rule.id] = formula, cached
            self.formula(s, r0 + i, c0 + 3, "=" + formula, cached, "check")
        self.check_cells.setdefault(s, []).append(f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}")
        self.text(s, blank_row, c0 + 1, "未填写的数字单元格（个）", "field_label")
        count = blank_count(self.form, required, s, self.context)
        self.formula(s, blank_row, c0 + 3, "=" + count, blanks, "formula_int")
        texts = [f for f in self.form.inputs if f.required and not f.numeric]
        self.text(s, blank_row + 1, c0 + 1, "未填写的必填文字项（个）", "field_label")
        count = blank_count(self.form, texts, s, self.context)
        self.formula(s, blank_row + 1, c0 + 3, "=" + count, self._blanks(texts), "formula_int")
        results = f"{a1(r0 + 1, c0 + 3)}:{a1(r0 + len(rules), c0 + 3)}"
        statuses = [summaries[rule.id][1] for rule in rules]
        self.text(s, blank_row + 2, c0 + 1, "总体结论", "field_label")
        self.formula(
            s,
            blank_row + 2,
            c0 + 3,
            "=" + overall_formula(results),
            overall_value(statuses),
            "check",
        )
        self.check_cells[s].append(a1(blank_row + 2, c0 + 3))
        note = text_checks_note(self.form)
        if note:  # what this sheet cannot check, said where its verdict is read
            self.text(s, blank_row + 3, c0 + 1, "文字部分的检查", "field_label")
            self.text(s, blank_row + 3, c0 + 3, note, "field_label")
            self.row_height(s, blank_row + 3, wrapped_height(note, self.form.sheet(s).widths[c0 + 3]))

    def _blanks(self, fields: Sequence[Field]) -> int:
        """How many of ``fields`` are blank and must be filled (the count cell's value)."""
        return sum(
            1
            for f in fields
            if self.values.get(f.key) in (None, "")
            and required_here(self.form, f, self.values, self.computed, self.context)
        )

    # -------------------------------------------------------------- validation, names, meta
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
            self.wb.define_name(f.defined_name, "=" + abs_ref(self.form, f))

    def fingerprint(self) -> str:
        rows = [f.row() for f in form_map(self.form)] + [identity_row(self.identity())]
        return fingerprint([s.name for s in self.form.sheets], self.locked, self.merges, rows)

    def identity(self) -> dict[str, Any]:
        return {
            "form_id": self.form.id,
            "form_version": self.form.version,
            "year": self.unit.year,
            "unit": self.unit.name,
            "unit_type": self.unit.unit_type,
            **({"period": self.unit.period.code} if self.unit.period and not self.unit.period.yearly else {}),
            **self.extra,
        }

    def write_meta(self, fp: str, now: dt.datetime) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        fields = form_map(self.form)
        meta: dict[str, Any] = {
            "magic": MAGIC,
            **self.identity(),
            "generated_at": now.isoformat(timespec="seconds"),
            "generator": f"xltool {__version__}",
            "fingerprint": fp,
            "field_count": len(fields),
            "layout": layout_hash(fields),
            **pack_locked(self.locked),
            **pack_merges(self.merges),
            **pack_fields(fields),
        }
        for i, (k, v) in enumerate(meta.items()):
            ws.write_string(i, 0, k)
            ws.write_string(i, 1, v) if isinstance(v, str) else ws.write(i, 1, v)
        ws.protect()
        ws.very_hidden()


NUMBER_STYLE = {"int": "int", "percent": "pct"}  # the number format of a cell of each type (else decimal)


def input_format(ftype: str) -> str:
    """The cell format of an input of this type (text and choices as text: never read as a formula)."""
    return {
        "longtext": "input_long",
        "text": "input_text",
        "date": "input_date",
        "choice": "input_text",
        "year": "input_int",
        "int": "input_int",
        "percent": "input_pct",
    }.get(ftype, "input_dec")


# What a check cell starts with -> its colour (the texts are calc's: one source for Excel and Python).
_CHECK_COLOURS = (
    (PREFIX["error"], "cf_error"),
    (VERDICT_ERRORS[:3], "cf_error"),
    (PREFIX["warning"], "cf_warning"),
    (VERDICT_WARNINGS[:3], "cf_warning"),
    (PASS, "cf_pass"),
    (VERDICT_PASS[:4], "cf_pass"),
    (INCOMPLETE, "cf_todo"),
    (VERDICT_INCOMPLETE, "cf_todo"),
    (NOT_FILLED, "cf_todo"),
    (VERDICT_NOT_FILLED[:4], "cf_todo"),
)

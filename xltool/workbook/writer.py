"""The workbook being written (xlsxwriter): its cells, merges and formulas, recorded as they are
written so that the fingerprint covers every locked cell; the label/value blocks, the sheets'
titles, guide and page setup, the defined names and the ``_meta`` sheet. What goes into the
grids and the check summary is in sheets.py; write.py is the entry point.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    is_number,
    totals,
)
from xltool.form.cells import CONSTANT, constants
from xltool.form.layout import (
    DEFAULT_ROW_POINTS,
    MARGINS_INCHES,
    a1,
    page_fit,
    wrapped_height,
)
from xltool.form.model import (
    Field,
    Form,
    Sheet,
    block_extents,
)
from xltool.form.period import Period, fill
from xltool.workbook.fingerprint import fingerprint
from xltool.workbook.formulas import (
    abs_ref,
    sum_formula,
)
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


LONGTEXT_POINTS = 200  # a narrative input shows about a dozen lines; taller when its text needs it
MAX_ROW_POINTS = 409  # the tallest row Excel allows
SPACER_POINTS = 8


class Writer:
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

    def text(self, sheet: str, row: int, col: int, value: str, fmt: str) -> None:
        if not value:  # an empty label (a grid without corner, a sheet without title) is a blank cell:
            # a reader, and LibreOffice when it saves, see no content there, so none is recorded
            self.sheets[sheet].write_blank(row, col, None, self.fmt[fmt])
            return
        self.sheets[sheet].write_string(row, col, value, self.fmt[fmt])
        self.locked.append((self.sheet_name(sheet), a1(row, col), value))

    def merge(self, sheet: str, r0: int, c0: int, r1: int, c1: int, value: str, fmt: str) -> None:
        if (r0, c0) == (r1, c1):
            self.text(sheet, r0, c0, value, fmt)
            return
        self.sheets[sheet].merge_range(r0, c0, r1, c1, value, self.fmt[fmt])
        self.merges.append((self.sheet_name(sheet), f"{a1(r0, c0)}:{a1(r1, c1)}"))
        if value:
            self.locked.append((self.sheet_name(sheet), a1(r0, c0), value))

    def formula(self, sheet: str, row: int, col: int, formula: str, value: Any, fmt: str) -> None:
        self.sheets[sheet].write_formula(row, col, formula, self.fmt[fmt], value)
        self.locked.append((self.sheet_name(sheet), a1(row, col), formula))
        self.cached[(self.sheet_name(sheet), a1(row, col))] = (formula, value)

    def row_height(self, sheet: str, row: int, height: float) -> None:
        self.sheets[sheet].set_row(row, height)
        self.heights[sheet][row] = height

    def sheet_name(self, sheet: str) -> str:
        return self.form.sheet(sheet).name

    def page_setup(self, s: Sheet) -> None:
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

    def subtitles(self) -> None:
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

    def guide(self) -> None:
        sheet = self.form.guide_sheet
        for i, line in enumerate(self.form.guide if sheet else ()):
            text = fill(line, self.unit.names())
            self.text(sheet, 2 + i, 0, text, "guide")
            self.row_height(sheet, 2 + i, wrapped_height(text, self.form.sheet(sheet).widths[0]))

    def computed_cell(self, sheet: str, f: Field, fmt: str) -> None:
        """A sum or a formula cell, with the value the office suite will compute ("" when empty)."""
        value = self.computed[f.key]
        self.formula(sheet, f.row, f.col, "=" + sum_formula(self.form, f, sheet), "" if value is None else value, fmt)

    def write_input(self, sheet: str, f: Field, fmt: str) -> None:
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

    def fields_block(self, sheet: str, row0: int, col0: int, items: Sequence[str]) -> None:
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
                    self.merges.append((self.sheet_name(sheet), f"{a1(r, f.col)}:{a1(r, last_col)}"))
            else:
                self.row_height(sheet, r, 22)
            if f.kind == CONSTANT:
                self.constant(sheet, f, 1, "formula_dec" if f.numeric else "label")
                continue
            if not f.editable:  # a computed field: locked, its formula live
                self.computed_cell(sheet, f, fmt.replace("input_", "formula_"))
                continue
            self.write_input(sheet, f, fmt)

    def constant(self, sheet: str, f: Field, span: int, fmt: str) -> None:
        """A constant (``value`` in the form, a printed 满分 8): locked, in the fingerprint, never typed."""
        if span > 1:
            self.merge(sheet, f.row, f.col, f.row, f.col + span - 1, "", fmt)
        if is_number(f.value):
            self.sheets[sheet].write_number(f.row, f.col, f.value, self.fmt[fmt])
        else:
            self.sheets[sheet].write_string(f.row, f.col, str(f.value), self.fmt[fmt])
        self.locked.append((self.sheet_name(sheet), f.cell, as_text(f.value)))

    def check_colours(self) -> None:
        """Live colour of every check cell: green 通过, red 错误, orange 警告, grey 未填完.
        One multi-range rule set per sheet: per-cell rules made writing ten times slower."""
        for sheet, cells in self.check_cells.items():
            first = cells[0].split(":")[0]
            for prefix, fmt in _CHECK_COLOURS:
                options = {"type": "text", "criteria": "begins with", "value": prefix, "format": self.fmt[fmt]}
                self.sheets[sheet].conditional_format(first, {**options, "multi_range": " ".join(cells)})

    def define_names(self) -> None:
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

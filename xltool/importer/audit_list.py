"""The audit's problems as a list a reviewer opens in Excel/WPS: one row per problem, its place in
the document (part, table row and column, or the field whose sentence is quoted) instead of a cell."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from xltool.checks.problem_files import SAFE_STRINGS, display_names, print_setup
from xltool.checks.verify import VerifyResult
from xltool.form.layout import row_height
from xltool.form.problems import SEVERITY_ZH
from xltool.outputs import write_output

HEADER = ("文件", "单位", "年度", "级别", "编号", "位置", "数值或原文", "问题", "修改建议")
WIDTHS = (24, 20, 6, 6, 6, 34, 24, 56, 40)  # 216: one landscape A4 page wide, as the problem list
SUMMARY_HEADER = ("文件", "单位", "年度", "结论", "错误", "警告")
SUMMARY_WIDTHS = (30, 30, 6, 10, 6, 6)


def write_audit_list(result: VerifyResult, out: Path, *, replace: bool = False, inputs: Sequence[Path] = ()) -> Path:
    """Atomic; an existing file only with ``replace``. Text from documents stays text. Files are
    named relative to ``inputs`` (the files and folders the user gave), as in the problem list."""
    names = display_names([f.path for f in result.files], inputs) if inputs else {}
    return write_output(out, lambda tmp: _write(result, tmp, names), replace=replace)


def _write(result: VerifyResult, out: Path, names: dict[Path, str]) -> None:
    wb = xlsxwriter.Workbook(str(out), SAFE_STRINGS)
    ws = wb.add_worksheet("问题清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    err = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#9C0006"})
    ws.write_row(0, 0, HEADER, head)
    ws.set_row(0, row_height(HEADER, WIDTHS))
    row = 1
    for f in result.files:
        for p in f.problems:
            value = "" if p.value is None else str(p.value)
            cells = [
                names.get(f.path, str(f.path)),
                f.unit,
                f.year or "",
                SEVERITY_ZH[p.severity],
                p.code,
                p.place(),
                value,
                p.message,
                p.fix,
            ]
            ws.write_row(row, 0, cells, err if p.is_error else wrap)
            ws.set_row(row, row_height(cells, WIDTHS))  # LibreOffice does not fit rows on open
            row += 1
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    print_setup(ws, WIDTHS)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row - 1, 1), len(HEADER) - 1)
    summary = wb.add_worksheet("汇总")
    summary.write_row(0, 0, SUMMARY_HEADER, head)
    for i, f in enumerate(result.files, start=1):
        verdict = "没有错误" if f.valid else "有错误"
        name = names.get(f.path, str(f.path))
        line = (name, f.unit, f.year or "", verdict, f.errors, f.warnings)
        summary.write_row(i, 0, line, wrap)
        summary.set_row(i, row_height(line, SUMMARY_WIDTHS))
    for i, width in enumerate(SUMMARY_WIDTHS):
        summary.set_column(i, i, width)
    print_setup(summary, SUMMARY_WIDTHS)
    for note_row, note in enumerate(result.notes, start=len(result.files) + 2):
        summary.write(note_row, 0, f"注意：{note}")
    wb.close()

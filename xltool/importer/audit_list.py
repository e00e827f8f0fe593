"""The audit's problems as a list a reviewer opens in Excel/WPS: one row per problem, its place in
the document (part, table row and column, or the field whose sentence is quoted) instead of a cell."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from xltool.checks.problem_files import SAFE_STRINGS
from xltool.checks.problems import SEVERITY_ZH
from xltool.checks.verify import VerifyResult
from xltool.outputs import write_output

HEADER = ("文件", "单位", "年度", "级别", "编号", "位置", "数值或原文", "问题", "修改建议")
WIDTHS = (30, 24, 6, 6, 6, 40, 24, 60, 44)


def write_audit_list(result: VerifyResult, out: Path, *, replace: bool = False) -> Path:
    """Atomic; an existing file only with ``replace``. Text from documents stays text."""
    return write_output(out, lambda tmp: _write(result, tmp), replace=replace)


def _write(result: VerifyResult, out: Path) -> None:
    wb = xlsxwriter.Workbook(str(out), SAFE_STRINGS)
    ws = wb.add_worksheet("问题清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    err = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#9C0006"})
    ws.write_row(0, 0, HEADER, head)
    row = 1
    for f in result.files:
        for p in f.problems:
            value = "" if p.value is None else str(p.value)
            cells = [
                str(f.path),
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
            row += 1
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row - 1, 1), len(HEADER) - 1)
    summary = wb.add_worksheet("汇总")
    summary.write_row(0, 0, ("文件", "单位", "年度", "结论", "错误", "警告"), head)
    for i, f in enumerate(result.files, start=1):
        verdict = "没有错误" if f.valid else "有错误"
        summary.write_row(i, 0, (str(f.path), f.unit, f.year or "", verdict, f.errors, f.warnings), wrap)
    summary.set_column(0, 1, 30)
    for note_row, note in enumerate(result.notes, start=len(result.files) + 2):
        summary.write(note_row, 0, f"注意：{note}")
    wb.close()

"""Problems as files a county officer opens in Excel/WPS: a problem list and annotated copies.

Annotated copies are written next to nothing the unit sent: always a new file in the folder given,
named after the original, which is read and never written.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties

from xltool.checks.problems import SEVERITY_ZH, Problem
from xltool.checks.verify import FileResult, VerifyResult
from xltool.errors import XltoolError
from xltool.outputs import OutputExists, write_output
from xltool.roster import safe_filename
from xltool.wording import internal_error

ANNOTATED_SUFFIX = "_问题标注.xlsx"  # also how verify recognises its own copies in a folder
LIST_HEADER = ("文件", "单位", "级别", "编号", "工作表", "单元格", "栏目", "填写值", "问题", "修改建议", "单位说明")
SAFE_STRINGS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
LIST_WIDTHS = (28, 22, 6, 6, 16, 8, 34, 10, 50, 40, 30)
PORTRAIT_UP_TO = 100  # column widths (characters) that print legibly across a portrait A4 page
_RED = PatternFill("solid", fgColor="FFC7CE")
_YELLOW = PatternFill("solid", fgColor="FFEB9C")


def _row(f: FileResult, p: Problem) -> list[str]:
    column = "/".join(x for x in (p.row_label, p.col_label) if x)
    value = "" if p.value is None else str(p.value)
    return [
        str(f.path),
        f.unit,
        SEVERITY_ZH[p.severity],
        p.code,
        p.sheet or "",
        p.cell or "",
        column,
        value,
        p.message,
        p.fix,
        p.explanation,
    ]


def write_problem_list(result: VerifyResult, out: Path, *, replace: bool = False) -> Path:
    """One row per problem, with a header, filters and frozen panes (atomic; an existing file only
    with ``replace``). Every text from a return is written as text, never as a formula or link.
    A ``.csv`` name gets the same rows as UTF-8 text with a BOM, which Excel and WPS open as Chinese."""
    write = _problem_csv if Path(out).suffix.lower() == ".csv" else _problem_list
    return write_output(out, lambda tmp: write(result, tmp), replace=replace)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """Text Excel would take for a formula ("=HYPERLINK(…)", "+1") keeps a leading apostrophe."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _problem_csv(result: VerifyResult, out: Path) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(LIST_HEADER)
        for f in result.files:
            writer.writerows([_csv_cell(v) for v in _row(f, p)] for p in f.problems)


def _problem_list(result: VerifyResult, out: Path) -> None:
    wb = xlsxwriter.Workbook(str(out), SAFE_STRINGS)
    ws = wb.add_worksheet("问题清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    err = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#9C0006"})
    ws.write_row(0, 0, LIST_HEADER, head)
    row = 1
    for f in result.files:
        for p in f.problems:
            ws.write_row(row, 0, _row(f, p), err if p.is_error else wrap)
            row += 1
    for i, width in enumerate(LIST_WIDTHS):
        ws.set_column(i, i, width)
    _print_setup(ws, LIST_WIDTHS)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row - 1, 1), len(LIST_HEADER) - 1)
    summary = wb.add_worksheet("汇总")
    summary.write_row(0, 0, ("文件", "单位", "年度", "结论", "错误", "警告"), head)
    for i, f in enumerate(result.files, start=1):
        summary.write_row(
            i, 0, (str(f.path), f.unit, f.year or "", "通过" if f.valid else "有错误", f.errors, f.warnings), wrap
        )
    summary.set_column(0, 1, 30)
    summary.set_column(2, 5, 10)
    _print_setup(summary, (30, 30, 10, 10, 10, 10))
    wb.close()


def _print_setup(ws: Any, widths: Sequence[float]) -> None:
    """A4, landscape when the columns are too wide for portrait, one page wide, the header row on
    every page, page numbers: the list prints as a clerk expects (xlsxwriter)."""
    ws.set_paper(9)
    if sum(widths) > PORTRAIT_UP_TO:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _print_setup_openpyxl(ws: Any, widths: Sequence[float]) -> None:
    """The same for the 问题清单 sheet of an annotated copy (openpyxl)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > PORTRAIT_UP_TO else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def annotate_copies(result: VerifyResult, outdir: Path, *, replace: bool = False) -> list[Path]:
    """For each readable return with problems: a copy with problem cells marked and commented.
    Units often send files of the same name (年报.xlsx), so a name is never used twice, and an
    existing file (or a link) is never written over unless ``replace``. A copy that cannot be made
    is an H0 problem of that file; the others are still made."""
    inputs = {f.path.resolve() for f in result.files}
    written: list[Path] = []
    for f in result.files:
        if not f.problems or not f.readable:
            continue
        try:
            written.append(_annotate_one(f, outdir, set(written) | inputs, replace))
        except XltoolError:
            raise  # the folder itself cannot be written: the same for every file
        except Exception as err:  # noqa: BLE001 - one file never sinks a batch
            f.problems.append(_h0(f, err))
    return written


def _annotate_one(f: FileResult, outdir: Path, taken: set[Path], replace: bool) -> Path:
    stem = safe_filename(f.path.stem)
    candidates = [f"{stem}{ANNOTATED_SUFFIX}", f"{safe_filename(f.path.parent.name)}_{stem}{ANNOTATED_SUFFIX}"]
    candidates += [f"{stem}_{i}{ANNOTATED_SUFFIX}" for i in range(2, 1000)]
    for name in candidates:
        target = outdir / name
        if target.resolve() in taken or target.is_symlink() or (target.exists() and not replace):
            continue
        try:
            return write_output(target, lambda tmp: _annotate(f, tmp), replace=replace)
        except OutputExists:
            continue  # another run took the name a moment ago
    raise XltoolError(f"标注副本的文件名都已被占用：{outdir}")


def _h0(f: FileResult, err: BaseException) -> Problem:
    return Problem("H0", "error", f"无法为这个文件生成标注副本（{internal_error(err)}），其他文件不受影响。")


def _annotate(f: FileResult, target: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(f.path.read_bytes()))
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in f.problems:
        if p.sheet and p.cell and p.sheet in wb.sheetnames:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    for (sheet, cell), problems in by_cell.items():
        c = wb[sheet][cell]
        c.fill = _RED if any(p.is_error for p in problems) else _YELLOW
        text = "\n".join(f"【{p.code}】{p.message}{p.fix}" for p in problems)
        c.comment = Comment(text, "xltool", width=320, height=160)
    ws = wb.create_sheet("问题清单", 0)
    ws.append(list(LIST_HEADER[2:10]))
    for p in f.problems:
        ws.append(_row(f, p)[2:10])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"  # text from the return stays text: "=HYPERLINK(…)" is never a live formula
    for col, width in zip("ABCDEFGH", LIST_WIDTHS[2:10], strict=True):
        ws.column_dimensions[col].width = width
    _print_setup_openpyxl(ws, LIST_WIDTHS[2:10])
    for row in ws.iter_rows(min_row=1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for c in ws[1]:
        c.font = Font(bold=True)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    wb.save(target)
    return target

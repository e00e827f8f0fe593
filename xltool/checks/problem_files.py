"""Problems as files a county officer opens in Excel/WPS: a problem list and annotated copies.

Annotated copies are written next to nothing the unit sent: always a new file in the folder given,
named after the original, which is read and never written.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties

from xltool.checks.verify import FileResult, VerifyResult
from xltool.errors import XltoolError
from xltool.form.layout import row_height
from xltool.form.model import Form
from xltool.form.problems import SEVERITY_ZH, Problem
from xltool.outputs import OutputExists, write_output
from xltool.roster import Roster, Unit, safe_filename
from xltool.wording import internal_error
from xltool.workbook.cached import put_cached, return_values
from xltool.workbook.read import read_return

ANNOTATED_SUFFIX = "_问题标注.xlsx"  # also how verify recognises its own copies in a folder
PROBLEM_HEADER = ("级别", "编号", "工作表", "单元格", "栏目", "填写值", "问题", "修改建议", "单位说明")
LIST_HEADER = ("文件", "单位", *PROBLEM_HEADER, "联系人", "联系邮箱")  # contact: from the roster, when given
SUMMARY_HEADER = ("文件", "单位", "年度", "结论", "错误", "警告", "联系人", "联系邮箱")
SAFE_STRINGS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
LIST_WIDTHS = (18, 20, 6, 6, 14, 8, 30, 10, 48, 38, 24, 8, 20)
SUMMARY_WIDTHS = (22, 28, 6, 8, 6, 6, 8, 16)
PORTRAIT_UP_TO = 100  # column widths (characters) that print legibly across a portrait A4 page
# ...and across a landscape one, fitted to its width: 250 characters print at about 58 %, 11 pt
# text as 6.4 pt; a wider list would print smaller still
LANDSCAPE_UP_TO = 250
_RED = PatternFill("solid", fgColor="FFC7CE")
_YELLOW = PatternFill("solid", fgColor="FFEB9C")


def display_names(paths: Iterable[Path], inputs: Sequence[Path]) -> dict[Path, str]:
    """How the problem list names each file, given the files and folders the user named: a file
    found in a folder by its path inside that folder (安棚镇/年报.xlsx), a file named by itself by its
    name. Two files that would read alike (two folders, each with a 年报.xlsx) get the folder's or
    the parent's name in front; still alike, the path as given."""
    folders = [given for given in inputs if given.is_dir()]
    choices = {path: _choices(path, folders, set(inputs)) for path in paths}
    names = {path: shown[0] for path, shown in choices.items()}
    for level in (1, 2):
        taken = Counter(names.values())
        names = {path: choices[path][level] if taken[name] > 1 else name for path, name in names.items()}
    return names


def _choices(path: Path, folders: Sequence[Path], files: set[Path]) -> tuple[str, str, str]:
    """The names ``path`` may get, shortest first."""
    for folder in folders:
        if path.is_relative_to(folder):
            inside = path.relative_to(folder)
            return str(inside), str(_named(folder) / inside), str(path)
    if path in files:
        return path.name, str(_named(path.parent) / path.name), str(path)
    return str(path), str(path), str(path)


def _named(folder: Path) -> Path:
    """A folder's own name, also for "." or ".." (the root has none: its path)."""
    return Path(folder.name or folder.resolve().name or str(folder.resolve()))


def _problem_cells(p: Problem) -> list[str]:
    """The PROBLEM_HEADER columns of one problem."""
    column = "/".join(x for x in (p.row_label, p.col_label) if x)
    value = "" if p.value is None else str(p.value)
    return [
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


def roster_unit(roster: Roster, name: str) -> Unit | None:
    """The roster's unit of a return: by its name, else by the longest roster name it ends with
    (units often type the county in front: 桐柏县安棚镇人民政府 is the roster's 安棚镇人民政府)."""
    found = (roster.by_name(name[i:]) for i in range(len(name)) if name[i:].strip())
    return next((unit for unit in found if unit is not None), None)


class _Files:
    """What the list says of each file besides its problems: its name as the user knows it, and its
    unit's contact (联系人, 联系邮箱) when a roster knows the unit, else empty."""

    def __init__(
        self, result: VerifyResult, inputs: Sequence[Path] | None, roster: Roster | None, names: Mapping[Path, str]
    ) -> None:
        paths = [f.path for f in result.files]
        self.names = display_names(paths, inputs) if inputs is not None else {p: str(p) for p in paths}
        self.names.update(names)
        self.roster = roster
        self.units: dict[str, Unit | None] = {}  # by the name a return gives

    def name(self, f: FileResult) -> str:
        return self.names.get(f.path, str(f.path))

    def contact(self, f: FileResult) -> list[str]:
        if self.roster is None:
            return ["", ""]
        if f.unit not in self.units:
            self.units[f.unit] = roster_unit(self.roster, f.unit)
        unit = self.units[f.unit]
        return [unit.contact, unit.email] if unit else ["", ""]

    def rows(self, f: FileResult) -> list[list[str]]:
        name, contact = self.name(f), self.contact(f)
        return [[name, f.unit, *_problem_cells(p), *contact] for p in f.problems]


def write_problem_list(
    result: VerifyResult,
    out: Path,
    *,
    replace: bool = False,
    inputs: Sequence[Path] | None = None,
    roster: Roster | None = None,
    names: Mapping[Path, str] | None = None,
) -> Path:
    """One row per problem, with a header, filters and frozen panes (atomic; an existing file only
    with ``replace``). Every text from a return is written as text, never as a formula or link.
    A ``.csv`` name gets the same rows as UTF-8 text with a BOM, which Excel and WPS open as Chinese.

    ``inputs`` are the files and folders the user named: each file is then named as in
    :func:`display_names` (without them, by its path). With a ``roster``, a unit found in it gets its
    联系人 and 联系邮箱. ``names`` name files another way (a campaign's current versions: by unit)."""
    files = _Files(result, inputs, roster, names or {})
    write = _problem_csv if Path(out).suffix.lower() == ".csv" else _problem_list
    return write_output(out, lambda tmp: write(result, files, tmp), replace=replace)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """Text Excel would take for a formula ("=HYPERLINK(…)", "+1") keeps a leading apostrophe."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _problem_csv(result: VerifyResult, files: _Files, out: Path) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(LIST_HEADER)
        for f in result.files:
            writer.writerows([_csv_cell(v) for v in row] for row in files.rows(f))


def _problem_list(result: VerifyResult, files: _Files, out: Path) -> None:
    wb = xlsxwriter.Workbook(str(out), SAFE_STRINGS)
    ws = wb.add_worksheet("问题清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    err = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "font_color": "#9C0006"})
    ws.write_row(0, 0, LIST_HEADER, head)
    ws.set_row(0, row_height(LIST_HEADER, LIST_WIDTHS))
    row = 1
    for f in result.files:
        for p, cells in zip(f.problems, files.rows(f), strict=True):
            ws.write_row(row, 0, cells, err if p.is_error else wrap)
            ws.set_row(row, row_height(cells, LIST_WIDTHS))  # LibreOffice does not fit rows on open
            row += 1
    for i, width in enumerate(LIST_WIDTHS):
        ws.set_column(i, i, width)
    print_setup(ws, LIST_WIDTHS)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row - 1, 1), len(LIST_HEADER) - 1)
    summary = wb.add_worksheet("汇总")
    summary.write_row(0, 0, SUMMARY_HEADER, head)
    summary.set_row(0, row_height(SUMMARY_HEADER, SUMMARY_WIDTHS))
    for i, f in enumerate(result.files, start=1):
        verdict = "通过" if f.valid else "有错误"
        line: list[Any] = [files.name(f), f.unit, f.year or "", verdict, f.errors, f.warnings, *files.contact(f)]
        summary.write_row(i, 0, line, wrap)
        summary.set_row(i, row_height(line, SUMMARY_WIDTHS))
    for i, width in enumerate(SUMMARY_WIDTHS):
        summary.set_column(i, i, width)
    print_setup(summary, SUMMARY_WIDTHS)
    wb.close()


def print_setup(ws: Any, widths: Sequence[float]) -> None:
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


def annotate_copies(
    result: VerifyResult, outdir: Path, *, replace: bool = False, form: Form | None = None
) -> list[Path]:
    """For each readable return with problems: a copy with problem cells marked and commented.
    With the ``form``, every formula of the copy carries the value xltool computes for it.
    Units often send files of the same name (年报.xlsx), so a name is never used twice, and an
    existing file (or a link) is never written over unless ``replace``. A copy that cannot be made
    is an H0 problem of that file; the others are still made."""
    inputs = {f.path.resolve() for f in result.files}
    written: list[Path] = []
    for f in result.files:
        if not f.problems or not f.readable:
            continue
        try:
            written.append(_annotate_one(f, outdir, set(written) | inputs, replace, form))
        except XltoolError:
            raise  # the folder itself cannot be written: the same for every file
        except Exception as err:  # noqa: BLE001 - one file never sinks a batch
            f.problems.append(_h0(f, err))
    return written


def _annotate_one(f: FileResult, outdir: Path, taken: set[Path], replace: bool, form: Form | None) -> Path:
    stem = safe_filename(f.path.stem)
    candidates = [f"{stem}{ANNOTATED_SUFFIX}", f"{safe_filename(f.path.parent.name)}_{stem}{ANNOTATED_SUFFIX}"]
    candidates += [f"{stem}_{i}{ANNOTATED_SUFFIX}" for i in range(2, 1000)]
    for name in candidates:
        target = outdir / name
        if target.resolve() in taken or target.is_symlink() or (target.exists() and not replace):
            continue
        try:
            return write_output(target, lambda tmp: _annotate(f, tmp, form), replace=replace)
        except OutputExists:
            continue  # another run took the name a moment ago
    raise XltoolError(f"标注副本的文件名都已被占用：{outdir}")


def _h0(f: FileResult, err: BaseException) -> Problem:
    return Problem("H0", "error", f"无法为这个文件生成标注副本（{internal_error(err)}），其他文件不受影响。")


def _annotate(f: FileResult, target: Path, form: Form | None) -> Path:
    content = f.path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(content))
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
        ws.append(_problem_cells(p)[:8])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"  # text from the return stays text: "=HYPERLINK(…)" is never a live formula
    for col, width in zip("ABCDEFGH", LIST_WIDTHS[2:10], strict=True):
        ws.column_dimensions[col].width = width
    _print_setup_openpyxl(ws, LIST_WIDTHS[2:10])
    for row in ws.iter_rows(min_row=1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row[0].row].height = row_height([c.value for c in row], LIST_WIDTHS[2:10])
    for c in ws[1]:
        c.font = Font(bold=True)
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    saved = io.BytesIO()
    wb.save(saved)
    target.write_bytes(_with_values(saved.getvalue(), f.path, form))
    return target


def _with_values(saved: bytes, path: Path, form: Form | None) -> bytes:
    """openpyxl writes formulas without their cached results: xltool's own values go back in
    (read from the return again, as verify read it), so a preview or a Python reader sees numbers."""
    if form is None:
        return saved
    try:
        return put_cached(saved, return_values(read_return(path, form), form))
    except Exception:  # noqa: BLE001 - the marked copy still serves without cached values
        return saved

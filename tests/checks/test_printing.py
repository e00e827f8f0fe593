"""What xltool writes prints on A4 as a clerk expects: the problem list and the 问题清单 sheet of an
annotated copy one page wide with the header on every page (read back with openpyxl, rendered by
LibreOffice), and the HTML report keeping each table's header with its table."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import _required
from tests.returns import ROSTER, SAMPLES, default_form
from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import verify
from xltool.office import convert
from xltool.report.html import html_page
from xltool.report.render import _checked_report
from xltool.roster import load_roster
from xltool.workbook.files import collect_paths

FORM = default_form()
A4_LANDSCAPE = (842, 595)  # points, as pdfinfo reports them (rounded)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("print")
    given = [SAMPLES / "flawed"]
    result = verify(collect_paths(given), FORM)
    listing = write_problem_list(result, out / "问题清单.xlsx", inputs=given, roster=load_roster(ROSTER, FORM.units))
    copy = annotate_copies(result, out / "标注")[0]
    return listing, copy


def test_problem_list_page_setup(outputs: tuple[Path, Path]) -> None:
    wb = openpyxl.load_workbook(outputs[0])
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # absent = 1 (OOXML)
        assert ws.print_title_rows == "$1:$1"
        assert all(c.alignment.wrap_text for c in ws[2] if c.value is not None)
    assert wb["问题清单"].page_setup.orientation == "landscape"  # thirteen columns
    assert wb["汇总"].page_setup.orientation == "portrait"


def test_annotated_copy_problem_sheet_page_setup(outputs: tuple[Path, Path]) -> None:
    ws = openpyxl.load_workbook(outputs[1])["问题清单"]
    assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "1:1" or ws.print_title_rows == "$1:$1"


def _pages(pdf: Path) -> list[str]:
    pdftotext = _required(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def _sizes(pdf: Path) -> set[tuple[int, int]]:
    pdfinfo = _required(shutil.which("pdfinfo"), "pdfinfo (poppler-utils)")
    info = subprocess.run([pdfinfo, "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    return {(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)}


def test_problem_list_prints_one_page_wide(soffice: str, outputs: tuple[Path, Path], tmp_path: Path) -> None:
    listing = tmp_path / "list.xlsx"
    wb = openpyxl.load_workbook(outputs[0])
    del wb["汇总"]  # the list sheet alone
    wb.save(listing)
    pages = _pages(convert(listing, "pdf", tmp_path / "pdf"))
    assert _sizes(tmp_path / "pdf" / "list.pdf") == {A4_LANDSCAPE}
    assert all(
        "修改建议" in p and "单位说明" in p and "联系邮箱" in p for p in pages
    )  # every page: the whole header row
    assert any("@example.org" in p for p in pages)  # the roster's contact, printed too


def test_html_print_css_keeps_headers_with_tables() -> None:
    report, _ = _checked_report(FORM, SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx", False)
    page = html_page(report)
    css = page[page.index("<style>") : page.index("</style>")]
    assert "@media print" in css
    assert re.search(r"thead\{display:table-header-group", css)
    assert re.search(r"tr\{[^}]*break-inside:avoid", css)
    assert re.search(r"h2,h3\{[^}]*break-after:avoid", css)
    assert page.count("<thead>") >= 2  # 表三 and 表四 repeat their column headers on every page

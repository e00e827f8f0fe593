"""The template prints on A4 as a clerk expects: every sheet one page wide, landscape only where the
columns need it, the short sheets (the guide, 基本信息, the three tables with their check rows, 校验结果)
on one page each, header rows repeated, no text cut off at a margin or by a row too low.

The page setup is read back with openpyxl; the pages themselves are rendered by the real LibreOffice
(PDF) and read with poppler. Before: LibreOffice clipped the one-column 填表说明 at both margins (it
never scales a single column to the page) and printed 表三's three check rows on a page of their own.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.printcheck import cut_texts, page_sizes, page_texts, shown_texts
from tests.returns import SAMPLES, default_form
from xltool.form.layout import page_fit, wrapped_lines
from xltool.office import convert_many
from xltool.workbook.write import UnitInfo, write_template

FORM = default_form()
TOWN = UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025)
LANDSCAPE = {"t3", "t4"}  # the wide tables; every other sheet prints portrait
LONG = {"text"}  # the narrative sheet runs over several pages; every other sheet fits one
MARKET = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"
A4 = (595, 842)  # points, as pdfinfo reports them (rounded)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(FORM, TOWN, tmp_path_factory.mktemp("tpl") / "template.xlsx").path


@pytest.fixture(scope="module")
def pdfs(soffice: str, template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The blank template and a filled return (the market sample), rendered in one LibreOffice run."""
    out = tmp_path_factory.mktemp("pdf")
    blank, filled = convert_many([template, MARKET], "pdf", out)
    return {"blank": blank, "filled": filled}


def _sheets(wb: openpyxl.Workbook) -> list[tuple[str, object]]:
    return [(s.key, wb[s.name]) for s in FORM.sheets]


# ------------------------------------------------------------------ the page setup, read back
def test_every_sheet_is_a4_one_page_wide(template: Path) -> None:
    for key, ws in _sheets(openpyxl.load_workbook(template)):
        setup = ws.page_setup  # type: ignore[attr-defined]
        assert str(setup.paperSize) == "9", key
        assert ws.sheet_properties.pageSetUpPr.fitToPage, key  # type: ignore[attr-defined]
        assert (setup.fitToWidth or 1) == 1, key  # absent = 1 (OOXML)
        assert setup.orientation == ("landscape" if key in LANDSCAPE else "portrait"), key
        assert ws.print_title_rows, key  # type: ignore[attr-defined]


def test_short_sheets_fit_one_page_tall(template: Path) -> None:
    for key, ws in _sheets(openpyxl.load_workbook(template)):
        tall = ws.page_setup.fitToHeight  # type: ignore[attr-defined]
        assert (tall != 1) if key in LONG else (tall in (None, 1)), (key, tall)  # absent = 1


def test_table_headers_repeat_on_every_page(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    for g in FORM.grids:
        if sum(1 for other in FORM.grids if other.sheet == g.sheet) == 1:
            assert wb[FORM.sheet(g.sheet).name].print_title_rows == f"${g.header_top + 1}:${g.data_top}"


def test_text_below_the_title_wraps(template: Path) -> None:
    """Every text cell wraps, except section headings: one line across the whole sheet (that they
    print whole is test_no_text_is_cut_off's)."""
    for key, ws in _sheets(openpyxl.load_workbook(template)):
        width = len(FORM.sheet(key).widths)
        across = {m.min_row for m in ws.merged_cells.ranges if m.min_col == 1 and m.max_col == width}  # type: ignore[attr-defined]
        for row in ws.iter_rows(min_row=3):  # type: ignore[attr-defined]
            for c in row:
                if isinstance(c.value, str) and not c.value.startswith("=") and c.row not in across:
                    assert c.alignment.wrap_text, (key, c.coordinate)


def test_one_column_sheets_fit_the_page_unscaled() -> None:
    """LibreOffice counts pages across by columns and never splits one: a one-column sheet wider than
    the page is printed clipped at both margins, fit-to-width or not."""
    for s in FORM.sheets:
        if len(s.widths) == 1:
            assert page_fit(s.widths, 0, s.landscape).scale == 1.0, s.key


def test_page_fit_rules() -> None:
    page = 731  # points inside the margins of a portrait A4 page
    assert page_fit([40, 40], 300) == page_fit([40, 40], 300, False)
    assert not page_fit([40, 40], 300).landscape and page_fit([40, 40], 300).pages_tall == 1
    assert page_fit([20] * 10, 300).landscape  # too small on portrait
    assert page_fit([40, 40], page * 1.4).pages_tall == 1  # a little over: shrunk onto one page
    assert page_fit([40, 40], page * 3.1).pages_tall == 3  # a near-empty last page: squeezed
    assert page_fit([40, 40], page * 2.6).pages_tall == 0  # long: as many pages as it needs
    assert wrapped_lines("一二三四五", 12) == 1 and wrapped_lines("一二三四五六", 12) == 2
    assert wrapped_lines("甲\n乙", 40) == 2


# ------------------------------------------------------------------ the pages LibreOffice prints
def _pages_by_sheet(pdf: Path, year: int) -> dict[str, list[int]]:
    """Sheet key -> its page numbers (0-based): a page whose first line is a sheet's title starts
    (or, a title repeated, continues) that sheet; any other page continues the sheet before."""
    titles = {s.title.format(year=year, unit="").strip(): s.key for s in FORM.sheets}
    pages: dict[str, list[int]] = {}
    key = ""
    for i, text in enumerate(page_texts(pdf)):
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        key = titles.get(first, key)
        pages.setdefault(key, []).append(i)
    return pages


@pytest.mark.parametrize("which", ["blank", "filled"])
def test_page_count_and_orientation_per_sheet(pdfs: dict[str, Path], which: str) -> None:
    pages = _pages_by_sheet(pdfs[which], 2025)
    sizes = page_sizes(pdfs[which])
    assert set(pages) == {s.key for s in FORM.sheets}
    for key, numbers in pages.items():
        if key in LONG:
            assert len(numbers) <= 3, (key, numbers)
        else:
            assert len(numbers) == 1, (key, numbers)  # 表三 with its check rows on one page
        want = A4[::-1] if key in LANDSCAPE else A4
        assert {sizes[n] for n in numbers} == {want}, key


def test_table_three_prints_its_check_rows_with_the_table(pdfs: dict[str, Path]) -> None:
    (page,) = _pages_by_sheet(pdfs["blank"], 2025)["t3"]
    text = page_texts(pdfs["blank"])[page]
    t3 = next(g for g in FORM.grids if g.key == "t3")
    assert t3.rows[0].path[-1] in text and t3.rows[-1].path[-1] in text
    for rule_id in t3.checks_below:
        assert f"校验：{FORM.rule(rule_id).title}" in text


@pytest.mark.parametrize("which", ["blank", "filled"])
def test_no_text_is_cut_off(pdfs: dict[str, Path], template: Path, which: str) -> None:
    """Every text the workbook shows (guide lines, labels, the narrative of a filled return) is in the
    PDF whole: a line clipped at a margin or a wrapped text in a row too low loses characters."""
    source = template if which == "blank" else MARKET
    sheets = [s.name for s in FORM.sheets]
    assert len(shown_texts(source, sheets)) > 100
    assert cut_texts(pdfs[which], source, sheets) == []

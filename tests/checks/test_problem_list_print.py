"""Every problem list prints whole: its rows are as tall as their wrapped text (问题, 修改建议, 单位说明)
in LibreOffice too, which keeps a row's stored height on open instead of fitting it as Excel and WPS
do. Rendered by the real LibreOffice and checked as the template's print test checks it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.printcheck import cut_texts, page_count, page_sizes
from tests.returns import ROSTER, SAMPLES, default_form
from xltool.checks.problem_files import LIST_WIDTHS, annotate_copies, write_problem_list
from xltool.checks.verify import verify
from xltool.form.layout import row_height
from xltool.office import convert_many
from xltool.roster import load_roster
from xltool.workbook.files import collect_paths

FORM = default_form()
A4_LANDSCAPE = (842, 595)


@pytest.fixture(scope="module")
def printed(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """(workbook, its PDF) of the problem list of the flawed samples and of one annotated copy."""
    out = tmp_path_factory.mktemp("lists")
    given = [SAMPLES / "flawed"]
    result = verify(collect_paths(given), FORM)
    listing = write_problem_list(result, out / "问题清单.xlsx", inputs=given, roster=load_roster(ROSTER, FORM.units))
    copy = annotate_copies(result, out / "标注")[0]
    only_list = out / "标注副本的问题清单.xlsx"
    wb = openpyxl.load_workbook(copy)
    for name in wb.sheetnames[1:]:
        del wb[name]  # the 问题清单 sheet alone: the unit's own sheets are the template's (printed by its test)
    wb.save(only_list)
    pdfs = convert_many([listing, only_list], "pdf", out / "pdf")
    return {"list": (listing, pdfs[0]), "copy": (only_list, pdfs[1])}


@pytest.mark.parametrize("which", ["list", "copy"])
def test_no_text_of_a_problem_list_is_cut(printed: dict[str, tuple[Path, Path]], which: str) -> None:
    book, pdf = printed[which]
    assert cut_texts(pdf, book) == []
    assert set(page_sizes(pdf)) <= {A4_LANDSCAPE, A4_LANDSCAPE[::-1]}
    assert page_count(pdf) >= 1


def test_rows_are_as_tall_as_their_longest_wrapped_text(printed: dict[str, tuple[Path, Path]]) -> None:
    ws = openpyxl.load_workbook(printed["list"][0])["问题清单"]
    for row in ws.iter_rows(min_row=2):
        cells = [c.value for c in row]
        assert ws.row_dimensions[row[0].row].height == pytest.approx(row_height(cells, LIST_WIDTHS), abs=1)


def test_a_row_counts_chinese_characters_double() -> None:
    narrow = [10.0]
    assert row_height(["一二三四"], narrow) == row_height(["abcdefgh"], narrow)  # one line each
    assert row_height(["一二三四五"], narrow) > row_height(["abcdefgh"], narrow)  # five CJK: ten units, two lines
    assert row_height([""], narrow) == row_height([None], narrow) == 15.0
    assert row_height([None, "甲\n乙\n丙"], [10.0, 10.0]) > row_height(["甲乙丙"], narrow)

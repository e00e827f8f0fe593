"""The campaign's workbooks open right anywhere: the status list and the county's summary printed by
the real LibreOffice with no text cut (the template print test's check), the summary on a few
landscape pages, every formula with its computed value cached, and a county figure that includes
a value a warning questions marked with the unit and the code."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.campaign.countyfixtures import TODAY, TOWN, County, build_campaign
from tests.printcheck import cut_texts, page_count, page_sizes
from xltool.campaign.aggregate import AggregateResult, aggregate
from xltool.campaign.aggregate_book import SUMMARY, UNITS, write_aggregate
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import campaign_status
from xltool.campaign.status_files import write_status_xlsx
from xltool.office import convert_many

A4_LANDSCAPE = (842, 595)
FEE = "t2.fees.amount"  # 安棚镇 wrote 3500 (元?) where 万元 are asked: A3, a warning, summed all the same


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    return build_campaign(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def summed(county: County) -> AggregateResult:
    campaign = load_campaign(county.root)
    return aggregate(campaign_status(campaign, today=TODAY), campaign.form())


@pytest.fixture(scope="module")
def books(county: County, summed: AggregateResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("books")
    status = campaign_status(load_campaign(county.root), today=TODAY)
    return {
        "status": write_status_xlsx(status, out / "报送情况.xlsx"),
        "aggregate": write_aggregate(summed, out / "全县汇总.xlsx"),
    }


@pytest.fixture(scope="module")
def pdfs(soffice: str, books: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = convert_many(list(books.values()), "pdf", tmp_path_factory.mktemp("pdf"))
    return dict(zip(books, made, strict=True))


@pytest.mark.parametrize("which", ["status", "aggregate"])
def test_no_text_is_cut(books: dict[str, Path], pdfs: dict[str, Path], which: str) -> None:
    assert cut_texts(pdfs[which], books[which]) == []


def test_the_summary_prints_on_a_few_landscape_pages(books: dict[str, Path], pdfs: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["aggregate"])
    units = wb[UNITS]
    assert units.page_setup.orientation == "portrait"  # four units: narrow enough to stand (forty lie)
    assert units.sheet_properties.pageSetUpPr.fitToPage
    assert (units.page_setup.fitToWidth or 1, units.page_setup.fitToHeight) == (1, 0)
    assert set(page_sizes(pdfs["aggregate"])) <= {A4_LANDSCAPE, A4_LANDSCAPE[::-1]}  # 图表 stands
    assert page_count(pdfs["aggregate"]) <= 12  # was 31 with a row per unit (five columns a page)


@pytest.mark.parametrize("which", ["status", "aggregate"])
def test_every_formula_carries_its_computed_value(books: dict[str, Path], which: str) -> None:
    formulas = openpyxl.load_workbook(books[which])
    values = openpyxl.load_workbook(books[which], data_only=True)
    cells = [(ws.title, c.coordinate) for ws in formulas for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert which == "status" or len(cells) > 100
    assert [(s, ref) for s, ref in cells if values[s][ref].value in (None, "")] == []


def test_a_total_including_a_questioned_value_names_the_unit_and_code(
    books: dict[str, Path], summed: AggregateResult
) -> None:
    flagged = summed.flagged()
    assert [(f.unit, f.code, f.value) for f in flagged[FEE]] == [(TOWN, "A3", 3500)]
    assert {"unit": TOWN, "field": FEE, "code": "A3"}.items() <= summed.to_dict()["flagged"][0].items()
    wb = openpyxl.load_workbook(books["aggregate"])
    sheet, ref = next(wb.defined_names[summed.form.fields[FEE].defined_name].destinations)
    county_cell = wb[sheet][ref.replace("$", "")]
    assert sheet == SUMMARY and TOWN in county_cell.comment.text and "【A3】" in county_cell.comment.text
    assert county_cell.fill.fgColor.rgb.endswith("FFEB9C")
    units = wb[UNITS]
    town = next(c for c in units[2] if c.value == TOWN)
    noted = [c for c in units[town.column_letter] if c.comment is not None]
    assert [c.value for c in noted] == [3500] and "【A3】" in noted[0].comment.text
    others = {f.key for f in summed.form.fields.values() if f.numeric} - set(flagged)
    assert all(wb[SUMMARY][a].comment is None for a in _cells(wb, summed, others))


def _cells(wb: openpyxl.Workbook, summed: AggregateResult, keys: set[str]) -> list[str]:
    return [next(wb.defined_names[summed.form.fields[k].defined_name].destinations)[1].replace("$", "") for k in keys]

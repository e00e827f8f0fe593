"""The county workbook prints each table's title as the form's sheet title, its {year} and {unit}
filled (the county's year and name), never a literal placeholder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl

from tests.forms.minifixtures import FORM, UNIT, valid_values
from xltool.campaign.aggregate import aggregate
from xltool.campaign.aggregate_book import SUMMARY, summary_layout, write_aggregate
from xltool.campaign.status import folder_status
from xltool.roster import load_roster
from xltool.workbook.write import UnitInfo, write_template


def test_a_table_title_with_the_year_is_filled_in_the_county_workbook(tmp_path: Path) -> None:
    grid_sheet = FORM.grids[0].sheet
    sheets = tuple(replace(s, title="{year}年" + s.title) if s.key == grid_sheet else s for s in FORM.sheets)
    form = replace(FORM, sheets=sheets, memo={})
    folder = tmp_path / "returns"
    write_template(form, UnitInfo(UNIT, "", 2025), folder / "1.xlsx", values=valid_values())
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称,联系邮箱,联系人\n{UNIT},,\n", encoding="utf-8")
    summed = aggregate(folder_status(folder, load_roster(roster, form.units), form), form)
    ws = openpyxl.load_workbook(write_aggregate(summed, tmp_path / "汇总.xlsx"))[SUMMARY]
    (title, row), *_ = summary_layout(form).headings
    assert title.startswith("{year}年")
    assert ws.cell(row + 1, 1).value == "2025年" + form.sheet(grid_sheet).title.removeprefix("{year}年")

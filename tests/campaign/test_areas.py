"""`status` of a city campaign: its units are counties (县（市、区）), each with the units it sums.

The city of tests/campaign/rollupfixtures.py collected three county roll-ups (roster type 县, each
roll-up's `_meta` naming its three units); its status says 县（市、区） in the text, the JSON, the page
and the printable list, and how many units each county's roll-up sums. A county campaign of units
shows none of it (its JSON has no new key).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl

from tests.campaign.rollupfixtures import COUNTIES, run
from tests.returns import default_form, make_return
from xltool.campaign.areas import AREA_NOUNS, UNIT_NOUN, area_view
from xltool.checks.verify import facts_of
from xltool.workbook.read import Return, read_return

NOUN = AREA_NOUNS["县"]


def test_the_city_status_text_calls_its_units_counties(rollup_world: dict[str, Any]) -> None:
    done = run("status", str(rollup_world["city"]))
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    header = lines[1].split()
    assert header[:3] == ["状态", NOUN, "汇总单位数"]
    for county in COUNTIES:
        row = next(line.split() for line in lines if county in line)
        assert row[1:3] == [county, "3"]
    assert f"名单共 3 个{NOUN}" in done.output


def test_the_city_status_json(rollup_world: dict[str, Any]) -> None:
    result = json.loads(run("status", str(rollup_world["city"]), "--json").output)
    assert result["unit_noun"] == NOUN
    assert {u["unit"]: u["sums_units"] for u in result["units"]} == dict.fromkeys(COUNTIES, 3)


def test_the_city_status_page_and_list(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    html, xlsx = tmp_path / "报送情况.html", tmp_path / "报送情况.xlsx"
    done = run("status", str(rollup_world["city"]), "--html", str(html), "--xlsx", str(xlsx))
    assert done.exit_code == 0, done.output
    page = html.read_text(encoding="utf-8")
    assert f"<h2>各{NOUN}报送情况（需要联系的{NOUN}在前）</h2>" in page
    assert f"<th>{NOUN}</th><th>汇总单位数</th><th>类型</th>" in page
    assert f"各状态{NOUN}数" in page and "各单位" not in page
    ws = openpyxl.load_workbook(xlsx)["报送情况"]
    header = [c.value for c in ws[3]]
    assert header[2:5] == [NOUN, "汇总单位数", "类型"]
    rows = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(4, 4 + len(COUNTIES))}
    assert rows == dict.fromkeys(COUNTIES, 3)
    assert f"名单共 3 个{NOUN}" in str(ws["A2"].value)


def test_a_county_campaign_is_shown_as_before(rollup_world: dict[str, Any]) -> None:
    area = rollup_world["counties"][0]
    result = json.loads(run("status", str(area.root), "--json").output)
    assert "unit_noun" not in result and all("sums_units" not in u for u in result["units"])
    text = run("status", str(area.root)).output
    assert "汇总单位数" not in text and "名单共 3 个单位" in text


def test_the_city_board_reads_no_file(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    """The level and the units summed are kept in the register with the verdict: the city's status
    is the same with its counties' returns gone from the disk."""
    city = tmp_path / "city"
    shutil.copytree(rollup_world["city"], city)
    before = json.loads(run("status", str(city), "--json").output)
    shutil.rmtree(city / "returns")
    after = json.loads(run("status", str(city), "--json").output)
    assert after["unit_noun"] == NOUN and after["units"] == before["units"]


def _rollup(ret: Return) -> tuple[str, int]:
    facts = facts_of(default_form(), ret)
    return facts.level, facts.sums


def test_the_view(tmp_path: Path, rollup_world: dict[str, Any]) -> None:
    form = default_form()
    own = _rollup(read_return(make_return(tmp_path), form))
    assert own == ("", 0)
    assert area_view(["部门", "乡镇"], {"某局": own}).noun == UNIT_NOUN
    assert area_view(["部门", "县"], {}).noun == UNIT_NOUN  # a roster of units with one odd type
    roster_only = area_view(["县", "区", "县级市"], {})  # nothing received yet: the roster says areas
    assert roster_only.noun == NOUN and roster_only.sums == {}
    assert roster_only.row_dict("桐柏县") == {"sums_units": None}
    rolled = _rollup(read_return(rollup_world["rolled"][COUNTIES[0]], form))
    assert rolled == ("县", 3)
    view = area_view(["", ""], {COUNTIES[0]: rolled, "某局": own})  # a roll-up among the returns
    assert view.noun == NOUN and view.sums == {COUNTIES[0]: 3}


def test_the_city_aggregate_says_its_whole_area(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    """A city's total of its counties is 全市汇总 (its sheet, title and 合计), a county's 全县汇总."""
    city_book, county_book = tmp_path / "市汇总.xlsx", tmp_path / "县汇总.xlsx"
    done = run("aggregate", str(rollup_world["city"]), "--out", str(city_book))
    assert done.exit_code == 0, done.output
    assert "全市合计" in done.output and "全县" not in done.output
    wb = openpyxl.load_workbook(city_book)
    assert wb.sheetnames[0] == "全市汇总"
    assert str(wb["全市汇总"]["A1"].value).endswith("全市汇总")
    assert "全市合计" in [c.value for c in wb["图表"]["B"]]
    done = run("aggregate", str(rollup_world["counties"][0].root), "--out", str(county_book))
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(county_book).sheetnames[0] == "全县汇总" and "全县合计" in done.output

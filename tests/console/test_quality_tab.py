"""The console's 数据质量 tab in a real Chromium: a campaign of ten departments, one of them with a
×100 value, lists that unit and value with its peers' median, a chart whose red dot is far from the
grey ones, and a link to the unit's page; a campaign with nothing out of line says so (plain HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.campaign.campaignfixtures import make_campaign
from tests.console.conftest import Client
from tests.outliercounty import make_peer_campaign
from xltool.campaign.quality import QualityRow
from xltool.console.quality import LEFT, RIGHT, chart
from xltool.console.server import Console, make_console

FLAGGED = "单位03"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return make_peer_campaign(tmp_path / "2025年报")


def test_the_tab_lists_the_flagged_value_with_its_chart_and_unit_link(
    page: Any, console: Console, campaign: Path, shots: Path
) -> None:
    page.goto(console.url)
    before = _files(campaign)
    page.click("header nav >> text=数据质量")
    page.wait_for_selector("#quality-table")
    assert _files(campaign) == before  # a GET that writes nothing
    row = page.locator(f'#quality-table tr[data-unit="{FLAGGED}"][data-field="t2.penalty.decisions"]')
    assert row.count() == 1
    text = row.inner_text()
    assert "3000" in text and "G1" in text and "中位数" in text and "同类 9 家" not in text
    assert page.locator("#quality-table tbody tr").first.get_attribute("data-unit") == FLAGGED  # farthest out first
    red = row.locator("svg.quality-chart circle.flagged")
    assert red.get_attribute("fill") == "#c0392b"
    peers = row.locator("svg.quality-chart circle.peer")
    assert peers.count() == 10  # the group's values, the unit's own among them
    median = float(row.locator("svg.quality-chart line.median").get_attribute("x1"))
    assert float(red.get_attribute("cx")) - median > 200  # far right of its peers' median
    box = red.bounding_box()
    assert box is not None and box["width"] > 0  # drawn, not just in the markup
    page.screenshot(path=str(shots / "数据质量.png"), full_page=True)
    row.locator(f"a >> text={FLAGGED}").click()
    page.wait_for_url("**/unit/*")
    assert FLAGGED in page.inner_text("h1")


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def test_nothing_out_of_line_says_so(tmp_path: Path) -> None:
    server = make_console(make_campaign(tmp_path / "空的年报"), "127.0.0.1", 0)  # the collect tests' campaign
    server.start()
    try:
        status, headers, data = Client(server).request("GET", "/quality")
    finally:
        server.stop()
    assert status == 200 and headers["content-type"].startswith("text/html")
    html = data.decode()
    assert "没有发现与同类单位或上年相比明显异常的数值" in html and "quality-table" not in html
    assert 'href="/quality"' in html  # the tab in the header


def test_a_last_year_flag_is_drawn_against_last_years_value() -> None:
    jump = QualityRow("单位30", "乡镇", "G2", "t2.penalty.decisions", "行政处罚", 4800, {"last_year": 12}, 400.0, "")
    drawn = chart(jump)
    assert drawn.median is None and drawn.dots == [LEFT] and drawn.unit == RIGHT
    assert (drawn.low, drawn.high) == ("12", "4800")
    peers = QualityRow("单位11", "部门", "G1", "t2.fees.amount", "收费", 3500,
                       {"median": 20, "low": 0, "high": 3500, "peers": 3}, 9.0, "", (0.0, 20.0, 3500.0))  # fmt: skip
    drawn = chart(peers)
    assert drawn.dots[0] == LEFT and drawn.unit == RIGHT and drawn.median is not None and drawn.median < LEFT + 5

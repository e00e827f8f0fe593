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
from xltool.console.server import Console, make_console

FLAGGED = "单位03"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return make_peer_campaign(tmp_path / "2025年报")


def test_the_tab_lists_the_flagged_value_with_its_chart_and_unit_link(page: Any, console: Console, shots: Path) -> None:
    page.goto(console.url)
    page.click("header nav >> text=数据质量")
    page.wait_for_selector("#quality-table")
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

"""The console's board of a city campaign: its units are counties (县（市、区）), each with the number
of units its roll-up sums (the city of tests/campaign/rollupfixtures.py, served by a real console)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.campaign.rollupfixtures import CITY, COUNTIES, build_world
from tests.console.conftest import Client
from xltool.console.server import make_console

NOUN = "县（市、区）"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_world(tmp_path_factory.mktemp("city-board"))


@pytest.fixture
def campaign(world: dict[str, Any], tmp_path: Path) -> Path:
    """The city campaign (a copy: the console may write beside the register)."""
    return Path(shutil.copytree(world["city"], tmp_path / CITY))


def test_the_board_of_a_city_names_counties(client: Client) -> None:
    html = client.open_board()
    assert f"全部{NOUN}</button>" in html
    assert f"<h2>各{NOUN}报送情况</h2>" in html
    assert f'<th data-sort="text">{NOUN}</th><th data-sort="num">汇总单位数</th><th data-sort="text">类型</th>' in html
    for county in COUNTIES:
        row = re.search(rf'<tr data-unit="{county}".*?</tr>', html, re.S)
        assert row is not None
        assert re.search(r'<td data-value="3" class="sums">3</td>', row.group(0)), row.group(0)
    assert "全部单位" not in html


def test_the_board_of_a_county_is_unchanged(world: dict[str, Any], tmp_path: Path) -> None:
    """The county campaign's board (served by its own console) keeps 单位 and has no 汇总单位数."""
    county = Path(shutil.copytree(world["counties"][0].root, tmp_path / "county"))
    server = make_console(county, "127.0.0.1", 0)
    server.start()
    try:
        html = Client(server).open_board()
    finally:
        server.stop()
    assert "全部单位</button>" in html and "<h2>各单位报送情况</h2>" in html and "汇总单位数" not in html

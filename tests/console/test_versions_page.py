"""The unit page's version actions: use, void, move — POST with the CSRF token as the console's other
actions, recorded in the register and listed on the page; in a real browser as the clerk clicks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.campaign.versionfixtures import FINANCE, HOUSING, JUSTICE, Mess, build_mess
from tests.console.conftest import Client
from xltool.campaign.register import Register


@pytest.fixture(scope="module")
def mess_master(tmp_path_factory: pytest.TempPathFactory) -> Mess:
    return build_mess(tmp_path_factory.mktemp("console-mess"))


@pytest.fixture
def campaign(mess_master: Mess, tmp_path: Path) -> Path:
    """The console serves a copy of the county whose mail got things wrong."""
    root = tmp_path / mess_master.root.name
    shutil.copytree(mess_master.root, root)
    return root


def _current(root: Path, unit: str) -> int | None:
    with Register.for_campaign(root) as reg:
        sub = reg.current(unit)
        return sub.version_no if sub else None


def test_the_unit_page_shows_held_versions_and_takes_decisions(client: Client, campaign: Path) -> None:
    client.open_board()
    status, _, page = client.request("GET", f"/unit/{quote(HOUSING)}")
    html = page.decode()
    assert status == 200 and "待核实" in html and 'class="version-form"' in html and "设为当前版本" in html
    path = f"/unit/{quote(HOUSING)}/versions"
    assert client.post(path, {"action": "void", "version": "2", "reason": "误发"}, token=False)[0] == 403
    assert client.post(path, {"action": "void", "version": "2", "reason": ""})[0] == 400  # a reason is required
    status, answer = client.post(path, {"action": "use", "version": "2", "reason": "经办人误选"})
    assert status == 200 and "设为当前版本" in answer["summary"] and _current(campaign, HOUSING) == 2
    status, answer = client.post(path, {"action": "use", "version": "1", "reason": "撤销"})
    assert status == 200 and _current(campaign, HOUSING) == 1
    status, answer = client.post(path, {"action": "void", "version": "2", "reason": "自然资源局误发的旧稿"})
    assert status == 200
    html = client.request("GET", f"/unit/{quote(HOUSING)}")[2].decode()
    assert "已作废" in html and "版本处理记录" in html and "自然资源局误发的旧稿" in html
    status, answer = client.post(f"/unit/{quote(FINANCE)}/versions",
                                 {"action": "move", "version": "1", "to": JUSTICE, "reason": "代司法局转发"})  # fmt: skip
    assert status == 200 and answer["unit"] == JUSTICE and _current(campaign, JUSTICE) == 1
    assert _current(campaign, FINANCE) is None


def test_the_clerk_voids_a_version_in_the_browser(page: Any, console: Any, campaign: Path) -> None:
    page.goto(console.url + "unit/" + quote(HOUSING))
    form = page.locator('form.version-form[data-version="2"]')
    form.locator('input[name="reason"]').fill("自然资源局误发的旧稿")
    form.locator('button[value="void"]').click()
    page.wait_for_selector("#version-actions")
    assert "自然资源局误发的旧稿" in page.inner_text("#version-actions")
    assert "已作废" in page.inner_text('details.version[data-version="2"] summary')
    with Register.for_campaign(campaign) as reg:
        assert reg.versions(HOUSING)[1].voided and reg.current(HOUSING).version_no == 1


def test_the_board_lists_what_is_held_for_review(client: Client, campaign: Path) -> None:
    """The clerk's first page names every 待核实 version with a link to its unit, until it is decided."""
    board = client.open_board()
    section = board.split('id="needs-review"', 1)[1].split("</section>", 1)[0]
    assert HOUSING in section and FINANCE in section and f"/unit/{quote(HOUSING)}" in section
    client.post(f"/unit/{quote(HOUSING)}/versions", {"action": "void", "version": "2", "reason": "误发"})
    section = client.open_board().split('id="needs-review"', 1)[1].split("</section>", 1)[0]
    assert HOUSING not in section and FINANCE in section

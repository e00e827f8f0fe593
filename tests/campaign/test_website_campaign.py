"""The county runs two campaigns side by side in January: the annual report (the default form) and the
政府网站工作年度报表 (--form gov-website-annual-report), each in its own folder with its own roster
of senders. Returns arrive as .eml files in a folder; each campaign takes its own form's returns,
verifies them with its own codes, and reports its own status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.campaign.mailfixtures import message
from tests.forms.website import FORM, FORM_ID, UNIT, website_return
from tests.returns import SAMPLES
from xltool.campaign.settings import load_campaign
from xltool.cli import main
from xltool.workbook.write import UnitInfo, template_filename

YEAR = 2025
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANNUAL = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"  # 桐柏县市场监督管理局's annual report
EDU = UnitInfo("桐柏县教育局", "", YEAR)
SITES = {  # unit -> (email, the website return's changes from the sample)
    UNIT.name: ("bgs@example.org", {}),
    EDU.name: ("jyj@example.org", {FORM.role("unit_name"): EDU.name, "w.msg_done": 1437}),  # W8: 办结 > 收到
    "桐柏县市场监督管理局": ("scj@example.org", None),  # sends only its annual report
}


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def status(root: Path) -> dict[str, Any]:
    result = run("status", root, "--json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("county")
    # one roster file serves both: the annual report reads 单位类型, the website form has no unit types
    roster = base / "名单.csv"
    roster.write_text("单位名称,单位类型,联系邮箱,联系人\n" + "".join(f"{u},部门,{e},张三\n" for u, (e, _) in SITES.items()),
                      encoding="utf-8")  # fmt: skip
    roots = {"annual": base / "2025年报", "website": base / "2025网站年报"}
    common = ("--year", YEAR, "--roster", roster, "--county", "桐柏县", "--deadline", "2026-01-31")
    for root, form in ((roots["annual"], ()), (roots["website"], ("--form", FORM_ID))):
        result = run("init", root, *common, *form)
        assert result.exit_code == 0, result.output
    inbox = base / "收件箱"
    inbox.mkdir()
    for i, (unit, (email, changes)) in enumerate(SITES.items()):
        if changes is None:
            continue
        (base / "made" / str(i)).mkdir(parents=True)
        made = website_return(base / "made" / str(i), changes, UnitInfo(unit, "", YEAR))
        name = template_filename(FORM, unit, YEAR)
        (inbox / f"site{i}.eml").write_bytes(message([(name, made.read_bytes(), XLSX)], subject=f"{unit}网站年度报表",
                                                      sender=email, message_id=f"<site.{i}@example.org>"))  # fmt: skip
    annual_box = base / "年报邮件"
    annual_box.mkdir()
    stray = next((base / "made" / "0").iterdir())  # the office's website return, mailed to the wrong campaign
    (annual_box / "stray.eml").write_bytes(message([(stray.name, stray.read_bytes(), XLSX)], subject="网站年报",
                                                   sender=SITES[UNIT.name][0], message_id="<stray.1@example.org>"))  # fmt: skip
    (annual_box / "scj.eml").write_bytes(message([(ANNUAL.name, ANNUAL.read_bytes(), XLSX)], subject="市场监管局年报",
                                                 sender=SITES["桐柏县市场监督管理局"][0], message_id="<annual.1@example.org>"))  # fmt: skip
    for root, box in ((roots["website"], inbox), (roots["annual"], annual_box)):
        result = run("collect", root, "--eml", box)
        assert result.exit_code == 0, result.output
    return roots


def test_each_campaign_keeps_its_own_form(county: dict[str, Path]) -> None:
    assert load_campaign(county["website"]).form().id == FORM_ID
    assert load_campaign(county["annual"]).form().id == "gov-info-disclosure-annual-report"
    names = sorted(p.name for p in (county["website"] / "templates").iterdir())
    assert names == sorted(template_filename(FORM, u, YEAR) for u in SITES)


def test_the_website_campaign_status(county: dict[str, Path]) -> None:
    data = status(county["website"])
    units = {u["unit"]: u for u in data["units"]}
    assert set(units) == set(SITES)
    assert (units[UNIT.name]["standing"], units[UNIT.name]["codes"]) == ("pass", [])
    assert (units[EDU.name]["standing"], units[EDU.name]["codes"]) == ("fix", ["W8"])
    assert units["桐柏县市场监督管理局"]["standing"] == "missing"


def test_the_annual_campaign_status(county: dict[str, Path]) -> None:
    units = {u["unit"]: u for u in status(county["annual"])["units"]}
    assert units["桐柏县市场监督管理局"]["received"] and units["桐柏县市场监督管理局"]["errors"] == 0
    # the office's website return mailed here by mistake is not its annual report: H2 (another form)
    assert (units[UNIT.name]["standing"], units[UNIT.name]["codes"]) == ("fix", ["H2"])


def test_the_website_campaign_reports_its_passing_returns(county: dict[str, Path], tmp_path: Path) -> None:
    result = run("report", county["website"], "-o", tmp_path / "报告", "--format", "md")
    assert "桐柏县教育局：有 1 个错误（W8）" in result.output
    [made] = (tmp_path / "报告").iterdir()
    assert made.name == f"{YEAR}年度政府网站工作年度报表_{UNIT.name}.md"
    text = made.read_text(encoding="utf-8")
    assert text.startswith(f"# {UNIT.name}政府网站工作年度报表（{YEAR}年度）")
    assert "| 互动交流·留言办理·平均办理时间（单位：天） | 3.6 |" in text

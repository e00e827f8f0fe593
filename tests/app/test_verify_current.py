"""``xltool verify 文件夹 --current``: a campaign's current versions only, each named by its unit —
the versions the register holds current (the answer the reports get), not every stored file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.app.helpers import cli, cli_json
from tests.campaign.countyfixtures import CHENGGUAN, CIVIL, EDUCATION, County
from xltool.app.errors import UsageProblem
from xltool.app.reports import campaign_jobs
from xltool.app.verify import VerifyRequest, verify_returns
from xltool.campaign.settings import load_campaign
from xltool.checks.problem_files import LIST_HEADER


def test_only_the_current_versions_named_by_unit(county: County, tmp_path: Path) -> None:
    campaign = load_campaign(county.root)
    jobs, missing = campaign_jobs(campaign, campaign.form())
    stored = list((county.root).rglob("*.xlsx"))
    assert len(stored) > len(jobs)  # superseded versions (教育局's first) are kept in the folder
    done = verify_returns(VerifyRequest((county.root,), current=True, out=tmp_path / "当前.xlsx"))
    assert {f.path for f in done.result.files} == {j.source for j in jobs}
    assert sorted(done.names.values()) == sorted(j.unit for j in jobs) and CIVIL in missing
    rows = list(openpyxl.load_workbook(tmp_path / "当前.xlsx")["问题清单"].iter_rows(min_row=2, values_only=True))
    named = {r[LIST_HEADER.index("文件")] for r in rows}
    assert CHENGGUAN in named and EDUCATION not in named  # 教育局's current version has no problem
    assert all(r[LIST_HEADER.index("联系人")] is not None for r in rows if r[0] == CHENGGUAN)  # the campaign's roster


def test_the_command_names_units_and_its_json_is_the_use_cases(county: County) -> None:
    shown = cli("verify", str(county.root), "--current")
    assert shown.exit_code == 1  # 城关镇's current version has errors
    assert f"\n{CHENGGUAN}（" in shown.output and ".xlsx（" not in shown.output
    code, data = cli_json("verify", str(county.root), "--current", "--json")
    assert code == 1 and sorted(data["units"].values()) == sorted(
        verify_returns(VerifyRequest((county.root,), current=True)).names.values()
    )
    everything = cli("verify", str(county.root))
    assert everything.output.count("结论：") > shown.output.count("结论：")  # without --current: every file


def test_current_needs_one_campaign_folder(plain: County) -> None:
    with pytest.raises(UsageProblem) as refused:
        verify_returns(VerifyRequest((plain.root,), current=True))
    assert refused.value.option == "--current"
    assert cli("verify", str(plain.root), "--current").exit_code == 2

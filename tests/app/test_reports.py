"""Reports as use cases: which returns are current, a folder's reports, the console's, the county's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.helpers import Recorder, cli
from tests.campaign.countyfixtures import CHENGGUAN, CIVIL, EDUCATION, MARKET, POLICE, YUEHE, County
from xltool.app.errors import UsageProblem
from xltool.app.reports import REPORTS_DIR, campaign_jobs, report_campaign, report_county, report_file, report_folder
from xltool.campaign.settings import load_campaign
from xltool.errors import XltoolError
from xltool.report.render import ReportRefused


def test_the_register_decides_which_returns_are_current(county: County) -> None:
    campaign = load_campaign(county.root)
    jobs, missing = campaign_jobs(campaign, campaign.form())
    units = {j.unit for j in jobs}
    assert CIVIL in missing and POLICE in missing and not units & set(missing)
    assert {MARKET, CHENGGUAN, EDUCATION} <= units
    education = next(j for j in jobs if j.unit == EDUCATION)
    assert education.source.read_bytes() == county.files[EDUCATION].read_bytes()  # the corrected version
    assert len(jobs) == len(units) == 6 and YUEHE in units  # one return of a unit, whatever it sent
    only, none = campaign_jobs(campaign, campaign.form(), only=MARKET)
    assert [j.unit for j in only] == [MARKET] and none == []


def test_a_campaign_folders_reports_refuse_returns_with_errors(county: County, tmp_path: Path) -> None:
    recorder = Recorder()
    done = report_folder(county.root, tmp_path / "r", ["md"], force=False, form_spec=None, progress=recorder)
    refused = {i.job.unit for i in done.result.refused}
    assert CHENGGUAN in refused and not done.ok
    assert len(done.result.written) + len(refused) == len(recorder.steps) == recorder.totals[0]
    assert set(done.missing) == {CIVIL, POLICE}
    assert all(p.suffix == ".md" and p.is_file() for i in done.result.written for p in i.paths)
    shown = cli("report", str(county.root), "-o", str(tmp_path / "cli"), "--format", "md")
    assert shown.exit_code == 1
    assert f"已生成 {len(done.result.written)} 份报告（md），保存在 {tmp_path / 'cli'}" in shown.output


def test_the_consoles_reports_go_to_the_campaigns_reports_folder(county: County) -> None:
    campaign = load_campaign(county.root)
    done = report_campaign(campaign, ["md"], only=MARKET)
    assert [i.job.unit for i in done.result.written] == [MARKET] and done.ok
    assert done.out == county.root / REPORTS_DIR
    assert report_campaign(campaign, ["md"], only=MARKET).ok  # the older report replaced
    with pytest.raises(XltoolError, match="尚未报送"):
        report_campaign(campaign, ["md"], only=CIVIL)


def test_one_returns_report_keeps_an_existing_file(county: County, tmp_path: Path) -> None:
    out = tmp_path / "市场.md"
    rendered = report_file(county.files[MARKET], out, None, force=False, form_spec=None)
    assert rendered.path == out and out.is_file()
    with pytest.raises(UsageProblem, match="--force"):
        report_file(county.files[MARKET], out, None, force=False, form_spec=None)
    with pytest.raises(ReportRefused):
        report_file(county.files[CHENGGUAN], tmp_path / "城关.md", None, force=False, form_spec=None)


def test_the_countys_report_counts_the_units_its_figures_come_from(county: County, tmp_path: Path) -> None:
    done = report_county(county.root, MARKET, tmp_path / "县.md", None, force=False, form_spec=None)
    assert done.rendered.path == tmp_path / "县.md" and done.included >= 3 and done.excluded >= 3
    with pytest.raises(UsageProblem) as refused:
        report_county(county.root, None, tmp_path / "x.md", None, force=False, form_spec=None)
    assert "--unit" in str(refused.value)
    with pytest.raises(UsageProblem) as not_campaign:
        report_county(tmp_path, MARKET, tmp_path / "x.md", None, force=False, form_spec=None)
    assert not_campaign.value.option == "报表或文件夹"


def test_force_only_overwrites_and_allow_errors_renders_the_returns_with_errors(county: County, tmp_path: Path) -> None:
    """One flag, one meaning: ``--force`` replaces reports but never renders a return with errors;
    ``--allow-errors`` renders it, marked 未通过校验 on its face, and names each such report."""
    out = tmp_path / "out"
    first = cli("report", str(county.root), "-o", str(out), "--format", "md")
    again = cli("report", str(county.root), "-o", str(out), "--format", "md", "--force")
    assert first.exit_code == again.exit_code == 1  # returns with errors are refused both times
    assert f"[未生成] {CHENGGUAN}：有 " in again.output and "未通过校验" not in again.output
    assert len(list(out.glob("*.md"))) == int(again.output.split("已生成 ")[1].split(" 份")[0])
    assert not any("未通过校验" in p.read_text(encoding="utf-8") for p in out.glob("*.md"))
    done = report_folder(county.root, out, ["md"], force=True, form_spec=None, allow_errors=True)
    assert done.ok and CHENGGUAN in done.to_dict()["unchecked"]
    unchecked = {i.job.unit for i in done.unchecked}
    for item in done.result.written:
        assert ("未通过校验" in item.paths[0].read_text(encoding="utf-8")) == (item.job.unit in unchecked)
    allowed = cli("report", str(county.root), "-o", str(out), "--format", "md", "--force", "--allow-errors")
    assert allowed.exit_code == 0, allowed.output
    named = [line for line in allowed.output.splitlines() if line.startswith("[未通过校验]")]
    assert sorted(unchecked) == sorted(line.split("：")[0].removeprefix("[未通过校验] ") for line in named)
    assert f"（其中 {len(unchecked)} 份未通过校验）" in allowed.output
    refused = cli("report", str(county.root), "-o", str(out), "--format", "md", "--allow-errors")
    assert refused.exit_code == 1 and "--force" in refused.output  # allowing errors is no licence to overwrite


def test_the_consoles_report_job_allows_errors_only_when_asked(county: County) -> None:
    campaign = load_campaign(county.root)
    assert not report_campaign(campaign, ["md"], only=CHENGGUAN).ok
    done = report_campaign(campaign, ["md"], only=CHENGGUAN, allow_errors=True)
    assert done.ok and [i.job.unit for i in done.unchecked] == [CHENGGUAN]

"""生成全部报告 in a real Chromium: a return with errors is refused and listed unless the clerk ticks
“有错误的报表也生成”; then its report is made, marked 未通过校验 and named in its own line. Replacing
the reports the console made before is the job's own business, not the box's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.console.conftest import MARKET, TOWN
from xltool.app.upload import Dropped, collect_dropped
from xltool.campaign.settings import load_campaign
from xltool.console.server import Console


def test_the_report_job_renders_a_return_with_errors_only_when_asked(
    page: Any, console: Console, campaign: Path, return_files: dict[str, Path]
) -> None:
    from playwright.sync_api import expect  # here: without Playwright the fixtures skip (or fail under CI)

    dropped = [Dropped(p.name, p.read_bytes()) for p in (return_files["bad"], return_files["town"])]
    collect_dropped(load_campaign(campaign), dropped)  # the market's return has an error, the town's none
    page.goto(console.url)
    assert not page.is_checked("#reports-allow-errors")
    page.click("[data-job='reports']")
    expect(page.locator("#job-reports .summary")).to_contain_text("已生成 1 份报告")
    lines = page.inner_text("#job-reports .lines")
    assert f"[未生成] {MARKET}：有 " in lines and "[未通过校验]" not in lines
    assert f"[已生成] {TOWN}" in lines

    page.check("#reports-allow-errors")
    page.click("[data-job='reports']")
    expect(page.locator("#job-reports .summary")).to_contain_text("（其中 1 份未通过校验）")
    lines = page.inner_text("#job-reports .lines")
    assert f"[未通过校验] {MARKET}：报表有 " in lines and f"[未生成] {MARKET}" not in lines
    assert page.locator("#job-reports .lines li.bad a", has_text="[未通过校验]").count() == 1  # to the unit's page
    made = sorted(p.name for p in (campaign / "reports").glob("*.html"))
    assert len(made) == 2


def test_a_units_page_renders_its_return_with_errors_only_when_asked(
    page: Any, console: Console, campaign: Path, return_files: dict[str, Path]
) -> None:
    collect_dropped(load_campaign(campaign), [Dropped(return_files["bad"].name, return_files["bad"].read_bytes())])
    page.goto(console.url + "unit/" + MARKET)
    with page.expect_response(lambda r: r.url.endswith("/report")) as refused:
        page.click(".report-form button")
    assert "未生成 1 份" in refused.value.json()["summary"]
    page.goto(console.url + "unit/" + MARKET)
    assert page.locator("#report-docx").count() == 0
    page.check("#report-allow-errors")
    with page.expect_response(lambda r: r.url.endswith("/report")) as allowed:
        page.click(".report-form button")
    answer = allowed.value.json()
    assert "其中 1 份未通过校验" in answer["summary"]
    assert any(line["text"].startswith(f"[未通过校验] {MARKET}") for line in answer["lines"])
    page.goto(console.url + "unit/" + MARKET)
    assert page.locator("#report-docx").count() == 1

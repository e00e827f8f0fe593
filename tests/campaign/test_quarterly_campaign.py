"""A whole campaign of a quarterly form (tests/forms/quarterly: 12345 热线季度统计表) through the CLI:
``init --period 2025Q1``, the notices, returns collected from .eml files, status, aggregate and the
reports, every title naming the quarter; a return of another quarter is H3 with both periods named.
"""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.campaign.mailfixtures import message
from tests.forms.quarterlyfixtures import FORM, Q1, Q2, QUARTERLY, quarterly_return
from tests.returns import saved_by_libreoffice
from xltool.campaign.aggregate_book import SUMMARY
from xltool.campaign.settings import load_campaign
from xltool.checks.verify import VerifyOptions, verify
from xltool.form.period import Period
from xltool.workbook.read import read_return
from xltool.workbook.write import template_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = ("consult", "complaint", "suggest")
# unit -> (email, the quarter of the template it fills, (受理量, 办结量) per row; none: sends nothing)
UNITS: dict[str, tuple[str, Period, dict[str, tuple[int, int]]]] = {
    "桐柏县城关镇人民政府": ("chengguan@example.org", Q1, {"consult": (120, 118), "complaint": (30, 27),
                                                             "urgent": (4, 4), "suggest": (6, 6)}),
    "桐柏县月河镇人民政府": ("yuehe@example.org", Q1, {"consult": (80, 80), "complaint": (12, 10),
                                                        "urgent": (5, 3), "suggest": (2, 1)}),
    "桐柏县淮源镇人民政府": ("huaiyuan@example.org", Q2, {"consult": (50, 49), "complaint": (9, 9), "urgent": (2, 2),
                                                           "suggest": (1, 1)}),  # last quarter's template: H3
    "桐柏县固县镇人民政府": ("guxian@example.org", Q1, {}),  # sends nothing
}  # fmt: skip


DAYS = {"桐柏县城关镇人民政府": 3.6, "桐柏县月河镇人民政府": 2.4, "桐柏县淮源镇人民政府": 5.0}  # 平均办理时长


def run(*args: object) -> Result:
    return CliRunner().invoke(main_command(), [str(a) for a in args])


def main_command() -> Any:
    from xltool.cli import main

    return main


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("quarterly")
    roster = base / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n" + "".join(f"{u},{e},张三\n" for u, (e, _, _) in UNITS.items()),
                      encoding="utf-8")  # fmt: skip
    root = base / "2025Q1热线"
    done = run("init", root, "--period", "2025Q1", "--roster", roster, "--form", QUARTERLY, "--county", "桐柏县",
               "--deadline", "2025-04-10", "--from", "office@example.org")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "2025年第一季度模板" in done.output
    mails = base / "mail"
    mails.mkdir()
    for i, (unit, (email, when, counts)) in enumerate(UNITS.items()):
        if counts:
            made = quarterly_return(base / f"{i}.xlsx", unit, when, counts, days=DAYS[unit])
            name = template_filename(FORM, unit, when)
            (mails / f"{i}.eml").write_bytes(message([(name, made.read_bytes(), XLSX)], sender=email,
                                                     subject=f"{unit}热线统计表", message_id=f"<q.{i}@example.org>"))  # fmt: skip
    done = run("collect", root, "--eml", mails)
    assert done.exit_code == 0, done.output
    return root


def test_init_records_the_period_and_names_the_templates_by_the_quarter(campaign: Path) -> None:
    settings = load_campaign(campaign)
    assert (settings.year, settings.period, settings.when) == (2025, "2025Q1", Q1)
    assert 'period = "2025Q1"' in (campaign / "xltool.toml").read_text(encoding="utf-8")
    names = sorted(p.name for p in (campaign / "templates").iterdir())
    assert names == sorted(f"2025年第一季度12345热线统计表_{u}.xlsx" for u in UNITS)


def test_the_template_carries_the_quarter_in_its_titles_and_meta(campaign: Path) -> None:
    path = campaign / "templates" / template_filename(FORM, "桐柏县城关镇人民政府", Q1)
    book = openpyxl.load_workbook(path)
    assert book["说明"]["A1"].value == "2025年第一季度12345热线统计 填表说明"
    assert book["办理情况"]["A1"].value == "2025年第一季度热线工单办理情况"
    assert "报告期：2025年第一季度" in book["办理情况"]["A2"].value  # the subtitle: {period} filled as text
    assert book["说明"]["A3"].value.startswith("一、本表统计 2025年第一季度本单位")
    assert book.properties.title == "桐柏县城关镇人民政府2025年第一季度12345热线工作情况"
    meta = {r[0]: r[1] for r in book["_meta"].iter_rows(values_only=True) if r[0]}
    assert meta["period"] == "2025Q1" and meta["year"] == 2025
    ret = read_return(path, FORM)
    assert ret.period == Q1 and ret.readable and not [p for p in ret.problems if p.code.startswith("H")]


def test_a_return_of_another_quarter_is_h3_naming_both(campaign: Path, tmp_path: Path) -> None:
    path = quarterly_return(tmp_path / "q2.xlsx", "桐柏县淮源镇人民政府", Q2, UNITS["桐柏县淮源镇人民政府"][2])
    [result] = verify([path], FORM, VerifyOptions(year=2025, period=Q1)).files
    [h3] = [p for p in result.problems if p.code == "H3"]
    assert h3.rule == "H3-period"
    assert "报表所属期间为2025年第二季度，本次收集的是2025年第一季度" in h3.message
    [same] = verify([path], FORM, VerifyOptions(year=2025, period=Q2)).files
    assert same.valid, [p.message for p in same.problems]


def test_a_period_edited_in_the_meta_is_h2_or_h4(tmp_path: Path) -> None:
    """The period is part of the fingerprint's identity: edited in _meta, the template is no longer intact."""
    path = quarterly_return(tmp_path / "q1.xlsx", "桐柏县城关镇人民政府", Q1, UNITS["桐柏县城关镇人民政府"][2])
    book = openpyxl.load_workbook(path)
    sheet = book["_meta"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "period")
    row[1].value = "2025Q2"
    book.save(path)
    codes = {p.code for p in verify([path], FORM, VerifyOptions(year=2025, period=Q2)).files[0].problems}
    assert "H4" in codes
    row[1].value = "2024Q2"  # another year than the template's: the hidden information is broken
    book.save(path)
    assert "H2" in {p.code for p in read_return(path, FORM).problems}


def test_status_names_the_quarter_and_the_return_of_another_quarter(campaign: Path) -> None:
    done = run("status", campaign, "--json")
    assert done.exit_code == 0, done.output
    status = json.loads(done.stdout)
    assert status["title"] == "桐柏县2025年第一季度12345热线季度统计表报送情况"
    assert (status["period"], status["period_zh"]) == ("2025Q1", "2025年第一季度")
    rows = {r["unit"]: r for r in status["units"]}
    assert {u: r["standing"] for u, r in rows.items()} == {
        "桐柏县城关镇人民政府": "pass",
        "桐柏县月河镇人民政府": "pass",
        "桐柏县淮源镇人民政府": "fix",
        "桐柏县固县镇人民政府": "missing",
    }
    assert rows["桐柏县淮源镇人民政府"]["codes"] == ["H3"]


def test_aggregate_sums_the_quarter(campaign: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    done = run("aggregate", campaign, "-o", out, "--json")
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["title"] == "桐柏县2025年第一季度12345热线季度统计表全县汇总"
    assert result["totals"]["hot.total.accepted"] == 120 + 30 + 6 + 80 + 12 + 2
    assert result["totals"]["hot.total.done"] == 118 + 27 + 6 + 80 + 10 + 1
    # 办结率 recomputed from the county's sums (a rate of the totals, never the units' rates added up)
    assert result["totals"]["hot.total.rate"] == pytest.approx(
        (118 + 27 + 6 + 80 + 10 + 1) / (120 + 30 + 6 + 80 + 12 + 2)
    )
    assert result["totals"]["hot.complaint.rate"] == pytest.approx((27 + 10) / (30 + 12))
    assert result["totals"]["hot.urgent.accepted"] == 4 + 5  # the 其中 row summed on its own, outside 合计
    assert result["totals"]["base.days"] == pytest.approx(3.0)  # the mean of 3.6 and 2.4 days, not 6.0
    assert result["problems"] == []  # nothing fails on the aggregate because it is an aggregate
    sheet = openpyxl.load_workbook(out)[SUMMARY]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "2025年第一季度热线工单办理情况" in texts  # the table's title, its placeholders filled


def test_reports_are_titled_by_the_quarter(campaign: Path, tmp_path: Path) -> None:
    done = run("report", campaign, "-o", tmp_path / "报告")
    assert done.exit_code == 0, done.output
    stem = template_filename(FORM, "桐柏县城关镇人民政府", Q1).removesuffix(".xlsx")
    document = docx.Document(str(tmp_path / "报告" / f"{stem}.docx"))
    title = document.paragraphs[0].text.replace("\n", "")  # the docx breaks the title after the unit
    assert title == "桐柏县城关镇人民政府2025年第一季度12345热线工作情况"


def test_the_notices_name_the_quarter_and_attach_its_template(campaign: Path) -> None:
    done = run("distribute", campaign)
    assert done.exit_code == 0, done.output
    [draft] = [p for p in (campaign / "notices").rglob("*.eml") if "固县镇" in str(p)]
    msg = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    assert msg["Subject"] == "关于报送2025年第一季度12345热线统计表的通知"
    names = [a.get_filename() for a in msg.iter_attachments()]  # type: ignore[attr-defined]
    assert names == ["2025年第一季度12345热线统计表_桐柏县固县镇人民政府.xlsx"]
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert (
        "现将2025年第一季度《12345热线季度统计表》的填报模板" in body and "年度《" not in body
    )  # the built-in wording


def test_a_period_of_the_wrong_kind_is_a_usage_error(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n桐柏县城关镇人民政府,a@example.org,张三\n", encoding="utf-8")
    cases = {
        ("init", tmp_path / "a", "--year", 2025): "本表单按季度报送，请用 --period 指定报告期，如 2025Q1",
        ("init", tmp_path / "b", "--period", "2025-03"): "报告期“2025-03”是月度，应写成 2025Q1 的形式",
        ("template", "--unit", "某局", "-o", tmp_path / "c.xlsx", "--period", "2025H1"): "应写成 2025Q1 的形式",
        ("template", "--unit", "某局", "-o", tmp_path / "d.xlsx", "--period", "2025Q9"): "报告期“2025Q9”无法识别",
    }
    for args, says in cases.items():
        done = run(*args, *(("--roster", roster) if args[0] == "init" else ()), "--form", QUARTERLY)
        assert done.exit_code == 2 and says in done.output, (args, done.output)
        assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    yearly = run("template", "--unit", "某局", "-o", tmp_path / "e.xlsx", "--period", "2025Q1")
    assert yearly.exit_code == 2 and "本表单按年度报送" in yearly.output


def test_verify_checks_the_period_given(tmp_path: Path) -> None:
    path = quarterly_return(tmp_path / "q2.xlsx", when=Q2)
    done = run("verify", path, "--period", "2025Q1", "--form", QUARTERLY)
    assert done.exit_code == 1 and "报表所属期间为2025年第二季度，本次收集的是2025年第一季度" in done.output
    assert run("verify", path, "--period", "2025Q2", "--form", QUARTERLY).exit_code == 0
    assert run("verify", path, "--period", "2025", "--form", QUARTERLY).exit_code == 2


def test_a_quarterly_report_imports_with_its_unit_from_the_title(tmp_path: Path) -> None:
    """The importer reads the title by the form's title_pattern: {quarter} and {period} are text, not the unit."""
    report = tmp_path / "r.docx"
    assert run("report", quarterly_return(tmp_path / "r.xlsx"), "-o", report, "--form", QUARTERLY).exit_code == 0
    done = run("import", report, "--form", QUARTERLY, "-o", tmp_path / "imp.xlsx", "--json")
    assert done.exit_code == 0, done.output
    assert "桐柏县城关镇人民政府" in done.output and "第一" not in json.loads(done.stdout)["files"][0]["unit"]


def test_a_blank_narrative_is_written_naming_the_quarter(tmp_path: Path) -> None:
    path = quarterly_return(tmp_path / "r.xlsx", blank_summary=True)
    assert run("report", path, "-o", tmp_path / "r.md", "--form", QUARTERLY).exit_code == 0
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "2025年第一季度，本单位共受理12345热线工单156件，办结151件。" in text


def test_the_reminder_of_a_unit_that_sent_nothing_names_the_quarter(campaign: Path) -> None:
    done = run("remind", campaign)
    assert done.exit_code == 0, done.output
    drafts = [p for p in (campaign / "notices").rglob("*.eml") if "固县镇" in str(p) and "催报" in p.name]
    subjects = {BytesParser(policy=policy.default).parsebytes(p.read_bytes())["Subject"] for p in drafts}
    assert subjects == {"催报：2025年第一季度12345热线季度统计表（桐柏县固县镇人民政府）"}


def test_a_return_saved_by_libreoffice_keeps_its_quarter(tmp_path: Path, soffice: str) -> None:
    """The period in _meta and the titles survive LibreOffice's open-and-save: the return still
    verifies for its quarter, and is H3 for another."""
    saved = saved_by_libreoffice(quarterly_return(tmp_path / "q1.xlsx"), tmp_path / "saved")
    assert read_return(saved, FORM).period == Q1
    [ok] = verify([saved], FORM, VerifyOptions(year=2025, period=Q1)).files
    assert ok.valid, [p.message for p in ok.problems]
    [other] = verify([saved], FORM, VerifyOptions(year=2025, period=Q2)).files
    assert [p.rule for p in other.problems if p.is_error] == ["H3-period"]

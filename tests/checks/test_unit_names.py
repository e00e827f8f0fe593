"""A unit's name becomes a report's title, its signature and a line in every list: one with a line
break or a control character, or far too long, is a problem of the return (A2-unit, or H2 when it is
the template's own), never a title; the report falls back to the template's unit and never crashes."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tests.returns import default_form, make_return, market_unit
from tests.zipparts import members, rezip
from xltool.checks.verify import verify
from xltool.errors import RosterError, XltoolError
from xltool.report.build import build_report
from xltool.report.render import ReportRefused, render_reports
from xltool.roster import load_roster
from xltool.workbook import limits
from xltool.workbook.read import read_return
from xltool.workbook.write import UnitInfo, write_template

FORM = default_form()
KEY = FORM.role("unit_name")
CELL = FORM.fields[KEY].cell
UNIT = market_unit(FORM).name  # the template's unit: 桐柏县市场监督管理局


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"{UNIT}\n关于2025年度的说明", "↵"),
        (f"桐柏县\r\n{UNIT[3:]}", "↵"),
        (f"桐柏县\t{UNIT[3:]}", "□"),
        (f"\u202e{UNIT}", "□"),  # a right-to-left override: the title would read backwards
        ("桐" * (limits.MAX_UNIT_NAME + 1), "…（共 101 个字符）"),
    ],
    ids=["newline", "crlf", "tab", "bidi", "too-long"],
)
def test_a_flawed_unit_name_is_a2(tmp_path: Path, typed: str, shown: str) -> None:
    (result,) = verify([make_return(tmp_path, {KEY: typed})], FORM).files
    (problem,) = [p for p in result.problems if p.rule == "A2-unit"]
    assert (problem.code, problem.cell, problem.severity) == ("A2", CELL, "error")
    assert shown in problem.line() and "\n" not in problem.line() and "\t" not in problem.line()
    assert result.unit == UNIT  # lists and replies name the template's unit instead


def test_spaces_around_a_name_are_no_problem(tmp_path: Path) -> None:
    (result,) = verify([make_return(tmp_path, {KEY: f" {UNIT}\n"})], FORM).files
    assert "A2" not in {p.code for p in result.problems}


def test_a_huge_unit_name_makes_no_huge_line_and_no_huge_title(tmp_path: Path) -> None:
    typed = "桐" * 30_000  # near what a cell holds (32,767)
    path = make_return(tmp_path, {KEY: typed})
    (result,) = verify([path], FORM).files
    assert {"A2-unit", "H7-unit"} <= {p.rule for p in result.problems}
    assert max(len(p.line()) for p in result.problems) < 1_500
    with pytest.raises(ReportRefused) as refused:
        render_reports(FORM, path, [(tmp_path / "r.docx", "docx")])
    assert "A2-unit" in {p.rule for p in refused.value.problems}
    (out,) = render_reports(FORM, path, [(tmp_path / "r.docx", "docx")], force=True).paths
    doc = docx.Document(str(out))
    assert (
        doc.core_properties.title
        == doc.paragraphs[1].text.replace("\n", "")
        == f"{UNIT}2025年政府信息公开工作年度报告"  # [0]: the 未通过校验 mark of a forced report
    )
    assert doc.core_properties.author == UNIT


def test_the_renderers_never_print_a_flawed_name(tmp_path: Path) -> None:
    typed = f"{UNIT}\n# 假的标题\t"
    path = make_return(tmp_path, {KEY: typed})
    outs = [(tmp_path / f"r.{fmt}", fmt) for fmt in ("md", "html", "docx")]
    render_reports(FORM, path, outs, force=True)
    title = f"{UNIT}2025年政府信息公开工作年度报告"
    md, html = (tmp_path / "r.md").read_text(), (tmp_path / "r.html").read_text()
    assert md.splitlines()[0] == f"# {title}" and "假的标题" not in md
    assert f"<title>{title}</title>" in html and "假的标题" not in html
    body = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "假的标题" not in body and body.count(UNIT) >= 2  # the title and the signature
    report = build_report(FORM, read_return(path, FORM))
    assert (report.title, report.unit) == (title, UNIT)


def test_a_flawed_unit_in_the_templates_own_record_is_h2(tmp_path: Path) -> None:
    """The hidden _meta unit (protected by the fingerprint) edited to hold a line break."""
    good = make_return(tmp_path, name="good.xlsx")
    parts = members(good)
    forged = f'<t>{UNIT}&#10;=HYPERLINK("http://x")</t>'.encode()
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(f"<t>{UNIT}</t>".encode(), forged)
    ret = read_return(rezip(good, tmp_path / "forged.xlsx", parts), FORM)
    ((rule, message),) = [(p.rule, p.message) for p in ret.problems]
    assert rule == "H2" and "↵" in message and "换行" in message and "\n" not in message
    assert not ret.readable and ret.unit == ""


def test_our_own_templates_never_carry_a_flawed_name(tmp_path: Path) -> None:
    for name in (f"{UNIT}\n备注", f"\u202e{UNIT}", "桐" * (limits.MAX_UNIT_NAME + 1)):
        with pytest.raises(XltoolError, match="控制字符|换行|上限"):
            write_template(FORM, UnitInfo(name, "部门", 2025), tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()
    roster = tmp_path / "名单.csv"
    roster.write_text(
        '单位名称,单位类型,联系邮箱,联系人\n"桐柏县\n安棚镇人民政府",乡镇,a@b.cn,张三\n', encoding="utf-8"
    )
    with pytest.raises(RosterError, match="第2行.*换行"):
        load_roster(roster, FORM.units)


@pytest.mark.parametrize(
    ("name", "flaw"),
    [
        ("桐柏县安棚镇人民政府", ""),
        ("  桐柏县安棚镇人民政府\n", ""),
        ("桐柏县\u2028安棚镇", "中间有换行"),
        ("桐柏县\x07安棚镇", "含有控制字符（如制表符或不可见的排版符号）"),
        ("x" * limits.MAX_UNIT_NAME, ""),
        (
            "x" * (limits.MAX_UNIT_NAME + 1),
            f"有 {limits.MAX_UNIT_NAME + 1} 个字符，超过了 {limits.MAX_UNIT_NAME} 个字符的上限",
        ),
    ],
)
def test_name_flaw(name: str, flaw: str) -> None:
    assert limits.name_flaw(name) == flaw

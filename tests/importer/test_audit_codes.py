"""xltool audit: for each check of the annual report that applies to a published document, a report that
breaks it is reported with that code, at its place in the document; the unbroken report is clean."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.importer.conftest import numbers
from xltool.form.model import Form
from xltool.importer.audit import AuditOptions, audit

TOWN = "桐柏县安棚镇人民政府"


def codes(form: Form, path: Path, previous: tuple[Path, ...] = ()) -> dict[str, list[Any]]:
    result = audit([path], form, AuditOptions(previous=previous))
    out: dict[str, list[Any]] = {}
    for p in result.files[0].problems:
        out.setdefault(p.code, []).append(p)
    return out


def test_the_unbroken_report_is_clean(form: Form, published: Callable[..., Path]) -> None:
    for kind in ("html", "docx"):
        result = audit([published(kind=kind)], form)
        assert [p.line() for p in result.files[0].problems] == []
        assert result.ok


# code -> (changes to the numbers, changes to the texts, unit)
BREAKS: dict[str, tuple[dict[str, Any], dict[str, str], str]] = {
    "B1": ({"t3.carried_out.natural": 5}, {}, ""),
    "B2": ({"t3.r_total.natural": 99}, {}, ""),
    "B3": ({"t3.new.total": 27}, {}, ""),
    "B4": ({"t3.r_open.natural": 60}, {}, ""),
    "B6": ({"t3.r_deny_1.natural": 1, "t3.r_open.natural": 0}, {}, TOWN),
    "C1": ({"t4.review.total": 5}, {}, ""),
    "C2": ({"t4.suit_after_review.upheld": 1, "t4.review.upheld": 0, "t4.review.pending": 0}, {}, ""),
    "D1": ({"t2.rules.in_force": 6}, {}, ""),
    "D4": ({}, {}, TOWN),
    "E1": ({}, {"s1.on_request": "2025年，我局共收到政府信息公开申请40件。"}, ""),
    "E2": ({}, {"s1.management": "本年共制定行政规范性文件7件，均按规定进行了合法性审核。"}, ""),
    "E3": ({}, {"s1.oversight": "本年度未发生政府信息公开行政复议、行政诉讼案件。"}, ""),
    "E4": ({}, {"s1.proactive": "全年共主动公开政府信息300条，其中政策文件100条、工作动态150条。"}, ""),
    "F2": ({}, {"s1.platform": "本年度继续做好相关工作。"}, ""),
    "F3": ({}, {"s6.fee_text": ""}, ""),
    "F4": ({}, {"s1.proactive": "2023年，我局通过门户网站主动公开政府信息120条。"}, ""),
    "F6": ({}, {"s1.management": "严格按照国办公开办函〔2019〕60号的要求编制年度报告。"}, ""),
    "F7": ({}, {"s1.proactive": "2025年，我局共主动公开政府信息XX条。"}, ""),
    "F8": ({}, {"s5.problems": "下一步，我处将加强培训，提高工作人员业务水平。"}, ""),
    "F9": ({}, {"s1.management": "一是完善制度，规范发布流程。三是加强审查，确保信息准确。"}, ""),
}


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_each_broken_rule_is_reported_with_its_code(form: Form, published: Callable[..., Path], code: str) -> None:
    changes, text_changes, unit = BREAKS[code]
    found = codes(form, published(changes, text_changes, unit=unit or "桐柏县市场监督管理局"))
    assert code in found, {c: [p.line() for p in ps] for c, ps in found.items()}
    assert all(p.place() or p.field is None for p in found[code])


def test_table_cells_are_placed_by_part_row_and_column(form: Form, published: Callable[..., Path]) -> None:
    found = codes(form, published({"t3.carried_out.natural": 5}))
    places = [p.place() for p in found["B1"]]
    assert "三、收到和处理政府信息公开申请情况（行：四、结转下年度继续办理；列：自然人）" in places


def test_cross_year_checks_take_last_years_published_report(form: Form, published: Callable[..., Path]) -> None:
    last = published({"t3.carried_out.natural": 4, "t2.normative.in_force": 3}, year=2024)
    found = codes(form, published(), previous=(last,))
    assert {"B5", "D2"} <= set(found), sorted(found)
    b5 = next(p for p in found["B5"] if p.is_error)
    assert "上年结转" in b5.message


def test_what_only_a_document_gets_wrong(form: Form, published: Callable[..., Path], tmp_path: Path) -> None:
    drifted = codes(form, published(drift=True, kind="docx"))
    assert {p.code for ps in drifted.values() for p in ps} == {"F10"}
    assert {p.severity for p in drifted["F10"]} == {"warning"}
    blank = codes(form, published({"t3.new.research": None, "t2.penalty.decisions": "/"}))
    assert {"A1", "A2"} <= set(blank)
    assert "（行：行政处罚；列：本年处理决定数量）" in blank["A2"][0].place()
    no_table = tmp_path / "no_table.html"
    html = published().read_bytes().decode("gbk")
    start = html.index("<table", html.index("四、政府信息公开行政复议"))
    no_table.write_bytes(
        (html[:start] + '<p><img src="t4.png"></p>' + html[html.index("</table>", start) + 8 :]).encode("gbk")
    )
    found = codes(form, no_table)
    assert [p.severity for p in found["F11"]] == ["error"]
    assert "只有图片" in found["F11"][0].message
    no_heading = tmp_path / "no_heading.html"
    no_heading.write_bytes(html.replace("<p><strong>五、存在的主要问题及改进情况</strong></p>", "").encode("gbk"))
    assert "F1" in codes(form, no_heading)
    moved = tmp_path / "renumbered.html"
    moved.write_bytes(
        html.replace("<strong>五、存在的主要问题及改进情况", "<strong>第五部分 存在的主要问题及改进情况").encode("gbk")
    )
    assert [p.code for p in codes(form, moved)["F1"]] == ["F1"]


def test_numbers_do_not_depend_on_the_test_data(form: Form) -> None:
    """The breaks above are breaks: the sample's own numbers satisfy the rules they break."""
    base = numbers(form)
    assert base["t3.carried_out.natural"] != 5 and base["t2.rules.in_force"] == 0


def test_audit_list_prints_one_page_wide_and_names_files_inside_the_folder(
    form: Form, published: Callable[..., Path], tmp_path: Path
) -> None:
    import openpyxl
    from click.testing import CliRunner

    from xltool.cli import main

    published({"t3.carried_out.natural": 5}, name="已发布/安棚镇/年报.html")
    out = tmp_path / "审查清单.xlsx"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "已发布"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out)
    listing, summary = wb["问题清单"], wb["汇总"]
    assert listing["A2"].value == str(Path("安棚镇") / "年报.html")  # not the long path as given
    assert summary["A2"].value == str(Path("安棚镇") / "年报.html")
    for ws, orientation in ((listing, "landscape"), (summary, "portrait")):
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.orientation == orientation
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
        assert ws.print_title_rows == "$1:$1"

"""The shipped 政府网站工作年度报表 (--form gov-website-annual-report): its template, its sample return
passing its own verify (also after a real LibreOffice open-and-save), and one planted mistake per rule
caught under its W-code at its cell. Cells are taken from the loaded form, never written out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.forms.website import FORM, FORM_ID, SAMPLE, UNIT, sample_values, website_return
from tests.returns import saved_by_libreoffice
from xltool.checks.verify import verify
from xltool.cli import main
from xltool.form.layout import a1
from xltool.workbook.write import UnitInfo, write_template


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def problems_of(path: Path) -> list[tuple[str, str, str]]:
    """(code, field, cell) of every problem verify finds in one return of the website form."""
    return [(p.code, p.field, p.cell) for p in verify([path], FORM).files[0].problems]


def test_forms_lists_it_and_form_selects_it() -> None:
    entries = {e["id"]: e for e in json.loads(run("forms", "--json").stdout)}
    assert entries[FORM_ID]["name"] == "政府网站工作年度报表" and not entries[FORM_ID]["default"]
    assert FORM_ID in run("forms").stdout


def test_the_template_is_written_with_a_cell_of_each_type(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    result = run("template", "--form", FORM_ID, "--unit", UNIT.name, "--year", 2025, "-o", out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)[FORM.sheet("main").name]
    f = FORM.fields
    assert ws[f[FORM.role("unit_name")].cell].value == UNIT.name
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    yes_no = next(dv for ref, dv in rules.items() if f["w.sec_drill"].cell in ref.split())
    assert yes_no.type == "list" and yes_no.formula1 == '"是,否"'
    assert rules[f["w.msg_days"].cell].type == "decimal"
    by_unit = {dv.prompt for ref, dv in rules.items() if dv.type == "whole"}
    assert {
        "请填写整数（单位：个）。没有的请填 0，不要留空，不要填“/”“无”。",
        "请填写整数（单位：项）。没有的请填 0，不要留空，不要填“/”“无”。",
    } <= by_unit
    labels = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for label in (
        "独立用户访问总量（单位：个）",
        "可全程在线办理政务服务事项数量（单位：项）",
        "是否明确网站安全负责人",
    ):
        assert label in labels
    # a blank template: only blanks to report (the form's blank code W1, blank texts A1), no file problem
    assert {p.code for p in verify([out], FORM).files[0].problems} == {"W1", "A1"}


def test_the_sample_passes_its_own_verify() -> None:
    assert problems_of(SAMPLE) == []
    result = run("verify", "--form", FORM_ID, SAMPLE)
    assert result.exit_code == 0, result.output


def test_the_sample_is_the_data_file_written_by_the_form(tmp_path: Path) -> None:
    """samples/make_samples.py writes it from samples/data/website_2025.toml (a changed form shows here)."""
    fresh = website_return(tmp_path)
    ours = openpyxl.load_workbook(SAMPLE)[FORM.sheet("main").name]
    again = openpyxl.load_workbook(fresh)[FORM.sheet("main").name]
    assert [[c.value for c in r] for r in ours.iter_rows()] == [[c.value for c in r] for r in again.iter_rows()]


# one planted mistake per rule: (changes, code, field it is reported at)
MISTAKES = [
    ({"w.visits": None}, "W1", "w.visits"),
    ({"w.visitors": 12.5}, "W2", "w.visitors"),
    ({"w.msg_days": -1}, "W3", "w.msg_days"),
    ({"w.info_news": 7000}, "W4", "w.info_news"),
    ({"w.interp_product": 60}, "W5", "w.interp_product"),
    ({"w.cases_legal": 95315}, "W6", "w.cases_legal"),
    ({"w.svc_online": 1269}, "W7", "w.svc_online"),
    ({"w.msg_done": 1437}, "W8", "w.msg_done"),
    ({"w.sec_fixed": 8}, "W9", "w.sec_fixed"),
    ({"w.msg_public": 1500}, "W10", "w.msg_public"),
    ({"w.survey_results": 10}, "W11", "w.survey_results"),
    ({"w.talk_answers": 88}, "W12", "w.talk_answers"),
    ({"w.sec_owner": "有"}, "A2", "w.sec_owner"),
    ({"w.site_type": "门户"}, "A2", "w.site_type"),
    ({"w.weibo_name": None}, "A1", "w.weibo_name"),
    ({"w.wechat_posts": "一千"}, "W2", "w.wechat_posts"),  # words in a count: the form's own type rule
]


@pytest.mark.parametrize(("changes", "code", "key"), MISTAKES, ids=[m[1] + "-" + m[2] for m in MISTAKES])
def test_a_planted_mistake_is_caught_with_its_code_at_its_cell(
    tmp_path: Path, changes: dict[str, Any], code: str, key: str
) -> None:
    path = website_return(tmp_path, changes)
    assert problems_of(path) == [(code, key, FORM.fields[key].cell)]


def test_the_messages_say_the_cells_own_units(tmp_path: Path) -> None:
    path = website_return(tmp_path, {"w.sec_fixed": 8, "w.cases_person": 95315})
    messages = {p.code: p.message for p in verify([path], FORM).files[0].problems}
    assert messages["W9"] == "问题整改 8 个，超过了发现问题 7 个。"
    assert messages["W6"] == "“办事服务/办件量（单位：件）/其中：自然人办件量”为 95315 件，超过了办件量总数 95314 件。"


def test_the_live_check_cells_agree_with_verify(tmp_path: Path) -> None:
    path = website_return(tmp_path, {"w.msg_done": 1437})
    block = FORM.checks_block
    assert block is not None
    ws = openpyxl.load_workbook(path, data_only=True)[FORM.sheet(block.sheet).name]
    shown = {
        ws[a1(r, block.col0)].value: ws[a1(r, block.col0 + 3)].value for r in range(block.row0 + 1, ws.max_row + 1)
    }
    assert shown["W8"].startswith("错误 W8") and shown["W9"] == "通过" and shown["W7"] == "通过"


def test_a_libreoffice_open_and_save_of_the_sample_still_passes(tmp_path: Path, soffice: str) -> None:
    saved = saved_by_libreoffice(SAMPLE, tmp_path / "lo")
    assert problems_of(saved) == []
    computed = openpyxl.load_workbook(saved, data_only=True)[FORM.sheet("main").name]
    f = FORM.fields
    assert computed[f["w.site_name"].cell].value == "桐柏县人民政府" and computed[f["w.msg_days"].cell].value == 3.6
    mistaken = saved_by_libreoffice(website_return(tmp_path, {"w.sec_fixed": 8}), tmp_path / "lo2")
    assert problems_of(mistaken) == [("W9", "w.sec_fixed", FORM.fields["w.sec_fixed"].cell)]


def test_another_year_and_unit(tmp_path: Path) -> None:
    other = UnitInfo("桐柏县教育局", "", 2026)
    values = {**sample_values(), FORM.role("unit_name"): other.name, FORM.role("year"): 2026}
    out = tmp_path / "edu.xlsx"
    write_template(FORM, other, out, values=values)
    assert problems_of(out) == []

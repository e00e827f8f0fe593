"""The texts of a roll-up return (`aggregate --as-return`) without `--unit`, and its area word.

Without `--unit` the roll-up finds the county government's own unit as the campaign's replies are
signed (its settings' [mail] signature names 桐柏县人民政府办公室), takes its contact and texts, and
drafts what the form drafts from numbers: it verifies clean as written. Where no unit is so named (a
signature the roster does not hold; a city's roster of counties), what cannot be known is said in one
line naming the cells, and verify on the file finds exactly those cells. The county sentences say the
area word of the roll-up: 全县, 全区 for a 区, 全市 for a city's roll-up of counties.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.campaign.countyfixtures import unit_values
from tests.campaign.rollupfixtures import COUNTIES, build_county, run
from tests.returns import default_form, make_return
from xltool.campaign.settings import SETTINGS_FILE
from xltool.workbook.read import read_return


def _problems(path: Path) -> list[dict[str, Any]]:
    done = run("verify", str(path), "--json")
    return [p for f in json.loads(done.output)["files"] for p in f["problems"]]


def test_without_unit_the_signature_names_the_government(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    """The county of the world, rolled up again without --unit: the same texts as with it, clean."""
    area = rollup_world["counties"][0]
    out = tmp_path / "无unit.xlsx"
    done = run("aggregate", str(area.root), "--as-return", str(out))
    assert done.exit_code == 0, done.output
    government = f"{area.name}人民政府办公室"
    assert f"联系人和文字取自“{government}”的当前报表" in done.output
    assert "补写" not in done.output and "校验通过" in done.output
    assert _problems(out) == []  # verify on the file itself: nothing to fix, not even a warning
    form = default_form()
    ours, theirs = read_return(out, form), read_return(rollup_world["rolled"][area.name], form)
    texts = [k for k, f in form.fields.items() if f.editable and not f.numeric and k in ours.values]
    assert {k: ours.values[k].value for k in texts} == {k: theirs.values[k].value for k in texts}
    mine = area.values[government]
    for key in ("info.filler", "info.phone", "s1.proactive", "s5.problems"):  # the contact and its own texts
        assert ours.values[key].value == mine[key], key


def test_the_fee_text_is_drafted_from_the_county_figures(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    area = rollup_world["counties"][0]
    out = tmp_path / "汇总.xlsx"
    result = json.loads(run("aggregate", str(area.root), "--as-return", str(out), "--json").output)["as_return"]
    ret = read_return(out, default_form())
    fee = ret.values["s6.fee_amount"].value
    charged = ret.values["s6.fee_charged"].value
    expected = (
        f"本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费共计{fee:g}元。"
        if charged == "是" and fee
        else "本年度未收取政府信息公开信息处理费。"
    )
    assert ret.values["s6.fee_text"].value == expected == result["texts"]["s6.fee_text"]
    assert result["government"] == f"{area.name}人民政府办公室" and result["government_sent"] is True
    assert result["to_fill"] == [] and result["to_fill_line"] is None


def test_a_district_says_全区_and_a_signature_naming_no_unit_lists_the_cells(tmp_path: Path) -> None:
    area = build_county(tmp_path, "宛城区", 41)
    settings = area.root / SETTINGS_FILE
    text = settings.read_text(encoding="utf-8")
    assert 'signature = "宛城区人民政府办公室（政务公开办）"' in text  # as init wrote it: that unit would be found
    settings.write_text(text.replace('signature = "宛城区人民政府办公室（政务公开办）"', 'signature = "宛城区政务公开办"'),
                        encoding="utf-8")  # fmt: skip
    out = tmp_path / "宛城区汇总报表.xlsx"
    done = run("aggregate", str(area.root), "--as-return", str(out), "--json")
    assert done.exit_code == 0, done.output
    rolled = json.loads(done.output)["as_return"]
    assert rolled["government"] is None
    problems = _problems(out)
    assert problems and rolled["problems"] == problems  # the result says what verify on the file says
    cells = {(c["sheet"], c["cell"]) for c in rolled["to_fill"]}
    assert cells == {(p["sheet"], p["cell"]) for p in problems}
    assert {("基本信息", "B6"), ("基本信息", "B7"), ("报告正文", "B4")} <= cells  # 填报人, 联系电话, 主动公开
    form = default_form()
    assert all(not form.fields[p["field"]].numeric for p in problems)
    line = rolled["to_fill_line"]
    assert line.startswith("以下 ") and all(c in line for _, c in cells)
    assert "填报人" in line and "联系电话" in line
    ret = read_return(out, form)
    assert str(ret.values["s1.on_request"].value).startswith("2025年，全区3个单位")
    assert "全县" not in str(ret.values["s1.oversight"].value)

    text_out = run("aggregate", str(area.root), "--as-return", str(tmp_path / "again.xlsx"))
    assert text_out.exit_code == 0
    assert sum(line in x for x in text_out.output.splitlines()) == 1  # the one line, once
    assert "名单中没有找到本级政府办公室" in text_out.output and "请补写或修改后再上报" in text_out.output

    named = tmp_path / "指明.xlsx"  # --unit still names it
    assert run("aggregate", str(area.root), "--as-return", str(named), "--unit", "宛城区人民政府办公室").exit_code == 0
    assert _problems(named) == []


def test_the_city_rollup_says_全市_and_what_to_fill(rollup_world: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "南阳市汇总报表.xlsx"
    rolled = json.loads(run("aggregate", str(rollup_world["city"]), "--as-return", str(out), "--json").output)
    rolled = rolled["as_return"]
    assert rolled["level"] == "市" and rolled["government"] is None
    ret = read_return(out, default_form())
    on_request = str(ret.values["s1.on_request"].value)
    assert on_request.startswith(f"2025年，全市{len(COUNTIES)}个单位"), on_request
    assert re.match("全市(未发生|因政府信息公开引起)", str(ret.values["s1.oversight"].value))
    assert {(c["sheet"], c["cell"]) for c in rolled["to_fill"]} == {(p["sheet"], p["cell"]) for p in _problems(out)}


UNITS = [("宛城区人民政府办公室", "部门"), ("宛城区财政局", "部门"), ("宛城区新店乡人民政府", "乡镇")]


def _district(tmp_path: Path, *, government: bool) -> list[str]:
    """A folder of the district's returns (the government office's only when ``government``: its
    texts as a department writes them, 我局 and its own figures) and a roster: the CLI's source args."""
    form = default_form()
    folder = tmp_path / "收到的报表"
    for k, (name, kind) in enumerate(UNITS):
        if k or government:
            values = unit_values(form, k + 1, name, town=kind == "乡镇")
            make_return(folder, base=values, unit=name, unit_type=kind, name=f"{k}.xlsx")
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,单位类型,联系邮箱\n" + "".join(f"{n},{t},u{i}@example.org\n" for i, (n, t) in
                                                        enumerate(UNITS)), encoding="utf-8")  # fmt: skip
    return ["--returns", str(folder), "--roster", str(roster), "--county", "宛城区", "--year", "2025"]


def test_a_government_that_has_not_sent_in_a_folder_of_returns(tmp_path: Path) -> None:
    """--returns with --county: the form's reply_signature names 宛城区人民政府办公室 on the roster; it has
    sent nothing, so the contact and texts are listed to fill, and the roll-up is not clean."""
    args = _district(tmp_path, government=False)
    out = tmp_path / "宛城区汇总报表.xlsx"
    done = run("aggregate", *args, "--as-return", str(out))
    assert done.exit_code == 0, done.output
    assert "“宛城区人民政府办公室”尚未报送报表" in done.output
    assert "无法从各单位的报表得出，请在汇总报表中补写" in done.output and "。补写后再上报。" in done.output
    rolled = json.loads(run("aggregate", *args, "--as-return", str(tmp_path / "again.xlsx"), "--json").output)
    rolled = rolled["as_return"]
    assert rolled["government"] == "宛城区人民政府办公室" and rolled["government_sent"] is False
    assert {(c["sheet"], c["cell"]) for c in rolled["to_fill"]} == {(p["sheet"], p["cell"]) for p in _problems(out)}
    assert all(c["blank"] for c in rolled["to_fill"])
    text = str(read_return(out, default_form()).values["s1.on_request"].value)
    assert text.startswith("2025年，全区2个单位（共3个报送单位")


def test_a_government_text_unfit_for_the_district_is_named_to_correct(tmp_path: Path) -> None:
    """The government office's texts say 我局 and its own figures: taken, flagged by verify, and named
    in the line as texts to correct (not as blanks)."""
    args = _district(tmp_path, government=True)
    out = tmp_path / "宛城区汇总报表.xlsx"
    rolled = json.loads(run("aggregate", *args, "--as-return", str(out), "--json").output)["as_return"]
    assert rolled["government_sent"] is True
    problems = _problems(out)
    assert any(p["code"] == "F8" for p in problems), problems  # 我局 in a district's return
    taken = [c for c in rolled["to_fill"] if not c["blank"]]
    assert taken and {(c["sheet"], c["cell"]) for c in rolled["to_fill"]} == {(p["sheet"], p["cell"]) for p in problems}
    line = rolled["to_fill_line"]
    assert "处取自“宛城区人民政府办公室”报表的文字不适合汇总报表，请修改：" in line and line.endswith("后再上报。")
    assert all(c["cell"] in line for c in taken)

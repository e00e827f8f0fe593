"""Bugs found by a second read, each pinned by the case that showed it."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from click.testing import CliRunner

from tests.returns import ROOT, default_form, edit_xml, make_previous, make_return, make_town_return
from xltool.checks.verify import VerifyOptions, explanations, verify
from xltool.cli.main import main
from xltool.form.loader import load_form
from xltool.report.build import build_report
from xltool.workbook.files import collect_paths
from xltool.workbook.read import read_return

FORM = load_form()
XLTOOL = ROOT / ".venv" / "bin" / "xltool"


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def codes(path: Path, **options: object) -> set[tuple[str, str, str | None]]:
    result = verify([path], FORM, VerifyOptions(**options))  # type: ignore[arg-type]
    return {(p.code, p.severity, p.cell) for p in result.files[0].problems}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ files are never lost
def test_out_never_overwrites_a_return(tmp_path: Path) -> None:
    good = make_return(tmp_path)
    before = sha(good)
    code, output = run("verify", good, "--out", good)
    assert code == 1 and "不能写到被校验的报表上" in output and sha(good) == before
    other = make_return(tmp_path, name="other.xlsx")
    code, output = run("verify", good, "--out", other)
    assert code == 2 and "文件已存在" in output  # a usage error, said before any work
    code, _ = run("verify", good, "--out", other, "--force")
    assert code == 0 and sha(good) == before


def test_annotated_copies_of_same_named_returns_do_not_overwrite_each_other(tmp_path: Path) -> None:
    a = make_return(tmp_path / "a", {"t3.new.natural": 19}, name="年报.xlsx")
    b = make_return(tmp_path / "b", remove=["t3.new.legal"], name="年报.xlsx")
    code, output = run("verify", a, b, "--annotate", tmp_path / "ann")
    copies = sorted(p.name for p in (tmp_path / "ann").iterdir())
    assert code == 1 and len(copies) == 2 and "年报_问题标注.xlsx" in copies


def test_folder_scan_skips_the_tools_own_outputs(tmp_path: Path) -> None:
    make_return(tmp_path, {"t3.new.natural": 19})
    run("verify", tmp_path, "--annotate", tmp_path, "--out", tmp_path / "问题清单.xlsx")
    assert [p.name for p in collect_paths([tmp_path])] == ["r.xlsx"]


# ------------------------------------------------------------------ typed values and identity
def test_year_typed_with_nian_is_read_and_text_is_shown(tmp_path: Path) -> None:
    ok = make_return(tmp_path, {"info.year": "2025年"}, name="ok.xlsx")
    assert codes(ok) == {("A2", "warning", "B4")}
    bad = make_return(tmp_path, {"info.year": "abc"}, name="bad.xlsx")
    problems = verify([bad], FORM).files[0].problems
    a4 = next(p for p in problems if p.code == "A4")
    assert a4.value == "abc" and "abc" in a4.message


def test_garbled_hidden_year_is_an_integrity_error(tmp_path: Path) -> None:
    good = make_return(tmp_path)
    bad = edit_xml(good, tmp_path / "m.xlsx", cells={("_meta", "B4"): "abc"})
    ret = read_return(bad, FORM)
    assert not ret.readable and [p.code for p in ret.problems] == ["H2"]


def test_unit_type_cannot_be_changed_to_escape_town_rules(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t2.normative.issued": 2, "info.unit_type": "部门"})
    found = codes(path)
    assert ("H7", "error", "B5") in found and ("D4", "warning", "B6") in found
    odd = make_town_return(tmp_path, {"info.unit_type": "镇"}, name="odd.xlsx")
    assert ("A2", "error", "B5") in codes(odd)


def test_unparseable_date_is_an_error_and_never_becomes_today(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"info.date": "2026年13月45日"})
    assert ("A2", "error", "B8") in codes(path)
    report = build_report(FORM, read_return(path, FORM))
    assert report.signature[1] == ""


def test_control_characters_in_a_unit_name_are_refused(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("单位名称,单位类型,联系邮箱,联系人\n城关镇人民政府\x01,乡镇,a@example.org,王\n", encoding="utf-8")
    code, output = run("template", "--roster", roster, "-o", tmp_path / "t", "--year", "2025")
    assert code == 1 and "控制字符" in output and "Traceback" not in output


def test_blank_unit_name_and_unknown_strict_codes_are_usage_errors(tmp_path: Path) -> None:
    assert run("template", "-o", tmp_path / "a.xlsx", "--year", "2025", "--unit", "   ")[0] == 2
    good = make_return(tmp_path)
    code, output = run("verify", good, "--strict", "Z9")
    assert code == 2 and "未知的检查编号：Z9" in output


# ------------------------------------------------------------------ explanations and last year
def test_explanations_as_units_write_them() -> None:
    text = "B6：本年确有1件，已核实；【D4】确属规范性文件。Ｃ２、c3：复议在上年。A3：无"
    assert explanations(text, default_form().codes) == {
        "B6": "本年确有1件，已核实",
        "D4": "确属规范性文件",
        "C2": "复议在上年",
        "C3": "复议在上年",
    }


def test_previous_that_cannot_be_used_is_said_so(tmp_path: Path) -> None:
    good = make_return(tmp_path)
    junk = tmp_path / "prev" / "junk.xlsx"
    junk.parent.mkdir()
    junk.write_bytes(b"not a workbook")
    result = verify([good], FORM, VerifyOptions(previous=[junk.parent]))
    assert any("无法使用" in n for n in result.notes) and any("未检查" in n for n in result.notes)
    same_year = verify([good], FORM, VerifyOptions(previous=[good]))
    assert any("不是" in n and "上一年度" in n for n in same_year.notes)
    assert not {p.code for p in same_year.files[0].problems} & {"B5", "D2", "F8"}
    real = make_previous(tmp_path)
    assert verify([good], FORM, VerifyOptions(previous=[real])).notes == []


# ------------------------------------------------------------------ output
def test_output_piped_into_head_is_not_an_internal_error(tmp_path: Path) -> None:
    make_return(tmp_path, {"t3.new.natural": 19}, name="a.xlsx")
    make_return(tmp_path, remove=["t3.new.legal"], name="b.xlsx")
    done = subprocess.run(f"'{XLTOOL}' verify '{tmp_path}' | head -1", shell=True, capture_output=True, text=True)
    assert "程序内部错误" not in done.stderr and "Traceback" not in done.stderr


def test_single_applicant_and_single_outcome_read_naturally(tmp_path: Path) -> None:
    values = {f.key: 0 for f in default_form().numeric_inputs}
    values.update({"t3.new.natural": 1, "t3.r_other_3.natural": 1, "s1.on_request": None})
    path = make_return(tmp_path, values)
    text = next(
        b.text
        for b in build_report(FORM, read_return(path, FORM)).blocks
        if "政府信息公开申请" in b.text and b.kind == "paragraph" and "本机关" in b.text
    )
    assert "共收到政府信息公开申请1件，申请人为自然人" in text and "全年办结1件，作其他处理" in text

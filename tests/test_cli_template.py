"""`xltool template` and `xltool demo` through click: files written, Chinese one-line errors, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltool.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
ROSTER = ROOT / "samples" / "roster.xlsx"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_one_unit(tmp_path: Path) -> None:
    out = tmp_path / "安棚镇.xlsx"
    code, output = run("template", "-o", str(out), "--year", "2025", "--unit", "桐柏县安棚镇人民政府")
    assert code == 0 and "已生成模板" in output and "乡镇" in output  # type inferred from the name
    wb = openpyxl.load_workbook(out)
    assert wb["基本信息"]["B3"].value == "桐柏县安棚镇人民政府" and wb["基本信息"]["B5"].value == "乡镇"


def test_whole_roster_one_file_per_unit(tmp_path: Path) -> None:
    code, output = run("template", "--roster", str(ROSTER), "-o", str(tmp_path / "模板"), "--year", "2025")
    assert code == 0, output
    files = sorted((tmp_path / "模板").glob("*.xlsx"))
    assert len(files) == 37
    assert (tmp_path / "模板" / "2025年政府信息公开工作年度报告_安棚镇人民政府.xlsx") in files


def test_existing_files_are_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    out.write_bytes(b"a returned file")
    code, output = run("template", "-o", str(out), "--year", "2025", "--unit", "桐柏县教育局")
    assert code == 2 and "文件已存在" in output and out.read_bytes() == b"a returned file"  # a usage error
    code, _ = run("template", "-o", str(out), "--year", "2025", "--unit", "桐柏县教育局", "--force")
    assert code == 0 and out.read_bytes() != b"a returned file"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", "单位名称,单位类型,联系人\n安棚镇人民政府,乡镇,张敏\n", "名单缺少列：联系邮箱"),
        (
            "dupes.csv",
            "单位名称,单位类型,联系邮箱,联系人\n安棚镇人民政府,乡镇,a@example.org,张敏\n安棚镇人民政府,乡镇,b@example.org,李娜\n",
            "重复",
        ),
        ("empty.csv", "", "空"),
        ("word.xlsx", None, "不是有效的 .xlsx 表格"),
    ],
)
def test_bad_roster_is_one_chinese_line_and_exit_1(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        from docx import Document

        Document().save(str(path))  # a Word file named .xlsx
    else:
        path.write_text(content, encoding="utf-8")
    code, output = run("template", "--roster", str(path), "-o", str(tmp_path / "out"), "--year", "2025")
    assert code == 1
    assert message in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1 and output.startswith("错误：")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_county_missing_from_unit_names_is_a_warning_not_a_stop(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,单位类型,联系邮箱\n安棚镇人民政府,乡镇,a@b.c\n桐柏县教育局,部门,\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["template", "--roster", str(roster), "-o", str(tmp_path / "out"), "--year", "2025", "--county", "桐柏县"]
    )
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 2
    assert "警告：名单中有 1 个单位的名称不含“桐柏县”：安棚镇人民政府" in result.stderr
    assert "警告" not in result.stdout
    quiet = CliRunner().invoke(
        main, ["template", "--roster", str(roster), "-o", str(tmp_path / "o2"), "--year", "2025"]
    )
    assert quiet.exit_code == 0 and "警告" not in quiet.output


def test_init_warns_of_units_lacking_the_county(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "c"), "--year", "2025", "--roster", str(ROSTER), "--county", "桐柏县"]
    )
    assert result.exit_code == 0, result.output
    assert "警告：名单中有 17 个单位的名称不含“桐柏县”：城关镇人民政府、" in result.stderr
    assert (tmp_path / "c" / "templates").is_dir()


def test_unit_or_roster_is_required(tmp_path: Path) -> None:
    code, output = run("template", "-o", str(tmp_path / "a.xlsx"), "--year", "2025")
    assert code == 2 and "二者选一" in output


def test_bad_unit_type_is_explained(tmp_path: Path) -> None:
    code, output = run(
        "template", "-o", str(tmp_path / "a.xlsx"), "--year", "2025", "--unit", "某局", "--unit-type", "学校"
    )
    assert code == 2 and "“学校”不是本表单的单位类型" in output and not (tmp_path / "a.xlsx").exists()


def test_demo_runs_the_cycle(tmp_path: Path) -> None:
    code, output = run("demo", "-o", str(tmp_path))
    assert code == 0, output
    campaign = tmp_path / "campaign"
    assert len(list((campaign / "templates").glob("*.xlsx"))) == 37
    assert len(list((campaign / "returns").iterdir())) == 36  # one unit of the roster never sends
    assert len(list((campaign / "replies").rglob("*.eml"))) == 36
    assert (campaign / "报送情况.html").exists() and (campaign / "桐柏县2025年汇总.xlsx").exists()
    assert len(list((campaign / "reports").glob("*.docx"))) == 36
    assert "尚未报送：桐柏县统计局" in output
    assert (tmp_path / "问题清单.xlsx").exists() and any((tmp_path / "标注副本").iterdir())
    assert {p.suffix for p in (tmp_path / "reports").iterdir()} == {".docx", ".html", ".md"}
    assert "【H3】" in output and "市场监管局_2025_完整正确.xlsx：通过" in output


def test_rules_lists_every_check_code() -> None:
    import json

    from xltool.form.loader import load_form

    code, output = run("rules")
    assert code == 0 and "{" not in output
    listed = set(re.findall(r"【([A-H]\d+)】", output))
    assert listed == {r.code for r in load_form().rules}
    code, output = run("rules", "--json")
    assert code == 0 and {r["id"] for r in json.loads(output)} == {r.id for r in load_form().rules}

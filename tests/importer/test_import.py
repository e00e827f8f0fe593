"""xltool import: published reports of every shape -> returns with exactly their numbers and texts;
what cannot be read is reported, never guessed; the hook that lets verify and init take last
year's published reports."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from tests.importer.conftest import numbers, texts
from tests.returns import ROOT
from xltool.cli import main
from xltool.form.model import Form
from xltool.importer.build import import_document, write_imported
from xltool.importer.previous import UnitMap, last_year_returns
from xltool.office import convert
from xltool.workbook.filldata import load_values
from xltool.workbook.read import read_return

EXAMPLE = ROOT / "tests" / "data" / "anpeng_2024_report.txt"
PUBLISHED = ROOT / "tests" / "data" / "published"


def grid_values(form: Form, values: dict) -> dict:
    return {k: v for k, v in values.items() if form.fields[k].grid}


def test_the_example_report_imports_to_its_numbers_and_texts(form: Form, tmp_path: Path) -> None:
    unit, expected = load_values(ROOT / "samples" / "data" / "anpeng_2024.toml", form)
    imported = import_document(EXAMPLE, form)
    assert (imported.unit, imported.year, imported.unit_type) == ("桐柏县安棚镇人民政府", 2024, "乡镇")
    assert imported.problems == []
    ret = read_return(write_imported(form, imported, tmp_path / "r.xlsx"), form)
    inputs = ret.inputs()
    grid = [f.key for f in form.numeric_inputs if f.grid]
    assert all(inputs[k] == 0 for k in grid) and len(grid) == 166
    for key in (
        "s1.proactive",
        "s1.on_request",
        "s1.management",
        "s1.platform",
        "s1.oversight",
        "s5.problems",
        "s6.other",
    ):
        assert inputs[key] == expected[key].strip(), key
    assert inputs["info.unit_name"] == expected["info.unit_name"]


def test_the_imported_example_renders_back_to_the_same_report(form: Form, tmp_path: Path) -> None:
    runner = CliRunner()
    ret = tmp_path / "安棚镇.xlsx"
    assert runner.invoke(main, ["import", str(EXAMPLE), "-o", str(ret)]).exit_code == 0
    md = tmp_path / "安棚镇.md"
    result = runner.invoke(
        main, ["report", str(ret), "-o", str(md), "--allow-errors"]
    )  # 填报人 etc. are not in a report
    assert result.exit_code == 0, result.output
    text = md.read_text(encoding="utf-8")
    source = EXAMPLE.read_text(encoding="utf-8")
    assert "桐柏县安棚镇人民政府2024年政府信息公开工作年度报告" in text
    for section in form.sections:
        assert f"## {section.heading}" in text
    for grid in form.grids:
        for row in grid.rows:
            for label in row.path:
                assert label in source and label.replace("“", "").replace("”", "") in text.replace("“", "").replace(
                    "”", ""
                )
    for line in source.splitlines():
        if len(line) > 40 and not line.startswith("\t"):
            assert line in text, line[:30]
    assert "| 0 | 0 | 0 |" in text


def test_word_and_web_pages_round_trip_to_exactly_their_numbers(form: Form, published: Callable[..., Path]) -> None:
    for kind in ("docx", "html"):
        for drift in (False, True):
            imported = import_document(published(kind=kind, drift=drift), form)
            assert grid_values(form, imported.values) == numbers(form), (kind, drift)
            assert {k: imported.values.get(k) for k in texts(form)} == texts(form), (kind, drift)
            assert imported.errors == 0
            assert imported.values["s6.fee_charged"] == "否" and imported.values["s6.fee_amount"] == 0


def test_a_pdf_made_by_libreoffice_round_trips(
    form: Form, published: Callable[..., Path], soffice: str, tmp_path: Path
) -> None:
    source = published(kind="docx", drift=True, name="市场监管局2025年报.docx")
    pdf = convert(source, "pdf", tmp_path / "pdf")
    imported = import_document(pdf, form)
    assert imported.format == "pdf"
    assert (imported.unit, imported.year) == ("桐柏县市场监督管理局", 2025)
    assert grid_values(form, imported.values) == numbers(form)
    assert {p.code for p in imported.problems} == {"F10"}
    assert imported.values["s1.on_request"] == texts(form)["s1.on_request"]


def test_real_published_reports_import_without_a_false_error(form: Form) -> None:
    sources = tomllib.loads((PUBLISHED / "SOURCES.toml").read_text(encoding="utf-8"))
    assert all(spec["source"].startswith("http") for spec in sources.values())
    truncated = {"F1", "F11", "H7", "I8"}  # the excerpts stop part of the way in and lack the page's title

    zj = import_document(PUBLISHED / "zhanjiang_dfz_2023_excerpt.txt", form)
    assert zj.year == 2023
    assert all(
        zj.values[f"t2.{r}"] == 0 for r in ("rules.issued", "normative.in_force", "licensing.decisions", "fees.amount")
    )
    assert zj.values["t3.r_open.natural"] == 0
    missing = {p.code for p in zj.problems if p.is_error} - truncated
    assert missing <= {"A1"} and all("没有找到这一行" in p.message for p in zj.problems if p.code == "A1")

    xw = import_document(PUBLISHED / "xuwen_2023_excerpt.txt", form)
    assert [xw.values[f"t2.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [3, 0, 101]
    assert xw.values["t3.new.natural"] == 0 and xw.stated["t3.new.total"] == 0
    blanks = [p for p in xw.problems if p.rule == "import:blank"]
    assert blanks[0].message.startswith("这一行有 5 个单元格空白")  # the real E13: applicant columns left blank
    assert "t3.new.commercial" not in xw.values

    ds = import_document(PUBLISHED / "district_stats_2023_excerpt.txt", form)
    assert ds.year == 2023
    assert [ds.values[f"t2.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [
        "/",
        "/",
        "/",
    ]  # E14: "/" kept, reported
    assert [p.code for p in ds.problems if p.rule == "import:not_number"] == ["A2"] * 3
    assert ds.values["t2.normative.in_force"] == 0 and ds.stated["t3.carried_in.total"] == 0

    old = import_document(PUBLISHED / "old_format_2023_excerpt.txt", form)
    f5 = [p for p in old.problems if p.code == "F5"]
    assert f5 and "本年新制作数量" in f5[0].message
    assert not any(k.startswith("t2.") for k in old.values)  # the old columns mean other things: not read


def test_a_number_with_another_measure_word_is_named_at_its_cell(form: Form, tmp_path: Path) -> None:
    """ "3项" where the table counts 件 is a value with the wrong unit (A2 at its row and column), not a
    label that makes the row go missing."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for label, typed in (("行政许可", "3项"), ("行政处罚", "2个")):
        assert f"\t{label}\n\t0\n" in text
        text = text.replace(f"\t{label}\n\t0\n", f"\t{label}\n\t{typed}\n", 1)
    doc = tmp_path / "安棚镇2024年报.txt"
    doc.write_text(text, encoding="utf-8")
    imported = import_document(doc, form)
    wrong = [(p.code, p.value, p.where) for p in imported.problems if p.rule == "import:not_number"]
    assert [(code, value) for code, value, _ in wrong] == [("A2", "3项"), ("A2", "2个")]
    assert "行：行政许可" in wrong[0][2] and "行：行政处罚" in wrong[1][2]
    assert not [p for p in imported.problems if p.rule == "import:missing_row"]


def test_files_that_are_no_report_say_so(form: Form, tmp_path: Path) -> None:
    cases = {
        "empty.txt": (b"", "H1"),
        "spaces.docx.txt": (b"   \n\n", "H1"),
        "menu.html": ("<html><body><p>首页</p><p>联系我们</p></body></html>".encode(), "H2"),
        "old.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "H1"),
        "broken.pdf": (b"%PDF-1.4\n garbage", "H1"),
        "book.docx": ((ROOT / "samples" / "roster.xlsx").read_bytes(), "H1"),
    }
    for name, (data, code) in cases.items():
        (tmp_path / name).write_bytes(data)
        imported = import_document(tmp_path / name, form)
        assert [p.code for p in imported.problems] == [code], (name, [p.line() for p in imported.problems])
        assert not imported.usable
    result = CliRunner().invoke(main, ["import", str(tmp_path / "menu.html"), "-o", str(tmp_path / "x.xlsx")])
    assert (
        result.exit_code == 1 and "不是政府信息公开工作年度报告" in result.output and "Traceback" not in result.output
    )


def test_a_folder_of_reports_imports_in_one_command(form: Form, published: Callable[..., Path], tmp_path: Path) -> None:
    folder = tmp_path / "2024年已发布"
    folder.mkdir()
    a = published(unit="桐柏县安棚镇人民政府", year=2024, name="2024年已发布/安棚镇.html")
    b = published(year=2024, kind="docx", name="2024年已发布/市场监管局.docx")
    # the same report also as a web page and Markdown (as `report --format docx,html,md` writes): read once
    (folder / "市场监管局.html").write_bytes(a.read_bytes())
    (folder / "市场监管局.md").write_text("# 另一份\n", encoding="utf-8")
    out = tmp_path / "returns"
    result = CliRunner().invoke(main, ["import", str(folder), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)["files"]
    assert sorted(Path(d["path"]).name for d in done) == sorted([a.name, b.name])
    for d in done:
        ret = read_return(Path(d["output"]), form)
        assert ret.readable and ret.year == 2024
        assert grid_values(form, ret.inputs()) == numbers(form)
    again = CliRunner().invoke(main, ["import", str(folder), "-o", str(out)])
    assert again.exit_code == 1 and "已存在" in again.output


def test_verify_and_init_take_last_years_published_reports(
    form: Form, published: Callable[..., Path], tmp_path: Path
) -> None:
    from tests.returns import make_return

    last = published({"t3.carried_out.natural": 4}, year=2024, name="上年/市场监管局2024年报.html")
    this_year = make_return(tmp_path)  # the market_2025 sample: 上年结转 total 3
    result = CliRunner().invoke(main, ["verify", str(this_year), "--previous", str(last.parent), "--json"])
    found = json.loads(result.output)["files"][0]["problems"]
    assert any(p["code"] == "B5" and p["severity"] == "error" for p in found), result.output
    returns = last_year_returns([last.parent], form)
    assert [r.year for r in returns] == [2024] and returns[0].path == last
    roster = tmp_path / "roster.csv"
    roster.write_text("单位名称,单位类型,联系邮箱,联系人\n市场监督管理局,部门,a@example.com,李娜\n", encoding="utf-8")
    init = CliRunner().invoke(
        main, ["init", str(tmp_path / "c"), "--year", "2025", "--roster", str(roster), "--previous", str(last.parent)]
    )
    assert init.exit_code == 0, init.output
    template = next((tmp_path / "c" / "templates").glob("*.xlsx"))
    assert read_return(template, form).inputs()["t3.carried_in.natural"] == 4


def test_unit_names_match_up_to_a_county_prefix() -> None:
    units = UnitMap({"桐柏县安棚镇人民政府": 1, "桐柏县城郊乡人民政府": 2})
    assert units.get("安棚镇人民政府") == 1 and "安棚镇" in units and units.get("城郊乡") == 2
    assert units.get("安棚") is None and "月河镇" not in units

"""Real published reports (tests/data/real_reports) are never refused for their metadata: the year
and unit come from titles of every common shape, the text or the file name, --year/--unit override,
a sentence taken for the title is never the unit, and a cut text gets one finding where it ends."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from xltool.cli.main import main
from xltool.form.model import Form
from xltool.importer.audit import audit
from xltool.importer.build import Given, import_document

CORPUS = Path(__file__).resolve().parent.parent / "data" / "real_reports"


def test_a_title_over_two_lines_gives_the_year_and_the_unit(form: Form) -> None:
    imported = import_document(CORPUS / "2021_department_guyang_mzj.txt", form)  # 固阳县民政局 / 2021年信息公开…
    assert (imported.unit, imported.year) == ("固阳县民政局", 2021)
    assert not [p for p in imported.problems if p.rule.startswith(("import:no_", "import:year"))]


def test_year_first_and_split_titles(form: Form) -> None:
    xiage = import_document(CORPUS / "2023_town_xiage.txt", form)  # 2023年下各镇政府信息公开工作年度报告
    assert (xiage.unit, xiage.year) == ("下各镇", 2023)
    dazu = import_document(CORPUS / "2022_department_dazu_wb.txt", form)  # …外事办公室政府信息公开工作2022年度报告
    assert (dazu.unit, dazu.year) == ("重庆市大足区人民政府外事办公室", 2022)


def test_a_year_only_in_the_text_is_taken(form: Form) -> None:
    imported = import_document(CORPUS / "2022_street_baiyun.txt", form)  # no title; "2022年，白云街…"
    assert imported.year == 2022 and imported.usable
    assert not [p for p in imported.problems if p.rule.startswith(("import:no_year", "import:year"))]


def test_a_year_from_the_file_name_is_said(form: Form) -> None:
    imported = import_document(CORPUS / "2023_town_bjdx.txt", form)  # no year anywhere in the text
    guessed = [p for p in imported.problems if p.rule == "import:year_guessed"]
    assert imported.year == 2023 and len(guessed) == 1
    assert "文件名" in guessed[0].message and "--year" in guessed[0].fix


def test_year_and_unit_given_override_what_is_read(form: Form) -> None:
    imported = import_document(CORPUS / "2023_town_bjdx.txt", form, Given(2023, "某县北京东乡"))
    assert (imported.unit, imported.year) == ("某县北京东乡", 2023)
    assert not [p for p in imported.problems if p.rule == "import:no_unit"]
    other = import_document(CORPUS / "2021_department_guyang_mzj.txt", form, Given(2022, ""))
    assert (other.unit, other.year) == ("固阳县民政局", 2022)


def test_year_and_unit_options_on_import(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    args = ["import", str(CORPUS / "2023_town_bjdx.txt"), "-o", str(out), "--year", "2023", "--unit", "某县北京东乡"]
    result = CliRunner().invoke(main, args)
    assert out.exists(), result.output
    assert "某县北京东乡，2023 年度" in result.output


def test_a_preamble_first_report_audits_and_prints_json(form: Form) -> None:
    path = CORPUS / "2021_department_xifeng_mzj.txt"  # opens with 根据《条例》… and has no title
    imported = import_document(path, form)
    assert "根据" not in imported.unit and imported.year == 2021
    result = CliRunner().invoke(main, ["audit", str(path), "--json", "--year", "2021", "--unit", "西峰区民政局"])
    data = json.loads(result.output)
    assert data["files"][0]["unit"] == "西峰区民政局" and data["files"][0]["year"] == 2021


def test_a_cut_report_has_one_cut_finding_and_nothing_missing_after_it(form: Form) -> None:
    path = CORPUS / "2021_department_guyang_mzj.txt"  # stops in 表三 after 1.属于国家秘密
    imported = import_document(path, form)
    cuts = [p for p in imported.problems if p.rule.startswith("import:cut")]
    assert len(cuts) == 1 and "属于国家秘密" in cuts[0].message
    assert not [p for p in imported.problems if p.rule in ("import:missing_row", "import:missing_table")]
    audited = audit([path], form).files[0].problems
    later = [s.heading for s in form.sections[3:]]
    assert not [p for p in audited if any(p.place().startswith(h) for h in later)]
    assert sum(p.rule.startswith("import:cut") for p in audited) == 1


def test_a_report_cut_after_its_first_section(form: Form) -> None:
    imported = import_document(CORPUS / "2022_street_jingwei.txt", form)
    cuts = [p for p in imported.problems if p.rule == "import:cut_section"]
    assert len(cuts) == 1 and form.sections[0].heading in cuts[0].message
    assert not [p for p in imported.problems if p.rule in {r.id for r in form.rules_of("headings")}]


def test_the_preamble_is_checked_for_the_old_format_citation(form: Form, tmp_path: Path) -> None:
    real = (CORPUS / "2022_street_jingwei.txt").read_text(encoding="utf-8")
    preamble = (
        "本报告依据《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2019〕60号）编制。"
    )
    path = tmp_path / "report.txt"
    path.write_text("某县某镇2022年政府信息公开工作年度报告\n" + preamble + "\n" + real[real.index("一、总体情况") :])
    problems = audit([path], form).files[0].problems
    cited = [p for p in problems if p.rule in {r.id for r in form.rules_of("document_number")}]
    assert len(cited) == 1 and "〔2019〕60号" in cited[0].message

"""A second form (tests/forms/mini/form.toml) through the CLI with ``--form``: the code is generic.

The mini form, 乡镇安全生产检查季度统计表, shares nothing with the annual report: its own id, sheets
and field keys, no unit types, its own codes (K1 for blanks, S1–S3, T1) and no report preamble.
Every cell is taken from the loaded form, never written out, so the tests follow the definition.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.forms.minifixtures import COUNTS, FORM, GRID, MINI, UNIT, YEAR, valid_values
from tests.returns import SAMPLES, load_copy, saved_by_libreoffice
from xltool.cli import main
from xltool.form.calc import overall_value
from xltool.form.layout import a1
from xltool.form.loader import load_form
from xltool.workbook.write import UnitInfo, template_filename, write_template

ANNUAL_RETURN = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"

# the totals of the grid filled with COUNTS (tests/forms/minifixtures.py)
TOTALS = {"visits": 42, "hz_general": 17, "hz_major": 3, "hz_total": 20, "fixed": 20}


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def make_return(tmp_path: Path, changes: dict[str, Any] | None = None, name: str = "r.xlsx") -> Path:
    """A filled return of the mini form (the valid one with ``changes``; None leaves a cell blank)."""
    values = valid_values()
    values.update(changes or {})
    out = tmp_path / name
    write_template(FORM, UnitInfo(UNIT, "", YEAR), out, values=values)
    return out


def verify_json(*args: object) -> tuple[int, list[dict[str, Any]]]:
    """Exit code and the problems of the one file verified with ``--json``."""
    result = run("verify", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    files = json.loads(result.stdout)["files"]
    assert len(files) == 1
    return result.exit_code, files[0]["problems"]


def place(key: str) -> tuple[str, str]:
    """(sheet name, cell) of a field, from the form."""
    f = FORM.fields[key]
    return FORM.sheet(f.sheet).name, f.cell


def at(problem: dict[str, Any]) -> tuple[str, str]:
    return problem["sheet"], problem["cell"]


# ------------------------------------------------------------------ the definition itself
def test_mini_form_is_unlike_the_annual_report() -> None:
    assert FORM.id == "town-safety-inspection" and not FORM.basis and not FORM.regulation
    assert FORM.units.names == () and not FORM.role("unit_type")
    assert FORM.filled_rule.code == "K1"
    assert {"K1", "S1", "S2", "S3", "T1"} <= FORM.codes
    annual = load_form()
    assert not {s.name for s in FORM.sheets} & {s.name for s in annual.sheets} - {"校验结果"}
    assert not set(FORM.fields) & set(annual.fields)
    # a total row and a total column, crossing at the corner
    assert [r.key for r in GRID.rows if r.sum] == ["total"] and [c.key for c in GRID.columns if c.sum] == ["hz_total"]


# ------------------------------------------------------------------ a. rules and forms
def test_rules_lists_the_forms_own_codes_and_builtins() -> None:
    result = run("rules", "--form", MINI)
    assert result.exit_code == 0, result.output
    assert FORM.name in result.output
    lines = {m.group(1): line for line in result.stdout.splitlines() if (m := re.match(r"【(\w+)】", line))}
    for code in ("K1", "K2", "S1", "S2", "S3", "T1"):
        assert "表单" in lines[code], lines.get(code)
    for code in ("H1", "H2", "H5", "H8"):
        assert "内置" in lines[code]
    assert not {"B1", "E1", "F7"} & set(lines)  # nothing of the annual report
    rows = json.loads(run("rules", "--form", MINI, "--json").stdout)
    ids = {r["id"]: r for r in rows}
    assert ids["K1"]["source"] == "form" and ids["H2"]["source"] == "builtin"
    assert "A1" not in ids  # the form's own filled rule K1 replaces the built-in A1
    assert not any(r["overridden"] for r in rows)  # the mini form changes no built-in rule
    annual = {r["id"]: r for r in json.loads(run("rules", "--json").stdout)}
    assert annual["import:no_year"]["overridden"] and annual["import:no_year"]["code"] == "A4"  # the form's code
    assert not annual["H1-corrupt"]["overridden"]
    assert "内置（表单改写）" in run("rules").stdout


def test_forms_lists_the_shipped_annual_report() -> None:
    result = run("forms", "--json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert [e["id"] for e in entries if e["default"]] == ["gov-info-disclosure-annual-report"]
    assert FORM.id not in {e["id"] for e in entries}  # a test form is not shipped
    assert "gov-info-disclosure-annual-report" in run("forms").stdout


# ------------------------------------------------------------------ b. template
def test_template_without_unit_type(tmp_path: Path) -> None:
    out = tmp_path / "X.xlsx"
    result = run("template", "--form", MINI, "--unit", UNIT, "--year", YEAR, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and UNIT in result.output
    wb = load_copy(out)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == [s.name for s in FORM.sheets]
    assert wb.active.title == FORM.sheet(FORM.template.active).name
    sheet, cell = place(FORM.role("unit_name"))
    assert wb[sheet][cell].value == UNIT
    # a blank template of the form: only blanks to report, no file problem (H…)
    code, problems = verify_json("--form", MINI, out)
    assert code == 1
    assert {p["code"] for p in problems} == {"K1", "A1"}  # blank numbers (K1), blank required texts (A1)


def test_template_into_a_folder_uses_the_forms_file_pattern(tmp_path: Path) -> None:
    result = run("template", "--form", MINI, "--unit", UNIT, "--year", YEAR, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    expected = tmp_path / template_filename(FORM, UNIT, YEAR)
    assert expected.name == FORM.file_pattern.format(unit=UNIT, year=YEAR)
    assert [p.name for p in tmp_path.iterdir()] == [expected.name]


def test_template_check_summary_lists_only_rules_of_this_form(tmp_path: Path) -> None:
    """The 校验结果 block shows the form's rules, not a built-in type rule over no cells (A3)."""
    out = tmp_path / "X.xlsx"
    assert run("template", "--form", MINI, "--unit", UNIT, "--year", YEAR, "-o", out).exit_code == 0
    block = FORM.checks_block
    assert block is not None
    ws = load_copy(out)[FORM.sheet(block.sheet).name]
    codes = []
    for row in range(block.row0 + 1, block.row0 + 20):
        code = ws[a1(row, block.col0)].value
        if not code:
            break
        codes.append(code)
        assert "()" not in str(ws[a1(row, block.col0 + 3)].value)  # no function without arguments
    assert codes == ["K1", "K2", "S1", "S2", "S3"]


# ------------------------------------------------------------------ c. a valid return, saved by LibreOffice
def test_valid_return_recalculated_by_libreoffice_verifies(tmp_path: Path, soffice: str) -> None:
    saved = saved_by_libreoffice(make_return(tmp_path), tmp_path / "lo")
    code, problems = verify_json("--form", MINI, saved)
    assert code == 0 and problems == []
    formulas, computed = load_copy(saved), openpyxl.load_workbook(saved, data_only=True)
    for col, total in TOTALS.items():  # the 合计 row: still formulas, as LibreOffice computed them
        sheet, cell = place(f"{GRID.key}.total.{col}")
        assert str(formulas[sheet][cell].value).startswith("=SUM(")
        assert computed[sheet][cell].value == total
    block = FORM.checks_block
    assert block is not None
    ws = computed[FORM.sheet(block.sheet).name]
    results = {
        ws[a1(row, block.col0 + 1)].value: ws[a1(row, block.col0 + 3)].value for row in range(block.row0, ws.max_row)
    }
    assert results["总体结论"] == overall_value([])  # LibreOffice computed the live summary: all pass


# ------------------------------------------------------------------ d–f. the form's own codes, at its cells
def test_cross_cell_rule_reports_its_own_code_at_its_cell(tmp_path: Path) -> None:
    key = f"{GRID.key}.enterprise.fixed"
    path = make_return(tmp_path, {key: 12})  # 已整改 12 > 发现隐患 11
    code, problems = verify_json("--form", MINI, path)
    assert code == 1
    s3 = [c for c in FORM.checks if c.rule.code == "S3" and c.at == key]
    assert len(s3) == 1
    hits = [p for p in problems if p["code"] == "S3"]
    assert place(s3[0].at) in {at(p) for p in hits}
    assert all(p["severity"] == "error" for p in hits)
    assert not {p["code"] for p in problems} - {"S3"}  # nothing else (the 合计 row breaks S3 too)


def test_blank_number_is_the_forms_filled_rule(tmp_path: Path) -> None:
    key = f"{GRID.key}.school.visits"
    code, problems = verify_json("--form", MINI, make_return(tmp_path, {key: None}))
    assert code == 1
    assert [(p["code"], at(p)) for p in problems] == [("K1", place(key))]


def test_placeholder_in_text_is_the_text_rules_code(tmp_path: Path) -> None:
    key = "notes.summary"
    path = make_return(tmp_path, {key: "2025年，本镇共开展安全生产检查XX次，此处填写具体情况。"})
    code, problems = verify_json("--form", MINI, path)
    assert code == 1
    assert {(p["code"], at(p)) for p in problems} == {("T1", place(key))}
    assert len(problems) == 2  # "XX" and "此处填写"


# ------------------------------------------------------------------ g. report
@pytest.fixture(scope="module")
def valid_return(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_return(tmp_path_factory.mktemp("mini"))


def table_rows() -> list[list[str]]:
    """The report table's number rows: each row's inputs with its 隐患合计, then the 合计 row."""
    rows = [[str(n) for n in (v, g, m, g + m, fixed)] for v, g, m, fixed in COUNTS.values()]
    return [*rows, [str(n) for n in TOTALS.values()]]


def test_report_html(valid_return: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    result = run("report", "--form", MINI, valid_return, "-o", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for s in FORM.sections:
        assert f">{s.heading}<" in html
    rows = [re.findall(r'<td class="num">([^<]*)</td>', tr) for tr in re.findall(r"<tr>.*?</tr>", html)]
    assert [r for r in rows if r] == table_rows()
    assert "<p></p>" not in html  # no preamble declared: no empty paragraph
    assert FORM.title_pattern.format(unit="桐柏县" + UNIT, year=YEAR) in html


def test_report_docx(valid_return: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.docx"
    result = run("report", "--form", MINI, valid_return, "-o", out)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    for s in FORM.sections:
        assert s.heading in paragraphs
    assert valid_values()["notes.summary"] in paragraphs
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    labels = [r.path[-1] for r in GRID.rows]
    assert rows[-len(labels) :] == [[label, *numbers] for label, numbers in zip(labels, table_rows(), strict=True)]


# ------------------------------------------------------------------ h. another form's return
def test_annual_return_is_not_a_mini_return() -> None:
    code, problems = verify_json("--form", MINI, ANNUAL_RETURN)
    assert code == 1
    assert [p["code"] for p in problems] == ["H2"]


def test_mini_return_is_not_an_annual_return(valid_return: Path) -> None:
    code, problems = verify_json(valid_return)
    assert code == 1
    assert [p["code"] for p in problems] == ["H2"]


def test_text_in_a_number_cell_is_the_forms_own_type_rule(tmp_path: Path) -> None:
    key = f"{GRID.key}.school.visits"
    code, problems = verify_json("--form", MINI, make_return(tmp_path, {key: "/"}))
    assert code == 1
    assert ("K2", place(key)) in [(p["code"], at(p)) for p in problems]
    assert "A2" not in {p["code"] for p in problems}  # the built-in A2 is replaced by the form's K2


def test_a_blank_template_is_summarised_under_the_forms_own_blank_code(tmp_path: Path) -> None:
    blank = write_template(FORM, UnitInfo(UNIT, "", YEAR), tmp_path / "空白.xlsx").path
    result = run("verify", "--form", MINI, blank)
    assert result.exit_code == 1
    assert "尚未填写的模板" in result.output
    own = FORM.filled_rule.code
    assert own != "A1"
    by_sheet = [line for line in result.output.splitlines() if f"【{own}】" in line]
    number_sheets = {FORM.sheet(f.sheet).name for f in FORM.inputs if f.numeric and f.required}
    assert len(by_sheet) == len(number_sheets)  # one line per sheet, not one per cell
    assert all("个单元格未填写" in line for line in by_sheet)


def test_a_form_without_report_sections_verifies_but_writes_no_report(tmp_path: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    cut = text.index("[[sections]]")
    variant = tmp_path / "no_report" / "form.toml"
    variant.parent.mkdir()
    variant.write_text(text[:cut] + text[text.index("[[rules]]", cut) :], encoding="utf-8")
    form = load_form(variant)
    assert not form.sections
    returns = tmp_path / "returns"
    returns.mkdir()
    made = write_template(form, UnitInfo(UNIT, "", YEAR), returns / "r.xlsx", values=valid_values(form)).path
    assert run("verify", "--form", variant, made).exit_code == 0
    for source, out in ((made, tmp_path / "r.docx"), (returns, tmp_path / "reports")):
        result = run("report", "--form", variant, source, "-o", out)
        assert result.exit_code == 1
        assert "没有定义报告的内容" in result.output and "Traceback" not in result.output
        assert not out.exists()

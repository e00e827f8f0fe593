"""import and audit with another form (tests/forms/mini/form.toml): what a published document gets
wrong is reported under that form's codes (K1 for a blank, K2 for text in a number cell, S1/S2 for a
printed total), the built-in I-codes for its structure, in words that name that form, never the
annual report's; the units of its number types ("1次") are read; `xltool rules` lists these checks.

The documents are the mini form's own reports, written by `xltool report` from a valid return and
then broken cell by cell (Word: the table's cells; text: the Markdown copy's "|" rows).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result

from tests.forms.minifixtures import FORM, GRID, MINI, UNIT, YEAR, valid_values
from xltool.cli import main
from xltool.importer.build import import_document
from xltool.workbook.write import UnitInfo, write_template

ANNUAL_WORDS = ("政府信息公开", "年度报告", "国家格式", "2019", "〔2021〕")
SECTION = next(s.heading for s in FORM.sections if s.table == GRID.table)
COLUMNS = [c.key for c in GRID.columns]
ROWS = {r.key: r.path[-1] for r in GRID.rows}  # row key -> its label in the document

Cells = dict[tuple[str, str], str]  # (row key, column key) -> the text written in that cell instead


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The valid mini return's report as Word and as text (the Markdown copy, saved as .txt)."""
    folder = tmp_path_factory.mktemp("mini_reports")
    ret = folder / "r.xlsx"
    write_template(FORM, UnitInfo(UNIT, "", YEAR), ret, values=valid_values())
    out = {}
    for kind, suffix in (("docx", ".docx"), ("txt", ".md")):
        target = folder / f"report{suffix}"
        result = run("report", "--form", MINI, ret, "-o", target)
        assert result.exit_code == 0, result.output
        out[kind] = target
    return out


@pytest.fixture
def broken(rendered: dict[str, Path], tmp_path: Path) -> Callable[..., Path]:
    """broken(kind, cells={(row, column): text}, corner=..., no_table=False) -> a changed copy."""
    count = iter(range(1000))

    def make(kind: str, cells: Cells | None = None, *, corner: str = "", no_table: bool = False) -> Path:
        out = tmp_path / f"{next(count)}_{UNIT}{YEAR}.{kind}"
        if kind == "docx":
            _docx(rendered["docx"], out, cells or {}, corner, no_table)
        else:
            _text(rendered["txt"], out, cells or {}, corner, no_table)
        return out

    return make


def _docx(source: Path, out: Path, cells: Cells, corner: str, no_table: bool) -> None:
    document = docx.Document(str(source))
    (table,) = document.tables
    if no_table:
        table._element.getparent().remove(table._element)
    else:
        labels = {label: key for key, label in ROWS.items()}
        for row in table.rows:
            key = labels.get(row.cells[0].text)
            for (r, c), text in cells.items():
                if r == key:
                    row.cells[GRID.label_depth + COLUMNS.index(c)].text = text
            if corner and row.cells[0].text == GRID.corner:
                row.cells[0].text = corner
    document.save(str(out))


def _text(source: Path, out: Path, cells: Cells, corner: str, no_table: bool) -> None:
    labels = {label: key for key, label in ROWS.items()}
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            if no_table:
                continue
            parts = [p.strip() for p in line.strip("|").split("|")]
            key = labels.get(parts[0])
            for (r, c), text in cells.items():
                if r == key:
                    parts[GRID.label_depth + COLUMNS.index(c)] = text
            if corner and parts[0] == GRID.corner:
                parts[0] = corner
            line = "| " + " | ".join(parts) + " |"
        lines.append(line)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def audit_json(path: Path, *extra: object) -> tuple[int, list[dict[str, Any]]]:
    result = run("audit", "--form", MINI, "--json", path, *extra)
    assert result.exit_code in (0, 1), result.output
    (found,) = json.loads(result.stdout)["files"]
    return result.exit_code, found["problems"]


def expected_numbers() -> dict[str, Any]:
    return {k: v for k, v in valid_values().items() if k in FORM.fields and FORM.fields[k].grid}


def where(row: str, column: str = "") -> str:
    f = FORM.fields[
        GRID.field_key(next(r for r in GRID.rows if r.key == row), GRID.columns[COLUMNS.index(column or COLUMNS[0])])
    ]
    return f"{SECTION}（行：{f.row_label}" + (f"；列：{f.col_label}）" if column else "）")


def no_annual_words(problems: list[dict[str, Any]]) -> None:
    for p in problems:
        text = p["message"] + p["fix"]
        assert not [w for w in ANNUAL_WORDS if w in text], p


# ------------------------------------------------------------------ the unbroken report
@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_the_forms_own_report_imports_to_its_numbers(kind: str, broken: Callable[..., Path]) -> None:
    imported = import_document(broken(kind), FORM)
    assert (imported.unit, imported.year) == ("桐柏县" + UNIT, YEAR)
    assert imported.problems == []
    assert {k: v for k, v in imported.values.items() if FORM.fields[k].grid} == expected_numbers()
    assert audit_json(broken(kind)) == (0, [])


def test_xltools_own_markdown_report_imports_as_it_is(rendered: dict[str, Path]) -> None:
    """The .md that xltool report writes is taken as it is, not refused for its suffix."""
    assert rendered["txt"].suffix == ".md"
    imported = import_document(rendered["txt"], FORM)
    assert imported.problems == []
    assert {k: v for k, v in imported.values.items() if FORM.fields[k].grid} == expected_numbers()
    assert audit_json(rendered["txt"]) == (0, [])


@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_numbers_with_the_unit_of_the_forms_type_are_read(kind: str, broken: Callable[..., Path]) -> None:
    unit = FORM.types[GRID.type].unit
    assert unit == "次"  # not one of the annual report's units (件, 万元, 元)
    values = expected_numbers()
    cells = {("enterprise", c): f"{values[f'{GRID.key}.enterprise.{c}']}{unit}" for c in COLUMNS if c != "hz_total"}
    imported = import_document(broken(kind, cells), FORM)
    assert imported.problems == []
    assert {k: v for k, v in imported.values.items() if FORM.fields[k].grid} == values


# ------------------------------------------------------------------ broken: the form's own codes
@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_what_a_document_gets_wrong_takes_the_forms_codes(
    kind: str, broken: Callable[..., Path], tmp_path: Path
) -> None:
    cells = {
        ("enterprise", "visits"): "",  # a blank: the form's blank rule K1 (the annual report: A1)
        ("school", "hz_major"): "/",  # text in a number cell: its type rule K2 (the annual report: A2)
        ("total", "fixed"): "99",  # a printed total: the 合计 row's sum rule S2
        ("market", "hz_total"): "5",  # the 隐患合计 column's sum rule S1
    }
    code, problems = audit_json(broken(kind, cells))
    assert code == 1
    found = {(p["code"], p["where"]) for p in problems}
    assert ("K1", where("enterprise")) in found
    assert ("K2", where("school", "hz_major")) in found
    assert ("S2", where("total", "fixed")) in found
    assert ("S1", where("market", "hz_total")) in found
    codes = {p["code"] for p in problems}
    assert not codes & {"A1", "A2", "B2"}, problems
    assert codes <= FORM.codes  # every code is one `xltool rules --form` lists and --strict accepts
    no_annual_words(problems)
    result = run("import", "--form", MINI, "--json", broken(kind, cells), "-o", tmp_path / "imported.xlsx")
    assert result.exit_code == 1, result.output  # written, with what could not be read listed
    (done,) = json.loads(result.stdout)["files"]
    assert done["output"] and {(p["code"], p["where"]) for p in done["problems"]} >= {
        ("K1", where("enterprise")),
        ("K2", where("school", "hz_major")),
        ("S2", where("total", "fixed")),
    }


@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_a_missing_table_is_the_built_in_i2(kind: str, broken: Callable[..., Path]) -> None:
    code, problems = audit_json(broken(kind, no_table=True))
    assert code == 1
    missing = [p for p in problems if p["where"] == SECTION]
    assert [p["code"] for p in missing] == ["I2"] and missing[0]["severity"] == "error"
    assert GRID.table in missing[0]["message"] or SECTION in missing[0]["message"]
    no_annual_words(problems)


@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_the_annual_reports_old_format_words_mean_nothing_here(kind: str, broken: Callable[..., Path]) -> None:
    """The 2019-format markers are the annual report's ([import] in its form.toml): a mini report
    whose table has such words is read as any other."""
    imported = import_document(broken(kind, corner="检查场所（本年新制作数量）"), FORM)
    assert [p.code for p in imported.problems if p.rule == "import:old_format"] == []
    assert {k: v for k, v in imported.values.items() if FORM.fields[k].grid} == expected_numbers()


def test_a_file_that_is_no_report_names_this_form(tmp_path: Path) -> None:
    menu = tmp_path / "menu.html"
    menu.write_bytes("<html><body><p>首页</p><p>联系我们</p></body></html>".encode())
    result = run("import", "--form", MINI, menu, "-o", tmp_path / "x.xlsx", "--json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)["files"][0]["problems"]
    assert problem["code"] == "H2" and FORM.name in problem["message"]
    assert FORM.example_title in problem["fix"]  # "××单位××××年安全生产检查情况报告"
    no_annual_words([problem])


# ------------------------------------------------------------------ the rules listed
def test_rules_lists_the_checks_of_import_and_audit() -> None:
    result = run("rules", "--form", MINI)
    assert result.exit_code == 0, result.output
    own, _, reading = result.stdout.partition("读取已发布的报告时")
    assert reading, result.stdout
    lines = [line for line in reading.splitlines() if line.startswith("【")]
    assert {line[1:3] for line in lines} >= {"H0", "H1", "H2", "H7", "I1", "I2", "I3", "I4", "I5", "I6", "I7"}
    assert all("内置" in line for line in lines)
    blank = next(line for line in lines if "表格中的数字全部填写" in line)
    assert "K1" in blank  # reported under the form's blank rule
    assert not [w for w in ANNUAL_WORDS if w in reading], reading
    rows = json.loads(run("rules", "--form", MINI, "--json").stdout)
    ids = {r["id"]: r for r in rows if r["kind"] == "import"}
    assert {"import:blank", "import:not_number", "import:stated_total", "import:missing_table"} <= set(ids)
    assert ids["import:stated_total"]["also"] == ["S1", "S2"] and ids["import:not_number"]["also"] == ["K2"]
    assert all(r["source"] == "builtin" for r in ids.values())


def test_strict_accepts_the_import_codes(tmp_path: Path) -> None:
    ret = tmp_path / "r.xlsx"
    write_template(FORM, UnitInfo(UNIT, "", YEAR), ret, values=valid_values())
    result = run("verify", "--form", MINI, ret, "--strict", "I4,K1")
    assert result.exit_code == 0, result.output

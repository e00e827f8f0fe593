"""When the national format changes: a one-place change in the definition, and last year's returns.

A variant of the annual report with one more row in table 三 (version bumped, as a careful
maintainer would) proves that template, verify and report follow the definition, that a return of
the older version is refused for the current campaign with one clear H3 (not a flood of misread
B2/H5/A2), and that last year's return of the older version still serves --previous, compared by
key. The recorded layout hashes make a layout change without a new version fail a test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.returns import ROOT, default_form, make_return, previous_values, valid_values
from xltool.checks.verify import VerifyOptions, verify
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.registry import default_form_path
from xltool.report.build import build_report
from xltool.workbook.meta import form_map, layout_hash
from xltool.workbook.read import read_return

LAYOUTS = Path(__file__).parents[1] / "data" / "layouts.toml"
MINI = Path(__file__).parents[1] / "forms" / "mini" / "form.toml"
T3_COLUMNS = ("natural", "commercial", "research", "nonprofit", "legal", "other")
NEW_ROW = '  { key = "r_other_4", path = ["三、本年度办理结果", "（六）其他处理", "4.新增情形（测试）"] },\n'
ANCHOR = '  { key = "r_total", path = ["三、本年度办理结果", "（七）总计"]'
SHIPPED = default_form().version  # the version the shipped definition has now
NEXT = "9999.1"  # the version a maintainer would give the variant


def variant(tmp_path: Path, *edits: tuple[str, str], version: str = NEXT) -> Form:
    """The shipped definition with ``edits`` (old, new) applied and its version set."""
    text = default_form_path().read_text(encoding="utf-8")
    for old, new in (*edits, (f'version = "{SHIPPED}"', f'version = "{version}"')):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "variant" / "form.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_form(path)


@pytest.fixture
def one_row_more(tmp_path: Path) -> Form:
    return variant(tmp_path, (ANCHOR, NEW_ROW + ANCHOR))


def new_values(form: Form, base: dict[str, Any] | None = None) -> dict[str, Any]:
    values = dict(base or valid_values(default_form()))
    values.update({f"t3.r_other_4.{c}": 0 for c in T3_COLUMNS})
    return values


def codes(result: Any) -> list[tuple[str, str | None]]:
    return [(p.code, p.cell) for f in result.files for p in f.problems]


# ------------------------------------------------------------------ the one-place change
def test_a_new_row_is_in_its_total_by_construction(one_row_more: Form) -> None:
    total = one_row_more.fields["t3.r_total.natural"]
    assert "t3.r_other_4.natural" in total.parts
    old = default_form().fields["t3.r_total.natural"]
    assert total.row == old.row + 1  # everything below the new row moved down


def test_template_verify_and_report_follow_the_new_row(tmp_path: Path, one_row_more: Form) -> None:
    values = new_values(one_row_more)
    values["t3.r_other_4.natural"] = 1  # one more 其他处理, one less 予以公开: still balanced
    values["t3.r_open.natural"] -= 1
    # and the text says so (its numbers are checked against the tables: E1)
    text = values["s1.on_request"].replace("予以公开13件", "予以公开12件").replace("其他处理1件", "其他处理2件")
    values["s1.on_request"] = text
    path = make_return(tmp_path, base=values, the_form=one_row_more)
    assert codes(verify([path], one_row_more, VerifyOptions(year=2025))) == []
    report = build_report(one_row_more, read_return(path, one_row_more))
    assert "4.新增情形（测试）" in report.text_lines()


def test_the_new_row_is_checked_at_its_own_cell(tmp_path: Path, one_row_more: Form) -> None:
    values = new_values(one_row_more)
    values["t3.r_other_4.natural"] = 1  # unbalanced now: B1 at the carried_out cell of the new layout
    path = make_return(tmp_path, base=values, the_form=one_row_more)
    found = codes(verify([path], one_row_more, VerifyOptions(year=2025)))
    assert ("B1", one_row_more.fields["t3.carried_out.natural"].cell) in found
    assert one_row_more.fields["t3.carried_out.natural"].cell != default_form().fields["t3.carried_out.natural"].cell


def test_an_older_version_is_one_clear_h3_for_the_campaign(tmp_path: Path, one_row_more: Form) -> None:
    old = make_return(tmp_path, name="old.xlsx")  # made with the shipped version
    result = verify([old], one_row_more, VerifyOptions(year=2025))
    assert codes(result) == [("H3", None)]
    (problem,) = result.files[0].problems
    assert problem.rule == "H3-layout" and SHIPPED in problem.message and NEXT in problem.message
    newer = make_return(tmp_path, base=new_values(one_row_more), the_form=one_row_more, name="new.xlsx")
    assert codes(verify([newer], default_form(), VerifyOptions(year=2025))) == [("H3", None)]


def test_a_layout_changed_under_the_same_version_says_so(tmp_path: Path) -> None:
    same_version = variant(tmp_path, (ANCHOR, NEW_ROW + ANCHOR), version=SHIPPED)
    old = make_return(tmp_path, name="old.xlsx")
    (problem,) = verify([old], same_version, VerifyOptions(year=2025)).files[0].problems
    assert (problem.code, problem.rule) == ("H3", "H3-edited")


def test_last_years_return_of_the_older_version_serves_previous(tmp_path: Path, one_row_more: Form) -> None:
    prev_dir = tmp_path / "previous"
    make_return(prev_dir, base=previous_values(default_form()), year=2024, name="2024.xlsx")  # the shipped version
    path = make_return(tmp_path, base=new_values(one_row_more), the_form=one_row_more)
    result = verify([path], one_row_more, VerifyOptions(year=2025, previous=[prev_dir]))
    assert codes(result) == [] and result.notes == []
    # a carried-in count that contradicts last year's 结转下年度 is B5 at the new layout's cell
    values = new_values(one_row_more)
    values["t3.carried_in.natural"] += 1
    values["t3.new.natural"] -= 1
    changed = make_return(tmp_path, base=values, the_form=one_row_more, name="changed.xlsx")
    found = codes(verify([changed], one_row_more, VerifyOptions(year=2025, previous=[prev_dir])))
    assert ("B5", one_row_more.fields["t3.carried_in.total"].cell) in found


def test_a_key_only_in_this_version_is_reported_not_guessed(tmp_path: Path) -> None:
    """A new applicant column, with the per-column B5 extended to it: last year's return has no such
    column, so that comparison is named as not made (and never turned into a problem)."""
    column = '  { key = "foreign", path = ["申请人情况", "法人或其他组织", "境外组织"] },\n'
    newer = variant(
        tmp_path,
        ('  { key = "total", path = ["申请人情况", "总计"]', column + '  { key = "total", path = ["申请人情况", "总计"]'),
        ('for = { c = ["natural", "commercial", "research", "nonprofit", "legal", "other"] }',
         'for = { c = ["natural", "commercial", "research", "nonprofit", "legal", "other", "foreign"] }'),
    )  # fmt: skip
    prev_dir = tmp_path / "previous"
    make_return(prev_dir, base=previous_values(default_form()), year=2024, name="2024.xlsx")
    values = dict(valid_values(default_form()))
    values.update({f"t3.{f.key.split('.')[1]}.foreign": 0 for f in newer.numeric_inputs if f.key.endswith(".foreign")})
    path = make_return(tmp_path, base=values, the_form=newer)
    result = verify([path], newer, VerifyOptions(year=2025, previous=[prev_dir]))
    assert codes(result) == []
    assert any("t3.carried_out.foreign" in n and "B5" in n for n in result.notes), result.notes


# ------------------------------------------------------------------ a layout change needs a new version
@pytest.mark.parametrize("path", [default_form_path(), MINI], ids=["annual_report", "mini"])
def test_layout_is_recorded_for_its_version(path: Path) -> None:
    """Changing where fields are (a row added, a sum changed) without bumping [form] version would
    let old and new returns pass for each other: record the new version's hash here when you bump."""
    form = load_form(path)
    recorded = tomllib.loads(LAYOUTS.read_text(encoding="utf-8"))
    have = layout_hash(form_map(form))
    versions = recorded.get(form.id, {})
    assert versions.get(form.version) == have, (
        f"{form.id} {form.version}: layout {have} differs from the one recorded for this version "
        f"({versions.get(form.version)}). Bump [form] version and add it to {LAYOUTS.relative_to(ROOT)}."
    )


def test_the_variant_is_a_different_layout(one_row_more: Form) -> None:
    assert layout_hash(form_map(one_row_more)) != layout_hash(form_map(default_form()))

"""xltool.checks.verify on real returns: for every check code of the annual report a return that breaks exactly
that rule, and the code, cell and severity it must be reported with.

Every return is the market_2025 sample (a complete, valid 2025 return) built from the real template
with one change (tests/returns.py). A change that also upsets a total's other rules says which
errors are its arithmetic consequences; any other error fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from tests.returns import (
    NOW,
    OLE_MAGIC,
    ROSTER,
    SAMPLES,
    default_form,
    edit_cells,
    edit_xml,
    for_year,
    load_copy,
    make_previous,
    make_return,
    make_town_return,
    saved_by_libreoffice,
    valid_values,
    with_macro,
)
from xltool.checks.verify import ALL, VerifyOptions, verify
from xltool.form.layout import a1
from xltool.form.problems import Problem
from xltool.roster import load_roster
from xltool.workbook.write import UnitInfo, write_template

FORM = default_form()
T2, T3, T4 = (FORM.sheet(k).name for k in ("t2", "t3", "t4"))
FLAWED = SAMPLES / "flawed"


# ------------------------------------------------------------------ helpers
def cell(key: str) -> str:
    return FORM.fields[key].cell


def problems_of(path: Path, **options: object) -> list[Problem]:
    result = verify([path], FORM, VerifyOptions(**options))  # type: ignore[arg-type]
    assert len(result.files) == 1
    return result.files[0].problems


NARRATIVE = ("E1", "E2", "E3")  # the text against the tables


def table_problems_of(path: Path, **options: object) -> list[Problem]:
    """The problems of a return whose tables were changed under the sample's text: that text still
    tells the numbers of the unchanged tables, so what it now contradicts (E1–E3) is left out."""
    return [p for p in problems_of(path, **options) if p.code not in NARRATIVE]


def errors_of(problems: list[Problem]) -> set[tuple[str, str | None]]:
    return {(p.code, p.cell) for p in problems if p.is_error}


def at(problems: list[Problem], code: str, key: str | None) -> Problem:
    """The problem ``code`` at the cell of field ``key`` (None: a problem of the whole file)."""
    where = cell(key) if key else None
    hits = [p for p in problems if p.code == code and p.cell == where]
    assert hits, f"no {code} at {where}; got {[(p.code, p.cell, p.severity) for p in problems]}"
    return hits[0]


def assert_reported(
    problems: list[Problem],
    code: str,
    key: str | None,
    severity: str,
    *,
    also: tuple[tuple[str, str | None], ...] = (),
    tolerate: frozenset[str] = frozenset(),
) -> Problem:
    """``code`` at ``key``'s cell with ``severity``; other errors only ``also`` ((code, key)) or codes in ``tolerate``."""
    p = at(problems, code, key)
    assert p.severity == severity, p
    if key:
        assert p.sheet == FORM.sheet(FORM.fields[key].sheet).name
        assert p.field == key
    allowed = {(code, p.cell)} | {(c, cell(k) if k else None) for c, k in also}
    others = {e for e in errors_of(problems) if e not in allowed and e[0] not in tolerate}
    assert not others, f"unexpected errors {others}"
    return p


def replaced(key: str, old: str, new: str) -> dict[str, str]:
    """The sample's text ``key`` with ``old`` replaced by ``new``."""
    text = valid_values(FORM)[key]
    assert old in text, (key, old)
    return {key: text.replace(old, new)}


# ------------------------------------------------------------------ clean returns
def test_samples_have_no_errors() -> None:
    paths = sorted((SAMPLES / "returns").glob("*.xlsx"))
    assert len(paths) == 2
    result = verify(paths, FORM)
    assert result.ok, [(f.path.name, errors_of(f.problems)) for f in result.files]


def test_market_sample_has_no_problems_at_all() -> None:
    path = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"
    assert problems_of(path, year=2025, roster=load_roster(ROSTER)) == []


def test_built_return_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(make_return(tmp_path), year=2025) == []
    assert problems_of(make_town_return(tmp_path, name="town.xlsx"), year=2025) == []


# ------------------------------------------------------------------ A: cell types and completeness
def test_a1_blank_number_cell(tmp_path: Path) -> None:
    path = make_return(tmp_path, remove=["t2.penalty.decisions"])
    p = assert_reported(problems_of(path), "A1", "t2.penalty.decisions", "error")
    assert p.value is None


def test_a1_blank_table3_cell_is_not_judged_as_zero(tmp_path: Path) -> None:
    # B1 in that column cannot be judged while the cell is blank: only A1 is said.
    path = make_return(tmp_path, remove=["t3.r_open.natural"])
    assert_reported(problems_of(path), "A1", "t3.r_open.natural", "error")


def test_a1_blank_new_applications_cell_is_not_also_e1(tmp_path: Path) -> None:
    path = make_return(tmp_path, remove=["t3.new.natural"])
    assert_reported(problems_of(path), "A1", "t3.new.natural", "error")


def test_a1_blank_required_text(tmp_path: Path) -> None:
    path = make_return(tmp_path, remove=["info.filler"])
    p = assert_reported(problems_of(path), "A1", "info.filler", "error")
    assert "填报人" in p.message


@pytest.mark.parametrize("typed", ["/", "减4", "无", -1, 1.5])
def test_a2_not_a_whole_number(tmp_path: Path, typed: object) -> None:
    path = make_return(tmp_path, {"t2.licensing.decisions": typed})
    p = assert_reported(problems_of(path), "A2", "t2.licensing.decisions", "error")
    assert p.value == typed


@pytest.mark.parametrize("typed", ["１８", " 18 ", "18.0"])
def test_a2_number_as_text_is_read_with_a_warning(tmp_path: Path, typed: str) -> None:
    # 18 is the sample's value: read as 18, table 三 still balances and matches the text (E1).
    path = make_return(tmp_path, {"t3.new.natural": typed})
    problems = problems_of(path)
    p = assert_reported(problems, "A2", "t3.new.natural", "warning")
    assert p.value == typed and "18" in p.message
    assert not errors_of(problems)
    # the workbook's own SUM skips text, so its cached 总计 (8) differs from the recomputed 26: H8
    assert {q.code for q in problems} <= {"A2", "H8"}


def test_a3_negative_fee(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"t2.fees.amount": -0.5})
    assert_reported(problems_of(path), "A3", "t2.fees.amount", "error")


def test_a3_town_fee_entered_in_yuan_is_a_warning(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t2.fees.amount": 3500})
    problems = table_problems_of(path)
    assert_reported(problems, "A3", "t2.fees.amount", "warning")
    assert [q.code for q in problems] == ["A3"]


def test_a3_department_fee_of_3500_is_fine(tmp_path: Path) -> None:
    assert problems_of(make_return(tmp_path, {"t2.fees.amount": 3500})) == []


def test_a4_report_year_differs_from_template_year(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"info.year": 2024})
    p = assert_reported(problems_of(path), "A4", "info.year", "error")
    assert "2024" in p.message and "2025" in p.message


# ------------------------------------------------------------------ B: table 三
def test_b1_column_does_not_balance(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"t3.carried_out.natural": 2})
    problems = table_problems_of(path)
    # the 总计 column adds the 自然人 column up, so it does not balance either
    assert errors_of(problems) == {("B1", cell("t3.carried_out.natural")), ("B1", cell("t3.carried_out.total"))}
    assert at(problems, "B1", "t3.carried_out.natural").severity == "error"


OVERWRITERS = [
    pytest.param("xml", id="saved-like-excel"),
    pytest.param("openpyxl", id="saved-by-openpyxl"),
]


def overwritten(tmp_path: Path, how: str, sheet: str, key: str, value: int) -> Path:
    """The sample with the formula cell of ``key`` overwritten by the constant ``value``."""
    base = make_return(tmp_path, name="base.xlsx")
    if how == "xml":
        return edit_xml(base, tmp_path / "edited.xlsx", cells={(sheet, cell(key)): value})
    return edit_cells(base, {(sheet, cell(key)): value}, tmp_path / "edited.xlsx")


def assert_overwritten(problems: list[Problem], how: str, code: str, key: str, also: tuple = ()) -> None:
    assert_reported(problems, code, key, "error", also=(("H5", key), *also), tolerate=frozenset({"H4"}))
    assert at(problems, "H5", key).severity == "error"
    h8 = [p for p in problems if p.code == "H8"]
    if how == "openpyxl":  # no cached results at all: one warning for the file
        assert len(h8) == 1 and h8[0].severity == "warning"
    else:
        assert h8 == []


@pytest.mark.parametrize("how", OVERWRITERS)
def test_b2_outcome_total_typed_by_hand(tmp_path: Path, how: str) -> None:
    # 19 is right; 20 also unbalances the column (B1) and the （七）总计 row (B3 at its 总计).
    path = overwritten(tmp_path, how, T3, "t3.r_total.natural", 20)
    also = (("B1", "t3.carried_out.natural"), ("B3", "t3.r_total.total"))
    assert_overwritten(problems_of(path), how, "B2", "t3.r_total.natural", also)


@pytest.mark.parametrize("how", OVERWRITERS)
def test_b3_row_total_typed_by_hand(tmp_path: Path, how: str) -> None:
    # 26 is right; the typed 27 also unbalances the 总计 column (B1).
    path = overwritten(tmp_path, how, T3, "t3.new.total", 27)
    assert_overwritten(problems_of(path), how, "B3", "t3.new.total", (("B1", "t3.carried_out.total"),))


def test_b4_more_concluded_than_received(tmp_path: Path) -> None:
    # 14 + 10 concluded of 18 new + 2 carried in: also unbalanced (B1 follows from it).
    path = make_return(tmp_path, {"t3.r_open.natural": 14})
    also = (("B1", "t3.carried_out.natural"), ("B1", "t3.carried_out.total"), ("B4", "t3.r_total.total"))
    assert_reported(table_problems_of(path), "B4", "t3.r_total.natural", "error", also=also)


def test_b5_carried_in_differs_from_last_years_carried_out(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, {"t3.carried_out.natural": 3})  # total 4, this year 3
    problems = problems_of(make_return(tmp_path), previous=[previous])
    assert_reported(problems, "B5", "t3.carried_in.total", "error")
    assert at(problems, "B5", "t3.carried_in.natural").severity == "warning"


def test_b5_reclassified_applicant_is_only_a_warning(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, {"t3.carried_out.natural": 1, "t3.carried_out.commercial": 2})
    problems = problems_of(make_return(tmp_path), previous=[previous])
    assert not errors_of(problems)
    assert {(p.code, p.cell, p.severity) for p in problems} == {
        ("B5", cell("t3.carried_in.natural"), "warning"),
        ("B5", cell("t3.carried_in.commercial"), "warning"),
    }


def test_b5_is_skipped_without_a_matching_previous_return(tmp_path: Path) -> None:
    other = make_return(tmp_path / "previous", unit="桐柏县教育局", year=2024, base=for_year(valid_values(FORM), 2024))
    assert problems_of(make_return(tmp_path), previous=[other]) == []


def test_b6_town_refusing_for_state_secrets(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t3.r_open.natural": 8, "t3.r_deny_1.natural": 1})
    problems = table_problems_of(path)
    assert_reported(problems, "B6", "t3.r_deny_1.total", "warning")
    assert [p.code for p in problems] == ["B6"]


def test_b6_is_not_raised_for_a_department(tmp_path: Path) -> None:
    assert table_problems_of(make_return(tmp_path, {"t3.r_open.natural": 8, "t3.r_deny_1.natural": 1})) == []


# ------------------------------------------------------------------ C: table 四
@pytest.mark.parametrize("how", OVERWRITERS)
def test_c1_review_total_typed_by_hand(tmp_path: Path, how: str) -> None:
    path = overwritten(tmp_path, how, T4, "t4.review.total", 3)  # 1 upheld + 1 pending
    assert_overwritten(problems_of(path), how, "C1", "t4.review.total")


def test_c2_suit_after_review_without_review(tmp_path: Path) -> None:
    changes = {"t4.review.upheld": 0, "t4.review.pending": 0, "t4.suit_after_review.upheld": 1}
    problems = problems_of(make_return(tmp_path, changes))
    assert_reported(problems, "C2", "t4.suit_after_review.total", "warning")
    assert [p.code for p in problems] == ["C2"]


def test_c3_review_and_suits_without_any_application(tmp_path: Path) -> None:
    no_applications = {f.key: 0 for f in FORM.numeric_inputs if f.key.startswith("t3.")}
    path = make_return(tmp_path, {**no_applications, "s1.on_request": None})
    problems = problems_of(path)
    assert_reported(problems, "C3", "t4.review.total", "warning")
    assert [p.code for p in problems] == ["C3"]


# ------------------------------------------------------------------ D: table 二
def test_d1_rules_reported_by_a_county_department(tmp_path: Path) -> None:
    p = assert_reported(
        problems_of(make_return(tmp_path, {"t2.rules.in_force": 6})), "D1", "t2.rules.in_force", "error"
    )
    assert "现行有效 6" in p.message


def test_d1_rules_reported_by_a_town(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t2.rules.issued": 1, "t2.rules.in_force": 1})
    assert_reported(table_problems_of(path), "D1", "t2.rules.in_force", "error")


def test_d2_in_force_does_not_follow_from_last_year(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, {"t2.normative.in_force": 5})  # 5 + 2 - 1 = 6, not 9
    problems = problems_of(make_return(tmp_path), previous=[previous])
    assert_reported(problems, "D2", "t2.normative.in_force", "warning")
    assert [p.code for p in problems] == ["D2"]


def test_d3_more_repealed_than_there_were(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, {"t2.normative.in_force": 3})  # at most 3 + 2 to repeal
    path = make_return(tmp_path, {"t2.normative.repealed": 6, "t2.normative.in_force": 4})
    problems = table_problems_of(path, previous=[previous])
    assert_reported(problems, "D3", "t2.normative.repealed", "error")


def test_d4_town_issuing_normative_documents(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t2.normative.issued": 2, "t2.normative.in_force": 10})
    problems = table_problems_of(path)
    assert_reported(problems, "D4", "t2.normative.issued", "warning")
    assert [p.code for p in problems] == ["D4"]


# ------------------------------------------------------------------ E, F: the narrative
def test_e1_text_states_another_number_of_applications(tmp_path: Path) -> None:
    # the text says 26 received; the table now says 27 (one more 自然人, also concluded: B1 holds)
    path = make_return(tmp_path, {"t3.new.natural": 19, "t3.r_open.natural": 10})
    p = assert_reported(problems_of(path), "E1", "s1.on_request", "error")
    assert "26" in p.message and "27" in p.message


def test_e3_text_denies_reviews_that_table_4_reports(tmp_path: Path) -> None:
    path = make_return(tmp_path, replaced("s1.oversight", "三是全年未发生", "三是全年未发生行政复议、行政诉讼，未发生"))
    assert_reported(problems_of(path), "E3", "s1.oversight", "error")


def test_e4_parts_do_not_add_up_to_the_stated_total(tmp_path: Path) -> None:
    path = make_return(
        tmp_path,
        replaced("s1.platform", "全年发布信息380余条。", "全年共发布信息380条，其中政策解读30条、工作动态300条。"),
    )
    problems = problems_of(path)
    p = assert_reported(problems, "E4", "s1.platform", "warning")
    assert "380" in p.message and "330" in p.message
    assert [q.code for q in problems] == ["E4"]


def test_f3_fee_not_reported(tmp_path: Path) -> None:
    # F3 only looks at the texts when the structured answer is blank, and that answer is required:
    # so a template return always gets A1 for 是否收取信息处理费 along with F3.
    path = make_return(tmp_path, {"s6.fee_charged": None})
    problems = problems_of(path)
    assert_reported(problems, "F3", "s6.fee_text", "warning", also=(("A1", "s6.fee_charged"),))


def test_f3_fee_mentioned_in_the_text(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"s6.fee_charged": None, "s6.other": "本年度未收取信息处理费。"})
    assert [p.code for p in problems_of(path)] == ["A1"]


def test_f4_year_copied_from_last_years_report(tmp_path: Path) -> None:
    path = make_return(tmp_path, replaced("s1.proactive", "2025年，我局", "2024年，我局"))
    p = assert_reported(problems_of(path), "F4", "s1.proactive", "error")
    assert "2024" in p.message


def test_f4_next_years_plans_are_fine(tmp_path: Path) -> None:
    # s5.problems of the sample plans "2026年至少组织专题培训2次"
    assert "2026年" in valid_values(FORM)["s5.problems"]
    assert problems_of(make_return(tmp_path)) == []


@pytest.mark.parametrize("placeholder", ["XX", "××", "（单位名称）", "主要总结本单位"])
def test_f7_placeholder_left_in(tmp_path: Path, placeholder: str) -> None:
    path = make_return(tmp_path, replaced("s1.management", "全年未发生失泄密事件", f"全年未发生{placeholder}事件"))
    p = assert_reported(problems_of(path), "F7", "s1.management", "error")
    assert placeholder in p.message


def test_f9_enumeration_skips_a_number(tmp_path: Path) -> None:
    path = make_return(tmp_path, replaced("s1.platform", "二是用好政务新媒体", "同时用好政务新媒体"))
    problems = problems_of(path)
    p = assert_reported(problems, "F9", "s1.platform", "warning")
    assert "二是" in p.message
    assert [q.code for q in problems] == ["F9"]


def test_f8_text_identical_to_last_year(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, same_text=True)
    problems = problems_of(make_return(tmp_path), previous=[previous])
    assert_reported(problems, "F8", "s1.proactive", "warning")
    assert {p.code for p in problems} == {"F8"}


# ------------------------------------------------------------------ H: the file itself
def _docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("桐柏县市场监督管理局2025年政府信息公开工作年度报告")
    d.save(str(path))
    return path


def _writes(data: bytes) -> Callable[[Path, str], Path]:
    def make(tmp_path: Path, name: str) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    return make


def _truncated(tmp_path: Path, name: str) -> Path:
    data = make_return(tmp_path, name="whole.xlsx").read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) * 2 // 3])
    return tmp_path / name


H1_FILES = [
    pytest.param("empty.xlsx", lambda t, n: (t / n).write_bytes(b"") or t / n, "H1-empty", id="empty"),
    pytest.param("old.xls", _writes(OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le")), "H1-xls", id="xls"),
    pytest.param("old-renamed.xlsx", _writes(OLE_MAGIC + bytes(600)), "H1-xls", id="xls-renamed"),
    pytest.param(
        "locked.xlsx",
        _writes(OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)),
        "H1-encrypted",
        id="encrypted",
    ),
    pytest.param("report.xlsx", lambda t, n: _docx(t / n), "H1-word", id="docx-renamed"),
    pytest.param("cut.xlsx", _truncated, "H1-corrupt", id="truncated-zip"),
    pytest.param("noise.xlsx", _writes(bytes(range(256)) * 8), "H1-unknown", id="random-bytes"),
    pytest.param("wps.et", _writes(OLE_MAGIC + bytes(600)), "H1-et", id="wps-et"),
]


@pytest.mark.parametrize(("name", "make", "rule"), H1_FILES)
def test_h1_file_cannot_be_opened(tmp_path: Path, name: str, make: Callable[[Path, str], Path], rule: str) -> None:
    path = make(tmp_path, name)
    result = verify([path], FORM)
    (f,) = result.files
    assert [(p.code, p.rule, p.severity, p.cell) for p in f.problems] == [("H1", rule, "error", None)]
    assert f.problems[0].fix  # says how to fix it
    assert not result.ok


def test_h2_workbook_made_from_scratch(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = T3
    wb.active.append(["一、本年新收政府信息公开申请数量", 18, 4, 0, 1, 2, 1, 26])
    wb.save(tmp_path / "own.xlsx")
    problems = problems_of(tmp_path / "own.xlsx")
    assert [(p.code, p.severity, p.cell) for p in problems] == [("H2", "error", None)]


def test_h3_last_years_template(tmp_path: Path) -> None:
    path = make_return(tmp_path, base=for_year(valid_values(FORM), 2024), year=2024)
    assert problems_of(path) == []  # a clean 2024 return ...
    assert_reported(problems_of(path, year=2025), "H3", None, "error")  # ... but not for 2025


EDITORS = [
    pytest.param("xml", id="saved-like-excel"),
    pytest.param("openpyxl", id="saved-by-openpyxl"),
]


def edited(tmp_path: Path, how: str, **edits: object) -> Path:
    base = make_return(tmp_path, name="base.xlsx")
    if how == "xml":
        return edit_xml(base, tmp_path / "edited.xlsx", **edits)  # type: ignore[arg-type]
    cells = edits.pop("cells", {})
    return edit_cells(base, cells, tmp_path / "edited.xlsx", **edits)  # type: ignore[arg-type]


@pytest.mark.parametrize("how", EDITORS)
def test_h4_sheet_renamed(tmp_path: Path, how: str) -> None:
    path = edited(tmp_path, how, rename={T2: "表二"})
    p = assert_reported(problems_of(path), "H4", None, "error")
    assert T2 in p.message


@pytest.mark.parametrize("how", EDITORS)
def test_h4_label_edited(tmp_path: Path, how: str) -> None:
    grid = FORM.grids_of("t3")[0]
    label = a1(FORM.fields["t3.r_deny_1.natural"].row, grid.col0 + grid.label_depth - 1)  # "1.属于国家秘密"
    path = edited(tmp_path, how, cells={(T3, label): "1.属于国家秘密事项"})
    p = assert_reported(problems_of(path), "H4", None, "error")
    assert label in p.message and "1.属于国家秘密" in p.message


@pytest.mark.parametrize("how", EDITORS)
def test_h4_protection_removed_only_is_a_warning(tmp_path: Path, how: str) -> None:
    problems = problems_of(edited(tmp_path, how, unprotect=[T3]))
    p = assert_reported(problems, "H4", None, "warning")
    assert T3 in p.message
    assert not errors_of(problems)


def test_h5_total_overwritten_with_the_right_number(tmp_path: Path) -> None:
    # typing the correct total over the formula breaks no arithmetic, but the formula is gone
    path = overwritten(tmp_path, "xml", T3, "t3.new.total", 26)
    assert_reported(problems_of(path), "H5", "t3.new.total", "error", tolerate=frozenset({"H4"}))


def test_h5_overwritten_formula_is_not_also_h4(tmp_path: Path) -> None:
    path = overwritten(tmp_path, "xml", T3, "t3.new.total", 26)
    assert_reported(problems_of(path), "H5", "t3.new.total", "error")


@pytest.mark.parametrize("name", ["macro.xlsm", "macro-renamed.xlsx"])
def test_h6_macros_are_refused(tmp_path: Path, name: str) -> None:
    path = with_macro(make_return(tmp_path), tmp_path / name)
    problems = problems_of(path)
    assert [(p.code, p.severity) for p in problems] == [("H6", "error")]


def test_h7_unit_name_changed(tmp_path: Path) -> None:
    path = make_return(tmp_path, {"info.unit_name": "桐柏县教育局"})
    p = assert_reported(problems_of(path), "H7", "info.unit_name", "error")
    assert "桐柏县教育局" in p.message and "桐柏县市场监督管理局" in p.message


def test_h7_unit_name_typed_with_spaces_is_fine(tmp_path: Path) -> None:
    assert problems_of(make_return(tmp_path, {"info.unit_name": "桐柏县 市场监督管理局 "})) == []


def test_h7_unit_not_on_the_roster(tmp_path: Path) -> None:
    roster = load_roster(ROSTER)
    assert problems_of(make_return(tmp_path), roster=roster) == []
    path = make_return(tmp_path, unit="桐柏县档案馆", name="archive.xlsx", changes={"info.unit_name": "桐柏县档案馆"})
    p = assert_reported(problems_of(path, roster=roster), "H7", "info.unit_name", "error")
    assert "桐柏县档案馆" in p.message


def test_h8_stale_cached_totals(tmp_path: Path) -> None:
    # one 自然人 application moved from 予以公开 to 部分公开 by a tool that does not recalculate:
    # the numbers still balance, only the cached 总计 of both rows are stale
    base = make_return(tmp_path, name="base.xlsx")
    path = edit_xml(
        base, tmp_path / "stale.xlsx", cells={(T3, cell("t3.r_open.natural")): 8, (T3, cell("t3.r_partial.natural")): 3}
    )
    problems = table_problems_of(path)
    p = assert_reported(problems, "H8", "t3.r_open.total", "warning")
    assert "13" in p.message and "12" in p.message
    assert [q.code for q in problems] == ["H8"]


def test_h8_saved_by_openpyxl_without_cached_values(tmp_path: Path) -> None:
    path = edit_cells(make_return(tmp_path), {}, tmp_path / "openpyxl.xlsx")
    problems = problems_of(path)
    assert [(p.code, p.severity) for p in problems] == [("H8", "warning")]


def test_h8_numbers_are_still_verified_from_the_inputs(tmp_path: Path) -> None:
    broken = make_return(tmp_path, {"t3.carried_out.natural": 2}, name="broken.xlsx")
    problems = table_problems_of(edit_cells(broken, {}, tmp_path / "openpyxl.xlsx"))
    assert errors_of(problems) == {("B1", cell("t3.carried_out.natural")), ("B1", cell("t3.carried_out.total"))}
    assert [p.code for p in problems if not p.is_error] == ["H8"]


# ------------------------------------------------------------------ explanations and --strict
def test_explained_warning_keeps_its_explanation_and_is_not_escalated(tmp_path: Path) -> None:
    path = make_town_return(
        tmp_path,
        {
            "t3.r_open.natural": 8,
            "t3.r_deny_1.natural": 1,
            "t2.normative.issued": 2,
            "t2.normative.in_force": 10,
            "notes.explanation": "B6：本年确有1件申请涉及国家秘密，已按保密规定不予公开。",
        },
    )
    lenient = table_problems_of(path)
    assert {(p.code, p.severity) for p in lenient} == {("B6", "warning"), ("D4", "warning")}
    assert at(lenient, "B6", "t3.r_deny_1.total").explanation == "本年确有1件申请涉及国家秘密，已按保密规定不予公开"
    assert at(lenient, "D4", "t2.normative.issued").explanation == ""

    strict = table_problems_of(path, strict=frozenset({ALL}))
    assert at(strict, "B6", "t3.r_deny_1.total").severity == "warning"  # explained
    assert at(strict, "D4", "t2.normative.issued").severity == "error"  # not explained
    assert errors_of(strict) == {("D4", cell("t2.normative.issued"))}


def test_strict_with_codes_escalates_only_those(tmp_path: Path) -> None:
    path = make_town_return(tmp_path, {"t2.normative.issued": 2, "t2.normative.in_force": 10})
    assert at(problems_of(path, strict=frozenset({"B6"})), "D4", "t2.normative.issued").severity == "warning"
    assert at(problems_of(path, strict=frozenset({"D4"})), "D4", "t2.normative.issued").severity == "error"


# ------------------------------------------------------------------ real office suites and batches
def test_filled_by_openpyxl_and_saved_by_libreoffice_verifies_alike(tmp_path: Path, soffice: str) -> None:
    changes = {
        "t3.carried_out.natural": 2,  # B1
        "t2.rules.in_force": 6,  # D1
        "t2.licensing.decisions": " 1286 ",  # A2 (warning)
        **replaced("s1.proactive", "2025年，我局", "2024年，我局"),  # F4
    }
    direct = make_return(tmp_path, changes, name="xlsxwriter.xlsx")
    values = {**valid_values(FORM), **changes}
    unit = UnitInfo("桐柏县市场监督管理局", "部门", 2025)
    blank = write_template(FORM, unit, tmp_path / "blank.xlsx", now=NOW).path
    typed = {(FORM.sheet(FORM.fields[k].sheet).name, cell(k)): v for k, v in values.items()}
    by_hand = edit_cells(blank, typed, tmp_path / "typed" / "filled.xlsx")
    saved = saved_by_libreoffice(by_hand, tmp_path / "libreoffice")

    want = {(p.code, p.cell, p.severity) for p in problems_of(direct)}
    assert {("B1", "D30", "error"), ("D1", "D5", "error"), ("A2", "B10", "warning"), ("F4", "B4", "error")} <= want
    assert {(p.code, p.cell, p.severity) for p in problems_of(saved)} == want


def test_batch_with_good_broken_and_unreadable_files(tmp_path: Path) -> None:
    good = make_return(tmp_path, name="good.xlsx")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    broken = make_return(tmp_path, {"t2.rules.in_force": 6}, name="broken.xlsx")
    word = _docx(tmp_path / "word.xlsx")
    town = make_town_return(tmp_path, name="town.xlsx")
    paths = [good, empty, broken, word, town]

    result = verify(paths, FORM, VerifyOptions(year=2025))

    assert [f.path for f in result.files] == paths
    by_name = {f.path.name: f for f in result.files}
    assert by_name["good.xlsx"].problems == [] and by_name["town.xlsx"].problems == []
    assert by_name["good.xlsx"].unit == "桐柏县市场监督管理局"
    assert by_name["town.xlsx"].unit == "桐柏县安棚镇人民政府"
    assert errors_of(by_name["broken.xlsx"].problems) == {("D1", "D5")}
    assert [p.rule for p in by_name["empty.xlsx"].problems] == ["H1-empty"]
    assert [p.rule for p in by_name["word.xlsx"].problems] == ["H1-word"]
    assert result.summary() == {"files": 5, "valid": 2, "invalid": 3, "errors": 3, "warnings": 0}
    assert not result.ok


def test_result_to_dict_is_plain_data(tmp_path: Path) -> None:

    result = verify([make_return(tmp_path, {"t2.licensing.decisions": "/"})], FORM)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    (problem,) = data["files"][0]["problems"]
    assert problem["code"] == "A2" and problem["cell"] == "B10" and problem["value"] == "/"
    assert data["summary"]["errors"] == 1


# ------------------------------------------------------------------ samples/flawed
def _flawed() -> list[object]:
    params = []
    for path in sorted(FLAWED.iterdir()) if FLAWED.is_dir() else []:
        marks: list[pytest.MarkDecorator] = []
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


def test_flawed_samples_exist() -> None:
    names = [p.name for p in FLAWED.iterdir()]
    assert len(names) >= 15
    assert {n.split("_")[0][0] for n in names} >= set("ABCDEFH")


@pytest.mark.parametrize("path", _flawed())
def test_flawed_sample_shows_its_flaw(path: Path) -> None:
    code = path.name.split("_")[0]
    problems = problems_of(path, year=2025, roster=load_roster(ROSTER))
    assert code in {p.code for p in problems}, [(p.code, p.cell) for p in problems]


def test_h4_merged_label_split(tmp_path: Path) -> None:
    wb = load_copy(make_return(tmp_path))
    rng = str(next(iter(wb[T3].merged_cells.ranges)))
    wb[T3].unmerge_cells(rng)
    wb.save(tmp_path / "split.xlsx")
    p = assert_reported(problems_of(tmp_path / "split.xlsx"), "H4", None, "error", tolerate=frozenset({"H8"}))
    assert "合并单元格被拆分" in p.message


def test_editing_the_hidden_digests_does_not_hide_an_edited_total(tmp_path: Path) -> None:
    """A total's formula changed and its recorded digest changed to match: the fingerprint, which
    also covers the field map, still says the locked content is not the template's."""
    from xltool.workbook.meta import LOCKED, META_SHEET, digest

    form = default_form()
    total = form.fields["t3.new.total"]
    wb = load_copy(make_return(tmp_path))
    edited_formula = "=SUM(D6:G6)"
    wb[T3][total.cell] = edited_formula
    meta = wb[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == f"{LOCKED}{T3}":
            lines = [
                f"{total.cell}\t{digest(edited_formula)}\t" if line.startswith(total.cell + "\t") else line
                for line in str(row[1].value).splitlines()
            ]
            row[1].value = "\n".join(lines) + "\n"
    wb.save(tmp_path / "tampered.xlsx")
    problems = problems_of(tmp_path / "tampered.xlsx")
    assert ("H4", None) in errors_of(problems)


def _edit_meta(path: Path, out: Path, edit: Any) -> Path:
    """A copy of ``path`` whose hidden _meta rows were changed by ``edit(rows)`` (openpyxl)."""
    from xltool.workbook.meta import META_SHEET

    wb = load_copy(path)
    edit(list(wb[META_SHEET].iter_rows()))
    wb.save(out)
    return out


def test_the_year_in_the_hidden_metadata_is_covered_by_the_fingerprint(tmp_path: Path) -> None:
    last_year = make_return(tmp_path, {"info.year": 2024}, year=2024, name="2024.xlsx")

    def move_to_2025(rows: list[Any]) -> None:
        next(r for r in rows if r[0].value == "year")[1].value = 2025

    problems = problems_of(_edit_meta(last_year, tmp_path / "moved.xlsx", move_to_2025), year=2025)
    assert ("H4", None) in errors_of(problems)


def test_a_looping_field_map_in_last_years_return_is_one_note_not_a_crash(tmp_path: Path) -> None:
    prev = make_previous(tmp_path)

    def loop(rows: list[Any]) -> None:
        from dataclasses import replace

        from xltool.workbook.meta import pack_fields, unpack_fields

        chunks = {str(r[0].value): r for r in rows if str(r[0].value).startswith("fields:")}
        fields = unpack_fields({k: r[1].value for k, r in chunks.items()}) or ()
        looped = [replace(f, parts=(*f.parts, f.key)) if f.key == "t3.new.total" else f for f in fields]
        packed = pack_fields(looped)
        assert len(packed) <= len(chunks)
        for key, r in chunks.items():
            r[1].value = packed.get(key, "")

    _edit_meta(prev, prev, loop)
    result = verify([make_return(tmp_path)], FORM, VerifyOptions(year=2025, previous=[prev.parent]))
    assert result.files[0].problems == []
    assert any("循环引用" in n for n in result.notes), result.notes

"""The sentences of issue 23 that real reports wrote, each in a return whose tables hold the numbers
it states (no error), then with one table number changed so that the sentence names a mismatch
(an error with the rule's code): the scope of 其中 lists, negation as part of the category, the
category named deciding error or warning, the synonyms reports use, 共受理 against 新收 + 上年结转,
placeholders only on real marks, and traditional script read as simplified."""

from __future__ import annotations

from typing import Any

import pytest

from tests.returns import default_form, valid_values
from xltool.checks.text import text_problems
from xltool.form.model import Form
from xltool.form.problems import Problem

REVIEW = "本年度被行政复议7件，其中结果维持6件、结果纠正0件、其他结果1件、尚未审结0件。"
REVIEW_CELLS = {"t4.review.upheld": 6, "t4.review.corrected": 0, "t4.review.other": 1, "t4.review.pending": 0}


@pytest.fixture(scope="module")
def form() -> Form:
    return default_form()


def problems(form: Form, texts: dict[str, str], cells: dict[str, Any], year: int = 2025) -> list[Problem]:
    """The narrative problems of the sample return (market_2025) with ``texts`` and ``cells`` put in;
    the other narrative fields blank, so that only the sentence under test speaks."""
    values = valid_values(form)
    numbers = {k: 0 for k, f in form.fields.items() if f.numeric}  # totals a reader computes: 0 unless given
    numbers.update({k: v for k, v in values.items() if form.fields[k].numeric})
    if "t4.review.upheld" in cells:
        outcomes = ("upheld", "corrected", "other", "pending")
        cells = {**cells, "t4.review.total": sum(cells[f"t4.review.{c}"] for c in outcomes)}
    numbers.update(cells)
    all_texts = {k: None for k, f in form.fields.items() if f.type == "longtext"}
    all_texts.update(texts)
    return text_problems(form, all_texts, numbers, year)


def errors(found: list[Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.rule) for p in found if p.is_error]


def codes(found: list[Problem]) -> set[str]:
    return {p.code for p in found}


# ------------------------------------------------------------------ 其中: each number is the word's before it
def test_review_outcomes_each_number_with_the_word_before_it(form: Form) -> None:
    assert errors(problems(form, {"s1.on_request": REVIEW}, REVIEW_CELLS)) == []  # was a false E3 (纠正 6)


def test_review_corrected_named_and_wrong_is_an_error(form: Form) -> None:
    cells = {**REVIEW_CELLS, "t4.review.corrected": 2, "t4.review.upheld": 4}
    assert errors(problems(form, {"s1.on_request": REVIEW}, cells)) == [("E3", "E3")]


# ------------------------------------------------------------------ negation is part of the category
APPLICATIONS = {"t3.new.total": 8, "t3.carried_in.total": 0, "t3.r_open.total": 2, "t3.r_total.total": 8}


def test_not_agreed_to_open_is_deny_not_open(form: Form) -> None:
    text = "本年度共收到政府信息公开申请8件，其中同意公开2件，不同意公开的6件。"
    cells = {**APPLICATIONS, "t3.r_deny_1.total": 6}
    found = problems(form, {"s1.on_request": text}, cells)
    assert errors(found) == []
    assert "E1" not in codes(found)  # no warning either: 6 is 不予公开, which the table holds


def test_not_disclosed_is_deny(form: Form) -> None:
    text = "本年度收到政府信息公开申请8件，同意公开2件，未予公开6件。"
    assert errors(problems(form, {"s1.on_request": text}, {**APPLICATIONS, "t3.r_deny_1.total": 6})) == []
    assert errors(problems(form, {"s1.on_request": text}, {**APPLICATIONS, "t3.r_deny_1.total": 5})) == [("E1", "E1")]


def test_no_penalty_decision_denies_each_named_kind(form: Form) -> None:
    text = "本年度未作出行政处罚等决定。"
    assert errors(problems(form, {"s1.proactive": text}, {"t2.penalty.decisions": 0})) == []
    assert errors(problems(form, {"s1.proactive": text}, {"t2.penalty.decisions": 2})) == [("E2", "E2")]


# ------------------------------------------------------------------ the category named decides error or warning
def test_normative_documents_named_and_wrong_is_an_error(form: Form) -> None:
    text = "全年发布行政规范性文件7件。"
    assert errors(problems(form, {"s1.proactive": text}, {"t2.normative.issued": 7})) == []
    assert errors(problems(form, {"s1.proactive": text}, {"t2.normative.issued": 0})) == [("E2", "E2")]


def test_notices_are_not_normative_documents(form: Form) -> None:
    text = "全年发布通知公告类信息50篇。"
    assert "E2" not in codes(problems(form, {"s1.proactive": text}, {"t2.normative.issued": 0}))


# ------------------------------------------------------------------ synonyms from the vocabulary
def test_granted_is_open(form: Form) -> None:
    text = "本年度共收到政府信息公开申请98件，其中97件准予公开，1件不予公开。"
    cells = {"t3.new.total": 98, "t3.carried_in.total": 0, "t3.r_total.total": 98, "t3.r_deny_1.total": 1}
    assert errors(problems(form, {"s1.on_request": text}, {**cells, "t3.r_open.total": 97})) == []
    assert errors(problems(form, {"s1.on_request": text}, {**cells, "t3.r_open.total": 98})) == [("E1", "E1")]


# ------------------------------------------------------------------ 共受理: 新收, or 新收 + 上年结转
@pytest.mark.parametrize(("new", "carried"), [(2, 0), (1, 1), (2, 3)])
def test_accepted_in_all_matches_new_or_new_and_carried(form: Form, new: int, carried: int) -> None:
    text = "本年度共受理政府信息公开申请2件。"
    cells = {"t3.new.total": new, "t3.carried_in.total": carried}
    assert errors(problems(form, {"s1.on_request": text}, cells)) == []


def test_accepted_in_all_matching_neither_is_an_error(form: Form) -> None:
    text = "本年度共受理政府信息公开申请2件。"
    cells = {"t3.new.total": 3, "t3.carried_in.total": 0}
    assert errors(problems(form, {"s1.on_request": text}, cells)) == [("E1", "E1")]


# ------------------------------------------------------------------ F7 only on real placeholder marks
def test_no_applications_received_is_no_placeholder(form: Form) -> None:
    text = "2025年，未收到公民、法人或其他组织政府信息公开申请件。"
    cells = {"t3.new.total": 0, "t3.carried_in.total": 0, "t3.r_total.total": 0}
    assert "F7" not in codes(problems(form, {"s1.on_request": text}, cells))


@pytest.mark.parametrize("mark", ["XX", "某某", "＿＿", "【】"])
def test_placeholder_marks_are_f7(form: Form, mark: str) -> None:
    text = f"{mark}镇通过政府网站主动公开信息56条。" if mark in ("XX", "某某") else f"本年度主动公开信息{mark}条。"
    found = problems(form, {"s1.proactive": text}, {})
    assert ("F7", "F7") in errors(found)


# ------------------------------------------------------------------ traditional script
def test_traditional_script_is_read_as_simplified(form: Form) -> None:
    text = "本年度新收政府信息公開申請3件，上年結轉1件。"
    cells = {"t3.new.total": 3, "t3.carried_in.total": 1}
    assert errors(problems(form, {"s1.on_request": text}, cells)) == []
    assert errors(problems(form, {"s1.on_request": text}, {**cells, "t3.carried_in.total": 2})) == [("E1", "E1")]

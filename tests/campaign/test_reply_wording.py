"""The words of a reply: what needs the unit comes first, the request follows the verdict (通过 asks
nothing, 有警告 asks to check and explain, 待修改 to correct and resend) and the deadline (once past:
"请尽快", never a date already gone)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from xltool.campaign.records import Submission, Verdict
from xltool.campaign.register import Register
from xltool.campaign.reply import draft_replies, in_reply_order, reply_body
from xltool.form.model import Form
from xltool.form.problems import Problem

from .conftest import MARKET, Sample, receive

SUB = Submission(1, 1, "桐柏县市场监管局", 1, "0" * 64, "2026-01-05T01:00:00+00:00", "inbox/a.xlsx", 1)
RECALC = Problem(code="H8", severity="warning", message="文件中保存的计算结果为 3，按填写的数字重新计算应为 4。",
                 fix="已按重新计算的结果校验，无需处理。", rule="H8")  # fmt: skip
ERROR = Problem(code="E1", severity="error", message="合计不等于各项之和。", fix="请核对。", sheet="表", cell="B2")
WARNING = Problem(code="D1", severity="warning", message="数字偏大。", fix="请核实。", sheet="表", cell="B3")


def verdict(kind: str, problems: list[Problem]) -> Verdict:
    errors = sum(p.is_error for p in problems)
    dicts = tuple(p.to_dict() for p in problems)
    return Verdict(1, kind, errors, len(problems) - errors, dicts, "2026-01-05T01:00:00+00:00", "f", "1")


def text(form: Form, kind: str, problems: list[Problem], **kwargs: object) -> str:
    return reply_body(form, "桐柏县市场监管局", SUB, verdict(kind, problems), problems, file_name="a.xlsx",
                      annotated_name=None, signature="县政务公开办", **kwargs)  # type: ignore[arg-type]  # fmt: skip


def test_the_h8_note_comes_after_the_problems_the_unit_must_look_at(form: Form) -> None:
    assert form.rule("H8").no_action and not form.rule("H7-unit").no_action  # from the catalogue, not the code
    assert in_reply_order(form, [RECALC, WARNING, ERROR]) == [ERROR, WARNING, RECALC]
    body = text(form, "fix", [RECALC, ERROR])
    assert body.index("1. 【E1】") < body.index("2. 【H8】")


def test_pass_asks_for_nothing(form: Form) -> None:
    body = text(form, "pass", [], deadline="2026年1月31日")
    assert "无需修改" in body and "重新报送" not in body and "2026年1月31日" not in body


def test_warnings_ask_to_check_and_explain_not_to_resend_a_corrected_file(form: Form) -> None:
    body = text(form, "warn", [WARNING, RECALC], deadline="2026年1月31日")
    assert "有 1 个警告，请核实并说明" in body  # the H8 note is not a warning to answer
    assert "请修改后重新报送" not in body and "请于 2026年1月31日 前核实并说明" in body
    only_recalc = text(form, "warn", [RECALC], deadline="2026年1月31日")
    assert "无需再报送" in only_recalc and "请于" not in only_recalc


def test_errors_ask_to_correct_and_resend_by_the_deadline_or_as_soon_as_possible(form: Form) -> None:
    body = text(form, "fix", [ERROR], deadline="2026年1月31日")
    assert "请修改后重新报送" in body and "请于 2026年1月31日 前以附件形式回复本邮件重新报送" in body
    late = text(form, "fix", [ERROR], deadline="2026年1月31日", late=True)
    assert "请尽快以附件形式回复本邮件重新报送" in late and "2026年1月31日" not in late


def test_a_deadline_past_today_is_late(
    register: Register, campaign: Path, form: Form, samples: dict[str, Sample]
) -> None:
    receive(register, samples["bad"], MARKET, date="2026-01-05T09:00:00+08:00", message_id="<b@a>", form=form)
    ask = dict(from_addr="gk@tongbai.example.org", county_name="桐柏县", deadline=date(2026, 1, 31))
    [early] = draft_replies(register, campaign, form, today=date(2026, 1, 20), **ask)  # type: ignore[arg-type]
    [late] = draft_replies(register, campaign, form, today=date(2026, 2, 3), **ask)  # type: ignore[arg-type]
    bodies = [d.message.get_body(("plain",)).get_content() for d in (early, late)]  # type: ignore[union-attr]
    assert "请于 2026年1月31日 前" in bodies[0] and "请尽快" in bodies[1] and "2026年1月31日" not in bodies[1]

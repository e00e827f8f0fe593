"""The texts a county mails its units about a form: the notice sent out with the templates (下发通知)
and the reminders (催报) for a unit that has not sent, must fix its return, or must clear up a
version held for review.

A form gives them in its ``[notice]`` table; a campaign may override any of them in its
``xltool.toml`` (the same keys under ``[notice]``); a text given by neither is the neutral wording
below. Every ``{name}`` in a text must be one the mailing fills: an unknown one would show as a gap
in every unit's mail, so it fails where the text is loaded, naming the place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xltool.errors import FormDefinitionError

# What every text may name: the unit, the county, the year, the deadline ("2026年1月31日", or
# "规定期限" without one), when to send (“请{due}报送”: "于2026年1月31日前", "尽快" once it has
# passed, "按时" without a deadline), the form's name, the office that signs, the template's file
# name and today's date.
COMMON: tuple[str, ...] = ("unit", "county", "year", "deadline", "due", "form", "office", "template", "date")
COMMON += ("period", "quarter", "month")  # the campaign's period (xltool.form.period); a yearly form has no {quarter}
# And what a reminder about a version names: its number, its open problems (how many, their
# codes) and the reply that listed them ("2026年1月18日的回复邮件").
ABOUT_A_VERSION = ("version", "count", "codes", "replied")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "subject": COMMON,
    "body": COMMON,
    "remind_subject": COMMON,
    "remind_missing": COMMON,
    "remind_fix": COMMON + ABOUT_A_VERSION,
    "remind_review": COMMON + ABOUT_A_VERSION,
}
_SIGNED = "\n\n{office}\n{date}\n"
BUILTIN: dict[str, str] = {
    "subject": "关于报送{year}年度{form}的通知",
    "body": "{unit}：\n\n现将{year}年度《{form}》的填报模板（附件“{template}”）发给你单位，请按模板中的填表说明"
    "如实填写，{due}以附件形式回复本邮件报送。\n\n请直接在附件模板上填写，不要改动表格结构或另存为其他格式；"
    "模板只适用于你单位，请勿转给其他单位使用。\n\n如有疑问，请直接回复本邮件。" + _SIGNED,
    "remind_subject": "催报：{year}年度{form}（{unit}）",
    "remind_missing": "{unit}：\n\n截至{date}，尚未收到你单位的{year}年度《{form}》。报送截止日期为{deadline}，"
    "请{due}填写后以附件形式回复本邮件报送。填报模板（附件“{template}”）再次附上。\n\n"
    "如已报送，请核实邮件是否发送成功；如有困难，请直接回复本邮件说明。" + _SIGNED,
    "remind_fix": "{unit}：\n\n你单位报送的{year}年度《{form}》（第 {version} 版）经校验尚有 {count} 个问题需要修改"
    "（{codes}），问题清单和标注了问题的报表已随{replied}发给你单位。请{due}在原文件上修改后重新报送。\n\n"
    "如对校验结果有疑问，请直接回复本邮件。" + _SIGNED,
    "remind_review": "{unit}：\n\n你单位报送的{year}年度《{form}》（第 {version} 版）需要核实后才能采用。"
    "请{due}回复本邮件说明情况；如报送有误，请用本单位的填报模板（附件“{template}”）重新填写报送。" + _SIGNED,
}
KEYS = tuple(BUILTIN)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Notice:
    """The texts of one form (or of one campaign, its overrides laid over the form's)."""

    texts: Mapping[str, str]

    def text(self, key: str) -> str:
        return self.texts.get(key) or BUILTIN[key]

    def over(self, overrides: Mapping[str, Any], where: str) -> Notice:
        """These texts with ``overrides`` (a campaign's [notice]) laid over them, checked the same way."""
        return Notice({**self.texts, **checked_texts(overrides, where)})

    def fill(self, key: str, values: Mapping[str, Any]) -> str:
        """The text ``key`` with every placeholder filled (each is known: checked at load)."""
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), self.text(key))


def load_notice(spec: Any, where: str = "表单定义错误：[notice]", *, yearly: bool = True) -> Notice:
    """The form's ``[notice]`` table (absent: the built-in wording throughout; for a form collected by
    quarter or month, its wording names the period, “2025年第一季度《…》”, not “2025年度”)."""
    texts = checked_texts(spec or {}, where)
    if not yearly:
        texts = {**{k: t.replace("{year}年度", "{period}") for k, t in BUILTIN.items()}, **texts}
    return Notice(texts)


def checked_texts(spec: Any, where: str) -> dict[str, str]:
    """``spec``'s texts; FormDefinitionError naming ``where`` and the key for an unknown key, a text
    that is no text, or a placeholder nothing fills."""
    if not isinstance(spec, Mapping):
        raise FormDefinitionError(f"{where} 应为一个表（subject、body 等文字）")
    out = {}
    for key, text in spec.items():
        if key not in PLACEHOLDERS:
            raise FormDefinitionError(f"{where} 中的“{key}”未知，可用的有：{'、'.join(KEYS)}")
        if not isinstance(text, str) or not text.strip():
            raise FormDefinitionError(f"{where} {key} 应为非空的文字")
        for name in _PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS[key]:
                raise FormDefinitionError(
                    f"{where} {key} 中的“{{{name}}}”不会被填写，可用的有：{'、'.join(PLACEHOLDERS[key])}"
                )
        out[key] = text.strip("\n") + "\n" if key not in ("subject", "remind_subject") else " ".join(text.split())
    return out

"""Narrative checks built on the extraction layer (checks/narrative.py) and the form's vocabulary.

- stated_numbers (E1, E2, E3, the fee in the text): every number a sentence states about a concept
  of the rule is compared with the cells the concept means; a clear statement that disagrees is the
  rule's error, an unclear one (a vague word, "分别", one number for two concepts) its warning.
- fee_answers: the structured fee answers agree with each other ("是" with 0 元 is a contradiction).
- topics (F2): each topic of a section is written about, by content, not only filled in.
- document_number (F6): the basis document's number in any bracket or prefix variant, or an outdated one.
- self_reference (F8): a body naming itself as another kind of body ("我处" in a town's report), or
  another unit of the roster named in the text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from xltool.checks.narrative import Extractor, Statement, with_inclusions
from xltool.checks.textbase import NO_CONTEXT, Numbers, TextContext, Texts, around, clip, filled, short, total, value
from xltool.form.model import Form, Rule
from xltool.form.problems import Problem, make_problem
from xltool.form.script import simplified
from xltool.form.vocabulary import Vocabulary

_CACHE_SIZE = 256  # texts whose statements are kept (the E1, E2, E3 rules read the same fields)


def statements_of(form: Form, text: str, where: str = "") -> list[Statement]:
    """The statements of a text (of the field ``where``), extracted once per form, field and text."""
    memo = form.memo
    extractor = memo.get("narrative_extractor")
    if extractor is None:
        extractor = memo["narrative_extractor"] = Extractor(form.vocabulary)
    cache: dict[tuple[str, str], list[Statement]] = memo.setdefault("narrative_statements", {})
    if where not in extractor.topic_fields:
        where = ""  # the field changes nothing: the same text elsewhere is extracted once
    if (where, text) not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[where, text] = with_inclusions(extractor.statements(text, where), form.vocabulary)
    return cache[where, text]


def stated_numbers(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    params, vocab = rule.params, form.vocabulary
    wanted = set(params["concepts"])
    unclear = params.get("unclear", rule.id)
    out = []
    for key, text in filled(texts, params["texts"]):
        reported: set[tuple[tuple[str, ...], float, int]] = set()
        for st in statements_of(form, text, key):
            if not set(st.concepts) <= wanted:
                continue
            verdict = _judge(vocab, st, numbers)
            if verdict is None:
                continue
            clear, expected, cells = verdict
            if (st.concepts, st.value, st.sentence[0]) in reported:
                continue
            reported.add((st.concepts, st.value, st.sentence[0]))
            sentence = clip(text, *st.sentence, st.at)
            concept = "、".join(vocab.concepts[k].label for k in st.concepts)
            p = make_problem(
                form, rule.id if clear else unclear, key, sentence, sentence=sentence, concept=concept,
                found=_plain(st.value), expected=_plain(expected), cells=_cells_text(form, cells),
            )  # fmt: skip
            out.append(replace(p, refs=tuple(form.fields[k].cell for k in cells)))
    return out


def _judge(vocab: Vocabulary, st: Statement, numbers: Numbers) -> tuple[bool, float, tuple[str, ...]] | None:
    """None when the statement agrees with the table (under a reading it allows) or cannot be
    compared (blank cells); else (clear, the table's value, its cells)."""
    if st.subset:
        return None
    concepts = [vocab.concepts[k] for k in st.concepts]
    lenient: list[tuple[str, ...]] = []
    if st.qualifier:
        if len(concepts) != 1 or st.qualifier not in concepts[0].parts:
            return None
        readings = [concepts[0].parts[st.qualifier]]
    elif len(concepts) == 1:
        c = concepts[0]
        included = [c.includes[k] for k in st.includes if k in c.includes]
        readings = included[:1] or [c.means]
        lenient = [] if included else list(c.lenient)
    else:
        readings = [tuple(k for c in concepts for k in c.means)]
        lenient = [c.means for c in concepts]
    values = [total(numbers, cells) for cells in readings + lenient]
    if values[0] is None or any(v is not None and v == st.value for v in values):
        return None
    clear = len(concepts) == 1 and not st.vague and not st.each
    return clear, values[0], readings[0]


def _cells_text(form: Form, cells: tuple[str, ...]) -> str:
    first = form.fields[cells[0]]
    sheet = form.sheet(first.sheet).name
    if len(cells) == 1:
        return f"“{sheet}”{first.cell}（{first.label}）"
    return f"“{sheet}”{first.cell} 等 {len(cells)} 个单元格之和"


def _plain(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


# ------------------------------------------------------------------ fee answers
def fee_answers(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    """是否收取 and the amount agree: "是" needs an amount above 0, any other answer an amount of 0."""
    params = rule.params
    answer = (texts.get(params["charged"]) or "").strip()
    amount = value(numbers, params["money"])
    if not answer or amount is None:
        return []
    charged = answer == params["yes"]
    if charged == (amount > 0):
        return []
    found = f"“{form.fields[params['charged']].label}”选“{answer}”"
    return [make_problem(form, rule.id, params["money"], amount, found=found, expected=_plain(amount))]


# ------------------------------------------------------------------ F2: topics by content
def topics(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    """Each topic field says something about its topic; a blank one is A1's business (required) or
    written from the tables (a data-driven paragraph), else it is missing."""
    generated = {n.field for n in form.report.narratives}
    wanted = set(rule.params["fields"])
    out = []
    for key, label, words in form.vocabulary.topics or tuple((k, form.fields[k].label, ()) for k in wanted):
        if key not in wanted:
            continue
        text = simplified((texts.get(key) or "").strip())  # a report in traditional script ("公開")
        if not text:
            if key not in generated and not form.fields[key].required:
                out.append(make_problem(form, rule.id, key, detail=label))
            continue
        if words and not any(w in text for w in words):
            out.append(make_problem(form, rule.id, key, short(text, 60), detail=label))
    return out


# ------------------------------------------------------------------ F6: the basis document's number
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{2,12})\s*[〔\[［【（(〈]\s*(\d{4})\s*[〕\]］】）)〉]\s*(第?)\s*(\d+)\s*号")


def _doc(text: str) -> tuple[str, str, str] | None:
    m = _DOC_NUMBER.search(text)
    return (m.group(1), m.group(2), m.group(4)) if m else None


def document_number(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    """The basis document cited in a wrong form ("（2021）30号", "〔2021〕第30号", "国办政务公开办函")
    or an outdated one (〔2019〕60号 in any spelling)."""
    params, correct = rule.params, rule.params["correct"]
    right = _doc(correct)
    outdated = [(w, d) for w in params["outdated"] if (d := _doc(w))]
    out = []
    for key, text in filled(texts, params["texts"]):
        found: dict[str, str] = {}
        for m in _DOC_NUMBER.finditer(text):
            number = (m.group(2), m.group(4))
            for _, doc in outdated:
                if number == doc[1:] and _same_issuer(m.group(1), doc[0]):
                    found.setdefault(_cited(m, doc[0]), params.get("outdated_note", "这是已被替代的文件"))
            if (
                right
                and number == right[1:]
                and _same_issuer(m.group(1), right[0])
                and not m.group(0).endswith(correct)
            ):
                found.setdefault(_cited(m, right[0]), f"文号写法有误，应为“{correct}”")
        for word in (*params["outdated"], *params["misspelled"]):
            if word in text and not any(word in c for c in found):
                note = (
                    params.get("outdated_note", "") if word in params["outdated"] else f"文号写法有误，应为“{correct}”"
                )
                found.setdefault(word, note)
        out += [
            make_problem(form, rule.id, key, cited, found=cited, detail=detail, correct=correct)
            for cited, detail in found.items()
        ]
    return out


def _same_issuer(found: str, expected: str) -> bool:
    """The issuer part names the same office, allowing one character wrong or left out, and
    words before it ("…的通知》（国办公开办函"): compared over its last characters."""
    tail = found[-(len(expected) + 2) :]
    return len(set(expected) - set(tail)) <= 1


def _cited(m: re.Match[str], issuer: str) -> str:
    """The citation as written, from about where its issuer's name starts."""
    cut = max(0, len(m.group(1)) - len(issuer) - 2)
    return m.group(0)[cut:]


# ------------------------------------------------------------------ F8: self-references
def self_reference(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    """ "我处" in a town's report: the body calls itself by a kind its name does not have; or the
    name of another unit of the roster in the text (both: probably copied from another report)."""
    unit = ctx.unit
    out = []
    for key, text in filled(texts, rule.params["texts"]):
        if unit:
            for word in form.vocabulary.self_words:
                at = text.find(word)
                if at >= 0 and word[-1] not in unit:
                    detail = f"文字中出现“{word}”，不是本单位的自称，可能是从其他单位的报告复制的。"
                    out.append(make_problem(form, rule.id, key, _quote(text, at), detail=detail))
        for other in ctx.peers:
            at = text.find(other) if other else -1
            if at >= 0 and other not in unit and unit not in other:
                detail = f"文字中出现其他单位的名称“{other}”，可能是从其他单位的报告复制的。"
                out.append(make_problem(form, rule.id, key, _quote(text, at), detail=detail))
    return out


def _quote(text: str, at: int) -> str:
    return around(text, at)


NARRATIVE_CHECKS = {
    "stated_numbers": stated_numbers,
    "fee_answers": fee_answers,
    "topics": topics,
    "document_number": document_number,
    "self_reference": self_reference,
}

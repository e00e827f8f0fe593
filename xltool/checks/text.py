"""Checks of the narrative against itself (parts_sum, fee_stated, years, placeholders, enumeration)
and against last year's report (copied); the checks against the tables (stated_numbers,
fee_answers), topics, document_number and self_reference are in narrative_checks.py, on the
extraction layer of narrative.py.

Which fields each check reads, and every word list, come from the rule's ``params`` in the form
definition. What lives here is Chinese grammar only: the regular expressions, each beside its
check, describe how a report states a count ("收到…申请3件"), a denial ("未发生…复议、诉讼"), a
total and its parts ("共N件，其中A件、B件"), a year ("2024年") and an enumeration ("一是…二是…").
They are written to miss rather than to misfire: a sentence whose structure is not clear is left
alone.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable

from xltool.checks.narrative import cn_int
from xltool.checks.narrative_checks import NARRATIVE_CHECKS
from xltool.checks.textbase import (
    NO_CONTEXT,
    WIDE,
    Numbers,
    TextContext,
    Texts,
    around,
    bounds,
    filled,
    int_value,
    narrow,
    sentences,
    short,
    value,
)
from xltool.form.model import Form, Rule
from xltool.form.problems import Problem, make_problem

__all__ = ["TEXT_CHECKS", "TextContext", "copy_problems", "text_problems"]

_WIDE = WIDE
NUM = r"(\d+|[零〇一二两三四五六七八九十百千]+)"
MEASURE = "件条篇个次份起项"


TextCheck = Callable[..., list[Problem]]


def text_problems(
    form: Form, texts: Texts, numbers: Numbers, year: int, context: TextContext = NO_CONTEXT
) -> list[Problem]:
    """The narrative checks the form declares (E1–E4, F2–F4, F6–F9 in the annual report) over one
    return's texts; blank texts are skipped. ``context`` names the unit (F8's self-references)."""
    return [
        p
        for rule in form.rules
        if rule.check in TEXT_CHECKS
        for p in TEXT_CHECKS[rule.check](form, rule, texts, numbers, year, context)
    ]


def copy_problems(
    form: Form, texts: Texts, numbers: Numbers, prev_texts: Texts, prev_numbers: Numbers
) -> list[Problem]:
    """F8: text or numbers copied from last year's report (another body's words in the text are
    the self_reference check's, which needs no last year)."""
    out = []
    for rule in form.rules_of("copied"):
        out += _copied(form, rule, texts, numbers, prev_texts, prev_numbers)
    return out


def _copied(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, prev_texts: Texts, prev_numbers: Numbers
) -> list[Problem]:
    params, rid = rule.params, rule.id
    out = []
    for key, text in _filled(texts, params["texts"]):
        before = narrow(prev_texts.get(key) or "")
        ratio = _similarity(text, before)
        if ratio >= params["similarity"]:
            detail = f"“{form.fields[key].label}”与上年报告基本相同（相似度 {ratio:.0%}）。"
            out.append(make_problem(form, rid, key, _short(text), detail=detail))
    return out + _same_numbers(form, rid, numbers, prev_numbers)


def _same_numbers(form: Form, rid: str, numbers: Numbers, prev_numbers: Numbers) -> list[Problem]:
    """Every table number equal to last year's, and not all of them zero."""
    keys = [k for k in numbers if (f := form.fields.get(k)) is not None and f.grid]
    pairs = [(_value(numbers, k), _value(prev_numbers, k)) for k in keys]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not pairs or any(a != b for a, b in pairs) or not any(a for a, _ in pairs):
        return []
    detail = f"表格中的 {len(pairs)} 个数字与上年报告完全相同。"
    return [make_problem(form, rid, None, None, detail=detail)]


def _similarity(a: str, b: str) -> float:
    """Ratio of the two texts without digits and blanks; short answers such as "无" never count.
    difflib's exact ratio is quadratic, so it is used up to DIFFLIB_UP_TO characters; longer texts
    are compared by their shared three-character pieces (linear, the same scale: 1.0 = identical)."""
    a, b = (re.sub(r"[\d\s]", "", x) for x in (a, b))
    if min(len(a), len(b)) < 20:
        return 0.0
    if max(len(a), len(b)) <= DIFFLIB_UP_TO:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    grams_a, grams_b = (Counter(x[i : i + 3] for i in range(len(x) - 2)) for x in (a, b))
    shared = sum((grams_a & grams_b).values())
    return 2 * shared / (sum(grams_a.values()) + sum(grams_b.values()))


DIFFLIB_UP_TO = 1000


# ------------------------------------------------------------------ parts_sum: a total and its parts
# parts_sum: "共N件" (or 合计/总计), then 其中/包括/分别 with no other count in between.
_TOTAL = re.compile(rf"(?:(?<![公中])共|合计|总计)[^，,。；;\d]{{0,20}}?{NUM}\s*([{MEASURE}])")
# Parts that are not exact counts make the sum unclear: "100余条", "1.8万条", "预决算各1条".
_UNCLEAR_PARTS = re.compile(rf"{NUM}\s*万?\s*[余多]|\d\.\d|各\s*{NUM}")
_PARTS_START = re.compile(r"其中|包括|分别")
_PARTS_STOP = re.compile(r"其中|包括|分别|共|合计|总计|另|此外")
_PAREN = re.compile(r"（[^）]*）|\([^)]*\)")
_PARTS_WINDOW = 300


def parts_sum(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    out = []
    for key, text in _filled(texts, rule.params["texts"]):
        for sentence in _sentences(text):
            for m in _TOTAL.finditer(sentence):
                parts = _parts(sentence[m.end() :], m.group(2))
                total = _cn_int(m.group(1))
                sums = [sum(parts[: i + 1]) for i in range(len(parts))]
                # a sum reached on the way counts: the sentence may go on with other counts
                if len(parts) >= 2 and total not in sums:
                    value = _short(sentence)
                    out.append(make_problem(form, rule.id, key, value, found=total, expected=sums[-1], detail=value))
    return out


def _parts(rest: str, measure: str) -> list[int]:
    """Counts in ``measure`` after 其中/包括/分别, when nothing else is counted before the keyword.

    A count in another measure word among the parts ("图解5篇、视频3个、文字7篇") makes the
    enumeration unclear; one after the last part ("…267件，平均用时5个工作日") ends it.
    """
    rest = rest[:_PARTS_WINDOW]  # an enumeration of parts is a clause, not a page: keeps the check linear
    split = _PARTS_START.search(rest)
    if not split or re.search(rf"{NUM}\s*[{MEASURE}]", rest[: split.start()]):
        return []
    tail = _PAREN.sub("", rest[split.end() :])
    stop = _PARTS_STOP.search(tail)
    tail = tail[: stop.start()] if stop else tail
    if _UNCLEAR_PARTS.search(tail):
        return []
    counts = [(_cn_int(m.group(1)), m.group(2)) for m in re.finditer(rf"{NUM}\s*([{MEASURE}])", tail)]
    last = max((i for i, (_, word) in enumerate(counts) if word == measure), default=-1)
    if any(word != measure for _, word in counts[:last]):
        return []
    return [n for n, word in counts if word == measure]


# ------------------------------------------------------------------ the text itself
def fee_stated(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    params = rule.params
    if (texts.get(params["charged"]) or "").strip():
        return []  # the report writes the fee sentence from the structured answer
    filled = list(_filled(texts, params["texts"]))
    if not filled or any(w in text for _, text in filled for w in params["keywords"]):
        return []
    return [make_problem(form, rule.id, params["texts"][0])]


# years: a year that frames a sentence or clause: "2024年，本机关…", "2024年以来…", "2024年全年…".
# A year inside a noun phrase is left alone: "2019年修订的《条例》", "针对2024年度报告",
# "2024年12月受理", "2024年结转的申请"; so is a range ("2021—2025年", "2021年至2025年").
_YEAR = re.compile(r"(?:^|(?<=[。！？!?；;\n，,：:]))\s*((?:19|20)\d\d)\s*年")
# What follows such a year in any Chinese text; the form's own nouns ("年度报告", "年结转") are the
# years check's ``year_nouns`` parameter.
_YEAR_PHRASE = (
    r"[^，,。；;、\d]{1,4}?的|修订|出台|印发|发布|颁布|制定|施行|同期|[-—–~～至到]"
    r"|(?!1\s*月?\s*[-—–~～至到]\s*12\s*月)\d{1,2}\s*月"
)


def _nouns(nouns: tuple[str, ...]) -> str:
    """ "度?(?:工作)?(?:报告|年报)" for the form's nouns, "" for none."""
    if not nouns:
        return ""
    return r"度?(?:工作)?(?:" + "|".join(re.escape(w) for w in sorted(nouns, key=len, reverse=True)) + ")"


@functools.cache
def _year_noun(nouns: tuple[str, ...]) -> re.Pattern[str]:
    own = _nouns(nouns)
    return re.compile(f"{own}|{_YEAR_PHRASE}" if own else _YEAR_PHRASE)


# A cited document and its note keep their own years: 《…条例》（2019年修订）, 《2023年…要点》.
_CITATION = re.compile(r"《[^》]*》(?:[（(][^）)]*[）)])?")
_COMPARE = ("同比", "相比", "环比")
_PLAN_PREV = ("整改", "上一年度", "上年")
# years, in 五/六: "2021年将从以下方面进行改进" in the 2021 report is last year's plan copied.
# The verb may follow a short self-reference: "2025年，我镇将…", "2025年本单位计划…".
_PLAN_VERB = re.compile(
    r"度?[，,]?\s*(?:[我本][\u4e00-\u9fff]{0,2}?)?"
    r"(?:将(?![^，,。；;]*?(?:纳入|列入|作为|融入))|计划(?!生育)|拟(?!定)|要(?!求))"
)


# In a plan sentence ("下一步…", "今后…", the vocabulary's plan_markers): "在2025年" is a plan year.
@functools.cache
def _plan_in(nouns: tuple[str, ...]) -> re.Pattern[str]:
    own = _nouns(nouns)
    return re.compile(r"在\s*((?:19|20)\d\d)\s*年" + (f"(?!{own})" if own else ""))


def years(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    params = rule.params
    markers = form.vocabulary.list("plan_markers")
    nouns = tuple(params.get("year_nouns", ()))
    year_noun = _year_noun(nouns)
    out = []
    for group in ("current", "plans"):
        for key, text in _filled(texts, params[group]):
            reported: set[tuple[str, int]] = set()  # each wrong year once per field, not once per mention
            for sentence in _sentences(text):
                masked = _CITATION.sub(lambda m: "□" * len(m.group(0)), sentence)
                compare = any(w in sentence for w in _COMPARE)  # once per sentence, not per year in it
                previous = any(w in sentence for w in _PLAN_PREV)
                plans = group == "plans"
                in_plan = plans and any(w in sentence for w in markers)
                for m in _year_mentions(masked, in_plan, nouns):
                    found, rest = int(m.group(1)), masked[m.end() : m.end() + _LOOK_AHEAD]
                    framing = m.re is _YEAR
                    if framing and (
                        year_noun.match(rest) or _year_allowed(found, year, rest, plans, compare, previous)
                    ):
                        continue
                    if not framing and found != year:
                        continue
                    plan = plans and found == year  # this year's plan copied from last year
                    rid, expected = (rule.params.get("plan_rule", rule.id), year + 1) if plan else (rule.id, year)
                    if (rid, found) in reported:
                        continue
                    reported.add((rid, found))
                    detail = _around(sentence, m.start(1))
                    out.append(make_problem(form, rid, key, detail, found=found, expected=expected, detail=detail))
    return out


_LOOK_AHEAD = 60  # what follows a year that decides how it is used ("年度报告", "年将…")


def _year_mentions(masked: str, in_plan: bool, nouns: tuple[str, ...]) -> list[re.Match[str]]:
    """Years framing a clause, and in a plan sentence also "在2025年…" (in text order)."""
    found = list(_YEAR.finditer(masked))
    if in_plan:
        found += _plan_in(nouns).finditer(masked)
    return sorted(found, key=lambda m: m.start(1))


def _year_allowed(found: int, year: int, rest: str, plans: bool, compare: bool, previous: bool) -> bool:
    """A year framing a clause: N (not as a plan), N+1 in plans, N−1 in a comparison or a 整改 note."""
    if found == year:
        return not (plans and _PLAN_VERB.match(rest))
    if found == year + 1:
        return plans or bool(_PLAN_VERB.match(rest))  # "2026年，我局将…" is a plan wherever it is
    if found != year - 1:
        return False
    return compare or (plans and previous)


# placeholders: a measure word with no number after one of the form's count verbs, maybe with one of its
# objects: "共主动公开条，", "发布信息条，" (annual report: verbs 共/合计/公开…, objects 政府信息/申请…).
# "公开答复件", "文件", "案件", "条例" and "信件" are words: the measure word must end the clause.
@functools.cache
def _missing_number(verbs: tuple[str, ...], objects: tuple[str, ...]) -> re.Pattern[str] | None:
    if not verbs:
        return None
    alt = "|".join(re.escape(w) for w in sorted(verbs, key=len, reverse=True))
    obj = "|".join(re.escape(w) for w in sorted(objects, key=len, reverse=True))
    return re.compile(rf"(?:{alt})\s*({obj})?\s*[{MEASURE}]" + r"(?=[，,。；;、\s）)]|$)")


def placeholders(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    params = rule.params
    words = sorted(params["placeholders"], key=len, reverse=True)
    missing = _missing_number(tuple(params.get("count_verbs", ())), tuple(params.get("count_objects", ())))
    negations = form.vocabulary.list("negations")
    out = []
    for key, text in _filled(texts, params["texts"]):
        runs = [m.span() for m in _LATIN.finditer(text)]  # once per text: widening a hit is a lookup
        starts = [a for a, _ in runs]
        hits = [(m.span(), w) for w in words for m in re.finditer(re.escape(w), text)]
        if missing is not None:
            hits += [
                ((m.start(1) if m.group(1) else m.start(), m.end()), m.group(0))
                for m in missing.finditer(text)
                if not _denied(text, m.start(), negations)
            ]
        seen: set[tuple[int, int]] = set()
        taken = bytearray(len(text))  # characters already part of a placeholder found before
        reported: set[str] = set()
        for span, word in hits:
            start, end = _widen(runs, starts, *span)
            if (start, end) in seen:  # "XXXX…": every hit inside one run is that run
                continue
            seen.add((start, end))
            found = text[start:end].strip()
            # "XX" inside "www.xxzf.gov.cn" or an English word is not a placeholder; "XXX" is
            if {c for c in found if c.isascii() and c.isalpha()} - set(word):
                continue
            if not any(taken[start:end]) and found not in reported:
                out.append(make_problem(form, rule.id, key, _around(text, start), found=found))
                reported.add(found)
            taken[start:end] = b"\x01" * (end - start)
    return out


_LATIN = re.compile(r"[A-Za-z]+")
_CLAUSE_STOPS = "，,。；;！!？?\n"


def _denied(text: str, at: int, negations: tuple[str, ...]) -> bool:
    """A measure word with no number in a denied clause says "none", it leaves no blank:
    "未收到公民、法人或其他组织政府信息公开申请件" is an ordinary (if clumsy) sentence."""
    start = max(text.rfind(c, 0, at) for c in _CLAUSE_STOPS) + 1
    return any(w in text[start:at] for w in negations)


def _widen(runs: list[tuple[int, int]], starts: list[int], start: int, end: int) -> tuple[int, int]:
    """Widen a match to the whole runs of Latin letters it touches (runs found once per text)."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and runs[i][0] <= start <= runs[i][1]:
        start = runs[i][0]
    j = bisect.bisect_right(starts, end) - 1
    if j >= 0 and runs[j][0] <= end <= runs[j][1]:
        end = max(end, runs[j][1])
    return start, end


# enumeration: its markers; "第（一）项" cites an article, not an enumeration.
_ORDINAL = "一二三四五六七八九十"
_SERIES = (
    ("“{}是”", re.compile(rf"(?<![不之统唯同单第逐万专])([{_ORDINAL}]{{1,2}})是")),
    ("“（{}）”", re.compile(rf"(?<!第)[（(]([{_ORDINAL}]{{1,2}})[）)]")),
    ("“第{}，”", re.compile(rf"第([{_ORDINAL}]{{1,2}})[，、,:：]")),
)
_FIRST_NEXT = (("首先", re.compile("首先")), ("其次", re.compile("其次")), ("再次", re.compile("再次[，,是]")))


def enumeration(
    form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int, ctx: TextContext = NO_CONTEXT
) -> list[Problem]:
    out = []
    for key, text in _filled(texts, rule.params["texts"]):
        gaps = [_gap(text, label, rx) for label, rx in _SERIES] + [_first_gap(text)]
        out += [make_problem(form, rule.id, key, _short(text), detail=d) for d in gaps if d]
        counts = Counter(s.strip() for s in _sentences(text) if len(s.strip()) >= 10)
        for sentence, n in counts.items():
            if n > 1:
                detail = f"句子“{_short(sentence, 30)}”在这段文字中重复出现了 {n} 次。"
                out.append(make_problem(form, rule.id, key, _short(sentence), detail=detail))
    return out


def _gap(text: str, label: str, rx: re.Pattern[str]) -> str:
    seen = {_cn_int(m.group(1)) for m in rx.finditer(text)}
    missing = [n for n in range(1, max(seen, default=0)) if n not in seen]
    if 1 not in seen or not missing:
        return ""
    listed = "".join(label.format(_ORDINAL[n - 1]) for n in sorted(seen) if n <= 10)
    absent = "".join(label.format(_ORDINAL[n - 1]) for n in missing if n <= 10)
    return f"这段文字列举了{listed}，缺少{absent}。"


def _first_gap(text: str) -> str:
    present = [bool(rx.search(text)) for _, rx in _FIRST_NEXT]
    if present == [True, False, True]:
        return "这段文字有“首先”“再次”，缺少“其次”。"
    return ""


# ------------------------------------------------------------------ helpers
_filled, _sentences, _bounds, _around, _short = filled, sentences, bounds, around, short
_value, _int = value, int_value


_cn_int = cn_int


# The narrative checks xltool implements, by the names the catalogue's [text_checks] gives them.
# (copied runs with last year's return, see copy_problems; the report-stage one in report/lint.py.)
TEXT_CHECKS: dict[str, TextCheck] = {
    **NARRATIVE_CHECKS,
    "parts_sum": parts_sum,
    "fee_stated": fee_stated,
    "years": years,
    "placeholders": placeholders,
    "enumeration": enumeration,
}

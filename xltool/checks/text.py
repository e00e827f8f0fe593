"""Checks of the narrative: against the tables (E1, E3), against itself (E4, F3, F4, F7, F9) and
against last year's report (F8), as in FORMAT.md §3.

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
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence

from xltool.checks.problems import Problem, make_problem
from xltool.form.model import Form, Rule

Texts = Mapping[str, str | None]
Numbers = Mapping[str, int | float | None]

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
NUM = r"(\d+|[零〇一二两三四五六七八九十百千]+)"
MEASURE = "件条篇个次份起项"
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


TextCheck = Callable[[Form, Rule, Texts, Numbers, int], list[Problem]]


def text_problems(form: Form, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    """The narrative checks the form declares (E1, E3, E4, F3, F4, F7, F9 in the annual report)
    over one return's texts; blank texts are skipped."""
    return [
        p
        for rule in form.rules
        if rule.check in TEXT_CHECKS
        for p in TEXT_CHECKS[rule.check](form, rule, texts, numbers, year)
    ]


def copy_problems(
    form: Form,
    texts: Texts,
    numbers: Numbers,
    prev_texts: Texts,
    prev_numbers: Numbers,
    unit_name: str,
    other_units: Sequence[str] = (),
) -> list[Problem]:
    """F8: text or numbers copied from last year's report, or words of another body in the text."""
    out = []
    for rule in form.rules_of("copied"):
        out += _copied(form, rule, texts, numbers, prev_texts, prev_numbers, unit_name, other_units)
    return out


def _copied(
    form: Form,
    rule: Rule,
    texts: Texts,
    numbers: Numbers,
    prev_texts: Texts,
    prev_numbers: Numbers,
    unit_name: str,
    other_units: Sequence[str],
) -> list[Problem]:
    params, rid = rule.params, rule.id
    out = []
    for key, text in _filled(texts, params["texts"]):
        before = (prev_texts.get(key) or "").translate(_WIDE)
        ratio = _similarity(text, before)
        if ratio >= params["similarity"]:
            detail = f"“{form.fields[key].label}”与上年报告基本相同（相似度 {ratio:.0%}）。"
            out.append(make_problem(form, rid, key, _short(text), detail=detail))
        for word in params["foreign_words"]:
            if word in text and word[-1] not in unit_name:
                detail = f"文字中出现“{word}”，不是本单位的自称，可能是从其他单位的报告复制的。"
                out.append(make_problem(form, rid, key, _around(text, text.index(word)), detail=detail))
        for other in other_units:
            if other and other in text and other not in unit_name and unit_name not in other:
                detail = f"文字中出现其他单位的名称“{other}”，可能是从其他单位的报告复制的。"
                out.append(make_problem(form, rid, key, _around(text, text.index(other)), detail=detail))
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


# ------------------------------------------------------------------ E: narrative against the tables
# E1: "共收到政府信息公开申请3件" / "收到3件申请"; the verb, then 申请, then the count (or reversed).
_E1_COUNT = re.compile(
    rf"(?:收到|受理|新收|接到|接收)([^。；;，,\n]{{0,30}}?)申请[^。；;，,\d]{{0,8}}?{NUM}\s*件"
    rf"|(?:收到|受理|新收|接到|接收)([^。；;，,\n]{{0,10}}?){NUM}\s*件[^。；;，,\n]{{0,15}}?申请"
)
# E1: "未收到…申请", "没有收到…申请", "未发生依申请公开", "无依申请公开事项", "无政府信息公开申请".
# "未发生因…申请引发的行政复议" says nothing about receiving applications.
_E1_NONE = re.compile(
    r"(?:未|没有)(?:收到|受理|接到)[^。；;，,\n]{0,20}?申请"
    r"|(?:未|没有)发生依申请公开"
    r"|(?:无|没有)(?:依申请公开|政府信息公开申请|申请)"
)
# E1: a count or a denial about one kind of applicant ("自然人申请18件", "未收到法人…申请") is a part.
_APPLICANT = re.compile(r"自然人|法人|其他组织|社会组织|企业|公民|个人|群众|律师|(?<![本我该各])(?:单位|机构)")
# E1: "…自然人申请18件、法人或其他组织申请8件，合计26件": the explicit total after the parts.
_E1_SUM = re.compile(rf"(?:合计|共计|总计)\s*{NUM}\s*件")
_E1_NOT_PARTS = re.compile(r"[。！？!?；;\n]|办结|答复|结转|处理|办理|予以")
_CARRIED = re.compile(r"(?:含|包括|包含|其中)上年结转")


def _e1(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    params = rule.params
    key = params["text"]
    for _, text in _filled(texts, [key]):
        found, where = _stated_requests(text)
        if found is None:
            continue
        expected = _int(numbers, params["received"])
        carried_in = _int(numbers, params["carried_in"])
        if expected is not None and _CARRIED.search(text[slice(*_bounds(text, where))]):
            expected = None if carried_in is None else expected + carried_in
        if expected is not None and found != expected:
            value = _around(text, where)
            return [make_problem(form, rule.id, key, value, found=found, expected=expected)]
    return []


def _stated_requests(text: str) -> tuple[int | None, int]:
    """The total count of applications the text states (0 for "未收到…申请"), and where.

    An explicit 合计/共计/总计 after counts per applicant comes first; else the first count or
    denial not restricted to one kind of applicant. Counts per applicant alone state no total.
    """
    counts: list[re.Match[str]] = []
    parts: list[re.Match[str]] = []
    for m in _requests(_E1_COUNT, text):
        (parts if _APPLICANT.search(m.group(0)) else counts).append(m)
    for m in _E1_SUM.finditer(text):
        if any(p.end() <= m.start() and not _E1_NOT_PARTS.search(text[p.end() : m.start()]) for p in parts):
            return _cn_int(m.group(1)), m.start()
    hits = [(m.start(), _cn_int(m.group(2) or m.group(4))) for m in counts]
    hits += [(m.start(), 0) for m in _requests(_E1_NONE, text) if not _APPLICANT.search(_lead_in(text, m))]
    if not hits:
        return None, 0
    where, found = min(hits)
    return found, where


def _requests(rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches about disclosure applications (an "行政复议申请" is E3's business)."""
    return [m for m in rx.finditer(text) if "复议" not in m.group(0) and "诉讼" not in m.group(0)]


def _lead_in(text: str, m: re.Match[str]) -> str:
    """A denial with the words just before it in its clause: "法人或其他组织无申请"."""
    start = max(text.rfind(c, 0, m.start()) for c in "，,。；;\n") + 1
    return text[max(start, m.start() - 10) : m.end()]


# E3: a clause denying 复议/诉讼; the clause ends at a comma so "未发生复议，诉讼1件" covers 复议 only.
_CLAUSE = r"[^，,。；;\n]"
_E3_NONE = re.compile(
    rf"(?:未|没有)(?:发生|出现|产生|收到|涉及|有){_CLAUSE}{{0,40}}?(?:复议|诉讼){_CLAUSE}*"
    rf"|无{_CLAUSE}{{0,12}}?(?:复议|诉讼){_CLAUSE}*"
)
# E3: "未出现行政复议被纠错…", "无行政复议纠错案件" deny an outcome, not that a case happened
# ("被申请人", "被提起", "被起诉" are still about a case happening).
_E3_OUTCOME = re.compile(r"纠错|纠正|败诉|撤销|确认违法|被(?!申请|提起|起诉|诉)")
_E3_COUNT = re.compile(rf"(复议|诉讼)(?:案件|申请)?(?:共计|共)?\s*{NUM}\s*[件起宗例]")


def _e3(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    params = rule.params
    review = _int(numbers, params["review"])
    suit_values = [v for k in params["suits"] if (v := _int(numbers, k)) is not None]
    suits = sum(suit_values) if suit_values else None
    table = {"复议": review, "诉讼": suits}
    review_field = form.fields[params["review"]]
    labels = "、".join(f"“{form.fields[k].label}”" for k in params["suits"])
    sheet = form.sheet(review_field.sheet).name
    table_zh = f"“{sheet}”中“{review_field.label}”为 {_show(review)} 件，{labels}合计 {_show(suits)} 件"
    out = []
    for key, text in _filled(texts, params["texts"]):
        for m in _E3_NONE.finditer(text):
            if _E3_OUTCOME.search(m.group(0)):
                continue
            if any(word in m.group(0) and table[word] for word in table):
                detail = f"文字写“{_short(m.group(0))}”，但{table_zh}。"
                out.append(make_problem(form, rule.id, key, _short(m.group(0)), detail=detail))
        for m in _E3_COUNT.finditer(text):
            stated, actual = _cn_int(m.group(2)), table[m.group(1)]
            if actual is not None and stated != actual:
                detail = f"文字写行政{m.group(1)} {stated} 件（“{_around(text, m.start())}”），但{table_zh}。"
                out.append(make_problem(form, rule.id, key, _around(text, m.start()), detail=detail))
    return out


# E4: "共N件" (or 合计/总计), then 其中/包括/分别 with no other count in between.
_E4_TOTAL = re.compile(rf"(?:共|合计|总计)[^，,。；;\d]{{0,20}}?{NUM}\s*([{MEASURE}])")
_E4_SPLIT = re.compile(r"其中|包括|分别")
_E4_STOP = re.compile(r"其中|包括|分别|共|合计|总计|另|此外")
_PAREN = re.compile(r"（[^）]*）|\([^)]*\)")
_E4_WINDOW = 300


def _e4(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    out = []
    for key, text in _filled(texts, rule.params["texts"]):
        for sentence in _sentences(text):
            for m in _E4_TOTAL.finditer(sentence):
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
    rest = rest[:_E4_WINDOW]  # an enumeration of parts is a clause, not a page: keeps the check linear
    split = _E4_SPLIT.search(rest)
    if not split or re.search(rf"{NUM}\s*[{MEASURE}]", rest[: split.start()]):
        return []
    tail = _PAREN.sub("", rest[split.end() :])
    stop = _E4_STOP.search(tail)
    tail = tail[: stop.start()] if stop else tail
    counts = [(_cn_int(m.group(1)), m.group(2)) for m in re.finditer(rf"{NUM}\s*([{MEASURE}])", tail)]
    last = max((i for i, (_, word) in enumerate(counts) if word == measure), default=-1)
    if any(word != measure for _, word in counts[:last]):
        return []
    return [n for n, word in counts if word == measure]


# ------------------------------------------------------------------ F: the text itself
def _f3(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    params = rule.params
    if (texts.get(params["charged"]) or "").strip():
        return []  # the report writes the fee sentence from the structured answer
    filled = list(_filled(texts, params["texts"]))
    if not filled or any(w in text for _, text in filled for w in params["keywords"]):
        return []
    return [make_problem(form, rule.id, params["texts"][0])]


# F4: a year that frames a sentence or clause: "2024年，本机关…", "2024年以来…", "2024年全年…".
# A year inside a noun phrase is left alone: "2019年修订的《条例》", "针对2024年度报告",
# "2024年12月受理", "2024年结转的申请"; so is a range ("2021—2025年", "2021年至2025年").
_YEAR = re.compile(r"(?:^|(?<=[。！？!?；;\n，,：:]))\s*((?:19|20)\d\d)\s*年")
_YEAR_NOUN = re.compile(
    r"度?(?:工作)?(?:报告|年报)|[^，,。；;、\d]{1,4}?的|修订|出台|印发|发布|颁布|制定|施行|结转|同期|[-—–~～至到]"
    r"|(?!1\s*月?\s*[-—–~～至到]\s*12\s*月)\d{1,2}\s*月"
)
# A cited document and its note keep their own years: 《…条例》（2019年修订）, 《2023年…要点》.
_CITATION = re.compile(r"《[^》]*》(?:[（(][^）)]*[）)])?")
_COMPARE = ("同比", "相比", "环比")
_PLAN_PREV = ("整改", "上一年度", "上年")
# F4 in 五/六: "2021年将从以下方面进行改进" in the 2021 report is last year's plan copied.
_PLAN_VERB = re.compile(r"度?[，,]?\s*(?:将(?![^，,。；;]*?(?:纳入|列入|作为|融入))|计划(?!生育)|拟|要(?!求))")


def _f4(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    params = rule.params
    out = []
    for group in ("current", "plans"):
        for key, text in _filled(texts, params[group]):
            reported: set[tuple[str, int]] = set()  # each wrong year once per field, not once per mention
            for sentence in _sentences(text):
                masked = _CITATION.sub(lambda m: "□" * len(m.group(0)), sentence)
                compare = any(w in sentence for w in _COMPARE)  # once per sentence, not per year in it
                previous = any(w in sentence for w in _PLAN_PREV)
                for m in _YEAR.finditer(masked):
                    found, rest = int(m.group(1)), masked[m.end() : m.end() + _LOOK_AHEAD]
                    plans = group == "plans"
                    if _YEAR_NOUN.match(rest) or _year_allowed(found, year, rest, plans, compare, previous):
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


def _year_allowed(found: int, year: int, rest: str, plans: bool, compare: bool, previous: bool) -> bool:
    """A year framing a clause: N (not as a plan), N+1 in plans, N−1 in a comparison or a 整改 note."""
    if found == year:
        return not (plans and _PLAN_VERB.match(rest))
    if found == year + 1:
        return plans
    if found != year - 1:
        return False
    return compare or (plans and previous)


# F7: a measure word with no number after 共/合计/公开/发布/收到/受理, maybe with its object:
# "共主动公开条，", "发布信息条，". "公开答复件", "文件", "案件", "条例" and "信件" are words.
_F7_MISSING = re.compile(
    rf"(?:共计?|合计|累计|公开|发布|收到|受理)\s*(政府信息|政务信息|信息|申请|政策解读|解读)?\s*[{MEASURE}]"
    r"(?=[，,。；;、\s）)]|$)"
)


def _f7(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    params = rule.params
    words = sorted(params["placeholders"], key=len, reverse=True)
    out = []
    for key, text in _filled(texts, params["texts"]):
        runs = [m.span() for m in _LATIN.finditer(text)]  # once per text: widening a hit is a lookup
        starts = [a for a, _ in runs]
        hits = [(m.span(), w) for w in words for m in re.finditer(re.escape(w), text)]
        hits += [((m.start(1) if m.group(1) else m.start(), m.end()), m.group(0)) for m in _F7_MISSING.finditer(text)]
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


def _widen(runs: list[tuple[int, int]], starts: list[int], start: int, end: int) -> tuple[int, int]:
    """Widen a match to the whole runs of Latin letters it touches (runs found once per text)."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and runs[i][0] <= start <= runs[i][1]:
        start = runs[i][0]
    j = bisect.bisect_right(starts, end) - 1
    if j >= 0 and runs[j][0] <= end <= runs[j][1]:
        end = max(end, runs[j][1])
    return start, end


# F9: enumeration markers; "第（一）项" cites an article, not an enumeration.
_ORDINAL = "一二三四五六七八九十"
_F9_SERIES = (
    ("“{}是”", re.compile(rf"(?<![不之统唯同单第逐万专])([{_ORDINAL}]{{1,2}})是")),
    ("“（{}）”", re.compile(rf"(?<!第)[（(]([{_ORDINAL}]{{1,2}})[）)]")),
    ("“第{}，”", re.compile(rf"第([{_ORDINAL}]{{1,2}})[，、,:：]")),
)
_F9_FIRST = (("首先", re.compile("首先")), ("其次", re.compile("其次")), ("再次", re.compile("再次[，,是]")))


def _f9(form: Form, rule: Rule, texts: Texts, numbers: Numbers, year: int) -> list[Problem]:
    out = []
    for key, text in _filled(texts, rule.params["texts"]):
        gaps = [_gap(text, label, rx) for label, rx in _F9_SERIES] + [_first_gap(text)]
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
    present = [bool(rx.search(text)) for _, rx in _F9_FIRST]
    if present == [True, False, True]:
        return "这段文字有“首先”“再次”，缺少“其次”。"
    return ""


# ------------------------------------------------------------------ helpers
def _filled(texts: Texts, keys: Sequence[str]) -> Iterator[tuple[str, str]]:
    for key in keys:
        text = texts.get(key)
        if text and text.strip():
            yield key, text.translate(_WIDE)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _bounds(text: str, at: int) -> tuple[int, int]:
    """Start and end of the sentence holding position ``at``."""
    start = max(text.rfind(c, 0, at) for c in "。！？!?；;\n") + 1
    ends = [i + 1 for c in "。！？!?；;\n" if (i := text.find(c, at)) >= 0]
    return start, min(ends, default=len(text))


def _around(text: str, at: int, width: int = 60) -> str:
    """The sentence holding position ``at``, cut to ``width`` characters around it."""
    start, end = _bounds(text, at)
    if end - start <= width:
        return text[start:end].strip()
    cut = max(start, min(at - width // 3, end - width))
    return ("…" if cut > start else "") + text[cut : cut + width] + ("…" if cut + width < end else "")


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _cn_int(token: str) -> int:
    """ "3", "两", "十二", "一百零五" -> int."""
    if token.isdigit():
        return int(token)
    total = digit = 0
    for ch in token:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def _value(numbers: Numbers, key: str) -> int | float | None:
    """A number, or None for a blank or for text left in a numeric cell (A2 reports that)."""
    v = numbers.get(key)
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _int(numbers: Numbers, key: str) -> int | None:
    v = _value(numbers, key)
    return None if v is None else int(v)


def _show(v: int | None) -> str:
    return "未填" if v is None else str(v)


# The narrative checks xltool implements, by the names the catalogue's [text_checks] gives them.
# (copied runs with last year's return, see copy_problems; the report-stage ones in report/lint.py.)
TEXT_CHECKS: dict[str, TextCheck] = {
    "requests_total": _e1,
    "review_litigation": _e3,
    "parts_sum": _e4,
    "fee_stated": _f3,
    "years": _f4,
    "placeholders": _f7,
    "enumeration": _f9,
}

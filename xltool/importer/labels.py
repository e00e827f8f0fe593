"""Tolerant comparison of the labels a published document prints with the labels the form defines.

Published reports reach us through Word, WPS, web pages and PDF converters, which change what is not
content: full-width and ASCII parentheses, spaces inside labels, quotes, "1、" for "1.", a label
broken over two lines or cells, a copy in traditional script. ``key`` removes those differences; ``match_tail`` finds a form label
at the end of a run of label text (a row's labels are often preceded by its group's label or by a
header); ``drift`` is how a document's label differs in wording (the import:label_drift rule, F10 in
the annual report), which is reported but not an error.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from xltool.form.script import simplified

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
_ARABIC_ORDINAL = re.compile(r"(?<![\d.])(\d{1,2})[、.．,，](?!\d)")
_ORDINAL = re.compile(r"[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|(?<![\d.])\d{1,2}\.(?!\d)")
# A mirror page's pinyin after a character ("数(shù)量", "鎮(zhèn)"): a reading aid, not the label's words.
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")
_YEAR_NOTE = re.compile(r"\((?:\d{4}|\d{4}年度?)\)|\d{4}年度?")  # "本年(2023)制发件数"
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
SAME_PLACE = 0.7  # how alike a heading with the part's own ordinal must be to the part's heading
FUZZY = 0.8  # how alike two labels without ordinals must be to count as the same label


def key(text: str) -> str:
    """A label as compared: NFKC (full-width -> ASCII), traditional script as simplified ("上年結轉"
    is 上年结转), no pinyin glosses, no blanks, no quotes, "1、" -> "1."."""
    text = simplified(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    text = _GLOSS.sub("", text) if "(" in text else text
    text = "".join(text.split()).replace("，", ",").replace("；", ";")
    return _ARABIC_ORDINAL.sub(r"\1.", text)


def core(text: str) -> str:
    """A label without its leading ordinal ("（一）主动公开" -> "主动公开")."""
    k = key(text)
    m = _ORDINAL.match(k)
    return k[m.end() :] if m else k


def ordinal(text: str) -> str:
    """The leading ordinal of a label as compared ("(一)", "一、", "1."), "" when none."""
    m = _ORDINAL.match(key(text))
    return m.group(0) if m else ""


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Hit:
    exact: bool  # the label as the form prints it (up to parentheses, blanks, quotes)
    found: str  # the part of the document's text taken as the label


def match_tail(run: str, label: str) -> Hit | None:
    """Whether the run of label text ``run`` ends with the form's ``label``.

    Exact up to ``key``; else, for a label with an ordinal, the text from that ordinal on may differ
    a little ("申请数" for "申请数量") or lack the label's closing note in parentheses; a label
    without an ordinal may differ a little in wording ("规范性文件" for "行政规范性文件").
    """
    r, f = key(run), key(label)
    if not f:
        return None
    if r.endswith(f):
        return Hit(True, f)
    bare = _YEAR_NOTE.sub("", r)
    if bare.endswith(f):
        return Hit(False, r[-len(f) - (len(r) - len(bare)) :])
    short = _TRAILING_NOTE.sub("", f)
    lead = ordinal(label)
    if lead:
        at = r.rfind(lead)
        if at < 0:
            return None
        seg = r[at:]
        if seg == short or similar(seg, f) >= FUZZY:
            return Hit(False, seg)
        return None
    best = max(
        ((similar(r[-n:], f), r[-n:]) for n in range(max(1, len(f) - 3), len(f) + 4) if n <= len(r)),
        default=(0.0, ""),
    )
    if best[0] >= FUZZY and len(f) >= 3:
        return Hit(False, best[1])
    return None


def contains(text: str, label: str) -> bool:
    """The form's label occurs in the text (as compared)."""
    return bool(label) and key(label) in key(text)


def same_heading(text: str, heading: str) -> Hit | None:
    """A paragraph that is the form's heading, its ordinal or wording a little different
    ("第一部分 总体情况", "一、总体情况：")."""
    t, h = key(text).rstrip(":：。"), key(heading)
    if t == h:
        return Hit(True, t)
    if _style(ordinal(t)) and _style(ordinal(h)) and _style(ordinal(t)) != _style(ordinal(h)):
        return None  # "（一）主动公开信息情况" is a sub-item, not the part "二、主动公开政府信息情况"
    tc, hc = core(t), core(h)
    tc = re.sub(r"^第[一二三四五六七八九十]+(?:部分|章|节)?[、.:]?", "", tc)
    if not tc or len(t) > len(h) + 12:
        return None
    if tc == hc or similar(tc, hc) >= 0.85:
        return Hit(False, t)
    if ordinal(t) and ordinal(t) == ordinal(h) and similar(tc, hc) >= SAME_PLACE:
        return Hit(False, t)  # "四、因政府信息公开工作被申请行政复议…情况": the part's number and much of its name
    return None


def _style(ordinal_text: str) -> str:
    """The kind of an ordinal: "、" (一、), "(" ((一)), "." (1.), "" (none)."""
    if not ordinal_text:
        return ""
    return "(" if ordinal_text.startswith("(") else ordinal_text[-1]

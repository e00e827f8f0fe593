"""The parts of a published report: its title (unit and year), the form's section headings, and the
text of each section split into the form's text fields by its sub-headings.

Nothing here names a heading or a field: the title pattern, the sections, their fields and labels
come from the form. Headings are matched tolerantly (parentheses, blanks, a different ordinal,
slightly different wording) and every deviation from the exact heading is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xltool.form.model import Form, Section
from xltool.importer import labels
from xltool.importer.findings import DocProblem, finding
from xltool.importer.model import Block, Document

_SUB = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]")
_SUB_MAX = 30  # a sub-heading is short; a longer paragraph starting with "（一）" is heading + text
_PERIOD = re.compile(r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日")
_PHONE = re.compile(r"(?:联系|咨询)?电话(?:号码)?\s*[:：为]?\s*((?:\d{3,4}[-－—]?)?\d{7,8}(?:[-－—]\d{1,4})?)")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./_\-?=&%#:]+")


@dataclass
class Parts:
    unit: str = ""
    year: int | None = None
    title_at: int = -1  # index of the title's block
    first_page: int = 1  # the page of its file the text begins on, by a PDF page mark on its first line
    sections: dict[int, tuple[int, DocProblem | None]] = field(default_factory=dict)  # section -> (block, drift)
    order: list[int] = field(default_factory=list)  # sections in the order the document has them
    texts: dict[str, str] = field(default_factory=dict)
    phone: str = ""
    website: str = ""
    problems: list[DocProblem] = field(default_factory=list)

    def section_of(self, at: int) -> int:
        """The section a block belongs to (-1 before the first heading)."""
        best, start = -1, -1
        for s, (block, _) in self.sections.items():
            if start < block <= at:
                best, start = s, block
        return best

    def blocks_of(self, doc: Document, s: int) -> list[Block]:
        return [b for i, b in enumerate(doc.blocks) if self.section_of(i) == s and i != self.sections[s][0]]


def find_parts(form: Form, doc: Document) -> Parts:
    parts = Parts()
    doc.blocks = [piece for b in doc.blocks for piece in _split_inline(form, b)]
    first = next((b.text for b in doc.blocks if b.kind == "para"), "")
    if m := _FIRST_PAGE.match(labels.key(first)):
        parts.first_page = int(m.group(1) or m.group(2))
    _title(form, doc, parts)
    _headings(form, doc, parts)
    for s, section in enumerate(form.sections):
        if section.fields and s in parts.sections:
            _texts(form, section, parts.blocks_of(doc, s), parts)
    preamble = " ".join(b.text for i, b in enumerate(doc.blocks) if b.kind == "para" and parts.section_of(i) == -1)
    everything = " ".join(b.text for b in doc.blocks if b.kind == "para")
    if m := _PHONE.search(preamble) or _PHONE.search(everything):
        parts.phone = m.group(1)
    if m := _URL.search(preamble):
        parts.website = m.group(0).rstrip(".。)")
    return parts


_INLINE = re.compile(r"(?<=[。;； ])([一二三四五六七八九十]{1,2}、[^ ,，。:：;；]{2,30}) ")


def _split_inline(form: Form, b: Block) -> list[Block]:
    """A paragraph holding parts of the report, each heading after a full stop and before a blank
    ("…组成。一、总体情况 2022年，…": a web page that lost its line breaks), as the paragraphs it was."""
    if b.kind != "para" or not _INLINE.search(b.text):
        return [b]
    out, at = [], 0
    for m in _INLINE.finditer(b.text):
        if any(labels.same_heading(m.group(1), s.heading) for s in form.sections):
            out += [b.text[at : m.start()].strip(), m.group(1)]
            at = m.end()
    out.append(b.text[at:].strip())
    return [Block("para", t) for t in out if t]


# ------------------------------------------------------------------ title
def _title_regex(form: Form) -> re.Pattern[str]:
    pattern = labels.key(form.title_pattern)
    pieces = re.split(r"(\{\w+\})", pattern)
    out = ""
    for i, piece in enumerate(pieces):
        if piece == "{unit}":
            out += r"(?P<unit>.*?)"
        elif piece == "{year}":
            out += r"(?P<year>\d{4})"
        elif piece in _PERIOD_PIECES:  # a quarterly form's title: the period read as text, its year kept
            year = r"(?P<year>\d{4})" if "{year}" not in pieces and "(?P<year>" not in out else r"\d{4}"
            out += _PERIOD_PIECES[piece].replace("YEAR", year)
        elif piece:
            text = re.escape(piece)
            if i > 0 and pieces[i - 1] == "{year}" and piece.startswith("年"):
                text = "年度?" + re.escape(piece[1:])
            out += text
    return re.compile(out)


_PERIOD_PIECES = {
    "{quarter}": "[一二三四1-4]",
    "{month}": r"\d{1,2}",
    "{period}": r"YEAR年(?:第[一二三四]季度|[上下]半年|\d{1,2}月)?",
}


def _title(form: Form, doc: Document, parts: Parts) -> None:
    rx = _title_regex(form)
    paras = [(i, b) for i, b in enumerate(doc.blocks) if b.kind == "para"][:40]
    for n, (i, b) in enumerate(paras):
        hit = _title_line(form, rx, labels.key(b.text).rstrip("。"))
        if hit is None and n + 1 < len(paras) and len(b.text) < _TITLE_MAX:  # a title broken over two lines,
            after = paras[n + 1][1].text  # not a title under a line of the page's menu
            if _title_line(form, rx, labels.key(after).rstrip("。")) is None:
                hit = _title_line(form, rx, labels.key(b.text + after).rstrip("。"))
        if hit is None:
            continue
        unit, parts.title_at, parts.year = hit[0], i, hit[1]
        if not unit and n > 0 and len(paras[n - 1][1].text) <= 40:  # the name on the line above
            unit = labels.key(paras[n - 1][1].text)
        parts.unit = _plain_unit(unit)
        break
    else:
        if m := rx.search(labels.key(doc.head_title)):  # a page's <title> may add the site's name
            parts.year, parts.unit = int(m.group("year")), _plain_unit(m.group("unit").strip())
        elif m := next(filter(None, (rx.search(labels.key(b.text)) for _, b in paras[:5])), None):
            parts.year = int(m.group("year"))  # "现公布……2023年政府信息公开工作年度报告": the year only
    period = _PERIOD.search(doc.text[:3000])
    if period:
        found = int(period.group(1))
        if parts.year is None:
            parts.year = found
        elif found != parts.year:
            parts.problems.append(finding(form, "year_mismatch", "标题与统计期限", found=parts.year, expected=found))
    if parts.year is None:  # no title or period: a sentence naming the report, else the text's dates
        parts.year = _year_named(form, [b.text for _, b in paras[:15]]) or _year_of_text(doc.text[:6000])
    if not parts.unit:  # no title: the unit as the first lines name it
        parts.unit = _unit_named(form, [b.text for _, b in paras[:15]])


def _title_line(form: Form, rx: re.Pattern[str], line: str) -> tuple[str, int] | None:
    m = rx.fullmatch(line) if len(line) <= _TITLE_MAX else None  # the title alone, not a sentence
    return (m.group("unit").strip(), int(m.group("year"))) if m else _loose_title(form, line)


# A body's ways of naming its unit when it has no title: the sentence publishing the report, its name
# before or after the year and followed by words of the form's title ("现公布长安区砲里街道2022年政府
# 信息公开…", "现公布2022年汨罗市交通运输局信息公开…"), and the subject of a sentence opening with the
# year ("2022年，区政府办公室认真贯彻…"), and last the office to contact ("请与泰顺县民政局办公室联系").
# A name found must end as the name of a body does.
_CJK = "[\u4e00-\u9fff]"
_BEFORE_YEAR = re.compile(rf"(?:公布|公开|发布|编制|^|[,;。:])《?(?P<unit>{_CJK}{{2,30}}?)(?:特编制)?20\d\d年度?")
_AFTER_YEAR = re.compile(rf"(?:公布|公开|发布)《?20\d\d年度?(?P<rest>{_CJK}{{2,40}})")
_SUBJECT = re.compile(
    rf"(?:^|[,;。:])20\d\d年度?,(?P<unit>{_CJK}{{2,30}}?)"
    r"(?:认真|坚持|始终|按照|严格|紧紧|以习近平|在|高度|深入|全面|积极|不断|围绕|进一步|持续|利用|收到|对|未)"
)
_CONTACT = re.compile(rf"(?:请联系|请与)(?P<unit>{_CJK}{{2,30}}?)(?:[;,(]|党政办公室|办公室|联系)")
_BODY_END = re.compile(r"(?:局|办公室|办事处|街道|人民政府|政府|委员会|管委会|中心|镇|乡|街|区|县|市)$")
_NOT_NAME = ("我", "本", "该", "全", "各", "年", "现")
_VERB = re.compile(r"^.*(?:公布|公开|发布|编制)《?")  # "现公布长安区砲里街道" -> the name after the verb


def _unit_named(form: Form, lines: list[str]) -> str:
    tail = _tail(form)
    keys = [labels.key(line) for line in lines]
    found = (
        [
            _VERB.sub("", m.group("unit"))
            for k in keys
            for m in _BEFORE_YEAR.finditer(k)
            if tail and k[m.end() : m.end() + 4] in tail
        ]
        + [_name_before(m.group("rest"), tail) for k in keys for m in _AFTER_YEAR.finditer(k) if tail]
        + [m.group("unit") for k in keys for m in _SUBJECT.finditer(k)]
        + [m.group("unit") for k in keys for m in _CONTACT.finditer(k.replace(":", ""))]  # "请联系：某局党政办公室"
    )
    return next((u for u in found if _named(u)), "")


def _name_before(text: str, tail: str) -> str:
    """ "汨罗市交通运输局信息公开工作…" -> "汨罗市交通运输局": the text before the first words of the title."""
    at = next((i for i in range(2, len(text) - 3) if text[i : i + 4] in tail), -1)
    return text[:at] if at > 0 else ""


def _named(unit: str) -> bool:
    return (
        bool(unit) and bool(_BODY_END.search(unit)) and not unit.startswith(_NOT_NAME) and not {"我", "本"} & set(unit)
    )


_TITLE_MAX = 60  # a title line is short; a longer line ending the same way is a sentence citing it
_YEAR = re.compile(r"(\d{4})\s*年度?")
_PAGE_MARK = re.compile(r"^(?:Page\d+-|第\d+页-?)")  # a PDF page header glued to the title
_FIRST_PAGE = re.compile(r"^(?:Page(\d+)-|第(\d+)页)")


def _tail(form: Form) -> str:
    """What the form's title says after the year ("政府信息公开工作年度报告")."""
    after = labels.key(form.title_pattern).split("{year}", 1)
    return after[1].removeprefix("年") if len(after) == 2 else ""


def _loose_title(form: Form, line: str) -> tuple[str, int] | None:
    """A title worded a little differently from the form's: the year first ("2022年度某镇…"), a word
    of the name left out ("…信息公开工作年度报告" without 政府), the unit on the line above. The line
    must be short, hold a year and end with the form's title's last words; the unit is what is left
    when the year and the words of the form's title are taken away."""
    tail = _tail(form)
    if len(line) > _TITLE_MAX or len(tail) < 4 or not line.endswith(tail[-4:]):
        return None
    m = _YEAR.search(line)
    if not m or "《" in line:
        return None
    before, after = line[: m.start()], line[m.end() :]
    unit = _before_tail(before, tail, least=4) if before else _before_tail(after, tail)
    return unit.removeprefix("关于"), int(m.group(1))


def _before_tail(text: str, tail: str, least: int = 0) -> str:
    """ "下各镇政府信息公开工作年度报告" -> "下各镇": the text before its longest end made of the
    tail's words in order (some may be left out), when that end is at least ``least`` long."""
    for i in range(len(text) - least + 1):
        if _subsequence(text[i:], tail):
            return text[:i]
    return text


def _subsequence(part: str, whole: str) -> bool:
    it = iter(whole)
    return all(ch in it for ch in part)


def _plain_unit(unit: str) -> str:
    return _PAGE_MARK.sub("", unit)


def _year_named(form: Form, lines: list[str]) -> int | None:
    """The year in a sentence of the first lines naming the report ("现公布我乡2023年…年度报告")."""
    tail = _tail(form)
    for line in lines:
        k = labels.key(line)
        for m in _YEAR.finditer(k):
            if tail and tail[-4:] in k[m.end() : m.end() + len(tail) + 12]:
                return int(m.group(1))
    return None


def _year_of_text(text: str) -> int | None:
    """The year the text speaks of most ("2022年，我局…"), dates of a month ("2023年1月") left out:
    a report is published early the next year and dated so."""
    years = [int(m.group(1)) for m in re.finditer(r"(20\d\d)\s*年(?!\s*\d{1,2}\s*月)", text)]
    return max(set(years), key=years.count) if years else None


# ------------------------------------------------------------------ section headings
def _headings(form: Form, doc: Document, parts: Parts) -> None:
    wanted = [s.heading for s in form.sections]
    for i, b in enumerate(doc.blocks):
        if b.kind != "para" or i <= parts.title_at:
            continue
        for s, heading in enumerate(wanted):
            if s in parts.sections:
                continue
            hit = labels.same_heading(b.text, heading)
            if hit is None:
                continue
            cut_in_it = i == len(doc.blocks) - 1 and labels.key(heading).startswith(labels.key(b.text))
            drift = (
                None
                if hit.exact or cut_in_it
                else finding(form, "heading_drift", heading, found=b.text, expected=heading)
            )
            parts.sections[s] = (i, drift)
            parts.order.append(s)
            break
    for s in parts.order:
        drift = parts.sections[s][1]
        if drift is not None:
            parts.problems.append(drift)
    for rank, s in enumerate(parts.order):
        if rank != sorted(parts.order).index(s):
            parts.problems.append(finding(form, "heading_order", wanted[s], expected=wanted[s], position=s + 1))


# ------------------------------------------------------------------ the text of a section, by field
def _texts(form: Form, section: Section, blocks: list[Block], parts: Parts) -> None:
    pieces: list[tuple[str | None, str]] = []  # (sub-heading or None, text)
    for b in blocks:
        if b.kind != "para":
            continue
        head, text = _split_sub(b.text)
        if head is not None:
            pieces.append((head, text))
        elif pieces:
            pieces[-1] = (pieces[-1][0], (pieces[-1][1] + "\n" + text).strip("\n"))
        else:
            pieces.append((None, text))
    fields = list(section.fields)
    default = _field_like(form, fields, section.heading) or fields[0]
    target = default
    collected: dict[str, str] = {}
    headed: set[str] = set()  # fields a sub-heading named (the text before the first one names none)
    for head, text in pieces:
        if head is not None:
            fresh = [f for f in fields if f not in headed]  # a field named twice ("(七)监督保障" after "(六)培训")
            named = _field_like(form, fresh, head, loose=True) or _field_like(form, fields, head)
            found = named or _field_by_words(form, fresh, head) or _field_by_words(form, fields, head)
            if found is None:
                parts.problems.append(
                    finding(form, "unplaced", section.heading, found=head, expected=form.fields[target].label)
                )
            else:
                target = found
                headed.add(found)
            if named is None:  # the writer's own sub-heading says what the part is about: it is text
                text = (_SUB.sub("", head).strip() + "。" + text) if text else _SUB.sub("", head).strip()
        if text:
            collected[target] = (collected[target] + "\n" + text) if target in collected else text
        else:
            collected.setdefault(target, "")
    parts.texts.update({k: v for k, v in collected.items() if v})


def _field_by_words(form: Form, keys: list[str], heading: str) -> str | None:
    """The one field whose topic words (the form's narrative vocabulary) the writer's own sub-heading
    uses ("强化政务公开平台建设" is about the platform), None when no field's or several fields' are.
    A word several topics' names share ("公开") tells nothing."""
    words = {key: ws for key, _, ws in form.vocabulary.topics}
    names = [form.fields[k].label for k in words]
    h = labels.core(heading)
    hits = [k for k in keys if any(w in h and _telling(w, names) for w in words.get(k, ()))]
    return hits[0] if len(hits) == 1 else None


def _telling(word: str, names: list[str]) -> bool:
    """A topic word that tells one topic from another: not one several topics' names share (公开)."""
    return sum(word in n for n in names) <= 1


def _split_sub(text: str) -> tuple[str | None, str]:
    """ "（一）主动公开" -> (heading, ""); "（一）主动公开情况。本年度…" -> (heading, "本年度…")."""
    if not _SUB.match(text):
        return None, text
    m = re.search(r"[。:：]", text)
    if m and m.start() <= _SUB_MAX and text[m.end() :].strip():  # "（二）依申请公开情况。2023年受理0件。"
        return text[: m.start()], text[m.end() :].strip()
    if len(text) <= _SUB_MAX:
        return text.rstrip("。.:："), ""
    rest = text[_SUB.match(text).end() :].lstrip()  # type: ignore[union-attr]
    blank = rest.find(" ")  # "(三) 政府信息管理情况 2022年,…": the heading ends at a blank
    if blank > 0 and len(text) - len(rest) + blank <= _SUB_MAX:
        return text[: len(text) - len(rest) + blank], rest[blank + 1 :].strip()
    return None, text


def _field_like(form: Form, keys: list[str], heading: str, *, loose: bool = False) -> str | None:
    """The field whose label the heading names (its ordinal ignored), None when none does."""
    h = labels.core(heading).removesuffix("情况").removesuffix("方面").removesuffix("工作")
    best, score = None, 0.0
    for k in keys:
        f = labels.core(form.fields[k].label).removesuffix("情况")
        if not f or not h:
            continue
        s = 1.0 + len(f) / 100 if (f in h or h in f) else labels.similar(f, h)
        if s > score:
            best, score = k, s
    return best if score >= (0.6 if loose else 0.8) else None

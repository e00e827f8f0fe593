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
        elif piece:
            text = re.escape(piece)
            if i > 0 and pieces[i - 1] == "{year}" and piece.startswith("年"):
                text = "年度?" + re.escape(piece[1:])
            out += text
    return re.compile(out)


def _title(form: Form, doc: Document, parts: Parts) -> None:
    rx = _title_regex(form)
    paras = [(i, b) for i, b in enumerate(doc.blocks) if b.kind == "para"][:40]
    for n, (i, b) in enumerate(paras):
        m = rx.fullmatch(labels.key(b.text).rstrip("。"))  # the title alone, not a sentence naming it
        if not m:
            continue
        parts.title_at, parts.year = i, int(m.group("year"))
        unit = m.group("unit").strip()
        if not unit and n > 0 and len(paras[n - 1][1].text) <= 40:  # the name on the line above
            unit = labels.key(paras[n - 1][1].text)
        parts.unit = unit
        break
    else:
        if m := rx.search(labels.key(doc.head_title)):  # a page's <title> may add the site's name
            parts.year, parts.unit = int(m.group("year")), m.group("unit").strip()
        elif m := next(filter(None, (rx.search(labels.key(b.text)) for _, b in paras[:5])), None):
            parts.year = int(m.group("year"))  # "现公布……2023年政府信息公开工作年度报告": the year only
    period = _PERIOD.search(doc.text[:3000])
    if period:
        found = int(period.group(1))
        if parts.year is None:
            parts.year = found
        elif found != parts.year:
            parts.problems.append(finding(form, "year_mismatch", "标题与统计期限", found=parts.year, expected=found))


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
            drift = None if hit.exact else finding(form, "heading_drift", heading, found=b.text, expected=heading)
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
    for head, text in pieces:
        if head is not None:
            found = _field_like(form, [f for f in fields if f not in collected], head, loose=True)
            if found is None:
                parts.problems.append(
                    finding(form, "unplaced", section.heading, found=head, expected=form.fields[target].label)
                )
            else:
                target = found
        if text:
            collected[target] = (collected[target] + "\n" + text) if target in collected else text
        else:
            collected.setdefault(target, "")
    parts.texts.update({k: v for k, v in collected.items() if v})


def _split_sub(text: str) -> tuple[str | None, str]:
    """ "（一）主动公开" -> (heading, ""); "（一）主动公开情况。本年度…" -> (heading, "本年度…")."""
    if not _SUB.match(text):
        return None, text
    if len(text) <= _SUB_MAX:
        return text.rstrip("。.:："), ""
    m = re.search(r"[。:：]", text)
    if m and m.start() <= _SUB_MAX:
        return text[: m.start()], text[m.end() :].strip()
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

"""What a narrative says about the tables: sentences -> clauses -> numbers with what they count.

Generic Chinese number grammar, driven by a form's vocabulary (xltool/form/vocabulary.py): numbers
with their measure word (Arabic, full-width, Chinese numerals: 两件, 十二件, 一百零五条, 1.8万余条),
scope words (共/合计 a total, 其中/含/包括 its parts, 另 something else, 分别/各 a number for each),
denials (未收到…申请 states 0) and comparisons (较上年增加3件 states no count). Each number is bound
to the concept named in its own stretch of the clause (or, when none is, right after it: "37件行政
复议案件"); a part that names only a qualifier ("、法人或其他组织申请8件") keeps the sentence's
concept. Everything is one pass over the text with precompiled patterns: linear on any input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from xltool.form.script import simplified
from xltool.form.vocabulary import Concept, Vocabulary

WIDE = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_WIDE_CHARS = re.compile("[０-９．％]")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NOT_COUNTS = ("单位",)  # a number of these counts who reports, never a concept of the tables
_SENTENCE = re.compile(r"[^。！？!?\n]+")
_CLAUSE_END = set("，,；;")
_CITATION = re.compile(r"《[^》《]{0,80}》")  # a cited title: its words and numbers say nothing
# A word is not the scope or denial word it starts with: 公共/中共/共同, 含义, 另行制作, 未来.
_NOT_WORD = {
    "共": (set("公中"), set("同享建识产性治用担商振")),
    "含": (set(""), set("义量糊")),
    "另": (set(""), set("行")),
    "未": (set(""), set("来")),
    "无": (set(""), set("论疑序缝偿")),
}


@dataclass(frozen=True)
class Statement:
    """One thing a sentence says about a table concept: a count (or 0 for a denial)."""

    concepts: tuple[str, ...]  # several: one number for two concepts ("予以公开及部分公开的6件")
    value: float
    at: int  # where in the text (the number, or the denied word)
    sentence: tuple[int, int]  # start and end of its sentence in the text
    denied: bool = False
    scope: str = ""  # "total" | "part" | "extra" | ""
    qualifier: str = ""  # a qualifier key ("natural"): a part of the concept
    vague: bool = False  # named by a word that may mean something else
    each: bool = False  # "分别"/"各": one number for each of several things
    includes: tuple[str, ...] = ()  # concepts its parts say it includes ("（含上年结转1件）")
    subset: bool = False  # a part of a total of the same concept ("其中通过平台受理35件"): no table cell


@dataclass
class _Token:
    start: int
    end: int
    kind: str  # "concept" | "vague" | "denied" | "qualifier" | a word list name | "number"
    key: str = ""
    value: float = 0.0
    approx: bool = False


@dataclass
class _Sentence:
    start: int
    end: int
    tokens: list[_Token] = field(default_factory=list)


class Extractor:
    """The compiled patterns of one vocabulary (built once per form)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        lexicon: dict[str, tuple[str, str]] = {}
        for name in ("totals", "parts", "extras", "each", "negations", "compare", "approx"):
            for w in vocab.list(name):
                lexicon.setdefault(w, (name, ""))
        for q, words in vocab.qualifiers.items():
            for w in words:
                lexicon.setdefault(w, ("qualifier", q))
        for c in vocab.concepts.values():
            for kind, words in (("concept", c.words), ("vague", c.vague), ("denied", c.denied)):
                for w in words:
                    lexicon.setdefault(w, (kind, c.key))
        self.lexicon = lexicon
        ordered = sorted(lexicon, key=len, reverse=True)
        self.words_rx = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        measures = sorted(vocab.list("measures"), key=len, reverse=True)  # required with concepts (loader)
        self.number_rx = (
            re.compile(
                r"(?<![第\d.零〇一二两三四五六七八九十百千])(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(万)?\s*(余|多)?\s*("
                + "|".join(map(re.escape, measures))
                + ")"
            )
            if measures
            else None
        )
        self.topic_fields = {k for c in vocab.concepts.values() for k in c.fields}
        self.checked = sorted(
            {w for c in vocab.concepts.values() for w in (*c.topic, *c.weak_topic, *c.exclude, *c.exclude_sentence)}
        )

    def statements(self, text: str, where: str = "") -> list[Statement]:
        """What ``text`` (the field ``where``) states about the vocabulary's concepts."""
        text = simplified(text.translate(WIDE) if _WIDE_CHARS.search(text) else text)  # translate() is slow
        out: list[Statement] = []
        previous: set[str] = set()
        self.where, self.text = where, text
        for sentence in self._sentences(text):
            body = text[sentence.start : sentence.end]
            present = {w for w in self.checked if w in body}
            out += self._sentence(text, sentence, present, previous)
            previous = present
        return out

    # ------------------------------------------------------------------ tokens
    def _sentences(self, text: str) -> Iterator[_Sentence]:
        tokens = sorted(self._words(text) + self._numbers(text), key=lambda t: (t.start, t.kind != "number"))
        cited = [m.span() for m in _CITATION.finditer(text)]
        if cited:
            tokens = _outside(tokens, cited)
        i = 0
        for m in _SENTENCE.finditer(text):
            s = _Sentence(m.start(), m.end())
            while i < len(tokens) and tokens[i].start < s.end:
                if tokens[i].start >= s.start:
                    s.tokens.append(tokens[i])
                i += 1
            yield s

    def _words(self, text: str) -> list[_Token]:
        if self.words_rx is None:
            return []
        out = []
        for m in self.words_rx.finditer(text):
            word = m.group(0)
            kind, key = self.lexicon[word]
            before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
            bad = _NOT_WORD.get(word)
            if bad and (before in bad[0] or after in bad[1]):
                continue
            if kind in ("concept", "vague") and before == "不":
                continue  # "不同意公开" is not 同意公开: a negated category is another one (or none)
            if kind == "each" and word == "各" and not (after.isdigit() or after in _CN_DIGITS or after in _CN_UNITS):
                continue  # "各类信息" is no number for each
            out.append(_Token(m.start(), m.end(), kind, key))
        return out

    def _numbers(self, text: str) -> list[_Token]:
        if self.number_rx is None:  # a form without a narrative vocabulary counts nothing in its texts
            return []
        out = []
        for m in self.number_rx.finditer(text):
            digits, wan, approx, measure = m.groups()
            value = float(digits) if digits[0].isdigit() else float(cn_int(digits))
            if wan:
                value *= 10_000
            if not digits[0].isdigit() and text[m.start() - 1 : m.start()] in "每这那":
                continue  # "每两周", "这三件" count nothing here
            if text.startswith(_NOT_COUNTS, m.end()):
                continue  # "全县36个单位共收到申请…" (a county's paragraph) counts units, not applications
            out.append(_Token(m.start(), m.end(), "number", measure, value, bool(approx)))
        return out

    # ------------------------------------------------------------------ statements
    def _sentence(self, text: str, s: _Sentence, present: set[str], previous: set[str]) -> list[Statement]:
        out: list[Statement] = []
        state = _State()
        self._with_previous = present | previous
        for lo, hi, clause in _clauses(text, s):
            excluded = {w for w in present if w in text[lo:hi]}
            self._memo: dict[tuple[str, str], str] = {}  # what _applies found in this clause
            self._clause_text = text[lo:hi]
            out += self._clause(clause, s, state, present, previous, excluded)
            if text[hi : hi + 1] in ("；", ";"):
                state.parts = False  # "其中…；上年结转2件": a semicolon ends the list of parts
        return out

    def _clause(
        self,
        tokens: list[_Token],
        s: _Sentence,
        state: _State,
        present: set[str],
        previous: set[str],
        excluded: set[str],
    ) -> list[Statement]:
        numbers = [i for i, t in enumerate(tokens) if t.kind == "number"]
        if not numbers:
            kinds = {t.kind for t in tokens}
            if "parts" in kinds or "totals" in kinds or "extras" in kinds:
                state.parts = "parts" in kinds  # "其中，予以公开2件…": the list starts in the next clause
            return self._denials(tokens, s, present, previous, excluded)
        out = []
        last = -1
        for n, i in enumerate(numbers):
            segment = tokens[last + 1 : i]
            after = tokens[i + 1 : numbers[n + 1] if n + 1 < len(numbers) else len(tokens)]
            last = i
            st = self._bind(tokens[i], segment, after, s, state, present, previous, excluded)
            if st is not None:
                out.append(st)
        return out

    def _bind(
        self,
        number: _Token,
        segment: list[_Token],
        after: list[_Token],
        s: _Sentence,
        state: _State,
        present: set[str],
        previous: set[str],
        excluded: set[str],
    ) -> Statement | None:
        kinds = {t.kind for t in segment}
        if (
            "compare" in kinds
            or number.approx
            or (after and after[0].kind == "approx" and after[0].start == number.end)
        ):
            return None  # "较上年增加3件", "100余条", "两次以上": no exact count of a concept
        if "totals" in kinds:
            state.parts = False
        if "parts" in kinds:
            state.parts = True
        if "extras" in kinds:
            state.parts = False
        named = [t for t in segment if t.kind in ("concept", "vague")] or self._following(number, after)
        qualifier = next((t.key for t in segment if t.kind == "qualifier"), "")
        keys = tuple(dict.fromkeys(t.key for t in named))
        narrower = {self.vocab.concepts[k].refines for k in keys}
        keys = tuple(k for k in keys if k not in narrower)  # "行政诉讼：未经复议直接起诉2件"
        if not keys and qualifier and state.concept:
            keys = (state.concept,)  # "、法人或其他组织申请8件": the sentence's concept
        elif not keys and "totals" in kinds and state.concepts:
            keys = tuple(state.concepts)  # "新收6件，上年结转6件，总计12件": what was counted before
        topics = [self._applies(self.vocab.concepts[k], number.key, present, previous, excluded) for k in keys]
        weak = any(t == "weak" for t in topics)
        keys = tuple(k for k, t in zip(keys, topics, strict=True) if t)
        if not keys:
            return None
        scope = "total" if "totals" in kinds else "part" if state.parts else "extra" if "extras" in kinds else ""
        vague = weak or (all(t.kind == "vague" and not self._named_clearly(t) for t in named) if named else False)
        # "对现行有效的9件文件进行清理": a count inside a noun phrase describes, it does not report
        attributive = bool(named) and self.text[named[-1].end : number.start].rstrip().endswith("的")
        st = Statement(
            concepts=keys, value=number.value, at=number.start, sentence=(s.start, s.end), scope=scope,
            qualifier=qualifier, vague=vague or attributive, each="each" in kinds,
        )  # fmt: skip
        state.add(st)
        return st

    def _denials(
        self, tokens: list[_Token], s: _Sentence, present: set[str], previous: set[str], excluded: set[str]
    ) -> list[Statement]:
        """ "未收到…申请", "未发生…复议、诉讼": every concept named after the denial is 0, unless a
        narrower one of it is named too ("未出现行政复议被纠错" denies only the 纠错)."""
        neg = next((t for t in tokens if t.kind == "negations"), None)
        if neg is None:
            return []
        named = [t for t in tokens if t.start > neg.start and t.kind in ("concept", "vague", "denied")]
        named = [t for t in named if t.kind != "denied" or t.start - neg.end <= 4]
        keys = {t.key for t in named}
        refined = {self.vocab.concepts[k].refines for k in keys}
        kinds = {t.key for t in tokens if t.kind == "qualifier"}
        qualifier = kinds.pop() if len(kinds) == 1 else ""  # "公民、法人或其他组织": every applicant
        out = []
        for t in named:
            concept = self.vocab.concepts[t.key]
            applies = self._applies(concept, "", present, previous, excluded)
            if t.key in refined or not applies:
                continue
            vague = applies == "weak" or (t.kind == "vague" and not self._named_clearly(t))
            out.append(Statement((t.key,), 0, t.start, (s.start, s.end), True, qualifier=qualifier, vague=vague))
        return list({st.concepts: st for st in out}.values())

    def _following(self, number: _Token, after: list[_Token]) -> list[_Token]:
        """The concept named right after a number that names none before it ("37件行政复议案件",
        "其中97件准予公开"); not across a list comma: in "结果维持6件、结果纠正0件" the 6 is the
        word's before it, and the next word has its own number."""
        nxt = next((t for t in after if t.kind in ("concept", "vague")), None)
        if nxt is None or "、" in self.text[number.end : nxt.start]:
            return []
        return [nxt]

    def _named_clearly(self, t: _Token) -> bool:
        """A vague word is clear when its clause names the category itself (the concept's
        ``clear_with``: "发布行政规范性文件7件", "未作出行政处罚等决定")."""
        return any(w in self._clause_text for w in self.vocab.concepts[t.key].clear_with)

    def _applies(self, c: Concept, measure: str, present: set[str], previous: set[str], excluded: set[str]) -> str:
        """ "yes" when the concept may be meant here, "weak" when only its weak topic is there, "" not
        (worked out once per clause, concept and measure word)."""
        known = self._memo.get((c.key, measure))
        if known is not None:
            return known
        wrong_measure = bool(measure) and measure not in (c.measures or self.vocab.list("measures"))
        if wrong_measure or any(w in excluded for w in c.exclude) or any(w in present for w in c.exclude_sentence):
            verdict = ""
        else:
            seen = self._with_previous if c.paragraph else present
            if not c.topic or self.where in c.fields or any(w in seen for w in c.topic):
                verdict = "yes"
            else:
                verdict = "weak" if any(w in seen for w in c.weak_topic) else ""
        self._memo[c.key, measure] = verdict
        return verdict


@dataclass
class _State:
    """What a sentence has said so far: its concept, its total, whether parts are being listed."""

    concept: str = ""
    concepts: list[str] = field(default_factory=list)  # every concept counted in the sentence
    parts: bool = False
    first: Statement | None = None
    last_total: Statement | None = None

    def add(self, st: Statement) -> None:
        self.concept = st.concepts[-1]
        self.concepts += [k for k in st.concepts if k not in self.concepts]
        self.first = self.first or st
        if st.scope == "total":
            self.last_total = st


def _outside(tokens: list[_Token], spans: list[tuple[int, int]]) -> list[_Token]:
    """The tokens outside the (sorted, disjoint) spans, in one merge."""
    out, j = [], 0
    for t in tokens:
        while j < len(spans) and spans[j][1] <= t.start:
            j += 1
        if j < len(spans) and spans[j][0] <= t.start < spans[j][1]:
            continue
        out.append(t)
    return out


def _clauses(text: str, s: _Sentence) -> Iterator[tuple[int, int, list[_Token]]]:
    """The sentence cut at commas, semicolons, colons and brackets (one scan): bounds and tokens."""
    lo = s.start
    i = 0
    tokens = s.tokens
    for pos in range(s.start, s.end + 1):
        if pos < s.end and text[pos] not in _CLAUSE_END:
            continue
        clause = []
        while i < len(tokens) and tokens[i].start < pos:
            clause.append(tokens[i])
            i += 1
        if clause:
            yield lo, pos, clause
        lo = pos + 1


def with_inclusions(statements: list[Statement], vocab: Vocabulary) -> list[Statement]:
    """A total followed by parts that name a concept it may include ("共受理121件（其中新收112件，
    上年结转9件）", "4件（含上年结转1件）") says it includes that concept."""
    out = list(statements)
    head = -1  # the last statement of the current sentence that is not a part
    for i, st in enumerate(out):
        if head >= 0 and out[head].sentence != st.sentence:
            head = -1
        if st.scope != "part":
            head = i
            continue
        if head < 0:
            continue
        h = out[head]
        if not st.qualifier and set(st.concepts) <= set(h.concepts):
            out[i] = replace(st, subset=True)
            continue
        if any(k in vocab.concepts[key].includes and k not in h.includes for key in h.concepts for k in st.concepts):
            out[head] = replace(h, includes=(*h.includes, *st.concepts))
    return out


def cn_int(token: str) -> int:
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

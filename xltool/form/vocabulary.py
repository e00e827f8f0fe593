"""The narrative vocabulary of a form: how its reports talk about its tables (``[narrative]``).

A form's text checks compare the numbers a unit writes with the numbers in its tables. Which words
name which table concept, which cells each concept means, and the small words that change what a
number says (共/其中/另/均/余/未…) are data of the form, loaded and checked here; the extraction
code (xltool/checks/narrative.py) knows Chinese number grammar only. A form without ``[narrative]``
has an empty vocabulary, and the checks that need one find nothing to check.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from xltool.errors import FormDefinitionError


class Field(Protocol):
    """What the vocabulary reads of a form's field (the model holds a Vocabulary: it is not imported)."""

    @property
    def label(self) -> str: ...

    @property
    def numeric(self) -> bool: ...


LIST_KEYS = ("totals", "parts", "extras", "each", "approx", "negations", "compare", "measures", "plan_markers")


@dataclass(frozen=True)
class Concept:
    """A table concept a sentence can state a number of, e.g. 本年新收申请 = t3.new.total."""

    key: str
    label: str
    words: tuple[str, ...]  # the words that name it, clearly ("收到", "受理")
    means: tuple[str, ...]  # the fields whose sum it is
    vague: tuple[str, ...] = ()  # words that may name it ("发布" a 规范性文件): a mismatch is a warning
    denied: tuple[str, ...] = ()  # words that name it only right after a denial ("无依申请公开事项")
    topic: tuple[str, ...] = ()  # one of these must be in the sentence ("信息公开申请")
    weak_topic: tuple[str, ...] = ()  # or one of these, which leaves the statement unclear ("申请")
    fields: tuple[str, ...] = ()  # text fields all about its topic ("（二）依申请公开")
    exclude: tuple[str, ...] = ()  # none of these may be in the clause ("复议" is another concept's)
    exclude_sentence: tuple[str, ...] = ()  # nor these in the sentence ("规章" next to 规范性文件)
    measures: tuple[str, ...] = ()  # measure words its counts take (empty: the vocabulary's)
    refines: str = ""  # a narrower concept of another ("纠错" of 复议): shadows it in a denial
    lenient: tuple[tuple[str, ...], ...] = ()  # other sums a plain statement may mean (silently)
    includes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "(含上年结转…)" -> sum
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # qualifier -> fields
    paragraph: bool = False  # the topic may be in the previous sentence of the same paragraph
    clear_with: tuple[str, ...] = ()  # words naming the category that make its vague words clear


@dataclass(frozen=True)
class Vocabulary:
    concepts: Mapping[str, Concept] = field(default_factory=dict)
    qualifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # 自然人, 法人或其他组织
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # the LIST_KEYS word lists
    topics: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (field, label, words): F2
    self_words: tuple[str, ...] = ()  # "我局", "我镇": a body naming itself (F8)

    def list(self, name: str) -> tuple[str, ...]:
        return self.words.get(name, ())

    @property
    def empty(self) -> bool:
        return not self.concepts


def load_vocabulary(spec: Mapping[str, Any], fields: Mapping[str, Field]) -> Vocabulary:
    """``[narrative]`` of a form definition, every concept's cells checked against the form."""
    if not spec:
        return Vocabulary()
    unknown = sorted(set(spec) - {*LIST_KEYS, "qualifiers", "concepts", "topics", "self_words"})
    if unknown:
        raise FormDefinitionError(f"表单定义错误：[narrative] 中有未知的项“{unknown[0]}”")
    words = {k: _words(spec.get(k, ()), f"[narrative] {k}") for k in LIST_KEYS}
    if spec.get("concepts") and not words["measures"]:  # a count in a sentence is a number and its measure word
        raise FormDefinitionError(
            "表单定义错误：[narrative] 有概念时需要 measures（文字中计数用的量词，如 件、条、次）"
        )
    qualifiers = {k: _words(v, f"[narrative.qualifiers] {k}") for k, v in spec.get("qualifiers", {}).items()}
    concepts: dict[str, Concept] = {}
    for c in spec.get("concepts", ()):
        concept = _concept(c, fields, qualifiers)
        if concept.key in concepts:
            raise FormDefinitionError(f"表单定义错误：[narrative] 概念重复：{concept.key}")
        concepts[concept.key] = concept
    for c in concepts.values():
        if c.refines and c.refines not in concepts:
            raise FormDefinitionError(f"表单定义错误：概念 {c.key} 细化的概念“{c.refines}”不存在")
        for other in c.includes:
            if other not in concepts:
                raise FormDefinitionError(f"表单定义错误：概念 {c.key} 的 includes 引用了不存在的概念“{other}”")
    topics = tuple(_topic(t, fields) for t in spec.get("topics", ()))
    self_words = _words(spec.get("self_words", ()), "[narrative] self_words")
    return Vocabulary(concepts, qualifiers, words, topics, self_words)


def _concept(c: Mapping[str, Any], fields: Mapping[str, Field], qualifiers: Mapping[str, Any]) -> Concept:
    key = c.get("key", "")
    where = f"[narrative] 概念 {key or '?'}"
    if not key or not c.get("words") or not c.get("means"):
        raise FormDefinitionError(f"表单定义错误：{where} 需要 key、words 和 means")
    known = {"key", "label", "words", "means", "vague", "denied", "topic", "exclude", "measures", "refines"}
    known |= {"lenient", "includes", "parts", "paragraph", "weak_topic", "fields", "exclude_sentence", "clear_with"}
    extra = sorted(set(c) - known)
    if extra:
        raise FormDefinitionError(f"表单定义错误：{where} 不认识的项“{extra[0]}”")
    parts = {q: _cells(v, fields, where) for q, v in c.get("parts", {}).items()}
    for q in parts:
        if q not in qualifiers:
            raise FormDefinitionError(f"表单定义错误：{where} 的 parts 引用了未定义的限定词“{q}”")
    return Concept(
        key=key, label=c.get("label", key), words=_words(c["words"], where), means=_cells(c["means"], fields, where),
        vague=_words(c.get("vague", ()), where), denied=_words(c.get("denied", ()), where), topic=_words(c.get("topic", ()), where),
        exclude=_words(c.get("exclude", ()), where), exclude_sentence=_words(c.get("exclude_sentence", ()), where),
        weak_topic=_words(c.get("weak_topic", ()), where),
        fields=_field_keys(c.get("fields", ()), fields, where), measures=_words(c.get("measures", ()), where),
        refines=c.get("refines", ""), lenient=tuple(_cells(v, fields, where) for v in c.get("lenient", ())),
        includes={k: _cells(v, fields, where) for k, v in c.get("includes", {}).items()}, parts=parts,
        paragraph=bool(c.get("paragraph", False)), clear_with=_words(c.get("clear_with", ()), where),
    )  # fmt: skip


def _topic(t: Mapping[str, Any], fields: Mapping[str, Field]) -> tuple[str, str, tuple[str, ...]]:
    key = t.get("field", "")
    if key not in fields:
        raise FormDefinitionError(f"表单定义错误：[narrative] topics 引用了不存在的字段“{key}”")
    return key, t.get("label", fields[key].label), _words(t.get("words", ()), f"[narrative] topics {key}")


def _cells(value: Any, fields: Mapping[str, Field], where: str) -> tuple[str, ...]:
    """Field keys; "t3.r_other_*.total" stands for every such field, so a row added to the table
    is in the concept without a second edit."""
    given = [value] if isinstance(value, str) else value
    if not isinstance(given, list | tuple) or not given or not all(isinstance(k, str) for k in given):
        raise FormDefinitionError(f"表单定义错误：{where} 的单元格应为字段键或字段键列表")
    keys: list[str] = []
    for k in given:
        matched = [f for f in fields if fnmatch.fnmatchcase(f, k)] if "*" in k else [k]
        if not matched:
            raise FormDefinitionError(f"表单定义错误：{where} 的“{k}”不对应任何字段")
        keys += matched
    for k in keys:
        if k not in fields:
            raise FormDefinitionError(f"表单定义错误：{where} 引用了不存在的字段“{k}”")
        if not fields[k].numeric:
            raise FormDefinitionError(f"表单定义错误：{where} 引用的“{k}”不是数字字段")
    return tuple(keys)


def _field_keys(value: Any, fields: Mapping[str, Field], where: str) -> tuple[str, ...]:
    keys = _words(value, where)
    for k in keys:
        if k not in fields:
            raise FormDefinitionError(f"表单定义错误：{where} 的 fields 引用了不存在的字段“{k}”")
    return keys


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(w, str) and w for w in value):
        raise FormDefinitionError(f"表单定义错误：{where} 应为非空文字的列表")
    return tuple(value)

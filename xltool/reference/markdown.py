"""docs/rules as Markdown: an index, xltool's built-in rules and one file per form.

The text is made from the catalogue and the forms only (no date, no absolute path), so the same
definitions always give the same bytes: tests/test_docs_reference.py regenerates it in memory and
fails when the checked-in files differ (``make docs`` writes them again).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from xltool.form.catalogue import builtin_rules, text_checks
from xltool.form.kinds import kind_of
from xltool.form.loader import load_form
from xltool.form.model import SEVERITY_ZH, Form, Rule
from xltool.form.problems import GENERIC_OTHER, generic
from xltool.form.registry import FORMS_DIR, shipped_forms
from xltool.importer.findings import form_words
from xltool.outputs import write_output
from xltool.reference.listing import BY_STAGE, RuleEntry, checked_by, generic_fix, natural_key, rule_entries

INDEX, BUILTIN = "index.md", "builtin.md"
GENERATED = "由 `xltool rules --markdown` 生成（项目自带的 docs/rules 用 `make docs` 重新生成），请勿手工修改"
CATALOGUE_PATH = "xltool/form/catalogue.toml"

# What a parameter of each kind of the catalogue's [text_checks] is (catalogue.PARAM_KINDS).
PARAM_WORDS = {
    "field": "一个字段的键",
    "fields": "字段键的列表",
    "number_field": "一个数字字段的键",
    "number_fields": "数字字段键的列表",
    "words": "词语列表",
    "number": "一个数",
    "text": "一段文字",
    "rule": "另一条规则的 id（该规则报告这项检查的另一种情况）",
    "concepts": "表单 [narrative] 中概念的键的列表",
}
# Whose code an import finding takes (the catalogue's code_from), said for the built-in list.
CODE_FROM_WORDS = {
    "filled": "表单的空白规则的编号（表单没有自己的空白规则时为 A1）",
    "type": "表单自己的该类型规则的编号（没有时为本规则的编号）",
    "sum": "该合计的求和规则的编号（没有时为本规则的编号）",
}
# {form} and {title} of the import rules, in the built-in list where no form names them.
IMPORT_WORDS = {"form": "表单的名称", "title": "按表单的标题格式写出的标题示例"}


def shipped_reference() -> dict[str, str]:
    """The reference of every shipped form (what docs/rules holds): file name -> Markdown."""
    return reference_files([(entry.path, load_form(entry.path)) for entry in shipped_forms()])


def reference_files(forms: Sequence[tuple[Path, Form]]) -> dict[str, str]:
    """index.md, builtin.md and one file per form (named for the form's folder): name -> Markdown."""
    named = [(doc_name(path), path, form) for path, form in forms]
    files = {INDEX: index_markdown(named), BUILTIN: builtin_markdown()}
    files.update({name: form_markdown(form, path) for name, path, form in named})
    return files


def write_reference(folder: Path, files: Mapping[str, str], *, replace: bool = False) -> list[Path]:
    """Write ``files`` into ``folder`` (each atomically; OutputExists for an existing one unless
    ``replace``)."""
    return [write_output(Path(folder) / name, _writer(text), replace=replace) for name, text in files.items()]


def _writer(text: str) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def doc_name(path: Path) -> str:
    """annual_report_2021.md for workbook_templates/annual_report_2021/form.toml."""
    path = Path(path)
    return f"{path.parent.name if path.name == 'form.toml' else path.stem}.md"


def shown_path(path: Path) -> str:
    """A shipped form's path inside the project, another form's folder and file name (never an
    absolute path, so the text is the same wherever it is made)."""
    path = Path(path)
    if path.is_relative_to(FORMS_DIR):
        return path.relative_to(FORMS_DIR.parent).as_posix()
    return "/".join(path.parts[-2:])


# ------------------------------------------------------------------ index.md
def index_markdown(named: Iterable[tuple[str, Path, Form]]) -> str:
    forms = [
        f"- [{form.name}]({name})：表单 `{form.id}`，版本 {form.version}，定义在 `{shown_path(path)}`。"
        for name, path, form in named
    ]
    lines = [
        "# xltool 检查规则说明",
        "",
        "*English: the reference of every check rule of xltool — its built-in rules and the rules of each form — "
        "with code, severity, meaning, fix and the commands that report it. Generated from the catalogue and the "
        "form definitions by `xltool rules --markdown` (`make docs`); do not edit by hand.*",
        "",
        f"本文件夹{GENERATED}：内容取自 xltool 的内置规则（`{CATALOGUE_PATH}`）和各表单定义；"
        "规则有改动时重新生成（项目的测试会检查 docs/rules 是否最新）。",
        "",
        "## 文件",
        "",
        f"- [内置规则]({BUILTIN})：xltool 自身对报表文件、填写值和已发布报告的检查，以及表单可以使用的文字检查。"
        "每个表单都有这些规则，表单可以改写它们的编号、级别和措辞。",
        *forms,
        "",
        "## 怎样读",
        "",
        "- **编号**：各命令报告问题时以编号开头，如“【B1】”。几条规则可以共用一个编号，用规则 ID 区分。",
        "- **级别**：错误 = 必须修改；警告 = 请核对，属实的可在情况说明中写明（加 `--strict` 时警告按错误处理）。",
        "- **来源**：内置 = xltool 自身的检查；内置（表单改写）= 表单改写了编号、级别或措辞的内置检查；"
        "表单 = 表单定义自己的规则。",
        "- **说明**中的 `{found}` 等占位由检查时的具体内容填入，各条下面列出占位的含义；**修改**按一般情况写出。",
        "- **检查命令**：",
        "  - `xltool verify`：校验填好的报表；加 `--previous`（上年的报表或已发布的报告）时另做跨年度检查。"
        "`xltool collect` 收到报表时做同样的检查。",
        "  - `xltool report`：生成报告前先校验报表，再检查报告的最终文字。",
        "  - `xltool import`：把已发布的报告读入报表时的检查。",
        "  - `xltool audit`：审查已发布的报告：导入时的检查，加上表单对报表的检查。",
        "  - 模板的实时检查：模板的校验汇总在填写时即显示结果（只检查表格中的数字）。",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ builtin.md
def builtin_markdown() -> str:
    rules = sorted(builtin_rules(), key=lambda r: natural_key(_entry(r)))
    lines = [
        "# 内置规则",
        "",
        "*English: xltool's own rules, merged into every form (files, cell values, published documents), and the "
        "narrative text checks a form's rules can use. Generated by `xltool rules --markdown` (`make docs`); "
        "do not edit by hand.*",
        "",
        f"本文件{GENERATED}，内容取自 `{CATALOGUE_PATH}`。这些规则合并到每个表单中。表单写一条 id 相同的规则"
        "（不写 kind）可以改写它的 code、severity、title、brief、message、fix、blanks；表单自己的空白规则"
        '（kind = "filled"）取代 A1，自己的类型规则（kind = "type"）取代同一类型的内置规则。'
        "各表单实际使用的编号和措辞见该表单的规则说明。",
        "",
        "## 报表文件和填写值",
        "",
        *_blocks(_entry(r) for r in rules if not kind_of(r).on_documents),
        "## 读取已发布的报告",
        "",
        "import 和 audit 读取已发布的报告（Word、网页、PDF、文本）时的检查。"
        "说明和修改中的 `{form}` 为表单的名称，`{title}` 为按表单的标题格式写出的标题示例。",
        "",
        *_blocks(_entry(r) for r in rules if kind_of(r).on_documents),
        *_text_checks(),
    ]
    return "\n".join(lines)


def _entry(rule: Rule) -> RuleEntry:
    return RuleEntry(rule=rule, fix=generic_fix(rule, IMPORT_WORDS), also=(), commands=checked_by(None, rule))


def _text_checks() -> list[str]:
    lines = [
        "## 文字检查",
        "",
        '表单的文字规则（kind = "text"，或带 check 的跨年度规则）用 `check` 指定下面的一种检查，'
        "用 `params` 给出参数；表单载入时核对参数，缺少、多出或类型不对都会报错。标为“可省略”的参数可以不写。",
        "",
    ]
    for name, spec in sorted(text_checks().items()):
        params: Mapping[str, str] = spec.get("params", {})
        lines += [
            f"### {name}",
            "",
            f"- 内容：{_md(str(spec['about']))}",
            f"- 检查命令：{_commands(BY_STAGE[str(spec['stage'])])}",
            "- 参数：" + ("" if params else "无"),
            *(
                f"  - `{p}`{'（可省略）' if k.endswith('?') else ''}：{PARAM_WORDS[k.rstrip('?')]}"
                for p, k in params.items()
            ),
            "",
        ]
    return lines


# ------------------------------------------------------------------ <form>.md
def form_markdown(form: Form, path: Path) -> str:
    entries = sorted(rule_entries(form), key=natural_key)
    lines = [
        f"# {_md(form.name)}：检查规则",
        "",
        f"*English: every check rule of the form `{form.id}` (version {form.version}): xltool's built-in rules "
        "as this form words them and the form's own rules, each with code, severity, meaning, fix and the "
        "commands that report it. Generated by `xltool rules --markdown` (`make docs`); do not edit by hand.*",
        "",
        f"本文件{GENERATED}，内容取自表单定义 `{shown_path(path)}`（表单 `{form.id}`，版本 {form.version}）"
        f"和[内置规则]({BUILTIN})；编号、级别、来源和检查命令的含义见[说明]({INDEX})。"
        "`xltool rules`（用 `--form` 指定表单）在命令行列出同样的规则。",
        "",
        "## 报表的检查",
        "",
        *_blocks((e for e in entries if not e.on_documents), form),
        "## 读取已发布的报告",
        "",
        "import 和 audit 读取已发布的报告（Word、网页、PDF、文本）时的检查。",
        "",
        *_blocks((e for e in entries if e.on_documents), form),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ one rule
def _blocks(entries: Iterable[RuleEntry], form: Form | None = None) -> list[str]:
    listed = list(entries)
    shared = Counter((e.rule.code, e.rule.title) for e in listed)  # eight H1 "文件无法打开": add the brief
    return [line for e in listed for line in _block(e, form, shared[e.rule.code, e.rule.title] > 1)]


def _block(entry: RuleEntry, form: Form | None, shared_title: bool) -> list[str]:
    r = entry.rule
    brief = f"：{_md(r.brief)}" if shared_title and r.brief != r.title else ""
    lines = [
        f"### 【{r.code}】{_md(r.title)}{brief}",
        "",
        f"- 规则 ID：`{r.id}`；级别：{SEVERITY_ZH[r.severity]}；来源：{entry.source_zh}",
        f"- 检查命令：{_commands(entry.commands)}",
        f"- 问题：{_md(r.brief)}",
        f"- 说明：{_md(r.message)}",
        f"- 修改：{_md(entry.fix)}",
    ]
    blanks = _placeholders(r, form)
    if blanks:
        lines.append(f"- 占位：{blanks}")
    if entry.also:
        lines.append(f"- 报告时也用所属规则的编号：{'、'.join(entry.also)}")
    elif r.code_from and form is None:
        lines.append(f"- 报告时的编号：{CODE_FROM_WORDS[r.code_from]}")
    lines += _definition(r)
    return [*lines, ""]


def _definition(r: Rule) -> list[str]:
    """What the form's own rule computes (expression, condition, the variable it runs over)."""
    lines = []
    if r.expr:
        over = f"（`{r.for_var}` 取 {_value(r.for_domain)}）" if r.for_var else ""
        lines.append(f"- 算式：`{r.expr}`{over}")
    if r.when:
        lines.append(f"- 适用条件：`{r.when}`")
    if r.check:
        params = "；".join(f"`{name}` = {_value(v)}" for name, v in r.params.items())
        lines.append(f"- 文字检查：[{r.check}]({BUILTIN}#{r.check})" + (f"；参数：{params}" if params else ""))
    return lines


def _placeholders(rule: Rule, form: Form | None) -> str:
    """What each placeholder of the rule's wording stands for: the form's name and an example title in
    an import rule, else the words ``xltool rules`` fills fixes with; the rest are the finding's own."""
    found = dict.fromkeys(_PLACEHOLDER.findall(" ".join((rule.title, rule.brief, rule.message, rule.fix))))
    named = (form_words(form) if form is not None else IMPORT_WORDS) if kind_of(rule).on_documents else {}
    known, other = [], []
    for name in found:
        word = named.get(name) or generic("{" + name + "}", rule)
        if word == GENERIC_OTHER:
            other.append(f"`{{{name}}}`")
        else:
            known.append(f"`{{{name}}}`：{_md(word)}")
    if other:
        known.append(f"{'、'.join(other)} 由检查时的具体内容填入")
    return "；".join(known)


def _commands(commands: Iterable[str]) -> str:
    return "、".join(c if c.startswith("模板") else f"`{c}`" for c in commands)


def _value(v: Any) -> str:
    """A parameter's value: each item as code (field keys, words of the form)."""
    return "、".join(f"`{x}`" for x in v) if isinstance(v, list | tuple) else f"`{v}`"


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
_SPECIAL = re.compile(r"([\\`*<>\[\]])")  # "_" only inside words ({template_year}): no emphasis


def _md(text: str) -> str:
    """Text from a definition, shown as written (no Markdown of its own, one line)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))

"""docs/form-keys.md: every key of form.toml, made from the key table the loader checks with.

``xltool forms --keys`` prints it and ``make docs`` writes it; a test compares the checked-in file with
this text, so the reference is never stale. No date or path in it: the same table gives the same bytes.
"""

from __future__ import annotations

from xltool.form.keys import TABLES, TYPE_ZH, Key, override_keys, rule_keys
from xltool.form.kinds import KINDS

# The tables in the order a form is written, with the heading each has in the reference.
TITLES = {
    "": "顶层：各个表",
    "form": "[form]",
    "units": "[units]",
    "guess": "[units] guess 的每一项",
    "template": "[template]",
    "notice": "[notice]",
    "roles": "[roles]",
    "sheet": "[[sheets]]",
    "type": "[types.名称]（如 [types.int]）",
    "guide": "[guide]",
    "block.grid": '[[blocks]] kind = "grid"（表格）',
    "column": "表格的 columns 的每一列",
    "row": "表格的 rows 的每一行",
    "block.fields": '[[blocks]] kind = "fields"（名称/填写值两列）',
    "field": "fields 的每一项：字段",
    "field.heading": "fields 的每一项：小标题",
    "field.spacer": "fields 的每一项：空行",
    "block.checks": '[[blocks]] kind = "checks"（校验结果汇总）',
    "section": "[[sections]]",
    "report": "[report]",
    "narrative_text": "[report] narratives 和 county 的每一段",
    "piece": "pieces（及 list）的每一项",
    "narrative": "[narrative]",
    "concept": "[narrative] concepts 的每一项",
    "topic": "[narrative] topics 的每一项",
    "import": "[import]",
}
INTRO = """\
# 表单定义（form.toml）的键

*English: every key of a form definition, with its type and meaning; generated from xltool/form/keys.py.*

由 `xltool forms --keys` 生成（项目自带的 docs/form-keys.md 用 `make docs` 重新生成），请勿手工修改。

读入表单时逐项核对：写了不认识的键（如把 `required` 写成 `requried`）、缺少必需的键、值的类型不对，
都在读入时报错，并指出位置和最接近的键，例如
`表单定义错误：[[blocks]] #3 rows[2]：未知的键“requried”，是否为“required”？`。位置中的序号从 1 数起：
`[[blocks]] #3` 是第三个 `[[blocks]]`，`rows[2]` 是它的第二行。规则的键由 `kind` 决定，见文末。
"""


def form_keys_markdown() -> str:
    parts = [INTRO]
    for table, title in TITLES.items():
        parts.append(_section(title, TABLES[table]))
    for name in KINDS:
        parts.append(_section(f'[[rules]] kind = "{name}"', rule_keys(name)))
    parts.append(_section("[[rules]] 改写内置规则（写内置规则的 id，不写 kind）", override_keys()))
    return "\n".join(parts)


def _section(title: str, keys: tuple[Key, ...]) -> str:
    lines = [f"## {title}", "", "| 键 | 类型 | 必需 | 说明 |", "|---|---|---|---|"]
    lines += [f"| `{k.name}` | {_type(k)} | {'是' if k.required else ''} | {_cell(k)} |" for k in keys]
    return "\n".join(lines) + "\n"


def _type(k: Key) -> str:
    if k.type.startswith("map:"):
        inner = TYPE_ZH.get(k.type[4:], "表")
        return f"表（名称 = {inner}）"
    return TYPE_ZH[k.type]


def _cell(k: Key) -> str:
    text = k.zh
    if k.choices:
        text += "（可选值：" + "、".join(f"`{c}`" for c in k.choices) + "）"
    if k.least is not None:
        text += f"（不小于 {k.least}）"
    return text.replace("|", "\\|")

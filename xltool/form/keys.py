"""Every key a form definition may write, in one table: where it goes, its type and what it means.

The loader checks the raw TOML against this table before it builds anything (``check_definition``),
so a misspelt key (``requried``) or a value of the wrong type is a load error naming its place
(``[[blocks]] #3 rows[2]``) with the nearest known key, never a key silently ignored or an internal
error further on. The reference docs/form-keys.md is generated from the same table (xltool forms
--keys), so the two cannot disagree. A rule's keys are its kind's (xltool/form/kinds): only their
descriptions are here. Counting in places starts from 1, as a form author counts.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.catalogue import OVERRIDABLE, builtin_rules
from xltool.form.kinds import KINDS
from xltool.form.kinds.base import COMMON_OPTIONAL, COMMON_REQUIRED
from xltool.form.model import PREFILLS, SEVERITIES
from xltool.form.notice import KEYS as NOTICE_KEYS
from xltool.form.notice import PLACEHOLDERS as NOTICE_PLACEHOLDERS
from xltool.form.vocabulary import LIST_KEYS


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # a name of TYPE_ZH, or "map:<type>" (a table of free names, each value of that type)
    zh: str  # one line: what it means
    required: bool = False
    table: str = ""  # for "table", "tables" and "map:table": the table of TABLES its value (each item) is
    least: int | None = None  # for "int": the smallest value allowed
    choices: tuple[str, ...] = ()  # for "text": the values allowed


TYPE_ZH = {
    "text": "文字",
    "int": "整数",
    "number": "数字",
    "bool": "true 或 false",
    "texts": "文字列表",
    "numbers": "数字列表",
    "value": "数字或文字",
    "text|texts": "文字或文字列表",
    "text|number": "文字或数字",
    "table": "表",
    "tables": "表的列表",
    "any-table": "表（内容另有核对）",
    "cell-lists": "字段键（或其列表）的列表",
    "cell": "单元格位置，如 A3",
}

K = Key
NOTICE_ZH = {
    "subject": "下发通知的邮件主题",
    "body": "下发通知的正文",
    "remind_subject": "催报邮件的主题",
    "remind_missing": "催报：尚未报送",
    "remind_fix": "催报：报表需要修改",
    "remind_review": "催报：报送的版本需要核实",
}
# Keys on a grid's row or column and on a field that the parts of issue 22 add (computed cells,
# mixed types, of-which rows, constants, conditional requirements, aggregation).
CELL_KEYS = (
    K("type", "text", "单元格的类型（覆盖表格的 type；含 percent、text、choice 等）"),
    K("choices", "text|texts", '下拉选项（type = "choice" 时）'),
    K("unit", "text", "单位（覆盖类型的单位）"),
    K("formula", "text", '计算公式（锁定的计算单元格），如 "done / received"'),
    K("part_of", "text", "“其中”项：所属的行或列的键（不计入合计，自动检查不大于所属项）"),
    K("value", "value", "常量（锁定、印出，不填写）"),
    K("required_if", "text", "条件必填：表达式成立时必须填写"),
    K("part_of_rule", "text", '“其中”项所用的规则（kind = "part_of"）的编号，表单有几条时写明'),
    K(
        "aggregate",
        "text",
        "汇总方式：sum（相加，默认）、recompute（由汇总后的各项重算）、mean、none",
        choices=("sum", "recompute", "mean", "none"),
    ),
)
LINE_KEYS = (
    K("key", "text", "行（列）键，组成字段键“表格键.行键.列键”；可为空", required=True),
    K("path", "texts", "标签路径：从上级到本级的各级标签，印成合并的多级标题", required=True),
    K("sum", "text|texts", '合计："group"（同一上级标签下的全部）、"首..尾" 或键的列表'),
    K("rule", "text", '合计所用的求和规则（kind = "sum"）的编号'),
)

TABLES: dict[str, tuple[Key, ...]] = {
    "": (
        K("form", "table", "表单的编号、版本、名称和标题", required=True, table="form"),
        K("units", "table", "单位类型、别名和按名称推断的规则", table="units"),
        K("template", "table", "模板：打开时的工作表和各表第二行", table="template"),
        K("notice", "table", "下发通知和催报邮件的文字", table="notice"),
        K("roles", "table", "哪个字段担任哪个角色（单位名称、年度……）", table="roles"),
        K("sheets", "tables", "工作表（按模板中的顺序）", required=True, table="sheet"),
        K("types", "map:table", "填写类型：[types.int]、[types.text] …", required=True, table="type"),
        K("guide", "table", "填表说明", table="guide"),
        K("blocks", "tables", "块：表格（grid）、字段（fields）、校验汇总（checks）", required=True, table="block"),
        K("rules", "tables", "规则（键由 kind 决定）", table="rule"),
        K("sections", "tables", "报告的各部分（按顺序）", table="section"),
        K("report", "table", "报告的导语和自动成文的段落", table="report"),
        K("narrative", "table", "文字检查的词表：报告怎样说到表格", table="narrative"),
        K("import", "table", "读取已发布的报告", table="import"),
    ),
    "form": (
        K("id", "text", "稳定的英文编号（--form 用它）", required=True),
        K("version", "text|number", "版本：格式每改动一次就提高", required=True),
        K("name", "text", "表单名称", required=True),
        K("basis", "text", "格式依据的文号（报告导语 {basis}）"),
        K("regulation", "text", "依据的法规（报告导语 {regulation}）"),
        K("title_pattern", "text", "报告标题，可用 {unit} {year}"),
        K("file_pattern", "text", "模板文件名，可用 {unit} {year} {name} {id}"),
        K("reply_signature", "text", "回复邮件的落款，可用 {county}"),
        K("period", "text", "报告期：year（默认）、half、quarter、month", choices=("year", "half", "quarter", "month")),
    ),
    "units": (
        K("types", "texts", "单位类型"),
        K("default", "text", "推断不出时的类型"),
        K("guess", "tables", "按单位名称推断类型（依次尝试）", table="guess"),
        K("aliases", "map:texts", "别名：类型 = [名单里可能写的说法]"),
    ),
    "guess": (
        K("type", "text", "推断出的类型", required=True),
        K("contains", "texts", "名称含有其中之一"),
        K("endswith", "texts", "名称以其中之一结尾"),
    ),
    "template": (
        K("active", "text", "打开模板时显示的工作表的键"),
        K("subtitle", "text", "各表格工作表第二行，{角色名} 取自该角色的字段，如 {unit_name}"),
    ),
    "notice": tuple(
        K(k, "text", f"{NOTICE_ZH[k]}，可用 " + " ".join(f"{{{n}}}" for n in NOTICE_PLACEHOLDERS[k]))
        for k in NOTICE_KEYS
    ),
    "roles": (
        K("unit_name", "text", "单位名称字段（标题、单位核对）"),
        K("year", "text", "年度字段"),
        K("unit_type", "text", "单位类型字段"),
        K("phone", "text", "联系电话字段（报告导语）"),
        K("website", "text", "发布网址字段（报告导语）"),
        K("date", "text", "填报日期字段（落款）"),
        K("explanation", "text", "情况说明字段"),
        K("applications", "text", "县级总览的收到数（数字字段）"),
        K("outcomes", "text", "县级总览的办理结果合计（表格中的合计）"),
    ),
    "sheet": (
        K("key", "text", "工作表键", required=True),
        K("name", "text", "工作表名称（标签上显示）", required=True),
        K("title", "text", "第一行的标题，可用 {year} {unit}"),
        K("widths", "numbers", "各列列宽"),
        K("landscape", "bool", "横向打印"),
        K("freeze", "cell", '冻结窗格的单元格，如 "D6"'),
    ),
    "type": (
        K("unit", "text", "单位，如 件、万元"),
        K("prompt", "text", "选中单元格时的提示"),
        K("error", "text", "填错时的说明"),
    ),
    "guide": (
        K("sheet", "text", "填表说明所在的工作表的键"),
        K("lines", "texts", "填表说明的各条，可用 {year} {unit}"),
    ),
    "block.grid": (
        K("kind", "text", "块的类型：grid", required=True),
        K("key", "text", "表格键（字段键的第一段）", required=True),
        K("sheet", "text", "所在工作表的键", required=True),
        K("anchor", "cell", '左上角单元格，如 "A3"', required=True),
        K("table", "text", "所属的表（几个块可拼成一张表，默认同 key）"),
        K("type", "text", "单元格的类型（数字类型）", required=True),
        K("caption", "text", "表格上方的一行说明"),
        K("corner", "text", "左上角（行标题之上）的文字"),
        K("label_depth", "int", "行标题的级数（列数），0 为没有行标题", required=True, least=0),
        K("header_depth", "int", "列标题的级数（行数）", required=True, least=1),
        K("columns", "tables", "各列", required=True, table="column"),
        K("rows", "tables", "各行", required=True, table="row"),
        K("checks_below", "texts", "表格下方逐列显示的规则编号"),
        K("checks_right", "texts", "表格右侧逐行显示的规则编号"),
    ),
    "block.fields": (
        K("kind", "text", "块的类型：fields（名称/填写值两列）", required=True),
        K("sheet", "text", "所在工作表的键", required=True),
        K("anchor", "cell", "左上角单元格", required=True),
        K("fields", "tables", "各项（字段、小标题或空行）", required=True, table="field"),
    ),
    "block.checks": (
        K("kind", "text", "块的类型：checks（校验结果汇总，占 4 列）", required=True),
        K("sheet", "text", "所在工作表的键", required=True),
        K("anchor", "cell", "左上角单元格", required=True),
    ),
    "column": (*LINE_KEYS, K("span", "int", "占几列（合并）", least=1), *CELL_KEYS),
    "row": (*LINE_KEYS, *CELL_KEYS),
    "field": (
        K("key", "text", "字段键，如 info.unit_name", required=True),
        K("label", "text", "名称（左列）", required=True),
        K("required", "bool", "必须填写（默认 true）"),
        K("prefill", "text", "模板预填：unit、year、unit_type", choices=PREFILLS),
        K("hint", "text", "选中时的提示"),
        K("type", "text", "填写类型（[types.*] 中的一种）", required=True),
        *(k for k in CELL_KEYS if k.name != "type"),
    ),
    "field.heading": (K("heading", "text", "小标题行（不填写）", required=True),),
    "field.spacer": (K("spacer", "bool", "锁定的空行（整段粘贴时挡住下一项）", required=True),),
    "section": (
        K("heading", "text", "报告中的标题", required=True),
        K("fields", "texts", "依次印出的文字字段"),
        K("table", "text", "印出的表（表格的 table）"),
    ),
    "report": (
        K("preamble", "text", "导语，可用 {year} {unit} {regulation} {basis} {website} {phone}"),
        K("published", "text", "有网址时接在导语后，占位同上"),
        K("contact", "text", "有电话时接在导语后，占位同上"),
        K("renumber", "text", "重新编号的小标题序号（正则）"),
        K("narratives", "tables", "单位留空时按数据自动成文的段落", table="narrative_text"),
        K(
            "county",
            "tables",
            "县级汇总报告和汇总报表中按全县合计成文的段落；句子另可用 {units} {all_units} {area}（全县、全区或全市）",
            table="narrative_text",
        ),
    ),
    "narrative_text": (
        K("field", "text", "段落所属的文字字段", required=True),
        K("values", "map:text", "数值：名称 = 字段的表达式", required=True),
        K("pieces", "tables", "依次接上的句子", required=True, table="piece"),
    ),
    "piece": (
        K("when", "text", "条件（用 values 中的名称）"),
        K("text", "text", "句子，可用 {year} 和 values 中的名称"),
        K("list", "tables", "条件成立的各项用 join 连接", table="piece"),
        K("join", "text", "连接 list 各项的文字"),
    ),
    "narrative": (
        *(K(k, "texts", "词表：" + k) for k in LIST_KEYS),
        K("qualifiers", "map:texts", "限定词（如 自然人）及其说法"),
        K("concepts", "tables", "报告文字可说到的表格概念", table="concept"),
        K("topics", "tables", "总体情况各方面的关键词（F2）", table="topic"),
        K("self_words", "texts", "单位自称（我局、我镇）"),
    ),
    "concept": (
        K("key", "text", "概念键", required=True),
        K("label", "text", "名称"),
        K("words", "texts", "明确指它的说法", required=True),
        K("means", "text|texts", "它对应的单元格（之和），可用 *", required=True),
        K("vague", "texts", "可能指它的说法（不符时为警告）"),
        K("denied", "texts", "只在否定之后指它的说法"),
        K("topic", "texts", "句中须有其一"),
        K("weak_topic", "texts", "或有其一（说法不够明确）"),
        K("fields", "texts", "整段都说这个话题的文字字段"),
        K("exclude", "texts", "分句中不得有"),
        K("exclude_sentence", "texts", "句中不得有"),
        K("measures", "texts", "计数用的量词"),
        K("refines", "text", "细化的概念"),
        K("lenient", "cell-lists", "也可指的其他单元格组合"),
        K("includes", "map:text|texts", "“含……”时加上的概念"),
        K("parts", "map:text|texts", "限定词对应的单元格"),
        K("paragraph", "bool", "话题可在同段的上一句"),
        K("clear_with", "texts", "使含糊说法变明确的类别词"),
    ),
    "topic": (
        K("field", "text", "文字字段", required=True),
        K("label", "text", "名称"),
        K("words", "texts", "关键词"),
    ),
    "import": (K("old_format_markers", "texts", "只有旧格式才有的词"),),
}

# Every key a rule may have; which of them a rule takes is its kind's (xltool/form/kinds).
RULE_KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        K("id", "text", "规则编号（不写时同 code）；同一 code 可有几条规则"),
        K("code", "text", "报出的检查编号，如 B1"),
        K("kind", "text", "类别：" + "、".join(KINDS)),
        K("severity", "text", "级别：error 或 warning", choices=SEVERITIES),
        K("title", "text", "标题"),
        K("brief", "text", "简短说法（校验结果中显示）"),
        K("message", "text", "出错说明，可用占位（见 docs/rules）"),
        K("fix", "text", "修改方法，占位同 message"),
        K("blanks", "any-table", "规则说明中各占位的通用说法"),
        K("no_action", "bool", "已由工具处理的警告：回复中列在最后，不要求修改"),
        K("expr", "text", "必须成立的表达式"),
        K("at", "text", "报出问题的字段键"),
        K("when", "text", "适用条件（表达式）"),
        K("for", "any-table", '逐项检查：{ c = ["a", "b"] } 或 { c = "表格键.columns" }'),
        K("types", "texts", "检查的填写类型"),
        K("check", "text", "文字检查的名称（见 docs/rules/builtin.md）"),
        K("params", "any-table", "文字检查的参数"),
        K("code_from", "text", "报为哪一类规则的编号"),
        K("min", "value", "下限：数字或字段键"),
        K("max", "value", "上限：数字或字段键"),
        K("aggregate", "bool", "false：全县汇总数不检查此规则（各单位都满足时汇总数也可能不满足的规则）"),
        K("fields", "texts", "peer、history：检查的数字字段键"),
        K("groups", "text", 'peer：按什么分组比较（"unit_type" 按单位类型；"" 全体）'),
        K("z", "number", "peer：稳健 z 值（中位数与 MAD）超过多少报出，如 3.5"),
        K("floor", "number", "peer、history：与中位数或上年相差不超过此数时不报"),
        K("min_peers", "number", "peer：一组至少几份报表才比较（默认 8）"),
        K("factor", "number", "history：比上年增减到几倍时报出（默认 10）"),
        K("step", "number", "history：比上年增减超过此数时报出"),
    )
}


def rule_keys(kind_name: str) -> tuple[Key, ...]:
    """The keys a rule of this kind takes, the required ones marked."""
    kind = KINDS[kind_name]
    needed = {*COMMON_REQUIRED, *kind.required}
    names = dict.fromkeys((*COMMON_REQUIRED, *kind.required, *COMMON_OPTIONAL, *kind.optional))
    return tuple(replace(RULE_KEYS[n], required=n in needed) for n in names)


def override_keys() -> tuple[Key, ...]:
    """The keys of a rule that rewrites a built-in one (same id, no kind)."""
    return tuple(replace(RULE_KEYS[n], required=n == "id") for n in ("id", *OVERRIDABLE))


# ------------------------------------------------------------------ the check
def check_definition(data: Mapping[str, Any]) -> None:
    """FormDefinitionError at the first unknown key, missing key or value of the wrong type."""
    _table(data, "", "表单定义")


def _fail(place: str, what: str) -> FormDefinitionError:
    return FormDefinitionError(f"表单定义错误：{place}：{what}")


def _keys_of(table: str, value: Mapping[str, Any], place: str) -> tuple[Key, ...]:
    if table == "block":
        return TABLES["block." + _choice(value, "kind", ("grid", "fields", "checks"), place)]
    if table == "field":
        return TABLES["field.spacer" if "spacer" in value else "field.heading" if "heading" in value else "field"]
    if table == "rule":
        rid = value.get("id", value.get("code"))
        builtin = isinstance(rid, str) and rid in _builtin_ids()
        if builtin and "kind" not in value:
            return override_keys()
        if builtin:
            raise _fail(place, "规则编号与内置规则相同；改写内置规则时不要写 kind")
        return rule_keys(_choice(value, "kind", tuple(KINDS), place))
    return TABLES[table]


@cache
def _builtin_ids() -> frozenset[str]:
    return frozenset(r.id for r in builtin_rules())


def _choice(value: Mapping[str, Any], key: str, allowed: tuple[str, ...], place: str) -> str:
    got = value.get(key)
    if key not in value:
        raise _fail(place, f"缺少键“{key}”")
    if got not in allowed:
        near = difflib.get_close_matches(str(got), allowed, n=1)
        hint = f"是否为“{near[0]}”？" if near else f"应为 {'、'.join(allowed)} 之一"
        raise _fail(place, f"{key}“{got if isinstance(got, str) else _show(got)}”未知，{hint}")
    return str(got)


def _table(value: Any, table: str, place: str) -> None:
    if not isinstance(value, Mapping):
        raise _fail(place, f"应为一个表（{{ 键 = 值 }}），现为 {_show(value)}")
    keys = {k.name: k for k in _keys_of(table, value, place)}
    for name in value:
        if name not in keys:
            raise _unknown(name, keys, table, value, place)
    for name, v in value.items():  # a wrong value before a missing key: it may be why the key is missing
        _value(keys[name], v, place, not table)
    for key in keys.values():
        if key.required and key.name not in value:
            raise _fail(place, f"缺少键“{key.name}”")


def _unknown(name: str, keys: Mapping[str, Key], table: str, value: Mapping[str, Any], place: str) -> Exception:
    if table == "rule" and name in RULE_KEYS and "kind" in value:  # a key of another kind of rule
        kind = KINDS[value["kind"]]
        others = "、".join((*kind.required, *kind.optional)) or "无"
        return _fail(place, f'kind = "{kind.name}" 的规则不认识键“{name}”，此类规则另可写的有：{others}')
    near = difflib.get_close_matches(name, list(keys), n=1)
    hint = f"是否为“{near[0]}”？" if near else f"可用的有：{'、'.join(keys)}"
    return _fail(place, f"未知的键“{name}”，{hint}")


def _value(key: Key, value: Any, parent: str, root: bool) -> None:
    """``value`` of ``key`` in the table at ``parent`` (``root``: the top of the definition)."""
    here = f"[{key.name}]" if root else f"{parent} {key.name}"
    at, name = ((f"[[{key.name}]]" if key.type == "tables" else here), "") if root else (parent, key.name + " ")
    if key.type.startswith("map:"):
        if not isinstance(value, Mapping):
            raise _fail(at, f"{name}应为一个表，现为 {_show(value)}")
        for name, v in value.items():
            if key.table:
                _table(v, key.table, f"[{key.name}.{name}]" if root else f"{here}.{name}")
            else:
                _value(replace(key, name=f"{key.name}.{name}", type=key.type[4:]), v, parent, False)
        return
    if key.type == "table":
        _table(value, key.table, here)
        return
    if key.type == "tables":
        if not isinstance(value, list):
            raise _fail(at, f"{name}应为表的列表，现为 {_show(value)}")
        for i, item in enumerate(value, 1):
            _table(item, key.table, (f"[[{key.name}]] #{i}" if root else f"{here}[{i}]") + _label(item))
        return
    if not _is(key.type, value):
        raise _fail(at, f"{name}应为{TYPE_ZH[key.type]}，现为 {_show(value)}")
    if key.least is not None and value < key.least:
        raise _fail(at, f"{name}应不小于 {key.least}，现为 {value}")
    if key.choices and value not in key.choices:
        raise _fail(at, f"{name.strip()}“{value}”未知，应为 {'、'.join(key.choices)} 之一")


def _label(item: Any) -> str:
    """A rule is known by its id: "[[rules]] #12（B1）"."""
    if isinstance(item, Mapping) and isinstance(rid := item.get("id", item.get("code")), str):
        return f"（{rid}）"
    return ""


def _text(v: Any) -> bool:
    return isinstance(v, str)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _texts(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_CHECKS: dict[str, Callable[[Any], bool]] = {
    "text": _text,
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _number,
    "bool": lambda v: isinstance(v, bool),
    "texts": _texts,
    "numbers": lambda v: isinstance(v, list) and all(_number(x) for x in v),
    "value": lambda v: _text(v) or _number(v),
    "text|texts": lambda v: _text(v) or _texts(v),
    "text|number": lambda v: _text(v) or _number(v),
    "any-table": lambda v: isinstance(v, Mapping),
    "cell-lists": lambda v: isinstance(v, list) and all(_text(x) or _texts(x) for x in v),
    "cell": lambda v: isinstance(v, str) and _CELL.fullmatch(v) is not None,
}


def _is(kind: str, v: Any) -> bool:
    return _CHECKS[kind](v)


def _show(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"

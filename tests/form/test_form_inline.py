"""The form definition loader on small inline forms: each broken definition holds the few lines that
break it (tests/forms/inline.py), and the loader says what is wrong, naming the place, in Chinese.

The names in these forms (t2.normative.issued, 表二 主动公开, review.total…) are those of the shipped
annual report, so each message is the one a form author of that report would read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.forms.inline import FORM_HEAD, GRID, inline_form, inline_text
from xltool.errors import FormDefinitionError


def fields(*items: str, sheet: str = "main", anchor: str = "A10") -> str:
    """A fields block of the given items (inline tables without braces)."""
    lines = "".join(f"  {{ {item} }},\n" for item in items)
    return f'[[blocks]]\nkind = "fields"\nsheet = "{sheet}"\nanchor = "{anchor}"\nfields = [\n{lines}]\n'


def grid(key: str, rows: list[str], columns: list[str], anchor: str = "A3", **keys: str) -> str:
    """A grid without totals: one row per key of ``rows``, one column per key of ``columns``;
    ``keys`` are further lines of the block, as TOML (e.g. type='"text"')."""
    spec = {"kind": '"grid"', "key": f'"{key}"', "sheet": '"main"', "anchor": f'"{anchor}"', "table": f'"{key}"'}
    spec |= {"type": '"int"', "label_depth": "1", "header_depth": "1"} | keys
    cols = ", ".join(f'{{ key = "{c}", path = ["{c}"] }}' for c in columns)
    rows_ = ", ".join(f'{{ key = "{r}", path = ["{r}"] }}' for r in rows)
    body = "".join(f"{k} = {v}\n" for k, v in spec.items())
    return f"[[blocks]]\n{body}columns = [{cols}]\nrows = [{rows_}]\n"


def rule(rid: str, without: tuple[str, ...] = (), **keys: str) -> str:
    """A rule of kind expr (unless ``keys`` says otherwise) with every key a rule needs but those
    ``without``; values are TOML (strings with their quotes)."""
    spec = {"id": f'"{rid}"', "code": f'"{rid.split("-")[0]}"', "kind": '"expr"', "severity": '"error"'}
    spec |= {"title": '"标题"', "brief": '"简述"', "message": '"说明"', "fix": '"改正"'} | keys
    return "[[rules]]\n" + "".join(f"{k} = {v}\n" for k, v in spec.items() if k not in without)


INFO = fields(
    'key = "info.unit_name", label = "单位名称", type = "text"',
    'key = "info.phone", label = "联系电话", type = "text"',
    'key = "notes.explanation", label = "情况说明", type = "text"',
)
T2 = grid("t2", ["normative", "rules"], ["issued", "in_force"])
T3_OUTCOMES = """\
[[blocks]]
kind = "grid"
key = "t3"
sheet = "main"
anchor = "A3"
table = "t3"
type = "int"
label_depth = 2
header_depth = 1
columns = [{ key = "natural", path = ["自然人"] }]
rows = [
  { key = "r_open", path = ["三、本年度办理结果", "（一）予以公开"] },
  { key = "r_other_2", path = ["三、本年度办理结果", "（六）其他处理", "2"] },
  { key = "r_other_3", path = ["三、本年度办理结果", "（六）其他处理", "3"] },
  { key = "r_total", path = ["三、本年度办理结果", "（七）总计"], sum = "r_open..r_other_2", rule = "B2" },
]
"""


def t4(total: str = 'sum = "group", rule = "C1"') -> str:
    """Table 四's 行政复议 columns, the total's sum and rule as given."""
    return f"""\
[[blocks]]
kind = "grid"
key = "t4"
sheet = "main"
anchor = "A3"
table = "t4"
type = "int"
label_depth = 0
header_depth = 2
columns = [
  {{ key = "review.upheld", path = ["行政复议", "结果维持"] }},
  {{ key = "review.corrected", path = ["行政复议", "结果纠正"] }},
  {{ key = "review.other", path = ["行政复议", "其他结果"] }},
  {{ key = "review.pending", path = ["行政复议", "尚未审结"] }},
  {{ key = "review.total", path = ["行政复议", "总计"], {total} }},
]
rows = [{{ key = "", path = [] }}]
"""


SUM_RULE = rule("C1", kind='"sum"')
TEXTS = fields(
    'key = "s1.proactive", label = "主动公开", type = "text"',
    'key = "s6.fee_charged", label = "是否收费", type = "text"',
    'key = "s6.fee_amount", label = "收费金额", type = "int"',
)


def vocabulary(means: str = "t4.review.total", refines: str = "review", measures: str = '["件"]') -> str:
    """[narrative] with the concept of 行政复议 (the cells it ``means``) and a narrower one."""
    return f"""\
[narrative]
measures = {measures}

[[narrative.concepts]]
key = "review"
words = ["行政复议"]
means = "{means}"

[[narrative.concepts]]
key = "review_corrected"
words = ["复议纠错"]
means = "t4.review.corrected"
refines = "{refines}"
"""


def text_rule(rid: str, check: str, params: str) -> str:
    return rule(rid, kind='"text"', check=f'"{check}"', params=params)


FEE = 'charged = "s6.fee_charged", yes = "是"'

BROKEN: list[tuple[str, list[str], str]] = [
    # fields and their keys
    (
        "duplicate-key",
        [
            fields(
                'key = "info.phone", label = "联系电话", type = "text"',
                'key = "info.phone", label = "填报人", type = "text"',
            )
        ],
        "字段键重复：info.phone",
    ),
    (
        "duplicate-key-across-blocks",
        [grid("t2", ["licensing"], ["decisions"]), grid("t2", ["licensing"], ["decisions"], "A8")],
        "字段键重复：t2.licensing.decisions",
    ),
    ("bad-key-syntax", [fields('key = "s5.Problems", label = "问题", type = "text"')], "只能由小写字母"),
    (
        "unknown-field-type",
        [fields('key = "info.year", label = "年度", type = "number"')],
        "字段 info.year 的类型“number”不能用于填写",
    ),
    (
        "unknown-sheet",
        [fields('key = "s5.problems", label = "问题", type = "text"', sheet="t5")],
        "引用了不存在的工作表“t5”",
    ),
    # where blocks lie
    (
        "overlapping-blocks",
        [
            '[[sheets]]\nkey = "t2"\nname = "表二 主动公开"',
            grid("t2", ["rules", "normative"], ["issued"], sheet='"t2"'),
            grid("t2", ["licensing"], ["decisions"], "A5", sheet='"t2"'),
        ],
        "工作表“表二 主动公开”上表格 t2（A3）与表格 t2（A5）重叠",
    ),
    (
        "fields-overlap-checks",
        [
            GRID,
            '[[sheets]]\nkey = "chk"\nname = "校验结果"\nwidths = [8, 34, 8, 60]',
            '[[blocks]]\nkind = "checks"\nsheet = "chk"\nanchor = "A8"',
            fields('key = "notes.explanation", label = "情况说明", type = "text"', sheet="chk", anchor="A12"),
        ],
        "重叠（单元格 A12）",
    ),
    (
        "checks-on-a-narrow-sheet",
        [GRID, '[[blocks]]\nkind = "checks"\nsheet = "main"\nanchor = "A8"'],
        "校验汇总占 4 列",
    ),
    # roles
    (
        "role-names-unknown-field",
        [INFO, '[roles]\nexplanation = "notes.explain"'],
        "角色 explanation 引用了不存在的字段“notes.explain”",
    ),
    (
        "role-name-misspelt",
        [INFO, '[roles]\nunit_nmae = "info.unit_name"'],
        "[roles]：未知的键“unit_nmae”，是否为“unit_name”？",
    ),
    (
        "role-applications-not-a-number",
        [INFO, '[roles]\napplications = "info.phone"'],
        "角色 applications 应为数字字段，“info.phone”是 text",
    ),
    ("role-outcomes-not-a-total", [GRID, '[roles]\noutcomes = "g.x.a"'], "角色 outcomes 应为表格中的合计"),
    ("role-date-not-a-date", [INFO, '[roles]\ndate = "info.phone"'], "角色 date 应为日期字段"),
    # tables and their sums
    ("duplicate-row-key", [grid("t3", ["r_deny_1", "r_deny_1"], ["natural"])], "表格 t3 的行键重复：r_deny_1"),
    ("grid-type", [grid("t3", ["r_open"], ["natural"], type='"ratio"')], "表格 t3 的类型“ratio”不能用于填写"),
    (
        "sum-range-unknown-row",
        [T3_OUTCOMES.replace('sum = "r_open..r_other_2"', 'sum = "r_open..r_other_9"')],
        "求和范围“r_open..r_other_9”引用了不存在的行或列",
    ),
    (
        "sum-leaves-out-a-row-of-its-group",
        [T3_OUTCOMES],
        "表格 t3 的行“r_other_3”与总计“r_total”同属“三、本年度办理结果”，却不在它的求和中",
    ),
    (
        "sum-leaves-out-a-column-of-its-group",
        [t4('sum = ["review.upheld", "review.corrected", "review.other"], rule = "C1"'), SUM_RULE],
        "表格 t4 的列“review.pending”与总计“review.total”同属“行政复议”，却不在它的求和中",
    ),
    (
        "sum-list-unknown-column",
        [t4('sum = ["review.upheld", "review.pendng"], rule = "C1"'), SUM_RULE],
        "求和引用了不存在的行或列“review.pendng”",
    ),
    ("sum-unknown-rule", [t4('sum = "group", rule = "C9"')], "公式单元格 t4.review.total 引用了不存在的求和规则 C9"),
    ("sum-rule-unused", [t4(), SUM_RULE, rule("B2", kind='"sum"')], "求和规则 B2 没有任何公式单元格引用"),
    ("checks-below-unknown-rule", [t4(), 'checks_below = ["C9"]', SUM_RULE], "表格 t4 的校验位置引用了不存在的规则 C9"),
    # rules
    (
        "rule-unknown-field",
        [T2, rule("D4", expr='"t2.normative.issuedx == 0"', at='"t2.normative.issued"')],
        "规则 D4 引用了不存在的字段“t2.normative.issuedx”",
    ),
    (
        "last-year-outside-cross-year-rule",
        [T2, rule("D4", expr='"t2.normative.issued <= prev.t2.normative.issued"', at='"t2.normative.issued"')],
        "规则 D4 引用了不存在的字段“prev.t2.normative.issued”",
    ),
    (
        "rule-unknown-at",
        [T2, rule("D1", expr='"t2.rules.in_force >= 0"', at='"t2.rule.in_force"')],
        "规则 D1 引用了不存在的字段“t2.rule.in_force”",
    ),
    (
        "rule-unknown-name",
        [T2, rule("A4", expr='"t2.normative.issued == this_year"', at='"t2.normative.issued"')],
        "规则 A4 引用了未知名称“this_year”",
    ),
    ("unknown-kind", [GRID, rule("A3-max", kind='"blank"')], "[[rules]] #3（A3-max）：kind“blank”未知"),
    (
        "unknown-severity",
        [GRID, rule("A3-max", severity='"notice"')],
        "[[rules]] #3（A3-max）：severity“notice”未知，应为 error、warning 之一",
    ),
    ("function-call", [T2, rule("D2", expr="'__import__(\"os\")'", at='"t2.rules.issued"')], "规则表达式只能调用"),
    (
        "expression-syntax",
        [T2, rule("D4", expr='"t2.normative.issued == ("', at='"t2.normative.issued"')],
        "规则表达式无法解析",
    ),
    (
        "unknown-for-domain",
        [T2, rule("B1", expr='"t2.rules.{c} >= 0"', at='"t2.rules.{c}"', **{"for": '{ c = "t3.cells" }'})],
        "规则 B1 的迭代范围“t3.cells”未知",
    ),
    ("missing-key", [GRID, rule("B1", without=("title",))], "[[rules]] #3（B1）：缺少键“title”"),
    (
        "code-from",
        [GRID, rule("F4-plan", code_from='"sums"')],
        '[[rules]] #3（F4-plan）：kind = "expr" 的规则不认识键“code_from”',
    ),
    # built-in rules: rewritten, never redefined
    (
        "builtin-override",
        [GRID, '[[rules]]\nid = "A2"\nexpr = "1 == 1"'],
        "[[rules]] #3（A2）：未知的键“expr”，可用的有：id、code、severity",
    ),
    ("builtin-id-clash", [GRID, rule("H5")], "[[rules]] #3（H5）：规则编号与内置规则相同"),
    (
        "override-severity",
        [GRID, '[[rules]]\nid = "A2"\nseverity = "bogus"'],
        "[[rules]] #3（A2）：severity“bogus”未知",
    ),
    (
        "import-rule-override-with-kind",
        [GRID, '[[rules]]\nid = "import:year_mismatch"\nkind = "import"'],
        "[[rules]] #3（import:year_mismatch）：规则编号与内置规则相同",
    ),
    # text rules and report paragraphs
    ("unknown-text-check", [GRID, rule("E4", kind='"text"', check='"sums"')], "规则 E4 的文字检查“sums”不存在"),
    ("text-rule-without-check", [GRID, rule("F9", kind='"text"')], "文字规则 F9 没有用 check 指定文字检查"),
    # the [narrative] vocabulary and the parameters of text checks
    ("narrative-without-measures", [t4(), SUM_RULE, vocabulary(measures="[]")], "[narrative] 有概念时需要 measures"),
    (
        "vocabulary-unknown-field",
        [t4(), SUM_RULE, vocabulary(means="t4.review.totals")],
        "[narrative] 概念 review 引用了不存在的字段“t4.review.totals”",
    ),
    (
        "vocabulary-not-numeric",
        [t4(), SUM_RULE, TEXTS, vocabulary(means="s1.proactive")],
        "[narrative] 概念 review 引用的“s1.proactive”不是数字字段",
    ),
    (
        "vocabulary-unknown-refined-concept",
        [t4(), SUM_RULE, vocabulary(refines="appeal")],
        "概念 review_corrected 细化的概念“appeal”不存在",
    ),
    (
        "text-param-unknown-concept",
        [
            t4(),
            SUM_RULE,
            TEXTS,
            vocabulary(),
            text_rule("E3", "stated_numbers", '{ texts = ["s1.proactive"], concepts = ["review", "lawsuits"] }'),
        ],
        "规则 E3 的参数 concepts 引用了 [narrative] 中不存在的概念“lawsuits”",
    ),
    (
        "text-param-missing",
        [TEXTS, text_rule("F3-answers", "fee_answers", f"{{ {FEE} }}")],
        "规则 F3-answers（fee_answers）缺少参数 money",
    ),
    (
        "text-param-unknown-field",
        [TEXTS, text_rule("F3-answers", "fee_answers", f'{{ {FEE}, money = "s6.fee_amounts" }}')],
        "规则 F3-answers 的参数 money 引用了不存在的字段“s6.fee_amounts”",
    ),
    (
        "text-param-not-numeric",
        [TEXTS, text_rule("F3-answers", "fee_answers", f'{{ {FEE}, money = "s1.proactive" }}')],
        "规则 F3-answers 的参数 money 应为数字字段",
    ),
    (
        "text-param-not-number",
        [TEXTS, text_rule("F8", "copied", '{ texts = ["s1.proactive"], similarity = "high" }')],
        "规则 F8 的参数 similarity 应为数字",
    ),
    (
        "text-param-rule",
        [TEXTS, text_rule("F4", "years", '{ current = ["s1.proactive"], plans = [], plan_rule = "F5" }')],
        "规则 F4 的参数 plan_rule 引用了不存在的规则“F5”",
    ),
    (
        "narrative-value-unknown-field",
        [INFO, '[[report.narratives]]\nfield = "info.phone"\nvalues = { amount = "s6.fee_amounts" }\npieces = []'],
        "自动成文的数值 amount 引用了不存在的字段“s6.fee_amounts”",
    ),
    (
        "narrative-condition-unknown-name",
        [
            T2,
            INFO,
            '[[report.narratives]]\nfield = "info.phone"\nvalues = { amount = "t2.rules.issued" }\npieces = [{ when = "amounts > 0", text = "收费" }]',
        ],
        "自动成文的条件引用了未定义的数值“amounts”",
    ),
    (
        "section-unknown-field",
        [INFO, '[[sections]]\nheading = "五、存在的主要问题及改进情况"\nfields = ["s5.problemz"]'],
        "报告部分“五、存在的主要问题及改进情况”引用了不存在的字段“s5.problemz”",
    ),
    (
        "section-unknown-table",
        [GRID, '[[sections]]\nheading = "四、政府信息公开行政复议、行政诉讼情况"\ntable = "t5"'],
        "引用了不存在的表格“t5”",
    ),
    # the other tables of a form
    ("no-unit-types", [GRID, '[units]\ndefault = "乡镇"'], "[units] 中的单位类型“乡镇”不在 types 中"),
    ("active", [GRID, '[template]\nactive = "infos"'], "[template] active 引用了不存在的工作表“infos”"),
    ("guide", [GRID, '[guide]\nsheet = "guides"'], "填表说明所在的工作表“guides”不存在"),
    ("toml-syntax", ["[[rules]"], "表单定义文件格式错误"),
    (
        "import-key",
        [GRID, '[import]\nold_format_words = ["（一）"]'],
        "[import]：未知的键“old_format_words”，是否为“old_format_markers”？",
    ),
    (
        "import-markers",
        [GRID, '[import]\nold_format_markers = ["", "（一）"]'],
        "[import] old_format_markers 应为文字列表",
    ),
]


GOOD: list[tuple[str, list[str]]] = [
    ("grid-fields-and-a-table", [GRID, INFO, T2.replace('"A3"', '"A20"')]),
    (
        "every-row-in-its-total",
        [T3_OUTCOMES.replace("r_open..r_other_2", "r_open..r_other_3"), rule("B2", kind='"sum"')],
    ),
    (
        "vocabulary-and-text-rules",
        [
            t4(),
            SUM_RULE,
            TEXTS,
            vocabulary(),
            text_rule("F3-answers", "fee_answers", f'{{ {FEE}, money = "s6.fee_amount" }}'),
        ],
    ),
]


@pytest.mark.parametrize("parts", [pytest.param(p, id=i) for i, p in GOOD])
def test_the_parts_load_as_a_form(tmp_path: Path, parts: list[str]) -> None:
    """What the broken forms are made of is a form: a change to the parts fails here, not as a wrong error."""
    form = inline_form(inline_text(FORM_HEAD, *parts), tmp_path)
    own_sums = {r.id for r in form.rules if r.kind == "sum" and not r.builtin}
    assert form.fields and own_sums and own_sums <= {c.rule.id for c in form.checks}


@pytest.mark.parametrize(("parts", "message"), [pytest.param(p, m, id=i) for i, p, m in BROKEN])
def test_broken_definition(tmp_path: Path, parts: list[str], message: str) -> None:
    with pytest.raises(FormDefinitionError, match=re.escape(message)) as err:
        inline_form(inline_text(FORM_HEAD, *parts), tmp_path)
    assert "表单定义" in str(err.value)

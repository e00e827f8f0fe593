"""A small inline form with computed cells (``formula = …``), a percent type and decimal rules.

Shared by the tests of the loader (tests/form), the template (tests/workbook) and verify
(tests/checks). Grid ``h``: a row formula (办结率 = done / received in every column, the total
column's rate a rate of the totals); grid ``k``: a column formula (得分率 = got / full on every row);
fields: a percent formula over the grid's totals, a percent input, one formula per function of the
expression language, and a decimal balance (final == total + bonus - penalty).
"""

from __future__ import annotations

from typing import Any

from xltool.workbook.write import UnitInfo

RATES = """\
[form]
id = "inline-rates"
version = "1"
name = "热线统计表"

[[sheets]]
key = "main"
name = "统计"
widths = [16, 12, 12, 12]

[[sheets]]
key = "chk"
name = "校验结果"
widths = [8, 34, 8, 50]

[types.decimal]
unit = "件"

[types.percent]

[[blocks]]
kind = "grid"
key = "h"
sheet = "main"
anchor = "A3"
table = "h"
type = "decimal"
corner = "项目"
label_depth = 1
header_depth = 1
columns = [
  { key = "q1", path = ["一季度"] },
  { key = "q2", path = ["二季度"] },
  { key = "total", path = ["合计"], sum = ["q1", "q2"], rule = "S1" },
]
rows = [
  { key = "received", path = ["受理量"] },
  { key = "done", path = ["办结量"] },
  { key = "rate", path = ["办结率"], formula = "done / received" },
]

[[blocks]]
kind = "grid"
key = "k"
sheet = "main"
anchor = "A8"
table = "k"
type = "decimal"
corner = "项目"
label_depth = 1
header_depth = 1
columns = [
  { key = "got", path = ["得分"] },
  { key = "full", path = ["满分"] },
  { key = "pct", path = ["得分率"], formula = "got / full" },
]
rows = [{ key = "a", path = ["甲"] }, { key = "b", path = ["乙"] }]

[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A12"
fields = [
  { key = "rate.all", label = "全年办结率", type = "percent", formula = "h.done.total / h.received.total" },
  { key = "rate.target", label = "目标办结率", type = "percent" },
  { key = "x.a", label = "甲数", type = "decimal" },
  { key = "x.b", label = "乙数", type = "decimal" },
  { key = "x.c", label = "丙数", type = "decimal" },
  { key = "fn.round", label = "四舍五入", type = "decimal", formula = "round(x.c, 1)" },
  { key = "fn.neg", label = "负数舍入", type = "decimal", formula = "round(x.a - x.b - 1, 0)" },
  { key = "fn.min", label = "最小", type = "decimal", formula = "min(x.a, x.b, 3)" },
  { key = "fn.max", label = "最大", type = "decimal", formula = "max(x.a, x.b)" },
  { key = "fn.abs", label = "差的绝对值", type = "decimal", formula = "abs(x.a - x.b)" },
  { key = "fn.cond", label = "条件", type = "decimal", formula = "if(x.a > x.b, x.a - x.b, 0)" },
  { key = "fn.div", label = "相除", type = "decimal", formula = "(x.a + 1) / (x.b - 4)" },
  { key = "score.total", label = "总分", type = "decimal" },
  { key = "score.bonus", label = "加分", type = "decimal" },
  { key = "score.penalty", label = "扣分", type = "decimal" },
  { key = "score.final", label = "最终得分", type = "decimal" },
]

[[blocks]]
kind = "checks"
sheet = "chk"
anchor = "A3"

[[rules]]
code = "S1"
kind = "sum"
severity = "error"
title = "合计等于各季度之和"
brief = "合计不等于各季度之和"
message = "“{row}”的合计为 {value}，应为 {expected}。"
fix = "合计由公式自动计算，请不要手工改写。"

[[rules]]
code = "R1"
kind = "range"
severity = "warning"
title = "目标办结率在 0 与 100% 之间"
brief = "目标办结率超出范围"
message = "目标办结率为 {found}，应在 {min} 至 {max} 之间。"
fix = "请填写百分数，如 98.5%。"
at = "rate.target"
min = 0
max = 1

[[rules]]
code = "E1"
kind = "expr"
severity = "error"
title = "最终得分等于总分加分减扣分"
brief = "最终得分不等于总分 + 加分 - 扣分"
message = "最终得分 {value}，应为 {score.total} + {score.bonus} - {score.penalty}。"
fix = "请核对得分。"
expr = "score.final == score.total + score.bonus - score.penalty"
at = "score.final"

[[rules]]
code = "E2"
kind = "expr"
severity = "error"
title = "办结率不超过目标的 1.2 倍"
brief = "办结率异常偏高"
message = "全年办结率为 {value}，目标为 {rate.target}。"
fix = "请核对办结量。"
expr = "rate.all <= rate.target * 1.2"
at = "rate.all"
aggregate = false  # the county's rate against the units' mean target: not a per-unit fact

[[rules]]
code = "E3"
kind = "expr"
severity = "error"
title = "二季度办结不超过受理"
brief = "二季度办结率超过 100%"
message = "二季度办结 {h.done.q2} 件，受理 {h.received.q2} 件。"
fix = "请核对二季度数字。"
expr = "h.done.q2 / h.received.q2 <= 1"
at = "h.done.q2"
aggregate = false  # a ratio: xltool does not prove that it holds on the county's sums
"""

# A complete return: 二季度 received nothing (its rate and 乙's score rate are empty, E3 cannot be
# judged), 82.6 + 3.6 - 0.2 is 85.99999999999999 in floats, 2.25 rounds half up to 2.3 and -2.5 to -3.
GOOD: dict[str, Any] = {
    "h.received.q1": 200, "h.done.q1": 197, "h.received.q2": 0, "h.done.q2": 0,
    "k.a.got": 18, "k.a.full": 20, "k.b.got": 7.5, "k.b.full": 0,
    "rate.target": 0.985, "x.a": 2.5, "x.b": 4, "x.c": 2.25,
    "score.total": 82.6, "score.bonus": 3.6, "score.penalty": 0.2, "score.final": 86,
}  # fmt: skip
# What every computed cell of GOOD holds ("" where it is empty), as Excel and LibreOffice compute it.
COMPUTED: dict[str, Any] = {
    "h.received.total": 200, "h.done.total": 197, "h.rate.q1": 0.985, "h.rate.q2": "", "h.rate.total": 0.985,
    "k.a.pct": 0.9, "k.b.pct": "", "rate.all": 0.985, "fn.round": 2.3, "fn.neg": -3, "fn.min": 2.5,
    "fn.max": 4, "fn.abs": 1.5, "fn.cond": 0, "fn.div": "",
}  # fmt: skip
UNIT = UnitInfo("桐柏县政务服务中心", "", 2025)

"""A small inline form with the three kinds of special cells (form/cells.py): an of-which (其中) row
between a total's parts, a 其中 column, a constant column (满分) and a constant field, and a
conditional requirement (a name required only when 有新媒体 = 是), and a 其中 field in a fields block. Shared by the tests of the form,
the workbook and the checks."""

from __future__ import annotations

from typing import Any

from tests.forms.inline import SUM_RULES
from xltool.workbook.write import UnitInfo

CELLS = (
    """\
[form]
id = "inline-cells"
version = "1"
name = "其中项测试表"

[[sheets]]
key = "main"
name = "主表"
widths = [18, 10, 10, 10, 10, 24]

[[sheets]]
key = "chk"
name = "校验结果"
widths = [8, 34, 8, 50]

[types.int]
unit = "件"

[types.text]

[types.choice]

[[blocks]]
kind = "grid"
key = "g"
sheet = "main"
anchor = "A3"
table = "g"
type = "int"
corner = "事项"
label_depth = 1
header_depth = 1
checks_below = ["A5"]
columns = [
  { key = "a", path = ["甲"] },
  { key = "a_web", path = ["其中：网上"], part_of = "a" },
  { key = "b", path = ["乙"] },
  { key = "total", path = ["合计"], sum = ["a", "b"], rule = "S1" },
  { key = "full", path = ["满分"], value = 8 },
]
rows = [
  { key = "x", path = ["一"] },
  { key = "x_new", path = ["其中：新增"], part_of = "x" },
  { key = "y", path = ["二"] },
  { key = "total", path = ["合计"], sum = "x..y", rule = "S2" },
]

[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A11"
fields = [
  { key = "media.has_new_media", label = "有无新媒体", type = "choice", choices = ["是", "否"] },
  { key = "media.name", label = "新媒体名称", type = "text", required_if = "media.has_new_media == '是'" },
  { key = "media.accounts", label = "新媒体账号数", type = "int", required_if = "media.has_new_media == '是'" },
  { key = "media.full", label = "满分", type = "int", value = 10 },
  { key = "media.posts", label = "发布信息条数", type = "int" },
  { key = "media.posts_original", label = "其中：原创条数", type = "int", part_of = "media.posts" },
]

[[blocks]]
kind = "checks"
sheet = "chk"
anchor = "A3"

"""
    + SUM_RULES
    + """

[[rules]]
code = "K1"
kind = "expr"
severity = "warning"
title = "账号数不超过满分"
brief = "账号数超过满分"
message = "账号数 {lhs}，超过满分 {rhs}。"
fix = "请核对账号数。"
aggregate = false  # a count against a per-unit maximum: the county's sum is not held to it
expr = "media.accounts <= media.full"
at = "media.accounts"
"""
)

# Every input of a complete, consistent return (其中 ≤ parent everywhere, no new media).
GOOD: dict[str, Any] = {
    **{f"g.{r}.{c}": v for r, row in {"x": (5, 2, 3), "x_new": (2, 1, 1), "y": (4, 0, 6)}.items()
       for c, v in zip(("a", "a_web", "b"), row, strict=True)},
    "media.has_new_media": "否",
    "media.posts": 30,
    "media.posts_original": 12,
}  # fmt: skip
UNIT = UnitInfo("桐柏县某局", "", 2025)

# The form's own 其中 rule, replacing the built-in A5 (its code and wording are the form's).
OWN_RULE = """
[[rules]]
code = "W3"
kind = "part_of"
severity = "warning"
title = "其中项不超过总数"
brief = "其中项超过总数"
message = "“{row}”“{column}”为 {found}，超过总数 {expected}。"
fix = "请核对其中项。"
"""
